// SPDX-License-Identifier: GPL-2.0-or-later
// ACPI thermal zones whose _TMP reads the temperature through a PCC
// OperationRegion (pcc-opregion: zone TZnn for channel nn), through Linux's
// acpi_pcc OperationRegion handler and ACPI thermal driver:
//   --expect-thermal C,DK[,CRITICAL_DK]  the zone of channel C is an acpitz
//                         zone (thermal-cC-zone; with the _CRT CRITICAL_DK
//                         its critical trip, or none when Linux ignores
//                         the value) and its temp is DK in m°C
//                         (thermal-cC-temp)
//   --wait-thermal C,DK[,SECONDS]  after the host steps: polls temp until it
//                         reads DK in m°C (thermal-cC-temp-after-STEP)
//   --expect-thermal-timeout C[,SECONDS]  after the host steps: reads temp
//                         until a read fails (the platform stopped answering
//                         in time); it must fail with ENODEV and the kernel
//                         must have logged acpi_pcc's "PCC command executed
//                         timeout!" anew (thermal-cC-timeout-after-STEP)
// m°C = dK * 100 - 273200 (273100 when a valid CRITICAL_DK % 5 == 1, as
// Linux guesses the offset from _CRT; thermal_units.hpp).
#include <cerrno>
#include <cstdio>
#include <map>

#include "check_family.hpp"
#include "kmsg.hpp"
#include "sysfs.hpp"
#include "thermal_units.hpp"

namespace lab::checks {

namespace {

constexpr const char* kTimeoutMessage = "PCC command executed timeout!";
// acpi_pcc waits PCC_CMD_WAIT_RETRIES_NUM times the subspace's latency
constexpr double kRetries = 500;

struct Expect {
    unsigned channel = 0;
    long long dk = 0;
    std::optional<long long> critical_dk;
};

struct Wait {
    unsigned channel = 0;
    long long dk = 0;
    int seconds = 10;
};

std::string zone_name(unsigned c) {
    char b[8];
    std::snprintf(b, sizeof(b), "TZ%02X", c);
    return b;
}

// The ACPI path of the zone's device ("\_SB_.TZ00").
std::string acpi_path(const std::string& zone) {
    for (const char* p : {"/device/path", "/device/firmware_node/path"}) {
        if (auto path = read_text(zone + p)) {
            return *path;
        }
    }
    return {};
}

// The acpitz zone of channel c, or why there is none.
struct Zone {
    std::string dir;  // /sys/class/thermal/thermal_zoneN
    std::string problem;
};
Zone find_zone(unsigned c) {
    const std::string want = "." + zone_name(c);
    std::string seen;
    for (const auto& z : list_dir("/sys/class/thermal")) {
        if (z.rfind("thermal_zone", 0) != 0) {
            continue;
        }
        const std::string dir = "/sys/class/thermal/" + z;
        const std::string type = read_text(dir + "/type").value_or("?");
        const std::string path = acpi_path(dir);
        seen += " " + z + "(" + type + (path.empty() ? "" : " " + path) + ")";
        if (type == "acpitz" && path.size() > want.size() && path.ends_with(want)) {
            return {dir, {}};
        }
    }
    std::string why = "no acpitz thermal zone for \\_SB." + zone_name(c) +
                      " (present:" + (seen.empty() ? " none" : seen) + ")";
    std::string zones;
    for (const auto& d : list_dir("/sys/bus/acpi/devices")) {
        if (d.rfind("LNXTHERM", 0) == 0) {
            zones += " " + d + "(" +
                     read_text("/sys/bus/acpi/devices/" + d + "/path").value_or("?") + ")";
        }
    }
    if (zones.empty()) {
        why += "; Linux enumerated no ACPI thermal zone (LNXTHERM): no pcc-opregion in QEMU?";
    } else {
        why += "; ACPI thermal zones:" + zones +
               ": did the zone's probe fail? It evaluates _TMP, which needs the platform's answer";
    }
    return {{}, why + quote_kernel_log({"thermal", "PCC", "_TMP", "ACPI Error"})};
}

// The nominal latency of PCCT subspace c, from the table itself.
std::optional<std::uint32_t> subspace_latency(const std::optional<acpi::Pcct>& parsed, unsigned c) {
    std::optional<acpi::Pcct> pcct = parsed;
    if (!pcct) {
        if (const auto table = read_file(std::string(kAcpiTables) + "/PCCT")) {
            pcct = acpi::parse_pcct(*table, nullptr);
        }
    }
    if (!pcct || c >= pcct->subspaces.size()) {
        return std::nullopt;
    }
    return pcct->subspaces[c].latency_us;
}

std::size_t timeout_records() {
    std::string source, error;
    std::size_t n = 0;
    for (const auto& rec : read_kernel_log(&source, &error)) {
        n += rec.text.find(kTimeoutMessage) != std::string::npos ? 1 : 0;
    }
    return n;
}

class ThermalChecks : public CheckFamily {
  public:
    void add_options(Options& options, Context&) override {
        options.repeatable(
            "--expect-thermal", "C,DK[,CRITICAL_DK]",
            [this](const std::string& v) {
                const auto f = fields(v, 2, 3, "C,DK[,CRITICAL_DK]");
                Expect e{number_value(f[0], "bad channel '" + f[0] + "'"),
                         number_value(f[1], "bad temperature '" + f[1] + "'"), std::nullopt};
                if (f.size() == 3) {
                    e.critical_dk = number_value(f[2], "bad critical temperature '" + f[2] + "'");
                    offsets_[e.channel] = thermal::kelvin_offset(e.critical_dk);
                }
                expects_.push_back(e);
            },
            "the acpitz zone of channel C (TZnn) reads DK (tenths of a kelvin) in m°C; its "
            "critical trip is what Linux makes of a _CRT of CRITICAL_DK");
        options.repeatable(
            "--wait-thermal", "C,DK[,SECONDS]",
            [this](const std::string& v) {
                const auto f = fields(v, 2, 3, "C,DK[,SECONDS]");
                waits_.push_back({number_value(f[0], "bad channel '" + f[0] + "'"),
                                  number_value(f[1], "bad temperature '" + f[1] + "'"),
                                  f.size() == 3 ? seconds(f[2]) : 10});
            },
            "after the host steps: polls the zone's temp (every 50 ms, at most SECONDS, default "
            "10) until it reads DK in m°C");
        options.repeatable(
            "--expect-thermal-timeout", "C[,SECONDS]",
            [this](const std::string& v) {
                const auto f = fields(v, 1, 2, "C[,SECONDS]");
                timeouts_.push_back({number_value(f[0], "bad channel '" + f[0] + "'"), 0,
                                     f.size() == 2 ? seconds(f[1]) : 10});
            },
            "after the host steps: reads the zone's temp until a read fails, which must be "
            "ENODEV with acpi_pcc's timeout in the kernel log");
    }

