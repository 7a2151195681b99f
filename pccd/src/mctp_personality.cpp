// SPDX-License-Identifier: GPL-2.0-or-later
// MCTP over PCC (DSP0292), the personality of QEMU's pcc-mctp: one MCTP
// packet per extended message with PCC command "MCTP". It decodes and checks
// the transport header, hands the message to the handler of its MCTP message
// type (mctp_personality.hpp), wraps answers and notifications in transport
// headers, and records the packets for --pcap.
#include "mctp_personality.hpp"

#include <cstdio>

#include "log.hpp"

namespace pccd {

std::map<std::uint8_t, MctpTypeEntry>& mctp_type_registry() {
    static std::map<std::uint8_t, MctpTypeEntry> r;  // built on first use
    return r;
}

void MctpTypeHandler::decode(ByteView, MessageFields&) const {}

const char* MctpTypeHandler::command_name(const MessageFields&) const {
    return nullptr;
}

std::optional<Bytes> MctpTypeHandler::error_response(ByteView, std::uint8_t) const {
    return std::nullopt;
}

std::string MctpTypeHandler::describe(const MessageFields& f) const {
    std::string out;
    char buf[128];
    if (f.request) {
        std::snprintf(buf, sizeof buf, " %s iid=%u", *f.request ? "rq" : "rsp",
                      f.instance.value_or(0));
        out += buf;
    }
    if (f.command) {
        const char* name = command_name(f);
        std::snprintf(buf, sizeof buf, " cmd=0x%02x(%s)", *f.command,
                      name != nullptr ? name : "unknown");
        out += buf;
    }
    if (f.completion) {
        std::snprintf(buf, sizeof buf, " cc=0x%02x", *f.completion);
        out += buf;
    }
    return out;
}

namespace {

class MctpPersonality final : public Personality {
  public:
    explicit MctpPersonality(ChannelContext& c) : Personality(c) {
        for (const auto& [type, entry] : mctp_type_registry()) {
            handlers_.emplace(type, entry.make(c));
        }
    }

    Result<bool> decode(DecodedMessage& m) override {
        if (m.pcc_command() != mctp::kPccCommandMctp) {
            return true;
        }
        auto packet = mctp::decode_packet(m.ext->payload);
        if (!packet) {
            return fail(packet.error());
        }
        m.fields.body = packet->message;
        if (!packet->header.som) {
            return true;  // a middle or last packet has no message type
        }
        const std::uint8_t type = packet->message[0] & 0x7f;
        m.fields.type = type;
        if (const MctpTypeHandler* h = handler(type)) {
            h->decode(packet->message, m.fields);
        }
        return true;
    }

