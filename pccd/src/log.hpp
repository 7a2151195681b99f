// SPDX-License-Identifier: GPL-2.0-or-later
// Line-oriented logging to stderr and the process-wide event counters.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace pccd {

enum class LogLevel { error = 0, warn = 1, info = 2, debug = 3 };

void set_log_level(LogLevel level);
LogLevel log_level();
bool log_enabled(LogLevel level);

void log_line(LogLevel level, std::string_view text);
[[gnu::format(printf, 2, 3)]] void logf(LogLevel level, const char* fmt, ...);

// Named event counters ("rx.messages", "bad.ext_header", ...). Everything that
// is rejected is counted here; the totals are logged at exit and served by the
// control socket's "stats" command.
class Counters {
  public:
    void bump(std::string_view name, std::uint64_t by = 1);
    std::uint64_t get(std::string_view name) const;
    std::string summary() const;  // "name=value name=value ..."
    void clear() { values_.clear(); }

  private:
    std::map<std::string, std::uint64_t, std::less<>> values_;
};

Counters& counters();

// Logs a rejected input at warn level and counts it under "bad.<what>".
void reject(std::string_view what, std::string_view where, std::string_view reason);

}  // namespace pccd
