// SPDX-License-Identifier: GPL-2.0-or-later
// What the X-Gene SLIMpro families (xgene_hwmon_checks.cpp,
// xgene_i2c_checks.cpp) check alike about their devices: for channel C,
//   PREFIX-cC-pcct    PCCT subspace C is type 2 with a GSI
//   PREFIX-cC-ssdt    an SSDT device with the class's _HID whose _DSD
//                     property pcc-channel is C
//   PREFIX-cC-driver  Linux's driver is bound to the ACPI device with _UID C
// A failure says why, as far as the guest can tell (a missing device, a
// driver that is not registered because its module is not loaded, a probe
// that failed, with the kernel's words).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "acpi.hpp"
#include "report.hpp"

namespace lab::checks {

struct SlimproDevice {
    const char* hid;     // _HID of QEMU's SSDT device, e.g. "APMC0D29"
    const char* driver;  // Linux's platform driver, e.g. "xgene-slimpro-hwmon"
    const char* module;  // the scenario's `modules =` for it, e.g. "xgene-hwmon"
    const char* prefix;  // of the check names, e.g. "xgene"
};

// The three checks above for every channel.
void check_slimpro_devices(Reporter& r, const SlimproDevice& kind,
                           const std::vector<unsigned>& channels,
                           const std::optional<acpi::Pcct>& pcct);

// Why kind.driver is not bound to the ACPI device of channel c: "" when it
// is bound.
std::string slimpro_binding_problem(const SlimproDevice& kind, unsigned c);

// The ACPI devices Linux enumerated with the class's _HID ("APMC0D29:00").
std::vector<std::string> acpi_devices_with_hid(const char* hid);

// Why an ACPI device with the class's _HID has no driver: the driver is not
// registered (module not loaded) or did not bind (with the kernel's words).
std::string slimpro_unbound_reason(const SlimproDevice& kind, const std::string& acpi_dev);

}  // namespace lab::checks
