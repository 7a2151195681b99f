// SPDX-License-Identifier: GPL-2.0-or-later
// The console protocol (common/console_protocol.hpp): the guest's lines
// read back as the runner reads them, the runner's bookkeeping of a
// scenario's console (lab/runner/console.cpp), and /init's use of the
// protocol's words.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "console.hpp"
#include "console_protocol.hpp"

namespace {

namespace console = pcc::console;
using console::Status;

template <class T>
T parsed_as(std::string_view line) {
    const console::Line l = console::parse_line(line);
    EXPECT_TRUE(std::holds_alternative<T>(l)) << "line: " << line << ", kind " << l.index();
    return std::holds_alternative<T>(l) ? std::get<T>(l) : T{};
}

TEST(ConsoleProtocol, ResultLinesRoundTrip) {
    for (Status st : {Status::ok, Status::fail, Status::skip}) {
        const std::string line = console::result_line(st, "kmsg-detected", "pcc.c: Detected 4");
        const auto r = parsed_as<console::ResultLine>(line);
        EXPECT_EQ(r.status, st);
        EXPECT_EQ(r.name, "kmsg-detected");
        EXPECT_EQ(r.message, "pcc.c: Detected 4");
    }
    EXPECT_EQ(console::result_line(Status::skip, "a", "b c"), "PCC-RESULT skip a b c");
    EXPECT_EQ(console::info_line("kmsg", "<6>x"), "PCC-INFO kmsg <6>x");
    EXPECT_TRUE(std::holds_alternative<console::OtherLine>(console::parse_line("PCC-INFO a b")));
}

TEST(ConsoleProtocol, ResultLinesAmidKernelOutput) {
    // the kernel may print into the same console line
    const auto r = parsed_as<console::ResultLine>(
        "[    5.1] xgene-hwmon: probe   PCC-RESULT fail hwmon-x   read failed with ETIMEDOUT ");
    EXPECT_EQ(r.status, Status::fail);
    EXPECT_EQ(r.name, "hwmon-x");
    EXPECT_EQ(r.message, "read failed with ETIMEDOUT ");
    const auto bare = parsed_as<console::ResultLine>("PCC-RESULT ok lonely");
    EXPECT_EQ(bare.name, "lonely");
    EXPECT_EQ(bare.message, "");
    parsed_as<console::MalformedResult>("PCC-RESULT maybe x y");
    parsed_as<console::MalformedResult>("PCC-RESULT ");
    parsed_as<console::OtherLine>("PCC-RESULTok x y");
}

TEST(ConsoleProtocol, SummaryLines) {
    const console::Counts c{3, 1, 2};
    EXPECT_EQ(console::summary_line(c), "PCC-SUMMARY ok=3 fail=1 skip=2");
    EXPECT_EQ(parsed_as<console::SummaryLine>(console::summary_line(c)).counts, c);
    EXPECT_FALSE(parsed_as<console::SummaryLine>("PCC-SUMMARY garbled").counts);
}

TEST(ConsoleProtocol, LabLines) {
    const auto m = parsed_as<console::ModuleLine>("PCC-LAB-MODULE fail xgene_hwmon.ko");
    EXPECT_FALSE(m.ok);
    EXPECT_EQ(m.module, "xgene_hwmon.ko");
    EXPECT_TRUE(parsed_as<console::ModuleLine>("PCC-LAB-MODULE ok hwmon.ko").ok);
    EXPECT_EQ(console::host_step_line("set-temp"), "PCC-LAB-HOST set-temp");
    EXPECT_EQ(parsed_as<console::HostStepLine>("PCC-LAB-HOST  set-temp \r").step, "set-temp");
    EXPECT_EQ(console::run_line(2, "pcc-guest-check --host-step x"),
              "PCC-LAB-RUN 2 pcc-guest-check --host-step x");
    // the command of a run line may name a host step: it is a run line
    const auto run = parsed_as<console::RunLine>("PCC-LAB-RUN 2 echo PCC-LAB-HOST x");
    EXPECT_EQ(run.command, 2);
    EXPECT_EQ(run.text, "echo PCC-LAB-HOST x");
    EXPECT_EQ(parsed_as<console::RunLine>("PCC-LAB-RUN x").command, 0);
    const auto e = parsed_as<console::ExitLine>("PCC-LAB-EXIT 2 127");
    EXPECT_EQ(e.command, 2);
    EXPECT_EQ(e.status, 127);
    parsed_as<console::OtherLine>("PCC-LAB-EXIT 2");
    parsed_as<console::DoneLine>("PCC-LAB-DONE");
    parsed_as<console::OtherLine>("+ echo PCC-LAB-DONE");  // the shell tracing /init
    parsed_as<console::OtherLine>("PCC-LAB-BOOT 6.12.0");
    parsed_as<console::OtherLine>("Booting Linux on physical CPU 0x0");
}

// The runner's answer on the console's input (pcc-guest-check
// --sync-host-steps): written by the runner, read by the guest.
TEST(ConsoleProtocol, HostStepDoneLines) {
    EXPECT_EQ(console::host_step_done_line("inject", console::Status::ok),
              "PCC-LAB-STEP-DONE inject ok");
    const auto ok = console::parse_host_step_done("PCC-LAB-STEP-DONE inject ok");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->step, "inject");
    EXPECT_EQ(ok->status, console::Status::ok);
    const auto failed = console::parse_host_step_done(
        console::host_step_done_line("no-answer", console::Status::fail) + "\r");
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->step, "no-answer");
    EXPECT_EQ(failed->status, console::Status::fail);
    EXPECT_FALSE(console::parse_host_step_done("PCC-LAB-STEP-DONE inject"));
    EXPECT_FALSE(console::parse_host_step_done("PCC-LAB-STEP-DONE inject maybe"));
    EXPECT_FALSE(console::parse_host_step_done("PCC-LAB-STEP-DONE inject ok more"));
    EXPECT_FALSE(console::parse_host_step_done("PCC-LAB-HOST inject"));
    // the guest's request and the runner's answer are not mistaken for each other
    parsed_as<console::OtherLine>("PCC-LAB-STEP-DONE inject ok");
    EXPECT_EQ(console::host_step_line("inject").find(console::kLabStepDone), std::string::npos);
}

