// SPDX-License-Identifier: GPL-2.0-or-later
// The CPPC expectations of the guest (lab/guest/src/cppc_perf.cpp), built
// for the host: Linux's cppc_perf_to_khz/cppc_khz_to_perf against values
// worked out by hand from the kernel's integer arithmetic, pccd's settings
// with their per-CPU fallback, the delivered performance, CPU lists.
#include <gtest/gtest.h>

#include "cppc_perf.hpp"

namespace {

namespace cppc = lab::cppc;

// pccd's defaults: 300/200/100/50, reference 200, 500 and 2000 MHz
cppc::Caps defaults() {
    cppc::Caps c;
    c.highest_perf = 300;
    c.nominal_perf = 200;
    c.lowest_nonlinear_perf = 100;
    c.lowest_perf = 50;
    c.guaranteed_perf = 200;
    c.reference_perf = 200;
    c.lowest_freq = 500;
    c.nominal_freq = 2000;
    return c;
}

// The lab's cppc scenario: the line does not pass through 0.
cppc::Caps scenario() {
    cppc::Caps c;
    c.highest_perf = 320;
    c.nominal_perf = 250;
    c.lowest_nonlinear_perf = 120;
    c.lowest_perf = 60;
    c.guaranteed_perf = 240;
    c.reference_perf = 250;
    c.lowest_freq = 700;
    c.nominal_freq = 2400;
    return c;
}

TEST(CppcPerf, DefaultsAreTenThousandKhzPerPerf) {
    const auto c = defaults();
    // mul = 1500 * 1000, div = 150, offset = 2000000 - 200 * 10000 = 0
    EXPECT_EQ(cppc::perf_to_khz(c, 50), 500000u);
    EXPECT_EQ(cppc::perf_to_khz(c, 200), 2000000u);
    EXPECT_EQ(cppc::perf_to_khz(c, 300), 3000000u);
    EXPECT_EQ(cppc::khz_to_perf(c, 1500000), 150u);
}

TEST(CppcPerf, FollowsTheKernelsIntegerArithmetic) {
    const auto c = scenario();
    // mul = 1700000, div = 190: 250 * mul / div = 2236842 (floor), offset 163158
    EXPECT_EQ(cppc::perf_to_khz(c, 60), 700000u);    // + 536842
    EXPECT_EQ(cppc::perf_to_khz(c, 120), 1236842u);  // + 1073684
    EXPECT_EQ(cppc::perf_to_khz(c, 150), 1505263u);  // + 1342105
    EXPECT_EQ(cppc::perf_to_khz(c, 200), 1952631u);  // + 1789473
    EXPECT_EQ(cppc::perf_to_khz(c, 250), 2400000u);
    EXPECT_EQ(cppc::perf_to_khz(c, 320), 3026315u);  // + 2863157
    EXPECT_EQ(cppc::perf_to_khz(c, 400), 3742105u);  // + 3578947
    // back: offset 250 - 2400 * 190 / 1700 = 250 - 268 = -18, div 1700000
    EXPECT_EQ(cppc::khz_to_perf(c, 1505263), 150u);  // -18 + 168
    EXPECT_EQ(cppc::khz_to_perf(c, 2400000), 250u);  // -18 + 268
    // 168 * 1700000 / 190 = 1503157.9: the step from 149 to 150
    EXPECT_EQ(cppc::khz_to_perf(c, 1503158), 150u);
    EXPECT_EQ(cppc::khz_to_perf(c, 1503157), 149u);  // -18 + 167
    EXPECT_EQ(cppc::khz_to_perf(c, 0), 0u);          // negative: 0
}

TEST(CppcPerf, EqualFrequenciesAndMissingOnes) {
    auto c = defaults();
    c.lowest_freq = c.nominal_freq = 1000;
    // mul = 1000 * 1000, div = nominal_perf 200: 5000 kHz per perf, offset 0
    EXPECT_EQ(cppc::perf_to_khz(c, 100), 500000u);
    EXPECT_EQ(cppc::khz_to_perf(c, 500000), 100u);
    c.lowest_freq = 0;  // Linux would scale by the SMBIOS maximum speed
    EXPECT_FALSE(cppc::perf_to_khz(c, 100));
    EXPECT_FALSE(cppc::khz_to_perf(c, 500000));
    c = defaults();
    c.lowest_perf = c.nominal_perf;  // the kernel would divide by zero
    EXPECT_FALSE(cppc::perf_to_khz(c, 100));
}

TEST(CppcSettings, ACpusOwnSettingWinsOverTheGlobalOne) {
    cppc::Settings s;
    for (const char* kv :
         {"cppc.highest_perf=320", "cppc.nominal_perf=250", "cppc.lowest_nonlinear_perf=120",
          "cppc.lowest_perf=60", "cppc.guaranteed_perf=240", "cppc.reference_perf=250",
          "cppc.lowest_freq=700", "cppc.nominal_freq=0x960", "cppc.cpu2.highest_perf=400",
          "cppc.cpu1.delivered_perf=200"}) {
        EXPECT_FALSE(s.add(kv)) << kv;
    }
    const auto cpu0 = s.caps(0);
    EXPECT_TRUE(cpu0.missing.empty());
    EXPECT_EQ(cpu0.caps.highest_perf, 320u);
    EXPECT_EQ(cpu0.caps.nominal_freq, 2400u);
    EXPECT_EQ(s.caps(2).caps.highest_perf, 400u);
    EXPECT_EQ(s.caps(2).caps.get("highest_perf"), 400u);
    EXPECT_EQ(s.delivered_perf(1), 200u);
    EXPECT_FALSE(s.delivered_perf(0));
}

TEST(CppcSettings, RejectsWhatPccdWouldNotServe) {
    cppc::Settings s;
    EXPECT_TRUE(s.add("highest_perf=1"));            // not cppc.*
    EXPECT_TRUE(s.add("cppc.fastest_perf=1"));       // no such register
    EXPECT_TRUE(s.add("cppc.cpux.highest_perf=1"));  // bad CPU
    EXPECT_TRUE(s.add("cppc.highest_perf=0"));       // pccd wants non-zero
    EXPECT_TRUE(s.add("cppc.highest_perf=4294967296"));
    EXPECT_TRUE(s.add("cppc.highest_perf"));
    EXPECT_TRUE(s.empty());
    EXPECT_FALSE(s.add("cppc.highest_perf=300"));
    EXPECT_EQ(s.caps(0).missing, "nominal_perf");
}

TEST(CppcDelivered, SettingThenDesiredThenNominalClamped) {
    const auto c = scenario();
    EXPECT_EQ(cppc::delivered_perf(c, 200, 150), 200u);
    EXPECT_EQ(cppc::delivered_perf(c, std::nullopt, 150), 150u);
    EXPECT_EQ(cppc::delivered_perf(c, std::nullopt, 0), 250u);  // desired 0: nominal
    EXPECT_EQ(cppc::delivered_perf(c, std::nullopt, std::nullopt), 250u);
    EXPECT_EQ(cppc::delivered_perf(c, 1000, std::nullopt), 320u);  // highest
    EXPECT_EQ(cppc::delivered_perf(c, 1, std::nullopt), 60u);      // lowest
}

TEST(CppcCpuList, ParsesSysfsRanges) {
    EXPECT_EQ(cppc::parse_cpu_list("0-3\n"), (std::vector<unsigned>{0, 1, 2, 3}));
    EXPECT_EQ(cppc::parse_cpu_list("0,2-3"), (std::vector<unsigned>{0, 2, 3}));
    EXPECT_EQ(cppc::parse_cpu_list("0"), (std::vector<unsigned>{0}));
    EXPECT_FALSE(cppc::parse_cpu_list(""));
    EXPECT_FALSE(cppc::parse_cpu_list("3-1"));
    EXPECT_FALSE(cppc::parse_cpu_list("a"));
}

}  // namespace
