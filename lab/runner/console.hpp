// SPDX-License-Identifier: GPL-2.0-or-later
// A scenario's console, as the runner reads it (common/console_protocol.hpp):
// the guest's results and their counts, the guest commands and how they
// ended, the modules /init loaded; and, after the run, the runner's own
// verdicts about it. Pure: no process, no file.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "console_protocol.hpp"
#include "outcome.hpp"

namespace lab {

class ConsoleLog {
  public:
    // Results (the guest's, and failures of modules and guest commands) are
    // appended to `results`.
    explicit ConsoleLog(std::vector<Result>& results) : results_(results) {}

    // One console line, without its line end. Returns the host step the
    // guest asks for (PCC-LAB-HOST), if it does.
    std::optional<std::string> feed(std::string_view line);

    bool done() const { return done_; }  // PCC-LAB-DONE arrived
    bool panicked() const { return panic_; }
    bool summary_seen() const { return summary_seen_; }
    // What the PCC-SUMMARY lines announced, and what the result lines said.
    const pcc::console::Counts& announced() const { return announced_; }
    const pcc::console::Counts& counted() const { return counted_; }

  private:
    std::optional<std::string> on(const pcc::console::OtherLine&, std::string_view);
    std::optional<std::string> on(const pcc::console::ResultLine& r, std::string_view);
    std::optional<std::string> on(const pcc::console::MalformedResult&, std::string_view line);
    std::optional<std::string> on(const pcc::console::SummaryLine& s, std::string_view);
    std::optional<std::string> on(const pcc::console::ModuleLine& m, std::string_view);
    std::optional<std::string> on(const pcc::console::HostStepLine& h, std::string_view);
    std::optional<std::string> on(const pcc::console::RunLine& r, std::string_view);
    std::optional<std::string> on(const pcc::console::ExitLine& e, std::string_view);
    std::optional<std::string> on(const pcc::console::DoneLine&, std::string_view);
    void fail(std::string name, std::string message);

    std::vector<Result>& results_;
    bool done_ = false, panic_ = false, summary_seen_ = false;
    pcc::console::Counts announced_, counted_;
    std::map<int, std::string> commands_;  // guest command N -> its text
    std::map<int, int> fails_before_;      // guest command N -> failures when it started
};

// How the run ended, for the runner's verdicts.
struct RunEnd {
    bool timed_out = false;
    int timeout_s = 0;
    int qemu_status = 0;    // wait status
    std::string qemu_tail;  // QEMU's last stderr lines
    double boot_s = 0;      // start to PCC-LAB-DONE
    std::size_t commands = 0;
};

// The runner's verdicts, in this order: boot, qemu-exit, guest-summary,
// require-NAME (every required check nobody reported).
void add_runner_verdicts(const ConsoleLog& console, const RunEnd& end,
                         const std::vector<std::string>& require, std::vector<Result>& results);

}  // namespace lab
