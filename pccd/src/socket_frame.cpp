// SPDX-License-Identifier: GPL-2.0-or-later
#include "socket_frame.hpp"

#include <charconv>
#include <cstdio>

#include "text.hpp"

namespace pccd {

namespace {

std::uint64_t load_le64(ByteView b, std::size_t off) {
    return static_cast<std::uint64_t>(load_le32(b, off)) |
           (static_cast<std::uint64_t>(load_le32(b, off + 4)) << 32);
}

}  // namespace

const char* frame_kind_name(FrameKind kind) {
    switch (kind) {
        case FrameKind::request:
            return "req";
        case FrameKind::response:
            return "rsp";
        case FrameKind::notification:
            return "ntf";
        case FrameKind::hello:
            return "hello";
        case FrameKind::done:
            return "done";
    }
    return "?";
}

std::optional<MessageKind> message_kind(FrameKind kind) {
    if (kind == FrameKind::hello || kind == FrameKind::done) {
        return std::nullopt;
    }
    return static_cast<MessageKind>(kind);
}

FrameKind frame_kind(MessageKind kind) {
    return static_cast<FrameKind>(kind);
}

Bytes encode_frame(const Frame& frame) {
    Bytes out;
    out.reserve(kFrameHeaderSize + frame.payload.size());
    append_le32(out, kFrameMagic);
    append_le32(out, static_cast<std::uint32_t>(frame.payload.size()));
    append_le16(out, frame.channel);
    out.push_back(static_cast<std::uint8_t>(frame.kind));
    out.push_back(static_cast<std::uint8_t>(frame.layout));
    append_le64(out, frame.id);
    append_le64(out, frame.reference);
    append(out, frame.payload);
    return out;
}

HelloSession parse_hello_session(std::string_view hello_text) {
    HelloSession out;
    int found = 0;
    std::string_view value;
    while (!hello_text.empty()) {
        const auto nl = hello_text.find('\n');
        const std::string_view line = hello_text.substr(0, nl);
        hello_text = nl == std::string_view::npos ? std::string_view{} : hello_text.substr(nl + 1);
        const auto words = pcc::split_words(line);
        if (words.empty() || words[0] != "session") {
            continue;
        }
        ++found;
        value = words.size() == 2 ? words[1] : std::string_view{};
    }
    if (found == 0) {
        out.error = "no 'session' line";
        return out;
    }
    if (found > 1) {
        out.error = "more than one 'session' line";
        return out;
    }
    std::uint64_t session = 0;
    if (value.size() != 16 || value.find_first_not_of("0123456789abcdefABCDEF") != value.npos ||
        std::from_chars(value.data(), value.data() + value.size(), session, 16).ec != std::errc{}) {
        out.error = "want 'session S' with S 16 hex digits";
        return out;
    }
    out.session = session;
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

void FrameDecoder::set_error(Error kind, std::string text) {
    error_kind_ = kind;
    error_ = std::move(text);
}

std::optional<Frame> FrameDecoder::next() {
    // The magic is judged as soon as it is there: an older peer's header is
    // shorter than ours, and its frame may never fill 28 bytes.
    if (failed() || buffered() < 4) {
        return std::nullopt;
    }
    const ByteView head(buffer_.data() + consumed_, buffered());
    const std::uint32_t magic = load_le32(head, 0);
    char buf[160];
    if (magic != kFrameMagic) {
        const char version = static_cast<char>(head[3]);
        if ((magic & 0x00ffffffU) == kFrameMagicPrefix && version >= '0' && version <= '9') {
            std::snprintf(buf, sizeof buf,
                          "the peer speaks PCC framing version %c (\"PCC%c\"); pccd speaks "
                          "version %c (\"PCC%c\")",
                          version, version, kFrameVersion, kFrameVersion);
            set_error(Error::version, buf);
        } else {
            std::snprintf(buf, sizeof buf, "bad magic 0x%08x", magic);
            set_error(Error::framing, buf);
        }
        return std::nullopt;
    }
    if (buffered() < kFrameHeaderSize) {
        return std::nullopt;
    }
    const std::uint32_t length = load_le32(head, 4);
    const std::uint16_t channel = load_le16(head, 8);
    const std::uint8_t kind = head[10];
    const std::uint8_t layout = head[11];
    if (length > kMaxFramePayload) {
        std::snprintf(buf, sizeof buf, "payload length %u over the limit %u", length,
                      kMaxFramePayload);
        set_error(Error::framing, buf);
        return std::nullopt;
    }
    if (kind < 1 || kind > 5) {
        std::snprintf(buf, sizeof buf, "unknown kind %u", kind);
        set_error(Error::framing, buf);
        return std::nullopt;
    }
    if (layout > 1) {
        std::snprintf(buf, sizeof buf, "unknown layout %u", layout);
        set_error(Error::framing, buf);
        return std::nullopt;
    }
    if (buffered() < kFrameHeaderSize + length) {
        return std::nullopt;
    }
    Frame frame;
    frame.channel = channel;
    frame.kind = static_cast<FrameKind>(kind);
    frame.layout = static_cast<Layout>(layout);
    frame.id = load_le64(head, 12);
    frame.reference = load_le64(head, 20);
    frame.payload.assign(head.begin() + kFrameHeaderSize, head.begin() + kFrameHeaderSize + length);
    consumed_ += kFrameHeaderSize + length;
    return frame;
}

}  // namespace pccd
