// SPDX-License-Identifier: GPL-2.0-or-later
// HiSilicon uncore frequency scaling (pcc-hisi-uncore) through Linux's
// hisi_uncore_freq (devfreq), compared with what pccd's hisi-uncore
// personality must answer for the settings it was given (docs/pccd.md,
// "HiSilicon uncore frequency"):
//   --expect-uncore            the HISI04F1 device is bound to
//                              hisi_uncore_freq and has a devfreq device
//                              (uncore-device)
//   --uncore-setting KEY=VALUE pccd's settings, as given to pccd
//                              (uncore.frequencies, uncore.cur_freq,
//                              uncore.mode, uncore.cap; the others take the
//                              personality's defaults); with them:
//                              available_frequencies is the table in Hz,
//                              ascending (uncore-frequencies), min_freq and
//                              max_freq its ends (uncore-min-max-freq), the
//                              governor follows the mode (uncore-governor),
//                              cur_freq is uncore.cur_freq in Hz (the
//                              highest with the performance governor)
//                              (uncore-cur-freq)
//   --uncore-userspace MHZ     governor userspace, userspace/set_freq = MHZ
//                              in Hz: cur_freq follows (uncore-userspace);
//                              pccd records the mode and MHZ (host steps)
//   --wait-uncore-cur-freq MHZ[,SECONDS]  after the host steps: polls
//                              cur_freq until it reads MHZ in Hz
//                              (uncore-cur-freq-after-STEP)
#include <algorithm>
#include <map>

#include "check_family.hpp"
#include "kmsg.hpp"
#include "sysfs.hpp"

namespace lab::checks {

namespace {

constexpr const char* kDriver = "hisi_uncore_freq";
constexpr const char* kHid = "HISI04F1";
constexpr unsigned long long kHzPerMhz = 1000000;

std::string hz(unsigned long long mhz) {
    return std::to_string(mhz * kHzPerMhz);
}

class UncoreChecks : public CheckFamily {
  public:
    void add_options(Options& options, Context&) override {
        options.flag(
            "--expect-uncore", [this] { expect_ = true; },
            "the HISI04F1 device is bound to hisi_uncore_freq; its devfreq shows pccd's values");
        options.repeatable(
            "--uncore-setting", "KEY=VALUE",
            [this](const std::string& v) {
                const auto eq = v.find('=');
                if (eq == std::string::npos || v.rfind("uncore.", 0) != 0) {
                    throw OptionError("uncore.KEY=VALUE, not '" + v + "'");
                }
                settings_[v.substr(0, eq)] = v.substr(eq + 1);
            },
            "a setting given to pccd, for the expected values");
        options.value(
            "--uncore-userspace", "MHZ",
            [this](const std::string& v) {
                userspace_mhz_ = number_value(v, "bad MHz '" + v + "'");
            },
            "the userspace governor sets MHZ; cur_freq follows");
        options.value(
            "--wait-uncore-cur-freq", "MHZ[,SECONDS]",
            [this](const std::string& v) {
                const auto f = split(v, ',');
                if (f.empty() || f.size() > 2) {
                    throw OptionError("MHZ[,SECONDS]");
                }
                wait_mhz_ = number_value(f[0], "bad MHz '" + f[0] + "'");
                wait_s_ = f.size() == 2 ? static_cast<int>(number_value(f[1], "bad seconds")) : 10;
            },
            "after the host steps: polls cur_freq until it reads MHZ in Hz");
    }

    bool examines_pcc_devices(const Context&) const override { return expect_; }

