// SPDX-License-Identifier: GPL-2.0-or-later
#include "socket_frame.hpp"

#include <cstdio>

namespace pccd {

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

Bytes encode_frame(const Frame& frame) {
    Bytes out;
    out.reserve(kFrameHeaderSize + frame.payload.size());
    append_le32(out, kFrameMagic);
    append_le32(out, static_cast<std::uint32_t>(frame.payload.size()));
    append_le16(out, frame.channel);
    out.push_back(static_cast<std::uint8_t>(frame.kind));
    out.push_back(static_cast<std::uint8_t>(frame.layout));
    append(out, frame.payload);
    return out;
}

void FrameDecoder::feed(ByteView data) {
    if (failed()) {
        return;
    }
    if (consumed_ > 0 && consumed_ == buffer_.size()) {
        buffer_.clear();
        consumed_ = 0;
    } else if (consumed_ > 65536) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
        consumed_ = 0;
    }
    append(buffer_, data);
}

std::optional<Frame> FrameDecoder::next() {
    if (failed() || buffered() < kFrameHeaderSize) {
        return std::nullopt;
    }
    const ByteView head(buffer_.data() + consumed_, buffered());
    const std::uint32_t magic = load_le32(head, 0);
    const std::uint32_t length = load_le32(head, 4);
    const std::uint16_t channel = load_le16(head, 8);
    const std::uint8_t kind = head[10];
    const std::uint8_t layout = head[11];
    char buf[96];
    if (magic != kFrameMagic) {
        std::snprintf(buf, sizeof buf, "bad magic 0x%08x", magic);
        error_ = buf;
        return std::nullopt;
    }
    if (length > kMaxFramePayload) {
        std::snprintf(buf, sizeof buf, "payload length %u over the limit %u", length,
                      kMaxFramePayload);
        error_ = buf;
        return std::nullopt;
    }
    if (kind < 1 || kind > 3) {
        std::snprintf(buf, sizeof buf, "unknown kind %u", kind);
        error_ = buf;
        return std::nullopt;
    }
    if (layout > 1) {
        std::snprintf(buf, sizeof buf, "unknown layout %u", layout);
        error_ = buf;
        return std::nullopt;
    }
    if (buffered() < kFrameHeaderSize + length) {
        return std::nullopt;
    }
    Frame frame;
    frame.channel = channel;
    frame.kind = static_cast<MessageKind>(kind);
    frame.layout = static_cast<Layout>(layout);
    frame.payload.assign(head.begin() + kFrameHeaderSize, head.begin() + kFrameHeaderSize + length);
    consumed_ += kFrameHeaderSize + length;
    return frame;
}

}  // namespace pccd
