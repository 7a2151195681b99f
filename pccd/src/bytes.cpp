// SPDX-License-Identifier: GPL-2.0-or-later
#include "bytes.hpp"

#include <charconv>

namespace pccd {

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool is_separator(char c) {
    return c == ' ' || c == '\t' || c == ':' || c == ',' || c == '\n';
}

}  // namespace

std::optional<Bytes> parse_hex(std::string_view text) {
    Bytes out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (is_separator(text[i])) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && !is_separator(text[end])) {
            ++end;
        }
        std::string_view run = text.substr(i, end - i);
        if (run.size() > 2 && run[0] == '0' && (run[1] == 'x' || run[1] == 'X')) {
            run.remove_prefix(2);
        }
        if (run.empty() || run.size() % 2 != 0) {
            return std::nullopt;
        }
        for (std::size_t k = 0; k < run.size(); k += 2) {
            const int hi = hex_digit(run[k]);
            const int lo = hex_digit(run[k + 1]);
            if (hi < 0 || lo < 0) {
                return std::nullopt;
            }
            out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
        }
        i = end;
    }
    return out;
}

std::string to_hex(ByteView bytes, std::size_t max_bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    const std::size_t n = bytes.size() < max_bytes ? bytes.size() : max_bytes;
    for (std::size_t i = 0; i < n; ++i) {
        if (i != 0) {
            out.push_back(' ');
        }
        out.push_back(kDigits[bytes[i] >> 4]);
        out.push_back(kDigits[bytes[i] & 0xf]);
    }
    if (n < bytes.size()) {
        out += " ...";
    }
    return out;
}

std::optional<std::uint64_t> parse_uint(std::string_view text, std::uint64_t max) {
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    if (text.empty()) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (ec != std::errc() || ptr != text.data() + text.size() || value > max) {
        return std::nullopt;
    }
    return value;
}

}  // namespace pccd