    void run(Context& ctx) override {
        if (!expect_) {
            return;
        }
        Reporter& r = ctx.report;
        const std::string problem = find_device();
        r.check(problem.empty(), "uncore-device",
                problem.empty() ? dir_ + " (" + read("name") + ") of " + platform_ + ", driver " +
                                      kDriver + ", related_cpus " + read("related_cpus")
                                : problem);
        if (!problem.empty()) {
            for (const char* n : {"uncore-frequencies", "uncore-min-max-freq", "uncore-governor",
                                  "uncore-cur-freq"}) {
                r.fail(n, "no devfreq device");
            }
            if (userspace_mhz_) {
                r.fail("uncore-userspace", "no devfreq device");
            }
            return;
        }
        std::vector<unsigned long long> table;
        for (const auto& f : split(setting("uncore.frequencies", "800,1200,1600,2000"), ',')) {
            table.push_back(number_value(f, "bad frequency '" + f + "'"));
        }
        std::sort(table.begin(), table.end());
        std::string want;
        for (const auto mhz : table) {
            want += (want.empty() ? "" : " ") + hz(mhz);
        }
        const std::string got = read("available_frequencies");
        r.check(
            got == want, "uncore-frequencies",
            "available_frequencies '" + got + "'" +
                (got == want ? " (pccd's uncore.frequencies in Hz)" : ", expected '" + want + "'"));
        const std::string min = read("min_freq"), max = read("max_freq");
        const bool range_ok = !table.empty() && min == hz(table.front()) && max == hz(table.back());
        r.check(range_ok, "uncore-min-max-freq",
                "min_freq " + min + ", max_freq " + max +
                    (range_ok || table.empty()
                         ? ""
                         : " (expected " + hz(table.front()) + " and " + hz(table.back()) + ")"));
        const bool platform = setting("uncore.mode", "0") == "0";
        const std::string want_gov = platform ? "hisi_platform" : "performance";
        const std::string gov = read("governor");
        r.check(gov == want_gov, "uncore-governor",
                "governor " + gov + " (available: " + read("available_governors") + ")" +
                    (gov == want_gov ? ""
                                     : ", expected " + want_gov + " for uncore.mode " +
                                           setting("uncore.mode", "0")));
        // performance sets the highest frequency, which the OS mode follows
        const std::string want_cur =
            platform ? hz(number_value(setting("uncore.cur_freq", std::to_string(table.back())),
                                       "bad uncore.cur_freq"))
                     : hz(table.back());
        const std::string cur = read("cur_freq");
        r.check(cur == want_cur, "uncore-cur-freq",
                "cur_freq " + cur + (cur == want_cur ? "" : ", expected " + want_cur));
        if (userspace_mhz_) {
            set_userspace(r, *userspace_mhz_);
        }
    }

    void after_host_steps(Context& ctx) override {
        if (!wait_mhz_) {
            return;
        }
        const std::string name = after_steps_name("uncore-cur-freq", ctx);
        const std::string want = hz(*wait_mhz_);
        std::string got;
        const Polled p = poll_until(wait_s_, [&] {
            got = read("cur_freq");
            return got == want;
        });
        ctx.report.check(p.done, name,
                         p.done ? "cur_freq " + want + " after " + fmt_s(p.seconds) + " (" +
                                      std::to_string(p.attempts) + " read(s))"
                                : "waiting " + std::to_string(wait_s_) + " s for " + want +
                                      ": cur_freq reads " + got);
    }

  private:
    std::string setting(const std::string& key, const std::string& fallback) const {
        const auto it = settings_.find(key);
        return it == settings_.end() ? fallback : it->second;
    }

    std::string read(const std::string& attr) const {
        return read_text(dir_ + "/" + attr).value_or("(unreadable)");
    }

    // The devfreq device whose parent is the HISI04F1 platform device bound
    // to hisi_uncore_freq; "" or why there is none.
    std::string find_device() {
        std::string seen;
        for (const auto& d : list_dir("/sys/bus/platform/devices")) {
            if (d.rfind(kHid, 0) != 0) {
                continue;
            }
            platform_ = d;
            const std::string drv = link_target_name("/sys/bus/platform/devices/" + d + "/driver");
            if (drv != kDriver) {
                return "/sys/bus/platform/devices/" + d + " has driver '" + drv + "', not " +
                       kDriver + quote_kernel_log({"uncore", "hisi", "PCC", "devfreq"}, 4);
            }
            for (const auto& f : list_dir("/sys/class/devfreq")) {
                const std::string dir = "/sys/class/devfreq/" + f;
                if (link_target_name(dir + "/device") == d) {
                    dir_ = dir;
                    return {};
                }
                seen += " " + f;
            }
            return "no /sys/class/devfreq device of " + d +
                   " (there:" + (seen.empty() ? std::string(" none") : seen) + ")";
        }
        return std::string("no ") + kHid + " platform device (no pcc-hisi-uncore?)" +
               quote_kernel_log({"uncore", "hisi", "PCC"}, 4);
    }

    void set_userspace(Reporter& r, unsigned mhz) {
        std::string e = write_text(dir_ + "/governor", "userspace");
        if (e.empty()) {
            e = write_text(dir_ + "/userspace/set_freq", hz(mhz));
        }
        const std::string cur = read("cur_freq");
        const bool good = e.empty() && cur == hz(mhz) && read("governor") == "userspace";
        r.check(
            good, "uncore-userspace",
            "governor " + read("governor") + ", set_freq " + hz(mhz) + ": cur_freq " + cur +
                (e.empty() ? "" : "; " + e + quote_kernel_log({"uncore", "devfreq", "PCC"}, 3)));
    }

    bool expect_ = false;
    std::map<std::string, std::string> settings_;
    std::optional<unsigned> userspace_mhz_;
    std::optional<unsigned> wait_mhz_;
    int wait_s_ = 10;
    std::string dir_;
    std::string platform_;
};

}  // namespace

std::unique_ptr<CheckFamily> uncore_checks() {
    return std::make_unique<UncoreChecks>();
}

}  // namespace lab::checks
