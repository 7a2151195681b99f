// SPDX-License-Identifier: GPL-2.0-or-later
// X-Gene SLIMpro I2C (pcc-xgene-i2c) through Linux's i2c-xgene-slimpro and
// i2c-dev, driven with busybox's i2c tools as a user would (i2c_tools.hpp
// reads their output):
//   --expect-xgene-i2c C,...   PCCT subspace C is type 2 with a GSI, an SSDT
//                              APMC0D40 device with _DSD pcc-channel C,
//                              xgene-slimpro-i2c bound to it
//                              (xgene-i2c-cC-pcct/-ssdt/-driver) and its
//                              adapter "MAILBOX I2C" with /dev/i2c-N
//                              (xgene-i2c-cC-adapter)
//   --expect-i2c-devices C,ADDR...  `i2cdetect -y -r N` finds exactly these
//                              7-bit addresses (xgene-i2c-cC-detect)
//   --expect-i2c-absent C,ADDR `i2cget` at ADDR fails with ENODEV
//                              (xgene-i2c-cC-ADDR-absent)
//   --i2c-write C,ADDR,REG,VALUE  `i2cset` writes VALUE, `i2cget` reads it
//                              back (xgene-i2c-cC-ADDR-REG-write)
//   --expect-i2c-dump C,ADDR,FILL  `i2cdump` in byte mode and in I2C block
//                              mode (QEMU's DMA) reads FILL everywhere but
//                              where --i2c-write wrote
//                              (xgene-i2c-cC-ADDR-dump, -block-dump)
#include <sys/wait.h>

#include <cerrno>
#include <map>

#include "check_family.hpp"
#include "i2c_tools.hpp"
#include "kmsg.hpp"
#include "process.hpp"
#include "slimpro_device_checks.hpp"
#include "sysfs.hpp"
#include "text.hpp"

namespace lab::checks {

namespace {

constexpr SlimproDevice kI2c{"APMC0D40", "xgene-slimpro-i2c", "i2c-xgene-slimpro", "xgene-i2c"};
constexpr const char* kAdapterName = "MAILBOX I2C";

struct Target {
    unsigned channel = 0;
    unsigned address = 0;
};
struct Write {
    Target at;
    unsigned reg = 0;
    unsigned value = 0;
};
struct DumpSpec {
    Target at;
    unsigned fill = 0;
};

std::string check_name(unsigned c) {
    return std::string(kI2c.prefix) + "-c" + std::to_string(c);
}
std::string check_name(const Target& t) {
    return check_name(t.channel) + "-" + i2c::address_text(t.address);
}

// A tool's run: its output (stdout and stderr) and whether it exited 0.
struct ToolRun {
    std::string output;
    bool ok = false;
    std::string command;
};
ToolRun run_tool(const std::vector<std::string>& argv) {
    ToolRun r;
    for (const auto& a : argv) {
        r.command += (r.command.empty() ? "" : " ") + a;
    }
    int status = 0;
    try {
        r.output = pcc::run_capture(argv, &status, true);
    } catch (const std::exception& e) {
        r.output = e.what();
        return r;
    }
    r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return r;
}

std::string quoted(const ToolRun& t) {
    std::string out = std::string(pcc::trim(t.output));
    if (out.size() > 160) {
        out = out.substr(0, 160) + "...";
    }
    return "`" + t.command + "`" + (t.ok ? "" : " failed") + ": '" + out + "'";
}

unsigned byte_value(const std::string& text, const std::string& what) {
    const unsigned v = number_value(text, "bad " + what + " '" + text + "'");
    if (v > 0xff) {
        throw OptionError("bad " + what + " '" + text + "' (a byte)");
    }
    return v;
}

unsigned address_value(const std::string& text) {
    const unsigned v = number_value(text, "bad address '" + text + "'");
    if (v < 0x03 || v > 0x77) {
        throw OptionError("address '" + text + "' is outside 0x03..0x77");
    }
    return v;
}

std::vector<std::string> fields(const std::string& v, std::size_t n, const char* form) {
    auto f = split(v, ',');
    if (f.size() != n) {
        throw OptionError(form);
    }
    return f;
}

std::string addresses_text(const std::vector<unsigned>& addresses) {
    std::string s;
    for (unsigned a : addresses) {
        s += (s.empty() ? "" : ",") + i2c::address_text(a);
    }
    return s.empty() ? "none" : s;
}

class XgeneI2cChecks : public CheckFamily {
  public:
    void add_options(Options& options, Context&) override {
        options.repeatable(
            "--expect-xgene-i2c", "C,C...",
            [this](const std::string& v) {
                for (unsigned c : channel_list(v)) {
                    channels_.push_back(c);
                }
            },
            "per channel C: PCCT subspace C is type 2 with a GSI, an SSDT APMC0D40 device with "
            "_DSD pcc-channel C, xgene-slimpro-i2c bound to it, its adapter with /dev/i2c-N");
        options.repeatable(
            "--expect-i2c-devices", "C,ADDR...",
            [this](const std::string& v) {
                auto f = split(v, ',');
                if (f.size() < 2) {
                    throw OptionError("C,ADDR...");
                }
                auto& want = detect_[number_value(f[0], "bad channel '" + f[0] + "'")];
                for (std::size_t i = 1; i < f.size(); ++i) {
                    want.push_back(address_value(f[i]));
                }
            },
            "i2cdetect -r on channel C's bus finds exactly these addresses");
        options.repeatable(
            "--expect-i2c-absent", "C,ADDR",
            [this](const std::string& v) {
                const auto f = fields(v, 2, "C,ADDR");
                absent_.push_back(
                    {number_value(f[0], "bad channel '" + f[0] + "'"), address_value(f[1])});
            },
            "i2cget at ADDR on channel C's bus fails with ENODEV");
        options.repeatable(
            "--i2c-write", "C,ADDR,REG,VALUE",
            [this](const std::string& v) {
                const auto f = fields(v, 4, "C,ADDR,REG,VALUE");
                writes_.push_back(
                    {{number_value(f[0], "bad channel '" + f[0] + "'"), address_value(f[1])},
                     byte_value(f[2], "register"),
                     byte_value(f[3], "value")});
            },
            "i2cset writes VALUE to REG of ADDR on channel C's bus, i2cget reads it back");
        options.repeatable(
            "--expect-i2c-dump", "C,ADDR,FILL",
            [this](const std::string& v) {
                const auto f = fields(v, 3, "C,ADDR,FILL");
                dumps_.push_back(
                    {{number_value(f[0], "bad channel '" + f[0] + "'"), address_value(f[1])},
                     byte_value(f[2], "fill")});
            },
            "i2cdump (byte and I2C block mode) reads FILL everywhere but where --i2c-write "
            "wrote");
    }

