// SPDX-License-Identifier: GPL-2.0-or-later
#include "raw_model.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace lab::raw {

std::uint16_t load16(ByteView b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}

std::uint32_t load32(ByteView b, std::size_t at) {
    return static_cast<std::uint32_t>(b[at]) | (static_cast<std::uint32_t>(b[at + 1]) << 8) |
           (static_cast<std::uint32_t>(b[at + 2]) << 16) |
           (static_cast<std::uint32_t>(b[at + 3]) << 24);
}

void store16(Bytes& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v);
    b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}

void store32(Bytes& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
    }
}

std::uint64_t fnv1a64(ByteView bytes) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const std::uint8_t c : bytes) {
        h = (h ^ c) * 0x100000001b3ull;
    }
    return h;
}

std::string fnv_hex(ByteView bytes) {
    char b[17];
    std::snprintf(b, sizeof(b), "%016llx", static_cast<unsigned long long>(fnv1a64(bytes)));
    return b;
}

Bytes pattern(unsigned index, unsigned seq, std::size_t length) {
    Bytes out(length);
    for (std::size_t k = 0; k < length; ++k) {
        out[k] = static_cast<std::uint8_t>(index * 0x35 + seq * 0x11 + k * 7 + k / 256);
    }
    return out;
}

Bytes generic_message(unsigned index, std::uint16_t command, ByteView space) {
    // sized once (GCC 12's -Warray-bounds misreads insert() at -O3)
    Bytes m(kGenericHeader + space.size(), 0);
    store32(m, 0, signature(index));
    store16(m, 4, command);
    std::copy(space.begin(), space.end(), m.begin() + kGenericHeader);
    return m;
}

Bytes ext_message(unsigned index, std::uint32_t flags, std::uint32_t command, ByteView payload) {
    Bytes m(kExtHeader + payload.size(), 0);
    store32(m, 0, signature(index));
    store32(m, 4, flags);
    store32(m, 8, static_cast<std::uint32_t>(4 + payload.size()));
    store32(m, 12, command);
    std::copy(payload.begin(), payload.end(), m.begin() + kExtHeader);
    return m;
}

Bytes xored(ByteView bytes, std::uint8_t x) {
    Bytes out(bytes.begin(), bytes.end());
    for (auto& b : out) {
        b ^= x;
    }
    return out;
}

void GenericShmem::write(ByteView message) {
    std::copy_n(message.begin(), std::min(message.size(), mem_.size()), mem_.begin());
}

Bytes GenericShmem::expected_answer(std::uint8_t x, bool error) const {
    Bytes a = mem_;
    store16(a, kGenericStatus, error ? kStatusComplete | kStatusError : kStatusComplete);
    if (!error) {
        for (std::size_t i = kGenericHeader; i < a.size(); ++i) {
            a[i] ^= x;
        }
    }
    return a;
}

void GenericShmem::read(ByteView answer) {
    write(answer);
}

std::string difference(ByteView want, ByteView got) {
    if (want.size() != got.size()) {
        return std::to_string(got.size()) + " bytes, not " + std::to_string(want.size());
    }
    const auto [w, g] = std::mismatch(want.begin(), want.end(), got.begin());
    if (w == want.end()) {
        return {};
    }
    char b[96];
    std::snprintf(b, sizeof(b), "byte %zu is 0x%02x, not 0x%02x",
                  static_cast<std::size_t>(w - want.begin()), *g, *w);
    return b;
}

std::string generic_answer_difference(ByteView want, ByteView got) {
    if (want.size() != got.size() || want.size() < kGenericHeader) {
        return difference(want, got);
    }
    Bytes w(want.begin(), want.end()), g(got.begin(), got.end());
    const auto mask = static_cast<std::uint16_t>(~kStatusSciDoorbell);
    store16(w, kGenericStatus, load16(w, kGenericStatus) & mask);
    store16(g, kGenericStatus, load16(g, kGenericStatus) & mask);
    return difference(w, g);
}

std::string pcap_line(unsigned index, bool to_platform, ByteView bytes, std::size_t from) {
    from = std::min(from, bytes.size());
    return "c" + std::to_string(index) + (to_platform ? " in " : " out ") +
           std::to_string(bytes.size()) + " " + std::to_string(from) + " " +
           fnv_hex(bytes.subspan(from));
}

std::string pcap_unseen_line(unsigned index) {
    return "c" + std::to_string(index) + " out-unseen";
}

double seconds_now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double percentile(std::vector<double>& samples, double p) {
    if (samples.empty()) {
        return 0;
    }
    std::sort(samples.begin(), samples.end());
    const double rank = std::ceil(p / 100.0 * static_cast<double>(samples.size()));
    const std::size_t i = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
    return samples[std::min(i, samples.size() - 1)];
}

}  // namespace lab::raw
