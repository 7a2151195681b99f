// SPDX-License-Identifier: GPL-2.0-or-later
// Reading what busybox's i2c tools (i2cdetect, i2cdump, i2cget; the same
// output as i2c-tools') print, for the X-Gene SLIMpro I2C checks. Pure, so
// that the host can unit-test it against output copied from a guest.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lab::i2c {

// `i2cdetect -y [-r] BUS`: the grid of 7-bit addresses, 16 per row.
struct Detected {
    std::vector<unsigned> present;  // a hex address in its cell
    std::vector<unsigned> busy;     // "UU": a kernel driver holds it
    std::vector<unsigned> absent;   // "--": probed, nobody answered
};
// nullopt (and why in *error) when the text holds no such grid.
std::optional<Detected> parse_i2cdetect(std::string_view text, std::string* error);

// `i2cdump -y BUS ADDR b|i`: 256 bytes; nullopt for a byte shown as "XX"
// (the read failed).
using Dump = std::array<std::optional<std::uint8_t>, 256>;
std::optional<Dump> parse_i2cdump(std::string_view text, std::string* error);

// `i2cget -y BUS ADDR [REG]`: "0x5a".
std::optional<std::uint8_t> parse_i2cget(std::string_view text);

// The errno of a busybox tool's "TOOL: read failed: No such device": the
// one of `candidates` whose strerror text ends the message.
std::optional<int> message_errno(std::string_view text, const std::vector<int>& candidates);

// "0x50"
std::string address_text(unsigned address);

}  // namespace lab::i2c
