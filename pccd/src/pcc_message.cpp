// SPDX-License-Identifier: GPL-2.0-or-later
#include "pcc_message.hpp"

#include <cstdio>

namespace pccd {

const char* layout_name(Layout layout) {
    return layout == Layout::extended ? "ext" : "gen";
}

const char* kind_name(MessageKind kind) {
    switch (kind) {
        case MessageKind::request:
            return "req";
        case MessageKind::response:
            return "rsp";
        case MessageKind::notification:
            return "ntf";
    }
    return "?";
}

std::string bad_signature_text(std::uint32_t signature) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "bad signature 0x%08x", signature);
    return buf;
}

std::string length_overrun_text(std::uint32_t length, std::size_t size) {
    return "length " + std::to_string(length) + " claims " + std::to_string(12ULL + length) +
           " bytes but only " + std::to_string(size) + " are there";
}

Result<ExtMessage> decode_ext(ByteView message, SignatureCheck check, LengthCheck length_check) {
    if (message.size() < kExtHeaderSize) {
        return fail("extended message of " + std::to_string(message.size()) +
                    " bytes is shorter than its 16-byte header");
    }
    ExtMessage m;
    m.signature = load_le32(message, 0);
    m.flags = load_le32(message, 4);
    m.length = load_le32(message, 8);
    m.command = load_le32(message, 12);
    if (check == SignatureCheck::pcc && !has_pcc_prefix(m.signature)) {
        return fail(bad_signature_text(m.signature));
    }
    if (m.length < 4) {
        return fail("length " + std::to_string(m.length) + " < 4");
    }
    if (12ULL + m.length > message.size()) {
        if (length_check == LengthCheck::reject) {
            return fail(length_overrun_text(m.length, message.size()));
        }
        m.clipped = true;
        m.payload = message.subspan(kExtHeaderSize);
        return m;
    }
    m.payload = message.subspan(kExtHeaderSize, m.length - 4);
    return m;
}

Bytes encode_ext(std::uint32_t signature, std::uint32_t flags, std::uint32_t command,
                 ByteView payload) {
    Bytes out;
    out.reserve(kExtHeaderSize + payload.size());
    append_le32(out, signature);
    append_le32(out, flags);
    append_le32(out, static_cast<std::uint32_t>(payload.size() + 4));
    append_le32(out, command);
    append(out, payload);
    return out;
}

Result<GenericMessage> decode_generic(ByteView message, SignatureCheck check) {
    if (message.size() < kGenericHeaderSize) {
        return fail("generic message of " + std::to_string(message.size()) +
                    " bytes is shorter than its 8-byte header");
    }
    GenericMessage m;
    m.signature = load_le32(message, 0);
    m.command = load_le16(message, 4);
    m.status = load_le16(message, 6);
    if (check == SignatureCheck::pcc && !has_pcc_prefix(m.signature)) {
        return fail(bad_signature_text(m.signature));
    }
    m.space = message.subspan(kGenericHeaderSize);
    return m;
}

Bytes encode_generic(std::uint32_t signature, std::uint16_t command, std::uint16_t status,
                     ByteView space) {
    Bytes out;
    out.reserve(kGenericHeaderSize + space.size());
    append_le32(out, signature);
    append_le16(out, command);
    append_le16(out, status);
    append(out, space);
    return out;
}

std::string pcc_command_name(std::uint32_t command) {
    std::string text;
    for (int i = 0; i < 4; ++i) {
        const char c = static_cast<char>((command >> (8 * i)) & 0xff);
        if (c < 0x20 || c > 0x7e) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "0x%08x", command);
            return buf;
        }
        text.push_back(c);
    }
    return text;
}

}  // namespace pccd
