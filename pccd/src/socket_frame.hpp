// SPDX-License-Identifier: GPL-2.0-or-later
// Socket transport framing (qemu/docs/system/devices/pcc.rst, "Socket transport").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bytes.hpp"
#include "pcc_message.hpp"

namespace pccd {

enum class MessageKind : std::uint8_t { request = 1, response = 2, notification = 3 };
const char* kind_name(MessageKind kind);  // "req" / "rsp" / "ntf"

constexpr std::uint32_t kFrameMagic = 0x31434350;  // bytes "PCC1"
constexpr std::size_t kFrameHeaderSize = 12;
constexpr std::uint32_t kMaxFramePayload = 65536;

struct Frame {
    std::uint16_t channel = 0;
    MessageKind kind = MessageKind::request;
    Layout layout = Layout::extended;
    Bytes payload;
};

Bytes encode_frame(const Frame& frame);

// Reassembles frames from a byte stream read in arbitrary pieces. After a
// framing error the decoder stays failed: the stream cannot be resynchronised.
class FrameDecoder {
  public:
    void feed(ByteView data);
    // A complete frame, or nullopt when more bytes are needed or on error.
    std::optional<Frame> next();
    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }
    std::size_t buffered() const { return buffer_.size() - consumed_; }

  private:
    Bytes buffer_;
    std::size_t consumed_ = 0;
    std::string error_;
};

}  // namespace pccd
