// SPDX-License-Identifier: GPL-2.0-or-later
// HiSilicon Kunpeng HCCS (pcc-kunpeng-hccs, variant b1 or b2) through Linux's
// kunpeng_hccs, whose sysfs tree under /sys/devices/platform/HISI04Bx:00 is
// compared with what pccd's kunpeng-hccs personality must answer for the
// settings it was given (docs/pccd.md, "Kunpeng HCCS"):
//   --expect-hccs b1|b2        the HISI04B1/HISI04B2 device is bound to
//                              kunpeng_hccs (hccs-device)
//   --hccs-setting KEY=VALUE   pccd's settings, as given to pccd: hccs.chip_num,
//                              hccs.chipC.die_ids, hccs.chipC.dieD.port_ids
//                              (both required) and per port
//                              hccs.chipC.dieD.hccsP.FIELD; the other port
//                              fields take the personality's defaults
//   --expect-hccs-tree         the chipC/dieD/hccsP directories are the
//                              topology's (hccs-topology), used_types
//                              (hccs-used-types), every port's seven
//                              attributes (hccs-chipC-dieD-hccsP), every
//                              die's and chip's all_linked,
//                              linked_full_lane, crc_err_cnt (hccs-chipC-dieD,
//                              hccs-chipC)
//   --expect-hccs-lane-pm      available_inc_dec_lane_types is HCCS-v2 and
//                              dec_lane_of_type/inc_lane_of_type are there;
//                              other types are refused: a used one with
//                              EOPNOTSUPP, an unknown one with EINVAL
//                              (hccs-lane-pm)
//   --expect-no-hccs-lane-pm   none of the three files (hccs-no-lane-pm)
//   --hccs-dec-lane            writes HCCS-v2 to dec_lane_of_type: every
//                              HCCS-v2 port then has half its lanes, the
//                              others keep theirs (hccs-dec-lane)
//   --hccs-inc-lane            writes HCCS-v2 to inc_lane_of_type: every
//                              HCCS-v2 port then has all its lanes
//                              (hccs-inc-lane)
//   --wait-hccs PATH,VALUE[,SECONDS]  after the host steps: polls the
//                              attribute PATH of the device
//                              (chip0/die1/hccs2/crc_err_cnt) until it reads
//                              VALUE (hccs-PATH-after-STEP)
#include <unistd.h>
#include <algorithm>

#include <cerrno>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>

#include "check_family.hpp"
#include "kmsg.hpp"
#include "sysfs.hpp"

namespace lab::checks {

namespace {

constexpr const char* kDriver = "kunpeng_hccs";
constexpr unsigned kHccsV2 = 2;
constexpr unsigned kLinkUp = 4;

// One port as the personality answers it.
struct Port {
    unsigned chip = 0, die = 0, id = 0;
    unsigned type = kHccsV2, lane_mode = 8, enable = 1, cur_lane_num = 8, link_fsm = kLinkUp,
             lane_mask = 0xff;
    unsigned long long crc_err_cnt = 0;

