// SPDX-License-Identifier: GPL-2.0-or-later
// Socket transport framing, version 3 (qemu/docs/system/devices/pcc.rst,
// "Sockets"): a 28-byte little-endian header (magic "PCC3", payload length,
// channel, kind, layout, id, reference) and the payload; the session line of
// the hello.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bytes.hpp"
#include "pcc_message.hpp"

namespace pccd {

// done: the platform handled a request without answering it (no payload).
enum class FrameKind : std::uint8_t {
    request = 1,
    response = 2,
    notification = 3,
    hello = 4,
    done = 5,
};
const char* frame_kind_name(FrameKind kind);  // "req" / "rsp" / "ntf" / "hello" / "done"
std::optional<MessageKind> message_kind(FrameKind kind);  // nullopt for a hello and a done
FrameKind frame_kind(MessageKind kind);

constexpr std::uint32_t kFrameMagicPrefix = 0x00434350;  // bytes "PCC", then the version
constexpr char kFrameVersion = '3';
constexpr std::uint32_t kFrameMagic = 0x33434350;  // bytes "PCC3"
constexpr std::size_t kFrameHeaderSize = 28;
constexpr std::uint32_t kMaxFramePayload = 65536;

struct Frame {
    std::uint16_t channel = 0;
    FrameKind kind = FrameKind::request;
    Layout layout = Layout::extended;
    std::uint64_t id = 0;         // the sender's number for the frame
    std::uint64_t reference = 0;  // response, done: the id of the request it settles
    Bytes payload = {};
};

Bytes encode_frame(const Frame& frame);

// The session of a hello: its payload is the device description followed by
// the line `session S`, S being 16 hex digits that QEMU chooses when the
// device is created and keeps across reconnections. (The description parser
// ignores the line: unknown statements are for newer devices.)
struct HelloSession {
    std::optional<std::uint64_t> session;  // nullopt: `error` says why
    std::string error;
};
HelloSession parse_hello_session(std::string_view hello_text);

// Reassembles frames from a byte stream read in arbitrary pieces. After a
// framing error the decoder stays failed: the stream cannot be resynchronised.
class FrameDecoder {
  public:
    enum class Error { none, version, framing };

    void feed(ByteView data);
    // A complete frame, or nullopt when more bytes are needed or on error.
    std::optional<Frame> next();
    bool failed() const { return error_kind_ != Error::none; }
    // version: the peer speaks another framing version ("PCC2"); framing:
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
