// SPDX-License-Identifier: GPL-2.0-or-later
// What the QEMU integration test and pcc-bench share (with common/: temp
// dirs, child processes, fds): a qtest client (QEMU with -accel qtest, driven over its
// qtest socket) and a guest-side PCC driver that rings and reads subspaces
// the way Linux's drivers/mailbox/pcc.c does.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "process.hpp"
#include "temp_dir.hpp"
#include "unique_fd.hpp"

namespace pcctest {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using Clock = std::chrono::steady_clock;

// Thrown on anything that makes a check impossible (QEMU gone, protocol
// error, deadline passed while a command was outstanding).
struct HarnessError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Deadline {
  public:
    explicit Deadline(std::chrono::milliseconds in) : at_(Clock::now() + in) {}
    bool expired() const { return Clock::now() >= at_; }
    int remaining_ms() const;

  private:
    Clock::time_point at_;
};

// Polls `condition` until it holds or the deadline passes (short pauses
// between polls: for conditions with no event to wait on, like a file
// appearing).
template <class F>
bool wait_until(Deadline deadline, F condition);

using pcc::TempDir;  // a private (0700) directory, removed with its contents

// Child processes are pcc::Child (own process group, killed with it).
// SIGTERM, then up to `deadline` for the exit (then SIGKILL); the wait status.
int stop(pcc::Child& child, Deadline deadline);

// QEMU under the qtest accelerator. The test listens on a unix socket, QEMU
// connects with `-qtest unix:PATH`; commands are lines answered by "OK ..."
// lines, and intercepted interrupt lines arrive as "IRQ raise N" / "IRQ lower
// N" lines in between.
class Qtest {
  public:
    // Starts `qemu` with `-M virt -accel qtest` plus `device_args`; its log
    // goes to `dir`/qemu.log.
    Qtest(const std::string& qemu, const std::string& dir,
          const std::vector<std::string>& device_args);
    ~Qtest();
    Qtest(const Qtest&) = delete;
    Qtest& operator=(const Qtest&) = delete;

    // One command, its answer line ("OK ..."); FAIL/ERR or a timeout throw.
    std::string command(const std::string& line);
    // Several commands in one write, their answers in order.
    std::vector<std::string> commands(const std::vector<std::string>& lines);

    std::uint32_t readl(std::uint64_t addr);
    void writel(std::uint64_t addr, std::uint32_t value);
    void write(std::uint64_t addr, ByteView bytes);
    Bytes read(std::uint64_t addr, std::size_t len);

    // Intercepts pcc-host's interrupt lines (IRQ lines then report line
    // numbers = subspace index % 80).
    void intercept_irqs();
    bool irq_level(unsigned line) const { return levels_.at(line); }
    std::uint64_t raises(unsigned line) const { return raises_.at(line); }
    // Reads asynchronous lines until `line` has `level` or the deadline.
    bool wait_irq(unsigned line, bool level, Deadline deadline);
    // Time the last "IRQ raise" of `line` was read.
    Clock::time_point last_raise(unsigned line) const { return raise_time_.at(line); }

    pcc::Child& process() { return qemu_; }
    std::string log_tail() const;

    // Pipelined use (pcc-bench): send lines without waiting, then collect.
    void send_lines(const std::string& text);
    // The next non-IRQ line (IRQ lines are processed on the way).
    std::string next_answer(Deadline deadline);
    // The next line of any kind (IRQ lines are also processed); throws on
    // timeout.
    std::string next_line(Deadline deadline);

  private:
    bool read_line(std::string& line, Deadline deadline);
    void handle_irq_line(const std::string& line);

    std::string dir_;
    std::string log_path_;
    pcc::Child qemu_;
    pcc::UniqueFd fd_;
    std::string buffer_;
    std::size_t buffer_pos_ = 0;
    std::array<bool, 80> levels_{};
    std::array<std::uint64_t, 80> raises_{};
    std::array<Clock::time_point, 80> raise_time_{};
};

// QMP on a unix socket (QEMU started with -qmp unix:PATH,server=on,wait=off):
// the greeting and qmp_capabilities on connect; execute() returns the reply
// line of a command (events in between are skipped), or throws on an error
// reply.
class Qmp {
  public:
    Qmp(const std::string& path, Deadline deadline);
    std::string execute(const std::string& command_json, Deadline deadline);

