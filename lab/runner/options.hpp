// SPDX-License-Identifier: GPL-2.0-or-later
// pcc-lab's command-line options (main.cpp parses them).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace lab {

// `pcc-lab run` without scenarios (`make run`)
inline constexpr std::array<const char*, 5> kDefaultScenarios{"pcc-core", "xgene-hwmon", "cppc",
                                                              "opregion-thermal", "xgene-i2c"};

struct Options {
    std::vector<std::string> scenarios;  // names or FILE.conf
    std::string kernel, modules, qemu, bios, pccd, guest_bin, scenario_dir, log_dir;
    // the lab kernel (kernel.hpp): --kernel-tree DIR, --lab-kernel;
    // --kernel-config FILE: the config of a --kernel IMAGE
    std::string kernel_tree, kernel_config;
    bool lab_kernel = false;
    // Debian's kernel of this suite instead of the pinned sid one (lab/fetch.sh
    // --kernel-suite; the kernel matrix): bookworm, trixie, sid, experimental
    std::string kernel_suite;
    // logs of scenario S in DIR/S (pcc-lab matrix); --log-dir wins
    std::string log_root;
    std::optional<int> timeout;  // overrides the scenarios' timeout
    bool keep = false, fail_on_skip = false, quiet = false;
};

}  // namespace lab
