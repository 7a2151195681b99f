// SPDX-License-Identifier: GPL-2.0-or-later
// Linked into every fuzz target: pccd logs at error level only, from before
// the first input (scripts/fuzz.sh also closes the target's stderr with
// -close_fd_mask=2: libFuzzer and the sanitizers keep their own copy).
#include "log.hpp"

namespace {

[[maybe_unused]] const bool logs_quieted = (pccd::set_log_level(pccd::LogLevel::error), true);

}  // namespace
