// SPDX-License-Identifier: GPL-2.0-or-later
// Waiting for a host step to end (pcc-guest-check --sync-host-steps): the
// runner writes "PCC-LAB-STEP-DONE STEP ok|fail" into the console's input
// (QEMU's stdin) when the step it ran for the guest has ended, so that what
// the guest does next sees the step's effect: a fault armed over QMP before
// the read that must hit it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <termios.h>

#include "console_protocol.hpp"

namespace lab {

// The console (stdin) while a guest waits for a step: its pending input
// dropped (answers to no one's question), echo off (so that the runner's
// line does not come back on the console), restored when done.
class ConsoleInput {
  public:
    ConsoleInput();
    ~ConsoleInput();
    ConsoleInput(const ConsoleInput&) = delete;
    ConsoleInput& operator=(const ConsoleInput&) = delete;

    struct Ack {
        std::optional<pcc::console::Status> status;  // nullopt: none came
        std::string problem;                         // why none came
        double seconds = 0;
    };
    // Reads stdin until the runner says `step` has ended, at most `seconds`.
    Ack wait(std::string_view step, double seconds);
    // The next step the runner says has ended, whichever it is, waiting at
    // most `seconds` (0: only what is there): for a guest that keeps
    // working while its steps run. nullopt: none within `seconds`, or
    // stdin failed (`problem` says how).
    std::optional<pcc::console::HostStepDone> next_done(double seconds,
                                                        std::string* problem = nullptr);

  private:
    std::optional<termios> saved_;
    std::string pending_;
};

}  // namespace lab
