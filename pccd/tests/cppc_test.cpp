// SPDX-License-Identifier: GPL-2.0-or-later
// The CPPC personality through the engine, as QEMU's pcc-cppc describes its
// device and as Linux's cppc_acpi lays out the communication space: the
// generic header (command 0 READ / 1 WRITE) and one 64-byte block of
// registers per CPU (ACPI 6.5 8.4.6; offsets in pcc-cppc.c).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>

#include "engine.hpp"
#include "log.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

using test::hex;

constexpr std::size_t kBlock = 64;

std::string cppc_device(const std::string& properties) {
    return "pcc-device 1\nclass pcc-cppc\nchannel 1\nsubspace 1 type 2 role mailbox shmem 4096\n" +
           properties;
}

struct OsRegisters {
    std::uint32_t desired = 0;
    std::uint32_t min = 0;
    std::uint32_t max = 0;
};

void put32(Bytes& b, std::size_t off, std::uint32_t v) {
    for (std::size_t i = 0; i < 4; ++i) {
        b.at(off + i) = static_cast<std::uint8_t>(v >> (8 * i));
    }
}

// A request on subspace 1: header, then the blocks with the OS registers
// (desired 0x14, min 0x24, max 0x28) as the guest left them.
Bytes request(std::uint16_t command, const std::vector<OsRegisters>& cpus) {
    Bytes m = hex("01 43 43 50  00 00  00 00");
    m[4] = static_cast<std::uint8_t>(command);
    m[5] = static_cast<std::uint8_t>(command >> 8);
    m.resize(8 + cpus.size() * kBlock, 0);
    for (std::size_t k = 0; k < cpus.size(); ++k) {
        put32(m, 8 + k * kBlock + 0x14, cpus[k].desired);
        put32(m, 8 + k * kBlock + 0x24, cpus[k].min);
        put32(m, 8 + k * kBlock + 0x28, cpus[k].max);
    }
    return m;
}

// Register OFF of CPU k in a whole message.
std::uint32_t reg32(const Bytes& m, unsigned cpu, std::size_t off) {
    return load_le32(m, 8 + cpu * kBlock + off);
}
std::uint64_t reg64(const Bytes& m, unsigned cpu, std::size_t off) {
    return load_le32(m, 8 + cpu * kBlock + off) |
           (static_cast<std::uint64_t>(load_le32(m, 8 + cpu * kBlock + off + 4)) << 32);
}

// Linux's cppc_perf_to_khz (drivers/acpi/cppc_acpi.c) with lowest and
// nominal frequency given and different.
std::uint64_t perf_to_khz(std::uint64_t perf, std::uint64_t nom_perf, std::uint64_t low_perf,
                          std::uint64_t nom_f, std::uint64_t low_f) {
    const std::uint64_t mul = (nom_f - low_f) * 1000;
    const std::uint64_t div = nom_perf - low_perf;
    return (nom_f * 1000 - nom_perf * mul / div) + perf * mul / div;
}

// Linux's cppc_perf_from_fbctrs: reference_perf * Δdelivered / Δreference.
std::uint64_t perf_from_counters(const Bytes& t0, const Bytes& t1, unsigned cpu) {
    const std::uint64_t ref = reg64(t1, cpu, 0x30) - reg64(t0, cpu, 0x30);
    const std::uint64_t del = reg64(t1, cpu, 0x38) - reg64(t0, cpu, 0x38);
    return reg32(t0, cpu, 0x18) * del / ref;
}

class CppcTest : public ::testing::Test {
  protected:
    CppcTest() {
        set_log_level(LogLevel::error);
        counters().clear();
        EXPECT_TRUE(engine_.bindings().load_description(
            cppc_device("property cpus 2\nproperty cpu-block 64\n"), "test"));
    }
    std::optional<Bytes> ask(const Bytes& m) {
        return engine_.handle_request(1, Layout::generic, m, "test").answer;
    }
    Bytes read() {
        auto a = ask(request(0, {{}, {}}));
        EXPECT_TRUE(a);
        return a.value_or(Bytes(8 + 2 * kBlock));
    }
    std::string get(const std::string& key) {
        return engine_.state().setting(key).value_or("(unset)");
    }
    Engine engine_;
};

