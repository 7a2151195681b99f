// SPDX-License-Identifier: GPL-2.0-or-later
// pcc-lab's report on stdout: TAP, one line per check as the scenarios
// finish, then a summary with a verdict per scenario (PASS, FAIL, SKIPPED:
// a scenario whose required check was skipped is SKIPPED as a whole).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "outcome.hpp"

namespace lab {

// Exit status of a run without failures in which every scenario was skipped.
inline constexpr int kExitAllSkipped = 77;

// A scenario's verdict from its checks: FAIL when one failed; SKIPPED when
// a required check (or the check `scenario`) was skipped or none passed;
// else PASS ("PASS (with skips)" when some other check was skipped).
struct ScenarioVerdict {
    enum class Kind { pass, fail, skip };
    Kind kind = Kind::pass;
    std::string text;  // "PASS", "PASS (with skips)", "FAIL", "SKIPPED"
    // SKIPPED: "CHECK: MESSAGE" of the skipped required check ("" when
    // nothing passed and nothing required was skipped)
    std::string reason;
    pcc::console::Counts counts;
};
ScenarioVerdict scenario_verdict(const ScenarioOutcome& outcome,
                                 const std::vector<std::string>& require);

class TapReport {
  public:
    explicit TapReport(std::ostream& out);
    // The TAP lines of one scenario's checks; `require` as its scenario's.
    void add(const ScenarioOutcome& outcome, const std::vector<std::string>& require);
    // The plan and the summary. Returns the exit status: 1 when a check
    // failed (or was skipped, with `fail_on_skip`), else 0 when a scenario
    // passed, else kExitAllSkipped.
    int finish(bool fail_on_skip);

  private:
    struct Scenario {
        ScenarioOutcome outcome;
        std::vector<std::string> require;
    };
    // The summary lines of one scenario; counts its verdict.
    void summarise(const Scenario& s);

    std::ostream& out_;
    int n_ = 0;
    pcc::console::Counts checks_;
    int scen_pass_ = 0, scen_fail_ = 0, scen_skip_ = 0;
    std::vector<Scenario> scenarios_;
};

// A TAP description: no '#' (escaped), no line breaks.
std::string tap_escape(const std::string& s);

}  // namespace lab
