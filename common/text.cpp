// SPDX-License-Identifier: GPL-2.0-or-later
#include "text.hpp"

#include <cstring>

namespace pcc {

namespace {

constexpr std::string_view kBlanks = " \t\r\n";

}  // namespace

std::string errno_text(int err) {
    char buf[256];
    // GNU strerror_r returns the message, which may or may not be `buf`.
    return ::strerror_r(err, buf, sizeof buf);
}

std::vector<std::string_view> split_words(std::string_view line) {
    std::vector<std::string_view> words;
    std::size_t pos = 0;
    while (pos < line.size()) {
        pos = line.find_first_not_of(kBlanks, pos);
        if (pos == std::string_view::npos) {
            break;
        }
        const std::size_t end = line.find_first_of(kBlanks, pos);
        words.push_back(line.substr(pos, end == std::string_view::npos ? end : end - pos));
        pos = end;
    }
    return words;
}

std::vector<std::string_view> split_at(std::string_view text, char separator) {
    std::vector<std::string_view> fields;
    if (text.empty()) {
        return fields;
    }
    for (;;) {
        const std::size_t end = text.find(separator);
        fields.push_back(text.substr(0, end));
        if (end == std::string_view::npos) {
            return fields;
        }
        text.remove_prefix(end + 1);
    }
}

std::string_view trim(std::string_view text) {
    const std::size_t first = text.find_first_not_of(kBlanks);
    if (first == std::string_view::npos) {
        return {};
    }
    const std::size_t last = text.find_last_not_of(kBlanks);
    return text.substr(first, last - first + 1);
}

std::map<std::string, std::string> parse_key_values(std::string_view text) {
    std::map<std::string, std::string> kv;
    for (const auto line : split_at(text, '\n')) {
        if (const auto eq = line.find('='); eq != std::string_view::npos) {
            kv[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
        }
    }
    return kv;
}

std::string shell_quote(std::string_view text) {
    std::string out = "'";
    for (const char c : text) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

}  // namespace pcc
