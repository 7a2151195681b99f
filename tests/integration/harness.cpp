// SPDX-License-Identifier: GPL-2.0-or-later
#include "harness.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "text.hpp"

namespace pcctest {

namespace fs = std::filesystem;

int Deadline::remaining_ms() const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at_ - Clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// ---- child processes

int stop(pcc::Child& child, Deadline deadline) {
    child.signal(SIGTERM);
    return child.wait_for(std::chrono::milliseconds(deadline.remaining_ms()));
}

// ---- Qtest

Qtest::Qtest(const std::string& qemu, const std::string& dir,
             const std::vector<std::string>& device_args)
    : dir_(dir), log_path_(dir + "/qemu.log") {
    const std::string sock_path = dir + "/qtest.sock";
    const pcc::UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (sock_path.size() >= sizeof addr.sun_path) {
        throw HarnessError("socket path too long: " + sock_path);
    }
    std::strcpy(addr.sun_path, sock_path.c_str());
    if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
        ::listen(listener.get(), 1) < 0) {
        throw HarnessError("qtest socket: " + pcc::errno_text());
    }
    std::vector<std::string> argv = {qemu,         "-machine",    "virt",
                                     "-cpu",       "cortex-a57",  "-accel",
                                     "qtest",      "-qtest",      "unix:" + sock_path,
                                     "-qtest-log", "none",        "-display",
                                     "none",       "-nodefaults", "-monitor",
                                     "none"};
    argv.insert(argv.end(), device_args.begin(), device_args.end());
    qemu_ = pcc::Child::spawn_logged(argv, log_path_);
    pollfd p{listener.get(), POLLIN, 0};
    Deadline deadline(std::chrono::seconds(20));
    for (;;) {
        const int n = ::poll(&p, 1, 100);
        if (n > 0) {
            break;
        }
        if (!qemu_.running() || deadline.expired()) {
            throw HarnessError("QEMU did not connect to the qtest socket; log:\n" + log_tail());
        }
    }
    fd_.reset(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ::unlink(sock_path.c_str());
    if (!fd_) {
        throw HarnessError("accept: " + pcc::errno_text());
    }
}

Qtest::~Qtest() {
    fd_.reset();
    stop(qemu_, Deadline(std::chrono::seconds(5)));
}

std::string Qtest::log_tail() const {
    std::ifstream in(log_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (text.size() > 4000) {
        text = "..." + text.substr(text.size() - 4000);
    }
    return text;
}

bool Qtest::read_line(std::string& line, Deadline deadline) {
    for (;;) {
        const auto nl = buffer_.find('\n', buffer_pos_);
        if (nl != std::string::npos) {
            line.assign(buffer_, buffer_pos_, nl - buffer_pos_);
            buffer_pos_ = nl + 1;
            if (buffer_pos_ > 65536) {
                buffer_.erase(0, buffer_pos_);
                buffer_pos_ = 0;
            }
            return true;
        }
        pollfd p{fd_.get(), POLLIN, 0};
        const int n = ::poll(&p, 1, deadline.remaining_ms());
        if (n == 0) {
            return false;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw HarnessError("poll: " + pcc::errno_text());
        }
        char chunk[65536];
        const ssize_t got = ::read(fd_.get(), chunk, sizeof chunk);
        if (got <= 0) {
            throw HarnessError("QEMU closed the qtest connection; log:\n" + log_tail());
        }
        buffer_.append(chunk, static_cast<std::size_t>(got));
    }
}

void Qtest::handle_irq_line(const std::string& line) {
    // "IRQ raise N" / "IRQ lower N"
    const bool raise = line.compare(4, 5, "raise") == 0;
    const unsigned n = static_cast<unsigned>(std::stoul(line.substr(10)));
    if (n >= levels_.size()) {
        return;
    }
    levels_[n] = raise;
    if (raise) {
        ++raises_[n];
        raise_time_[n] = Clock::now();
    }
}

void Qtest::send_lines(const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd_.get(), text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw HarnessError("qtest write: " + pcc::errno_text());
        }
        done += static_cast<std::size_t>(n);
    }
}

std::string Qtest::next_answer(Deadline deadline) {
    std::string line;
    for (;;) {
        if (!read_line(line, deadline)) {
            throw HarnessError("qtest: no answer in time");
        }
        if (line.rfind("IRQ ", 0) == 0) {
            handle_irq_line(line);
            continue;
        }
        if (line.rfind("OK", 0) != 0) {
            throw HarnessError("qtest: " + line);
        }
        return line;
    }
}

