// SPDX-License-Identifier: GPL-2.0-or-later
// CPPC over PCC (pcc-cppc) through Linux's cppc_acpi and cppc_cpufreq, with
// the expectations computed from pccd's settings (cppc_perf.hpp):
//   --expect-cppc N            CPUs 0..N-1 are online and each has a cpufreq
//                              policy of cppc_cpufreq (cppc-cpus,
//                              cppc-cpuK-driver)
//   --cppc-setting KEY=VALUE   pccd's settings, as given to pccd (cppc.REG,
//                              cppc.cpuK.REG); with them, per CPU:
//                              acpi_cppc/* equal them (cppc-cpuK-caps),
//                              cpuinfo_min_freq/cpuinfo_max_freq follow
//                              from them (cppc-cpuK-freq-range) and, where
//                              the delivered performance is known,
//                              cpuinfo_cur_freq (cppc-cpuK-cur-freq)
//   --cppc-boost               global boost on: every cpuinfo_max_freq is
//                              the CPU's own highest_perf in kHz; then off
//                              again (cppc-boost)
//   --cppc-setspeed CPU,PERF   userspace governor, scaling_setspeed = PERF in
//                              kHz; scaling_cur_freq follows
//                              (cppc-cpuK-setspeed); pccd records PERF as the
//                              CPU's desired_perf (a host step checks it)
//   --wait-cppc CPU,REG,VALUE[,SECONDS]  after the host steps: polls
//                              acpi_cppc/REG until it reads VALUE
#include <cerrno>
#include <map>

#include "check_family.hpp"
#include "cppc_perf.hpp"
#include "kmsg.hpp"
#include "sysfs.hpp"

namespace lab::checks {

namespace {

constexpr const char* kDriver = "cppc_cpufreq";
const std::string kCpuDir = "/sys/devices/system/cpu";

std::string cpu_dir(unsigned cpu) {
    return kCpuDir + "/cpu" + std::to_string(cpu);
}
std::string cppc_attr(unsigned cpu, std::string_view reg) {
    return cpu_dir(cpu) + "/acpi_cppc/" + std::string(reg);
}
std::string freq_attr(unsigned cpu, const std::string& attr) {
    return cpu_dir(cpu) + "/cpufreq/" + attr;
}
std::string cpu_name(unsigned cpu) {
    return "cppc-cpu" + std::to_string(cpu);
}
std::string khz_text(unsigned khz) {
    return std::to_string(khz) + " kHz";
}
std::string kernel_words() {
    return quote_kernel_log({"CPPC", "cppc", "_CPC", "_OSC", "PCC"});
}

struct SetSpeed {
    unsigned cpu = 0;
    unsigned perf = 0;
};

struct CppcWait {
    unsigned cpu = 0;
    std::string reg;
    long long value = 0;
    int seconds = 10;
};

// Why CPU `cpu` has no cppc_cpufreq policy: "" when it has one.
std::string policy_problem(unsigned cpu) {
    const std::string driver = read_text(freq_attr(cpu, "scaling_driver")).value_or("");
    if (driver == kDriver) {
        return {};
    }
    if (!driver.empty()) {
        return "cpu" + std::to_string(cpu) + "'s cpufreq driver is '" + driver + "', not " +
               kDriver;
    }
    if (list_dir(cpu_dir(cpu) + "/acpi_cppc").empty()) {
        return "cpu" + std::to_string(cpu) +
               " has no acpi_cppc: Linux did not take its _CPC (no _CPC, _OSC without CPPC v2, "
               "a bad register)" +
               kernel_words();
    }
    if (list_dir("/sys/module/cppc_cpufreq").empty()) {
        return "cpu" + std::to_string(cpu) +
               " has acpi_cppc but no cpufreq policy: cppc_cpufreq is not loaded (`modules = "
               "cppc_cpufreq`?)";
    }
    return "cpu" + std::to_string(cpu) + " has acpi_cppc but no cpufreq policy (init failed?)" +
           kernel_words();
}

// The number in a sysfs attribute, or the reason as a failure of `check`.
std::optional<long long> number_or_fail(Reporter& r, const std::string& check,
                                        const std::string& path) {
    const NumberRead rd = read_number(path);
    if (!rd.value) {
        r.fail(check, path + ": " + rd.error + (rd.err ? kernel_words() : ""));
    }
    return rd.value;
}

class CppcChecks : public CheckFamily {
  public:
    void add_options(Options& options, Context&) override {
        options.value(
            "--expect-cppc", "N",
            [this](const std::string& v) { cpus_ = number_value(v, "not a number"); },
            "CPUs 0..N-1 are online, each with a cppc_cpufreq policy");
        options.repeatable(
            "--cppc-setting", "KEY=VALUE",
            [this](const std::string& v) {
                if (auto error = settings_.add(v)) {
                    throw OptionError(*error);
                }
            },
            "pccd's cppc setting (cppc.REG, cppc.cpuN.REG); acpi_cppc and the frequencies "
            "must follow from them");
        options.flag(
            "--cppc-boost", [this] { boost_ = true; },
            "global boost on: every cpuinfo_max_freq is its CPU's highest_perf in kHz");
        options.repeatable(
            "--cppc-setspeed", "CPU,PERF",
            [this](const std::string& v) {
                const auto f = split(v, ',');
                if (f.size() != 2) {
                    throw OptionError("CPU,PERF");
                }
                setspeeds_.push_back({number_value(f[0], "bad CPU '" + f[0] + "'"),
                                      number_value(f[1], "bad performance '" + f[1] + "'")});
            },
            "the userspace governor sets PERF (in kHz) through scaling_setspeed");
        options.repeatable(
            "--wait-cppc", "CPU,REG,VALUE[,SECONDS]",
            [this](const std::string& v) { waits_.push_back(parse_wait(v)); },
            "after the host steps: polls acpi_cppc/REG (every 50 ms, at most SECONDS, default "
            "10) until it reads VALUE");
    }

