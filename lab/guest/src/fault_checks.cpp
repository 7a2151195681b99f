// SPDX-License-Identifier: GPL-2.0-or-later
// How Linux reacts to a misbehaving platform (QEMU's fault injection, which
// the runner arms through QMP host steps): after the host steps, in this
// order (each option's in the order given),
//   --expect-read-error NAME,PATH,ERRNO[,KMSG]  one read of PATH (a sysfs
//                         attribute with a number; a glob that matches one
//                         file) fails with ERRNO (a name: ETIMEDOUT, EIO,
//                         ...) and, with KMSG, the kernel has logged a line
//                         holding KMSG (commas allowed) since the checks
//                         before the host steps (NAME-after-STEP)
//   --expect-read NAME,PATH,VALUE[,MIN_MS]  one read of PATH gives VALUE
//                         and, with MIN_MS, took at least MIN_MS (a late
//                         answer within the driver's deadline)
//   --expect-kmsg NAME,TEXT  within 10 s the kernel logs a line holding
//                         TEXT anew
//   --expect-kmsg-lines NAME,N,TEXT  the kernel log holds exactly N lines
//                         with TEXT (e.g. a warning that a guest command,
//                         not a host step, brought about)
//   --expect-irq NAME,C,INTERRUPTS,UNHANDLED  the interrupt of PCCT subspace
//                         C (its GSI, from the PCCT) counted INTERRUPTS more
//                         in /proc/interrupts and UNHANDLED that no handler
//                         claimed (pcc.c returned IRQ_NONE), as far as
//                         /proc/irq/N/spurious tells (unhandled_between);
//                         "N" exactly, "N+" at least; waits up to 5 s
//   --expect-no-kmsg NAME,TEXT  the kernel has logged no line holding TEXT
//                         since the checks before the host steps
// Every check reports how long its read took and quotes the kernel's words.
#include <cerrno>
#include <map>
#include <variant>

#include "check_family.hpp"
#include "interrupts.hpp"
#include "kmsg.hpp"
#include "sysfs.hpp"

