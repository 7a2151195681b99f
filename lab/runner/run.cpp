// SPDX-License-Identifier: GPL-2.0-or-later
#include "run.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>

#include "console.hpp"
#include "files.hpp"
#include "host_steps.hpp"
#include "initramfs.hpp"
#include "kconfig.hpp"
#include "pcap_check.hpp"
#include "paths.hpp"
#include "placeholders.hpp"
#include "process.hpp"
#include "qemu_command.hpp"
#include "temp_dir.hpp"
#include "text.hpp"
#include "transcript.hpp"

namespace fs = std::filesystem;

namespace lab {

namespace {

// The run's private temp directory; says so when --keep keeps it.
class RunDir {
  public:
    explicit RunDir(bool keep) {
        if (keep) {
            dir_.keep();
        }
    }
    ~RunDir() {
        if (dir_.kept()) {
            std::cerr << "pcc-lab: kept " << dir_.path() << "\n";
        }
    }
    RunDir(const RunDir&) = delete;
    RunDir& operator=(const RunDir&) = delete;
    const std::string& path() const { return dir_.path(); }

  private:
    pcc::TempDir dir_{"pcc-lab"};
};

class ScenarioRun {
  public:
    ScenarioRun(const Scenario& sc, const Artefacts& a, const Options& o, ScenarioOutcome& oc,
                bool have_pccd)
        : sc_(sc),
          a_(a),
          o_(o),
          oc_(oc),
          have_pccd_(have_pccd),
          run_(o.keep),
          places_{run_.path(), have_pccd, have_pccd ? a.pccd : std::string(),
                  fs::absolute(sc.path).parent_path().string()},
          console_(oc.results),
          steps_(sc, places_, oc.log_dir, o.quiet, oc.results,
                 [this](const std::string& step, Status status) { tell_guest(step, status); }) {}

    void run() {
        const std::string initrd = write_initramfs();
        start_pccd();
        start_qemu(initrd);
        watch_console();
        finish();
    }

  private:
    std::string log(const char* name) const { return oc_.log_dir + "/" + name; }

    std::string write_initramfs() {
        const auto t = Clock::now();
        const std::vector<std::uint8_t> base = base_initramfs(a_);
        const std::vector<std::uint8_t> extra = scenario_initramfs(sc_, a_, places_, oc_.results);
        const std::string initrd = run_.path() + "/initrd.cpio";
        write_bytes_atomic(initrd, base, extra);
        oc_.initramfs_s = seconds_since(t);
        return initrd;
    }

    void start_pccd() {
        if (!have_pccd_) {
            if (sc_.pccd) {
                oc_.results.push_back(
                    {Status::skip, "pccd", "pccd is not built: the guest runs without a platform"});
            }
            return;
        }
        std::vector<std::string> argv{a_.pccd};
        for (auto& w : argv_words(expand(*sc_.pccd, places_))) {
            argv.push_back(std::move(w));
        }
        // the transcript's messages: the scenario's --pcap, else one in the run dir
        const auto given = std::find(argv.begin(), argv.end(), "--pcap");
        if (given != argv.end() && given + 1 != argv.end()) {
            pcap_file_ = *(given + 1);
        } else {
            pcap_file_ = run_.path() + "/transcript.pcapng";
            argv.insert(argv.end(), {"--pcap", pcap_file_});
        }
        const pcc::UniqueFd out = open_log(log("pccd.log"));
        pccd_ = pcc::Child::spawn(argv, -1, out.get(), out.get());
    }

    void start_qemu(const std::string& initrd) {
        auto argv = qemu_command(a_, sc_, initrd, places_);
        // the transcript's register accesses (QEMU's trace backend "log")
        trace_file_ = run_.path() + "/qemu-trace.log";
        argv.insert(argv.end(), {"-trace", "enable=pcc_channel_reg_*", "-D", trace_file_});
        std::ofstream(log("command")) << command_line(argv);
        console_file_.open(log("console.log"), std::ios::trunc);
        pcc::Pipe out = pcc::make_pipe();
        pcc::Pipe in = pcc::make_pipe();  // the console's input: tell_guest()
        const pcc::UniqueFd qlog = open_log(log("qemu.log"));
        started_ = Clock::now();
        qemu_ = pcc::Child::spawn(argv, in.read.get(), out.write.get(), qlog.get());
        console_fd_ = std::move(out.read);
        console_in_ = std::move(in.write);
    }