TEST(ConsoleProtocol, ShellDefinitionsNameEveryWord) {
    const std::string defs = console::shell_definitions();
    EXPECT_NE(defs.find("PCC_LAB_DONE='PCC-LAB-DONE'\n"), std::string::npos) << defs;
    std::set<std::string_view> words;
    for (const auto& w : console::kShellWords) {
        EXPECT_TRUE(words.insert(w.word).second) << w.word;
        EXPECT_NE(defs.find(std::string(w.variable) + "='" + std::string(w.word) + "'"),
                  std::string::npos);
    }
    EXPECT_EQ(words.size(), 9u);
}

// /init takes every word from the runner's /lab/protocol.sh: it spells no
// word itself, and uses no variable that the file does not define.
TEST(ConsoleProtocol, InitUsesTheWordsOfTheHeader) {
    std::ifstream f(PCC_SOURCE_ROOT "/lab/guest/init.sh");
    ASSERT_TRUE(f) << "lab/guest/init.sh";
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string init = ss.str();
    for (const auto& w : console::kShellWords) {
        EXPECT_EQ(init.find(w.word), std::string::npos) << "init.sh spells " << w.word;
    }
    EXPECT_NE(init.find(". /lab/protocol.sh"), std::string::npos);
    const std::regex var(R"(\$\{?(PCC_[A-Z_]+))");
    int used = 0;
    for (auto it = std::sregex_iterator(init.begin(), init.end(), var);
         it != std::sregex_iterator(); ++it, ++used) {
        const std::string name = (*it)[1];
        const bool defined = std::any_of(console::kShellWords.begin(), console::kShellWords.end(),
                                         [&](const auto& w) { return w.variable == name; });
        EXPECT_TRUE(defined) << "init.sh uses $" << name;
    }
    EXPECT_GE(used, 3);
}

// --- the runner's bookkeeping

struct Fed {
    std::vector<lab::Result> results;
    lab::ConsoleLog log{results};
    std::vector<std::string> steps;
    void feed(std::initializer_list<std::string_view> lines) {
        for (auto l : lines) {
            if (auto s = log.feed(l)) {
                steps.push_back(*s);
            }
        }
    }
};

TEST(ConsoleLog, CollectsResultsAndCounts) {
    Fed f;
    f.feed({"PCC-LAB-BOOT 6.12", "PCC-LAB-RUN 1 pcc-guest-check --host-step set-temp",
            "PCC-RESULT ok a first", "PCC-RESULT skip b second", "PCC-LAB-HOST set-temp",
            "PCC-SUMMARY ok=1 fail=0 skip=1", "PCC-LAB-EXIT 1 0", "PCC-LAB-DONE"});
    ASSERT_EQ(f.results.size(), 2u);
    EXPECT_EQ(f.results[1].status, Status::skip);
    EXPECT_EQ(f.results[1].message, "second");
    EXPECT_EQ(f.steps, std::vector<std::string>{"set-temp"});
    EXPECT_TRUE(f.log.done());
    EXPECT_TRUE(f.log.summary_seen());
    EXPECT_EQ(f.log.announced(), f.log.counted());
    EXPECT_FALSE(f.log.panicked());
}

