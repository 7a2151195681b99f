// SPDX-License-Identifier: GPL-2.0-or-later
#include "spool_name.hpp"

#include <time.h>

#include <cstdio>

namespace pccd {

namespace {

bool all_digits(std::string_view s) {
    for (char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return !s.empty();
}

std::uint64_t digits_value(std::string_view s) {
    std::uint64_t v = 0;
    for (char c : s) {
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

// 20 digits within 2^64 - 1 = 18446744073709551615.
std::optional<std::uint64_t> parse_sequence(std::string_view s) {
    if (s.size() != 20 || !all_digits(s) || s > std::string_view("18446744073709551615")) {
        return std::nullopt;
    }
    return digits_value(s);
}

}  // namespace

std::string format_spool_name(const SpoolName& name) {
    char request[32] = "";
    if (name.kind == MessageKind::response && name.request) {
        std::snprintf(request, sizeof request, "-r%020llu",
                      static_cast<unsigned long long>(*name.request));
    }
    char buf[96];
    std::snprintf(buf, sizeof buf, "%020llu-c%03u-%s%s.%s",
                  static_cast<unsigned long long>(name.sequence), name.channel,
                  kind_name(name.kind), request, layout_name(name.layout));
    return buf;
}

std::optional<SpoolName> parse_spool_name(std::string_view text) {
    // 20 digits, "-c", 3 digits, "-", 3 letters, ["-r", 20 digits], ".", 3 letters:
    // 33 bytes, or 55 with the request.
    constexpr std::size_t kShort = 33;
    constexpr std::size_t kLong = kShort + 22;
    if ((text.size() != kShort && text.size() != kLong) || text.substr(20, 2) != "-c" ||
        text[25] != '-' || text[text.size() - 4] != '.') {
        return std::nullopt;
    }
    const auto sequence = parse_sequence(text.substr(0, 20));
    const std::string_view chan = text.substr(22, 3);
    if (!sequence || !all_digits(chan)) {
        return std::nullopt;
    }
    SpoolName name;
    name.sequence = *sequence;
    name.channel = static_cast<unsigned>(digits_value(chan));
    const std::string_view kind = text.substr(26, 3);
    if (kind == "req") {
        name.kind = MessageKind::request;
    } else if (kind == "rsp") {
        name.kind = MessageKind::response;
    } else if (kind == "ntf") {
        name.kind = MessageKind::notification;
    } else {
        return std::nullopt;
    }
    if (text.size() == kLong) {
        if (name.kind != MessageKind::response || text.substr(29, 2) != "-r") {
            return std::nullopt;
        }
        name.request = parse_sequence(text.substr(31, 20));
        if (!name.request) {
            return std::nullopt;
        }
    }
    const std::string_view layout = text.substr(text.size() - 3);
    if (layout == "ext") {
        name.layout = Layout::extended;
    } else if (layout == "gen") {
        name.layout = Layout::generic;
    } else {
        return std::nullopt;
    }
    return name;
}

std::uint64_t SpoolSequencer::next() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    const std::uint64_t now = static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL +
                              static_cast<std::uint64_t>(ts.tv_nsec);
    last_ = now > last_ ? now : last_ + 1;
    return last_;
}

void SpoolSequencer::observe(std::uint64_t seen) {
    if (seen > last_) {
        last_ = seen;
    }
}

}  // namespace pccd
