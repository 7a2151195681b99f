// SPDX-License-Identifier: GPL-2.0-or-later
// A driver that keeps reading while the host saves and loads the VM
// (savevm / loadvm through QMP host steps), before the other host steps:
//   --read-across-loadvm NAME,C,PATH,VALUE,SAVE,LOAD
//       reads PATH (a sysfs number; a glob that matches one file) back to
//       back on a thread of its own; after 50 reads asks for host step
//       SAVE, once the runner says SAVE ended for LOAD; once it says LOAD
//       ended, the thread reads 20 more times. Every read must give VALUE, none may fail, and
//       the interrupt of PCCT subspace C must have counted exactly one per
//       read: a lost answer is a failed read (the driver times out), a
//       doubled one an interrupt too many.
// LOAD takes the guest back to where it was when SAVE ran, so it asks for
// LOAD only when it has seen SAVE end, which the guest loaded back has
// not: LOAD runs once. What the guest did between SAVE and LOAD is gone,
// with its reads and interrupts; the counts are those of the guest that
// carries on (NAME, with the reads before SAVE ended and after LOAD).
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "check_family.hpp"
#include "host_step_sync.hpp"
#include "interrupts.hpp"
#include "sysfs.hpp"

namespace lab::checks {

namespace {

constexpr std::uint64_t kReadsBefore = 50;
constexpr std::uint64_t kReadsAfterLoad = 20;
constexpr double kDeadlineSeconds = 60;

struct ReadAcross {
    std::string name, path, save, load;
    unsigned channel = 0;
    long long value = 0;
};

// The interrupt count of PCCT subspace `channel`, or why there is none.
std::optional<std::uint64_t> interrupts_of(const Context& ctx, unsigned channel, std::string* why) {
    if (!ctx.pcct || channel >= ctx.pcct->subspaces.size() || !ctx.pcct->subspaces[channel].gsi) {
        *why = "no PCCT subspace " + std::to_string(channel) + " with an interrupt";
        return std::nullopt;
    }
    const auto text = read_file("/proc/interrupts");
    const auto line =
        text ? interrupt_of_gsi(parse_interrupts(std::string(text->begin(), text->end())),
                                *ctx.pcct->subspaces[channel].gsi)
             : std::nullopt;
    if (!line) {
        *why = "the GSI of subspace " + std::to_string(channel) + " is not in /proc/interrupts";
        return std::nullopt;
    }
    return line->count;
}

class SnapshotChecks final : public CheckFamily {
  public:
    void add_options(Options& options, Context&) override {
        options.repeatable(
            "--read-across-loadvm", "NAME,C,PATH,VALUE,SAVE,LOAD",
            [this](const std::string& v) {
                const auto f = split(v, ',');
                if (f.size() != 6) {
                    throw OptionError("NAME,C,PATH,VALUE,SAVE,LOAD");
                }
                ReadAcross r{f[0], f[2], f[4], f[5]};
                r.channel = number_value(f[1], "bad channel '" + f[1] + "'");
                try {
                    std::size_t used = 0;
                    r.value = std::stoll(f[3], &used, 0);
                    if (used != f[3].size()) {
                        throw std::invalid_argument(f[3]);
                    }
                } catch (const std::logic_error&) {
                    throw OptionError("bad value '" + f[3] + "'");
                }
                reads_.push_back(r);
            },
            "read PATH back to back while host steps SAVE and then LOAD run: every read "
            "gives VALUE, one interrupt of subspace C each");
    }

    bool examines_pcc_devices(const Context&) const override { return !reads_.empty(); }

    void run(Context& ctx) override {
        for (const auto& r : reads_) {
            check(ctx, r);
        }
    }

  private:
    // The reads, on a thread of their own so that the steps catch one in
    // the middle: counts, and the first read that went wrong.
    struct Reader {
        std::mutex mu;
        std::condition_variable cv;
        std::uint64_t started = 0, reads = 0, failed = 0, wrong = 0;
        std::string first_problem;
        bool stop = false;

