// SPDX-License-Identifier: GPL-2.0-or-later
// One scenario run: the initramfs, pccd, QEMU, the console read line by
// line (host steps on the way), and the runner's verdicts.
#pragma once

#include "artefacts.hpp"
#include "options.hpp"
#include "outcome.hpp"
#include "scenario.hpp"

namespace lab {

// Throws on setup errors (e.g. QEMU cannot be started); the caller reports
// them as the check `runner`.
ScenarioOutcome run_scenario(const Scenario& sc, const Artefacts& a, const Options& o);

}  // namespace lab