    std::string describe(const DecodedMessage& m) const override {
        auto packet = mctp_packet(m);
        if (!packet) {
            return {};
        }
        const auto& h = packet->header;
        char buf[256];
        int n = std::snprintf(buf, sizeof buf, " %02x->%02x TO=%d tag=%u", h.src, h.dest,
                              h.tag_owner ? 1 : 0, h.tag);
        if ((!h.som || !h.eom) && n > 0) {
            n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), " %s%s seq=%u",
                               h.som ? "SOM" : "", h.eom ? "EOM" : "", h.seq);
        }
        if (m.fields.type && n > 0) {
            std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), " type=%u(%s)",
                          *m.fields.type, mctp::message_type_name(*m.fields.type));
        }
        std::string out = buf;
        if (m.fields.type) {
            if (const MctpTypeHandler* t = handler(*m.fields.type)) {
                out += t->describe(m.fields);
            }
        }
        return out;
    }

    std::optional<Bytes> answer(const DecodedMessage& m) override {
        const std::string where = "channel " + std::to_string(m.channel);
        auto packet = mctp_packet(m);
        if (!packet) {
            reject("mctp_packet", where, "no MCTP packet");
            return std::nullopt;
        }
        const auto& h = packet->header;
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
        const std::uint8_t eid = context().state().eid;
        if (h.dest != eid && h.dest != mctp::kNullEid && h.dest != mctp::kBroadcastEid) {
            counters().bump("mctp.not_our_eid");
            logf(LogLevel::warn, "c%03u: MCTP message for EID 0x%02x dropped: ours is 0x%02x",
                 m.channel, h.dest, eid);
            return std::nullopt;
        }
        peer_eid_ = h.src;
        const std::uint8_t type = m.fields.type.value_or(0);
        MctpTypeHandler* t = handler(type);
        if (t == nullptr) {
            counters().bump("mctp.unsupported_type");
            logf(LogLevel::warn,
                 "c%03u: no handler for MCTP message type 0x%02x; dropped (a rule can answer it)",
                 m.channel, type);
            return std::nullopt;
        }
        auto message = t->answer(m);
        if (!message) {
            return std::nullopt;
        }
        return wrap(m, h, *message);
    }

    Bytes reply(const DecodedMessage& m, ByteView body) override {
        if (auto packet = mctp_packet(m)) {
            return wrap(m, packet->header, body);
        }
        return Personality::reply(m, body);
    }

    std::optional<Bytes> error_answer(const DecodedMessage& m, std::uint8_t code) override {
        auto packet = mctp_packet(m);
        if (!packet || !m.fields.type || !m.fields.command) {
            return Personality::error_answer(m, code);
        }
        const MctpTypeHandler* t = handler(*m.fields.type);
        auto message = t != nullptr ? t->error_response(packet->message, code) : std::nullopt;
        if (!message) {
            return std::nullopt;
        }
        return wrap(m, packet->header, *message);
    }

    Result<Bytes> notification(Layout layout, ByteView bytes,
                               std::optional<std::uint8_t> destination) override {
        if (layout != Layout::extended) {
            return Personality::notification(layout, bytes, destination);
        }
        // From our EID to `destination`, else the channel's last requester,
        // else the null EID; TO=1 with the next tag.
        mctp::TransportHeader h;
        h.src = context().state().eid;
        h.dest = destination.value_or(peer_eid_.value_or(mctp::kNullEid));
        h.tag_owner = true;
        h.tag = next_tag_;
        next_tag_ = static_cast<std::uint8_t>((next_tag_ + 1) & 0x7);
        return context().ext_message(mctp::kPccCommandMctp, mctp::encode_packet(h, bytes));
    }

    std::optional<CapturedPacket> capture(const DecodedMessage& m) const override {
        if (m.pcc_command() != mctp::kPccCommandMctp) {
            return std::nullopt;
        }
        return CapturedPacket{mctp::kEthPMctp, mctp::kArphrdMctp, m.ext->payload};
    }

  private:
    static std::optional<mctp::Packet> mctp_packet(const DecodedMessage& m) {
        if (m.pcc_command() != mctp::kPccCommandMctp) {
            return std::nullopt;
        }
        auto packet = mctp::decode_packet(m.ext->payload);
        if (!packet) {
            return std::nullopt;
        }
        return *packet;
    }

    // The answer to `request`: EIDs swapped, same tag, TO cleared.
    Bytes wrap(const DecodedMessage& m, const mctp::TransportHeader& request, ByteView message) {
        return context().ext_answer(m,
                                    mctp::encode_packet(mctp::response_header(request), message));
    }

    MctpTypeHandler* handler(std::uint8_t type) const {
        auto it = handlers_.find(type);
        return it == handlers_.end() ? nullptr : it->second.get();
    }

    std::map<std::uint8_t, std::unique_ptr<MctpTypeHandler>> handlers_;
    std::optional<std::uint8_t> peer_eid_;  // src EID of the channel's last request
    std::uint8_t next_tag_ = 0;             // tags of pccd-originated messages
};

// pcc-mctp: initiator (type 3) at the channel, responder (type 4) at channel + 1.
const PersonalityRegistrar<MctpPersonality> kRegister(
    PersonalityInfo("mctp", "MCTP over PCC (DSP0292): MCTP control, PLDM base")
        .serves("pcc-mctp")
        .subspace(0, 3, SubspaceRole::initiator)
        .subspace(1, 4, SubspaceRole::responder)
        .pcc_command(mctp::kPccCommandMctp)
        .fallback_for_extended());

}  // namespace

}  // namespace pccd
