// SPDX-License-Identifier: GPL-2.0-or-later
// pcc-bench: round trip through QEMU's pcc-mctp and pccd, on both transports
// in one run. The benchmark plays the guest over QEMU's qtest socket (QEMU
// under -accel qtest, pcc-host's interrupt lines intercepted). One round trip
// is: the doorbell line is written to the qtest socket -> QEMU hands the
// request to its backend -> pccd answers Get Endpoint ID -> QEMU posts the
// answer in the inbox and raises its interrupt -> the "IRQ raise" line is read
// from the qtest socket. The guest then acknowledges and consumes the answer
// as Linux does (platform ack, read, command complete).
//
// Two phases per transport: "sequential" (one request in flight; the latency
// figures) and "window W" (up to W requests in flight; throughput). After
// each phase QEMU's own measurement of the same round trips (doorbell to the
// answer posted, QEMU_CLOCK_REALTIME) is read with QMP query-pcc.
//
// --soak [N]: instead, N messages per transport while pccd is SIGKILLed and
// restarted every --kill-every K (soak.hpp).
//
// Usage: pcc-bench [-n N] [--window W] [--qemu PATH] [--pccd PATH]
//                  [--pccd-log] [--only spool|socket] [--tmpdir DIR]
//                  [--soak [N] [--kill-every K]]
// QEMU: --qemu or $PCC_QEMU. pccd: --pccd, else the one built with the bench.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <vector>

#include "cli.hpp"
#include "harness.hpp"
#include "soak.hpp"

#ifndef PCCD_PATH
#define PCCD_PATH "pccd"
#endif

namespace {

using namespace pcctest;
using namespace std::chrono_literals;

struct Options {
    unsigned n = 2000;
    unsigned window = 32;
    std::string qemu;
    std::string pccd = PCCD_PATH;
    bool pccd_log = false;  // pccd at its default verbosity (a line per message)
    std::string tmpdir;     // where the spool and sockets live
    std::string only;
    std::uint64_t soak = 0;  // messages per transport; 0: the benchmark
    std::uint64_t kill_every = 1000;
};

struct Figures {
    double p50_us = 0;
    double p99_us = 0;
    double msgs_per_s = 0;
    unsigned errors = 0;
    // inside QEMU (query-pcc, the outbox's round trips: the phase's last 1024)
    double qemu_p50_us = 0;
    double qemu_p99_us = 0;
};

// QEMU's round-trip figures of subspace 0 (the outbox) from query-pcc.
void read_qemu_round_trips(Qmp& qmp, Figures& f) {
    const std::string reply = qmp.execute(R"({"execute": "query-pcc"})", Deadline(10s));
    const auto at = reply.find("\"round-trip\":");
    if (at == std::string::npos) {
        throw HarnessError("query-pcc gave no round-trip: " + reply.substr(0, 300));
    }
    f.qemu_p50_us = static_cast<double>(json_uint(reply, "p50-ns", at).value_or(0)) / 1000.0;
    f.qemu_p99_us = static_cast<double>(json_uint(reply, "p99-ns", at).value_or(0)) / 1000.0;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) {
        return 0;
    }
    std::sort(v.begin(), v.end());
    const std::size_t i =
        std::min(v.size() - 1, static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size())));
    return v[i];
}

// The qtest lines of the outbox message for request i (Get Endpoint ID, tag
// and instance id from i), and of command complete's clear.
std::string request_lines(unsigned i) {
    const Bytes msg =
        mctp_outbox_message(0, get_eid_request(static_cast<std::uint8_t>((i >> 5) & 7),
                                               static_cast<std::uint8_t>(i & 0x1f)));
    return "write " + hex_addr(shmem(0)) + " " + std::to_string(msg.size()) + " 0x" + to_hex(msg) +
           "\nwritel " + hex_addr(reg(0, kRegCmdComplete)) + " 0\n";
}

const std::string kDoorbell = "writel " + hex_addr(reg(0, kRegDoorbell)) + " 1\nwritel " +
                              hex_addr(reg(0, kRegPlatformAck)) + " 1\n";
