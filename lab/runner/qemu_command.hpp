// SPDX-License-Identifier: GPL-2.0-or-later
// The QEMU command line of a scenario run (docs/lab.md, "What a run does").
#pragma once

#include <string>
#include <vector>

#include "artefacts.hpp"
#include "placeholders.hpp"
#include "scenario.hpp"

namespace lab {

// virt, UEFI, the serial console on stdio, the kernel and `initrd`, then
// the scenario's devices, the run's QMP socket if a host step speaks QMP,
// and the scenario's extra arguments (placeholders expanded).
std::vector<std::string> qemu_command(const Artefacts& a, const Scenario& sc,
                                      const std::string& initrd, const Places& places);

// The command, shell-quoted on one line (the log directory's `command`).
std::string command_line(const std::vector<std::string>& argv);

}  // namespace lab
