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
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "check_family.hpp"
#include "kmsg.hpp"
#include "sysfs.hpp"
#include "text.hpp"
#include "unique_fd.hpp"

namespace lab::checks {

namespace {

constexpr const char* kXgeneHid = "APMC0D29";
constexpr const char* kXgeneDriver = "xgene-slimpro-hwmon";

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

// Why Linux's driver is or is not bound to the APMC0D29 device of channel
// c: empty when bound, else the reason.
std::string xgene_binding_problem(unsigned c) {
    std::string acpi_dev;
    std::vector<std::string> seen;
    for (const auto& n : list_dir("/sys/bus/acpi/devices")) {
        if (n.rfind(kXgeneHid, 0) != 0) {
            continue;
        }
        const std::string uid = read_text("/sys/bus/acpi/devices/" + n + "/uid").value_or("");
        seen.push_back(n + "(_UID " + (uid.empty() ? "none" : uid) + ")");
        if (uid == std::to_string(c)) {
            acpi_dev = n;
        }
    }
    if (acpi_dev.empty()) {
        std::string all;
        for (const auto& x : seen) {
            all += " " + x;
        }
        return "Linux enumerated no ACPI device " + std::string(kXgeneHid) + " with _UID " +
               std::to_string(c) + " (present:" + (all.empty() ? " none" : all) + ")";
    }
    const std::string node = "/sys/bus/acpi/devices/" + acpi_dev + "/physical_node";
    const std::string drv = link_target_name(node + "/driver");
    if (drv == kXgeneDriver) {
        return {};
    }
    if (!drv.empty()) {
        return acpi_dev + " is bound to driver '" + drv + "', not " + kXgeneDriver;
    }
    if (list_dir(std::string("/sys/bus/platform/drivers/") + kXgeneDriver).empty()) {
        return acpi_dev + " has no driver: " + kXgeneDriver +
               " is not registered (module xgene-hwmon not loaded: `modules = xgene-hwmon`?)";
    }
    return acpi_dev + " has no driver: " + kXgeneDriver + " did not bind (probe failed?)" +
           quote_kernel_log({kXgeneHid, "xgene", "PCC", "pcc"});
}

// Why no hwmon device is called `name`, as far as the guest can tell.
std::string hwmon_absent_hint(const std::string& name) {
    if (name != "apm_xgene") {
        return {};
    }
    std::vector<std::string> devs;
    for (const auto& n : list_dir("/sys/bus/acpi/devices")) {
        if (n.rfind(kXgeneHid, 0) == 0) {
            devs.push_back(n);
        }
    }
    if (devs.empty()) {
        return std::string("; no ACPI device with _HID ") + kXgeneHid +
               " (no pcc-xgene-hwmon in QEMU, or its SSDT device has another _HID)";
    }
    for (const auto& d : devs) {
        const std::string drv =
            link_target_name("/sys/bus/acpi/devices/" + d + "/physical_node/driver");
        if (drv == kXgeneDriver) {
            return "; " + d + " is bound to " + kXgeneDriver + " but registered no hwmon device" +
                   quote_kernel_log({kXgeneHid, "xgene"});
        }
    }
    if (list_dir(std::string("/sys/bus/platform/drivers/") + kXgeneDriver).empty()) {
        return "; " + devs[0] + " exists but " + kXgeneDriver +
               " is not registered (module xgene-hwmon not loaded: `modules = xgene-hwmon`?)";
    }
    return "; " + devs[0] + " exists but " + kXgeneDriver + " did not bind" +
           quote_kernel_log({kXgeneHid, "xgene", "PCC", "pcc"});
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

// One read of a hwmon attribute: the number, or the reason it failed.
struct HwmonRead {
    std::optional<long> value;
    std::string error;  // "read failed with ETIMEDOUT (...)" etc.
    int err = 0;
};

HwmonRead read_hwmon(const std::string& path) {
    HwmonRead out;
    const pcc::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        out.err = errno;
        out.error = "cannot open: " + errno_described(out.err);
        return out;
    }
    char buf[64];
    ssize_t n;
    do {
        n = ::read(fd.get(), buf, sizeof(buf) - 1);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        // the driver's answer: sysfs passes its negative return value on
        out.err = errno;
        out.error = "read failed with " + errno_described(out.err);
        return out;
    }
    const std::string text(pcc::trim(std::string_view(buf, static_cast<std::size_t>(n))));
    char* end = nullptr;
    const long got = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end) {
        out.error = "not a number: '" + text + "'";
        return out;
    }
    out.value = got;
    return out;
}

// A failed read, with what the kernel said about it (e.g. xgene-hwmon's
// "Mailbox operation timed out" when the platform never answers).
std::string read_failure(const std::string& path, const HwmonRead& rd) {
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
        msg += quote_kernel_log({kXgeneHid, "xgene", "Mailbox", "PCC"});
    }
    return msg;
}