namespace lab::checks {

namespace {

struct ReadError {
    std::string name, path, errno_name;
    int err = 0;
    std::string kmsg;
};
struct Read {
    std::string name, path;
    long long value = 0;
    std::optional<unsigned> min_ms;
};
struct Kmsg {
    std::string name, text;
    bool present = true;
};
// --expect-kmsg-lines: the log holds exactly `lines` lines with `text`
struct KmsgLines {
    std::string name, text;
    std::size_t lines = 0;
};
// "N" or "N+"
struct Count {
    std::uint64_t n = 0;
    bool at_least = false;
    bool met(std::uint64_t v) const { return at_least ? v >= n : v == n; }
    bool passed(std::uint64_t v) const { return !at_least && v > n; }
    std::string text() const { return std::to_string(n) + (at_least ? "+" : ""); }
};
struct Irq {
    std::string name;
    unsigned channel = 0;
    Count interrupts, unhandled;
};
using Action = std::variant<ReadError, Read, Kmsg, KmsgLines, Irq>;

// ERRNO by the name errno_described() gives it.
int errno_by_name(const std::string& name) {
    for (int e = 1; e < 256; ++e) {
        if (errno_described(e).rfind(name + " (", 0) == 0) {
            return e;
        }
    }
    throw OptionError("unknown errno name '" + name + "' (ETIMEDOUT, EIO, ENODEV, ...)");
}

Count count_value(const std::string& v) {
    Count c;
    std::string digits = v;
    if (!digits.empty() && digits.back() == '+') {
        c.at_least = true;
        digits.pop_back();
    }
    c.n = number_value(digits, "bad count '" + v + "' (N or N+)");
    return c;
}

// The first `n` comma-separated fields, and the rest (commas and all).
std::vector<std::string> fields_and_rest(const std::string& v, std::size_t n,
                                         const std::string& form) {
    std::vector<std::string> out;
    std::size_t at = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t comma = v.find(',', at);
        if (comma == std::string::npos) {
            if (k + 1 == n) {
                out.push_back(v.substr(at));
                return out;
            }
            throw OptionError(form);
        }
        out.push_back(v.substr(at, comma - at));
        at = comma + 1;
    }
    out.push_back(v.substr(at));
    return out;
}

std::size_t kmsg_count(const std::string& text) {
    std::string source, error;
    std::size_t n = 0;
    for (const auto& rec : read_kernel_log(&source, &error)) {
        n += rec.text.find(text) != std::string::npos ? 1 : 0;
    }
    return n;
}

// The last kernel log record holding `text`, quoted.
std::string last_kmsg(const std::string& text) {
    std::string source, error, last;
    for (const auto& rec : read_kernel_log(&source, &error)) {
        if (rec.text.find(text) != std::string::npos) {
            last = rec.text;
        }
    }
    return last.empty() ? "" : " (\"" + last + "\")";
}

struct IrqState {
    std::optional<InterruptLine> line;
    std::optional<SpuriousCounts> spurious;
    std::string problem;
};

class FaultChecks : public CheckFamily {
  public:
    void add_options(Options& options, Context&) override {
        options.repeatable(
            "--expect-read-error", "NAME,PATH,ERRNO[,KMSG]",
            [this](const std::string& v) {
                auto f = fields_and_rest(v, 3, "NAME,PATH,ERRNO[,KMSG]");
                if (f.size() == 3) {
                    f.emplace_back();
                }
                actions_.push_back(ReadError{f[0], f[1], f[2], errno_by_name(f[2]), f[3]});
                remember(f[3]);
            },
            "after the host steps: a read of PATH fails with ERRNO, and the kernel logged KMSG");
        options.repeatable(
            "--expect-read", "NAME,PATH,VALUE[,MIN_MS]",
            [this](const std::string& v) {
                const auto f = split(v, ',');
                if (f.size() < 3 || f.size() > 4) {
                    throw OptionError("NAME,PATH,VALUE[,MIN_MS]");
                }
                Read r{f[0], f[1], 0, std::nullopt};
                try {
                    std::size_t used = 0;
                    r.value = std::stoll(f[2], &used, 0);
                    if (used != f[2].size()) {
                        throw std::invalid_argument(f[2]);
                    }
                } catch (const std::logic_error&) {
                    throw OptionError("bad value '" + f[2] + "'");
                }
                if (f.size() == 4) {
                    r.min_ms = number_value(f[3], "bad milliseconds '" + f[3] + "'");
                }
                actions_.push_back(r);
            },
            "after the host steps: a read of PATH gives VALUE (taking at least MIN_MS)");
        options.repeatable(
            "--expect-kmsg", "NAME,TEXT", [this](const std::string& v) { add_kmsg(v, true); },
            "after the host steps: the kernel logs a line with TEXT (within 10 s)");
        options.repeatable(
            "--expect-kmsg-lines", "NAME,N,TEXT",
            [this](const std::string& v) {
                const auto f = fields_and_rest(v, 2, "NAME,N,TEXT");
                if (f.size() != 3 || f[2].empty()) {
                    throw OptionError("NAME,N,TEXT");
                }
                actions_.push_back(
                    KmsgLines{f[0], f[2], number_value(f[1], "bad count '" + f[1] + "'")});
            },
            "after the host steps: the kernel log holds exactly N lines with TEXT");
        options.repeatable(
            "--expect-irq", "NAME,C,INTERRUPTS,UNHANDLED",
            [this](const std::string& v) {
                const auto f = split(v, ',');
                if (f.size() != 4) {
                    throw OptionError("NAME,C,INTERRUPTS,UNHANDLED");
                }
                const Irq irq{f[0], number_value(f[1], "bad channel '" + f[1] + "'"),
                              count_value(f[2]), count_value(f[3])};
                irq_channels_[irq.channel] = {};
                actions_.push_back(irq);
            },
            "after the host steps: subspace C's interrupt counted INTERRUPTS more, UNHANDLED "
            "more claimed by no handler (N or N+)");
        options.repeatable(
            "--expect-no-kmsg", "NAME,TEXT", [this](const std::string& v) { add_kmsg(v, false); },
            "after the host steps: the kernel logged no line with TEXT since the checks before");
    }