// The whole answer of a one-CPU READ with the defaults, byte for byte.
TEST(Cppc, ReadAnswerLayout) {
    set_log_level(LogLevel::error);
    Engine engine;
    ASSERT_TRUE(engine.bindings().load_description(cppc_device("property cpus 1\n"), "test"));
    const Bytes req = request(0, {{}});
    EXPECT_EQ(engine.handle_request(1, Layout::generic, req, "test").answer,
              hex("01 43 43 50  00 00  01 00"    // same signature and command, complete
                  "2c 01 00 00  c8 00 00 00"     // highest 300, nominal 200
                  "64 00 00 00  32 00 00 00"     // lowest nonlinear 100, lowest 50
                  "c8 00 00 00  00 00 00 00"     // guaranteed 200, desired 0
                  "c8 00 00 00  f4 01 00 00"     // reference perf 200, lowest freq 500
                  "d0 07 00 00  00 00 00 00"     // nominal freq 2000, min 0
                  "00 00 00 00  00 00 00 00"     // max 0, reserved
                  "80 84 1e 00  00 00 00 00"     // reference counter K + K = 2000000
                  "80 84 1e 00  00 00 00 00"));  // delivered: K + K * 200 / 200
}

TEST_F(CppcTest, SettingsAreThereBeforeTheFirstMessage) {
    EXPECT_EQ(get("cppc.highest_perf"), "300");
    EXPECT_EQ(get("cppc.nominal_perf"), "200");
    EXPECT_EQ(get("cppc.lowest_nonlinear_perf"), "100");
    EXPECT_EQ(get("cppc.lowest_perf"), "50");
    EXPECT_EQ(get("cppc.guaranteed_perf"), "200");
    EXPECT_EQ(get("cppc.reference_perf"), "200");
    EXPECT_EQ(get("cppc.lowest_freq"), "500");
    EXPECT_EQ(get("cppc.nominal_freq"), "2000");
    EXPECT_EQ(get("cppc.counter_step"), "1000000");
    EXPECT_EQ(get("cppc.cpu1.desired_perf"), "0");
    EXPECT_EQ(get("cppc.cpu1.min_perf"), "0");
    EXPECT_EQ(get("cppc.cpu1.max_perf"), "0");
    EXPECT_EQ(get("cppc.cpu1.reference_counter"), "1000000");
    EXPECT_EQ(get("cppc.cpu2.desired_perf"), "(unset)");  // two CPUs
}

TEST_F(CppcTest, PerCpuSettingsWinOverTheDefaultAtRunTime) {
    Bytes a = read();
    EXPECT_EQ(reg32(a, 0, 0x00), 300u);
    EXPECT_EQ(reg32(a, 1, 0x00), 300u);
    engine_.set_setting("cppc.cpu1.highest_perf", "400");
    engine_.set_setting("cppc.nominal_perf", "0x100");
    engine_.set_setting("cppc.lowest_freq", "600");
    a = read();
    EXPECT_EQ(reg32(a, 0, 0x00), 300u);
    EXPECT_EQ(reg32(a, 1, 0x00), 400u);
    EXPECT_EQ(reg32(a, 0, 0x04), 256u);
    EXPECT_EQ(reg32(a, 1, 0x04), 256u);
    EXPECT_EQ(reg32(a, 1, 0x1c), 600u);
    EXPECT_EQ(counters().get("cppc.reads"), 2u);
}

