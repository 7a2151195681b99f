// SPDX-License-Identifier: GPL-2.0-or-later
#include "check_family.hpp"

#include <time.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace lab::checks {

namespace {

std::optional<unsigned long> parse_number(const std::string& s) {
    if (s.empty()) {
        return std::nullopt;
    }
    char* end = nullptr;
    errno = 0;
    const unsigned long v = std::strtoul(s.c_str(), &end, 0);
    if (*end || errno) {
        return std::nullopt;
    }
    return v;
}

}  // namespace

unsigned number_value(const std::string& text, const std::string& what) {
    const auto n = parse_number(text);
    if (!n) {
        throw OptionError(what);
    }
    return static_cast<unsigned>(*n);
}

std::vector<unsigned> channel_list(const std::string& text) {
    std::vector<unsigned> out;
    for (const auto& p : split(text, ',')) {
        out.push_back(number_value(p, "bad channel '" + p + "'"));
    }
    return out;
}

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto p = text.find(sep, start);
        out.push_back(text.substr(start, p - start));
        if (p == std::string::npos) {
            return out;
        }
        start = p + 1;
    }
}

std::string join_channels(const std::vector<unsigned>& channels) {
    std::string s;
    for (auto x : channels) {
        s += (s.empty() ? "" : ",") + std::to_string(x);
    }
    return s.empty() ? "none" : s;
}

std::string hex(std::uint64_t value) {
    char b[32];
    std::snprintf(b, sizeof(b), "0x%llx", static_cast<unsigned long long>(value));
    return b;
}

std::string reasons(const std::string& collected) {
    const auto first = collected.find_first_not_of(' ');
    std::string s = first == std::string::npos ? std::string() : collected.substr(first);
    while (!s.empty() && s.back() == ';') {
        s.pop_back();
    }
    return s;
}

std::string after_steps_name(const std::string& base, const Context& ctx) {
    if (ctx.host_steps.empty()) {
        return base + "-changed";
    }
    std::string steps;
    for (const auto& s : ctx.host_steps) {
        steps += (steps.empty() ? "" : "+") + s;
    }
    return base + "-after-" + steps;
}

double now_s() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string fmt_s(double seconds) {
    char b[32];
    std::snprintf(b, sizeof(b), "%.2f s", seconds);
    return b;
}

std::string fmt_ms(double seconds) {
    char b[32];
    std::snprintf(b, sizeof(b), "%.1f ms", seconds * 1000);
    return b;
}

Polled poll_until(double seconds, const std::function<bool()>& attempt) {
    Polled p;
    const double t0 = now_s();
    for (;;) {
        ++p.attempts;
        const bool done = attempt();
        p.seconds = now_s() - t0;
        if (done) {
            p.done = true;
            return p;
        }
        if (p.seconds >= seconds) {
            return p;
        }
        timespec pause{0, 50 * 1000 * 1000};
        ::nanosleep(&pause, nullptr);
    }
}

}  // namespace lab::checks
