// SPDX-License-Identifier: GPL-2.0-or-later
#include "cppc_perf.hpp"

#include <charconv>
#include <cstdint>

namespace lab::cppc {

namespace {

constexpr std::uint64_t kKhzPerMhz = 1000;  // the kernel's 1000UL

std::optional<std::uint32_t> parse_u32(std::string_view text) {
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text.remove_prefix(2);
        base = 16;
    }
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
        v > 0xffffffffULL) {
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(v);
}

bool is_register(std::string_view reg) {
    if (reg == "delivered_perf") {
        return true;
    }
    for (const auto c : kCapabilities) {
        if (c == reg) {
            return true;
        }
    }
    return false;
}

}  // namespace

std::uint32_t Caps::get(std::string_view name) const {
    const std::uint32_t* regs[] = {&highest_perf, &nominal_perf,    &lowest_nonlinear_perf,
                                   &lowest_perf,  &guaranteed_perf, &reference_perf,
                                   &lowest_freq,  &nominal_freq};
    for (std::size_t i = 0; i < kCapabilities.size(); ++i) {
        if (kCapabilities[i] == name) {
            return *regs[i];
        }
    }
    return 0;
}

void Caps::set(std::string_view name, std::uint32_t value) {
    std::uint32_t* regs[] = {&highest_perf, &nominal_perf,    &lowest_nonlinear_perf,
                             &lowest_perf,  &guaranteed_perf, &reference_perf,
                             &lowest_freq,  &nominal_freq};
    for (std::size_t i = 0; i < kCapabilities.size(); ++i) {
        if (kCapabilities[i] == name) {
            *regs[i] = value;
        }
    }
}

// The types follow the kernel's: the caps are u32, mul, div and KHZ_PER_MHZ
// 64-bit unsigned, the offset and the result s64 (u32 differences wrap
// before they widen).
std::optional<unsigned> perf_to_khz(const Caps& caps, unsigned perf) {
    if (!caps.lowest_freq || !caps.nominal_freq) {
        return std::nullopt;
    }
    std::uint64_t mul = 0, div = 0;
    if (caps.lowest_freq == caps.nominal_freq) {
        mul = caps.nominal_freq;
        div = caps.nominal_perf;
    } else {
        mul = static_cast<std::uint32_t>(caps.nominal_freq - caps.lowest_freq);
        div = static_cast<std::uint32_t>(caps.nominal_perf - caps.lowest_perf);
    }
    if (div == 0) {
        return std::nullopt;
    }
    mul *= kKhzPerMhz;
    const auto offset =
        static_cast<std::int64_t>(caps.nominal_freq * kKhzPerMhz - caps.nominal_perf * mul / div);
    const auto khz = static_cast<std::int64_t>(static_cast<std::uint64_t>(offset) +
                                               std::uint64_t{perf} * mul / div);
    return khz >= 0 ? static_cast<unsigned>(khz) : 0U;
}

std::optional<unsigned> khz_to_perf(const Caps& caps, unsigned khz) {
    if (!caps.lowest_freq || !caps.nominal_freq) {
        return std::nullopt;
    }
    std::uint64_t mul = 0, div = 0;
    if (caps.lowest_freq == caps.nominal_freq) {
        mul = caps.nominal_perf;
        div = caps.nominal_freq;
    } else {
        mul = static_cast<std::uint32_t>(caps.nominal_perf - caps.lowest_perf);
        div = static_cast<std::uint32_t>(caps.nominal_freq - caps.lowest_freq);
    }
    if (div == 0) {
        return std::nullopt;
    }
    const auto offset =
        static_cast<std::int64_t>(caps.nominal_perf - caps.nominal_freq * mul / div);
    div *= kKhzPerMhz;
    const auto perf = static_cast<std::int64_t>(static_cast<std::uint64_t>(offset) +
                                                std::uint64_t{khz} * mul / div);
    return perf >= 0 ? static_cast<unsigned>(perf) : 0U;
}

