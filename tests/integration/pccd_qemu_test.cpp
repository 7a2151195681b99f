// SPDX-License-Identifier: GPL-2.0-or-later
// pccd against QEMU's PCC devices, end to end. QEMU runs under the qtest
// accelerator; the test plays the guest, driving the subspaces' registers and
// shared memory the way Linux's pcc.c (and mctp-pcc.c, xgene-hwmon.c) do,
// and watching pcc-host's interrupt lines on the qtest socket. pccd is the
// real binary. Each case runs in its own private (0700) temp dir, on both
// transports (spool directory, unix socket chardev).
//
// Usage: pccd-qemu-test PCCD MCTP_LUA [CASE-PREFIX...]
// QEMU comes from $PCC_QEMU; without it the test is skipped (exit 77). A case
// prefix selects cases ("tshark" alone is the pcap case, which is skipped,
// exit 77, without tshark).
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness.hpp"
#include "text.hpp"

namespace {

using namespace pcctest;
using namespace std::chrono_literals;

struct Env {
    std::string qemu;
    std::string pccd;
    std::string lua;
};
Env g_env;

// ---- check bookkeeping: a failed check fails the case, the case goes on.

int g_case_failures = 0;

void check(bool ok, const std::string& what) {
    if (!ok) {
        ++g_case_failures;
        std::printf("    FAIL: %s\n", what.c_str());
    }
}

template <class T>
void check_eq(const T& got, const T& want, const std::string& what) {
    if (!(got == want)) {
        ++g_case_failures;
        std::printf("    FAIL: %s\n", what.c_str());
    }
}

void check_bytes(ByteView got, ByteView want, const std::string& what) {
    if (!std::equal(got.begin(), got.end(), want.begin(), want.end())) {
        ++g_case_failures;
        std::printf("    FAIL: %s\n      got  %s\n      want %s\n", what.c_str(),
                    to_hex(got).c_str(), to_hex(want).c_str());
    }
}

struct Skip {
    std::string reason;
};

// ---- the set-up of one case

enum class Transport { spool, socket };
const char* transport_name(Transport t) {
    return t == Transport::spool ? "spool" : "socket";
}

class Rig {
  public:
    explicit Rig(Transport transport) : transport_(transport) {}

    std::string spool() const { return dir_ / "spool"; }
    std::string socket() const { return dir_ / "pccd.sock"; }
    std::string control_path() const { return dir_ / "ctl"; }
    std::string pcap() const { return dir_ / "cap.pcapng"; }
    TempDir& dir() { return dir_; }

    // QEMU's device arguments for device `driver` at `channel`.
    std::vector<std::string> device(const std::string& driver, unsigned channel) const {
        const std::string base = driver + ",channel=" + std::to_string(channel);
        if (transport_ == Transport::spool) {
            return {"-device", base + ",spool=" + spool()};
        }
        return {"-chardev", "socket,id=pccd,path=" + socket() + ",reconnect-ms=100", "-device",
                base + ",chardev=pccd"};
    }

    void start_qemu(const std::vector<std::string>& device_args) {
        qemu_.emplace(g_env.qemu, dir_.path(), device_args);
        qemu_->intercept_irqs();
    }
    Qtest& qt() { return *qemu_; }

    // Starts pccd and waits until it serves its control socket (by then its
    // spool is open and its socket listens).
    void start_pccd(const std::vector<std::string>& extra = {}) {
        pccd_extra_ = extra;
        restart_pccd();
    }
    // Same arguments as the last start_pccd().
    void restart_pccd() {
        ::unlink(control_path().c_str());
        std::vector<std::string> argv = {g_env.pccd, "--control", control_path()};
        if (transport_ == Transport::spool) {
            argv.insert(argv.end(), {"--spool", spool()});
        } else {
            argv.insert(argv.end(), {"--socket", socket()});
        }
        argv.insert(argv.end(), pccd_extra_.begin(), pccd_extra_.end());
        pccd_ = pcc::Child::spawn_logged(argv, dir_ / "pccd.log");
        ++pccd_starts_;
        const bool up = wait_until(Deadline(10s), [this] {
            return control(control_path(), "stats").has_value() || !pccd_.running();
        });
        if (!up || !pccd_.running()) {
            throw HarnessError("pccd did not start; log:\n" + pccd_log());
        }
    }
    void kill_pccd() { pccd_.kill_group(); }
    // SIGTERM: a clean exit (status 0) expected.
    int stop_pccd() { return stop(pccd_, Deadline(5s)); }
    std::uint64_t pccd_counter(const std::string& name) {
        auto reply = control(control_path(), "stats");
        if (!reply) {
            return 0;
        }
        const std::string key = " " + name + "=";
        const std::string text = " " + reply->substr(reply->find(' ') + 1);
        const auto at = text.find(key);
        return at == std::string::npos ? 0 : std::stoull(text.substr(at + key.size()));
    }

