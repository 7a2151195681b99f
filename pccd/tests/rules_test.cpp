// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "engine.hpp"
#include "log.hpp"
#include "rules.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

using test::hex;

TEST(Rules, ParsesEveryStatement) {
    auto set = parse_rules(R"(# comment line
match channel=0 layout=ext pcc=MCTP type=0 cmd=0x05 => reply 00 $1&1f 05 00 01 01
match type=1 pldm-type=0 cmd=2 @20=01 @21=80/80 => delay 100ms error 0x04
match pcc=0x12345678 => reply-raw 01 02 $3
match layout=gen channel=2 => delay 20
match type=0x7e => drop     # trailing comment
match => pass
every 1000 channel=0 => notify 7e 01 02
after 50ms channel=3 layout=gen dest=9 => notify-raw 03 43 43 50 00 00 08 00
set hwmon.temp0 45000
)");
    ASSERT_TRUE(set) << set.error();
    ASSERT_EQ(set->rules.size(), 6u);
    const Rule& r0 = set->rules[0];
    EXPECT_EQ(r0.line, 2);
    EXPECT_EQ(r0.match.channel, 0u);
    EXPECT_EQ(r0.match.layout, Layout::extended);
    EXPECT_EQ(r0.match.pcc_command, 0x5054434du);
    EXPECT_EQ(r0.match.mctp_type, 0);
    EXPECT_EQ(r0.match.command, 5u);
    EXPECT_EQ(r0.action, RuleAction::reply);
    ASSERT_EQ(r0.bytes.size(), 6u);
    EXPECT_TRUE(r0.bytes[1].copy);
    EXPECT_EQ(r0.bytes[1].offset, 1u);
    EXPECT_EQ(r0.bytes[1].value, 0x1f);
    const Rule& r1 = set->rules[1];
    EXPECT_EQ(r1.delay_ms, 100u);
    EXPECT_EQ(r1.action, RuleAction::error);
    EXPECT_EQ(r1.code, 4);
    EXPECT_EQ(r1.match.pldm_type, 0);
    ASSERT_EQ(r1.match.bytes.size(), 2u);
    EXPECT_EQ(r1.match.bytes[1].offset, 21u);
    EXPECT_EQ(r1.match.bytes[1].mask, hex("80"));
    EXPECT_EQ(set->rules[2].action, RuleAction::reply_raw);
    EXPECT_EQ(set->rules[2].match.pcc_command, 0x12345678u);
    EXPECT_EQ(set->rules[3].action, RuleAction::pass);
    EXPECT_EQ(set->rules[3].delay_ms, 20u);
    EXPECT_EQ(set->rules[4].action, RuleAction::drop);
    ASSERT_EQ(set->timed.size(), 2u);
    EXPECT_TRUE(set->timed[0].repeat);
    EXPECT_EQ(set->timed[0].interval_ms, 1000u);
    EXPECT_FALSE(set->timed[0].raw);
    EXPECT_EQ(set->timed[0].bytes, hex("7e 01 02"));
    EXPECT_FALSE(set->timed[1].repeat);
    EXPECT_EQ(set->timed[1].channel, 3u);
    EXPECT_EQ(set->timed[1].layout, Layout::generic);
    EXPECT_EQ(set->timed[1].dest_eid, 9);
    EXPECT_TRUE(set->timed[1].raw);
    ASSERT_EQ(set->settings.size(), 1u);
    EXPECT_EQ(set->settings[0].first, "hwmon.temp0");
    EXPECT_EQ(set->settings[0].second, "45000");
}

