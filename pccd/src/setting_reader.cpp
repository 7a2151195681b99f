// SPDX-License-Identifier: GPL-2.0-or-later
#include "setting_reader.hpp"

#include <algorithm>

#include "log.hpp"
#include "text.hpp"

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

std::optional<std::vector<std::uint64_t>> SettingReader::get_list(std::string_view key,
                                                                  const ListLimits& limits,
                                                                  std::string_view want) {
    const auto text = state_.setting(key);
    if (!text) {
        return std::nullopt;
    }
    std::vector<std::uint64_t> items;
    const auto fields =
        *text == "none" ? std::vector<std::string_view>{} : pcc::split_at(*text, ',');
    bool good = !text->empty() && fields.size() <= limits.max_items;
    for (const std::string_view field : fields) {
        const auto value = parse_uint(field, limits.max);
        if (!value || *value < limits.min ||
            (limits.distinct && std::find(items.begin(), items.end(), *value) != items.end())) {
            good = false;
            break;
        }
        items.push_back(*value);
    }
    if (!good) {
        report(key, *text, std::string("want ") + std::string(want));
        return std::nullopt;
    }
    return items;
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
