// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine.hpp"

#include "log.hpp"

namespace pccd {

Engine::Engine(PlatformState state) : state_(std::move(state)), bindings_(state_) {}

Result<Engine::Routed> Engine::route(unsigned channel, Layout layout, MessageKind kind,
                                     ByteView raw) {
    // A length past the end is the personality's to judge (almost all refuse it).
    auto decoded = decode_layout(channel, layout, kind, raw, LengthCheck::clip);
    if (!decoded) {
        return fail(decoded.error());
    }
    Routed r{std::move(*decoded)};
    Route route = bindings_.route(channel, layout, r.message.pcc_command());
    if (r.message.ext && r.message.ext->clipped &&
        !(route.speaks && route.entry->info.overlong_length)) {
        return fail(length_overrun_text(r.message.ext->length, raw.size()));
    }
    r.personality = &route.personality;
    r.speaks = route.speaks;
    if (auto ok = r.personality->check_signature(r.message); !ok) {
        return fail(ok.error());
    }
    if (r.speaks) {
        if (auto ok = r.personality->decode(r.message); !ok) {
            return fail(ok.error());
        }
    }
    return r;
}

Result<DecodedMessage> Engine::decode(unsigned channel, Layout layout, MessageKind kind,
                                      ByteView raw) {
    auto r = route(channel, layout, kind, raw);
    if (!r) {
        return fail(r.error());
    }
    return std::move(r->message);
}

Outcome Engine::handle_request(unsigned channel, Layout layout, ByteView raw,
                               std::string_view origin) {
    Outcome outcome;
    counters().bump("rx.messages");
    auto routed = route(channel, layout, MessageKind::request, raw);
    if (!routed) {
        outcome.rejected = routed.error();
        reject("message", std::string(origin) + " c" + std::to_string(channel),
               routed.error() + " [" + to_hex(raw, 24) + "]");
        return outcome;
    }
    const Routed& r = *routed;
    const std::string protocol = r.speaks ? r.personality->describe(r.message) : std::string();
    const std::string summary = describe(r.message, protocol);
    logf(LogLevel::info, "rx %s %.*s", summary.c_str(), static_cast<int>(origin.size()),
         origin.data());
    capture(r, false, summary);

    if (const Rule* rule = rules_.find(r.message)) {
        counters().bump("rules.hits");
        counters().bump("rules.line" + std::to_string(rule->line));
        logf(LogLevel::info, "c%03u: rule at line %d: %s%s", channel, rule->line,
             rule->delay_ms ? ("delay " + std::to_string(rule->delay_ms) + " ms, ").c_str() : "",
             rule_action_name(rule->action));
        outcome.delay_ms = rule->delay_ms;
        if (rule->action != RuleAction::pass) {
            outcome.answer = apply_rule(*rule, r);
            return outcome;
        }
    }
    outcome.answer = personality_answer(r);
    return outcome;
}

std::optional<Bytes> Engine::apply_rule(const Rule& rule, const Routed& r) {
    const DecodedMessage& m = r.message;
    switch (rule.action) {
        case RuleAction::reply_raw:
            return instantiate(rule.bytes, m.raw);
        case RuleAction::reply:
            return r.personality->reply(m, instantiate(rule.bytes, m.body()));
        case RuleAction::error: {
            auto answer = r.personality->error_answer(m, rule.code);
            if (!answer) {
                counters().bump("rules.error_without_format");
                logf(LogLevel::warn,
                     "c%03u: rule wants an error answer but the message's protocol has no "
                     "completion code for it; no answer",
                     m.channel);
            }
            return answer;
        }
        case RuleAction::drop:
            counters().bump("rules.dropped");
            return std::nullopt;
        case RuleAction::pass:
            break;
    }
    return personality_answer(r);
}

std::optional<Bytes> Engine::personality_answer(const Routed& r) {
    const DecodedMessage& m = r.message;
    if (r.speaks) {
        return r.personality->answer(m);
    }
    if (m.generic) {
        counters().bump("unhandled.generic_channel");
        logf(LogLevel::warn,
             "c%03u: generic-layout message but no personality serves the channel (no device "
             "description, no --bind %u=NAME) and no rule matched; no answer",
             m.channel, m.channel);
    } else {
        counters().bump("unhandled.pcc_command");
        logf(LogLevel::warn,
             "c%03u: no personality for PCC command %s and no rule matched; no answer", m.channel,
             pcc_command_name(m.ext->command).c_str());
    }
    return std::nullopt;
}

Result<Bytes> Engine::make_notification(unsigned channel, Layout layout, ByteView bytes, bool raw,
                                        std::optional<std::uint8_t> destination) {
    if (raw) {
        return Bytes(bytes.begin(), bytes.end());
    }
    if (channel > kMaxChannel) {
        return fail("channel " + std::to_string(channel) + " is out of range 0-255");
    }
    Route route = bindings_.route(channel, layout, std::nullopt);
    return route.personality.notification(layout, bytes, destination);
}

void Engine::record_sent(unsigned channel, Layout layout, MessageKind kind, ByteView raw,
                         std::string_view origin) {
    counters().bump(kind == MessageKind::response ? "tx.responses" : "tx.notifications");
    auto routed = route(channel, layout, kind, raw);
    if (!routed) {
        logf(LogLevel::info, "tx c%03u %s %s (undecodable: %s) %zuB %.*s", channel, kind_name(kind),
             layout_name(layout), routed.error().c_str(), raw.size(),
             static_cast<int>(origin.size()), origin.data());
        return;
    }
    const Routed& r = *routed;
    const std::string protocol = r.speaks ? r.personality->describe(r.message) : std::string();
    const std::string summary = describe(r.message, protocol);
    logf(LogLevel::info, "tx %s %.*s", summary.c_str(), static_cast<int>(origin.size()),
         origin.data());
    capture(r, true, summary);
}

void Engine::capture(const Routed& r, bool outgoing, const std::string& summary) {
    if (!pcap_) {
        return;
    }
    if (auto packet = r.personality->capture(r.message)) {
        pcap_->write_packet(r.message.channel, outgoing, *packet, summary);
    }
}

void Engine::set_rules(RuleSet rules) {
    rules_ = std::move(rules);
    for (const auto& [key, value] : rules_.settings) {
        set_setting(key, value);
    }
}

void Engine::set_setting(const std::string& key, const std::string& value) {
    state_.settings[key] = value;
    logf(LogLevel::info, "setting %s = %s", key.c_str(), value.c_str());
    bindings_.setting_changed(key, value);
}

}  // namespace pccd
