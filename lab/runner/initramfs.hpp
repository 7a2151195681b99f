// SPDX-License-Identifier: GPL-2.0-or-later
// The guest's initramfs: a cached base archive (busybox, /init, the console
// protocol's words for /init, the guest programs) plus a small archive per
// run (the scenario's commands and modules); the kernel unpacks
// concatenated archives in order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "artefacts.hpp"
#include "outcome.hpp"
#include "placeholders.hpp"
#include "scenario.hpp"

namespace lab {

// Where /init sources the protocol's words from (pcc::console::kShellWords).
inline constexpr const char* kProtocolScript = "/lab/protocol.sh";

// The base archive, from $QEMU_PCC_CACHE/lab/initramfs when its inputs did
// not change. Throws std::runtime_error when an input is missing.
std::vector<std::uint8_t> base_initramfs(const Artefacts& a);

// /lab/scenario.sh: every guest command (placeholders expanded) between a
// PCC-LAB-RUN and a PCC-LAB-EXIT line.
std::string scenario_script(const Scenario& sc, const Places& places);

// The archive of one run: /lab/scenario.sh, the scenario's modules (with
// their dependencies) and /lab/modules, their load order. A module that
// cannot be had is reported as a skip (module-NAME) in `results`.
std::vector<std::uint8_t> scenario_initramfs(const Scenario& sc, const Artefacts& a,
                                             const Places& places, std::vector<Result>& results);

}  // namespace lab
