// SPDX-License-Identifier: GPL-2.0-or-later
// X-Gene SLIMpro hwmon (pcc-xgene-hwmon) and hwmon attributes:
//   --expect-xgene C,...  PCCT subspace C is type 2 with a GSI, an SSDT
//                         APMC0D29 device with _DSD pcc-channel C, Linux's
//                         xgene-slimpro-hwmon bound to it (xgene-cC-*)
//   --expect-hwmon NAME,ATTR,VALUE[,TOL]   hwmon NAME's ATTR reads VALUE
//   --wait-hwmon NAME,ATTR,VALUE[,SECONDS] after the host steps: polls ATTR
//                         until it reads VALUE (hwmon-NAME-ATTR-changed)
// A failure says why, as far as the guest can tell: the errno the driver
// returned, the kernel's words, a missing device or driver.
#include <cerrno>
#include <cstdlib>

#include "check_family.hpp"
#include "kmsg.hpp"
#include "slimpro_device_checks.hpp"
#include "sysfs.hpp"

namespace lab::checks {

namespace {

constexpr SlimproDevice kHwmon{"APMC0D29", "xgene-slimpro-hwmon", "xgene-hwmon", "xgene"};

// NAME,ATTR,VALUE[,EXTRA] as --expect-hwmon and --wait-hwmon take it.
struct HwmonSpec {
    std::string name;       // contents of hwmonN/name
    std::string attribute;  // e.g. temp1_input
    long value = 0;
    std::optional<long> extra;  // tolerance, seconds
};

HwmonSpec parse_hwmon_spec(const std::string& text, const std::string& extra_name) {
    const auto f = split(text, ',');
    if (f.size() < 3 || f.size() > 4) {
        throw OptionError("NAME,ATTR,VALUE[," + extra_name + "]");
    }
    char* end = nullptr;
    HwmonSpec spec{f[0], f[1], std::strtol(f[2].c_str(), &end, 0), std::nullopt};
    if (*end) {
        throw OptionError("bad value '" + f[2] + "'");
    }
    if (f.size() == 4) {
        spec.extra = std::strtol(f[3].c_str(), &end, 0);
        if (*end) {
            throw OptionError("bad " + extra_name + " '" + f[3] + "'");
        }
    }
    return spec;
}

struct HwmonWait {
    HwmonSpec spec;
    int seconds = 10;  // deadline
};

// Why no hwmon device is called `name`, as far as the guest can tell.
std::string hwmon_absent_hint(const std::string& name) {
    if (name != "apm_xgene") {
        return {};
    }
    const auto devs = acpi_devices_with_hid(kHwmon.hid);
    if (devs.empty()) {
        return std::string("; no ACPI device with _HID ") + kHwmon.hid +
               " (no pcc-xgene-hwmon in QEMU, or its SSDT device has another _HID)";
    }
    for (const auto& d : devs) {
        const std::string drv =
            link_target_name("/sys/bus/acpi/devices/" + d + "/physical_node/driver");
        if (drv == kHwmon.driver) {
            return "; " + d + " is bound to " + kHwmon.driver + " but registered no hwmon device" +
                   quote_kernel_log({kHwmon.hid, "xgene"});
        }
    }
    return "; " + devs[0] + " exists but " + slimpro_unbound_reason(kHwmon, devs[0]);
}

// The directory of the hwmon device called `name`; *seen lists them all.
std::optional<std::string> find_hwmon(const std::string& name, std::string* seen) {
    for (const auto& h : list_dir("/sys/class/hwmon")) {
        const std::string dir = "/sys/class/hwmon/" + h;
        const std::string hname = read_text(dir + "/name").value_or("?");
        *seen += " " + h + "=" + hname;
        if (hname == name) {
            return dir;
        }
    }
    return std::nullopt;
}

// The hwmon directory for `name`, or a failure of check `check`.
std::optional<std::string> hwmon_or_fail(Reporter& r, const std::string& check,
                                         const std::string& name) {
    std::string seen;
    auto dir = find_hwmon(name, &seen);
    if (!dir) {
        r.fail(check, "no hwmon device named '" + name + "' (present:" +
                          (seen.empty() ? " none" : seen) + ")" + hwmon_absent_hint(name));
    }
    return dir;
}

// A failed read, with what the kernel said about it (e.g. xgene-hwmon's
// "Mailbox operation timed out" when the platform never answers).
std::string read_failure(const std::string& path, const NumberRead& rd) {
    std::string msg = path + ": " + rd.error;
    if (rd.err == ETIMEDOUT) {
        msg +=
            ": the platform did not answer in time (is pccd serving this channel? a rule that "
            "drops it?)";
    } else if (rd.err == ENODATA) {
        msg += ": the platform flagged the value invalid";
    } else if (rd.err == EINVAL) {
        msg += ": the platform answered with an error message";
    }
    if (rd.err) {
        msg += quote_kernel_log({kHwmon.hid, "xgene", "Mailbox", "PCC"});
    }
    return msg;
}

class XgeneHwmonChecks : public CheckFamily {
  public:
    void add_options(Options& options, Context&) override {
        options.repeatable(
            "--expect-xgene", "C,C...",
            [this](const std::string& v) {
                for (unsigned c : channel_list(v)) {
                    xgene_.push_back(c);
                }
            },
            "per channel C: PCCT subspace C is type 2 with a GSI, an SSDT APMC0D29 device "
            "with _DSD pcc-channel C, xgene-slimpro-hwmon bound to it");
        options.repeatable(
            "--expect-hwmon", "NAME,ATTR,VALUE[,TOLERANCE]",
            [this](const std::string& v) { hwmon_.push_back(parse_hwmon_spec(v, "TOLERANCE")); },
            "the hwmon device called NAME has ATTR equal to VALUE +- TOLERANCE");
        options.repeatable(
            "--wait-hwmon", "NAME,ATTR,VALUE[,SECONDS]",
            [this](const std::string& v) {
                HwmonWait w{parse_hwmon_spec(v, "SECONDS")};
                if (w.spec.extra) {
                    if (*w.spec.extra <= 0) {
                        throw OptionError("bad seconds '" + std::to_string(*w.spec.extra) + "'");
                    }
                    w.seconds = static_cast<int>(*w.spec.extra);
                }
                waits_.push_back(w);
            },
            "after the host steps: polls ATTR (every 50 ms, at most SECONDS, default 10) until "
            "it reads VALUE");
    }