    std::string pccd_log() const {
        std::FILE* f = std::fopen((dir_ / "pccd.log").c_str(), "r");
        std::string text;
        if (f) {
            char buf[4096];
            std::size_t n;
            while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
                text.append(buf, n);
            }
            std::fclose(f);
        }
        return text.size() > 3000 ? "..." + text.substr(text.size() - 3000) : text;
    }

    Transport transport() const { return transport_; }
    int pccd_starts() const { return pccd_starts_; }

  private:
    Transport transport_;
    std::vector<std::string> pccd_extra_;
    TempDir dir_{"pcc-it"};
    std::optional<Qtest> qemu_;
    pcc::Child pccd_;
    int pccd_starts_ = 0;
};

// The inbox message pccd must send for Get Endpoint ID (EID 8, static,
// matching) on pcc-mctp channel 0, written out from DSP0292 and DSP0236:
Bytes expected_get_eid_response(std::uint8_t tag, std::uint8_t instance) {
    Bytes m = {
        0x01,
        0x43,
        0x43,
        0x50,  // signature 0x50434300 | 1 (the inbox)
        0x01,
        0x00,
        0x00,
        0x00,  // flags: notify on completion
        0x0f,
        0x00,
        0x00,
        0x00,  // length: command + 11 bytes of MCTP packet
        0x4d,
        0x43,
        0x54,
        0x50,                                   // "MCTP"
        0x01,                                   // MCTP header version 1
        0x09,                                   // destination: the requester
        0x08,                                   // source: pccd's EID
        static_cast<std::uint8_t>(0xc0 | tag),  // SOM, EOM, seq 0, TO=0, same tag
        0x00,                                   // type 0: MCTP control, IC=0
        instance,                               // Rq=0, D=0, same instance id
        0x02,                                   // Get Endpoint ID
        0x00,                                   // completion code: success
        0x08,                                   // endpoint ID
        0x02,  // simple endpoint (00b), static EID matching the current one (10b)
        0x00,  // medium-specific information
    };
    return m;
}

// ---- cases

// Rings Get Endpoint ID and checks the answer byte for byte, with the inbox
// interrupt raised, and lowered by the platform ack.
void expect_get_eid_round_trip(Rig& rig, MctpGuest& guest, std::uint8_t tag,
                               std::uint8_t instance) {
    Qtest& qt = rig.qt();
    const auto raises_before = qt.raises(irq_line(guest.inbox()));
    check(guest.send(get_eid_request(tag, instance)), "doorbell accepted (no error status)");
    auto msg = guest.receive(Deadline(10s));
    check(msg.has_value(), "a response arrives in the inbox");
    if (!msg) {
        std::printf("    pccd log:\n%s\n", rig.pccd_log().c_str());
        return;
    }
    check_eq(qt.raises(irq_line(guest.inbox())), raises_before + 1, "inbox interrupt raised once");
    check(qt.wait_irq(irq_line(guest.inbox()), false, Deadline(2s)),
          "platform ack lowers the inbox interrupt");
    check_bytes(*msg, expected_get_eid_response(tag, instance),
                "Get Endpoint ID response (tag " + std::to_string(tag) + ", iid " +
                    std::to_string(instance) + ")");
    check(!guest.inbox_pending(), "inbox free after consuming");
}

