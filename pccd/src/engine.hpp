// SPDX-License-Identifier: GPL-2.0-or-later
// Engine: what pccd does with a message, independent of the transport. It
// decodes the message once (decode_message), logs it, checks the rules, then
// routes it to a personality: extended layout by PCC command, generic layout
// by the personality bound to the channel. It also builds unsolicited
// messages and records everything sent (log line and pcap).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bytes.hpp"
#include "message.hpp"
#include "pcapng.hpp"
#include "personality.hpp"
#include "rules.hpp"

namespace pccd {

struct Outcome {
    std::optional<Bytes> answer;  // the whole answer message, same layout
    std::uint32_t delay_ms = 0;   // deliver (or drop) the answer this much later
    std::string rejected;         // non-empty: the input was malformed (reason)
};

class Engine {
  public:
    explicit Engine(PlatformState state = {});
    // Personalities keep references into state_: an engine stays where it is.
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // A request from a transport. Never fails: bad input is logged, counted
    // and comes back as an Outcome without answer (and `rejected` set).
    Outcome handle_request(unsigned channel, Layout layout, ByteView raw, std::string_view origin);

    // An unsolicited message for the guest. `raw`: bytes are the whole
    // message. Otherwise, extended: bytes are an MCTP message (from its type
    // byte) wrapped in a transport header (src = our EID, dest = `dest` or the
    // channel's last requester, TO=1, next tag) and the PCC header; generic:
    // bytes are the communication space, status "platform notification".
    Bytes make_notification(unsigned channel, Layout layout, ByteView bytes, bool raw,
                            std::optional<std::uint8_t> dest = std::nullopt);

    // Log line and pcap record of a message sent to the guest.
    void record_sent(unsigned channel, Layout layout, MessageKind kind, ByteView raw,
                     std::string_view origin);

    // Replaces the rules and applies their `set` lines.
    void set_rules(RuleSet rules);
    const RuleSet& rules() const { return rules_; }

    // Routes generic-layout messages of `channel` to the named personality.
    Result<bool> bind_generic(unsigned channel, std::string_view personality);

    void set_setting(const std::string& key, const std::string& value);
    void set_pcap(std::unique_ptr<PcapngWriter> pcap) { pcap_ = std::move(pcap); }
    PlatformState& state() { return state_; }

  private:
    std::optional<Bytes> apply_rule(const Rule& rule, const DecodedMessage& m);
    std::optional<Bytes> personality_answer(const DecodedMessage& m);
    std::optional<Bytes> error_answer(const DecodedMessage& m, std::uint8_t code);
    Bytes wrap_ext_answer(const DecodedMessage& request, ByteView payload) const;
    Bytes wrap_generic_answer(const DecodedMessage& request, std::uint16_t status,
                              ByteView space) const;
    Bytes wrap_mctp_answer(const DecodedMessage& request, ByteView message) const;
    std::uint32_t answer_flags() const;
    void capture(const DecodedMessage& m, bool outgoing);

    PlatformState state_;
    RuleSet rules_;
    std::map<std::uint32_t, std::unique_ptr<ExtCommandPersonality>> ext_personalities_;
    std::map<unsigned, std::unique_ptr<GenericPersonality>> generic_personalities_;
    std::unique_ptr<PcapngWriter> pcap_;
};

}  // namespace pccd
