// SPDX-License-Identifier: GPL-2.0-or-later
// Byte buffers, little-endian field access and hex text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pccd {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline std::uint16_t load_le16(ByteView b, std::size_t off) {
    return static_cast<std::uint16_t>(b[off] | (b[off + 1] << 8));
}
inline std::uint32_t load_le32(ByteView b, std::size_t off) {
    return static_cast<std::uint32_t>(b[off]) | (static_cast<std::uint32_t>(b[off + 1]) << 8) |
           (static_cast<std::uint32_t>(b[off + 2]) << 16) |
           (static_cast<std::uint32_t>(b[off + 3]) << 24);
}
// Overwrite the bytes at `off` (which must be there).
inline void store_le16(Bytes& b, std::size_t off, std::uint16_t v) {
    b.at(off) = static_cast<std::uint8_t>(v);
    b.at(off + 1) = static_cast<std::uint8_t>(v >> 8);
}
inline void store_le32(Bytes& b, std::size_t off, std::uint32_t v) {
    for (std::size_t i = 0; i < 4; ++i) {
        b.at(off + i) = static_cast<std::uint8_t>(v >> (8 * i));
    }
}
inline void store_le64(Bytes& b, std::size_t off, std::uint64_t v) {
    for (std::size_t i = 0; i < 8; ++i) {
        b.at(off + i) = static_cast<std::uint8_t>(v >> (8 * i));
    }
}
inline void append_le16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
}
inline void append_le32(Bytes& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
}
inline void append_le64(Bytes& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
}
inline void append_be16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}
inline void append_be32(Bytes& out, std::uint32_t v) {
    for (int i = 3; i >= 0; --i) {
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
}
inline void append(Bytes& out, ByteView v) {
    out.insert(out.end(), v.begin(), v.end());
}

// Parses hex bytes: "01 02 ff", "0102ff", "0x01 0x02" (whitespace, ':' and ','
// separate bytes). Returns nullopt on any non-hex character or an odd digit run.
std::optional<Bytes> parse_hex(std::string_view text);

// "01 02 ff"; at most max_bytes bytes, then "..." is appended.
std::string to_hex(ByteView bytes, std::size_t max_bytes = 64);

// Parses an unsigned integer in decimal or 0x-prefixed hex, bounded by max.
std::optional<std::uint64_t> parse_uint(std::string_view text, std::uint64_t max);

}  // namespace pccd