    std::string path() const {
        return "chip" + std::to_string(chip) + "/die" + std::to_string(die) + "/hccs" +
               std::to_string(id);
    }
};

unsigned full_lane_mask(unsigned lanes) {
    return lanes >= 8 ? 0xff : (1U << lanes) - 1;
}

std::string link_fsm_text(unsigned fsm) {
    static const char* names[] = {"unknown", "reset", "setup", "config", "link-up"};
    return fsm < std::size(names) ? names[fsm] : "unknown";
}

std::string hex_text(unsigned v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%x", v);
    return b;
}

struct Wait {
    std::string path;
    std::string value;
    int seconds = 10;
};

class HccsChecks : public CheckFamily {
  public:
    void add_options(Options& options, Context&) override {
        options.value(
            "--expect-hccs", "b1|b2",
            [this](const std::string& v) {
                if (v != "b1" && v != "b2") {
                    throw OptionError("b1 or b2, not '" + v + "'");
                }
                variant_ = v;
            },
            "the HISI04B1 (b1) or HISI04B2 (b2) device is bound to kunpeng_hccs");
        options.repeatable(
            "--hccs-setting", "KEY=VALUE",
            [this](const std::string& v) {
                const auto eq = v.find('=');
                if (eq == std::string::npos || v.rfind("hccs.", 0) != 0) {
                    throw OptionError("hccs.KEY=VALUE, not '" + v + "'");
                }
                settings_[v.substr(0, eq)] = v.substr(eq + 1);
            },
            "a setting given to pccd, for the expected values");
        options.flag(
            "--expect-hccs-tree", [this] { tree_ = true; },
            "the sysfs tree equals the topology and values of the settings");
        options.flag(
            "--expect-hccs-lane-pm", [this] { lane_pm_ = true; },
            "the lane power management files are there; other types are refused");
        options.flag(
            "--expect-no-hccs-lane-pm", [this] { no_lane_pm_ = true; },
            "the lane power management files are not there");
        options.flag(
            "--hccs-dec-lane", [this] { dec_ = true; },
            "HCCS-v2 > dec_lane_of_type halves the lanes of the HCCS-v2 ports");
        options.flag(
            "--hccs-inc-lane", [this] { inc_ = true; },
            "HCCS-v2 > inc_lane_of_type gives the HCCS-v2 ports all their lanes");
        options.repeatable(
            "--wait-hccs", "PATH,VALUE[,SECONDS]",
            [this](const std::string& v) {
                const auto f = split(v, ',');
                if (f.size() < 2 || f.size() > 3 || f[0].empty()) {
                    throw OptionError("PATH,VALUE[,SECONDS]");
                }
                const unsigned s = f.size() == 3 ? number_value(f[2], "bad seconds") : 10;
                waits_.push_back({f[0], f[1], static_cast<int>(s == 0 ? 10 : s)});
            },
            "after the host steps: polls the device's attribute PATH until it reads VALUE");
    }

    bool examines_pcc_devices(const Context&) const override { return !variant_.empty(); }

    void run(Context& ctx) override {
        if (variant_.empty()) {
            return;
        }
        Reporter& r = ctx.report;
        dir_ = "/sys/bus/platform/devices/" +
               std::string(variant_ == "b1" ? "HISI04B1" : "HISI04B2") + ":00";
        const std::string driver = link_target_name(dir_ + "/driver");
        const bool bound = driver == kDriver;
        r.check(bound, "hccs-device",
                bound ? dir_ + " is bound to " + kDriver
                      : dir_ +
                            (list_dir(dir_).empty() ? " is not there (no pcc-kunpeng-hccs?)"
                                                    : " has driver '" + driver + "'") +
                            quote_kernel_log({"hccs", "HCCS", "PCC", "HISI04B"}, 4));
        std::string model_problem;
        try {
            build_model();
        } catch (const std::runtime_error& e) {
            model_problem = e.what();
        }
        const std::string cannot = !bound ? "no device" : model_problem;
        auto step = [&](bool wanted, const char* name, void (HccsChecks::*check)(Reporter&)) {
            if (!wanted) {
                return;
            }
            if (!cannot.empty()) {
                r.fail(name, cannot);
                return;
            }
            (this->*check)(r);
        };
        step(tree_, "hccs-topology", &HccsChecks::check_tree);
        step(lane_pm_, "hccs-lane-pm", &HccsChecks::check_lane_pm);
        step(no_lane_pm_, "hccs-no-lane-pm", &HccsChecks::check_no_lane_pm);
        step(dec_, "hccs-dec-lane", &HccsChecks::check_dec_lane);
        step(inc_, "hccs-inc-lane", &HccsChecks::check_inc_lane);
    }

    void after_host_steps(Context& ctx) override {
        for (const auto& w : waits_) {
            const std::string name = after_steps_name("hccs-" + dashed(w.path), ctx);
            const std::string path = dir_ + "/" + w.path;
            std::string got;
            const Polled p = poll_until(w.seconds, [&] {
                got = read_text(path).value_or("(unreadable)");
                return got == w.value;
            });
            ctx.report.check(p.done, name,
                             p.done ? path + " = " + w.value + " after " + fmt_s(p.seconds) + " (" +
                                          std::to_string(p.attempts) + " read(s))"
                                    : "waiting " + std::to_string(w.seconds) + " s for " + w.value +
                                          ": " + path + " reads " + got);
        }
    }