    bool examines_pcc_devices(const Context&) const override { return cpus_.has_value(); }

    void run(Context& ctx) override {
        Reporter& r = ctx.report;
        if (!cpus_) {
            return;
        }
        if (!check_cpus(r)) {
            return;
        }
        if (!settings_.empty()) {
            for (unsigned cpu = 0; cpu < *cpus_; ++cpu) {
                check_caps(r, cpu);
                check_freq_range(r, cpu);
            }
        }
        if (boost_) {
            check_boost(r);
        }
        for (const auto& s : setspeeds_) {
            set_speed(r, s);
        }
        if (!settings_.empty()) {
            for (unsigned cpu = 0; cpu < *cpus_; ++cpu) {
                check_cur_freq(r, cpu);
            }
        }
    }

    void after_host_steps(Context& ctx) override {
        for (const auto& w : waits_) {
            wait_cppc(ctx, w);
        }
    }

  private:
    static CppcWait parse_wait(const std::string& v) {
        const auto f = split(v, ',');
        if (f.size() < 3 || f.size() > 4) {
            throw OptionError("CPU,REG,VALUE[,SECONDS]");
        }
        CppcWait w{number_value(f[0], "bad CPU '" + f[0] + "'"), f[1],
                   number_value(f[2], "bad value '" + f[2] + "'"), 10};
        if (f.size() == 4) {
            w.seconds = static_cast<int>(number_value(f[3], "bad seconds '" + f[3] + "'"));
        }
        if (w.seconds <= 0 || w.reg.empty() || w.reg.find('/') != std::string::npos) {
            throw OptionError("bad register or seconds in '" + v + "'");
        }
        return w;
    }

