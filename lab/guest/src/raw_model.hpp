// SPDX-License-Identifier: GPL-2.0-or-later
// The pure part of the raw checks (raw_checks.cpp): the messages the guest
// sends through /dev/pcc-raw-N (lab/kmod), what the shared memory holds,
// what pccd's echo personality must answer (docs/pccd.md, "Echo"), and the
// digests the runner compares with pccd's pcap (docs/lab.md, "The raw
// scenarios"). Byte layouts from ACPI 6.5, 14.2: generic header u32
// signature, u16 command, u16 status; extended header u32 signature, u32
// flags, u32 length (command + payload), u32 command. Little-endian.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace lab::raw {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

constexpr std::size_t kGenericHeader = 8;
constexpr std::size_t kExtHeader = 16;
constexpr std::size_t kExtOverhead = 12;  // bytes the length does not count
constexpr std::size_t kGenericStatus = 6;
constexpr std::uint16_t kStatusComplete = 0x1;
constexpr std::uint16_t kStatusSciDoorbell = 0x2;
constexpr std::uint16_t kStatusError = 0x4;
constexpr std::uint32_t kFlagNotifyOnCompletion = 0x1;

constexpr std::uint32_t signature(unsigned index) {
    return 0x50434300u | (index & 0xffu);
}
constexpr bool extended(unsigned type) {
    return type >= 3;
}

std::uint16_t load16(ByteView b, std::size_t at);
std::uint32_t load32(ByteView b, std::size_t at);
void store16(Bytes& b, std::size_t at, std::uint16_t v);
void store32(Bytes& b, std::size_t at, std::uint32_t v);

// FNV-1a, 64 bits, of `bytes`; 16 lower-case hex digits.
std::uint64_t fnv1a64(ByteView bytes);
std::string fnv_hex(ByteView bytes);

// The payload bytes of message `seq` on channel `index`: byte k is
// (index * 0x35 + seq * 0x11 + k * 7 + k / 256) & 0xff, so that every
// message, and every 256-byte stretch of one, differs.
Bytes pattern(unsigned index, unsigned seq, std::size_t length);

// A generic message: the header (signature of `index`, `command`, status 0)
// and `space`.
Bytes generic_message(unsigned index, std::uint16_t command, ByteView space);
// An extended message: the header (length = 4 + payload) and the payload.
Bytes ext_message(unsigned index, std::uint32_t flags, std::uint32_t command, ByteView payload);

// `bytes` with every byte XORed with `x` (the echo's transform).
Bytes xored(ByteView bytes, std::uint8_t x);

// What a generic subspace's shared memory holds, as far as the guest knows:
// its own writes and the answers it read back.
class GenericShmem {
  public:
    explicit GenericShmem(std::size_t size) : mem_(size, 0) {}
    std::size_t size() const { return mem_.size(); }
    const Bytes& bytes() const { return mem_; }
    // write(): the message's bytes from offset 0, the rest as it was.
    void write(ByteView message);
    // The answer pccd's echo (XOR `x`) gives to what is there now, as the
    // guest reads it: header as written but for the status (command
    // complete, with `error` the error bit; `sci` the platform's "doorbell
    // interrupt" bit, which QEMU sets when it interrupts), then the space
    // XORed, or unchanged for an error answer (a rule's `error`).
    Bytes expected_answer(std::uint8_t x, bool error) const;
    // read(): the answer as the guest read it.
    void read(ByteView answer);

  private:
    Bytes mem_;
};

// Why `got` is not `want` ("" when it is): the first differing offset and
// both bytes, or the sizes.
std::string difference(ByteView want, ByteView got);
// The same for an answer's status word, which may also carry the SCI
// doorbell bit: compares everything but bit 1 of the status.
std::string generic_answer_difference(ByteView want, ByteView got);

// One line for the runner's pcap comparison (docs/lab.md): "cC DIR LEN FROM
// FNV", DIR "in" (guest to platform) or "out" (platform to guest), the
// digest of bytes [FROM, LEN); "cC out-unseen" for an answer that the guest
// could not read (a type 3 completion without its interrupt).
std::string pcap_line(unsigned index, bool to_platform, ByteView bytes, std::size_t from);
std::string pcap_unseen_line(unsigned index);

// Seconds on the monotonic clock (steady_clock), for timing round trips.
double seconds_now();

// Percentile `p` (0..100) of `samples` (nearest rank; sorts them).
double percentile(std::vector<double>& samples, double p);

}  // namespace lab::raw