std::string Qtest::next_line(Deadline deadline) {
    std::string line;
    if (!read_line(line, deadline)) {
        throw HarnessError("qtest: nothing arrived in time");
    }
    if (line.rfind("IRQ ", 0) == 0) {
        handle_irq_line(line);
    }
    return line;
}

std::string Qtest::command(const std::string& line) {
    send_lines(line + "\n");
    return next_answer(Deadline(std::chrono::seconds(10)));
}

std::vector<std::string> Qtest::commands(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& l : lines) {
        text += l + "\n";
    }
    send_lines(text);
    std::vector<std::string> answers;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        answers.push_back(next_answer(Deadline(std::chrono::seconds(10))));
    }
    return answers;
}

std::uint32_t Qtest::readl(std::uint64_t addr) {
    const std::string answer = command("readl " + hex_addr(addr));
    return static_cast<std::uint32_t>(std::stoull(answer.substr(3), nullptr, 16));
}

void Qtest::writel(std::uint64_t addr, std::uint32_t value) {
    command("writel " + hex_addr(addr) + " " + hex_addr(value));
}

void Qtest::write(std::uint64_t addr, ByteView bytes) {
    command("write " + hex_addr(addr) + " " + std::to_string(bytes.size()) + " 0x" + to_hex(bytes));
}

Bytes Qtest::read(std::uint64_t addr, std::size_t len) {
    const std::string answer = command("read " + hex_addr(addr) + " " + std::to_string(len));
    // "OK 0x0102..."
    Bytes out;
    for (std::size_t i = 5; i + 1 < answer.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoul(answer.substr(i, 2), nullptr, 16)));
    }
    if (out.size() != len) {
        throw HarnessError("qtest read: short answer " + answer);
    }
    return out;
}

void Qtest::intercept_irqs() {
    command("irq_intercept_out /machine/pcc-host sysbus-irq");
}

bool Qtest::wait_irq(unsigned line, bool level, Deadline deadline) {
    std::string text;
    while (levels_.at(line) != level) {
        if (!read_line(text, deadline)) {
            return false;
        }
        if (text.rfind("IRQ ", 0) != 0) {
            throw HarnessError("qtest: unexpected line " + text);
        }
        handle_irq_line(text);
    }
    return true;
}

// ---- MctpGuest

bool MctpGuest::send(ByteView packet) {
    qt_.write(shmem(outbox()), mctp_outbox_message(outbox(), packet));
    // pcc.c: read-modify-write of the command update register (clear bit 0),
    // then of the doorbell (set bit 0).
    qt_.writel(reg(outbox(), kRegCmdComplete), qt_.readl(reg(outbox(), kRegCmdComplete)) & ~1U);
    qt_.writel(reg(outbox(), kRegDoorbell), qt_.readl(reg(outbox(), kRegDoorbell)) | 1U);
    // The interrupt handler: platform ack, then the command complete check.
    if (!qt_.wait_irq(irq_line(outbox()), true, Deadline(std::chrono::seconds(5)))) {
        throw HarnessError("no outbox interrupt after the doorbell");
    }
    qt_.writel(reg(outbox(), kRegPlatformAck), 1);
    if (!(qt_.readl(reg(outbox(), kRegCmdComplete)) & 1)) {
        throw HarnessError("outbox interrupt but command complete clear");
    }
    const bool error = qt_.readl(reg(outbox(), kRegErrorStatus)) & 1;
    if (error) {
        qt_.writel(reg(outbox(), kRegErrorStatus), 0);
    }
    return !error;
}

bool MctpGuest::inbox_pending() {
    return !(qt_.readl(reg(inbox(), kRegCmdComplete)) & 1);
}

std::optional<Bytes> MctpGuest::receive(Deadline deadline) {
    if (!qt_.wait_irq(irq_line(inbox()), true, deadline)) {
        return std::nullopt;
    }
    qt_.writel(reg(inbox(), kRegPlatformAck), 1);
    if (!inbox_pending()) {
        throw HarnessError("inbox interrupt without a message (command complete set)");
    }
    const Bytes header = qt_.read(shmem(inbox()), 16);
    const std::uint32_t length = le32(header, 8);
    if (length < 4 || length > 4096 - 12) {
        throw HarnessError("inbox message length " + std::to_string(length));
    }
    Bytes msg = qt_.read(shmem(inbox()), 12 + length);
    // Consumed: set command complete (QEMU offers the next message).
    qt_.writel(reg(inbox(), kRegCmdComplete), qt_.readl(reg(inbox(), kRegCmdComplete)) | 1U);
    return msg;
}

// ---- helpers

