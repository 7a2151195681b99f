// SPDX-License-Identifier: GPL-2.0-or-later
// The placeholders of a scenario's `device`, `qemu`, `pccd`, `guest` and
// `on` lines (docs/lab.md): @spool:NAME, @socket:NAME, @run, @platform,
// @pccd, @here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lab {

// What the placeholders stand for in one run.
struct Places {
    std::string run;   // @run: the run's private temp directory
    bool platform;     // @platform: "" when pccd runs, else "--no-platform"
    std::string pccd;  // @pccd: the pccd binary ("" when not built)
    std::string here;  // @here: the directory of the scenario file
};

// `text` with its placeholders replaced. @spool:NAME creates the private
// (0700) directory RUN/spool-NAME; @socket:NAME is RUN/NAME.sock. Throws
// std::runtime_error for @pccd without a pccd, or when a spool directory
// cannot be made.
std::string expand(const std::string& text, const Places& places);

// The words of a command line (split on blanks, no shell), as an argv.
std::vector<std::string> argv_words(std::string_view command);

}  // namespace lab
