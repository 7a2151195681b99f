// SPDX-License-Identifier: GPL-2.0-or-later
#include "i2c_tools.hpp"

#include <charconv>
#include <cstdio>

#include "text.hpp"

namespace lab::i2c {

namespace {

std::optional<unsigned> hex_value(std::string_view t) {
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v, 16);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size()) {
        return std::nullopt;
    }
    return v;
}

// "NN:" at the start of a grid row: the row's first address.
std::optional<unsigned> row_start(std::string_view line) {
    if (line.size() < 3 || line[2] != ':') {
        return std::nullopt;
    }
    const auto v = hex_value(line.substr(0, 2));
    if (!v || *v % 16 != 0) {
        return std::nullopt;
    }
    return v;
}

// The 16 cells of a grid row, each two characters after a blank, from
// column 3 on; cells past the end of the line are blank.
std::array<std::string_view, 16> cells(std::string_view line) {
    std::array<std::string_view, 16> out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
        const std::size_t at = 4 + 3 * i;
        out[i] = at < line.size() ? line.substr(at, 2) : std::string_view();
    }
    return out;
}

std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        out.push_back(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    }
    return out;
}

}  // namespace

std::optional<Detected> parse_i2cdetect(std::string_view text, std::string* error) {
    Detected d;
    unsigned rows = 0;
    for (const auto line : lines(text)) {
        const auto start = row_start(line);
        if (!start || *start > 0x70) {
            continue;
        }
        ++rows;
        const auto c = cells(line);
        for (unsigned i = 0; i < c.size(); ++i) {
            const std::string_view cell = pcc::trim(c[i]);
            const unsigned address = *start + i;
            if (cell.empty()) {
                continue;  // not probed
            }
            if (cell == "--") {
                d.absent.push_back(address);
            } else if (cell == "UU") {
                d.busy.push_back(address);
            } else if (const auto v = hex_value(cell); v && *v == address) {
                d.present.push_back(address);
            } else if (error) {
                *error = "cell " + address_text(address) + " reads '" + std::string(cell) + "'";
                return std::nullopt;
            }
        }
    }
    if (rows != 8) {
        if (error) {
            *error = "no i2cdetect grid (" + std::to_string(rows) + " of 8 rows)";
        }
        return std::nullopt;
    }
    return d;
}

std::optional<Dump> parse_i2cdump(std::string_view text, std::string* error) {
    Dump dump{};
    unsigned rows = 0;
    for (const auto line : lines(text)) {
        const auto start = row_start(line);
        if (!start) {
            continue;
        }
        ++rows;
        const auto c = cells(line);
        for (unsigned i = 0; i < c.size(); ++i) {
            if (c[i] == "XX") {
                continue;
            }
            const auto v = hex_value(c[i]);
            if (!v || c[i].size() != 2) {
                if (error) {
                    *error = "register " + address_text(*start + i) + " reads '" +
                             std::string(c[i]) + "'";
                }
                return std::nullopt;
            }
            dump[*start + i] = static_cast<std::uint8_t>(*v);
        }
    }
    if (rows != 16) {
        if (error) {
            *error = "no i2cdump table (" + std::to_string(rows) + " of 16 rows)";
        }
        return std::nullopt;
    }
    return dump;
}

std::optional<std::uint8_t> parse_i2cget(std::string_view text) {
    text = pcc::trim(text);
    if (text.size() != 4 || text.substr(0, 2) != "0x") {
        return std::nullopt;
    }
    const auto v = hex_value(text.substr(2));
    return v ? std::optional(static_cast<std::uint8_t>(*v)) : std::nullopt;
}

std::optional<int> message_errno(std::string_view text, const std::vector<int>& candidates) {
    text = pcc::trim(text);
    for (int e : candidates) {
        if (text.ends_with(": " + pcc::errno_text(e))) {
            return e;
        }
    }
    return std::nullopt;
}

std::string address_text(unsigned address) {
    char b[16];
    std::snprintf(b, sizeof(b), "0x%02x", address);
    return b;
}

}  // namespace lab::i2c
