// SPDX-License-Identifier: GPL-2.0-or-later
// Engine: what pccd does with a message, independent of the transport. It
// decodes the PCC layout, asks the bindings which personality serves the
// channel, lets that personality judge the signature and decode its
// protocol, logs the message, checks the rules, then has the personality
// answer. It also builds notifications (through the channel's personality)
// and records everything sent (log line and pcap). It knows no protocol.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "binding.hpp"
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

    // A message decoded as handle_request decodes it (layout, signature,
    // protocol fields), without logging or counting.
    Result<DecodedMessage> decode(unsigned channel, Layout layout, MessageKind kind, ByteView raw);

    // An unsolicited message for the guest. `raw`: bytes are the whole
    // message. Otherwise the channel's personality wraps them (MCTP: an MCTP
    // message from its type byte; generic layout: the communication space);
    // `destination` is the protocol's address (MCTP: dest EID).
    Result<Bytes> make_notification(unsigned channel, Layout layout, ByteView bytes, bool raw,
                                    std::optional<std::uint8_t> destination = std::nullopt);

    // Log line and pcap record of a message sent to the guest.
    void record_sent(unsigned channel, Layout layout, MessageKind kind, ByteView raw,
                     std::string_view origin);

    // Replaces the rules and applies their `set` lines.
    void set_rules(RuleSet rules);
    const RuleSet& rules() const { return rules_; }

    // `--bind CHANNEL=NAME`.
    Result<bool> bind(unsigned channel, std::string_view personality) {
        return bindings_.bind(channel, personality);
    }
    Bindings& bindings() { return bindings_; }

    // Sets a setting (rules' `set`, `pccd set`) and tells every personality
    // instance (Personality::setting_changed).
    void set_setting(const std::string& key, const std::string& value);
    void set_pcap(std::unique_ptr<PcapngWriter> pcap) { pcap_ = std::move(pcap); }
    PlatformState& state() { return state_; }

  private:
    struct Routed {
        DecodedMessage message;
        Personality* personality = nullptr;
        bool speaks = false;
    };
    Result<Routed> route(unsigned channel, Layout layout, MessageKind kind, ByteView raw);
    std::optional<Bytes> apply_rule(const Rule& rule, const Routed& r);
    std::optional<Bytes> personality_answer(const Routed& r);
    // `summary`: the message's log line, the packet's comment.
    void capture(const Routed& r, bool outgoing, const std::string& summary);

    PlatformState state_;
    Bindings bindings_;
    RuleSet rules_;
    std::unique_ptr<PcapngWriter> pcap_;
};

}  // namespace pccd
