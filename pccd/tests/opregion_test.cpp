// SPDX-License-Identifier: GPL-2.0-or-later
// The PCC OperationRegion personality through the engine: QEMU's pcc-opregion
// (a type 3 subspace used as a mailbox, extended layout) and the 20-byte
// region its thermal zone's _TMP runs through Linux's acpi_pcc: signature,
// flags, length (8), command, data.
#include <gtest/gtest.h>

#include "engine.hpp"
#include "log.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

using test::hex;

constexpr const char* kDevice =
    "pcc-device 1\nclass pcc-opregion\nchannel 5\n"
    "subspace 5 type 3 role mailbox shmem 4096\nproperty region-length 20\n";

// _TMP's request: SIGN = 0x50434305, FLGS = 1, LENG = 8, COMD = 1, DATA = 0.
const Bytes kReadTemperature =
    hex("05 43 43 50  01 00 00 00  08 00 00 00  01 00 00 00  00 00 00 00");

class OpRegionTest : public ::testing::Test {
  protected:
    OpRegionTest() {
        set_log_level(LogLevel::error);
        counters().clear();
        EXPECT_TRUE(engine_.bindings().load_description(kDevice, "test"));
    }
    std::optional<Bytes> ask(const Bytes& m) {
        return engine_.handle_request(5, Layout::extended, m, "test").answer;
    }
    Engine engine_;
};

TEST_F(OpRegionTest, ReadsTheTemperature) {
    EXPECT_EQ(engine_.state().setting("opregion.temp_dk"), "3032");  // before any message
    // 3032 dK = 0x0bd8: Linux's thermal zone shows 3032 * 100 - 273200 = 30000.
    EXPECT_EQ(ask(kReadTemperature),
              hex("05 43 43 50  01 00 00 00  08 00 00 00  01 00 00 00  d8 0b 00 00"));
    engine_.set_setting("opregion.temp_dk", "3500");  // 76.8 C
    EXPECT_EQ(ask(kReadTemperature),
              hex("05 43 43 50  01 00 00 00  08 00 00 00  01 00 00 00  ac 0d 00 00"));
    engine_.set_setting("opregion.temp_dk", "0");  // absolute zero is a value too
    EXPECT_EQ(ask(kReadTemperature),
              hex("05 43 43 50  01 00 00 00  08 00 00 00  01 00 00 00  00 00 00 00"));
    EXPECT_EQ(counters().get("opregion.reads"), 3u);
}

// Kernels up to 7.3 copy the AML's SIGN field over the signature: any value
// is accepted and echoed; so are the flags.
TEST_F(OpRegionTest, AnySignatureIsAccepted) {
    EXPECT_EQ(ask(hex("00 00 00 00  00 00 00 00  08 00 00 00  01 00 00 00  55 55 55 55")),
              hex("00 00 00 00  00 00 00 00  08 00 00 00  01 00 00 00  d8 0b 00 00"));
    EXPECT_EQ(ask(hex("78 56 34 12  01 00 00 00  08 00 00 00  01 00 00 00  00 00 00 00")),
              hex("78 56 34 12  01 00 00 00  08 00 00 00  01 00 00 00  d8 0b 00 00"));
    EXPECT_EQ(counters().get("bad.message"), 0u);
    // And the answers pccd sends decode as well (the log line of `tx`).
    EXPECT_TRUE(engine_.decode(5, Layout::extended, MessageKind::response,
                               hex("78 56 34 12  01 00 00 00  08 00 00 00  01 00 00 00  "
                                   "d8 0b 00 00")));
}

TEST_F(OpRegionTest, UnknownCommandsReadAllOnes) {
    for (const char* command : {"00", "02", "ff"}) {
        EXPECT_EQ(ask(hex(std::string("05 43 43 50  01 00 00 00  08 00 00 00  ") + command +
                          " 00 00 00  12 34 56 78")),
                  hex(std::string("05 43 43 50  01 00 00 00  08 00 00 00  ") + command +
                      " 00 00 00  ff ff ff ff"));
    }
    EXPECT_EQ(counters().get("opregion.unknown_command"), 3u);
    EXPECT_EQ(counters().get("opregion.reads"), 0u);
    EXPECT_TRUE(ask(kReadTemperature));
}

