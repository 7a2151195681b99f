// SPDX-License-Identifier: GPL-2.0-or-later
// Host steps: the guest prints "PCC-LAB-HOST NAME", the runner runs the
// scenario's `on NAME = COMMAND` (e.g. `@pccd set --control ...`) while the
// guest waits for its effect, and reports it as check host-NAME. Output:
// host-NAME.log in the scenario's log directory.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "outcome.hpp"
#include "paths.hpp"
#include "placeholders.hpp"
#include "process.hpp"
#include "scenario.hpp"

namespace lab {

inline constexpr std::chrono::seconds kHostStepTimeout{20};

class HostSteps {
  public:
    // Results (host-NAME) are appended to `results`.
    HostSteps(const Scenario& scenario, const Places& places, std::string log_dir, bool quiet,
              std::vector<Result>& results)
        : scenario_(scenario),
          places_(places),
          log_dir_(std::move(log_dir)),
          quiet_(quiet),
          results_(results) {}

    // The guest asked for step `name`: starts its command.
    void start(const std::string& name);
    // Reports the steps that ended; kills those running longer than
    // kHostStepTimeout, with `final` all that still run.
    void poll(bool final);

  private:
    struct Step {
        std::string name, command, log;
        pcc::Child child;
        Clock::time_point started;
        bool done = false;
    };
    void finish(Step& step, bool killed);

    const Scenario& scenario_;
    const Places& places_;
    std::string log_dir_;
    bool quiet_;
    std::vector<Result>& results_;
    std::vector<Step> steps_;
};

}  // namespace lab