const std::string kConsume = "writel " + hex_addr(reg(1, kRegPlatformAck)) + " 1\nread " +
                             hex_addr(shmem(1)) + " 27\nwritel " +
                             hex_addr(reg(1, kRegCmdComplete)) + " 1\n";

constexpr std::size_t kMaxQueuedLines = 4;

// Runs `n` round trips with up to `window` in flight. Answers come back in
// order; answer k must carry request k's tag and instance id.
Figures run_phase(Qtest& qt, unsigned first, unsigned n, unsigned window) {
    enum class Expect { ok, inbox };
    std::deque<Expect> expect;
    std::vector<Clock::time_point> sent_at(n);
    std::vector<double> latency;
    latency.reserve(n);
    unsigned sent = 0, posted = 0, received = 0;
    Figures f;
    const Deadline deadline(120s);
    const auto start = Clock::now();
    while (received < n) {
        // Refill: at most `window` requests in flight, and few qtest lines
        // outstanding, so that the inbox's consume lines (sent when its
        // interrupt shows up) do not queue behind a long pipeline.
        if (sent < n && sent - posted < window && expect.size() <= kMaxQueuedLines &&
            (window > 1 || expect.empty())) {
            if (window == 1) {
                // Exact latency: the message is in shared memory first.
                qt.send_lines(request_lines(first + sent));
                qt.next_answer(deadline);
                qt.next_answer(deadline);
                qt.send_lines(kDoorbell);
            } else {
                qt.send_lines(request_lines(first + sent) + kDoorbell);
                expect.insert(expect.end(), 2, Expect::ok);
            }
            expect.insert(expect.end(), 2, Expect::ok);
            sent_at[sent] = Clock::now();
            ++sent;
            continue;
        }
        const std::string line = qt.next_line(deadline);
        if (line.rfind("IRQ raise 1", 0) == 0) {
            // The inbox holds answer `posted`: take it like Linux does.
            latency.push_back(
                std::chrono::duration<double, std::micro>(Clock::now() - sent_at[posted]).count());
            ++posted;
            qt.send_lines(kConsume);
            expect.push_back(Expect::ok);
            expect.push_back(Expect::inbox);
            expect.push_back(Expect::ok);
            continue;
        }
        if (line.rfind("IRQ ", 0) == 0) {
            continue;
        }
        if (expect.empty() || line.rfind("OK", 0) != 0) {
            throw HarnessError("unexpected qtest line: " + line);
        }
        const Expect what = expect.front();
        expect.pop_front();
        if (what == Expect::inbox) {
            // "OK 0x" + 27 bytes; byte 19 = flags/tag, byte 21 = instance id
            const unsigned i = first + received;
            auto byte = [&](std::size_t k) {
                return static_cast<unsigned>(std::stoul(line.substr(5 + 2 * k, 2), nullptr, 16));
            };
            if (line.size() != 5 + 54 || byte(19) != (0xc0 | ((i >> 5) & 7)) ||
                byte(21) != (i & 0x1f) || byte(23) != 0) {
                ++f.errors;
            }
            ++received;
        }
    }
    while (!expect.empty()) {  // the last answers' OKs
        const std::string line = qt.next_line(deadline);
        if (line.rfind("OK", 0) == 0) {
            expect.pop_front();
        }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    f.p50_us = percentile(latency, 50);
    f.p99_us = percentile(latency, 99);
    f.msgs_per_s = n / seconds;
    return f;
}

struct TransportFigures {
    std::string name;
    Figures sequential;
    Figures windowed;
};

TransportFigures bench_transport(const Options& o, bool socket) {
    TempDir dir("pcc-bench", o.tmpdir);
    std::vector<std::string> pccd_argv = {o.pccd};
    std::vector<std::string> device;
    if (socket) {
        const std::string path = dir / "pccd.sock";
        pccd_argv.insert(pccd_argv.end(), {"--socket", path});
        device = {"-chardev", "socket,id=pccd,path=" + path + ",reconnect-ms=100", "-device",
                  "pcc-mctp,channel=0,chardev=pccd"};
        // the reconnection delay does not matter here: pccd is up first
    } else {
        const std::string spool = dir / "spool";
        pccd_argv.insert(pccd_argv.end(), {"--spool", spool});
        device = {"-device", "pcc-mctp,channel=0,spool=" + spool};
    }
    const std::string ctl = dir / "ctl";
    pccd_argv.insert(pccd_argv.end(), {"--control", ctl});
    if (!o.pccd_log) {
        pccd_argv.push_back("-q");
    }
    pcc::Child pccd =
        pcc::Child::spawn_logged(pccd_argv, o.pccd_log ? dir / "pccd.log" : "/dev/null");
    if (!wait_until(Deadline(10s), [&] { return control(ctl, "stats").has_value(); })) {
        throw HarnessError("pccd did not start");
    }
    const std::string qmp_path = dir / "qmp.sock";
    device.insert(device.end(), {"-qmp", "unix:" + qmp_path + ",server=on,wait=off"});
    Qtest qt(o.qemu, dir.path(), device);
    qt.intercept_irqs();
    Qmp qmp(qmp_path, Deadline(10s));
    // Warm-up (and, for the socket, the connection)
    run_phase(qt, 0, 200, 1);
    TransportFigures t;
    t.name = socket ? "socket" : "spool";
    t.sequential = run_phase(qt, 200, o.n, 1);
    read_qemu_round_trips(qmp, t.sequential);
    t.windowed = run_phase(qt, 200 + o.n, o.n, o.window);
    read_qemu_round_trips(qmp, t.windowed);
    stop(pccd, Deadline(5s));
    return t;
}

// --soak: each transport in turn; 1 if anything was lost or duplicated.
int run_soak(const Options& o) {
    pccbench::SoakOptions so;
    so.messages = o.soak;
    so.kill_every = o.kill_every;
    so.qemu = o.qemu;
    so.pccd = o.pccd;
    so.tmpdir = o.tmpdir;
    so.pccd_log = o.pccd_log;
    std::printf(
        "pcc-bench soak: %llu messages per transport, pccd SIGKILLed and restarted every "
        "%llu, %u in flight\n",
        static_cast<unsigned long long>(so.messages),
        static_cast<unsigned long long>(so.kill_every), so.window);
    std::printf("%-9s %10s %10s %8s %11s %8s %7s %9s\n", "transport", "sent", "answered", "lost",
                "duplicated", "garbled", "kills", "seconds");
    std::fflush(stdout);
    bool bad = false;
    for (bool socket : {true, false}) {
        if (!o.only.empty() && o.only != (socket ? "socket" : "spool")) {
            continue;
        }
        const pccbench::SoakFigures f = pccbench::soak_transport(so, socket);
        std::printf(
            "%-9s %10llu %10llu %8llu %11llu %8llu %7llu %9.1f\n", f.transport.c_str(),
            static_cast<unsigned long long>(f.sent), static_cast<unsigned long long>(f.answered),
            static_cast<unsigned long long>(f.lost), static_cast<unsigned long long>(f.duplicated),
            static_cast<unsigned long long>(f.garbled), static_cast<unsigned long long>(f.kills),
            f.seconds);
        if (!f.stalled.empty()) {
            std::printf("  %s stopped early: %s\n", f.transport.c_str(), f.stalled.c_str());
        }
        std::fflush(stdout);
        bad = bad || f.lost || f.duplicated || f.garbled || !f.stalled.empty() ||
              f.sent != so.messages;
    }
    return bad ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (const char* q = std::getenv("PCC_QEMU")) {
        o.qemu = q;
    }
    CLI::App app{"QEMU <-> pccd round-trip benchmark, both transports (docs/bench.md).",
                 "pcc-bench"};
    pcc::add_version_flag(app);
    // given twice, the last one counts
    app.add_option("-n", o.n, "Get Endpoint ID round trips per phase")
        ->capture_default_str()
        ->take_last();
    app.add_option("--window", o.window, "requests in flight in the throughput phase")
        ->capture_default_str()
        ->take_last();
    app.add_option("--qemu", o.qemu, "qemu-system-aarch64 with the PCC devices (or $PCC_QEMU)")
        ->type_name("PATH")
        ->take_last();
    app.add_option("--pccd", o.pccd, "pccd (default: the one built with the bench)")
        ->type_name("PATH")
        ->take_last();
    app.add_flag("--pccd-log", o.pccd_log, "pccd at its default verbosity (a line per message)");
    app.add_option("--only", o.only, "one transport")
        ->check(CLI::IsMember({"spool", "socket"}))
        ->take_last();
    app.add_option("--tmpdir", o.tmpdir,
                   "where the spool and sockets live (default: $XDG_RUNTIME_DIR, /dev/shm)")
        ->type_name("DIR")
        ->take_last();
    app.add_option("--soak", o.soak,
                   "instead of the benchmark: N messages per transport while pccd is "
                   "SIGKILLed and restarted (default N: 100000)")
        ->type_name("[N]")
        ->expected(0, 1)
        ->default_str("100000")
        ->take_last();
    app.add_option("--kill-every", o.kill_every,
                   "--soak: SIGKILL and restart pccd every K messages")
        ->capture_default_str()
        ->take_last();
    if (auto status = pcc::parse_command_line(app, argc, argv)) {
        return *status;
    }
    if (o.soak > 0 && (o.qemu.empty() || ::access(o.qemu.c_str(), X_OK) != 0)) {
        // as a test (make check): skipped without QEMU
        std::printf("SKIP: set PCC_QEMU to a qemu-system-aarch64 with the PCC devices\n");
        return 77;
    }
    if (o.qemu.empty() || ::access(o.qemu.c_str(), X_OK) != 0) {
        return pcc::usage_error(
            app, "give --qemu PATH or set PCC_QEMU (a qemu-system-aarch64 with the PCC devices)");
    }
    if (o.n == 0 || o.window == 0 || o.kill_every == 0) {
        return pcc::usage_error(app, "-n, --window and --kill-every must be positive");
    }
    if (app.count("--soak") && o.soak == 0) {
        return pcc::usage_error(app, "--soak N: N must be positive");
    }
    if (o.tmpdir.empty()) {
        // The spool's cost is file creation: measure it on tmpfs, where a
        // spool belongs (/run/user/UID), unless told otherwise.
        const char* runtime = std::getenv("XDG_RUNTIME_DIR");
        o.tmpdir = runtime && *runtime               ? runtime
                   : ::access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                                                     : "";
    }
    ::signal(SIGPIPE, SIG_IGN);
    if (o.soak > 0) {
        try {
            return run_soak(o);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "pcc-bench: %s\n", e.what());
            return 1;
        }
    }
    std::vector<TransportFigures> results;
    try {
        for (bool socket : {true, false}) {
            if (!o.only.empty() && o.only != (socket ? "socket" : "spool")) {
                continue;
            }
            results.push_back(bench_transport(o, socket));
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pcc-bench: %s\n", e.what());
        return 1;
    }
    std::printf(
        "pcc-bench: %u Get Endpoint ID round trips per phase, doorbell -> inbox IRQ "
        "raise (qtest) and, QEMU columns, doorbell -> answer posted inside QEMU (query-pcc)%s, "
        "spool in %s\n",
        o.n, o.pccd_log ? ", pccd logging every message" : ", pccd -q",
        o.tmpdir.empty() ? "the temp dir" : o.tmpdir.c_str());
    std::printf("%-9s %-12s %10s %10s %10s %7s %12s %12s\n", "transport", "phase", "p50 us",
                "p99 us", "msgs/s", "errors", "QEMU p50 us", "QEMU p99 us");
    unsigned errors = 0;
    for (const auto& t : results) {
        const std::string win = "window " + std::to_string(o.window);
        for (const auto& [phase, f] :
             {std::pair<std::string, Figures>{"sequential", t.sequential}, {win, t.windowed}}) {
            std::printf("%-9s %-12s %10.1f %10.1f %10.0f %7u %12.1f %12.1f\n", t.name.c_str(),
                        phase.c_str(), f.p50_us, f.p99_us, f.msgs_per_s, f.errors, f.qemu_p50_us,
                        f.qemu_p99_us);
            errors += f.errors;
        }
    }
    return errors == 0 ? 0 : 1;
}