// Get Endpoint ID through QEMU and pccd, started in either order. With QEMU
// first the request is rung before pccd exists.
void case_get_eid(Transport transport, bool pccd_first) {
    Rig rig(transport);
    const std::vector<std::string> pccd_args = {"--pcap", rig.pcap()};
    if (pccd_first) {
        rig.start_pccd(pccd_args);
        rig.start_qemu(rig.device("pcc-mctp", 0));
        MctpGuest guest(rig.qt(), 0);
        expect_get_eid_round_trip(rig, guest, 0, 1);
        expect_get_eid_round_trip(rig, guest, 5, 0x1f);
    } else {
        rig.start_qemu(rig.device("pcc-mctp", 0));
        MctpGuest guest(rig.qt(), 0);
        check(guest.send(get_eid_request(3, 7)), "doorbell accepted while pccd is not running");
        check(!guest.receive(Deadline(300ms)).has_value(), "no answer without pccd");
        rig.start_pccd(pccd_args);
        auto msg = guest.receive(Deadline(10s));
        check(msg.has_value(), "the early request is answered once pccd runs");
        if (msg) {
            check_bytes(*msg, expected_get_eid_response(3, 7), "Get Endpoint ID response");
        }
        expect_get_eid_round_trip(rig, guest, 4, 9);
    }
    check_eq(rig.pccd_counter("tx.responses"), std::uint64_t{2}, "pccd counted 2 responses");
    check_eq(rig.stop_pccd(), 0, "pccd exits 0 on SIGTERM");
    check(rig.qt().readl(reg(0, kRegErrorStatus)) == 0, "no error status on the outbox");
}

// Request number i carries instance id i % 32 and tag (i / 32) % 8: up to 256
// requests are told apart by their answers.
std::pair<std::uint8_t, std::uint8_t> id_of(unsigned i) {
    return {static_cast<std::uint8_t>((i >> 5) & 7), static_cast<std::uint8_t>(i & 0x1f)};
}

// pccd SIGKILLed and restarted mid-stream: every request rung (while pccd is
// up, down, or starting) is answered exactly once. The first pccd holds every
// request it reads (a rule delays them all) and is killed with all of them
// unanswered; the next ones are killed at any moment. On the spool the
// journal brings them back; on the socket (framing version 3) QEMU keeps each
// request until it is settled and sends it again to the next pccd.
void case_restart(Transport transport) {
    Rig rig(transport);
    rig.start_qemu(rig.device("pcc-mctp", 0));
    MctpGuest guest(rig.qt(), 0);
    std::map<unsigned, int> answers;  // request number -> times answered
    unsigned rung = 0;
    auto ring = [&](unsigned n) {
        for (unsigned k = 0; k < n; ++k, ++rung) {
            auto [tag, iid] = id_of(rung);
            check(guest.send(get_eid_request(tag, iid)),
                  "doorbell " + std::to_string(rung) + " accepted");
        }
    };
    auto take = [&](Deadline deadline) {
        auto msg = guest.receive(deadline);
        if (!msg) {
            return false;
        }
        if (msg->size() != 27 || (*msg)[21] > 0x1f) {
            check(false, "unexpected inbox message " + to_hex(*msg));
            return true;
        }
        const unsigned i = (((*msg)[19] & 7U) << 5) | (*msg)[21];
        auto [tag, iid] = id_of(i);
        check_bytes(*msg, expected_get_eid_response(tag, iid),
                    "response to request " + std::to_string(i));
        ++answers[i];
        return true;
    };
    auto pccd_counted = [&](const char* counter, std::uint64_t n) {
        return wait_until(Deadline(10s), [&] { return rig.pccd_counter(counter) >= n; });
    };

    // pccd is not running yet. QEMU keeps up to 64 unsettled requests for a
    // socket peer (the backlog, less one, and two rounds of 12 may all be
    // unsettled at once); a spool takes any number.
    const unsigned backlog = transport == Transport::spool ? 120 : 36;
    ring(backlog);
    const std::string hold = rig.dir() / "hold.rules";
    {
        std::FILE* f = std::fopen(hold.c_str(), "w");
        check(f != nullptr, "rules file written");
        if (f) {
            std::fputs(
                "# every request held for a minute: pccd dies holding them\n"
                "match type=0 => delay 60000\n",
                f);
            std::fclose(f);
        }
    }
    rig.start_pccd({"--rules", hold});
    check(pccd_counted("rx.messages", backlog), "the holding pccd read the whole backlog");
    check_eq(rig.pccd_counter("tx.responses"), std::uint64_t{0}, "the holding pccd answered none");
    rig.kill_pccd();  // SIGKILL with every request read and none answered
    check(!take(Deadline(200ms)), "no answer from the killed pccd");
    rig.start_pccd();
    // Nothing was rung since: this answer is to a request the killed pccd held.
    check(take(Deadline(10s)), "first answer after the restart");
    // Kill while (most likely) still working through the backlog: the spool's
    // journal and QEMU's kept requests make any moment safe.
    rig.kill_pccd();
    ring(12);  // pccd is down
    for (int k = 0; k < 3; ++k) {
        take(Deadline(200ms));  // answers already handed to QEMU, if any
    }
    rig.restart_pccd();
    ring(12);  // pccd just (re)started
    check(take(Deadline(10s)), "answers after the second restart");
    rig.kill_pccd();
    rig.restart_pccd();
    ring(12);
    const unsigned total = rung;
    Deadline deadline(20s);
    while (answers.size() < total && !deadline.expired()) {
        take(deadline);
    }
    check_eq(answers.size(), std::size_t{total},
             "all " + std::to_string(total) + " requests answered");
    // A sentinel: anything answered twice would arrive before its answer.
    const unsigned sentinel = 255;
    auto [stag, siid] = id_of(sentinel);
    check(guest.send(get_eid_request(stag, siid)), "sentinel rung");
    auto msg = guest.receive(Deadline(10s));
    check(msg.has_value() && msg->size() == 27 && (*msg)[21] == siid && ((*msg)[19] & 7) == stag,
          "the next message is the sentinel's answer (no duplicates)");
    for (const auto& [i, times] : answers) {
        check(times == 1,
              "request " + std::to_string(i) + " answered " + std::to_string(times) + " times");
    }
    if (transport == Transport::spool) {
        check(regular_files(rig.spool() + "/outbox").empty(), "spool outbox empty");
        check(regular_files(rig.spool() + "/inbox").empty(), "spool inbox empty");
        check(regular_files(rig.spool() + "/pccd/claimed").empty(), "pccd journal empty");
    }
    std::printf("    %u requests, %zu answered, pccd started %d times\n", total, answers.size(),
                rig.pccd_starts());
}

