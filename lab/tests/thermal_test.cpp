// SPDX-License-Identifier: GPL-2.0-or-later
// Linux's ACPI thermal units as the guest computes them
// (lab/guest/src/thermal_units.hpp): the kelvin offset guessed from _CRT
// and tenths of a kelvin in millidegrees Celsius.
#include <gtest/gtest.h>

#include "thermal_units.hpp"

namespace {

namespace thermal = lab::thermal;

TEST(Thermal, TakesOnlyACriticalTripInLinuxsRange) {
    EXPECT_EQ(thermal::valid_critical_dk(3732), 3732);  // 100 C, QEMU's pcc-opregion _CRT
    EXPECT_EQ(thermal::valid_critical_dk(4480), 4480);  // 175 C, the highest
    EXPECT_FALSE(thermal::valid_critical_dk(4481));
    EXPECT_FALSE(thermal::valid_critical_dk(4732));  // 200 C: Linux ignores it
    EXPECT_FALSE(thermal::valid_critical_dk(2732));  // 0 C is not above 0 C
    EXPECT_FALSE(thermal::valid_critical_dk(std::nullopt));
}

TEST(Thermal, GuessesTheKelvinOffsetFromTheCriticalTrip) {
    EXPECT_EQ(thermal::kelvin_offset(3731), 273100);  // % 5 == 1
    EXPECT_EQ(thermal::kelvin_offset(3732), 273200);
    EXPECT_EQ(thermal::kelvin_offset(4731), 273200);  // % 5 == 1, but out of range: ignored
    EXPECT_EQ(thermal::kelvin_offset(std::nullopt), 273200);
    EXPECT_EQ(thermal::kelvin_offset(2731), 273200);  // not above 2732: invalid, ignored
}

TEST(Thermal, DeciKelvinInMillicelsius) {
    EXPECT_EQ(thermal::millicelsius(3032, 273200), 30000);  // pccd's default opregion.temp_dk
    EXPECT_EQ(thermal::millicelsius(3032, 273100), 30100);
    EXPECT_EQ(thermal::millicelsius(4732, 273200), 200000);
    EXPECT_EQ(thermal::millicelsius(2632, 273200), -10000);
}

}  // namespace
