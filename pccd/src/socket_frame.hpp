// SPDX-License-Identifier: GPL-2.0-or-later
// Socket transport framing, version 2 (qemu/docs/system/devices/pcc.rst,
// "Sockets"): a 28-byte little-endian header (magic "PCC2", payload length,
// channel, kind, layout, id, reference) and the payload.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bytes.hpp"
#include "pcc_message.hpp"

namespace pccd {

enum class FrameKind : std::uint8_t { request = 1, response = 2, notification = 3, hello = 4 };
const char* frame_kind_name(FrameKind kind);              // "req" / "rsp" / "ntf" / "hello"
std::optional<MessageKind> message_kind(FrameKind kind);  // nullopt for a hello
FrameKind frame_kind(MessageKind kind);

constexpr std::uint32_t kFrameMagicPrefix = 0x00434350;  // bytes "PCC", then the version
constexpr char kFrameVersion = '2';
constexpr std::uint32_t kFrameMagic = 0x32434350;  // bytes "PCC2"
constexpr std::size_t kFrameHeaderSize = 28;
constexpr std::uint32_t kMaxFramePayload = 65536;

struct Frame {
    std::uint16_t channel = 0;
    FrameKind kind = FrameKind::request;
    Layout layout = Layout::extended;
    std::uint64_t id = 0;         // the sender's number for the frame
    std::uint64_t reference = 0;  // response: the id of the request it answers
    Bytes payload = {};
};

Bytes encode_frame(const Frame& frame);

// Reassembles frames from a byte stream read in arbitrary pieces. After a
// framing error the decoder stays failed: the stream cannot be resynchronised.
class FrameDecoder {
  public:
    enum class Error { none, version, framing };

    void feed(ByteView data);
    // A complete frame, or nullopt when more bytes are needed or on error.
    std::optional<Frame> next();
    bool failed() const { return error_kind_ != Error::none; }
    // version: the peer speaks another framing version ("PCC1"); framing:
    // any other error (bad magic, oversized length, unknown kind or layout).
    Error error_kind() const { return error_kind_; }
    const std::string& error() const { return error_; }
    std::size_t buffered() const { return buffer_.size() - consumed_; }

  private:
    void set_error(Error kind, std::string text);

    Bytes buffer_;
    std::size_t consumed_ = 0;
    Error error_kind_ = Error::none;
    std::string error_;
};

}  // namespace pccd
