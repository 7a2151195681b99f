// SPDX-License-Identifier: GPL-2.0-or-later
// The "MCTP" PCC command (DSP0292): checks the MCTP transport header once and
// hands the message to the personality registered for its MCTP message type.
#include <map>
#include <memory>

#include "log.hpp"
#include "personality.hpp"

namespace pccd {

namespace {

class MctpPersonality final : public ExtCommandPersonality {
  public:
    explicit MctpPersonality(PlatformState& state) : state_(state) {
        for (const auto& [type, entry] : mctp_type_registry()) {
            types_.emplace(type, entry.make(state));
        }
    }

    std::optional<Bytes> answer(const DecodedMessage& m) override {
        const std::string where = "channel " + std::to_string(m.channel);
        if (!m.mctp) {
            reject("mctp_packet", where, "no MCTP packet");
            return std::nullopt;
        }
        const auto& h = m.mctp->header;
        if (!h.som || !h.eom) {
            reject("mctp_multipacket", where,
                   "multi-packet MCTP messages are not supported (SOM/EOM not both set)");
            return std::nullopt;
        }
        if (!h.tag_owner) {
            // TO=0: the guest answers one of our requests (a notification).
            counters().bump("mctp.responses_from_guest");
            logf(LogLevel::info, "c%03u: MCTP response from EID 0x%02x (tag %u) consumed",
                 m.channel, h.src, h.tag);
            return std::nullopt;
        }
        if (h.dest != state_.eid && h.dest != mctp::kNullEid && h.dest != mctp::kBroadcastEid) {
            counters().bump("mctp.not_our_eid");
            logf(LogLevel::warn, "c%03u: MCTP message for EID 0x%02x dropped: ours is 0x%02x",
                 m.channel, h.dest, state_.eid);
            return std::nullopt;
        }
        state_.peer_eid[m.channel] = h.src;
        const std::uint8_t type = m.mctp_type.value_or(0);
        auto it = types_.find(type);
        if (it == types_.end()) {
            counters().bump("mctp.unsupported_type");
            logf(LogLevel::warn,
                 "c%03u: no personality for MCTP message type 0x%02x; dropped (a rule can "
                 "answer it)",
                 m.channel, type);
            return std::nullopt;
        }
        auto message = it->second->answer(m);
        if (!message) {
            return std::nullopt;
        }
        return mctp::encode_packet(mctp::response_header(h), *message);
    }

  private:
    PlatformState& state_;
    std::map<std::uint8_t, std::unique_ptr<MctpTypePersonality>> types_;
};

const ExtCommandRegistrar<MctpPersonality> kRegisterMctp(kPccCommandMctp, "MCTP");

}  // namespace

}  // namespace pccd
