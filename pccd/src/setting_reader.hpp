// SPDX-License-Identifier: GPL-2.0-or-later
// Numeric settings that a personality answers the guest from. A value that
// does not parse or is out of range must not stop the platform: it is logged
// (once per key and value, since the guest may ask many times a second),
// counted, and the caller falls back to its default.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "personality.hpp"

namespace pccd {

// What a list setting may hold (SettingReader::get_list).
struct ListLimits {
    std::uint64_t min = 0;  // of each item
    std::uint64_t max = ~0ULL;
    std::size_t max_items = 64;
    bool distinct = false;  // no item twice
};

class SettingReader {
  public:
    // `counter`: what a bad value is counted in, e.g. "cppc.bad_settings".
    SettingReader(const PlatformState& state, std::string counter)
        : state_(state), counter_(std::move(counter)) {}

    // The setting as an unsigned number (decimal or 0x hex) in [min, max];
    // nullopt when it is not set or not such a number (then logged and
    // counted, `want` saying what it should be: "a non-zero 32-bit number").
    std::optional<std::uint64_t> get(std::string_view key, std::uint64_t min, std::uint64_t max,
                                     std::string_view want);

    // A comma-separated list of such numbers ("800,1200"; "none": empty)
    // within `limits`; nullopt when it is not set or not such a list (then
    // logged and counted like get()).
    std::optional<std::vector<std::uint64_t>> get_list(std::string_view key,
                                                       const ListLimits& limits,
                                                       std::string_view want);

    // Logs and counts a bad value the caller found itself (once per key and
    // value, like get()).
    void report(std::string_view key, std::string_view value, std::string_view why);

  private:
    const PlatformState& state_;
    std::string counter_;
    std::set<std::string, std::less<>> reported_;  // "key=value"
};

}  // namespace pccd