TEST(ConsoleLog, FailsCommandsModulesAndGarbledLines) {
    Fed f;
    f.feed({"PCC-LAB-MODULE fail xgene_hwmon.ko", "PCC-LAB-RUN 1 nosuch --x",
            "sh: nosuch: not found", "PCC-LAB-EXIT 1 127", "PCC-LAB-RUN 2 pcc-guest-check",
            "PCC-RESULT fail c broken", "PCC-LAB-EXIT 2 1", "PCC-RESULT what x",
            "Kernel panic - not syncing"});
    ASSERT_EQ(f.results.size(), 4u);
    EXPECT_EQ(f.results[0].name, "module-xgene_hwmon.ko");
    EXPECT_EQ(f.results[0].message, "insmod xgene_hwmon.ko failed in the guest (see console.log)");
    EXPECT_EQ(f.results[1].name, "guest-command-1");
    EXPECT_EQ(f.results[1].message,
              "`nosuch --x` exited with status 127 without reporting a failed check (command "
              "not found)");
    // command 2 reported its failure itself: no guest-command-2
    EXPECT_EQ(f.results[2].name, "c");
    EXPECT_EQ(f.results[3].name, "console");
    EXPECT_EQ(f.results[3].message, "malformed result line: PCC-RESULT what x");
    EXPECT_TRUE(f.log.panicked());
    EXPECT_FALSE(f.log.done());
}

lab::RunEnd exited(int code) {
    lab::RunEnd end;
    end.qemu_status = code << 8;  // a wait status
    end.boot_s = 5.04;
    end.commands = 1;
    return end;
}

TEST(RunnerVerdicts, BootSummaryAndRequirements) {
    Fed f;
    f.feed({"PCC-RESULT ok a x", "PCC-SUMMARY ok=1 fail=0 skip=0", "PCC-LAB-DONE"});
    lab::add_runner_verdicts(f.log, exited(0), {"a", "b"}, f.results);
    ASSERT_EQ(f.results.size(), 3u);
    EXPECT_EQ(f.results[1].name, "boot");
    EXPECT_EQ(f.results[1].message, "guest booted and ran 1 command(s) in 5.0 s");
    EXPECT_EQ(f.results[2].name, "require-b");
    EXPECT_EQ(f.results[2].status, Status::fail);
}

TEST(RunnerVerdicts, LostResultsAndQemuExit) {
    Fed f;
    f.feed({"PCC-RESULT ok a x", "PCC-SUMMARY ok=2 fail=0 skip=0", "PCC-LAB-DONE"});
    auto end = exited(1);
    end.qemu_tail = "qemu: warning";
    lab::add_runner_verdicts(f.log, end, {}, f.results);
    ASSERT_EQ(f.results.size(), 4u);
    EXPECT_EQ(f.results[2].name, "qemu-exit");
    EXPECT_EQ(f.results[2].message, "QEMU exited with status 1: qemu: warning");
    EXPECT_EQ(f.results[3].name, "guest-summary");
    EXPECT_EQ(f.results[3].message,
              "the guest announced ok=2 fail=0 skip=0 but the console carried ok=1 fail=0 "
              "skip=0 (result lines lost or garbled)");

    Fed silent;
    silent.feed({"PCC-LAB-DONE"});
    lab::add_runner_verdicts(silent.log, exited(0), {}, silent.results);
    ASSERT_EQ(silent.results.size(), 2u);
    EXPECT_EQ(silent.results[1].message, "no PCC-SUMMARY line: a guest program did not finish");
}

TEST(RunnerVerdicts, ABootThatNeverEnded) {
    Fed f;
    f.feed({"Kernel panic - not syncing: VFS"});
    auto end = exited(0);
    end.timed_out = true;
    end.timeout_s = 90;
    end.qemu_status = SIGKILL;
    lab::add_runner_verdicts(f.log, end, {"a"}, f.results);
    ASSERT_EQ(f.results.size(), 1u);  // no require-a: the guest never got there
    EXPECT_EQ(f.results[0].status, Status::fail);
    EXPECT_EQ(f.results[0].message,
              "timed out after 90 s (QEMU killed); the kernel panicked (see console.log)");

    Fed early;
    auto quit = exited(1);
    quit.qemu_tail = "qemu-system-aarch64: -device pcc-mctp: channel 0 is taken";
    lab::add_runner_verdicts(early.log, quit, {}, early.results);
    ASSERT_EQ(early.results.size(), 1u);
    EXPECT_EQ(early.results[0].message,
              "QEMU exited with status 1 before the guest finished; QEMU said: "
              "qemu-system-aarch64: -device pcc-mctp: channel 0 is taken");
}

}  // namespace