TEST(Rules, BadFilesNameTheLine) {
    struct Case {
        const char* text;
        const char* error;
    } cases[] = {
        {"match chanel=1 => drop", "line 1: unknown selector 'chanel=1'"},
        {"\n\nmatch channel=256 => drop", "line 3: bad channel"},
        {"match type=1", "line 1: missing '=>'"},
        {"match type=1 =>", "line 1: missing action"},
        {"match type=1 => explode", "line 1: unknown action 'explode'"},
        {"match type=1 => reply 0g", "line 1: bad hex bytes '0g'"},
        {"match type=1 => reply", "line 1: reply needs bytes"},
        {"match type=1 => error", "line 1: error takes one completion code"},
        {"match type=1 => error 0x100", "line 1: bad completion code"},
        {"match type=1 => drop now", "line 1: drop takes no arguments"},
        {"match type=1 => delay", "line 1: delay needs milliseconds"},
        {"match type=1 => delay 9999999999", "line 1: bad milliseconds"},
        {"match @x=01 => drop", "line 1: bad offset"},
        {"match @4=0102/ff => drop", "line 1: mask in '@4=0102/ff' must have as many bytes"},
        {"match type=200 => drop", "line 1: bad MCTP message type"},
        {"every 0 channel=1 => notify 01", "line 1: every needs at least 1 ms"},
        {"every 10 => notify 01", "line 1: timed rule needs channel=N"},
        {"after 10 channel=1 => reply 01", "line 1: timed rule needs '=> notify"},
        {"after 10 channel=1 => notify", "line 1: notify needs bytes"},
        {"set onlykey", "line 1: set takes KEY VALUE"},
        {"frobnicate", "line 1: unknown statement 'frobnicate'"},
    };
    for (const auto& c : cases) {
        auto set = parse_rules(c.text);
        ASSERT_FALSE(set) << c.text;
        EXPECT_EQ(set.error().rfind(c.error, 0), 0u) << c.text << " -> " << set.error();
    }
}

TEST(Rules, MatchingAndFirstMatchWins) {
    auto set = parse_rules(
        "match channel=1 => drop\n"
        "match type=0 cmd=2 @21=80/c0 => error 1\n"
        "match type=0 => pass\n");
    ASSERT_TRUE(set);
    // The fields rules select on come from the channel's personality (MCTP).
    set_log_level(LogLevel::error);
    Engine engine;
    auto decode_message = [&engine](unsigned channel, Layout layout, MessageKind kind,
                                    const Bytes& raw) {
        return engine.decode(channel, layout, kind, raw);
    };
    const Bytes get_eid =
        hex("00 43 43 50 01 00 00 00 0b 00 00 00 4d 43 54 50 01 08 09 c8 00 80 02");
    auto m0 = decode_message(0, Layout::extended, MessageKind::request, get_eid);
    ASSERT_TRUE(m0);
    EXPECT_EQ(set->find(*m0)->line, 2);
    auto m1 = decode_message(1, Layout::extended, MessageKind::request, get_eid);
    EXPECT_EQ(set->find(*m1)->line, 1);
    const Bytes datagram =
        hex("00 43 43 50 01 00 00 00 0b 00 00 00 4d 43 54 50 01 08 09 c8 00 c0 02");
    auto m2 = decode_message(0, Layout::extended, MessageKind::request, datagram);
    EXPECT_EQ(set->find(*m2)->line, 3);  // D bit set: @21=80/c0 fails
    const Bytes pldm =
        hex("00 43 43 50 01 00 00 00 0c 00 00 00 4d 43 54 50 01 08 09 c8 01 80 00 02");
    auto m3 = decode_message(0, Layout::extended, MessageKind::request, pldm);
    EXPECT_EQ(set->find(*m3), nullptr);
    // A byte match past the end does not match.
    auto far = parse_rules("match @100=00 => drop");
    EXPECT_EQ(far->find(*m0), nullptr);
}

TEST(Rules, TemplateCopiesRequestBytes) {
    ByteTemplate t{{false, 0, 0xaa}, {true, 1, 0x1f}, {true, 9, 0xff}};
    EXPECT_EQ(instantiate(t, hex("00 93")), hex("aa 13 00"));
}

TEST(Rules, LoadsFilesAndRefusesSymlinks) {
    test::TempDir dir;
    const std::string path = dir.str() + "/rules";
    std::ofstream(path) << "match type=1 => drop\n";
    auto set = load_rules_file(path);
    ASSERT_TRUE(set) << set.error();
    EXPECT_EQ(set->rules.size(), 1u);
    ASSERT_EQ(::symlink(path.c_str(), (dir.str() + "/link").c_str()), 0);
    EXPECT_FALSE(load_rules_file(dir.str() + "/link"));
    EXPECT_FALSE(load_rules_file(dir.str() + "/missing"));
    std::ofstream(path) << "match type=1 => drop\nbogus\n";
    auto bad = load_rules_file(path);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace pccd