    bool examines_pcc_devices(const Context&) const override { return !channels_.empty(); }

    void run(Context& ctx) override {
        Reporter& r = ctx.report;
        if (!channels_.empty()) {
            check_slimpro_devices(r, kI2c, channels_, ctx.pcct);
        }
        for (unsigned c : channels_) {
            const auto bus = find_bus(c);
            r.check(bus.number.has_value(), check_name(c) + "-adapter",
                    bus.number ? "i2c-" + std::to_string(*bus.number) + " \"" + kAdapterName +
                                     "\", /dev/i2c-" + std::to_string(*bus.number)
                               : bus.problem);
        }
        for (const auto& [c, want] : detect_) {
            check_detect(r, c, want);
        }
        for (const auto& t : absent_) {
            check_absent(r, t);
        }
        for (const auto& w : writes_) {
            check_write(r, w);
        }
        for (const auto& d : dumps_) {
            check_dump(r, d, "b", "-dump");
            check_dump(r, d, "i", "-block-dump");
        }
    }

  private:
    struct Bus {
        std::optional<unsigned> number;
        std::string problem;
    };

    // The adapter of channel c's APMC0D40 device and its /dev/i2c-N.
    static Bus find_bus(unsigned c) {
        if (const std::string p = slimpro_binding_problem(kI2c, c); !p.empty()) {
            return {std::nullopt, "no adapter: " + p};
        }
        for (const auto& dev : acpi_devices_with_hid(kI2c.hid)) {
            const std::string acpi = "/sys/bus/acpi/devices/" + dev;
            if (read_text(acpi + "/uid").value_or("") != std::to_string(c)) {
                continue;
            }
            for (const auto& e : list_dir(acpi + "/physical_node")) {
                if (e.rfind("i2c-", 0) != 0) {
                    continue;
                }
                const std::string name =
                    read_text(acpi + "/physical_node/" + e + "/name").value_or("");
                if (name != kAdapterName) {
                    return {std::nullopt, e + " is named '" + name + "', not " + kAdapterName};
                }
                const unsigned n = number_value(e.substr(4), "bad adapter");
                if (list_dir("/sys/class/i2c-dev/" + e).empty()) {
                    return {std::nullopt, e + " (" + kAdapterName + ") has no /dev/" + e +
                                              ": module i2c-dev not loaded (`modules = "
                                              "i2c-dev`?)"};
                }
                return {n, {}};
            }
            return {std::nullopt, dev + " is bound but registered no I2C adapter" +
                                      quote_kernel_log({kI2c.hid, kI2c.driver, "I2C"})};
        }
        return {std::nullopt, "no APMC0D40 device with _UID " + std::to_string(c)};
    }

    // The bus of channel c, or a failure of `check`.
    std::optional<std::string> bus_or_fail(Reporter& r, const std::string& check, unsigned c) {
        if (!buses_.count(c)) {
            buses_[c] = find_bus(c);
        }
        const Bus& b = buses_[c];
        if (!b.number) {
            r.fail(check, b.problem);
            return std::nullopt;
        }
        return std::to_string(*b.number);
    }

