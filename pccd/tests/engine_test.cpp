// SPDX-License-Identifier: GPL-2.0-or-later
// The engine with the MCTP control and PLDM base personalities, fed whole PCC
// messages; requests and expected answers are written out by hand from
// ACPI 6.5 14.2.3, DSP0292, DSP0236 and DSP0240.
#include <gtest/gtest.h>

#include "engine.hpp"
#include "log.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

using test::hex;

// Requests on channel 0 (subspace 0, flags 1), from EID 9 to EID 8, TO=1 tag 0.
constexpr const char* kReqHead = "00 43 43 50  01 00 00 00";
// Answers go to subspace 1, flags 1, from 8 to 9, TO=0 tag 0.
constexpr const char* kRspHead = "01 43 43 50  01 00 00 00";

Bytes request(const char* length, const char* mctp_message,
              const char* mctp_header = "01 08 09 c8") {
    return hex(std::string(kReqHead) + " " + length + " 00 00 00  4d 43 54 50 " + mctp_header +
               " " + mctp_message);
}
Bytes answer(const char* length, const char* mctp_message,
             const char* mctp_header = "01 09 08 c0") {
    return hex(std::string(kRspHead) + " " + length + " 00 00 00  4d 43 54 50 " + mctp_header +
               " " + mctp_message);
}

class EngineTest : public ::testing::Test {
  protected:
    EngineTest() : engine_(make_state()) { set_log_level(LogLevel::error); }
    static PlatformState make_state() {
        PlatformState s;
        s.eid = s.static_eid = 8;
        for (std::uint8_t i = 0; i < 16; ++i) {
            s.uuid[i] = i;
        }
        s.vendor_sets.push_back({false, 0x1af4, 0x0001});
        return s;
    }
    std::optional<Bytes> ask(const Bytes& message, unsigned channel = 0,
                             Layout layout = Layout::extended) {
        return engine_.handle_request(channel, layout, message, "test").answer;
    }
    Engine engine_;
};

TEST_F(EngineTest, GetEndpointId) {
    // control: IC=0 type 0 | Rq=1 iid 0 | cmd 02
    EXPECT_EQ(ask(request("0b", "00 80 02")),
              // CC 00, EID 08, type: simple endpoint, static EID matching (10b), medium 00
              answer("0f", "00 00 02 00  08 02 00"));
}

TEST_F(EngineTest, ResponseKeepsTagAndClearsTagOwner) {
    EXPECT_EQ(ask(request("0b", "00 85 02", "01 08 09 cd")),  // TO=1 tag 5, iid 5
              answer("0f", "00 05 02 00  08 02 00", "01 09 08 c5"));
}

TEST_F(EngineTest, SetEndpointIdThenGet) {
    // operation 00 (set), EID 0x0a -> accepted, no pool: 00, EID 0a, pool size 00
    EXPECT_EQ(ask(request("0d", "00 81 01 00 0a")), answer("0f", "00 01 01 00  00 0a 00"));
    // Now addressed as 0x0a; the static EID (8) no longer matches: type 11b.
    EXPECT_EQ(ask(request("0b", "00 82 02", "01 0a 09 c8")),
              answer("0f", "00 02 02 00  0a 03 00", "01 09 0a c0"));
    // The old EID is no longer ours.
    EXPECT_FALSE(ask(request("0b", "00 83 02")));
    // Reset EID (operation 10b) returns to the static EID.
    EXPECT_EQ(ask(request("0d", "00 84 01 02 00", "01 0a 09 c8")),
              answer("0f", "00 04 01 00  00 08 00", "01 09 0a c0"));
}

TEST_F(EngineTest, SetEndpointIdRejectsSpecialEidsAndDiscovery) {
    EXPECT_EQ(ask(request("0d", "00 81 01 00 00")), answer("0c", "00 01 01 02"));  // null EID
    EXPECT_EQ(ask(request("0d", "00 81 01 01 ff")), answer("0c", "00 01 01 02"));  // broadcast
    EXPECT_EQ(ask(request("0d", "00 81 01 03 00")),
              answer("0c", "00 01 01 02"));                                     // discovered flag
    EXPECT_EQ(ask(request("0c", "00 81 01 00")), answer("0c", "00 01 01 03"));  // too short
}

TEST_F(EngineTest, NullDestinationEidIsAcceptedForControl) {
    EXPECT_EQ(ask(request("0b", "00 80 02", "01 00 09 c8")),
              answer("0f", "00 00 02 00  08 02 00", "01 09 00 c0"));
}

TEST_F(EngineTest, GetEndpointUuid) {
    EXPECT_EQ(ask(request("0b", "00 80 03")),
              answer("1c", "00 00 03 00  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"));
}