    // Every CPU online and bound; false when none can be examined further.
    bool check_cpus(Reporter& r) {
        const auto online = cppc::parse_cpu_list(read_text(kCpuDir + "/online").value_or(""));
        const std::size_t n = online ? online->size() : 0;
        r.check(
            n == *cpus_, "cppc-cpus",
            std::to_string(n) + " CPU(s) online (expected " + std::to_string(*cpus_) +
                (n < *cpus_ ? "; the scenario needs `qemu = -smp " + std::to_string(*cpus_) + "`)"
                            : ")"));
        bool any = false;
        for (unsigned cpu = 0; cpu < *cpus_; ++cpu) {
            const std::string problem = policy_problem(cpu);
            bound_[cpu] = problem.empty();
            any = any || problem.empty();
            r.check(problem.empty(), cpu_name(cpu) + "-driver",
                    problem.empty()
                        ? "cpu" + std::to_string(cpu) + ": cpufreq policy " +
                              link_target_name(cpu_dir(cpu) + "/cpufreq") + ", driver " + kDriver +
                              ", governor " +
                              read_text(freq_attr(cpu, "scaling_governor")).value_or("?")
                        : problem);
        }
        return any;
    }

    // The CPU's capabilities as the settings give them, or a failure.
    std::optional<cppc::Caps> expected_caps(Reporter& r, const std::string& check, unsigned cpu) {
        const auto resolved = settings_.caps(cpu);
        if (!resolved.missing.empty()) {
            r.fail(check, "no --cppc-setting for " + resolved.missing + " (cppc." +
                              resolved.missing + " or cppc.cpu" + std::to_string(cpu) + "." +
                              resolved.missing + "): give every capability pccd is given");
            return std::nullopt;
        }
        return resolved.caps;
    }

    void check_caps(Reporter& r, unsigned cpu) {
        const std::string name = cpu_name(cpu) + "-caps";
        const auto caps = expected_caps(r, name, cpu);
        if (!caps) {
            return;
        }
        std::string seen, wrong;
        bool read_failed = false;
        for (const auto reg : cppc::kCapabilities) {
            const NumberRead rd = read_number(cppc_attr(cpu, reg));
            read_failed = read_failed || !rd.value;
            const std::string want = std::to_string(caps->get(reg));
            const std::string got = rd.value ? std::to_string(*rd.value) : rd.error;
            seen += (seen.empty() ? "" : " ") + std::string(reg) + "=" + got;
            if (!rd.value || *rd.value != caps->get(reg)) {
                wrong += " " + std::string(reg) + " is " + got + ", the setting says " + want + ";";
            }
        }
        r.check(wrong.empty(), name,
                wrong.empty() ? "acpi_cppc: " + seen + " (pccd's settings)"
                              : "acpi_cppc of cpu" + std::to_string(cpu) + ": " + reasons(wrong) +
                                    (read_failed ? kernel_words() : ""));
    }

    // Linux 7.2's cppc_cpufreq_cpu_init/set_boost: min = khz(lowest_perf),
    // max = khz(highest_perf) with boost on, else khz(nominal_perf).
    void check_freq_range(Reporter& r, unsigned cpu) {
        const std::string name = cpu_name(cpu) + "-freq-range";
        const auto caps = expected_caps(r, name, cpu);
        if (!caps || !bound_[cpu]) {
            if (caps) {
                r.fail(name, "cpu" + std::to_string(cpu) + " has no cppc_cpufreq policy");
            }
            return;
        }
        const bool boost =
            read_text(freq_attr(cpu, "boost"))
                .value_or(read_text(kCpuDir + "/cpufreq/boost").value_or("0")) == "1";
        const auto min = cppc::perf_to_khz(*caps, caps->lowest_perf);
        const auto max = cppc::perf_to_khz(*caps, boost ? caps->highest_perf : caps->nominal_perf);
        if (!min || !max) {
            r.fail(name,
                   "the settings give Linux no frequencies to convert with (lowest_freq, "
                   "nominal_freq)");
            return;
        }
        const auto got_min = number_or_fail(r, name, freq_attr(cpu, "cpuinfo_min_freq"));
        const auto got_max =
            got_min ? number_or_fail(r, name, freq_attr(cpu, "cpuinfo_max_freq")) : std::nullopt;
        if (!got_max) {
            return;
        }
        r.check(*got_min == *min && *got_max == *max, name,
                "cpuinfo_min_freq " + std::to_string(*got_min) + " (expected " + khz_text(*min) +
                    " = lowest_perf " + std::to_string(caps->lowest_perf) + "), cpuinfo_max_freq " +
                    std::to_string(*got_max) + " (expected " + khz_text(*max) + " = " +
                    (boost ? "highest_perf " : "nominal_perf ") +
                    std::to_string(boost ? caps->highest_perf : caps->nominal_perf) + ", boost " +
                    (boost ? "on" : "off") + ")");
    }