// Zero (Linux: EFAULT), not a number, over 32 bits: logged, counted once per
// value, and the next in the chain (cppc.NAME, then the default) is used.
TEST_F(CppcTest, BadSettingsFallBack) {
    engine_.set_setting("cppc.cpu0.lowest_perf", "0");
    engine_.set_setting("cppc.cpu1.lowest_perf", "40");
    engine_.set_setting("cppc.highest_perf", "fast");
    engine_.set_setting("cppc.nominal_freq", "4294967296");
    engine_.set_setting("cppc.counter_step", "0");
    Bytes a = read();
    EXPECT_EQ(reg32(a, 0, 0x0c), 50u);
    EXPECT_EQ(reg32(a, 1, 0x0c), 40u);
    EXPECT_EQ(reg32(a, 0, 0x00), 300u);
    EXPECT_EQ(reg32(a, 1, 0x20), 2000u);
    EXPECT_EQ(get("cppc.cpu0.reference_counter"), "2000000");  // step: the default
    const auto bad = counters().get("cppc.bad_settings");
    EXPECT_EQ(bad, 4u);
    read();
    EXPECT_EQ(counters().get("cppc.bad_settings"), bad);  // reported once
    engine_.set_setting("cppc.cpu0.lowest_perf", "-1");
    read();
    EXPECT_EQ(counters().get("cppc.bad_settings"), bad + 1);
}

TEST_F(CppcTest, WriteRecordsTheOsRegisters) {
    const Bytes req = request(1, {{0, 0, 0}, {250, 100, 300}});
    auto a = ask(req);
    ASSERT_TRUE(a);
    EXPECT_EQ(load_le16(*a, 6), 0x0001);  // command complete
    EXPECT_EQ(get("cppc.cpu1.desired_perf"), "250");
    EXPECT_EQ(get("cppc.cpu1.min_perf"), "100");
    EXPECT_EQ(get("cppc.cpu1.max_perf"), "300");
    EXPECT_EQ(get("cppc.cpu0.desired_perf"), "0");
    EXPECT_EQ(counters().get("cppc.writes"), 1u);
    EXPECT_EQ(counters().get("cppc.changes"), 3u);
    // The answer: the OS registers echoed, the platform's filled, the
    // counters as they were (not advanced by a WRITE).
    EXPECT_EQ(reg32(*a, 1, 0x14), 250u);
    EXPECT_EQ(reg32(*a, 1, 0x24), 100u);
    EXPECT_EQ(reg32(*a, 1, 0x28), 300u);
    EXPECT_EQ(reg32(*a, 1, 0x00), 300u);
    EXPECT_EQ(reg32(*a, 1, 0x1c), 500u);
    EXPECT_EQ(reg64(*a, 1, 0x30), 1000000u);
    EXPECT_EQ(reg64(*a, 1, 0x38), 1000000u);
    // The same WRITE again changes nothing; a READ echoes what was recorded
    // whatever the request holds.
    ASSERT_TRUE(ask(req));
    EXPECT_EQ(counters().get("cppc.writes"), 2u);
    EXPECT_EQ(counters().get("cppc.changes"), 3u);
    Bytes r = read();
    EXPECT_EQ(reg32(r, 1, 0x14), 250u);
    EXPECT_EQ(reg32(r, 1, 0x24), 100u);
    EXPECT_EQ(reg32(r, 0, 0x14), 0u);
    // Recorded values set with `pccd set` are what READ echoes, too.
    engine_.set_setting("cppc.cpu0.max_perf", "280");
    EXPECT_EQ(reg32(read(), 0, 0x28), 280u);
}

TEST_F(CppcTest, OutOfRangeWritesAreRecordedAndCounted) {
    ASSERT_TRUE(ask(request(1, {{500, 0, 0}, {10, 0, 0}})));
    EXPECT_EQ(get("cppc.cpu0.desired_perf"), "500");
    EXPECT_EQ(get("cppc.cpu1.desired_perf"), "10");
    EXPECT_EQ(counters().get("cppc.out_of_range"), 2u);
    // Zero is "not set", never out of range.
    ASSERT_TRUE(ask(request(1, {{0, 0, 0}, {200, 0, 0}})));
    EXPECT_EQ(counters().get("cppc.out_of_range"), 2u);
    // What the counters deliver is clamped to [lowest, highest].
    ASSERT_TRUE(ask(request(1, {{500, 0, 0}, {10, 0, 0}})));
    const Bytes t0 = read();
    const Bytes t1 = read();
    EXPECT_EQ(perf_from_counters(t0, t1, 0), 300u);
    EXPECT_EQ(perf_from_counters(t0, t1, 1), 50u);
}

