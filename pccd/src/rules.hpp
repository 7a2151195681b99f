// SPDX-License-Identifier: GPL-2.0-or-later
// The rules file: line-based, read at start-up and on SIGHUP. See
// docs/pccd.md for the format. Rules are checked before the personalities;
// the first matching rule wins.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bytes.hpp"
#include "message.hpp"
#include "result.hpp"

namespace pccd {

struct ByteMatch {
    std::size_t offset = 0;  // into the raw message
    Bytes value;
    Bytes mask;  // same size as value
};

// The selectors of a `match` line. `type=`, `pldm-type=` and `cmd=` compare
// the MessageFields that the channel's personality decoded (type, subtype,
// command), so they hold for whatever protocol fills them.
struct RuleMatch {
    std::optional<unsigned> channel;
    std::optional<Layout> layout;
    std::optional<std::uint32_t> pcc_command;
    std::optional<std::uint8_t> mctp_type;  // `type=`: fields.type
    std::optional<std::uint8_t> pldm_type;  // `pldm-type=`: fields.subtype
    std::optional<unsigned> command;        // `cmd=`: fields.command
    std::vector<ByteMatch> bytes;

    bool matches(const DecodedMessage& message) const;
};

// A reply template byte: a literal, or `$N` / `$N&MM` (byte N of the request's
// body, masked).
struct TemplateByte {
    bool copy = false;
    std::size_t offset = 0;
    std::uint8_t value = 0;  // the literal, or the mask of a copy
};
using ByteTemplate = std::vector<TemplateByte>;

// Bytes past the end of `source` copy as 0.
Bytes instantiate(const ByteTemplate& bytes, ByteView source);

enum class RuleAction { reply, reply_raw, error, drop, pass };
const char* rule_action_name(RuleAction action);

struct Rule {
    int line = 0;
    RuleMatch match;
    std::uint32_t delay_ms = 0;
    RuleAction action = RuleAction::pass;
    ByteTemplate bytes;     // reply, reply-raw
    std::uint8_t code = 0;  // error
};

// `every MS ...` / `after MS ...`: an unsolicited message to the guest.
struct TimedRule {
    int line = 0;
    bool repeat = false;
    std::uint32_t interval_ms = 0;
    unsigned channel = 0;
    Layout layout = Layout::extended;
    bool raw = false;  // bytes are the whole message
    Bytes bytes;
    std::optional<std::uint8_t> dest_eid;
};

struct RuleSet {
    std::vector<Rule> rules;
    std::vector<TimedRule> timed;
    std::vector<std::pair<std::string, std::string>> settings;  // `set KEY VALUE`

    const Rule* find(const DecodedMessage& message) const;
};

// Errors name the line: "line 3: unknown selector 'chanel=1'".
Result<RuleSet> parse_rules(std::string_view text);
Result<RuleSet> load_rules_file(const std::string& path);

}  // namespace pccd