Bytes mctp_outbox_message(unsigned channel, ByteView packet) {
    Bytes msg;
    put_le32(msg, kPccSignature | channel);
    put_le32(msg, 1);  // flags: notify on completion
    put_le32(msg, static_cast<std::uint32_t>(4 + packet.size()));
    put_le32(msg, kPccCommandMctp);
    msg.insert(msg.end(), packet.begin(), packet.end());
    return msg;
}

Bytes get_eid_request(std::uint8_t tag, std::uint8_t instance, std::uint8_t dest,
                      std::uint8_t src) {
    // DSP0236: header version 1, dest, src, SOM|EOM|TO|tag; message type 0
    // (control), Rq|instance, command 0x02.
    return Bytes{0x01, dest,
                 src,  static_cast<std::uint8_t>(0xc8 | (tag & 7)),
                 0x00, static_cast<std::uint8_t>(0x80 | (instance & 0x1f)),
                 0x02};
}

std::string to_hex(ByteView bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (auto b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

std::string hex_addr(std::uint64_t addr) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(addr));
    return buf;
}

std::uint32_t le32(ByteView b, std::size_t off) {
    return static_cast<std::uint32_t>(b[off]) | (static_cast<std::uint32_t>(b[off + 1]) << 8) |
           (static_cast<std::uint32_t>(b[off + 2]) << 16) |
           (static_cast<std::uint32_t>(b[off + 3]) << 24);
}

void put_le32(Bytes& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
}

// ---- QMP

Qmp::Qmp(const std::string& path, Deadline deadline) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) {
        throw HarnessError("socket path too long: " + path);
    }
    std::strcpy(addr.sun_path, path.c_str());
    const bool connected = wait_until(deadline, [&] {
        fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        return ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    });
    if (!connected) {
        throw HarnessError("QMP socket " + path + ": " + pcc::errno_text());
    }
    const std::string greeting = next_reply(deadline);
    if (greeting.find("\"QMP\"") == std::string::npos) {
        throw HarnessError("QMP: no greeting but " + greeting);
    }
    execute(R"({"execute": "qmp_capabilities"})", deadline);
}

std::string Qmp::next_reply(Deadline deadline) {
    for (;;) {
        const auto nl = buffer_.find('\n');
        if (nl != std::string::npos) {
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            return line;
        }
        pollfd p{fd_.get(), POLLIN, 0};
        const int n = ::poll(&p, 1, deadline.remaining_ms());
        if (n == 0) {
            throw HarnessError("QMP: no reply in time");
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw HarnessError("QMP poll: " + pcc::errno_text());
        }
        char chunk[65536];
        const ssize_t got = ::read(fd_.get(), chunk, sizeof chunk);
        if (got <= 0) {
            throw HarnessError("QMP: QEMU closed the connection");
        }
        buffer_.append(chunk, static_cast<std::size_t>(got));
    }
}

std::string Qmp::execute(const std::string& command_json, Deadline deadline) {
    const std::string text = command_json + "\n";
    if (::write(fd_.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        throw HarnessError("QMP write: " + pcc::errno_text());
    }
    for (;;) {
        std::string reply = next_reply(deadline);
        if (reply.rfind("{\"return\"", 0) == 0) {
            return reply;
        }
        if (reply.rfind("{\"error\"", 0) == 0) {
            throw HarnessError("QMP " + command_json + ": " + reply);
        }
        // an event: not ours
    }
}

std::optional<std::uint64_t> json_uint(const std::string& json, const std::string& key,
                                       std::size_t from) {
    const std::string quoted = "\"" + key + "\":";
    const auto at = json.find(quoted, from);
    if (at == std::string::npos) {
        return std::nullopt;
    }
    const auto digits = json.find_first_not_of(' ', at + quoted.size());
    if (digits == std::string::npos || !std::isdigit(static_cast<unsigned char>(json[digits]))) {
        return std::nullopt;
    }
    return std::stoull(json.substr(digits, 20));
}

std::optional<std::string> control(const std::string& path, const std::string& line) {
    const pcc::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
        return std::nullopt;
    }
    const std::string text = line + "\n";
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        return std::nullopt;
    }
    std::string reply;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd.get(), buf, sizeof buf)) > 0) {
        reply.append(buf, static_cast<std::size_t>(n));
    }
    while (!reply.empty() && reply.back() == '\n') {
        reply.pop_back();
    }
    return reply;
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

std::vector<std::string> regular_files(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (e.is_regular_file(ec)) {
            out.push_back(e.path().filename().string());
        }
    }
    return out;
}

}  // namespace pcctest
