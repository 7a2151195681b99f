// SPDX-License-Identifier: GPL-2.0-or-later
// The X-Gene SLIMpro hwmon personality through the engine. Requests are laid
// out by hand as Linux's drivers/hwmon/xgene-hwmon.c writes them into a type 2
// subspace: generic header (signature, command = 0x8000 | MSG_TYPE(msg[0]),
// status) and the words msg[0..2], little-endian.
#include <gtest/gtest.h>

#include "engine.hpp"
#include "log.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

using test::hex;

class XgeneTest : public ::testing::Test {
  protected:
    XgeneTest() {
        set_log_level(LogLevel::error);
        EXPECT_TRUE(engine_.bind(3, "xgene-slimpro"));
    }
    std::optional<Bytes> ask(const Bytes& request) {
        return engine_.handle_request(3, Layout::generic, request, "test").answer;
    }
    Engine engine_;
};

// Sensor read of register REG (one byte, LE in msg[1]) on subspace 3:
// SENSOR_RD_MSG 0x04FFE902 = 02 e9 ff 04.
Bytes sensor_read(const char* reg) {
    return hex(std::string("03 43 43 50  00 80  00 00  02 e9 ff 04  ") + reg +
               " 00 00 00  00 00 00 00");
}
// The answer: same signature and command, status command complete, msg[0]
// echoed, msg[1] the value, msg[2] 0.
Bytes sensor_value(const char* value) {
    return hex(std::string("03 43 43 50  00 80  01 00  02 e9 ff 04  ") + value + "  00 00 00 00");
}

TEST_F(XgeneTest, Temperature) {
    EXPECT_EQ(ask(sensor_read("10")), sensor_value("23 00 00 00"));  // default 35 C
    engine_.set_setting("xgene.temp_c", "71");
    EXPECT_EQ(ask(sensor_read("10")), sensor_value("47 00 00 00"));
    // Negative: 9-bit two's complement, -5 = 0x1fb
    engine_.set_setting("xgene.temp_c", "-5");
    EXPECT_EQ(ask(sensor_read("10")), sensor_value("fb 01 00 00"));
    // Out of the 9-bit range or not a number: bit 15, invalid data
    engine_.set_setting("xgene.temp_c", "300");
    EXPECT_EQ(ask(sensor_read("10")), sensor_value("00 80 00 00"));
    engine_.set_setting("xgene.temp_c", "hot");
    EXPECT_EQ(ask(sensor_read("10")), sensor_value("00 80 00 00"));
    engine_.set_setting("xgene.temp_c", "40");
    engine_.set_setting("xgene.temp_invalid", "1");
    EXPECT_EQ(ask(sensor_read("10")), sensor_value("00 80 00 00"));
    engine_.set_setting("xgene.temp_invalid", "0");
    EXPECT_EQ(ask(sensor_read("10")), sensor_value("28 00 00 00"));
}

TEST_F(XgeneTest, Power) {
    // Defaults: CPU 12500 mW = 12 W + 500 mW; IO 4250 mW = 4 W + 250 mW.
    EXPECT_EQ(ask(sensor_read("20")), sensor_value("0c 00 00 00"));
    EXPECT_EQ(ask(sensor_read("26")), sensor_value("f4 01 00 00"));
    EXPECT_EQ(ask(sensor_read("21")), sensor_value("04 00 00 00"));
    EXPECT_EQ(ask(sensor_read("27")), sensor_value("fa 00 00 00"));
    engine_.set_setting("xgene.cpu_power_mw", "65432");
    EXPECT_EQ(ask(sensor_read("20")), sensor_value("41 00 00 00"));
    EXPECT_EQ(ask(sensor_read("26")), sensor_value("b0 01 00 00"));
    engine_.set_setting("xgene.io_power_mw", "-1");
    EXPECT_EQ(ask(sensor_read("21")), sensor_value("00 80 00 00"));
}

TEST_F(XgeneTest, UnknownRegisterIsInvalidData) {
    EXPECT_EQ(ask(sensor_read("11")), sensor_value("00 80 00 00"));
}

TEST_F(XgeneTest, TpcGetAlarm) {
    // TPC_EN_MSG(PWRMGMT_SUBTYPE_TPC, TPC_GET_ALARM, 0) = 0x91030000; the
    // answer is a TPC_ALARM message 0x91020000, msg[2] = alarm (none).
    const Bytes req = hex("03 43 43 50  09 80  00 00  00 00 03 91  00 00 00 00  00 00 00 00");
    EXPECT_EQ(ask(req), hex("03 43 43 50  09 80  01 00  00 00 02 91  00 00 00 00  00 00 00 00"));
    engine_.set_setting("xgene.alarm", "1");
    EXPECT_EQ(ask(req), hex("03 43 43 50  09 80  01 00  00 00 02 91  00 00 00 00  01 00 00 00"));
}

TEST_F(XgeneTest, OtherMessagesGetAnErrorMessage) {
    // Type 5 subtype 1: answered with type ERR (7) in msg[0], words cleared.
    const Bytes req = hex("03 43 43 50  05 80  00 00  78 56 34 51  01 00 00 00  02 00 00 00");
    EXPECT_EQ(ask(req), hex("03 43 43 50  05 80  01 00  78 56 34 71  00 00 00 00  00 00 00 00"));
}

TEST_F(XgeneTest, ShortSpaceIsRejected) {
    counters().clear();
    EXPECT_FALSE(ask(hex("03 43 43 50  00 80  00 00  02 e9 ff 04  10 00")));
    EXPECT_EQ(counters().get("bad.xgene"), 1U);
}

