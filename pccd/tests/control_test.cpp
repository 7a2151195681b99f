// SPDX-License-Identifier: GPL-2.0-or-later
// The control protocol's parser and formatter (src/control.hpp), with good
// and bad lines, and the daemon executing parsed commands.
#include <gtest/gtest.h>

#include "control.hpp"
#include "daemon.hpp"
#include "log.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

using test::hex;

TEST(ControlLine, ParsesEveryCommand) {
    auto send = parse_control_line("send 4 gen raw dest=9 0102 ff");
    ASSERT_TRUE(send) << send.error();
    ASSERT_TRUE(std::holds_alternative<SendCommand>(*send));
    const auto& s = std::get<SendCommand>(*send);
    EXPECT_EQ(s.channel, 4u);
    EXPECT_EQ(s.layout, Layout::generic);
    EXPECT_TRUE(s.raw);
    EXPECT_EQ(s.destination, 9);
    EXPECT_EQ(s.bytes, hex("01 02 ff"));
    auto wrap = parse_control_line("  send 0x10 ext wrap 7e\t01\r");
    ASSERT_TRUE(wrap) << wrap.error();
    EXPECT_EQ(std::get<SendCommand>(*wrap),
              (SendCommand{16, Layout::extended, false, std::nullopt, hex("7e 01")}));
    EXPECT_EQ(*parse_control_line("set xgene.temp_c -7"),
              ControlCommand(SetCommand{"xgene.temp_c", "-7"}));
    EXPECT_EQ(*parse_control_line("get demo.key"), ControlCommand(GetCommand{"demo.key"}));
    EXPECT_EQ(*parse_control_line("stats"), ControlCommand(StatsCommand{}));
    EXPECT_EQ(*parse_control_line("reload\n"), ControlCommand(ReloadCommand{}));
    EXPECT_EQ(*parse_control_line("reload /run/lab/late.rules"),
              ControlCommand(ReloadCommand{"/run/lab/late.rules"}));
}

TEST(ControlLine, BadLinesSayWhy) {
    struct Case {
        std::string line;
        const char* error;
    } cases[] = {
        {"", "empty command"},
        {"   \t ", "empty command"},
        {"frobnicate", "unknown command (send, set, get, stats, reload)"},
        {"SEND 0 ext raw 01", "unknown command"},
        {"send 0 ext raw", "send takes CHANNEL"},
        {"send 256 ext raw 01", "bad channel"},
        {"send -1 ext raw 01", "bad channel"},
        {"send x ext raw 01", "bad channel"},
        {"send 0 foo raw 01", "layout must be ext or gen"},
        {"send 0 ext both 01", "mode must be wrap or raw"},
        {"send 0 ext wrap dest=300 01", "bad dest"},
        {"send 0 ext wrap dest= 01", "bad dest"},
        {"send 0 ext wrap 0g", "bad hex 0g"},
        {"send 0 ext wrap 012", "bad hex 012"},
        {"send 0 ext wrap dest=9", "no bytes"},
        {"set onlykey", "set takes KEY VALUE"},
        {"set k v extra", "set takes KEY VALUE"},
        {"get", "get takes KEY"},
        {"get a b", "get takes KEY"},
        {"stats now", "stats takes no arguments"},
        {"reload x y", "reload takes [FILE]"},
        {std::string(kMaxControlLine + 1, 'x'), "line too long"},
        {std::string("send 0 ext raw 01\0 02", 21), "bad hex"},
    };
    for (const auto& c : cases) {
        auto parsed = parse_control_line(c.line);
        ASSERT_FALSE(parsed) << c.line.substr(0, 40);
        EXPECT_EQ(parsed.error().rfind(c.error, 0), 0u)
            << c.line.substr(0, 40) << " -> " << parsed.error();
    }
}