// The frequency Linux computes from two READs is exactly khz(delivered_perf):
// desired_perf, else nominal_perf, unless cppc.cpuN.delivered_perf is set.
TEST_F(CppcTest, CountersGiveTheDeliveredPerformance) {
    Bytes t0 = read();
    Bytes t1 = read();
    EXPECT_EQ(perf_from_counters(t0, t1, 0), 200u);  // nominal: nothing desired yet
    EXPECT_EQ(reg64(t1, 0, 0x30) - reg64(t0, 0, 0x30), 1000000u);
    ASSERT_TRUE(ask(request(1, {{150, 0, 0}, {275, 0, 0}})));
    t0 = read();
    read();  // another READ in between (another CPU's sysfs file)
    t1 = read();
    EXPECT_EQ(perf_from_counters(t0, t1, 0), 150u);
    EXPECT_EQ(perf_from_counters(t0, t1, 1), 275u);
    EXPECT_EQ(perf_to_khz(275, 200, 50, 2000, 500), 2750000u);  // kHz = perf * 10000
    engine_.set_setting("cppc.cpu1.delivered_perf", "123");
    engine_.set_setting("cppc.delivered_perf", "77");
    t0 = read();
    t1 = read();
    EXPECT_EQ(perf_from_counters(t0, t1, 0), 77u);
    EXPECT_EQ(perf_from_counters(t0, t1, 1), 123u);
    // Exact also when K * perf is not a multiple of reference_perf.
    engine_.set_setting("cppc.reference_perf", "7");
    engine_.set_setting("cppc.counter_step", "1000");
    t0 = read();
    t1 = read();
    EXPECT_EQ(reg64(t1, 1, 0x30) - reg64(t0, 1, 0x30), 1000u);
    EXPECT_EQ(reg64(t1, 1, 0x38) - reg64(t0, 1, 0x38), 17572u);  // ceil(1000 * 123 / 7)
    EXPECT_EQ(perf_from_counters(t0, t1, 1), 123u);
    EXPECT_EQ(perf_from_counters(t0, t1, 0), 77u);
}

// The counters are settings: readable, and 64-bit (they wrap like hardware's).
TEST_F(CppcTest, CountersAre64BitSettings) {
    engine_.set_setting("cppc.cpu0.reference_counter", "18446744073709000000");
    engine_.set_setting("cppc.cpu0.delivered_counter", "0xfffffffffff00000");
    const Bytes a = read();
    EXPECT_EQ(reg64(a, 0, 0x30), 448384u);  // 18446744073709000000 + 1000000 - 2^64
    EXPECT_EQ(get("cppc.cpu0.reference_counter"), std::to_string(reg64(a, 0, 0x30)));
    EXPECT_EQ(reg64(a, 0, 0x38), 0xfffffffffff00000ULL + 1000000ULL);
    EXPECT_EQ(get("cppc.cpu1.delivered_counter"), "2000000");
}

TEST_F(CppcTest, NonsenseCommandGetsTheErrorBit) {
    for (std::uint16_t command : {2, 0x8000, 0x8001, 0xffff}) {
        const Bytes req = request(command, {{1, 2, 3}, {4, 5, 6}});
        auto a = ask(req);
        ASSERT_TRUE(a) << command;
        Bytes want = req;
        want[6] = 0x05;  // command complete | error; the space as it was
        EXPECT_EQ(*a, want) << command;
    }
    EXPECT_EQ(counters().get("cppc.bad_command"), 4u);
    EXPECT_EQ(get("cppc.cpu0.desired_perf"), "0");  // nothing recorded
    EXPECT_EQ(reg32(read(), 0, 0x00), 300u);        // and the next one is served
}

