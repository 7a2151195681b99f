// SPDX-License-Identifier: GPL-2.0-or-later
// What every run needs, found once: QEMU, firmware, kernel, modules,
// busybox, the guest programs, pccd (lab/fetch.sh and lab/build-guest.sh
// fetch and build what is missing).
#pragma once

#include <string>

#include "kconfig.hpp"
#include "options.hpp"

namespace lab {

struct Artefacts {
    std::string qemu, bios, kernel, modules, busybox, guest_bin, pccd;
    // the kernel's origin and its configuration ("" when unknown)
    KernelOrigin origin = KernelOrigin::stock;
    std::string kconfig;
    // the kernel's name for golden transcripts (lab/golden/SCENARIO.LABEL.txt)
    // and the matrix: its Debian suite ("sid" for the stock kernel,
    // "bookworm", ...), "lab", "tree" or "image" (matrix.hpp kernel_label)
    std::string kernel_label;
    double prepare_s = 0;
};

// Throws std::runtime_error when something needed is missing (no QEMU, no
// kernel, a helper script failed).
Artefacts prepare(const Options& options);

// Where pccd was looked for, for messages.
std::string pccd_search_path();

}  // namespace lab
