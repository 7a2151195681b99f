// SPDX-License-Identifier: GPL-2.0-or-later
#include "rules.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "text.hpp"
#include "unique_fd.hpp"

namespace pccd {

namespace {

constexpr std::uint64_t kMaxDelayMs = 3600ULL * 1000;
constexpr std::size_t kMaxRulesFileSize = 1 << 20;

std::string quote(std::string_view word) {
    return "'" + std::string(word) + "'";
}

std::optional<Layout> parse_layout(std::string_view text) {
    if (text == "ext") {
        return Layout::extended;
    }
    if (text == "gen") {
        return Layout::generic;
    }
    return std::nullopt;
}

std::optional<std::uint32_t> parse_pcc_command(std::string_view text) {
    if (text.size() == 4 && !(text[0] >= '0' && text[0] <= '9')) {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            v |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(text[i])) << (8 * i);
        }
        return v;
    }
    auto v = parse_uint(text, 0xffffffffULL);
    if (!v) {
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(*v);
}

// "@OFF=HEX[/MASK]"
Result<ByteMatch> parse_byte_match(std::string_view word) {
    const auto eq = word.find('=');
    if (eq == std::string_view::npos) {
        return fail("byte match " + quote(word) + " needs @OFFSET=HEX[/MASK]");
    }
    auto offset = parse_uint(word.substr(1, eq - 1), kMaxMessageSize);
    if (!offset) {
        return fail("bad offset in " + quote(word));
    }
    std::string_view rest = word.substr(eq + 1);
    std::string_view mask_text;
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
        mask_text = rest.substr(slash + 1);
        rest = rest.substr(0, slash);
    }
    auto value = parse_hex(rest);
    if (!value || value->empty()) {
        return fail("bad hex value in " + quote(word));
    }
    ByteMatch m;
    m.offset = *offset;
    m.value = *value;
    if (mask_text.empty()) {
        m.mask.assign(value->size(), 0xff);
    } else {
        auto mask = parse_hex(mask_text);
        if (!mask || mask->size() != value->size()) {
            return fail("mask in " + quote(word) + " must have as many bytes as the value");
        }
        m.mask = *mask;
    }
    return m;
}

Result<ByteTemplate> parse_template(const std::vector<std::string_view>& words, std::size_t from) {
    ByteTemplate out;
    for (std::size_t i = from; i < words.size(); ++i) {
        const std::string_view w = words[i];
        if (w[0] == '$') {
            TemplateByte b;
            b.copy = true;
            b.value = 0xff;
            std::string_view offset_text = w.substr(1);
            if (const auto amp = offset_text.find('&'); amp != std::string_view::npos) {
                auto mask = parse_hex(offset_text.substr(amp + 1));
                if (!mask || mask->size() != 1) {
                    return fail("bad mask in " + quote(w) + " (want $N&HH)");
                }
                b.value = (*mask)[0];
                offset_text = offset_text.substr(0, amp);
            }
            auto offset = parse_uint(offset_text, kMaxMessageSize);
            if (!offset) {
                return fail("bad offset in " + quote(w));
            }
            b.offset = *offset;
            out.push_back(b);
            continue;
        }
        auto bytes = parse_hex(w);
        if (!bytes) {
            return fail("bad hex bytes " + quote(w));
        }
        for (std::uint8_t v : *bytes) {
            out.push_back(TemplateByte{false, 0, v});
        }
    }
    return out;
}

Result<Bytes> parse_literal_bytes(const std::vector<std::string_view>& words, std::size_t from) {
    Bytes out;
    for (std::size_t i = from; i < words.size(); ++i) {
        auto bytes = parse_hex(words[i]);
        if (!bytes) {
            return fail("bad hex bytes " + quote(words[i]));
        }
        append(out, *bytes);
    }
    return out;
}

Result<std::uint32_t> parse_ms(std::string_view text) {
    if (text.size() > 2 && text.substr(text.size() - 2) == "ms") {
        text.remove_suffix(2);
    }
    auto v = parse_uint(text, kMaxDelayMs);
    if (!v) {
        return fail("bad milliseconds " + quote(text) + " (0 to 3600000)");
    }
    return static_cast<std::uint32_t>(*v);
}

