// SPDX-License-Identifier: GPL-2.0-or-later
#include "setting_reader.hpp"

#include "log.hpp"

namespace pccd {

namespace {

// Bad values remembered before they are reported again.
constexpr std::size_t kMaxRemembered = 1024;

}  // namespace

std::optional<std::uint64_t> SettingReader::get(std::string_view key, std::uint64_t min,
                                                std::uint64_t max, std::string_view want) {
    const auto text = state_.setting(key);
    if (!text) {
        return std::nullopt;
    }
    const auto value = parse_uint(*text, max);
    if (!value || *value < min) {
        report(key, *text, std::string("want ") + std::string(want));
        return std::nullopt;
    }
    return value;
}

void SettingReader::report(std::string_view key, std::string_view value, std::string_view why) {
    std::string id = std::string(key) + "=" + std::string(value);
    if (reported_.count(id) != 0) {
        return;
    }
    if (reported_.size() >= kMaxRemembered) {
        reported_.clear();
    }
    reported_.insert(std::move(id));
    counters().bump(counter_);
    logf(LogLevel::warn, "setting %.*s = '%.*s' ignored (%.*s); falling back to the default",
         static_cast<int>(key.size()), key.data(), static_cast<int>(value.size()), value.data(),
         static_cast<int>(why.size()), why.data());
}

}  // namespace pccd
