// SPDX-License-Identifier: GPL-2.0-or-later
// The lab's console protocol (docs/lab.md): the lines that the guest's
// programs, its /init and the scenario script print on the serial console,
// and that pcc-lab reads back. Every word of the protocol is defined here
// and nowhere else; /init gets them as shell variables (kShellWords,
// written into the initramfs by pcc-lab).
//
//   PCC-RESULT ok|fail|skip NAME MESSAGE   one check (guest programs)
//   PCC-INFO NAME TEXT                     for the console log only
//   PCC-SUMMARY ok=N fail=N skip=N         a guest program is done
//   PCC-LAB-BOOT RELEASE                   /init runs (uname -r)
//   PCC-LAB-MODULE ok|fail FILE            /init loaded a module
//   PCC-LAB-HOST STEP                      the guest asks for a host step
//   PCC-LAB-RUN N COMMAND                  guest command N starts
//   PCC-LAB-EXIT N STATUS                  guest command N exited
//   PCC-LAB-DONE                           all done, /init powers off
//
// and one line the other way, which pcc-lab writes into the console's input
// (QEMU's stdin) for a guest that waits for its host steps:
//
//   PCC-LAB-STEP-DONE STEP ok|fail         host step STEP has ended
//
// Kernel messages may share a console line with a protocol line, so a
// word counts wherever it stands in the line.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace pcc::console {

inline constexpr std::string_view kResult = "PCC-RESULT";
inline constexpr std::string_view kInfo = "PCC-INFO";
inline constexpr std::string_view kSummary = "PCC-SUMMARY";
inline constexpr std::string_view kLabBoot = "PCC-LAB-BOOT";
inline constexpr std::string_view kLabModule = "PCC-LAB-MODULE";
inline constexpr std::string_view kLabHost = "PCC-LAB-HOST";
inline constexpr std::string_view kLabRun = "PCC-LAB-RUN";
inline constexpr std::string_view kLabExit = "PCC-LAB-EXIT";
inline constexpr std::string_view kLabDone = "PCC-LAB-DONE";
inline constexpr std::string_view kLabStepDone = "PCC-LAB-STEP-DONE";  // runner -> guest

// The words as the shell sees them: /init uses "$PCC_LAB_BOOT" etc.
struct ShellWord {
    std::string_view variable;
    std::string_view word;
};
inline constexpr std::array kShellWords{
    ShellWord{"PCC_RESULT", kResult},        ShellWord{"PCC_INFO", kInfo},
    ShellWord{"PCC_SUMMARY", kSummary},      ShellWord{"PCC_LAB_BOOT", kLabBoot},
    ShellWord{"PCC_LAB_MODULE", kLabModule}, ShellWord{"PCC_LAB_HOST", kLabHost},
    ShellWord{"PCC_LAB_RUN", kLabRun},       ShellWord{"PCC_LAB_EXIT", kLabExit},
    ShellWord{"PCC_LAB_DONE", kLabDone},
};

// "PCC_RESULT='PCC-RESULT'" lines for every word, for /lab/protocol.sh.
std::string shell_definitions();

enum class Status { ok, fail, skip };
std::string_view status_word(Status status);
std::optional<Status> parse_status(std::string_view word);

struct Counts {
    int ok = 0;
    int fail = 0;
    int skip = 0;
    void count(Status status);
    friend bool operator==(const Counts&, const Counts&) = default;
};

// --- writing (the guest side); one line each, without the newline

std::string result_line(Status status, std::string_view name, std::string_view message);
std::string info_line(std::string_view name, std::string_view text);
std::string summary_line(const Counts& counts);
std::string host_step_line(std::string_view step);
// The line the scenario script prints before guest command `n`.
std::string run_line(int n, std::string_view command);

// --- the runner's answer on the console's input

std::string host_step_done_line(std::string_view step, Status status);
struct HostStepDone {
    std::string step;
    Status status = Status::ok;
};
// nullopt when `line` is no PCC-LAB-STEP-DONE line.
std::optional<HostStepDone> parse_host_step_done(std::string_view line);

// --- reading (pcc-lab): what one console line says

struct ResultLine {
    Status status = Status::ok;
    std::string name;
    std::string message;
};
struct MalformedResult {};  // PCC-RESULT with an unknown status
struct SummaryLine {
    std::optional<Counts> counts;  // nullopt: counts unreadable
};
struct ModuleLine {
    bool ok = false;
    std::string module;
};
struct HostStepLine {
    std::string step;
};
struct RunLine {
    int command = 0;
    std::string text;
};
struct ExitLine {
    int command = 0;
    int status = 0;
};
struct DoneLine {};
struct OtherLine {};  // not (or not well-formed) protocol

using Line = std::variant<OtherLine, ResultLine, MalformedResult, SummaryLine, ModuleLine,
                          HostStepLine, RunLine, ExitLine, DoneLine>;

Line parse_line(std::string_view line);

}  // namespace pcc::console