    void run(Context&) override {
        for (auto& [text, before] : kmsg_before_) {
            before = kmsg_count(text);
        }
        for (auto& [c, state] : irq_channels_) {
            state = irq_state(c);
        }
    }

    void after_host_steps(Context& ctx) override {
        for (const auto& a : actions_) {
            std::visit([&](const auto& x) { check(ctx, x); }, a);
        }
    }

  private:
    // --expect-kmsg / --expect-no-kmsg NAME,TEXT: a line with TEXT is (not) logged.
    void add_kmsg(const std::string& v, bool wanted) {
        const auto f = fields_and_rest(v, 1, "NAME,TEXT");
        if (f.size() != 2 || f[1].empty()) {
            throw OptionError("NAME,TEXT");
        }
        actions_.push_back(Kmsg{f[0], f[1], wanted});
        remember(f[1]);
    }

    void remember(const std::string& text) {
        if (!text.empty()) {
            kmsg_before_[text] = 0;
        }
    }

    std::size_t new_kmsg(const std::string& text) const {
        const auto it = kmsg_before_.find(text);
        const std::size_t now = kmsg_count(text);
        const std::size_t before = it == kmsg_before_.end() ? 0 : it->second;
        return now > before ? now - before : 0;
    }

    static IrqState irq_state(unsigned channel) {
        IrqState s;
        const auto table = read_file(std::string(kAcpiTables) + "/PCCT");
        const auto pcct = table ? acpi::parse_pcct(*table, nullptr) : std::nullopt;
        if (!pcct || channel >= pcct->subspaces.size()) {
            s.problem = "no PCCT subspace " + std::to_string(channel);
            return s;
        }
        const auto gsi_of = pcct->subspaces[channel].gsi;
        if (!gsi_of) {
            s.problem = "PCCT subspace " + std::to_string(channel) + " has no interrupt";
            return s;
        }
        const unsigned gsi = *gsi_of;
        const auto text = read_file("/proc/interrupts");
        const std::vector<InterruptLine> lines =
            text ? parse_interrupts(std::string(text->begin(), text->end()))
                 : std::vector<InterruptLine>{};
        s.line = interrupt_of_gsi(lines, gsi);
        if (!s.line) {
            s.problem = "GSI " + std::to_string(gsi) + " of subspace " + std::to_string(channel) +
                        " is not in /proc/interrupts (no client requested the channel?)";
            return s;
        }
        if (const auto sp = read_file("/proc/irq/" + std::to_string(s.line->irq) + "/spurious")) {
            s.spurious = parse_spurious(std::string(sp->begin(), sp->end()));
        }
        if (!s.spurious) {
            s.problem = "/proc/irq/" + std::to_string(s.line->irq) + "/spurious unreadable";
        }
        return s;
    }

    void check(Context& ctx, const ReadError& e) {
        const std::string name = after_steps_name(e.name, ctx);
        std::string why;
        const std::string path = glob_one(e.path, &why);
        if (path.empty()) {
            ctx.report.fail(name, why);
            return;
        }
        const double t0 = now_s();
        const NumberRead rd = read_number(path);
        const double took = now_s() - t0;
        std::string msg = path + ": ";
        bool good = false;
        if (rd.value) {
            msg += "read " + std::to_string(*rd.value) + " in " + fmt_s(took) + ", expected " +
                   e.errno_name + quote_kernel_log({"PCC", "pcc", "mailbox", "Mailbox"});
        } else {
            good = rd.err == e.err;
            msg += rd.error + " after " + fmt_s(took) + (good ? "" : ", expected " + e.errno_name);
        }
        if (!e.kmsg.empty()) {
            const std::size_t n = new_kmsg(e.kmsg);
            good = good && n > 0;
            msg += "; the kernel logged \"" + e.kmsg + "\" " + std::to_string(n) +
                   " time(s) since" + last_kmsg(e.kmsg);
        }
        ctx.report.check(good, name, msg);
    }