    // A host step ended: "PCC-LAB-STEP-DONE STEP ok|fail" on the console's
    // input, for a guest that waits for it (pcc-guest-check
    // --sync-host-steps). A QEMU that is gone does not hear it (SIGPIPE is
    // ignored).
    void tell_guest(const std::string& step, Status status) {
        if (!console_in_) {
            return;
        }
        const std::string line = pcc::console::host_step_done_line(step, status) + "\n";
        ssize_t n;
        do {
            n = ::write(console_in_.get(), line.data(), line.size());
        } while (n < 0 && errno == EINTR);
    }

    void check_pccd() {
        if (have_pccd_ && !pccd_died_ && pccd_.poll_exit()) {
            pccd_died_ = pcc::describe_status(pccd_.status());
        }
    }

    void line(std::string text) {
        if (!text.empty() && text.back() == '\r') {
            text.pop_back();
        }
        console_file_ << text << '\n';
        pcap_lines_.feed(text);
        if (!o_.quiet) {
            std::cerr << "guest| " << text << '\n';
        }
        const bool was_done = console_.done();
        if (auto step = console_.feed(text)) {
            steps_.start(*step);
        }
        if (!was_done && console_.done()) {
            oc_.boot_s = seconds_since(started_);
        }
    }

    // Until QEMU closes the console or the timeout passes.
    void watch_console() {
        timeout_s_ = o_.timeout.value_or(sc_.timeout_s);
        const auto deadline = started_ + std::chrono::seconds(timeout_s_);
        std::string partial;
        for (bool eof = false; !eof;) {
            const auto now = Clock::now();
            if (now >= deadline) {
                timed_out_ = true;
                break;
            }
            const int wait_ms = static_cast<int>(std::min<long long>(
                200,
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1));
            // the console, and QEMU's QMP socket while a host step waits on it
            std::array<pollfd, 2> pfd{pollfd{console_fd_.get(), POLLIN, 0},
                                      pollfd{steps_.wait_fd(), POLLIN, 0}};
            const int pr = ::poll(pfd.data(), pfd[1].fd >= 0 ? 2 : 1, wait_ms);
            const int poll_errno = errno;
            pcc::check_interrupted();
            if (pr < 0 && poll_errno != EINTR) {
                throw std::runtime_error("poll: " + pcc::errno_text(poll_errno));
            }
            if (pr > 0 && pfd[0].revents != 0) {
                char buf[8192];
                const ssize_t n = ::read(console_fd_.get(), buf, sizeof(buf));
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                if (n <= 0) {
                    eof = true;
                } else {
                    partial.append(buf, static_cast<std::size_t>(n));
                    for (std::size_t nl; (nl = partial.find('\n')) != std::string::npos;) {
                        line(partial.substr(0, nl));
                        partial.erase(0, nl + 1);
                    }
                }
            }
            check_pccd();
            steps_.poll(false);
        }
        if (!partial.empty()) {
            line(partial);
        }
        steps_.poll(true);
    }

    void finish() {
        if (timed_out_) {
            qemu_.kill_group();
        }
        RunEnd end;
        end.qemu_status = qemu_.wait();
        qemu_.kill_group();
        check_pccd();
        pccd_.kill_group();
        console_file_.flush();
        end.timed_out = timed_out_;
        end.timeout_s = timeout_s_;
        end.qemu_tail = tail_of_file(log("qemu.log"), 5);
        end.boot_s = oc_.boot_s;
        end.commands = sc_.guest.size();
        if (sc_.pcap) {
            // pccd is gone: its pcap file is complete
            for (auto& r : check_pcap(pcap_lines_, expand(*sc_.pcap, places_))) {
                oc_.results.push_back(std::move(r));
            }
        }
        add_runner_verdicts(console_, end, sc_.require, oc_.results);
        if (pccd_died_) {
            oc_.results.push_back(
                {Status::fail, "pccd",
                 "pccd " + *pccd_died_ + " during the run: " + tail_of_file(log("pccd.log"), 5)});
        }
        write_transcript();
    }

