// SPDX-License-Identifier: GPL-2.0-or-later
// The HiSilicon uncore personality through the engine, as QEMU's
// pcc-hisi-uncore describes its device (a type 2 mailbox) and as Linux's
// hisi_uncore_freq lays out its message (drivers/devfreq/hisi_uncore_freq.c):
// struct acpi_pcct_shared_memory {u32 signature, u16 command, u16 status},
// then struct hisi_uncore_pcc_data {u16 status, u16 resv, u32 data}, 16
// bytes; commands 0 GET_CAP, 1 GET_FREQ, 2 SET_FREQ, 3 GET_MODE, 4 SET_MODE,
// 5 GET_PLAT_FREQ_NUM, 6 GET_PLAT_FREQ_BY_IDX. The bytes are written out
// here by hand.
#include <gtest/gtest.h>

#include <string>

#include "engine.hpp"
#include "log.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

using test::hex;

constexpr const char* kDevice =
    "pcc-device 1\nclass pcc-hisi-uncore\nchannel 3\n"
    "subspace 3 type 2 role mailbox shmem 4096\n";

// The driver's message: signature 0x50434303, command, status 0, four bytes
// it leaves uninitialised (here "aa bb cc dd"), the datum.
Bytes request(const std::string& command, const std::string& data) {
    return hex("03 43 43 50  " + command + " 00  00 00  aa bb cc dd  " + data);
}
// The answer: status 1 (command complete; 5 with the error bit), the four
// bytes as they were, the datum.
Bytes answer(const std::string& command, const std::string& data,
             const std::string& status = "01") {
    return hex("03 43 43 50  " + command + " 00  " + status + " 00  aa bb cc dd  " + data);
}

class UncoreTest : public ::testing::Test {
  protected:
    UncoreTest() {
        set_log_level(LogLevel::error);
        counters().clear();
        EXPECT_TRUE(engine_.bindings().load_description(kDevice, "test"));
    }
    std::optional<Bytes> ask(const Bytes& m) {
        return engine_.handle_request(3, Layout::generic, m, "test").answer;
    }
    std::string get(const std::string& key) {
        return engine_.state().setting(key).value_or("(unset)");
    }
    Engine engine_;
};

// The probe in the driver's order: the table (5, then 6 per index), the
// capability, the current frequency, the mode; with the defaults.
TEST_F(UncoreTest, ProbeWithTheDefaults) {
    EXPECT_EQ(get("uncore.frequencies"), "800,1200,1600,2000");  // before any message
    EXPECT_EQ(get("uncore.cur_freq"), "2000");
    EXPECT_EQ(get("uncore.mode"), "0");
    EXPECT_EQ(get("uncore.cap"), "1");
    EXPECT_EQ(get("uncore.set_freq"), "none");
    EXPECT_EQ(ask(request("05", "00 00 00 00")), answer("05", "04 00 00 00"));
    EXPECT_EQ(ask(request("06", "00 00 00 00")), answer("06", "20 03 00 00"));  // 800
    EXPECT_EQ(ask(request("06", "01 00 00 00")), answer("06", "b0 04 00 00"));  // 1200
    EXPECT_EQ(ask(request("06", "02 00 00 00")), answer("06", "40 06 00 00"));  // 1600
    EXPECT_EQ(ask(request("06", "03 00 00 00")), answer("06", "d0 07 00 00"));  // 2000
    EXPECT_EQ(ask(request("00", "00 00 00 00")), answer("00", "01 00 00 00"));
    EXPECT_EQ(ask(request("01", "00 00 00 00")), answer("01", "d0 07 00 00"));
    EXPECT_EQ(ask(request("03", "00 00 00 00")), answer("03", "00 00 00 00"));
    EXPECT_EQ(counters().get("uncore.requests"), 8u);
}

TEST_F(UncoreTest, TableFromSettings) {
    engine_.set_setting("uncore.frequencies", "2500,1000,1750");  // any order, as given
    EXPECT_EQ(ask(request("05", "00 00 00 00")), answer("05", "03 00 00 00"));
    EXPECT_EQ(ask(request("06", "00 00 00 00")), answer("06", "c4 09 00 00"));  // 2500
    EXPECT_EQ(ask(request("06", "02 00 00 00")), answer("06", "d6 06 00 00"));  // 1750
    // cur_freq was published from the defaults; it is what it is
    EXPECT_EQ(ask(request("01", "00 00 00 00")), answer("01", "d0 07 00 00"));
    // a pccd started with this table publishes its highest entry
    Engine other;
    other.set_setting("uncore.frequencies", "2500,1000,1750");
    ASSERT_TRUE(other.bindings().load_description(kDevice, "test"));
    EXPECT_EQ(other.state().setting("uncore.cur_freq"), "2500");
    engine_.set_setting("uncore.cur_freq", "1750");
    EXPECT_EQ(ask(request("01", "00 00 00 00")), answer("01", "d6 06 00 00"));
    engine_.set_setting("uncore.cap", "0");
    EXPECT_EQ(ask(request("00", "00 00 00 00")), answer("00", "00 00 00 00"));
    engine_.set_setting("uncore.mode", "1");
    EXPECT_EQ(ask(request("03", "00 00 00 00")), answer("03", "01 00 00 00"));
}

