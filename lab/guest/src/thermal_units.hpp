// SPDX-License-Identifier: GPL-2.0-or-later
// Linux's ACPI thermal zone units (drivers/acpi/thermal.c): _TMP and the
// trip points are tenths of a kelvin (dK), sysfs shows millidegrees
// Celsius. Pure, so that the host can unit-test it.
#pragma once

#include <cstdint>
#include <optional>

namespace lab::thermal {

// Trip temperatures outside 2180..4480 dK (-55..175 C) are "no data"
// (drivers/acpi/thermal_lib.c), and a critical one must be above 0 C
// (acpi_thermal_get_critical_trip): the _CRT that Linux uses, if any.
constexpr std::optional<std::int64_t> valid_critical_dk(std::optional<std::int64_t> crt_dk) {
    if (crt_dk && *crt_dk >= 2180 && *crt_dk <= 4480 && *crt_dk > 2732) {
        return crt_dk;
    }
    return std::nullopt;
}

// The kelvin offset in m°C: 273200, or 273100 when the valid _CRT satisfies
// _CRT % 5 == 1 (acpi_thermal_guess_offset).
constexpr std::int64_t kelvin_offset(std::optional<std::int64_t> crt_dk) {
    const auto valid = valid_critical_dk(crt_dk);
    return valid && *valid % 5 == 1 ? 273100 : 273200;
}

// deci_kelvin_to_millicelsius_with_offset: dK * 100 - offset.
constexpr std::int64_t millicelsius(std::int64_t dk, std::int64_t offset) {
    return dk * 100 - offset;
}

}  // namespace lab::thermal