    bool examines_pcc_devices(const Context&) const override { return !expects_.empty(); }

    void run(Context& ctx) override {
        for (const auto& e : expects_) {
            check_zone(ctx.report, e);
        }
        timeouts_before_ = timeout_records();
    }

    void after_host_steps(Context& ctx) override {
        for (const auto& w : waits_) {
            wait_temp(ctx, w);
        }
        for (const auto& t : timeouts_) {
            wait_timeout(ctx, t);
        }
    }

  private:
    static std::vector<std::string> fields(const std::string& v, std::size_t min, std::size_t max,
                                           const std::string& form) {
        auto f = split(v, ',');
        if (f.size() < min || f.size() > max) {
            throw OptionError(form);
        }
        return f;
    }
    static int seconds(const std::string& v) {
        const unsigned s = number_value(v, "bad seconds '" + v + "'");
        if (s == 0) {
            throw OptionError("bad seconds '" + v + "'");
        }
        return static_cast<int>(s);
    }

    long long millicelsius(unsigned c, long long dk) const {
        const auto it = offsets_.find(c);
        return thermal::millicelsius(
            dk, it == offsets_.end() ? thermal::kelvin_offset({}) : it->second);
    }

    // A failed read of temp, with what the kernel said.
    static std::string read_failure(const std::string& path, const NumberRead& rd) {
        return path + ": " + rd.error +
               (rd.err == ENODEV ? ": _TMP failed (the platform did not answer in time?)" : "") +
               (rd.err ? quote_kernel_log({kTimeoutMessage, "_TMP", "PCC"}) : "");
    }

