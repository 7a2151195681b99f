// SPDX-License-Identifier: GPL-2.0-or-later
#include "message.hpp"

#include <cstdio>

namespace pccd {

std::optional<std::uint32_t> DecodedMessage::pcc_command() const {
    if (ext) {
        return ext->command;
    }
    return std::nullopt;
}

ByteView DecodedMessage::body() const {
    if (fields.body) {
        return *fields.body;
    }
    if (ext) {
        return ext->payload;
    }
    if (generic) {
        return generic->space;
    }
    return raw;
}

Result<DecodedMessage> decode_layout(unsigned channel, Layout layout, MessageKind kind,
                                     ByteView raw, LengthCheck length_check) {
    if (channel > kMaxChannel) {
        return fail("channel " + std::to_string(channel) + " is out of range 0-255");
    }
    DecodedMessage m;
    m.channel = channel;
    m.layout = layout;
    m.kind = kind;
    m.raw = raw;
    if (layout == Layout::generic) {
        auto generic = decode_generic(raw, SignatureCheck::none);
        if (!generic) {
            return fail(generic.error());
        }
        m.generic = *generic;
        m.fields.command = generic->command;
        return m;
    }
    auto ext = decode_ext(raw, SignatureCheck::none, length_check);
    if (!ext) {
        return fail(ext.error());
    }
    m.ext = *ext;
    return m;
}

std::string describe(const DecodedMessage& m, std::string_view protocol) {
    char buf[128];
    if (m.generic) {
        std::snprintf(buf, sizeof buf, "c%03u %s %s cmd=0x%04x status=0x%04x", m.channel,
                      kind_name(m.kind), layout_name(m.layout), m.generic->command,
                      m.generic->status);
    } else {
        std::snprintf(buf, sizeof buf, "c%03u %s %s %s", m.channel, kind_name(m.kind),
                      layout_name(m.layout), pcc_command_name(m.ext->command).c_str());
    }
    std::string out = buf;
    out += protocol;
    out += " " + std::to_string(m.raw.size()) + "B";
    return out;
}

}  // namespace pccd
