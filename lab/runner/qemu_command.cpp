// SPDX-License-Identifier: GPL-2.0-or-later
#include "qemu_command.hpp"

#include <algorithm>

#include "qmp.hpp"
#include "text.hpp"

namespace lab {

std::vector<std::string> qemu_command(const Artefacts& a, const Scenario& sc,
                                      const std::string& initrd, const Places& places) {
    std::string append = "console=ttyAMA0 acpi=force panic=-1";
    if (!sc.append.empty()) {
        append += " " + sc.append;
    }
    std::vector<std::string> argv{
        a.qemu,   "-M",      "virt",     "-cpu",       "cortex-a57", "-smp", "1",
        "-m",     "1G",      "-display", "none",       "-monitor",   "none", "-serial",
        "stdio",  "-nic",    "none",     "-no-reboot", "-bios",      a.bios, "-kernel",
        a.kernel, "-initrd", initrd,     "-append",    append};
    for (const auto& d : sc.devices) {
        argv.push_back("-device");
        argv.push_back(expand(d, places));
    }
    // one QMP socket per run, when a host step speaks QMP
    if (std::any_of(sc.on.begin(), sc.on.end(),
                    [](const auto& step) { return is_qmp_command(step.command); })) {
        argv.push_back("-qmp");
        argv.push_back("unix:" + qmp_socket_path(places.run) + ",server=on,wait=off");
    }
    for (const auto& q : sc.qemu_args) {
        argv.push_back(expand(q, places));
    }
    return argv;
}

std::string command_line(const std::vector<std::string>& argv) {
    std::string line;
    for (const auto& w : argv) {
        line += pcc::shell_quote(w) + ' ';
    }
    return line + '\n';
}

}  // namespace lab