TEST_F(EngineTest, GetMctpVersionSupport) {
    // FFh: base specification -> 1 entry, 1.3.1 = F1 F3 F1 00
    EXPECT_EQ(ask(request("0c", "00 80 04 ff")), answer("11", "00 00 04 00  01  f1 f3 f1 00"));
    EXPECT_EQ(ask(request("0c", "00 80 04 00")), answer("11", "00 00 04 00  01  f1 f3 f1 00"));
    EXPECT_EQ(ask(request("0c", "00 80 04 01")), answer("11", "00 00 04 00  01  f1 f0 f0 00"));
    // SPDM (5) is not supported: 80h, no further data
    EXPECT_EQ(ask(request("0c", "00 80 04 05")), answer("0c", "00 00 04 80"));
}

TEST_F(EngineTest, GetMessageTypeSupport) {
    // count 1, PLDM (the control type itself is not listed)
    EXPECT_EQ(ask(request("0b", "00 80 05")), answer("0e", "00 00 05 00  01 01"));
    engine_.set_setting("mctp.extra-types", "0x7e,5");
    EXPECT_EQ(ask(request("0b", "00 80 05")), answer("10", "00 00 05 00  03 01 7e 05"));
}

TEST_F(EngineTest, GetVendorDefinedMessageSupport) {
    // next selector FFh (none), format 00 (PCI), vendor 1af4 MSB first, command set 0001
    EXPECT_EQ(ask(request("0c", "00 80 06 00")), answer("12", "00 00 06 00  ff 00 1a f4 00 01"));
    EXPECT_EQ(ask(request("0c", "00 80 06 01")), answer("0c", "00 00 06 02"));
}

TEST_F(EngineTest, UnknownControlCommandGetsUnsupported) {
    EXPECT_EQ(ask(request("0b", "00 80 0a")), answer("0c", "00 00 0a 05"));
    EXPECT_EQ(ask(request("0b", "00 9f f0")), answer("0c", "00 1f f0 05"));
}

TEST_F(EngineTest, MessagesFromTheGuestThatAreNotRequestsAreNotAnswered) {
    EXPECT_FALSE(ask(request("0c", "00 00 02 00", "01 08 09 c0")));  // TO=0
    EXPECT_FALSE(ask(request("0b", "00 00 02")));                    // Rq=0
    EXPECT_FALSE(ask(request("0b", "00 80 02", "01 08 09 88")));     // SOM without EOM
    EXPECT_FALSE(ask(request("0b", "00 80 02", "01 33 09 c8")));     // not our EID
    EXPECT_FALSE(ask(request("0b", "05 80 02")));                    // SPDM: no personality
}

TEST_F(EngineTest, MalformedMessagesAreRejectedAndCounted) {
    const auto before = counters().get("bad.message");
    auto outcome = engine_.handle_request(0, Layout::extended, hex("00 43 43 50 01 00"), "test");
    EXPECT_FALSE(outcome.answer);
    EXPECT_NE(outcome.rejected.find("shorter"), std::string::npos);
    // a length that lies
    outcome = engine_.handle_request(
        0, Layout::extended, hex("00 43 43 50 01 00 00 00 40 00 00 00 4d 43 54 50 01 08 09 c8 00"),
        "test");
    EXPECT_NE(outcome.rejected.find("length"), std::string::npos);
    // MCTP packet shorter than its header
    outcome = engine_.handle_request(
        0, Layout::extended, hex("00 43 43 50 01 00 00 00 06 00 00 00 4d 43 54 50 01 08"), "test");
    EXPECT_FALSE(outcome.rejected.empty());
    outcome = engine_.handle_request(300, Layout::extended, request("0b", "00 80 02"), "test");
    EXPECT_NE(outcome.rejected.find("channel"), std::string::npos);
    EXPECT_EQ(counters().get("bad.message"), before + 4);
}

TEST_F(EngineTest, UnknownPccCommandIsNotAnswered) {
    EXPECT_FALSE(ask(hex("00 43 43 50 01 00 00 00 06 00 00 00 58 59 5a 57 01 02")));
}

// --- PLDM base over MCTP type 1 ---

TEST_F(EngineTest, PldmGetTid) {
    // MCTP type 01 | Rq=1 iid 0 | hdr ver 0 type 0 | cmd 02
    EXPECT_EQ(ask(request("0c", "01 80 00 02")), answer("0e", "01 00 00 02  00 01"));
}

TEST_F(EngineTest, PldmSetTidThenGetTid) {
    EXPECT_EQ(ask(request("0d", "01 81 00 01 05")), answer("0d", "01 01 00 01  00"));
    EXPECT_EQ(ask(request("0c", "01 82 00 02")), answer("0e", "01 02 00 02  00 05"));
    EXPECT_EQ(ask(request("0d", "01 83 00 01 ff")), answer("0d", "01 03 00 01  02"));
}

