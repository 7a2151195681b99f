// SPDX-License-Identifier: GPL-2.0-or-later
// A lab scenario: what to boot, which devices, what the guest checks.
// Scenarios are data: lab/scenarios/NAME.conf (format: docs/lab.md).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kconfig.hpp"

namespace lab {

// on NAME = COMMAND [=> EXPECTED]: a host step (docs/lab.md).
struct HostStepSpec {
    std::string name;
    std::string command;  // split on blanks, no shell; placeholders
    // After `=>`: the words the command must print (stdout and stderr, as
    // its log has them); placeholders. Absent: any output.
    std::optional<std::string> expected;

    bool operator==(const HostStepSpec&) const = default;
};

// "COMMAND => EXPECTED" split at the first word `=>`; nullopt expected when
// there is none. Throws std::runtime_error("on NAME: ...") for an empty
// command.
HostStepSpec parse_host_step(const std::string& name, const std::string& value);

struct Scenario {
    std::string name;  // file name without .conf
    std::string path;  // where it was read from
    std::string description;
    int timeout_s = 60;                  // boot + checks, QEMU is killed after it
    std::vector<std::string> devices;    // -device arguments
    std::vector<std::string> qemu_args;  // extra QEMU arguments (split on blanks)
    std::string append;                  // extra kernel command line
    std::vector<std::string> modules;    // kernel modules to load (deps resolved)
    std::vector<std::string> guest;      // guest shell commands, in order
    std::optional<std::string> pccd;     // pccd arguments; pccd is started when set
    bool pccd_required = true;           // pccd-missing = skip|continue
    std::vector<std::string> require;    // result names that must be reported
    // on NAME = COMMAND [=> EXPECTED]: run COMMAND on the host when the
    // guest prints "PCC-LAB-HOST NAME" (pcc-guest-check --host-step NAME)
    std::vector<HostStepSpec> on;
    std::optional<std::string> skip;  // skip = REASON: never boots
    // kernel = any|stock|lab, requires-config = CONFIG_X[=y|m|n] ...,
    // requires-version = X.Y[.Z], requires-module = NAME ...
    KernelRequirements kernel;
    // pcap = FILE (placeholders): the guest's raw-pcap messages against
    // pccd's --pcap FILE (pcap_check.hpp)
    std::optional<std::string> pcap;
};

// Reads NAME.conf. Throws std::runtime_error("FILE:LINE: why") on errors.
Scenario load_scenario(const std::string& path);

// Parses the text of a scenario (for tests); `origin` names it in errors.
Scenario parse_scenario(const std::string& text, const std::string& origin);

// The file of a scenario named on the command line: NAME is DIR/NAME.conf,
// a path or FILE.conf stands for itself.
std::string find_scenario(const std::string& arg, const std::string& dir);
// The scenario files (*.conf) in `dir`, sorted.
std::vector<std::string> scenario_files(const std::string& dir);

}  // namespace lab