TEST_F(CppcTest, WrongLengthIsRejected) {
    for (std::size_t cpus : {0, 1, 3}) {
        Bytes req = request(0, std::vector<OsRegisters>(cpus));
        EXPECT_FALSE(ask(req)) << cpus;
    }
    Bytes longer = request(0, {{}, {}});
    longer.push_back(0);
    EXPECT_FALSE(ask(longer));
    Bytes shorter = request(0, {{}, {}});
    shorter.pop_back();
    EXPECT_FALSE(ask(shorter));
    EXPECT_EQ(counters().get("bad.cppc"), 5u);
    EXPECT_EQ(counters().get("cppc.reads"), 0u);
    EXPECT_EQ(reg32(read(), 1, 0x04), 200u);  // the next one is served
}

TEST(Cppc, TheCpuCountMustBeDescribed) {
    set_log_level(LogLevel::error);
    counters().clear();
    Engine engine;
    ASSERT_TRUE(engine.bind(1, "cppc"));  // no description: no cpus
    const Bytes one = request(0, {{}});
    EXPECT_FALSE(engine.handle_request(1, Layout::generic, one, "test").answer);
    for (const char* bad : {"property cpus 0\n", "property cpus 1025\n", "property cpus two\n",
                            "property cpus 1\nproperty cpu-block 32\n"}) {
        ASSERT_TRUE(engine.bindings().load_description(cppc_device(bad), "test"));
        EXPECT_FALSE(engine.handle_request(1, Layout::generic, one, "test").answer) << bad;
    }
    EXPECT_EQ(counters().get("bad.cppc"), 5u);
    ASSERT_TRUE(engine.bindings().load_description(cppc_device("property cpus 1\n"), "test"));
    EXPECT_TRUE(engine.handle_request(1, Layout::generic, one, "test").answer);
    // The largest machine: 1024 CPUs.
    ASSERT_TRUE(engine.bindings().load_description(cppc_device("property cpus 1024\n"), "test"));
    auto big = engine.handle_request(1, Layout::generic, request(0, std::vector<OsRegisters>(1024)),
                                     "test");
    ASSERT_TRUE(big.answer);
    EXPECT_EQ(reg32(*big.answer, 1023, 0x20), 2000u);
}

// Random sizes, commands and settings: never a crash; every request gets an
// answer of its own size, or none with bad.cppc counted.
TEST_F(CppcTest, RandomInputNeverCrashes) {
    std::uint32_t seed = 777;
    auto next = [&seed] {
        seed = seed * 1103515245u + 12345u;
        return seed >> 16;
    };
    const char* values[] = {"0", "1", "300", "-5", "x", "0xffffffff", "99999999999999999999"};
    const char* keys[] = {"cppc.highest_perf",        "cppc.lowest_perf",
                          "cppc.cpu1.reference_perf", "cppc.counter_step",
                          "cppc.cpu0.delivered_perf", "cppc.cpu1.delivered_counter"};
    for (int i = 0; i < 3000; ++i) {
        if (i % 50 == 0) {
            engine_.set_setting(keys[next() % std::size(keys)], values[next() % std::size(values)]);
        }
        Bytes m(next() % 3 == 0 ? next() % 200 : 8 + 2 * kBlock);
        for (auto& b : m) {
            b = static_cast<std::uint8_t>(next());
        }
        if (m.size() >= 8) {
            m[0] = 0x01, m[1] = 0x43, m[2] = 0x43, m[3] = 0x50;
            m[5] = next() % 4 == 0 ? m[5] : 0;
            m[4] &= next() % 4 == 0 ? 0xff : 0x01;
        }
        const auto rejected = counters().get("bad.cppc") + counters().get("bad.message");
        auto a = ask(m);
        if (a) {
            EXPECT_EQ(a->size(), m.size());
        } else {
            EXPECT_GT(counters().get("bad.cppc") + counters().get("bad.message"), rejected);
        }
    }
}

}  // namespace
}  // namespace pccd
