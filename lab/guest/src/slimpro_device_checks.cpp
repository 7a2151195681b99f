// SPDX-License-Identifier: GPL-2.0-or-later
#include "slimpro_device_checks.hpp"

#include "check_family.hpp"
#include "kmsg.hpp"
#include "sysfs.hpp"

namespace lab::checks {

namespace {

std::string uid_text(const std::optional<std::uint64_t>& uid) {
    return uid ? std::to_string(*uid) : std::string("none");
}

// PCCT: a type 2 subspace (generic, platform ack) with an interrupt
void check_subspace(Reporter& r, const SlimproDevice& kind, const std::string& name, unsigned c,
                    const std::optional<acpi::Pcct>& pcct) {
    if (!pcct) {
        r.fail(name, "no usable PCCT to check subspace " + std::to_string(c) + " against");
        return;
    }
    if (c >= pcct->subspaces.size()) {
        r.fail(name, "subspace " + std::to_string(c) + " is missing, expected type 2 (the " +
                         "PCCT has " + std::to_string(pcct->subspaces.size()) + ")");
        return;
    }
    const auto& sub = pcct->subspaces[c];
    std::string why;
    if (sub.type != 2) {
        why += " subspace " + std::to_string(c) + " is type " + std::to_string(sub.type) +
               ", expected type 2;";
    } else if (!sub.gsi || *sub.gsi == 0) {
        why += " no platform interrupt (GSI 0): " + std::string(kind.driver) +
               " refuses a PCC channel without one;";
    }
    r.check(why.empty(), name,
            why.empty()
                ? "PCCT subspace " + std::to_string(c) + " type 2, GSI " + std::to_string(*sub.gsi)
                : reasons(why));
}

// SSDT: a device with the class's _HID whose _DSD names the channel
void check_device(Reporter& r, const SlimproDevice& kind, const std::string& name, unsigned c,
                  const std::vector<acpi::AmlDevice>& found) {
    const acpi::AmlDevice* hit = nullptr;
    std::string others;
    for (const auto& d : found) {
        const auto ch = d.property("pcc-channel");
        if (ch && *ch == c) {
            hit = &d;
        } else {
            others += " " + d.name + "(pcc-channel " +
                      (ch ? std::to_string(*ch) : std::string("missing")) + ")";
        }
    }
    if (!hit) {
        r.fail(name, "no " + std::string(kind.hid) + " device whose _DSD pcc-channel is " +
                         std::to_string(c) + " in any SSDT (found:" +
                         (found.empty() ? std::string(" none") : others) + ")");
    } else {
        r.ok(name,
             "device " + hit->name + " (" + kind.hid + ") _DSD pcc-channel " + std::to_string(c));
    }
}

}  // namespace

void check_slimpro_devices(Reporter& r, const SlimproDevice& kind,
                           const std::vector<unsigned>& channels,
                           const std::optional<acpi::Pcct>& pcct) {
    std::vector<acpi::AmlDevice> found;
    for (const auto& t : read_acpi_tables("SSDT")) {
        for (auto& d : acpi::find_devices(t.bytes, kind.hid)) {
            const auto ch = d.property("pcc-channel");
            r.info("ssdt-device", t.name + " " + d.name + " _HID " + kind.hid + " _UID " +
                                      uid_text(d.uid) + " _DSD pcc-channel " +
                                      (ch ? std::to_string(*ch) : std::string("none")));
            found.push_back(std::move(d));
        }
    }
    for (unsigned c : channels) {
        const std::string name = std::string(kind.prefix) + "-c" + std::to_string(c);
        check_subspace(r, kind, name + "-pcct", c, pcct);
        check_device(r, kind, name + "-ssdt", c, found);
        const std::string problem = slimpro_binding_problem(kind, c);
        r.check(problem.empty(), name + "-driver",
                problem.empty() ? std::string(kind.driver) + " bound to the channel " +
                                      std::to_string(c) + " device"
                                : problem);
    }
}

std::vector<std::string> acpi_devices_with_hid(const char* hid) {
    std::vector<std::string> devs;
    for (const auto& n : list_dir("/sys/bus/acpi/devices")) {
        if (n.rfind(hid, 0) == 0) {
            devs.push_back(n);
        }
    }
    return devs;
}

std::string slimpro_unbound_reason(const SlimproDevice& kind, const std::string& acpi_dev) {
    if (list_dir(std::string("/sys/bus/platform/drivers/") + kind.driver).empty()) {
        return std::string(kind.driver) + " is not registered (module " + kind.module +
               " not loaded: `modules = " + kind.module + "`?)";
    }
    return std::string(kind.driver) + " did not bind to " + acpi_dev + " (probe failed?)" +
           quote_kernel_log({kind.hid, kind.driver, "PCC", "pcc"});
}

std::string slimpro_binding_problem(const SlimproDevice& kind, unsigned c) {
    std::string acpi_dev;
    std::string seen;
    for (const auto& n : acpi_devices_with_hid(kind.hid)) {
        const std::string uid = read_text("/sys/bus/acpi/devices/" + n + "/uid").value_or("");
        seen += " " + n + "(_UID " + (uid.empty() ? "none" : uid) + ")";
        if (uid == std::to_string(c)) {
            acpi_dev = n;
        }
    }
    if (acpi_dev.empty()) {
        return "Linux enumerated no ACPI device " + std::string(kind.hid) + " with _UID " +
               std::to_string(c) + " (present:" + (seen.empty() ? " none" : seen) + ")";
    }
    const std::string node = "/sys/bus/acpi/devices/" + acpi_dev + "/physical_node";
    const std::string drv = link_target_name(node + "/driver");
    if (drv == kind.driver) {
        return {};
    }
    if (!drv.empty()) {
        return acpi_dev + " is bound to driver '" + drv + "', not " + kind.driver;
    }
    return acpi_dev + " has no driver: " + slimpro_unbound_reason(kind, acpi_dev);
}

}  // namespace lab::checks
