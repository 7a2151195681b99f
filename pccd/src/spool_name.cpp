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

}  // namespace

std::string format_spool_name(const SpoolName& name) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%020llu-c%03u-%s.%s",
                  static_cast<unsigned long long>(name.sequence), name.channel,
                  kind_name(name.kind), layout_name(name.layout));
    return buf;
}

std::optional<SpoolName> parse_spool_name(std::string_view text) {
    // 20 digits, "-c", 3 digits, "-", 3 letters, ".", 3 letters = 33 bytes
    if (text.size() != 33 || text.substr(20, 2) != "-c" || text[25] != '-' || text[29] != '.') {
        return std::nullopt;
    }
    const std::string_view seq = text.substr(0, 20);
    const std::string_view chan = text.substr(22, 3);
    if (!all_digits(seq) || !all_digits(chan)) {
        return std::nullopt;
    }
    // 20 digits may exceed 2^64 - 1 = 18446744073709551615.
    if (seq > std::string_view("18446744073709551615")) {
        return std::nullopt;
    }
    SpoolName name;
    name.sequence = digits_value(seq);
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
    const std::string_view layout = text.substr(30, 3);
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