TEST_F(OpRegionTest, BadLengthsAreRejected) {
    // Length 4 (command only) in a 20-byte message; a 16-byte message.
    EXPECT_FALSE(ask(hex("05 43 43 50  01 00 00 00  04 00 00 00  01 00 00 00  00 00 00 00")));
    EXPECT_FALSE(ask(hex("05 43 43 50  01 00 00 00  04 00 00 00  01 00 00 00")));
    EXPECT_EQ(counters().get("bad.opregion"), 2u);
    // Lengths the PCC layout itself refuses (past the message, under 4).
    EXPECT_FALSE(ask(hex("05 43 43 50  01 00 00 00  0c 00 00 00  01 00 00 00  00 00 00 00")));
    EXPECT_FALSE(ask(hex("05 43 43 50  01 00 00 00  02 00 00 00  01 00 00 00  00 00 00 00")));
    EXPECT_EQ(counters().get("bad.message"), 2u);
    // Bytes past the region are not answered.
    EXPECT_EQ(ask(hex("05 43 43 50  01 00 00 00  08 00 00 00  01 00 00 00  00 00 00 00  aa bb")),
              hex("05 43 43 50  01 00 00 00  08 00 00 00  01 00 00 00  d8 0b 00 00"));
    EXPECT_EQ(counters().get("opregion.reads"), 1u);
}

// A region copied to offset 0 in Linux 7.4's layout (flags at 0, length 8 at
// 4, command at 8) has a length field of 1 at offset 8: not served.
TEST_F(OpRegionTest, ARegionWithoutItsSignatureWordIsNotServed) {
    EXPECT_FALSE(ask(hex("01 00 00 00  08 00 00 00  01 00 00 00  00 00 00 00  00 00 00 00")));
    EXPECT_EQ(counters().get("bad.message"), 1u);
}

TEST_F(OpRegionTest, BadSettingFallsBackToTheDefault) {
    engine_.set_setting("opregion.temp_dk", "hot");
    EXPECT_EQ(ask(kReadTemperature),
              hex("05 43 43 50  01 00 00 00  08 00 00 00  01 00 00 00  d8 0b 00 00"));
    engine_.set_setting("opregion.temp_dk", "0x100000000");
    EXPECT_TRUE(ask(kReadTemperature));
    EXPECT_EQ(counters().get("opregion.bad_settings"), 2u);
}

TEST_F(OpRegionTest, RulesSeeTheCommand) {
    auto rules = parse_rules("match channel=5 cmd=2 => drop\n");
    ASSERT_TRUE(rules);
    engine_.set_rules(*rules);
    EXPECT_FALSE(ask(hex("05 43 43 50  01 00 00 00  08 00 00 00  02 00 00 00  00 00 00 00")));
    EXPECT_EQ(counters().get("rules.dropped"), 1u);
    EXPECT_TRUE(ask(kReadTemperature));
}

TEST_F(OpRegionTest, TheRegionLengthMustBeTwenty) {
    ASSERT_TRUE(engine_.bindings().load_description(
        "pcc-device 1\nclass pcc-opregion\nchannel 5\n"
        "subspace 5 type 3 role mailbox\nproperty region-length 16\n",
        "test"));
    EXPECT_FALSE(ask(kReadTemperature));
    EXPECT_EQ(counters().get("bad.opregion"), 1u);
}

TEST(OpRegion, BindWithoutDescription) {
    set_log_level(LogLevel::error);
    counters().clear();
    Engine engine;
    const Bytes req = hex("02 43 43 50  01 00 00 00  08 00 00 00  01 00 00 00  00 00 00 00");
    // Unbound, an extended message goes by its PCC command: nobody's.
    EXPECT_FALSE(engine.handle_request(2, Layout::extended, req, "test").answer);
    EXPECT_EQ(counters().get("unhandled.pcc_command"), 1u);
    ASSERT_TRUE(engine.bind(2, "opregion"));
    EXPECT_EQ(engine.handle_request(2, Layout::extended, req, "test").answer,
              hex("02 43 43 50  01 00 00 00  08 00 00 00  01 00 00 00  d8 0b 00 00"));
}

TEST_F(OpRegionTest, RandomInputNeverCrashes) {
    std::uint32_t seed = 99;
    auto next = [&seed] {
        seed = seed * 1103515245u + 12345u;
        return static_cast<std::uint8_t>(seed >> 16);
    };
    for (int i = 0; i < 5000; ++i) {
        Bytes m(next() % 40);
        for (auto& b : m) {
            b = next();
        }
        if (m.size() >= 12 && i % 2 == 0) {
            m[8] = static_cast<std::uint8_t>(m.size() - 12);
            m[9] = m[10] = m[11] = 0;
        }
        auto a = ask(m);
        if (a) {
            ASSERT_EQ(a->size(), 20u);
            EXPECT_EQ(Bytes(a->begin(), a->begin() + 16), Bytes(m.begin(), m.begin() + 16));
        }
    }
    EXPECT_TRUE(ask(kReadTemperature));
}

}  // namespace
}  // namespace pccd