// X-Gene SLIMpro hwmon: a type 2 subspace rung like xgene-hwmon.c.
struct SlimproReply {
    std::uint16_t status = 0;
    std::uint32_t words[3] = {};
};

// The signature xgene-hwmon writes: today's generic one, or the 0x50424300
// of older drivers (bookworm's 6.1).
constexpr std::uint32_t kLegacyXgeneSignature = 0x50424300;

SlimproReply slimpro_request(Rig& rig, std::uint32_t msg0, std::uint32_t msg1, std::uint32_t msg2,
                             std::uint32_t signature = kPccSignature) {
    Qtest& qt = rig.qt();
    const unsigned ss = 0;
    Bytes sig;
    put_le32(sig, signature | ss);
    qt.write(shmem(ss), sig);
    // command = MSG_TYPE(msg[0]) | PCC_CMD_GENERATE_DB_INTR
    const std::uint16_t command = static_cast<std::uint16_t>(0x8000 | (msg0 >> 28));
    qt.write(shmem(ss) + 4,
             Bytes{static_cast<std::uint8_t>(command), static_cast<std::uint8_t>(command >> 8)});
    // Flip the command complete bit of the status (read-modify-write)
    Bytes status = qt.read(shmem(ss) + 6, 2);
    status[0] = static_cast<std::uint8_t>(status[0] & ~1U);
    qt.write(shmem(ss) + 6, status);
    Bytes words;
    put_le32(words, msg0);
    put_le32(words, msg1);
    put_le32(words, msg2);
    qt.write(shmem(ss) + 8, words);
    qt.writel(reg(ss, kRegDoorbell), qt.readl(reg(ss, kRegDoorbell)) | 1U);
    SlimproReply reply;
    if (!qt.wait_irq(irq_line(ss), true, Deadline(10s))) {
        check(false, "SLIMpro answer interrupt");
        std::printf("    pccd log:\n%s\n", rig.pccd_log().c_str());
        return reply;
    }
    const Bytes space = qt.read(shmem(ss), 20);
    check_eq(le32(space, 0), signature | ss, "signature kept");
    check_eq(static_cast<unsigned>(space[4] | (space[5] << 8)), unsigned{command}, "command kept");
    reply.status = static_cast<std::uint16_t>(space[6] | (space[7] << 8));
    for (int i = 0; i < 3; ++i) {
        reply.words[i] = le32(space, 8 + 4 * i);
    }
    check(qt.readl(reg(ss, kRegPlatformAck)) == 1, "platform ack reads 1 while pending");
    qt.writel(reg(ss, kRegPlatformAck), 1);
    check(qt.wait_irq(irq_line(ss), false, Deadline(2s)), "platform ack lowers the interrupt");
    return reply;
}