    void check_zone(Reporter& r, const Expect& e) {
        const std::string name = "thermal-c" + std::to_string(e.channel);
        const Zone z = find_zone(e.channel);
        if (!z.problem.empty()) {
            r.fail(name + "-zone", z.problem);
            r.fail(name + "-temp", "no thermal zone to read");
            return;
        }
        std::string critical = "none";
        for (unsigned i = 0; i < 32; ++i) {
            const std::string trip = z.dir + "/trip_point_" + std::to_string(i);
            if (read_text(trip + "_type").value_or("") == "critical") {
                critical = read_text(trip + "_temp").value_or("?");
            }
        }
        std::string zone_msg = z.dir + " type acpitz, ACPI " + acpi_path(z.dir) + ", policy " +
                               read_text(z.dir + "/policy").value_or("?") + ", critical trip " +
                               critical;
        bool zone_ok = true;
        if (e.critical_dk) {
            const auto valid = thermal::valid_critical_dk(e.critical_dk);
            const std::string want =
                valid ? std::to_string(millicelsius(e.channel, *valid)) : std::string("none");
            zone_ok = critical == want;
            zone_msg += " (expected " + want + ": _CRT " + std::to_string(*e.critical_dk) + " dK" +
                        (valid ? "" : " is outside the 2733..4480 dK Linux takes for one") + ")";
        }
        r.check(zone_ok, name + "-zone", zone_msg);
        const std::string path = z.dir + "/temp";
        const NumberRead rd = read_number(path);
        const long long want = millicelsius(e.channel, e.dk);
        if (!rd.value) {
            r.fail(name + "-temp", read_failure(path, rd));
            return;
        }
        r.check(*rd.value == want, name + "-temp",
                path + " = " + std::to_string(*rd.value) + " (expected " + std::to_string(want) +
                    " m°C = " + std::to_string(e.dk) + " dK, pccd's opregion.temp_dk)");
    }

    void wait_temp(Context& ctx, const Wait& w) {
        const std::string name =
            after_steps_name("thermal-c" + std::to_string(w.channel) + "-temp", ctx);
        const Zone z = find_zone(w.channel);
        if (!z.problem.empty()) {
            ctx.report.fail(name, z.problem);
            return;
        }
        const std::string path = z.dir + "/temp";
        const long long want = millicelsius(w.channel, w.dk);
        NumberRead rd;
        int failed = 0;
        const Polled p = poll_until(w.seconds, [&] {
            rd = read_number(path);
            failed += rd.value ? 0 : 1;
            return rd.value && *rd.value == want;
        });
        if (p.done) {
            ctx.report.ok(name, path + " = " + std::to_string(want) + " (" + std::to_string(w.dk) +
                                    " dK) after " + fmt_s(p.seconds) + " (" +
                                    std::to_string(p.attempts) + " read(s), " +
                                    std::to_string(failed) + " failed)");
        } else {
            ctx.report.fail(name, "waiting " + std::to_string(w.seconds) + " s for " +
                                      std::to_string(want) + ": " +
                                      (rd.value ? path + " reads " + std::to_string(*rd.value)
                                                : read_failure(path, rd)));
        }
    }

    // The first failing read after the host step: ENODEV, and acpi_pcc's
    // timeout message logged since the checks before the host steps.
    void wait_timeout(Context& ctx, const Wait& t) {
        const std::string name =
            after_steps_name("thermal-c" + std::to_string(t.channel) + "-timeout", ctx);
        const Zone z = find_zone(t.channel);
        if (!z.problem.empty()) {
            ctx.report.fail(name, z.problem);
            return;
        }
        const std::string path = z.dir + "/temp";
        NumberRead rd;
        double began = 0, took = 0;
        const Polled p = poll_until(t.seconds, [&] {
            began = now_s();
            rd = read_number(path);
            took = now_s() - began;
            return !rd.value.has_value();
        });
        if (!p.done) {
            ctx.report.fail(name, path + " still reads " + std::to_string(*rd.value) + " after " +
                                      std::to_string(t.seconds) +
                                      " s: the platform kept answering (did the host step run? "
                                      "see host-* checks)");
            return;
        }
        const std::size_t logged = timeout_records() - timeouts_before_;
        std::string deadline;
        if (const auto us = subspace_latency(ctx.pcct, t.channel)) {
            deadline = " (acpi_pcc waits 500 x the PCCT's " + std::to_string(*us) +
                       " us latency = " + fmt_s(kRetries * *us / 1e6) + ")";
        }
        const bool good = rd.err == ENODEV && logged > 0;
        ctx.report.check(good, name,
                         "read " + std::to_string(p.attempts) + " failed after " + fmt_s(took) +
                             " with " + (rd.err ? errno_described(rd.err) : rd.error) +
                             (rd.err == ENODEV ? "" : " (expected ENODEV)") + deadline +
                             "; the kernel logged \"" + kTimeoutMessage + "\" " +
                             std::to_string(logged) + " time(s) since" +
                             quote_kernel_log({kTimeoutMessage, "_TMP"}));
    }

    std::vector<Expect> expects_;               // --expect-thermal
    std::vector<Wait> waits_;                   // --wait-thermal
    std::vector<Wait> timeouts_;                // --expect-thermal-timeout
    std::map<unsigned, std::int64_t> offsets_;  // channel -> kelvin offset
    std::size_t timeouts_before_ = 0;
};

}  // namespace

std::unique_ptr<CheckFamily> thermal_checks() {
    return std::make_unique<ThermalChecks>();
}

}  // namespace lab::checks
