// SPDX-License-Identifier: GPL-2.0-or-later
// What Linux's CPPC drivers make of the platform's CPPC registers, computed
// from the settings that pccd serves them from (pccd/src/cppc_personality.cpp):
// Linux's performance <-> kHz conversion (drivers/acpi/cppc_acpi.c,
// cppc_perf_to_khz and cppc_khz_to_perf, the same in 6.1 to 7.3) and the
// delivered performance that pccd's feedback counters imply.
// Pure, so that the host can unit-test it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lab::cppc {

// The capability registers, named as pccd's settings and Linux's
// /sys/devices/system/cpu/cpuN/acpi_cppc/ attributes name them.
inline constexpr std::array<std::string_view, 8> kCapabilities{
    "highest_perf",    "nominal_perf",   "lowest_nonlinear_perf", "lowest_perf",
    "guaranteed_perf", "reference_perf", "lowest_freq",           "nominal_freq"};

struct Caps {
    std::uint32_t highest_perf = 0;
    std::uint32_t nominal_perf = 0;
    std::uint32_t lowest_nonlinear_perf = 0;
    std::uint32_t lowest_perf = 0;
    std::uint32_t guaranteed_perf = 0;
    std::uint32_t reference_perf = 0;
    std::uint32_t lowest_freq = 0;   // MHz
    std::uint32_t nominal_freq = 0;  // MHz

    // The register called `name` (one of kCapabilities).
    std::uint32_t get(std::string_view name) const;
    void set(std::string_view name, std::uint32_t value);
};

// cppc_perf_to_khz and cppc_khz_to_perf with their integer arithmetic.
// nullopt where Linux would not use the frequencies (lowest_freq or
// nominal_freq 0: it scales by the SMBIOS maximum speed instead) or would
// divide by zero.
std::optional<unsigned> perf_to_khz(const Caps& caps, unsigned perf);
std::optional<unsigned> khz_to_perf(const Caps& caps, unsigned khz);

// The settings of pccd's cppc personality, as a scenario gives them to pccd
// (--set KEY=VALUE) and to the guest: cppc.REG and cppc.cpuN.REG (the CPU's
// own, which wins), for REG a capability or delivered_perf.
class Settings {
  public:
    // "cppc.cpu2.highest_perf=400"; an error text when it is not one.
    std::optional<std::string> add(std::string_view key_value);

    // Every capability of `cpu`; the name of one that has no value, else
    // the caps.
    struct Resolved {
        Caps caps;
        std::string missing;  // a capability without a setting
    };
    Resolved caps(unsigned cpu) const;
    // cppc.cpuN.delivered_perf, else cppc.delivered_perf.
    std::optional<std::uint32_t> delivered_perf(unsigned cpu) const;
    bool empty() const { return values_.empty(); }

  private:
    std::optional<std::uint32_t> value(unsigned cpu, std::string_view reg) const;
    std::map<std::string, std::uint32_t, std::less<>>
        values_;  // "cpu2.highest_perf", "lowest_perf"
};

// The delivered performance that pccd's feedback counters give Linux: the
// delivered_perf setting, else the CPU's last desired performance (when the
// guest knows it and it is not 0), else nominal, clamped to lowest..highest.
std::uint32_t delivered_perf(const Caps& caps, std::optional<std::uint32_t> setting,
                             std::optional<std::uint32_t> desired);

// A CPU list as sysfs prints it ("0-3", "0,2-3", "0"); nullopt when it is
// not one.
std::optional<std::vector<unsigned>> parse_cpu_list(std::string_view text);

}  // namespace lab::cppc