    void check_boost(Reporter& r) {
        const std::string global = kCpuDir + "/cpufreq/boost";
        const std::string before = read_text(global).value_or("");
        if (const std::string err = write_text(global, "1"); !err.empty()) {
            r.fail("cppc-boost", global + ": " + err + kernel_words());
            return;
        }
        std::string seen, wrong;
        for (unsigned cpu = 0; cpu < *cpus_; ++cpu) {
            const auto caps = settings_.caps(cpu);
            const auto want = cppc::perf_to_khz(caps.caps, caps.caps.highest_perf);
            const NumberRead got = read_number(freq_attr(cpu, "cpuinfo_max_freq"));
            const std::string text = got.value ? std::to_string(*got.value) : got.error;
            seen += " cpu" + std::to_string(cpu) + " " + text;
            if (!caps.missing.empty() || !want || !got.value || *got.value != *want) {
                wrong += " cpu" + std::to_string(cpu) + ": cpuinfo_max_freq " + text +
                         ", expected " + (want ? khz_text(*want) : "?") + " (highest_perf " +
                         std::to_string(caps.caps.highest_perf) + ");";
            }
        }
        const std::string restore = write_text(global, before.empty() ? "0" : before);
        r.check(wrong.empty() && restore.empty(), "cppc-boost",
                wrong.empty() ? "boost on: cpuinfo_max_freq" + seen +
                                    ", each its CPU's highest_perf; boost " +
                                    (restore.empty() ? "back to " + before : "restore: " + restore)
                              : "boost on:" + reasons(wrong));
    }

    void set_speed(Reporter& r, const SetSpeed& s) {
        const std::string name = cpu_name(s.cpu) + "-setspeed";
        const auto caps = expected_caps(r, name, s.cpu);
        if (!caps) {
            return;
        }
        const auto khz = cppc::perf_to_khz(*caps, s.perf);
        if (!khz) {
            r.fail(name, "the settings give Linux no frequencies to convert with");
            return;
        }
        if (const unsigned back = cppc::khz_to_perf(*caps, *khz).value_or(0); back != s.perf) {
            r.fail(name, "performance " + std::to_string(s.perf) + " is " + khz_text(*khz) +
                             ", which Linux converts back to " + std::to_string(back) +
                             ": choose a performance that survives the round trip");
            return;
        }
        if (const auto err = write_text(freq_attr(s.cpu, "scaling_governor"), "userspace");
            !err.empty()) {
            r.fail(name, "scaling_governor: " + err + " (module cpufreq_userspace loaded?)");
            return;
        }
        const NumberRead lo = read_number(freq_attr(s.cpu, "scaling_min_freq"));
        const NumberRead hi = read_number(freq_attr(s.cpu, "scaling_max_freq"));
        if (!lo.value || !hi.value || *khz < *lo.value || *khz > *hi.value) {
            r.fail(name, khz_text(*khz) + " is outside scaling_min_freq..scaling_max_freq " +
                             (lo.value ? std::to_string(*lo.value) : lo.error) + ".." +
                             (hi.value ? std::to_string(*hi.value) : hi.error) +
                             ": cpufreq would clamp it");
            return;
        }
        if (const auto err = write_text(freq_attr(s.cpu, "scaling_setspeed"), std::to_string(*khz));
            !err.empty()) {
            r.fail(name, "scaling_setspeed: " + err + kernel_words());
            return;
        }
        desired_[s.cpu] = s.perf;
        const auto cur = number_or_fail(r, name, freq_attr(s.cpu, "scaling_cur_freq"));
        if (cur) {
            r.check(*cur == *khz, name,
                    "userspace governor, scaling_setspeed " + std::to_string(*khz) +
                        " (performance " + std::to_string(s.perf) + "): scaling_cur_freq " +
                        std::to_string(*cur));
        }
    }

