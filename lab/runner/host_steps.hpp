// SPDX-License-Identifier: GPL-2.0-or-later
// Host steps: the guest prints "PCC-LAB-HOST NAME", the runner runs the
// scenario's `on NAME = COMMAND [=> EXPECTED]` (e.g. `@pccd set --control
// ...`) while the guest waits for its effect, and reports it as check
// host-NAME: it passes when COMMAND exits 0 in time and, with `=> EXPECTED`,
// printed EXPECTED. Output: host-NAME.log in the scenario's log directory.
// A COMMAND `qmp QMP-COMMAND [ARGUMENTS]` is sent to QEMU over the run's
// QMP socket instead (qmp.hpp); its `=> EXPECTED` is `error [WORDS]` or
// JSON that the return must contain.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "outcome.hpp"
#include "paths.hpp"
#include "placeholders.hpp"
#include "process.hpp"
#include "qmp.hpp"
#include "scenario.hpp"

namespace lab {

inline constexpr std::chrono::seconds kHostStepTimeout{20};

// Whether a command's output says `expected`: the same words, where any run
// of white space (newlines too) counts as one blank.
bool output_matches(std::string_view output, std::string_view expected);
// The output's words joined by blanks, at most `max` characters (then "...").
std::string output_words(std::string_view output, std::size_t max = 200);

class HostSteps {
  public:
    // Called with a step's name and verdict when it has ended (the runner
    // tells the guest: PCC-LAB-STEP-DONE on the console's input).
    using Done = std::function<void(const std::string& step, Status status)>;

    // Results (host-NAME) are appended to `results`.
    HostSteps(const Scenario& scenario, const Places& places, std::string log_dir, bool quiet,
              std::vector<Result>& results, Done on_done = {})
        : scenario_(scenario),
          places_(places),
          log_dir_(std::move(log_dir)),
          quiet_(quiet),
          results_(results),
          on_done_(std::move(on_done)) {}

    // The guest asked for step `name`: starts its command.
    void start(const std::string& name);
    // Reports the steps that ended; kills those running longer than
    // kHostStepTimeout, with `final` all that still run.
    void poll(bool final);
    // The QMP socket while a QMP step waits for QEMU's answer (the runner
    // polls it with the console), else -1.
    int wait_fd() const { return qmp_ && qmp_->waiting() ? qmp_->fd() : -1; }

  private:
    struct Step {
        std::string name, command, log;
        std::optional<std::string> expected;
        pcc::Child child;
        Clock::time_point started;
        bool done = false;
        // a QMP step: the id of its command, what its `=>` asks for
        std::optional<std::uint64_t> qmp_id;
        std::optional<QmpExpectation> qmp_expected;
    };
    void finish(Step& step, bool killed);
    void report(Result result);  // result host-NAME, and on_done
    void start_qmp(Step& step, const QmpStep& qmp);
    void poll_qmp(bool final);
    void finish_qmp(Step& step, const QmpReply& reply);

    const Scenario& scenario_;
    const Places& places_;
    std::string log_dir_;
    bool quiet_;
    std::vector<Result>& results_;
    Done on_done_;
    std::vector<Step> steps_;
    std::optional<QmpClient> qmp_;  // connected at the first QMP step
};

}  // namespace lab