  private:
    static std::string dashed(std::string path) {
        std::replace(path.begin(), path.end(), '/', '-');
        return path;
    }

    std::string setting(const std::string& key) const {
        const auto it = settings_.find(key);
        return it == settings_.end() ? std::string() : it->second;
    }
    unsigned number(const std::string& key, unsigned fallback) const {
        const std::string v = setting(key);
        return v.empty() ? fallback : number_value(v, key + ": bad number '" + v + "'");
    }
    static unsigned long long u64(const std::string& key, const std::string& v) {
        char* end = nullptr;
        errno = 0;
        const unsigned long long n = std::strtoull(v.c_str(), &end, 0);
        if (v.empty() || *end || errno) {
            throw std::runtime_error(key + ": bad number '" + v + "'");
        }
        return n;
    }
    std::vector<unsigned> ids(const std::string& key) const {
        const std::string v = setting(key);
        if (v.empty()) {
            throw std::runtime_error("give --hccs-setting " + key + "=... (as pccd has it)");
        }
        std::vector<unsigned> out;
        if (v != "none") {
            for (const auto& f : split(v, ',')) {
                out.push_back(number_value(f, key + ": bad id '" + f + "'"));
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    // The ports from the settings with the personality's defaults.
    void build_model() {
        ports_.clear();
        dies_.clear();
        const unsigned chips = number("hccs.chip_num", 2);
        chips_ = chips;
        for (unsigned c = 0; c < chips; ++c) {
            const std::string chip = "hccs.chip" + std::to_string(c);
            for (const unsigned d : ids(chip + ".die_ids")) {
                dies_.push_back({c, d});
                const std::string die = chip + ".die" + std::to_string(d);
                for (const unsigned id : ids(die + ".port_ids")) {
                    const std::string k = die + ".hccs" + std::to_string(id) + ".";
                    Port p{c, d, id};
                    p.type = number(k + "type", kHccsV2);
                    p.lane_mode = number(k + "lane_mode", 8);
                    p.enable = number(k + "enable", 1);
                    p.cur_lane_num = number(k + "cur_lane_num", p.lane_mode);
                    p.link_fsm = number(k + "link_fsm", kLinkUp);
                    p.lane_mask = number(k + "lane_mask", full_lane_mask(p.cur_lane_num));
                    const std::string crc = setting(k + "crc_err_cnt");
                    p.crc_err_cnt = crc.empty() ? c * 1000ULL + d * 100ULL + id : u64(k, crc);
                    ports_.push_back(p);
                }
            }
        }
    }

    std::string read(const std::string& rel) const {
        return read_text(dir_ + "/" + rel).value_or("(unreadable)");
    }

    // "; NAME is X, expected Y" for each difference.
    static void compare(std::string& diffs, std::string& seen, const std::string& name,
                        const std::string& got, const std::string& want) {
        seen += " " + name + " " + got;
        if (got != want) {
            diffs += " " + name + " is " + got + ", expected " + want + ";";
        }
    }

    void check_port(Reporter& r, const Port& p, const char* what) const {
        std::string diffs, seen;
        const std::string base = p.path() + "/";
        compare(diffs, seen, "type", read(base + "type"), "HCCS-v" + std::to_string(p.type));
        compare(diffs, seen, "lane_mode", read(base + "lane_mode"),
                "x" + std::to_string(p.lane_mode));
        compare(diffs, seen, "enable", read(base + "enable"), std::to_string(p.enable));
        compare(diffs, seen, "cur_lane_num", read(base + "cur_lane_num"),
                std::to_string(p.cur_lane_num));
        compare(diffs, seen, "link_fsm", read(base + "link_fsm"), link_fsm_text(p.link_fsm));
        compare(diffs, seen, "lane_mask", read(base + "lane_mask"), hex_text(p.lane_mask));
        compare(diffs, seen, "crc_err_cnt", read(base + "crc_err_cnt"),
                std::to_string(p.crc_err_cnt));
        r.check(diffs.empty(), "hccs-" + dashed(p.path()),
                p.path() + ":" + seen +
                    (diffs.empty() ? std::string(" (") + what + ")" : ";" + reasons(diffs)));
    }

    // A die's or chip's three attributes from its ports (the firmware's
    // rules: enabled ports linked; linked ports at full width; CRC sum).
    void check_group(Reporter& r, const std::string& path,
                     const std::function<bool(const Port&)>& member) const {
        bool linked = true, full = true;
        unsigned long long crc = 0;
        for (const Port& p : ports_) {
            if (!member(p)) {
                continue;
            }
            linked = linked && (!p.enable || p.link_fsm == kLinkUp);
            full = full && (!p.enable || p.link_fsm != kLinkUp || p.cur_lane_num == p.lane_mode);
            crc += p.crc_err_cnt;
        }
        std::string diffs, seen;
        compare(diffs, seen, "all_linked", read(path + "/all_linked"), linked ? "1" : "0");
        compare(diffs, seen, "linked_full_lane", read(path + "/linked_full_lane"),
                full ? "1" : "0");
        compare(diffs, seen, "crc_err_cnt", read(path + "/crc_err_cnt"), std::to_string(crc));
        r.check(diffs.empty(), "hccs-" + dashed(path),
                path + ":" + seen + (diffs.empty() ? "" : ";" + reasons(diffs)));
    }

    void check_tree(Reporter& r) {
        std::set<std::string> want, got;
        for (const Port& p : ports_) {
            want.insert(p.path());
        }
        for (const auto& [c, d] : dies_) {
            want.insert("chip" + std::to_string(c) + "/die" + std::to_string(d));
        }
        for (unsigned c = 0; c < chips_; ++c) {
            want.insert("chip" + std::to_string(c));
        }
        for (const auto& chip : list_dir(dir_)) {
            if (chip.rfind("chip", 0) != 0) {
                continue;
            }
            got.insert(chip);
            for (const auto& die : list_dir(dir_ + "/" + chip)) {
                if (die.rfind("die", 0) != 0) {
                    continue;
                }
                got.insert(chip + "/" + die);
                for (const auto& port : list_dir(dir_ + "/" + chip + "/" + die)) {
                    if (port.rfind("hccs", 0) == 0) {
                        got.insert(chip + "/" + die + "/" + port);
                    }
                }
            }
        }
        auto joined = [](const std::set<std::string>& s) {
            std::string out;
            for (const auto& x : s) {
                out += " " + x;
            }
            return out;
        };
        r.check(got == want, "hccs-topology",
                std::to_string(ports_.size()) + " ports:" + joined(got) +
                    (got == want ? "" : "; expected" + joined(want)));
        std::set<unsigned> types;
        for (const Port& p : ports_) {
            types.insert(p.type);
        }
        std::string used;
        for (const unsigned t : types) {
            used += (used.empty() ? "HCCS-v" : " HCCS-v") + std::to_string(t);
        }
        const std::string got_used = read("used_types");
        r.check(got_used == used, "hccs-used-types",
                "used_types '" + got_used + "'" +
                    (got_used == used ? "" : ", expected '" + used + "'"));
        for (const Port& p : ports_) {
            check_port(r, p, "as pccd's settings say");
        }
        for (const auto& [c, d] : dies_) {
            check_group(r, "chip" + std::to_string(c) + "/die" + std::to_string(d),
                        [c = c, d = d](const Port& p) { return p.chip == c && p.die == d; });
        }
        for (unsigned c = 0; c < chips_; ++c) {
            check_group(r, "chip" + std::to_string(c), [c](const Port& p) { return p.chip == c; });
        }
    }

    // A write that must fail with `want` (an errno's name).
    std::string refused(const char* file, const std::string& text, int want) const {
        const std::string e = write_text(dir_ + "/" + file, text);
        const std::string name = errno_described(want);
        if (e.find(name) == std::string::npos) {
            return " " + std::string(file) + " < " + text + ": " + (e.empty() ? "accepted" : e) +
                   ", expected " + name + ";";
        }
        return {};
    }

    void check_lane_pm(Reporter& r) {
        std::string problems;
        const std::string types = read("available_inc_dec_lane_types");
        if (types != "HCCS-v2") {
            problems += " available_inc_dec_lane_types is '" + types + "', expected HCCS-v2;";
        }
        for (const char* f : {"dec_lane_of_type", "inc_lane_of_type"}) {
            if (::access((dir_ + "/" + f).c_str(), F_OK) != 0) {
                problems += std::string(" no ") + f + ";";
            }
        }
        const bool v1_used =
            std::any_of(ports_.begin(), ports_.end(), [](const Port& p) { return p.type == 1; });
        if (v1_used) {
            problems += refused("dec_lane_of_type", "HCCS-v1", EOPNOTSUPP);
        }
        problems += refused("inc_lane_of_type", "HCCS-v9", EINVAL);
        r.check(problems.empty(), "hccs-lane-pm",
                problems.empty() ? "available_inc_dec_lane_types HCCS-v2, dec/inc_lane_of_type "
                                   "there; HCCS-v9 refused with EINVAL" +
                                       std::string(v1_used ? ", HCCS-v1 with EOPNOTSUPP" : "")
                                 : reasons(problems));
    }

    void check_no_lane_pm(Reporter& r) {
        std::string there;
        for (const char* f :
             {"available_inc_dec_lane_types", "dec_lane_of_type", "inc_lane_of_type"}) {
            if (::access((dir_ + "/" + f).c_str(), F_OK) == 0) {
                there += std::string(" ") + f;
            }
        }
        r.check(there.empty(), "hccs-no-lane-pm",
                there.empty() ? "no lane power management files (the capability's bit 0 is clear)"
                              : "there:" + there);
    }

    // Writes HCCS-v2 to FILE, then every port must read as the model with
    // the HCCS-v2 ports' lanes `lanes(port)`.
    void lane_change(Reporter& r, const char* name, const char* file,
                     const std::function<unsigned(const Port&)>& lanes) {
        std::string before;
        for (const Port& p : ports_) {
            if (p.type == kHccsV2) {
                before += " " + p.path() + "=" + read(p.path() + "/cur_lane_num");
            }
        }
        const double t0 = now_s();
        const std::string e = write_text(dir_ + "/" + file, "HCCS-v2");
        const double took = now_s() - t0;
        if (!e.empty()) {
            r.fail(name, std::string(file) + ": " + e +
                             quote_kernel_log({"hccs", "HCCS", "lane", "PCC"}, 3));
            return;
        }
        for (Port& p : ports_) {
            if (p.type == kHccsV2) {
                p.cur_lane_num = lanes(p);
                p.lane_mask = full_lane_mask(p.cur_lane_num);
            }
        }
        std::string diffs, after;
        for (const Port& p : ports_) {
            const std::string got = read(p.path() + "/cur_lane_num");
            const std::string mask = read(p.path() + "/lane_mask");
            if (p.type == kHccsV2) {
                after += " " + p.path() + "=" + got + "(" + mask + ")";
            }
            if (got != std::to_string(p.cur_lane_num) || mask != hex_text(p.lane_mask)) {
                diffs += " " + p.path() + " cur_lane_num " + got + " lane_mask " + mask +
                         ", expected " + std::to_string(p.cur_lane_num) + " " +
                         hex_text(p.lane_mask) + ";";
            }
        }
        r.check(diffs.empty(), name,
                std::string("HCCS-v2 > ") + file + " took " + fmt_s(took) + "; HCCS-v2 lanes" +
                    before + " ->" + after + (diffs.empty() ? "" : ";" + reasons(diffs)));
    }

    void check_dec_lane(Reporter& r) {
        lane_change(r, "hccs-dec-lane", "dec_lane_of_type",
                    [](const Port& p) { return std::max(1U, p.lane_mode / 2); });
    }

    void check_inc_lane(Reporter& r) {
        lane_change(r, "hccs-inc-lane", "inc_lane_of_type",
                    [](const Port& p) { return p.lane_mode; });
    }

    std::string variant_;
    std::map<std::string, std::string> settings_;
    bool tree_ = false, lane_pm_ = false, no_lane_pm_ = false, dec_ = false, inc_ = false;
    std::vector<Wait> waits_;
    std::string dir_;
    unsigned chips_ = 0;
    std::vector<Port> ports_;
    std::vector<std::pair<unsigned, unsigned>> dies_;
};

}  // namespace

std::unique_ptr<CheckFamily> hccs_checks() {
    return std::make_unique<HccsChecks>();
}

}  // namespace lab::checks