    // The counters' delivered performance: the setting, else what the guest
    // set, else nominal; without a setting or a setspeed the governor's
    // desired performance is unknown, so is the frequency.
    void check_cur_freq(Reporter& r, unsigned cpu) {
        const std::string name = cpu_name(cpu) + "-cur-freq";
        const auto setting = settings_.delivered_perf(cpu);
        const auto desired = desired_.count(cpu) ? std::optional(desired_[cpu]) : std::nullopt;
        const auto resolved = settings_.caps(cpu);
        if ((!setting && !desired) || !resolved.missing.empty() || !bound_[cpu]) {
            r.info(name, "cpuinfo_cur_freq " +
                             read_text(freq_attr(cpu, "cpuinfo_cur_freq")).value_or("?") +
                             " (not checked: the governor's desired performance is unknown)");
            return;
        }
        const std::uint32_t perf = cppc::delivered_perf(resolved.caps, setting, desired);
        const auto want = cppc::perf_to_khz(resolved.caps, perf);
        const auto got = number_or_fail(r, name, freq_attr(cpu, "cpuinfo_cur_freq"));
        if (!got || !want) {
            return;
        }
        r.check(*got == *want, name,
                "cpuinfo_cur_freq " + std::to_string(*got) + " (expected " + khz_text(*want) +
                    ": the feedback counters' delivered performance " + std::to_string(perf) +
                    (setting ? ", pccd's delivered_perf" : ", the desired performance set") + ")");
    }

    void wait_cppc(Context& ctx, const CppcWait& w) {
        const std::string name = after_steps_name(cpu_name(w.cpu) + "-" + w.reg, ctx);
        const std::string path = cppc_attr(w.cpu, w.reg);
        NumberRead rd;
        std::optional<long long> first;
        const Polled p = poll_until(w.seconds, [&] {
            rd = read_number(path);
            first = first ? first : rd.value;
            return rd.value && *rd.value == w.value;
        });
        if (p.done) {
            ctx.report.ok(name, path + " = " + std::to_string(w.value) + " after " +
                                    fmt_s(p.seconds) + " (" + std::to_string(p.attempts) +
                                    " read(s); first read " + std::to_string(*first) + ")");
        } else {
            ctx.report.fail(
                name, path + " still reads " + (rd.value ? std::to_string(*rd.value) : rd.error) +
                          " after " + std::to_string(w.seconds) + " s, expected " +
                          std::to_string(w.value) + " (did the host step run? see host-* checks)");
        }
    }

    std::optional<unsigned> cpus_;               // --expect-cppc
    cppc::Settings settings_;                    // --cppc-setting
    bool boost_ = false;                         // --cppc-boost
    std::vector<SetSpeed> setspeeds_;            // --cppc-setspeed
    std::vector<CppcWait> waits_;                // --wait-cppc
    std::map<unsigned, bool> bound_;             // CPU -> has a cppc_cpufreq policy
    std::map<unsigned, std::uint32_t> desired_;  // CPU -> performance set
};

}  // namespace

std::unique_ptr<CheckFamily> cppc_checks() {
    return std::make_unique<CppcChecks>();
}

}  // namespace lab::checks