Result<Rule> parse_match_line(const std::vector<std::string_view>& words) {
    Rule rule;
    std::size_t i = 1;
    for (; i < words.size() && words[i] != "=>"; ++i) {
        const std::string_view w = words[i];
        if (w[0] == '@') {
            auto m = parse_byte_match(w);
            if (!m) {
                return fail(m.error());
            }
            rule.match.bytes.push_back(*m);
            continue;
        }
        const auto eq = w.find('=');
        if (eq == std::string_view::npos) {
            return fail("selector " + quote(w) + " is not KEY=VALUE");
        }
        const std::string_view key = w.substr(0, eq);
        const std::string_view value = w.substr(eq + 1);
        if (key == "channel") {
            auto v = parse_uint(value, kMaxChannel);
            if (!v) {
                return fail("bad channel " + quote(value));
            }
            rule.match.channel = static_cast<unsigned>(*v);
        } else if (key == "layout") {
            rule.match.layout = parse_layout(value);
            if (!rule.match.layout) {
                return fail("layout must be ext or gen, not " + quote(value));
            }
        } else if (key == "pcc") {
            rule.match.pcc_command = parse_pcc_command(value);
            if (!rule.match.pcc_command) {
                return fail("bad PCC command " + quote(value));
            }
        } else if (key == "type") {
            auto v = parse_uint(value, 0x7f);
            if (!v) {
                return fail("bad MCTP message type " + quote(value));
            }
            rule.match.mctp_type = static_cast<std::uint8_t>(*v);
        } else if (key == "pldm-type") {
            auto v = parse_uint(value, 0x3f);
            if (!v) {
                return fail("bad PLDM type " + quote(value));
            }
            rule.match.pldm_type = static_cast<std::uint8_t>(*v);
        } else if (key == "cmd") {
            auto v = parse_uint(value, 0xffff);
            if (!v) {
                return fail("bad command " + quote(value));
            }
            rule.match.command = static_cast<unsigned>(*v);
        } else {
            return fail("unknown selector " + quote(w));
        }
    }
    if (i >= words.size()) {
        return fail("missing '=>' and an action");
    }
    ++i;
    if (i < words.size() && words[i] == "delay") {
        if (i + 1 >= words.size()) {
            return fail("delay needs milliseconds");
        }
        auto ms = parse_ms(words[i + 1]);
        if (!ms) {
            return fail(ms.error());
        }
        rule.delay_ms = *ms;
        i += 2;
        if (i >= words.size()) {
            rule.action = RuleAction::pass;
            return rule;
        }
    }
    if (i >= words.size()) {
        return fail("missing action after '=>'");
    }
    const std::string_view action = words[i];
    if (action == "reply" || action == "reply-raw") {
        auto t = parse_template(words, i + 1);
        if (!t) {
            return fail(t.error());
        }
        if (t->empty()) {
            return fail(std::string(action) + " needs bytes");
        }
        rule.action = action == "reply" ? RuleAction::reply : RuleAction::reply_raw;
        rule.bytes = *t;
        return rule;
    }
    if (action == "error") {
        if (i + 2 != words.size()) {
            return fail("error takes one completion code");
        }
        auto v = parse_uint(words[i + 1], 0xff);
        if (!v) {
            return fail("bad completion code " + quote(words[i + 1]));
        }
        rule.action = RuleAction::error;
        rule.code = static_cast<std::uint8_t>(*v);
        return rule;
    }
    if (action == "drop" || action == "pass") {
        if (i + 1 != words.size()) {
            return fail(std::string(action) + " takes no arguments");
        }
        rule.action = action == "drop" ? RuleAction::drop : RuleAction::pass;
        return rule;
    }
    return fail("unknown action " + quote(action) +
                " (reply, reply-raw, error, drop, pass, delay)");
}

Result<TimedRule> parse_timed_line(const std::vector<std::string_view>& words) {
    TimedRule rule;
    rule.repeat = words[0] == "every";
    if (words.size() < 2) {
        return fail(std::string(words[0]) + " needs milliseconds");
    }
    auto ms = parse_ms(words[1]);
    if (!ms) {
        return fail(ms.error());
    }
    if (rule.repeat && *ms == 0) {
        return fail("every needs at least 1 ms");
    }
    rule.interval_ms = *ms;
    bool have_channel = false;
    std::size_t i = 2;
    for (; i < words.size() && words[i] != "=>"; ++i) {
        const std::string_view w = words[i];
        const auto eq = w.find('=');
        const std::string_view key = w.substr(0, eq);
        const std::string_view value = eq == std::string_view::npos ? "" : w.substr(eq + 1);
        if (key == "channel") {
            auto v = parse_uint(value, kMaxChannel);
            if (!v) {
                return fail("bad channel " + quote(value));
            }
            rule.channel = static_cast<unsigned>(*v);
            have_channel = true;
        } else if (key == "layout") {
            auto layout = parse_layout(value);
            if (!layout) {
                return fail("layout must be ext or gen, not " + quote(value));
            }
            rule.layout = *layout;
        } else if (key == "dest") {
            auto v = parse_uint(value, 0xff);
            if (!v) {
                return fail("bad dest EID " + quote(value));
            }
            rule.dest_eid = static_cast<std::uint8_t>(*v);
        } else {
            return fail("unknown selector " + quote(w) + " (channel=, layout=, dest=)");
        }
    }
    if (!have_channel) {
        return fail("timed rule needs channel=N");
    }
    if (i + 1 >= words.size() || (words[i + 1] != "notify" && words[i + 1] != "notify-raw")) {
        return fail("timed rule needs '=> notify BYTES' or '=> notify-raw BYTES'");
    }
    rule.raw = words[i + 1] == "notify-raw";
    auto bytes = parse_literal_bytes(words, i + 2);
    if (!bytes) {
        return fail(bytes.error());
    }
    if (bytes->empty()) {
        return fail("notify needs bytes");
    }
    rule.bytes = *bytes;
    return rule;
}

}  // namespace

