// SPDX-License-Identifier: GPL-2.0-or-later
#include "harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pcctest {

namespace fs = std::filesystem;

int Deadline::remaining_ms() const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at_ - Clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// ---- TempDir

TempDir::TempDir(const std::string& prefix, const std::string& parent) {
    const fs::path base = parent.empty() ? fs::temp_directory_path() : fs::path(parent);
    std::string pattern = (base / (prefix + ".XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {  // mkdtemp: mode 0700
        throw HarnessError("mkdtemp: " + std::string(std::strerror(errno)));
    }
    path_ = pattern;
}

TempDir::~TempDir() {
    if (!keep_) {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
}

// ---- Process

Process::Process(const std::vector<std::string>& argv, const std::string& log_path) {
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log < 0) {
        throw HarnessError(log_path + ": " + std::strerror(errno));
    }
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) {
        ::close(log);
        throw HarnessError(std::string("fork: ") + std::strerror(errno));
    }
    if (pid_ == 0) {
        ::dup2(log, 1);
        ::dup2(log, 2);
        const int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execv(args[0], args.data());
        std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
        ::_exit(127);
    }
    ::close(log);
}

Process::~Process() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        reap_blocking();
    }
}

Process::Process(Process&& other) noexcept : pid_(other.pid_), status_(other.status_) {
    other.pid_ = -1;
}

Process& Process::operator=(Process&& other) noexcept {
    if (this != &other) {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            reap_blocking();
        }
        pid_ = other.pid_;
        status_ = other.status_;
        other.pid_ = -1;
    }
    return *this;
}

void Process::reap_blocking() {
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
}

bool Process::running() {
    if (pid_ <= 0) {
        return false;
    }
    const pid_t r = ::waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

void Process::kill(int sig) {
    if (pid_ > 0) {
        ::kill(pid_, sig);
    }
}

int Process::wait(Deadline deadline) {
    if (!wait_until(deadline, [this] { return !running(); })) {
        kill(SIGKILL);
        reap_blocking();
    }
    return status_;
}

// ---- Qtest

Qtest::Qtest(const std::string& qemu, const std::string& dir,
             const std::vector<std::string>& device_args)
    : dir_(dir), log_path_(dir + "/qemu.log") {
    const std::string sock_path = dir + "/qtest.sock";
    const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (sock_path.size() >= sizeof addr.sun_path) {
        throw HarnessError("socket path too long: " + sock_path);
    }
    std::strcpy(addr.sun_path, sock_path.c_str());
    if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
        ::listen(listener, 1) < 0) {
        ::close(listener);
        throw HarnessError("qtest socket: " + std::string(std::strerror(errno)));
    }
    std::vector<std::string> argv = {qemu,         "-machine",    "virt",
                                     "-cpu",       "cortex-a57",  "-accel",
                                     "qtest",      "-qtest",      "unix:" + sock_path,
                                     "-qtest-log", "none",        "-display",
                                     "none",       "-nodefaults", "-monitor",
                                     "none"};
    argv.insert(argv.end(), device_args.begin(), device_args.end());
    qemu_ = Process(argv, log_path_);
    pollfd p{listener, POLLIN, 0};
    Deadline deadline(std::chrono::seconds(20));
    for (;;) {
        const int n = ::poll(&p, 1, 100);
        if (n > 0) {
            break;
        }
        if (!qemu_.running() || deadline.expired()) {
            ::close(listener);
            throw HarnessError("QEMU did not connect to the qtest socket; log:\n" + log_tail());
        }
    }
    fd_ = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    ::close(listener);
    ::unlink(sock_path.c_str());
    if (fd_ < 0) {
        throw HarnessError("accept: " + std::string(std::strerror(errno)));
    }
}

Qtest::~Qtest() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
    qemu_.kill(SIGTERM);
    qemu_.wait(Deadline(std::chrono::seconds(5)));
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
        pollfd p{fd_, POLLIN, 0};
        const int n = ::poll(&p, 1, deadline.remaining_ms());
        if (n == 0) {
            return false;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw HarnessError("poll: " + std::string(std::strerror(errno)));
        }
        char chunk[65536];
        const ssize_t got = ::read(fd_, chunk, sizeof chunk);
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
        const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw HarnessError("qtest write: " + std::string(std::strerror(errno)));
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

namespace {
std::string hex_addr(std::uint64_t addr) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(addr));
    return buf;
}
}  // namespace

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
    Bytes msg;
    put_le32(msg, kPccSignature | outbox());
    put_le32(msg, 1);  // flags: notify on completion
    put_le32(msg, static_cast<std::uint32_t>(4 + packet.size()));
    put_le32(msg, kPccCommandMctp);
    msg.insert(msg.end(), packet.begin(), packet.end());
    qt_.write(shmem(outbox()), msg);
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

std::optional<std::string> control(const std::string& path, const std::string& line) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
        ::close(fd);
        return std::nullopt;
    }
    const std::string text = line + "\n";
    if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        ::close(fd);
        return std::nullopt;
    }
    std::string reply;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) {
        reply.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
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
