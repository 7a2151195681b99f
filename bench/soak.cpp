// SPDX-License-Identifier: GPL-2.0-or-later
#include "soak.hpp"

#include <cstdio>
#include <deque>
#include <vector>

#include "harness.hpp"

namespace pccbench {

namespace {

using namespace pcctest;
using namespace std::chrono_literals;

// pccd answers the vendor-defined PCI type (0x7e) with the request's vendor
// id and number: `$N` is byte N of the request's MCTP message.
constexpr const char* kEchoRules =
    "set mctp.extra-types 0x7e\n"
    "match type=0x7e => reply 7e $1 $2 $3 $4 $5 $6\n";

// Message `seq`: an MCTP packet from EID 9 to 8, TO=1, tag seq % 8, type 0x7e,
// vendor id 0xabcd, then seq (32 bits, little-endian).
std::string request_lines(std::uint64_t seq) {
    const Bytes packet = {0x01,
                          0x08,
                          0x09,
                          static_cast<std::uint8_t>(0xc8 | (seq & 7)),
                          0x7e,
                          0xab,
                          0xcd,
                          static_cast<std::uint8_t>(seq),
                          static_cast<std::uint8_t>(seq >> 8),
                          static_cast<std::uint8_t>(seq >> 16),
                          static_cast<std::uint8_t>(seq >> 24)};
    const Bytes msg = mctp_outbox_message(0, packet);
    return "write " + hex_addr(shmem(0)) + " " + std::to_string(msg.size()) + " 0x" + to_hex(msg) +
           "\nwritel " + hex_addr(reg(0, kRegCmdComplete)) + " 0\nwritel " +
           hex_addr(reg(0, kRegDoorbell)) + " 1\nwritel " + hex_addr(reg(0, kRegPlatformAck)) +
           " 1\n";
}
constexpr int kRequestLines = 4;

// The answer: PCC header (12), "MCTP", the MCTP transport header (4), then
// 7e ab cd and the number.
constexpr std::size_t kAnswerSize = 27;
const std::string kConsume = "writel " + hex_addr(reg(1, kRegPlatformAck)) + " 1\nread " +
                             hex_addr(shmem(1)) + " " + std::to_string(kAnswerSize) + "\nwritel " +
                             hex_addr(reg(1, kRegCmdComplete)) + " 1\n";

// The request number an inbox read ("OK 0x" + hex) answers, if it is one.
std::optional<std::uint64_t> answered_seq(const std::string& line) {
    if (line.size() != 5 + 2 * kAnswerSize || line.compare(0, 5, "OK 0x") != 0) {
        return std::nullopt;
    }
    auto byte = [&](std::size_t k) {
        return static_cast<std::uint64_t>(std::stoul(line.substr(5 + 2 * k, 2), nullptr, 16));
    };
    if (byte(20) != 0x7e || byte(21) != 0xab || byte(22) != 0xcd) {
        return std::nullopt;
    }
    const std::uint64_t seq = byte(23) | byte(24) << 8 | byte(25) << 16 | byte(26) << 24;
    if (byte(19) != (0xc0 | (seq & 7))) {  // SOM, EOM, TO=0, the request's tag
        return std::nullopt;
    }
    return seq;
}

class Pccd {
  public:
    Pccd(const SoakOptions& o, const TempDir& dir, bool socket) : ctl_(dir / "ctl") {
        const std::string rules = dir / "echo.rules";
        if (std::FILE* f = std::fopen(rules.c_str(), "w")) {
            std::fputs(kEchoRules, f);
            std::fclose(f);
        }
        argv_ = {o.pccd, "--control", ctl_, "--rules", rules};
        if (socket) {
            argv_.insert(argv_.end(), {"--socket", dir / "pccd.sock"});
        } else {
            argv_.insert(argv_.end(), {"--spool", dir / "spool"});
        }
        if (!o.pccd_log) {
            argv_.push_back("-q");
        }
        log_ = o.pccd_log ? dir / "pccd.log" : "/dev/null";
        start();
    }
    void start() {
        ::unlink(ctl_.c_str());
        child_ = pcc::Child::spawn_logged(argv_, log_);
        if (!wait_until(Deadline(10s),
                        [&] { return control(ctl_, "stats").has_value() || !child_.running(); }) ||
            !child_.running()) {
            throw HarnessError("pccd did not start");
        }
    }
    void kill_and_restart() {
        child_.kill_group();
        start();
    }

  private:
    std::vector<std::string> argv_;
    std::string ctl_;
    std::string log_;
    pcc::Child child_;
};

}  // namespace

SoakFigures soak_transport(const SoakOptions& o, bool socket) {
    SoakFigures f;
    f.transport = socket ? "socket" : "spool";
    TempDir dir("pcc-soak", o.tmpdir);
    std::vector<std::string> device;
    if (socket) {
        device = {"-chardev", "socket,id=pccd,path=" + (dir / "pccd.sock") + ",reconnect-ms=20",
                  "-device", "pcc-mctp,channel=0,chardev=pccd"};
    } else {
        device = {"-device", "pcc-mctp,channel=0,spool=" + (dir / "spool")};
    }
    Pccd pccd(o, dir, socket);
    Qtest qt(o.qemu, dir.path(), device);
    qt.intercept_irqs();

    const std::uint64_t n = o.messages;
    const std::uint64_t sentinel = n;  // rung once all are answered: anything
                                       // still queued in QEMU arrives before it
    std::vector<std::uint8_t> times(n + 1, 0);
    enum class Expect { ok, inbox };
    std::deque<Expect> expect;
    bool sentinel_sent = false, sentinel_answered = false;
    const auto start = Clock::now();
    Deadline progress(30s);  // renewed by every answer
    try {
        while (!sentinel_answered) {
            const std::uint64_t in_flight = f.sent - f.answered;
            const bool room = in_flight < o.window && expect.size() <= 8;
            if (f.sent < n && room) {
                if (f.sent > 0 && f.sent % o.kill_every == 0) {
                    pccd.kill_and_restart();
                    ++f.kills;
                }
                qt.send_lines(request_lines(f.sent));
                expect.insert(expect.end(), kRequestLines, Expect::ok);
                ++f.sent;
                continue;
            }
            if (f.sent == n && f.answered == n && !sentinel_sent) {
                qt.send_lines(request_lines(sentinel));
                expect.insert(expect.end(), kRequestLines, Expect::ok);
                sentinel_sent = true;
                continue;
            }
            const std::string line = qt.next_line(progress);
            if (line.rfind("IRQ raise 1", 0) == 0) {
                qt.send_lines(kConsume);
                expect.insert(expect.end(), {Expect::ok, Expect::inbox, Expect::ok});
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
            if (what != Expect::inbox) {
                continue;
            }
            const auto seq = answered_seq(line);
            if (!seq || *seq > n || (*seq == sentinel && !sentinel_sent)) {
                ++f.garbled;
            } else if (*seq == sentinel) {
                sentinel_answered = true;
            } else if (times[*seq]++ == 0) {
                ++f.answered;
            } else {
                ++f.duplicated;
            }
            progress = Deadline(30s);
        }
        while (!expect.empty()) {  // the last OKs
            if (qt.next_line(progress).rfind("OK", 0) == 0) {
                expect.pop_front();
            }
        }
    } catch (const HarnessError& e) {
        f.stalled = e.what();
    }
    f.lost = f.sent - f.answered;
    f.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return f;
}

}  // namespace pccbench