void expect_sensor(Rig& rig, std::uint32_t reg_addr, std::uint32_t value, const std::string& what,
                   std::uint32_t signature = kPccSignature) {
    constexpr std::uint32_t kSensorRdMsg = 0x04FFE902;
    const SlimproReply r = slimpro_request(rig, kSensorRdMsg, reg_addr, 0, signature);
    // ACPI 6.5 table 14.11: command complete (bit 0) and SCI doorbell (bit 1)
    check_eq(r.status & 0x7, 0x3, what + ": status command complete + SCI, no error");
    check_eq(r.words[0], kSensorRdMsg, what + ": msg[0] echoed");
    check_eq(r.words[1], value, what + ": value");
    check_eq(r.words[2], 0U, what + ": msg[2]");
}

void case_xgene(Transport transport) {
    Rig rig(transport);
    rig.start_pccd({"--bind", "0=xgene-slimpro", "--set", "xgene.temp_c=42", "--set",
                    "xgene.cpu_power_mw=17250"});
    rig.start_qemu(rig.device("pcc-xgene-hwmon", 0));
    expect_sensor(rig, 0x10, 42, "SoC temperature");
    expect_sensor(rig, 0x20, 17, "CPU power W");
    expect_sensor(rig, 0x26, 250, "CPU power mW");
    check_eq(control(rig.control_path(), "set xgene.temp_c -3"), std::optional<std::string>("ok"),
             "pccd set");
    expect_sensor(rig, 0x10, 0x1fd, "SoC temperature after pccd set");
    control(rig.control_path(), "set xgene.temp_invalid 1");
    expect_sensor(rig, 0x10, 0x8000, "invalid temperature");
    // TPC_GET_ALARM: answered as TPC_ALARM, no alarm
    const SlimproReply alarm = slimpro_request(rig, 0x91030000, 0, 0);
    check_eq(alarm.words[0], 0x91020000U, "TPC alarm message");
    check_eq(alarm.words[2], 0U, "no alarm");
    check_eq(rig.pccd_counter("xgene.sensor_reads"), std::uint64_t{5}, "pccd counted reads");
}

// An older xgene-hwmon (bookworm's 6.1) writes the signature 0x50424300;
// the SLIMpro firmware answered it, and so does a pccd that was not told
// what the channel is: it learns it from QEMU's device description (the
// spool's device file, the socket's hello) and counts the old signature.
void case_xgene_legacy(Transport transport) {
    Rig rig(transport);
    rig.start_pccd({"--set", "xgene.temp_c=51"});
    rig.start_qemu(rig.device("pcc-xgene-hwmon", 0));
    expect_sensor(rig, 0x10, 51, "legacy signature: SoC temperature", kLegacyXgeneSignature);
    expect_sensor(rig, 0x10, 51, "generic signature: SoC temperature");
    check_eq(rig.pccd_counter("xgene.legacy_signature"), std::uint64_t{1},
             "pccd counted the legacy signature once");
    check_eq(rig.pccd_counter("xgene.sensor_reads"), std::uint64_t{2}, "pccd counted reads");
}