std::optional<std::string> Settings::add(std::string_view kv) {
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos) {
        return "KEY=VALUE, e.g. cppc.cpu2.highest_perf=400";
    }
    std::string_view key = kv.substr(0, eq);
    const std::string_view text = kv.substr(eq + 1);
    if (key.substr(0, 5) != "cppc.") {
        return "the key '" + std::string(key) + "' is not a cppc.* setting";
    }
    key.remove_prefix(5);
    std::string_view reg = key;
    if (key.substr(0, 3) == "cpu") {
        const auto dot = key.find('.');
        unsigned cpu = 0;
        const auto digits = key.substr(3, dot == std::string_view::npos ? dot : dot - 3);
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cpu);
        if (dot == std::string_view::npos || digits.empty() || ec != std::errc() ||
            end != digits.data() + digits.size()) {
            return "bad CPU in '" + std::string(kv.substr(0, eq)) + "' (cppc.cpuN.REG)";
        }
        reg = key.substr(dot + 1);
    }
    if (!is_register(reg)) {
        return "unknown register '" + std::string(reg) + "'";
    }
    const auto v = parse_u32(text);
    if (!v || *v == 0) {
        return "bad value '" + std::string(text) + "' (a non-zero 32-bit number, as pccd takes)";
    }
    values_[std::string(key)] = *v;
    return std::nullopt;
}

std::optional<std::uint32_t> Settings::value(unsigned cpu, std::string_view reg) const {
    const std::string own = "cpu" + std::to_string(cpu) + "." + std::string(reg);
    if (auto it = values_.find(own); it != values_.end()) {
        return it->second;
    }
    if (auto it = values_.find(reg); it != values_.end()) {
        return it->second;
    }
    return std::nullopt;
}

Settings::Resolved Settings::caps(unsigned cpu) const {
    Resolved r;
    for (const auto name : kCapabilities) {
        if (auto v = value(cpu, name)) {
            r.caps.set(name, *v);
        } else if (r.missing.empty()) {
            r.missing = std::string(name);
        }
    }
    return r;
}

std::optional<std::uint32_t> Settings::delivered_perf(unsigned cpu) const {
    return value(cpu, "delivered_perf");
}

std::uint32_t delivered_perf(const Caps& caps, std::optional<std::uint32_t> setting,
                             std::optional<std::uint32_t> desired) {
    std::uint32_t perf = caps.nominal_perf;
    if (setting) {
        perf = *setting;
    } else if (desired && *desired != 0) {
        perf = *desired;
    }
    // pccd's order: a lowest above highest ends at highest
    perf = perf < caps.lowest_perf ? caps.lowest_perf : perf;
    return perf > caps.highest_perf ? caps.highest_perf : perf;
}

std::optional<std::vector<unsigned>> parse_cpu_list(std::string_view text) {
    std::vector<unsigned> cpus;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.remove_suffix(1);
    }
    if (text.empty()) {
        return std::nullopt;
    }
    auto number = [](std::string_view t) -> std::optional<unsigned> {
        unsigned v = 0;
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (t.empty() || ec != std::errc() || end != t.data() + t.size()) {
            return std::nullopt;
        }
        return v;
    };
    for (;;) {
        const auto comma = text.find(',');
        const std::string_view part = text.substr(0, comma);
        const auto dash = part.find('-');
        const auto first = number(part.substr(0, dash));
        const auto last = dash == std::string_view::npos ? first : number(part.substr(dash + 1));
        if (!first || !last || *last < *first || *last - *first > 4096) {
            return std::nullopt;
        }
        for (unsigned c = *first; c <= *last; ++c) {
            cpus.push_back(c);
        }
        if (comma == std::string_view::npos) {
            return cpus;
        }
        text.remove_prefix(comma + 1);
    }
}

}  // namespace lab::cppc