    // LOG_DIR/transcript.txt (transcript.hpp) and the check `golden` when
    // lab/golden has this scenario's transcript on this kernel (its label:
    // the Debian suite, "lab", ...; Artefacts::kernel_label).
    void write_transcript() {
        try {
            oc_.transcript = lab::write_transcript(
                {sc_.name, pcap_file_, trace_file_, oc_.results, run_.path(), a_.pccd},
                oc_.log_dir);
            // kept with the logs: pccd.pcapng (Wireshark), qemu-trace.log
            for (const auto& [from, to] :
                 {std::pair{pcap_file_, "pccd.pcapng"}, std::pair{trace_file_, "qemu-trace.log"}}) {
                if (!from.empty() && fs::exists(from)) {
                    fs::copy_file(from, log(to), fs::copy_options::overwrite_existing);
                }
            }
            if (!a_.kernel_label.empty()) {
                Result g = check_golden(sc_.name, a_.kernel_label, oc_.transcript);
                if (g.status != Status::skip) {
                    oc_.results.push_back(std::move(g));
                }
            }
        } catch (const std::exception& e) {
            oc_.results.push_back({Status::fail, "transcript", e.what()});
        }
    }

    const Scenario& sc_;
    const Artefacts& a_;
    const Options& o_;
    ScenarioOutcome& oc_;
    const bool have_pccd_;
    RunDir run_;
    const Places places_;
    ConsoleLog console_;
    HostSteps steps_;
    pcc::Child pccd_, qemu_;
    std::optional<std::string> pccd_died_;
    pcc::UniqueFd console_fd_, console_in_;
    std::ofstream console_file_;
    PcapExpectations pcap_lines_;         // the guest's raw-pcap lines (scenario key pcap)
    std::string pcap_file_, trace_file_;  // the transcript's inputs (in the run dir)
    Clock::time_point started_;
    int timeout_s_ = 0;
    bool timed_out_ = false;
};

}  // namespace

ScenarioOutcome run_scenario(const Scenario& sc, const Artefacts& a, const Options& o) {
    const auto t0 = Clock::now();
    ScenarioOutcome oc;
    oc.name = sc.name;
    if (sc.skip) {
        oc.results.push_back({Status::skip, "scenario", *sc.skip});
        return oc;
    }
    // kernel = ..., requires-config/-version/-module = ... (kconfig.hpp)
    const RequirementVerdict kv =
        check_requirements(sc.kernel, load_kernel_facts(sc.kernel, a.origin, a.kconfig, a.modules));
    if (kv.state == RequirementVerdict::State::unmet) {
        oc.results.push_back({Status::skip, "scenario", kv.reason});
        return oc;
    }
    if (kv.state == RequirementVerdict::State::unknown) {
        oc.results.push_back({Status::skip, "kernel-config", kv.reason});
    }
    const bool have_pccd = sc.pccd && is_executable(a.pccd);
    if (sc.pccd && !have_pccd && sc.pccd_required) {
        oc.results.push_back({Status::skip, "scenario",
                              "needs pccd, which is not built (looked for " + pccd_search_path() +
                                  "; or pass --pccd PATH)"});
        return oc;
    }
    oc.log_dir = o.log_dir.empty() ? cache_root() + "/lab/logs/" + sc.name : o.log_dir;
    fs::create_directories(oc.log_dir);
    fs::remove(oc.log_dir + "/pccd.log");
    ScenarioRun(sc, a, o, oc, have_pccd).run();
    oc.total_s = seconds_since(t0);
    return oc;
}

}  // namespace lab
