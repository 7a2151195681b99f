// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.hpp"

#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace pccd {

namespace {
LogLevel g_level = LogLevel::info;
constexpr const char* kLevelNames[] = {"error", "warn", "info", "debug"};
}  // namespace

void set_log_level(LogLevel level) {
    g_level = level;
}
LogLevel log_level() {
    return g_level;
}
bool log_enabled(LogLevel level) {
    return level <= g_level;
}

void log_line(LogLevel level, std::string_view text) {
    if (!log_enabled(level)) {
        return;
    }
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tm parts{};
    localtime_r(&ts.tv_sec, &parts);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%H:%M:%S", &parts);
    std::fprintf(stderr, "pccd %s.%03ld %-5s %.*s\n", stamp, ts.tv_nsec / 1000000L,
                 kLevelNames[static_cast<int>(level)], static_cast<int>(text.size()), text.data());
}

void logf(LogLevel level, const char* fmt, ...) {
    if (!log_enabled(level)) {
        return;
    }
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    log_line(level, buf);
}

void Counters::bump(std::string_view name, std::uint64_t by) {
    auto it = values_.find(name);
    if (it == values_.end()) {
        values_.emplace(std::string(name), by);
    } else {
        it->second += by;
    }
}

std::uint64_t Counters::get(std::string_view name) const {
    auto it = values_.find(name);
    return it == values_.end() ? 0 : it->second;
}

std::string Counters::summary() const {
    std::string out;
    for (const auto& [name, value] : values_) {
        if (!out.empty()) {
            out.push_back(' ');
        }
        out += name + "=" + std::to_string(value);
    }
    return out.empty() ? "(none)" : out;
}

Counters& counters() {
    static Counters instance;
    return instance;
}

void reject(std::string_view what, std::string_view where, std::string_view reason) {
    counters().bump(std::string("bad.") + std::string(what));
    logf(LogLevel::warn, "rejected %.*s from %.*s: %.*s", static_cast<int>(what.size()),
         what.data(), static_cast<int>(where.size()), where.data(), static_cast<int>(reason.size()),
         reason.data());
}

}  // namespace pccd