    void check(Context& ctx, const Read& r) {
        const std::string name = after_steps_name(r.name, ctx);
        std::string why;
        const std::string path = glob_one(r.path, &why);
        if (path.empty()) {
            ctx.report.fail(name, why);
            return;
        }
        const double t0 = now_s();
        const NumberRead rd = read_number(path);
        const double took = now_s() - t0;
        if (!rd.value) {
            ctx.report.fail(name, path + ": " + rd.error + " after " + fmt_s(took) +
                                      quote_kernel_log({"PCC", "pcc", "mailbox", "Mailbox"}));
            return;
        }
        const bool slow_enough = !r.min_ms || took * 1000 >= *r.min_ms;
        ctx.report.check(*rd.value == r.value && slow_enough, name,
                         path + " = " + std::to_string(*rd.value) + " (expected " +
                             std::to_string(r.value) + ") in " +
                             (r.min_ms ? fmt_ms(took) : fmt_s(took)) +
                             (r.min_ms ? " (expected at least " + std::to_string(*r.min_ms) +
                                             " ms: the platform's late answer)"
                                       : ""));
    }

    void check(Context& ctx, const Kmsg& k) {
        const std::string name = after_steps_name(k.name, ctx);
        if (!k.present) {
            const std::size_t n = new_kmsg(k.text);
            ctx.report.check(n == 0, name,
                             "the kernel logged \"" + k.text + "\" " + std::to_string(n) +
                                 " time(s) since the checks before the host steps" +
                                 last_kmsg(k.text));
            return;
        }
        std::size_t n = 0;
        const Polled p = poll_until(10, [&] {
            n = new_kmsg(k.text);
            return n > 0;
        });
        ctx.report.check(p.done, name,
                         "the kernel logged \"" + k.text + "\" " + std::to_string(n) +
                             " time(s) since the checks before the host steps" +
                             (p.done ? " (after " + fmt_s(p.seconds) + ")" : " (waited 10 s)") +
                             last_kmsg(k.text));
    }

    void check(Context& ctx, const KmsgLines& k) {
        const std::string name = after_steps_name(k.name, ctx);
        const std::size_t n = kmsg_count(k.text);
        ctx.report.check(n == k.lines, name,
                         "the kernel log holds " + std::to_string(n) + " line(s) with \"" + k.text +
                             "\" (expected " + std::to_string(k.lines) + ")" + last_kmsg(k.text));
    }

    void check(Context& ctx, const Irq& q) {
        const std::string name = after_steps_name(q.name, ctx);
        const IrqState& before = irq_channels_.at(q.channel);
        if (!before.problem.empty()) {
            ctx.report.fail(name, "before the host steps: " + before.problem);
            return;
        }
        IrqState now;
        std::uint64_t di = 0, du = 0;
        const Polled p = poll_until(5, [&] {
            now = irq_state(q.channel);
            if (!now.problem.empty()) {
                return true;
            }
            di = now.line->count - before.line->count;
            du = unhandled_between(*before.spurious, *now.spurious);
            return (q.interrupts.met(di) && q.unhandled.met(du)) || q.interrupts.passed(di) ||
                   q.unhandled.passed(du);
        });
        if (!now.problem.empty()) {
            ctx.report.fail(name, now.problem);
            return;
        }
        const bool good = q.interrupts.met(di) && q.unhandled.met(du);
        ctx.report.check(good, name,
                         "IRQ " + std::to_string(now.line->irq) + " (GSI " +
                             std::to_string(now.line->hwirq.value_or(0)) + ", " + now.line->names +
                             ") of subspace " + std::to_string(q.channel) + ": " +
                             std::to_string(di) + " interrupt(s) (expected " + q.interrupts.text() +
                             "), " + std::to_string(du) + " unhandled (expected " +
                             q.unhandled.text() + ") after " + fmt_s(p.seconds) + "; now " +
                             std::to_string(now.line->count) + " in all, spurious count " +
                             std::to_string(now.spurious->count) + " unhandled " +
                             std::to_string(now.spurious->unhandled));
    }

    std::vector<Action> actions_;
    std::map<std::string, std::size_t> kmsg_before_;  // text -> records holding it
    std::map<unsigned, IrqState> irq_channels_;       // channel -> before the host steps
};

}  // namespace

std::unique_ptr<CheckFamily> fault_checks() {
    return std::make_unique<FaultChecks>();
}

}  // namespace lab::checks
