// SPDX-License-Identifier: GPL-2.0-or-later
// What a scenario run produced: its checks, in the order they were
// reported (the guest's and the runner's own), and how long it took.
#pragma once

#include <string>
#include <vector>

#include "console_protocol.hpp"

namespace lab {

using pcc::console::Status;

struct Result {
    Status status = Status::ok;
    std::string name;
    std::string message;
};

struct ScenarioOutcome {
    std::string name;
    std::vector<Result> results;
    std::string log_dir;
    std::string transcript;  // LOG_DIR/transcript.txt (transcript.hpp), "" if none
    double initramfs_s = 0, boot_s = 0, total_s = 0;
};

}  // namespace lab
