// SPDX-License-Identifier: GPL-2.0-or-later
// Where the runner finds things, and how long they took.
#pragma once

#include <chrono>
#include <string>

namespace lab {

using Clock = std::chrono::steady_clock;

// The checkout (PCC_SOURCE_ROOT, set by lab/meson.build).
std::string source_root();
// $QEMU_PCC_CACHE, else ~/.cache/qemu-pcc.
std::string cache_root();
// The directory of the running pcc-lab.
std::string self_dir();
bool is_executable(const std::string& path);

double seconds_since(Clock::time_point t);
// "1.2 s"
std::string fmt_s(double seconds);

}  // namespace lab
