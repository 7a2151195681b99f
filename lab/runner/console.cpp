// SPDX-License-Identifier: GPL-2.0-or-later
#include "console.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <variant>

#include "paths.hpp"
#include "process.hpp"

namespace lab {

namespace console = pcc::console;

std::optional<std::string> ConsoleLog::feed(std::string_view line) {
    if (line.find("Kernel panic") != std::string_view::npos) {
        panic_ = true;
    }
    return std::visit([this, line](const auto& parsed) { return on(parsed, line); },
                      console::parse_line(line));
}

void ConsoleLog::fail(std::string name, std::string message) {
    results_.push_back({Status::fail, std::move(name), std::move(message)});
}

std::optional<std::string> ConsoleLog::on(const console::OtherLine&, std::string_view) {
    return std::nullopt;
}

std::optional<std::string> ConsoleLog::on(const console::ResultLine& r, std::string_view) {
    counted_.count(r.status);
    results_.push_back({r.status, r.name, r.message});
    return std::nullopt;
}

std::optional<std::string> ConsoleLog::on(const console::MalformedResult&, std::string_view line) {
    fail("console", "malformed result line: " + std::string(line));
    return std::nullopt;
}

std::optional<std::string> ConsoleLog::on(const console::SummaryLine& s, std::string_view) {
    summary_seen_ = true;
    if (s.counts) {
        announced_.ok += s.counts->ok;
        announced_.fail += s.counts->fail;
        announced_.skip += s.counts->skip;
    }
    return std::nullopt;
}

std::optional<std::string> ConsoleLog::on(const console::ModuleLine& m, std::string_view) {
    if (!m.ok) {
        fail("module-" + m.module, "insmod " + m.module + " failed in the guest (see console.log)");
    }
    return std::nullopt;
}

std::optional<std::string> ConsoleLog::on(const console::HostStepLine& h, std::string_view) {
    return h.step;
}

std::optional<std::string> ConsoleLog::on(const console::RunLine& r, std::string_view) {
    commands_[r.command] = r.text;
    fails_before_[r.command] = counted_.fail;
    return std::nullopt;
}

std::optional<std::string> ConsoleLog::on(const console::ExitLine& e, std::string_view) {
    if (e.status != 0 && counted_.fail == fails_before_[e.command]) {
        fail("guest-command-" + std::to_string(e.command),
             "`" + commands_[e.command] + "` exited with status " + std::to_string(e.status) +
                 " without reporting a failed check" +
                 (e.status == 127 ? " (command not found)" : ""));
    }
    return std::nullopt;
}

std::optional<std::string> ConsoleLog::on(const console::DoneLine&, std::string_view) {
    done_ = true;
    return std::nullopt;
}

void add_runner_verdicts(const ConsoleLog& log, const RunEnd& end,
                         const std::vector<std::string>& require, std::vector<Result>& results) {
    auto add = [&results](Status st, std::string name, std::string message) {
        results.push_back({st, std::move(name), std::move(message)});
    };
    if (log.done()) {
        add(Status::ok, "boot",
            "guest booted and ran " + std::to_string(end.commands) + " command(s) in " +
                fmt_s(end.boot_s));
    } else {
        std::string why =
            end.timed_out
                ? "timed out after " + std::to_string(end.timeout_s) + " s (QEMU killed)"
                : "QEMU " + pcc::describe_status(end.qemu_status) + " before the guest finished";
        if (log.panicked()) {
            why += "; the kernel panicked (see console.log)";
        }
        if (!end.qemu_tail.empty()) {
            why += "; QEMU said: " + end.qemu_tail;
        }
        add(Status::fail, "boot", why);
    }
    const bool qemu_ok = WIFEXITED(end.qemu_status) && WEXITSTATUS(end.qemu_status) == 0;
    if (log.done() && !end.timed_out && !qemu_ok) {
        add(Status::fail, "qemu-exit",
            "QEMU " + pcc::describe_status(end.qemu_status) +
                (end.qemu_tail.empty() ? "" : ": " + end.qemu_tail));
    }
    const auto& said = log.announced();
    const auto& seen = log.counted();
    if (log.done() && !log.summary_seen()) {
        add(Status::fail, "guest-summary",
            "no " + std::string(console::kSummary) + " line: a guest program did not finish");
    } else if (log.summary_seen() && said != seen) {
        add(Status::fail, "guest-summary",
            "the guest announced ok=" + std::to_string(said.ok) +
                " fail=" + std::to_string(said.fail) + " skip=" + std::to_string(said.skip) +
                " but the console carried ok=" + std::to_string(seen.ok) +
                " fail=" + std::to_string(seen.fail) + " skip=" + std::to_string(seen.skip) +
                " (result lines lost or garbled)");
    }
    if (!log.done()) {
        return;
    }
    for (const auto& r : require) {
        const bool reported = std::any_of(results.begin(), results.end(),
                                          [&r](const Result& x) { return x.name == r; });
        if (!reported) {
            add(Status::fail, "require-" + r,
                "required check '" + r + "' was not reported by the guest");
        }
    }
}

}  // namespace lab