TEST_F(EngineTest, PldmGetPldmVersion) {
    // handle 00000000, GetFirstPart (01), type 0
    EXPECT_EQ(ask(request("12", "01 81 00 03  00 00 00 00  01  00")),
              // CC, next handle 0, StartAndEnd (05), ver32 1.1.0 (F1F1F000 LE), CRC-32 LE
              answer("1a", "01 01 00 03  00  00 00 00 00  05  00 f0 f1 f1  ba be 9d 53"));
    // type 2 is not supported: INVALID_PLDM_TYPE_IN_REQUEST_DATA
    EXPECT_EQ(ask(request("12", "01 81 00 03  00 00 00 00  01  02")),
              answer("0d", "01 01 00 03  83"));
    // GetNextPart with no multipart transfer going on
    EXPECT_EQ(ask(request("12", "01 81 00 03  00 00 00 00  00  00")),
              answer("0d", "01 01 00 03  80"));
    // bad transfer operation flag
    EXPECT_EQ(ask(request("12", "01 81 00 03  00 00 00 00  07  00")),
              answer("0d", "01 01 00 03  81"));
    EXPECT_EQ(ask(request("0d", "01 81 00 03  00")), answer("0d", "01 01 00 03  03"));
}

TEST_F(EngineTest, PldmGetPldmTypes) {
    EXPECT_EQ(ask(request("0c", "01 82 00 04")),
              answer("15", "01 02 00 04  00  01 00 00 00 00 00 00 00"));
}

TEST_F(EngineTest, PldmGetPldmCommands) {
    // type 0, version F1F1F000
    EXPECT_EQ(ask(request("11", "01 83 00 05  00  00 f0 f1 f1")),
              // commands 1..5: bits 1-5 of byte 0 = 3Eh
              answer("2d",
                     "01 03 00 05  00  3e 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00"
                     "00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00"));
    EXPECT_EQ(ask(request("11", "01 83 00 05  00  00 f0 f0 f1")), answer("0d", "01 03 00 05  84"));
    EXPECT_EQ(ask(request("11", "01 83 00 05  02  00 f0 f1 f1")), answer("0d", "01 03 00 05  83"));
}

TEST_F(EngineTest, PldmUnsupportedCommandAndType) {
    EXPECT_EQ(ask(request("0c", "01 80 00 7f")), answer("0d", "01 00 00 7f  05"));
    // PLDM type 2 (platform monitoring): ERROR_INVALID_PLDM_TYPE
    EXPECT_EQ(ask(request("0c", "01 80 02 01")), answer("0d", "01 00 02 01  20"));
}

// --- rules before personalities ---

TEST_F(EngineTest, RuleAnswersANewMessageType) {
    auto rules = parse_rules("match type=0x7e => reply 7e $1&1f 01 02\n");
    ASSERT_TRUE(rules) << rules.error();
    engine_.set_rules(*rules);
    EXPECT_EQ(ask(request("0d", "7e 93 aa bb 00", "01 08 09 c9")),
              answer("0c", "7e 13 01 02", "01 09 08 c1"));
}

TEST_F(EngineTest, RuleErrorDropDelayAndOrder) {
    auto rules = parse_rules(
        "match type=0 cmd=0x02 @21=80/80 => error 0x01   # Get EID, Rq set\n"
        "match type=0 cmd=0x03 => drop\n"
        "match type=1 => delay 250\n"
        "match type=0 => reply-raw de ad $0\n");
    ASSERT_TRUE(rules) << rules.error();
    engine_.set_rules(*rules);
    EXPECT_EQ(ask(request("0b", "00 80 02")), answer("0c", "00 00 02 01"));
    EXPECT_FALSE(ask(request("0b", "00 80 03")));
    auto delayed = engine_.handle_request(0, Layout::extended, request("0c", "01 80 00 02"), "t");
    EXPECT_EQ(delayed.delay_ms, 250u);
    EXPECT_EQ(delayed.answer, answer("0e", "01 00 00 02  00 01"));  // personality answer
    EXPECT_EQ(ask(request("0b", "00 80 05")), hex("de ad 00"));     // raw: $0 = raw byte 0
    EXPECT_GE(counters().get("rules.line1"), 1u);
}

TEST_F(EngineTest, PldmErrorRule) {
    auto rules = parse_rules("match type=1 pldm-type=0 cmd=2 => error 0x04\n");
    ASSERT_TRUE(rules);
    engine_.set_rules(*rules);
    EXPECT_EQ(ask(request("0c", "01 80 00 02")), answer("0d", "01 00 00 02  04"));
}

