// SPDX-License-Identifier: GPL-2.0-or-later
#include "message.hpp"

#include <cstdio>

#include "pldm.hpp"

namespace pccd {

ByteView DecodedMessage::body() const {
    if (mctp) {
        return mctp->message;
    }
    if (ext) {
        return ext->payload;
    }
    if (generic) {
        return generic->space;
    }
    return raw;
}

Result<DecodedMessage> decode_message(unsigned channel, Layout layout, MessageKind kind,
                                      ByteView raw) {
    if (channel > kMaxChannel) {
        return fail("channel " + std::to_string(channel) + " is out of range 0-255");
    }
    DecodedMessage m;
    m.channel = channel;
    m.layout = layout;
    m.kind = kind;
    m.raw = raw;
    if (layout == Layout::generic) {
        auto generic = decode_generic(raw);
        if (!generic) {
            return fail(generic.error());
        }
        m.generic = *generic;
        m.command = generic->command;
        return m;
    }
    auto ext = decode_ext(raw);
    if (!ext) {
        return fail(ext.error());
    }
    m.ext = *ext;
    if (ext->command != kPccCommandMctp) {
        return m;
    }
    auto packet = mctp::decode_packet(ext->payload);
    if (!packet) {
        return fail(packet.error());
    }
    m.mctp = *packet;
    if (!packet->header.som) {
        return m;
    }
    const ByteView msg = packet->message;
    const std::uint8_t type = msg[0] & 0x7f;
    m.mctp_type = type;
    if (type == mctp::kTypeControl && msg.size() >= mctp::control::kHeaderSize) {
        auto header = mctp::control::decode_header(msg);
        m.mctp_request = header->rq;
        m.instance = header->instance;
        m.command = header->command;
        if (!header->rq && msg.size() > mctp::control::kHeaderSize) {
            m.completion = msg[3];
        }
    } else if (type == mctp::kTypePldm && msg.size() >= 1 + pldm::kHeaderSize) {
        auto header = pldm::decode_header(msg);
        m.mctp_request = header->rq;
        m.instance = header->instance;
        m.pldm_type = header->type;
        m.command = header->command;
        if (!header->rq && msg.size() > 1 + pldm::kHeaderSize) {
            m.completion = msg[4];
        }
    }
    return m;
}

std::string describe(const DecodedMessage& m) {
    char buf[512];
    int n = std::snprintf(buf, sizeof buf, "c%03u %s %s", m.channel, kind_name(m.kind),
                          layout_name(m.layout));
    auto add = [&](const char* fmt, auto... args) {
        if (n >= 0 && static_cast<std::size_t>(n) < sizeof buf) {
            n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), fmt, args...);
        }
    };
    if (m.generic) {
        add(" cmd=0x%04x status=0x%04x", m.generic->command, m.generic->status);
    } else if (m.ext && !m.mctp) {
        add(" %s", pcc_command_name(m.ext->command).c_str());
    } else if (m.mctp) {
        const auto& h = m.mctp->header;
        add(" MCTP %02x->%02x TO=%d tag=%u", h.src, h.dest, h.tag_owner ? 1 : 0, h.tag);
        if (!h.som || !h.eom) {
            add(" %s%s seq=%u", h.som ? "SOM" : "", h.eom ? "EOM" : "", h.seq);
        }
        if (m.mctp_type) {
            add(" type=%u(%s)", *m.mctp_type, mctp::message_type_name(*m.mctp_type));
        }
        if (m.pldm_type) {
            add(" pldm-type=%u", *m.pldm_type);
        }
        if (m.mctp_request) {
            add(" %s iid=%u", *m.mctp_request ? "rq" : "rsp", m.instance.value_or(0));
        }
        if (m.command && m.mctp_type) {
            const char* name =
                *m.mctp_type == mctp::kTypeControl
                    ? mctp::control::command_name(static_cast<std::uint8_t>(*m.command))
                    : pldm::command_name(m.pldm_type.value_or(0xff),
                                         static_cast<std::uint8_t>(*m.command));
            add(" cmd=0x%02x(%s)", *m.command, name);
        }
        if (m.completion) {
            add(" cc=0x%02x", *m.completion);
        }
    }
    add(" %zuB", m.raw.size());
    return buf;
}

}  // namespace pccd