double now_s() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string fmt_s(double s) {
    char b[32];
    std::snprintf(b, sizeof(b), "%.2f s", s);
    return b;
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
            check_devices(ctx.report, ctx.pcct);
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
    void check_devices(Reporter& r, const std::optional<acpi::Pcct>& pcct) const {
        std::vector<acpi::AmlDevice> found;
        for (const auto& t : read_acpi_tables("SSDT")) {
            for (auto& d : acpi::find_devices(t.bytes, kXgeneHid)) {
                const auto ch = d.property("pcc-channel");
                r.info("ssdt-device", t.name + " " + d.name + " _HID " + kXgeneHid + " _UID " +
                                          (d.uid ? std::to_string(*d.uid) : std::string("none")) +
                                          " _DSD pcc-channel " +
                                          (ch ? std::to_string(*ch) : std::string("none")));
                found.push_back(std::move(d));
            }
        }
        for (unsigned c : xgene_) {
            const std::string name = "xgene-c" + std::to_string(c);
            check_subspace(r, name + "-pcct", c, pcct);
            check_device(r, name + "-ssdt", c, found);
            const std::string problem = xgene_binding_problem(c);
            r.check(problem.empty(), name + "-driver",
                    problem.empty() ? std::string(kXgeneDriver) + " bound to the channel " +
                                          std::to_string(c) + " device"
                                    : problem);
        }
    }

    // PCCT: a type 2 subspace (generic, platform ack) with an interrupt
    static void check_subspace(Reporter& r, const std::string& name, unsigned c,
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
            why += " no platform interrupt (GSI 0): xgene-hwmon refuses a PCC channel without one;";
        }
        r.check(why.empty(), name,
                why.empty() ? "PCCT subspace " + std::to_string(c) + " type 2, GSI " +
                                  std::to_string(*sub.gsi)
                            : reasons(why));
    }

    // SSDT: an APMC0D29 device whose _DSD names the channel
    static void check_device(Reporter& r, const std::string& name, unsigned c,
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
            r.fail(name, "no " + std::string(kXgeneHid) + " device whose _DSD pcc-channel is " +
                             std::to_string(c) + " in any SSDT (found:" +
                             (found.empty() ? std::string(" none") : others) + ")");
        } else {
            r.ok(name, "device " + hit->name + " (" + kXgeneHid + ") _DSD pcc-channel " +
                           std::to_string(c));
        }
    }

    static void check_hwmon(Reporter& r, const HwmonSpec& e) {
        const std::string name = "hwmon-" + e.name + "-" + e.attribute;
        const auto dir = hwmon_or_fail(r, name, e.name);
        if (!dir) {
            return;
        }
        const std::string path = *dir + "/" + e.attribute;
        const auto rd = read_hwmon(path);
        if (!rd.value) {
            r.fail(name, read_failure(path, rd));
            return;
        }
        const long tolerance = e.extra.value_or(0);
        r.check(std::labs(*rd.value - e.value) <= tolerance, name,
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
        const double t0 = now_s();
        HwmonRead rd;
        std::optional<long> first;
        int reads = 0;
        for (;;) {
            rd = read_hwmon(path);
            ++reads;
            if (!first && rd.value) {
                first = rd.value;
            }
            if (rd.value && *rd.value == want) {
                r.ok(name, path + " = " + std::to_string(want) + " after " + fmt_s(now_s() - t0) +
                               " (" + std::to_string(reads) + " read(s); first read " +
                               std::to_string(*first) + ")");
                return;
            }
            if (now_s() - t0 >= w.seconds) {
                break;
            }
            timespec pause{0, 50 * 1000 * 1000};
            ::nanosleep(&pause, nullptr);
        }
        if (!rd.value) {
            r.fail(name, "waiting for " + std::to_string(want) + ": " + read_failure(path, rd));
            return;
        }
        r.fail(name, path + " still reads " + std::to_string(*rd.value) + " after " +
                         std::to_string(w.seconds) + " s (" + std::to_string(reads) +
                         " reads), expected " + std::to_string(want) +
                         ": the platform's new value never arrived (did the runner's host step "
                         "run? see host-* checks)");
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