TEST_F(XgeneTest, LongerSpaceKeepsItsTail) {
    EXPECT_EQ(ask(hex("03 43 43 50  00 80  00 00  02 e9 ff 04  10 00 00 00  00 00 00 00  aa bb")),
              hex("03 43 43 50  00 80  01 00  02 e9 ff 04  23 00 00 00  00 00 00 00  aa bb"));
}

// Older Linux drivers (e.g. Debian bookworm's 6.1) write the signature
// 0x50424300 | index ("PCB"); the SLIMpro firmware accepted it, and so does
// the personality: counted, answered with the request's signature.
TEST_F(XgeneTest, LegacySignatureIsAcceptedAndCounted) {
    counters().clear();
    const Bytes legacy = hex("03 43 42 50  00 80  00 00  02 e9 ff 04  10 00 00 00  00 00 00 00");
    EXPECT_EQ(ask(legacy), hex("03 43 42 50  00 80  01 00  02 e9 ff 04  23 00 00 00  00 00 00 00"));
    EXPECT_EQ(ask(legacy), hex("03 43 42 50  00 80  01 00  02 e9 ff 04  23 00 00 00  00 00 00 00"));
    EXPECT_EQ(counters().get("xgene.legacy_signature"), 2u);
    EXPECT_EQ(counters().get("bad.message"), 0u);
    // The PCC signature is not counted as legacy.
    EXPECT_EQ(ask(sensor_read("10")), sensor_value("23 00 00 00"));
    EXPECT_EQ(counters().get("xgene.legacy_signature"), 2u);
    // Neither is the answer pccd sends (it echoes the legacy signature).
    engine_.record_sent(3, Layout::generic, MessageKind::response,
                        hex("03 43 42 50  00 80  01 00  02 e9 ff 04  23 00 00 00  00 00 00 00"),
                        "test");
    EXPECT_EQ(counters().get("xgene.legacy_signature"), 2u);
}

TEST_F(XgeneTest, StrictSignatureRefusesTheLegacyOne) {
    counters().clear();
    engine_.set_setting("xgene.strict_signature", "1");
    auto outcome = engine_.handle_request(
        3, Layout::generic, hex("03 43 42 50  00 80  00 00  02 e9 ff 04  10 00 00 00  00 00 00 00"),
        "test");
    EXPECT_FALSE(outcome.answer);
    EXPECT_NE(outcome.rejected.find("legacy SLIMpro signature 0x50424303"), std::string::npos)
        << outcome.rejected;
    EXPECT_EQ(counters().get("xgene.legacy_signature_rejected"), 1u);
    EXPECT_EQ(counters().get("xgene.legacy_signature"), 0u);
    EXPECT_EQ(counters().get("bad.message"), 1u);
    // The PCC signature still works; strict off again accepts the legacy one.
    EXPECT_EQ(ask(sensor_read("10")), sensor_value("23 00 00 00"));
    engine_.set_setting("xgene.strict_signature", "0");
    EXPECT_TRUE(ask(hex("03 43 42 50  00 80  00 00  02 e9 ff 04  10 00 00 00  00 00 00 00")));
}

TEST_F(XgeneTest, OtherSignaturesAreRejected) {
    counters().clear();
    EXPECT_FALSE(ask(hex("03 43 41 50  00 80  00 00  02 e9 ff 04  10 00 00 00  00 00 00 00")));
    EXPECT_EQ(counters().get("bad.message"), 1u);
    EXPECT_EQ(counters().get("xgene.legacy_signature"), 0u);
}

// Only the SLIMpro personality knows the legacy signature: MCTP and a channel
// no personality serves keep requiring "PCC".
TEST(LegacySignature, OtherPersonalitiesRejectIt) {
    set_log_level(LogLevel::error);
    counters().clear();
    Engine engine;
    auto mctp = engine.handle_request(
        0, Layout::extended,
        hex("00 43 42 50 01 00 00 00 0b 00 00 00 4d 43 54 50 01 08 09 c8 00 80 02"), "test");
    EXPECT_FALSE(mctp.answer);
    EXPECT_NE(mctp.rejected.find("bad signature 0x50424300"), std::string::npos) << mctp.rejected;
    auto unbound = engine.handle_request(
        5, Layout::generic, hex("05 43 42 50  00 80  00 00  02 e9 ff 04  10 00 00 00"), "test");
    EXPECT_NE(unbound.rejected.find("bad signature"), std::string::npos) << unbound.rejected;
    EXPECT_EQ(counters().get("bad.message"), 2u);
    EXPECT_EQ(counters().get("xgene.legacy_signature"), 0u);
}

// Without --bind: the device description of a pcc-xgene-hwmon binds it.
TEST(XgeneBinding, DescriptionBindsWithoutBind) {
    set_log_level(LogLevel::error);
    Engine engine;
    const Bytes req = hex("06 43 43 50  00 80  00 00  02 e9 ff 04  20 00 00 00  00 00 00 00");
    EXPECT_FALSE(engine.handle_request(6, Layout::generic, req, "test").answer);
    ASSERT_TRUE(engine.bindings().load_description(
        "pcc-device 1\nclass pcc-xgene-hwmon\nchannel 6\nsubspace 6 type 2 role mailbox\n",
        "test"));
    EXPECT_EQ(engine.handle_request(6, Layout::generic, req, "test").answer,
              hex("06 43 43 50  00 80  01 00  02 e9 ff 04  0c 00 00 00  00 00 00 00"));
    // pcc-xgene-i2c is another personality's (xgene_i2c_test.cpp).
    ASSERT_TRUE(engine.bindings().load_description(
        "pcc-device 1\nclass pcc-xgene-i2c\nchannel 7\nsubspace 7 type 2 role mailbox\n", "test"));
    EXPECT_EQ(engine.bindings().route(7, Layout::generic, std::nullopt).entry->info.name,
              "xgene-slimpro-i2c");
}

}  // namespace
}  // namespace pccd