    void check_detect(Reporter& r, unsigned c, const std::vector<unsigned>& want) {
        const std::string name = check_name(c) + "-detect";
        const auto bus = bus_or_fail(r, name, c);
        if (!bus) {
            return;
        }
        const ToolRun t = run_tool({"i2cdetect", "-y", "-r", *bus});
        std::string why;
        const auto d = t.ok ? i2c::parse_i2cdetect(t.output, &why) : std::nullopt;
        if (!d) {
            r.fail(name, quoted(t) + (why.empty() ? "" : " (" + why + ")"));
            return;
        }
        const bool good = d->present == want && d->busy.empty();
        r.check(good, name,
                "i2cdetect -y -r " + *bus + ": present " + addresses_text(d->present) +
                    (d->busy.empty() ? "" : ", busy " + addresses_text(d->busy)) + ", " +
                    std::to_string(d->absent.size()) + " absent (expected present " +
                    addresses_text(want) + " and nothing else)");
    }

    void check_absent(Reporter& r, const Target& t) {
        const std::string name = check_name(t) + "-absent";
        const auto bus = bus_or_fail(r, name, t.channel);
        if (!bus) {
            return;
        }
        const ToolRun run = run_tool({"i2cget", "-y", *bus, i2c::address_text(t.address), "0x00"});
        const auto err = i2c::message_errno(run.output, {ENODEV, ETIMEDOUT, EIO, EOPNOTSUPP});
        r.check(!run.ok && err == ENODEV, name,
                quoted(run) + (err ? " = " + errno_described(*err) : "") +
                    (!run.ok && err == ENODEV ? ": nobody at " + i2c::address_text(t.address)
                                              : " (expected ENODEV: no device there)"));
    }

    void check_write(Reporter& r, const Write& w) {
        const std::string name = check_name(w.at) + "-" + i2c::address_text(w.reg) + "-write";
        const auto bus = bus_or_fail(r, name, w.at.channel);
        if (!bus) {
            return;
        }
        const std::string chip = i2c::address_text(w.at.address);
        const std::string reg = i2c::address_text(w.reg);
        const ToolRun set = run_tool({"i2cset", "-y", *bus, chip, reg, i2c::address_text(w.value)});
        if (!set.ok) {
            r.fail(name, quoted(set) + quote_kernel_log({kI2c.driver, "i2c"}));
            return;
        }
        const ToolRun get = run_tool({"i2cget", "-y", *bus, chip, reg});
        const auto got = get.ok ? i2c::parse_i2cget(get.output) : std::nullopt;
        r.check(got == w.value, name,
                "i2cset " + chip + " " + reg + " " + i2c::address_text(w.value) + ", then " +
                    quoted(get) + " (expected " + i2c::address_text(w.value) + ")");
        written_[{w.at.channel, w.at.address}][w.reg] = w.value;
    }

    void check_dump(Reporter& r, const DumpSpec& d, const char* mode, const char* suffix) {
        const std::string name = check_name(d.at) + suffix;
        const auto bus = bus_or_fail(r, name, d.at.channel);
        if (!bus) {
            return;
        }
        const ToolRun t = run_tool({"i2cdump", "-y", *bus, i2c::address_text(d.at.address), mode});
        std::string why;
        const auto dump = t.ok ? i2c::parse_i2cdump(t.output, &why) : std::nullopt;
        if (!dump) {
            r.fail(name, quoted(t) + (why.empty() ? "" : " (" + why + ")"));
            return;
        }
        const auto& written = written_[{d.at.channel, d.at.address}];
        std::string wrong;
        unsigned bad = 0;
        for (unsigned a = 0; a < dump->size(); ++a) {
            const auto it = written.find(a);
            const unsigned want = it == written.end() ? d.fill : it->second;
            if ((*dump)[a] != want && ++bad <= 4) {
                wrong += " " + i2c::address_text(a) + " reads " +
                         ((*dump)[a] ? i2c::address_text(*(*dump)[a]) : std::string("XX")) +
                         ", expected " + i2c::address_text(want) + ";";
            }
        }
        std::string writes;
        for (const auto& [reg, v] : written) {
            writes += " " + i2c::address_text(reg) + "=" + i2c::address_text(v);
        }
        r.check(bad == 0, name,
                "i2cdump -y " + *bus + " " + i2c::address_text(d.at.address) + " " + mode +
                    (bad == 0 ? ": 256 bytes, all " + i2c::address_text(d.fill) +
                                    (writes.empty() ? "" : " but" + writes)
                              : ": " + std::to_string(bad) + " byte(s) wrong:" + reasons(wrong)));
    }

    std::vector<unsigned> channels_;                    // --expect-xgene-i2c
    std::map<unsigned, std::vector<unsigned>> detect_;  // --expect-i2c-devices
    std::vector<Target> absent_;                        // --expect-i2c-absent
    std::vector<Write> writes_;                         // --i2c-write
    std::vector<DumpSpec> dumps_;                       // --expect-i2c-dump
    std::map<unsigned, Bus> buses_;                     // channel -> its bus
    std::map<std::pair<unsigned, unsigned>, std::map<unsigned, unsigned>> written_;
};

}  // namespace

std::unique_ptr<CheckFamily> xgene_i2c_checks() {
    return std::make_unique<XgeneI2cChecks>();
}

}  // namespace lab::checks
