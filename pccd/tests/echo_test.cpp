// SPDX-License-Identifier: GPL-2.0-or-later
// The echo personality through the engine, on the devices QEMU's pcc-raw
// describes (pcc.rst "pcc-raw"): a type 2 mailbox (generic layout), a type 3
// mailbox (extended layout) and a type 4 responder. The bytes are written
// out here by hand from the PCC layouts (ACPI 6.5, 14.2): generic header
// u32 signature, u16 command, u16 status; extended header u32 signature,
// u32 flags, u32 length (command + payload), u32 command.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "engine.hpp"
#include "log.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

using test::hex;

constexpr const char* kGeneric =
    "pcc-device 1\nclass pcc-raw\nchannel 5\n"
    "subspace 5 type 2 role mailbox shmem 4096\nproperty subspace-type 2\n";
constexpr const char* kExtended =
    "pcc-device 1\nclass pcc-raw\nchannel 6\n"
    "subspace 6 type 3 role mailbox shmem 4096\nproperty subspace-type 3\n";
constexpr const char* kResponder =
    "pcc-device 1\nclass pcc-raw\nchannel 7\n"
    "subspace 7 type 4 role responder shmem 64\nproperty subspace-type 4\n";

class EchoTest : public ::testing::Test {
  protected:
    EchoTest() {
        set_log_level(LogLevel::error);
        counters().clear();
        // one origin (spool, socket connection) per device
        EXPECT_TRUE(engine_.bindings().load_description(kGeneric, "spool5"));
        EXPECT_TRUE(engine_.bindings().load_description(kExtended, "spool6"));
        EXPECT_TRUE(engine_.bindings().load_description(kResponder, "spool7"));
    }
    Outcome ask(unsigned channel, Layout layout, const Bytes& m) {
        return engine_.handle_request(channel, layout, m, "test");
    }
    Engine engine_;
};

TEST_F(EchoTest, GenericAnswerInvertsTheSpace) {
    // signature 0x50434305, command 0x0102, status 0, space 00 11 ff 5a
    const auto out = ask(5, Layout::generic, hex("05 43 43 50  02 01  00 00  00 11 ff 5a"));
    ASSERT_TRUE(out.answer);
    // the header as requested with status 1 (command complete), the space ^ 0xff
    EXPECT_EQ(*out.answer, hex("05 43 43 50  02 01  01 00  ff ee 00 a5"));
    EXPECT_EQ(counters().get("echo.requests"), 1u);
}

TEST_F(EchoTest, XorFromTheSetting) {
    engine_.set_setting("echo.xor", "0");
    EXPECT_EQ(*ask(5, Layout::generic, hex("05 43 43 50  07 00  00 00  12 34")).answer,
              hex("05 43 43 50  07 00  01 00  12 34"));
    engine_.set_setting("echo.xor", "0x0f");
    EXPECT_EQ(*ask(5, Layout::generic, hex("05 43 43 50  07 00  00 00  12 34")).answer,
              hex("05 43 43 50  07 00  01 00  1d 3b"));
    // out of range: logged, counted, the default
    engine_.set_setting("echo.xor", "256");
    EXPECT_EQ(*ask(5, Layout::generic, hex("05 43 43 50  07 00  00 00  12 34")).answer,
              hex("05 43 43 50  07 00  01 00  ed cb"));
    EXPECT_EQ(counters().get("echo.bad_settings"), 1u);
}

TEST_F(EchoTest, ExtendedAnswerKeepsLengthAndCommand) {
    // signature 0x50434306, flags 0, length 7 (command + 3 bytes), command
    // 0xabcd0001, payload 01 02 03, then shared memory past the message
    const auto out = ask(6, Layout::extended,
                         hex("06 43 43 50  00 00 00 00  07 00 00 00  01 00 cd ab  01 02 03  "
                             "99 99 99 99"));
    ASSERT_TRUE(out.answer);
    // flags 1 (pcc.flags' default), the payload ^ 0xff, nothing past it
    EXPECT_EQ(*out.answer, hex("06 43 43 50  01 00 00 00  07 00 00 00  01 00 cd ab  fe fd fc"));
}