    bool examines_pcc_devices(const Context&) const override { return !xgene_.empty(); }

    void run(Context& ctx) override {
        if (!xgene_.empty()) {
            check_slimpro_devices(ctx.report, kHwmon, xgene_, ctx.pcct);
        }
        for (const auto& h : hwmon_) {
            check_hwmon(ctx.report, h);
        }
    }

    void after_host_steps(Context& ctx) override {
        for (const auto& w : waits_) {
            wait_hwmon(ctx.report, w);
        }
    }

  private:
    static void check_hwmon(Reporter& r, const HwmonSpec& e) {
        const std::string name = "hwmon-" + e.name + "-" + e.attribute;
        const auto dir = hwmon_or_fail(r, name, e.name);
        if (!dir) {
            return;
        }
        const std::string path = *dir + "/" + e.attribute;
        const auto rd = read_number(path);
        if (!rd.value) {
            r.fail(name, read_failure(path, rd));
            return;
        }
        const long long tolerance = e.extra.value_or(0);
        r.check(std::llabs(*rd.value - e.value) <= tolerance, name,
                path + " = " + std::to_string(*rd.value) + " (expected " + std::to_string(e.value) +
                    (tolerance ? " +-" + std::to_string(tolerance) : "") + ")");
    }

    // Polls ATTR until it reads VALUE (after a --host-step changed it on the
    // platform), at most w.seconds.
    static void wait_hwmon(Reporter& r, const HwmonWait& w) {
        const std::string name = "hwmon-" + w.spec.name + "-" + w.spec.attribute + "-changed";
        const auto dir = hwmon_or_fail(r, name, w.spec.name);
        if (!dir) {
            return;
        }
        const std::string path = *dir + "/" + w.spec.attribute;
        const long want = w.spec.value;
        NumberRead rd;
        std::optional<long long> first;
        const Polled p = poll_until(w.seconds, [&] {
            rd = read_number(path);
            if (!first && rd.value) {
                first = rd.value;
            }
            return rd.value && *rd.value == want;
        });
        if (p.done) {
            r.ok(name, path + " = " + std::to_string(want) + " after " + fmt_s(p.seconds) + " (" +
                           std::to_string(p.attempts) + " read(s); first read " +
                           std::to_string(*first) + ")");
        } else if (!rd.value) {
            r.fail(name, "waiting for " + std::to_string(want) + ": " + read_failure(path, rd));
        } else {
            r.fail(name, path + " still reads " + std::to_string(*rd.value) + " after " +
                             std::to_string(w.seconds) + " s (" + std::to_string(p.attempts) +
                             " reads), expected " + std::to_string(want) +
                             ": the platform's new value never arrived (did the runner's host "
                             "step run? see host-* checks)");
        }
    }

    std::vector<unsigned> xgene_;   // --expect-xgene
    std::vector<HwmonSpec> hwmon_;  // --expect-hwmon
    std::vector<HwmonWait> waits_;  // --wait-hwmon
};

}  // namespace

std::unique_ptr<CheckFamily> xgene_hwmon_checks() {
    return std::make_unique<XgeneHwmonChecks>();
}

}  // namespace lab::checks