// A generic personality registered from outside the core: the extension
// mechanism a new personality uses.
class ReversingPersonality final : public Personality {
  public:
    using Personality::Personality;
    std::optional<Bytes> answer(const DecodedMessage& m) override {
        Bytes space(m.generic->space.rbegin(), m.generic->space.rend());
        if (auto v = context().setting("test.first")) {
            space[0] = static_cast<std::uint8_t>(std::stoi(*v));
        }
        return context().generic_answer(m, kStatusCommandComplete, space);
    }
};
const PersonalityRegistrar<ReversingPersonality> kRegisterReversing(
    PersonalityInfo("test-reverse", "reverses the space")
        .serves("test-reverse-device")
        .subspace(0, 2, SubspaceRole::mailbox));

TEST_F(EngineTest, GenericLayoutRoutesByChannel) {
    const Bytes req = hex("02 43 43 50  07 00  00 00  01 02 03 04");
    EXPECT_FALSE(ask(req, 2, Layout::generic));  // nothing bound
    EXPECT_FALSE(engine_.bind(2, "no-such-personality"));
    ASSERT_TRUE(engine_.bind(2, "test-reverse"));
    // Same subspace, same command, status: command complete
    EXPECT_EQ(ask(req, 2, Layout::generic), hex("02 43 43 50  07 00  01 00  04 03 02 01"));
    engine_.set_setting("test.first", "9");
    EXPECT_EQ(ask(req, 2, Layout::generic), hex("02 43 43 50  07 00  01 00  09 03 02 01"));
    auto rules = parse_rules(
        "match channel=2 layout=gen cmd=7 => error 1\n"
        "match channel=2 cmd=8 => reply aa\n");
    ASSERT_TRUE(rules);
    engine_.set_rules(*rules);
    // error: status complete | error, space unchanged
    EXPECT_EQ(ask(req, 2, Layout::generic), hex("02 43 43 50  07 00  05 00  01 02 03 04"));
    // reply: padded to the request's space size
    EXPECT_EQ(ask(hex("02 43 43 50  08 00  00 00  01 02 03 04"), 2, Layout::generic),
              hex("02 43 43 50  08 00  01 00  aa 00 00 00"));
}

TEST_F(EngineTest, Notifications) {
    // No request seen yet: dest is the null EID; TO=1, tags count up.
    EXPECT_EQ(*engine_.make_notification(0, Layout::extended, hex("7e 01"), false),
              hex("01 43 43 50 01 00 00 00 0a 00 00 00 4d 43 54 50  01 00 08 c8  7e 01"));
    EXPECT_EQ(*engine_.make_notification(0, Layout::extended, hex("7e 01"), false, 0x20),
              hex("01 43 43 50 01 00 00 00 0a 00 00 00 4d 43 54 50  01 20 08 c9  7e 01"));
    ask(request("0b", "00 80 02"));  // learns the requester, EID 9
    EXPECT_EQ(*engine_.make_notification(0, Layout::extended, hex("7e 01"), false),
              hex("01 43 43 50 01 00 00 00 0a 00 00 00 4d 43 54 50  01 09 08 ca  7e 01"));
    EXPECT_EQ(*engine_.make_notification(4, Layout::generic, hex("11 22"), false),
              hex("04 43 43 50  00 00  08 00  11 22"));
    EXPECT_EQ(*engine_.make_notification(4, Layout::generic, hex("11 22"), true), hex("11 22"));
}

}  // namespace
}  // namespace pccd

namespace pccd {
namespace {

// Random bytes behind valid-looking headers: never a crash, every outcome
// either an answer, nothing, or a rejection with a reason.
TEST(EngineRobustness, RandomInputNeverCrashes) {
    set_log_level(LogLevel::error);
    Engine engine;
    auto rules = parse_rules("match @30=ff => reply $40 $0\nmatch type=1 cmd=9 => error 3\n");
    ASSERT_TRUE(rules);
    engine.set_rules(*rules);
    std::uint32_t seed = 12345;
    auto next = [&seed] {
        seed = seed * 1103515245u + 12345u;
        return static_cast<std::uint8_t>(seed >> 16);
    };
    for (int i = 0; i < 20000; ++i) {
        Bytes m(next() % 48);
        for (auto& b : m) {
            b = next();
        }
        const bool generic = (i % 5) == 0;
        if (m.size() >= 4) {
            m[1] = 0x43, m[2] = 0x43, m[3] = 0x50;
        }
        if (!generic && m.size() >= 21) {
            m[8] = static_cast<std::uint8_t>(m.size() - 12 - (next() % 3));
            m[9] = m[10] = m[11] = 0;
            m[12] = 'M', m[13] = 'C', m[14] = 'T', m[15] = 'P';
            m[16] = 0x01;
            m[17] = 8;
            m[20] &= 0x01;
        }
        engine.handle_request(next() % 4, generic ? Layout::generic : Layout::extended, m, "fuzz");
    }
    SUCCEED();
}

}  // namespace
}  // namespace pccd