TEST(ControlLine, FormatsWhatItParses) {
    const ControlCommand commands[] = {
        SendCommand{2, Layout::generic, true, 0x20, hex("02 43 43 50")},
        SendCommand{0, Layout::extended, false, std::nullopt, hex("7e 01")},
        SetCommand{"xgene.temp_c", "91"},
        GetCommand{"demo.key"},
        StatsCommand{},
        ReloadCommand{},
        ReloadCommand{"/etc/pccd/lab.rules"},
    };
    for (const ControlCommand& c : commands) {
        auto line = format_control_line(c);
        ASSERT_TRUE(line) << line.error();
        auto back = parse_control_line(*line);
        ASSERT_TRUE(back) << *line << ": " << back.error();
        EXPECT_EQ(*back, c) << *line;
    }
    EXPECT_EQ(*format_control_line(SendCommand{2, Layout::extended, false, 9, hex("7e 01")}),
              "send 2 ext wrap dest=9 7e 01");
    // What one line cannot carry.
    EXPECT_FALSE(format_control_line(SetCommand{"key", "two words"}));
    EXPECT_FALSE(format_control_line(SetCommand{"", "v"}));
    EXPECT_FALSE(format_control_line(GetCommand{"a\nstats"}));
    EXPECT_FALSE(format_control_line(ReloadCommand{"my rules"}));
    EXPECT_FALSE(format_control_line(SendCommand{0, Layout::extended, false, std::nullopt, {}}));
}

TEST(ControlReply, FormatsAndParses) {
    EXPECT_EQ(format_control_reply(ControlReply::success()), "ok");
    EXPECT_EQ(format_control_reply(ControlReply::success("1")), "ok 1");
    EXPECT_EQ(format_control_reply(ControlReply::failure("no setting x")), "error no setting x");
    auto ok = parse_control_reply("ok rx.messages=1\n");
    ASSERT_TRUE(ok);
    EXPECT_TRUE(ok->ok);
    EXPECT_EQ(ok->text, "rx.messages=1");
    auto error = parse_control_reply("error bad channel");
    ASSERT_TRUE(error);
    EXPECT_FALSE(error->ok);
    EXPECT_EQ(error->text, "bad channel");
    EXPECT_TRUE(parse_control_reply("ok")->ok);
    EXPECT_FALSE(parse_control_reply(""));
    EXPECT_FALSE(parse_control_reply("okay"));
    EXPECT_FALSE(parse_control_reply("errors"));
}

// The daemon executes the parsed commands (no transports needed for these).
TEST(ControlCommands, DaemonExecutes) {
    set_log_level(LogLevel::error);
    Daemon daemon(DaemonOptions{});
    EXPECT_EQ(daemon.control_command("set demo.key 5"), "ok");
    EXPECT_EQ(daemon.control_command("get demo.key"), "ok 5");
    EXPECT_EQ(daemon.control_command("get missing"), "error no setting missing");
    EXPECT_EQ(daemon.control_command("send 300 ext raw 01"), "error bad channel");
    EXPECT_EQ(daemon.control_command("send 0 ext raw 01"), "error no transport");
    EXPECT_EQ(daemon.control_command("bogus"),
              "error unknown command (send, set, get, stats, reload)");
    EXPECT_EQ(daemon.control_command("stats").rfind("ok ", 0), 0u);
    EXPECT_EQ(daemon.control_command("reload"), "error reload failed, old rules kept (see log)");
}

// reload FILE switches the rules file; one that does not load changes nothing.
TEST(ControlCommands, ReloadFromAnotherFile) {
    set_log_level(LogLevel::error);
    test::TempDir dir;
    test::write_file(dir.path() / "late.rules", "match channel=3 => delay 1500\n");
    test::write_file(dir.path() / "bad.rules", "match nonsense\n");
    Daemon daemon(DaemonOptions{});
    EXPECT_EQ(daemon.control_command("reload " + (dir.path() / "late.rules").string()),
              "ok rules reloaded");
    EXPECT_EQ(daemon.engine().rules().rules.size(), 1u);
    EXPECT_EQ(daemon.control_command("reload"), "ok rules reloaded");  // late.rules again
    EXPECT_EQ(daemon.control_command("reload " + (dir.path() / "bad.rules").string()),
              "error reload failed, old rules kept (see log)");
    EXPECT_EQ(daemon.control_command("reload " + (dir.path() / "missing.rules").string()),
              "error reload failed, old rules kept (see log)");
    EXPECT_EQ(daemon.engine().rules().rules.size(), 1u);
    test::write_file(dir.path() / "late.rules", "# none\n");
    EXPECT_EQ(daemon.control_command("reload"), "ok rules reloaded");  // still late.rules
    EXPECT_TRUE(daemon.engine().rules().rules.empty());
}

}  // namespace
}  // namespace pccd