bool RuleMatch::matches(const DecodedMessage& m) const {
    if (channel && *channel != m.channel) {
        return false;
    }
    if (layout && *layout != m.layout) {
        return false;
    }
    if (pcc_command && (!m.ext || m.ext->command != *pcc_command)) {
        return false;
    }
    if (mctp_type && m.fields.type != mctp_type) {
        return false;
    }
    if (pldm_type && m.fields.subtype != pldm_type) {
        return false;
    }
    if (command && m.fields.command != command) {
        return false;
    }
    for (const ByteMatch& b : bytes) {
        if (b.offset + b.value.size() > m.raw.size()) {
            return false;
        }
        for (std::size_t k = 0; k < b.value.size(); ++k) {
            if ((m.raw[b.offset + k] & b.mask[k]) != (b.value[k] & b.mask[k])) {
                return false;
            }
        }
    }
    return true;
}

Bytes instantiate(const ByteTemplate& bytes, ByteView source) {
    Bytes out;
    out.reserve(bytes.size());
    for (const TemplateByte& b : bytes) {
        if (!b.copy) {
            out.push_back(b.value);
        } else {
            out.push_back(b.offset < source.size() ? source[b.offset] & b.value : 0);
        }
    }
    return out;
}

const char* rule_action_name(RuleAction action) {
    switch (action) {
        case RuleAction::reply:
            return "reply";
        case RuleAction::reply_raw:
            return "reply-raw";
        case RuleAction::error:
            return "error";
        case RuleAction::drop:
            return "drop";
        case RuleAction::pass:
            return "pass";
    }
    return "?";
}

const Rule* RuleSet::find(const DecodedMessage& message) const {
    for (const Rule& rule : rules) {
        if (rule.match.matches(message)) {
            return &rule;
        }
    }
    return nullptr;
}

Result<RuleSet> parse_rules(std::string_view text) {
    RuleSet set;
    int line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (const auto hash = line.find('#'); hash != std::string_view::npos) {
            line = line.substr(0, hash);
        }
        const auto words = pcc::split_words(line);
        if (words.empty()) {
            continue;
        }
        const std::string where = "line " + std::to_string(line_number) + ": ";
        if (words[0] == "match") {
            auto rule = parse_match_line(words);
            if (!rule) {
                return fail(where + rule.error());
            }
            rule->line = line_number;
            set.rules.push_back(std::move(*rule));
        } else if (words[0] == "every" || words[0] == "after") {
            auto rule = parse_timed_line(words);
            if (!rule) {
                return fail(where + rule.error());
            }
            rule->line = line_number;
            set.timed.push_back(std::move(*rule));
        } else if (words[0] == "set") {
            if (words.size() != 3) {
                return fail(where + "set takes KEY VALUE");
            }
            set.settings.emplace_back(std::string(words[1]), std::string(words[2]));
        } else {
            return fail(where + "unknown statement " + quote(words[0]) +
                        " (match, every, after, set)");
        }
    }
    return set;
}

Result<RuleSet> load_rules_file(const std::string& path) {
    pcc::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) {
        return fail(path + ": " + pcc::errno_text());
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return fail(path + ": not a regular file");
    }
    if (static_cast<std::size_t>(st.st_size) > kMaxRulesFileSize) {
        return fail(path + ": larger than 1 MiB");
    }
    std::string text;
    char buf[8192];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail(path + ": " + pcc::errno_text());
        }
        if (n == 0) {
            break;
        }
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > kMaxRulesFileSize) {
            return fail(path + ": larger than 1 MiB");
        }
    }
    auto set = parse_rules(text);
    if (!set) {
        return fail(path + ": " + set.error());
    }
    return set;
}

}  // namespace pccd
