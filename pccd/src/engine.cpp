// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine.hpp"

#include "log.hpp"
#include "pldm.hpp"

namespace pccd {

Engine::Engine(PlatformState state) : state_(std::move(state)) {
    for (const auto& [command, entry] : ext_command_registry()) {
        ext_personalities_.emplace(command, entry.make(state_));
    }
}

Outcome Engine::handle_request(unsigned channel, Layout layout, ByteView raw,
                               std::string_view origin) {
    Outcome outcome;
    counters().bump("rx.messages");
    auto decoded = decode_message(channel, layout, MessageKind::request, raw);
    if (!decoded) {
        outcome.rejected = decoded.error();
        reject("message", std::string(origin) + " c" + std::to_string(channel),
               decoded.error() + " [" + to_hex(raw, 24) + "]");
        return outcome;
    }
    const DecodedMessage& m = *decoded;
    logf(LogLevel::info, "rx %s %.*s", describe(m).c_str(), static_cast<int>(origin.size()),
         origin.data());
    capture(m, false);

    if (const Rule* rule = rules_.find(m)) {
        counters().bump("rules.hits");
        counters().bump("rules.line" + std::to_string(rule->line));
        logf(LogLevel::info, "c%03u: rule at line %d: %s%s", channel, rule->line,
             rule->delay_ms ? ("delay " + std::to_string(rule->delay_ms) + " ms, ").c_str() : "",
             rule_action_name(rule->action));
        outcome.delay_ms = rule->delay_ms;
        if (rule->action != RuleAction::pass) {
            outcome.answer = apply_rule(*rule, m);
            return outcome;
        }
    }
    outcome.answer = personality_answer(m);
    return outcome;
}

std::optional<Bytes> Engine::apply_rule(const Rule& rule, const DecodedMessage& m) {
    switch (rule.action) {
        case RuleAction::reply_raw:
            return instantiate(rule.bytes, m.raw);
        case RuleAction::reply: {
            const Bytes body = instantiate(rule.bytes, m.body());
            if (m.generic) {
                return wrap_generic_answer(m, kStatusCommandComplete, body);
            }
            if (m.mctp) {
                return wrap_mctp_answer(m, body);
            }
            return wrap_ext_answer(m, body);
        }
        case RuleAction::error:
            return error_answer(m, rule.code);
        case RuleAction::drop:
            counters().bump("rules.dropped");
            return std::nullopt;
        case RuleAction::pass:
            break;
    }
    return personality_answer(m);
}

std::optional<Bytes> Engine::personality_answer(const DecodedMessage& m) {
    if (m.generic) {
        auto it = generic_personalities_.find(m.channel);
        if (it == generic_personalities_.end()) {
            counters().bump("unhandled.generic_channel");
            logf(LogLevel::warn,
                 "c%03u: generic-layout message but no personality is bound to the channel "
                 "(--bind %u=NAME) and no rule matched; no answer",
                 m.channel, m.channel);
            return std::nullopt;
        }
        auto answer = it->second->answer(m);
        if (!answer) {
            return std::nullopt;
        }
        return wrap_generic_answer(m, answer->status, answer->space);
    }
    auto it = ext_personalities_.find(m.ext->command);
    if (it == ext_personalities_.end()) {
        counters().bump("unhandled.pcc_command");
        logf(LogLevel::warn,
             "c%03u: no personality for PCC command %s and no rule matched; "
             "no answer",
             m.channel, pcc_command_name(m.ext->command).c_str());
        return std::nullopt;
    }
    auto payload = it->second->answer(m);
    if (!payload) {
        return std::nullopt;
    }
    return wrap_ext_answer(m, *payload);
}

std::optional<Bytes> Engine::error_answer(const DecodedMessage& m, std::uint8_t code) {
    if (m.generic) {
        return wrap_generic_answer(m, kStatusCommandComplete | kStatusError, m.generic->space);
    }
    if (m.mctp && m.mctp_type == mctp::kTypeControl && m.command) {
        auto h = mctp::control::decode_header(m.mctp->message);
        return wrap_mctp_answer(m, mctp::control::response(*h, code));
    }
    if (m.mctp && m.mctp_type == mctp::kTypePldm && m.command) {
        auto h = pldm::decode_header(m.mctp->message);
        return wrap_mctp_answer(m, pldm::response(*h, code));
    }
    counters().bump("rules.error_without_format");
    logf(LogLevel::warn,
         "c%03u: rule wants an error answer but the message has no completion code field "
         "(only MCTP control, PLDM and generic layout do); no answer",
         m.channel);
    return std::nullopt;
}

std::uint32_t Engine::answer_flags() const {
    if (auto text = state_.setting("pcc.flags")) {
        if (auto v = parse_uint(*text, 0xffffffffULL)) {
            return static_cast<std::uint32_t>(*v);
        }
    }
    return kExtFlagNotifyOnCompletion;
}

Bytes Engine::wrap_ext_answer(const DecodedMessage& request, ByteView payload) const {
    // pcc-mctp: requests come from subspace c, answers go to subspace c + 1.
    return encode_ext(pcc_signature(request.channel + 1), answer_flags(), request.ext->command,
                      payload);
}

Bytes Engine::wrap_generic_answer(const DecodedMessage& request, std::uint16_t status,
                                  ByteView space) const {
    // Written back into the same subspace; never shorter than the request's
    // communication space (the device class fixes its size).
    Bytes padded(space.begin(), space.end());
    if (padded.size() < request.generic->space.size()) {
        padded.resize(request.generic->space.size(), 0);
    }
    return encode_generic(request.generic->signature, request.generic->command, status, padded);
}

Bytes Engine::wrap_mctp_answer(const DecodedMessage& request, ByteView message) const {
    return wrap_ext_answer(
        request, mctp::encode_packet(mctp::response_header(request.mctp->header), message));
}

Bytes Engine::make_notification(unsigned channel, Layout layout, ByteView bytes, bool raw,
                                std::optional<std::uint8_t> dest) {
    if (raw) {
        return Bytes(bytes.begin(), bytes.end());
    }
    if (layout == Layout::generic) {
        return encode_generic(pcc_signature(channel), 0, kStatusPlatformNotification, bytes);
    }
    mctp::TransportHeader h;
    h.src = state_.eid;
    if (dest) {
        h.dest = *dest;
    } else if (auto it = state_.peer_eid.find(channel); it != state_.peer_eid.end()) {
        h.dest = it->second;
    } else {
        h.dest = mctp::kNullEid;
    }
    h.tag_owner = true;
    h.tag = state_.next_tag;
    state_.next_tag = static_cast<std::uint8_t>((state_.next_tag + 1) & 0x7);
    return encode_ext(pcc_signature(channel + 1), answer_flags(), kPccCommandMctp,
                      mctp::encode_packet(h, bytes));
}

void Engine::record_sent(unsigned channel, Layout layout, MessageKind kind, ByteView raw,
                         std::string_view origin) {
    counters().bump(kind == MessageKind::response ? "tx.responses" : "tx.notifications");
    auto decoded = decode_message(channel, layout, kind, raw);
    if (!decoded) {
        logf(LogLevel::info, "tx c%03u %s %s (undecodable: %s) %zuB %.*s", channel, kind_name(kind),
             layout_name(layout), decoded.error().c_str(), raw.size(),
             static_cast<int>(origin.size()), origin.data());
        return;
    }
    logf(LogLevel::info, "tx %s %.*s", describe(*decoded).c_str(), static_cast<int>(origin.size()),
         origin.data());
    capture(*decoded, true);
}

void Engine::capture(const DecodedMessage& m, bool outgoing) {
    if (pcap_ && m.mctp) {
        pcap_->write_mctp(m.channel, outgoing, m.ext->payload);
    }
}

void Engine::set_rules(RuleSet rules) {
    rules_ = std::move(rules);
    for (const auto& [key, value] : rules_.settings) {
        set_setting(key, value);
    }
}

Result<bool> Engine::bind_generic(unsigned channel, std::string_view personality) {
    auto it = generic_registry().find(personality);
    if (it == generic_registry().end()) {
        std::string known;
        for (const auto& [name, entry] : generic_registry()) {
            known += (known.empty() ? "" : ", ") + name;
        }
        return fail("no generic personality named '" + std::string(personality) +
                    "' (known: " + (known.empty() ? "none" : known) + ")");
    }
    generic_personalities_[channel] = it->second.make(state_);
    return true;
}

void Engine::set_setting(const std::string& key, const std::string& value) {
    state_.settings[key] = value;
    logf(LogLevel::info, "setting %s = %s", key.c_str(), value.c_str());
}

}  // namespace pccd