        void run(const std::string& path, long long want) {
            std::unique_lock lock(mu);
            while (!stop) {
                ++started;
                cv.notify_all();
                lock.unlock();
                const NumberRead rd = read_number(path);
                lock.lock();
                ++reads;
                const bool bad = !rd.value || *rd.value != want;
                failed += rd.value ? 0 : 1;
                wrong += rd.value && *rd.value != want ? 1 : 0;
                if (bad && first_problem.empty()) {
                    first_problem = "read " + std::to_string(reads) + ": " +
                                    (rd.value ? std::to_string(*rd.value) : rd.error);
                }
                cv.notify_all();
            }
        }
        // Waits until `n` reads are done (`begun`: have begun), at most `seconds`.
        bool wait_reads(std::uint64_t n, double seconds, bool begun = false) {
            std::unique_lock lock(mu);
            return cv.wait_for(lock, std::chrono::duration<double>(seconds),
                               [&] { return (begun ? started : reads) >= n; });
        }
        std::uint64_t count() {
            std::lock_guard lock(mu);
            return reads;
        }
    };

    static void check(Context& ctx, const ReadAcross& r) {
        std::string why;
        const std::string path = glob_one(r.path, &why);
        const auto irq_before = path.empty() ? std::nullopt : interrupts_of(ctx, r.channel, &why);
        if (!irq_before) {
            ctx.report.fail(r.name, why);
            return;
        }
        ConsoleInput input;  // before asking: the answer must not be missed
        const double t0 = now_s();
        Reader reader;
        std::thread thread([&] { reader.run(path, r.value); });
        std::string problem;
        // reading in full swing before the first step, which the runner
        // takes while the read that just began waits for its answer
        const bool started = reader.wait_reads(kReadsBefore + 1, kDeadlineSeconds, true);
        bool saved = false, loaded = false;
        std::uint64_t at_save = 0, at_load = 0;
        if (!started) {
            problem =
                "not " + std::to_string(kReadsBefore) + " reads within " + fmt_s(kDeadlineSeconds);
        } else {
            ctx.report.host_step(r.save);
        }
        while (started && !loaded && now_s() - t0 < kDeadlineSeconds) {
            const auto done = input.next_done(0.1, &problem);
            if (!done && !problem.empty()) {
                break;
            }
            if (done && done->step == r.save && !saved) {
                saved = true;
                at_save = reader.count();
                ctx.report.host_step(r.load);
            } else if (done && done->step == r.load) {
                loaded = true;
                at_load = reader.count();
            }
        }
        const bool after = loaded && reader.wait_reads(at_load + kReadsAfterLoad, kDeadlineSeconds);
        {
            std::lock_guard lock(reader.mu);
            reader.stop = true;
        }
        thread.join();
        const auto irq_after = interrupts_of(ctx, r.channel, &why);
        const std::uint64_t irqs = irq_after ? *irq_after - *irq_before : 0;
        const bool good = loaded && after && reader.failed == 0 && reader.wrong == 0 && irq_after &&
                          irqs == reader.reads;
        std::string msg =
            path + ": " + std::to_string(reader.reads) + " reads in " + fmt_s(now_s() - t0) + " (";
        msg += saved ? std::to_string(at_save) + " when " + r.save + " ended"
                     : r.save + " caught the guest, " + r.load + " took it back there";
        msg += loaded ? ", " + std::to_string(at_load) + " when " + r.load + " ended"
                      : ", no end of " + std::string(saved ? r.load : r.save) + " within " +
                            fmt_s(kDeadlineSeconds);
        msg += "), " + std::to_string(reader.failed) + " failed, " + std::to_string(reader.wrong) +
               " not " + std::to_string(r.value) + "; subspace " + std::to_string(r.channel) +
               ": " + (irq_after ? std::to_string(irqs) + " interrupts" : why);
        if (!reader.first_problem.empty()) {
            msg += "; " + reader.first_problem;
        }
        if (!problem.empty()) {
            msg += "; " + problem;
        }
        ctx.report.check(good, r.name, msg);
    }

    std::vector<ReadAcross> reads_;
};

}  // namespace

std::unique_ptr<CheckFamily> snapshot_checks() {
    return std::make_unique<SnapshotChecks>();
}

}  // namespace lab::checks