TEST_F(EchoTest, AWholeSharedMemory) {
    Bytes request = hex("05 43 43 50  03 00  00 00");
    request.resize(4096);
    for (std::size_t i = 8; i < request.size(); ++i) {
        request[i] = static_cast<std::uint8_t>(i * 7);
    }
    const auto out = ask(5, Layout::generic, request);
    ASSERT_TRUE(out.answer);
    ASSERT_EQ(out.answer->size(), 4096u);
    EXPECT_EQ(Bytes(out.answer->begin(), out.answer->begin() + 8), hex("05 43 43 50 03 00 01 00"));
    for (std::size_t i = 8; i < request.size(); ++i) {
        ASSERT_EQ((*out.answer)[i], static_cast<std::uint8_t>(~(i * 7))) << "byte " << i;
    }
}

TEST_F(EchoTest, RulesSelectOnTheCommand) {
    auto rules = parse_rules(
        "match channel=5 cmd=0xdd => drop\n"
        "match channel=5 cmd=0xee => error 1\n"
        "match channel=6 cmd=0xdd => drop\n");
    ASSERT_TRUE(rules) << rules.error();
    engine_.set_rules(std::move(*rules));
    EXPECT_FALSE(ask(5, Layout::generic, hex("05 43 43 50  dd 00  00 00  01")).answer);
    // the error bit, the space unchanged
    EXPECT_EQ(*ask(5, Layout::generic, hex("05 43 43 50  ee 00  00 00  01")).answer,
              hex("05 43 43 50  ee 00  05 00  01"));
    EXPECT_FALSE(
        ask(6, Layout::extended, hex("06 43 43 50  01 00 00 00  05 00 00 00  dd 00 00 00  01"))
            .answer);
    EXPECT_EQ(*ask(5, Layout::generic, hex("05 43 43 50  01 00  00 00  01")).answer,
              hex("05 43 43 50  01 00  01 00  fe"));
    EXPECT_EQ(counters().get("rules.dropped"), 2u);
}

TEST_F(EchoTest, NotificationsOnTheResponder) {
    EXPECT_EQ(*engine_.make_notification(7, Layout::extended, hex("a1 b2 c3"), false),
              hex("07 43 43 50  01 00 00 00  07 00 00 00  00 00 00 00  a1 b2 c3"));
    engine_.set_setting("echo.command", "0x11223344");
    engine_.set_setting("pcc.flags", "0");
    EXPECT_EQ(*engine_.make_notification(7, Layout::extended, hex("a1"), false),
              hex("07 43 43 50  00 00 00 00  05 00 00 00  44 33 22 11  a1"));
    // 48 bytes fill the 64 of the subspace; 49 do not
    EXPECT_TRUE(engine_.make_notification(7, Layout::extended, Bytes(48, 1), false));
    const auto too_big = engine_.make_notification(7, Layout::extended, Bytes(49, 1), false);
    ASSERT_FALSE(too_big);
    EXPECT_NE(too_big.error().find("does not fit"), std::string::npos) << too_big.error();
    EXPECT_EQ(counters().get("echo.notifications"), 3u);
}

TEST_F(EchoTest, PcapHoldsEveryMessageWhole) {
    test::TempDir dir;
    const auto path = dir.path() / "echo.pcapng";
    auto pcap = PcapngWriter::create(path.string());
    ASSERT_TRUE(pcap) << pcap.error();
    engine_.set_pcap(std::move(*pcap));
    const Bytes request = hex("06 43 43 50  01 00 00 00  05 00 00 00  02 00 00 00  42  77 77");
    const auto out = ask(6, Layout::extended, request);
    ASSERT_TRUE(out.answer);
    engine_.record_sent(6, Layout::extended, MessageKind::response, *out.answer, "test");
    const Bytes file = test::read_file(path);
    // SLL2: protocol 0x88b5, reserved, ifindex 6, ARPHRD_NONE, packet type
    // (0 host: from the guest, 4 outgoing), address length 0, 8 address bytes
    const Bytes in =
        hex("88 b5 00 00  00 00 00 06  ff fe  00 00  00 00 00 00 00 00 00 00"
            "06 43 43 50  01 00 00 00  05 00 00 00  02 00 00 00  42");
    const Bytes sent =
        hex("88 b5 00 00  00 00 00 06  ff fe  04 00  00 00 00 00 00 00 00 00"
            "06 43 43 50  01 00 00 00  05 00 00 00  02 00 00 00  bd");
    const auto has = [&](const Bytes& b) {
        return std::search(file.begin(), file.end(), b.begin(), b.end()) != file.end();
    };
    EXPECT_TRUE(has(in)) << "the request, without the shared memory past the message";
    EXPECT_TRUE(has(sent)) << "the answer";
}

}  // namespace
}  // namespace pccd