  private:
    std::string next_reply(Deadline deadline);

    pcc::UniqueFd fd_;
    std::string buffer_;
};

// The unsigned number after `"key":` in `json`, searching from `from`.
std::optional<std::uint64_t> json_uint(const std::string& json, const std::string& key,
                                       std::size_t from = 0);

// Window layout of QEMU's pcc-host (docs/system/devices/pcc.rst).
constexpr std::uint64_t kWindow = 0x0a004000;
constexpr std::uint64_t kRegDoorbell = 0x0;
constexpr std::uint64_t kRegCmdComplete = 0x4;
constexpr std::uint64_t kRegPlatformAck = 0x8;
constexpr std::uint64_t kRegErrorStatus = 0xc;
constexpr std::uint64_t reg(unsigned subspace, std::uint64_t offset) {
    return kWindow + 0x100ULL * subspace + offset;
}
constexpr std::uint64_t shmem(unsigned subspace) {
    return kWindow + 0x1c000ULL + 0x10000ULL * subspace;
}
constexpr unsigned irq_line(unsigned subspace) {
    return subspace % 80;
}

constexpr std::uint32_t kPccSignature = 0x50434300;
constexpr std::uint32_t kPccCommandMctp = 0x5054434d;

// The guest side of one pcc-mctp device (outbox = channel, inbox =
// channel + 1), as Linux's pcc.c and mctp-pcc.c drive it.
class MctpGuest {
  public:
    MctpGuest(Qtest& qt, unsigned channel) : qt_(qt), channel_(channel) {}

    // Writes the extended message (signature, flags 1, length, "MCTP",
    // packet) into the outbox, read-modify-writes command complete to 0 and
    // the doorbell's bit 0 to 1, then handles the outbox interrupt (platform
    // ack, command complete check). Returns false if QEMU flagged an error.
    bool send(ByteView mctp_packet);
    // Whether the inbox holds a message (command complete bit 0 clear).
    bool inbox_pending();
    // Waits for an inbox message (its interrupt), acknowledges the
    // interrupt, reads the message (12 + length bytes) and sets command
    // complete. nullopt on timeout.
    std::optional<Bytes> receive(Deadline deadline);

    unsigned outbox() const { return channel_; }
    unsigned inbox() const { return channel_ + 1; }

  private:
    Qtest& qt_;
    unsigned channel_;
};

// The extended PCC message of an MCTP packet for the outbox of `channel`
// (signature, flags 1 = notify on completion, length, "MCTP", packet).
Bytes mctp_outbox_message(unsigned channel, ByteView mctp_packet);

// An MCTP control Get Endpoint ID request packet from EID 9 to EID 8, TO=1.
Bytes get_eid_request(std::uint8_t tag, std::uint8_t instance, std::uint8_t dest = 8,
                      std::uint8_t src = 9);

std::string to_hex(ByteView bytes);
std::string hex_addr(std::uint64_t addr);  // "0x1f"
std::uint32_t le32(ByteView b, std::size_t off);
void put_le32(Bytes& b, std::uint32_t v);

// Connects to a pccd control socket and sends one line; the answer line.
std::optional<std::string> control(const std::string& path, const std::string& line);

bool file_exists(const std::string& path);
// Regular files directly in `dir` (not tmp/ etc.).
std::vector<std::string> regular_files(const std::string& dir);

// Implementation of the template.
template <class F>
bool wait_until(Deadline deadline, F condition) {
    for (;;) {
        if (condition()) {
            return true;
        }
        if (deadline.expired()) {
            return condition();
        }
        struct timespec ts {
            0, 2 * 1000 * 1000
        };
        ::nanosleep(&ts, nullptr);
    }
}

}  // namespace pcctest