// The capture pccd writes while serving QEMU decodes in tshark (with
// pccd/tools/mctp.lua when tshark has no MCTP dissector).
void case_tshark() {
    if (std::system("command -v tshark >/dev/null 2>&1") != 0) {
        throw Skip{"tshark is not installed (apt-get install tshark)"};
    }
    Rig rig(Transport::socket);
    rig.start_pccd({"--pcap", rig.pcap()});
    rig.start_qemu(rig.device("pcc-mctp", 0));
    MctpGuest guest(rig.qt(), 0);
    expect_get_eid_round_trip(rig, guest, 6, 0x11);
    check_eq(rig.stop_pccd(), 0, "pccd exits 0");
    const std::string out = rig.dir() / "fields.txt";
    const std::string cmd = "tshark -X lua_script:" + pcc::shell_quote(g_env.lua) + " -r " +
                            pcc::shell_quote(rig.pcap()) +
                            " -T fields -E separator=, -e sll.pkttype -e sll.ifindex"
                            " -e pccd_mctp.dst -e pccd_mctp.src -e pccd_mctp.som"
                            " -e pccd_mctp.eom -e pccd_mctp.tag_owner -e pccd_mctp.tag"
                            " -e pccd_mctp.type -e pccd_mctp.rq -e pccd_mctp.instance"
                            " -e pccd_mctp.control.command -e pccd_mctp.completion_code"
                            " > " +
                            pcc::shell_quote(out) + " 2>/dev/null";
    check(std::system(cmd.c_str()) == 0, "tshark reads the capture");
    std::FILE* f = std::fopen(out.c_str(), "r");
    std::vector<std::string> lines;
    if (f) {
        char buf[512];
        while (std::fgets(buf, sizeof buf, f)) {
            std::string l(buf);
            while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) {
                l.pop_back();
            }
            lines.push_back(l);
        }
        std::fclose(f);
    }
    check_eq(lines.size(), std::size_t{2}, "two packets captured");
    if (lines.size() == 2) {
        // packet type 0 (to us: from the guest) / 4 (sent by us); channel 0;
        // EIDs; SOM/EOM; TO; tag; type 0; Rq; instance 17; Get Endpoint ID;
        // the response's completion code 0.
        check_eq(lines[0], std::string("0,0,0x08,0x09,1,1,1,6,0x00,1,17,0x02,"),
                 "request decoded: " + lines[0]);
        check_eq(lines[1], std::string("4,0,0x09,0x08,1,1,0,6,0x00,0,17,0x02,0x00"),
                 "response decoded: " + lines[1]);
    }
    const std::string verbose = rig.dir() / "verbose.txt";
    std::system(("tshark -X lua_script:" + pcc::shell_quote(g_env.lua) + " -r " +
                 pcc::shell_quote(rig.pcap()) + " -V > " + pcc::shell_quote(verbose) +
                 " 2>/dev/null")
                    .c_str());
    check(
        std::system(("grep -q 'Get Endpoint ID (0x02)' " + pcc::shell_quote(verbose)).c_str()) == 0,
        "verbose decode names Get Endpoint ID");
}

struct Case {
    std::string name;
    std::function<void()> run;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s PCCD MCTP_LUA [CASE-PREFIX...]\n", argv[0]);
        return 2;
    }
    const char* qemu = std::getenv("PCC_QEMU");
    if (!qemu || !*qemu || ::access(qemu, X_OK) != 0) {
        std::printf(
            "SKIP: set PCC_QEMU to a qemu-system-aarch64 with the PCC devices "
            "(e.g. build/qemu-system-aarch64)%s%s\n",
            qemu && *qemu ? "; not executable: " : "", qemu ? qemu : "");
        return 77;
    }
    g_env = {qemu, argv[1], argv[2]};
    ::signal(SIGPIPE, SIG_IGN);

    std::vector<Case> cases;
    for (Transport t : {Transport::spool, Transport::socket}) {
        const std::string tn = transport_name(t);
        cases.push_back({"get-eid/" + tn + "/pccd-first", [t] { case_get_eid(t, true); }});
        cases.push_back({"get-eid/" + tn + "/qemu-first", [t] { case_get_eid(t, false); }});
        cases.push_back({"restart/" + tn, [t] { case_restart(t); }});
        cases.push_back({"xgene/" + tn, [t] { case_xgene(t); }});
        cases.push_back({"xgene-legacy/" + tn, [t] { case_xgene_legacy(t); }});
    }
    cases.push_back({"tshark", case_tshark});

    std::vector<std::string> prefixes(argv + 3, argv + argc);
    int passed = 0, failed = 0, skipped = 0;
    for (const Case& c : cases) {
        bool selected = prefixes.empty() ? c.name != "tshark" : false;
        for (const auto& p : prefixes) {
            selected = selected || c.name.rfind(p, 0) == 0;
        }
        if (!selected) {
            continue;
        }
        g_case_failures = 0;
        const auto start = Clock::now();
        std::printf("--- %s\n", c.name.c_str());
        std::fflush(stdout);
        try {
            c.run();
        } catch (const Skip& s) {
            std::printf("SKIP %s: %s\n", c.name.c_str(), s.reason.c_str());
            ++skipped;
            continue;
        } catch (const std::exception& e) {
            ++g_case_failures;
            std::printf("    FAIL: %s\n", e.what());
        }
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
        if (g_case_failures == 0) {
            ++passed;
            std::printf("ok   %s (%lld ms)\n", c.name.c_str(), static_cast<long long>(ms));
        } else {
            ++failed;
            std::printf("FAIL %s (%d failed checks)\n", c.name.c_str(), g_case_failures);
        }
        std::fflush(stdout);
    }
    std::printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    if (failed > 0) {
        return 1;
    }
    return passed == 0 && skipped > 0 ? 77 : 0;
}