// The userspace governor's set_freq (and performance's max) arrive as
// SET_FREQ in MHz: recorded; the frequency follows in OS mode only.
TEST_F(UncoreTest, SetFrequencyAndMode) {
    // platform mode: recorded, the platform keeps its frequency
    EXPECT_EQ(ask(request("02", "b0 04 00 00")), answer("02", "b0 04 00 00"));
    EXPECT_EQ(get("uncore.set_freq"), "1200");
    EXPECT_EQ(get("uncore.cur_freq"), "2000");
    // the hisi_platform governor's stop: SET_MODE 1
    EXPECT_EQ(ask(request("04", "01 00 00 00")), answer("04", "01 00 00 00"));
    EXPECT_EQ(get("uncore.mode"), "1");
    EXPECT_EQ(ask(request("03", "00 00 00 00")), answer("03", "01 00 00 00"));
    EXPECT_EQ(ask(request("02", "20 03 00 00")), answer("02", "20 03 00 00"));
    EXPECT_EQ(get("uncore.set_freq"), "800");
    EXPECT_EQ(get("uncore.cur_freq"), "800");
    EXPECT_EQ(ask(request("01", "00 00 00 00")), answer("01", "20 03 00 00"));
    EXPECT_EQ(ask(request("04", "00 00 00 00")), answer("04", "00 00 00 00"));
    EXPECT_EQ(get("uncore.mode"), "0");
    EXPECT_EQ(counters().get("uncore.set_freq"), 2u);
    EXPECT_EQ(counters().get("uncore.set_mode"), 2u);
}

// Refusals: the error bit (status 5: complete + error), the datum unchanged,
// a counter; nothing recorded.
TEST_F(UncoreTest, BadRequestsGetTheErrorBit) {
    EXPECT_EQ(ask(request("07", "12 34 56 78")), answer("07", "12 34 56 78", "05"));
    EXPECT_EQ(ask(request("ff", "00 00 00 00")), answer("ff", "00 00 00 00", "05"));
    EXPECT_EQ(counters().get("uncore.unknown_command"), 2u);
    EXPECT_EQ(ask(request("06", "04 00 00 00")), answer("06", "04 00 00 00", "05"));
    EXPECT_EQ(counters().get("uncore.bad_index"), 1u);
    EXPECT_EQ(ask(request("02", "e8 03 00 00")), answer("02", "e8 03 00 00", "05"));  // 1000
    EXPECT_EQ(counters().get("uncore.bad_frequency"), 1u);
    EXPECT_EQ(get("uncore.set_freq"), "none");
    EXPECT_EQ(ask(request("04", "02 00 00 00")), answer("04", "02 00 00 00", "05"));
    EXPECT_EQ(counters().get("uncore.bad_mode"), 1u);
    EXPECT_EQ(get("uncore.mode"), "0");
    // Shorter than 16 bytes: the error bit in a 16-byte answer.
    EXPECT_EQ(ask(hex("03 43 43 50  01 00  00 00  aa bb")),
              hex("03 43 43 50  01 00  05 00  aa bb 00 00  00 00 00 00"));
    EXPECT_EQ(counters().get("uncore.bad_request"), 1u);
    // and the next one is served
    EXPECT_EQ(ask(request("01", "00 00 00 00")), answer("01", "d0 07 00 00"));
}

// A bad setting is logged once, counted and the default used.
TEST_F(UncoreTest, BadSettingsFallBack) {
    engine_.set_setting("uncore.frequencies", "800,800");
    EXPECT_EQ(ask(request("05", "00 00 00 00")), answer("05", "04 00 00 00"));
    engine_.set_setting("uncore.mode", "2");
    EXPECT_EQ(ask(request("03", "00 00 00 00")), answer("03", "00 00 00 00"));
    engine_.set_setting("uncore.cur_freq", "fast");
    EXPECT_EQ(ask(request("01", "00 00 00 00")), answer("01", "d0 07 00 00"));
    EXPECT_EQ(counters().get("uncore.bad_settings"), 3u);
    ask(request("05", "00 00 00 00"));
    EXPECT_EQ(counters().get("uncore.bad_settings"), 3u);
}

TEST(Uncore, ServesItsClass) {
    ASSERT_NE(personality_for_class("pcc-hisi-uncore"), nullptr);
    EXPECT_EQ(personality_for_class("pcc-hisi-uncore")->info.name, "hisi-uncore");
}

}  // namespace
}  // namespace pccd
