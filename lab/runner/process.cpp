// SPDX-License-Identifier: GPL-2.0-or-later
#include "process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

namespace lab {
namespace {

// Live process groups, for the signal handler (async-signal-safe access).
constexpr int kMaxGroups = 16;
std::atomic<pid_t> g_groups[kMaxGroups];

void register_group(pid_t pgid) {
    for (auto& g : g_groups) {
        pid_t expected = 0;
        if (g.compare_exchange_strong(expected, pgid)) {
            return;
        }
    }
}

void unregister_group(pid_t pgid) {
    for (auto& g : g_groups) {
        pid_t expected = pgid;
        if (g.compare_exchange_strong(expected, 0)) {
            return;
        }
    }
}

volatile std::sig_atomic_t g_signal = 0;

// Kills the children at once (async-signal-safe); the runner notices
// interrupted() at its next wait, unwinds and removes its temp files.
// A second signal exits on the spot.
extern "C" void on_fatal_signal(int sig) {
    for (auto& g : g_groups) {
        pid_t p = g.load();
        if (p > 0) {
            ::kill(-p, SIGKILL);
        }
    }
    if (g_signal) {
        ::_exit(128 + sig);
    }
    g_signal = sig;
    static const char msg[] = "\npcc-lab: interrupted, killed the guest and its helpers\n";
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof(msg) - 1);
}

}  // namespace

void UniqueFd::reset(int fd) {
    if (fd_ >= 0) {
        ::close(fd_);
    }
    fd_ = fd;
}

Pipe make_pipe() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    }
    return Pipe{UniqueFd(p[0]), UniqueFd(p[1])};
}

Child::Child(Child&& o) noexcept : pid_(o.pid_), reaped_(o.reaped_), status_(o.status_) {
    o.pid_ = -1;
}

Child& Child::operator=(Child&& o) noexcept {
    if (this != &o) {
        kill_group();
        pid_ = o.pid_;
        reaped_ = o.reaped_;
        status_ = o.status_;
        o.pid_ = -1;
    }
    return *this;
}

Child Child::spawn(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd) {
    if (argv.empty()) {
        throw std::runtime_error("spawn: empty argv");
    }
    std::vector<char*> cargv;
    for (const auto& a : argv) {
        cargv.push_back(const_cast<char*>(a.c_str()));
    }
    cargv.push_back(nullptr);
    Pipe errp = make_pipe();  // exec failure report (closed by a successful exec)
    const pid_t parent = ::getpid();

    pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) {
            ::_exit(127);  // the runner died before prctl
        }
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) {
            ::signal(sig, SIG_DFL);
        }
        int null_fd = ::open("/dev/null", O_RDWR);
        int fds[3] = {in_fd, out_fd, err_fd};
        for (int i = 0; i < 3; ++i) {
            ::dup2(fds[i] >= 0 ? fds[i] : null_fd, i);
        }
        ::execvp(cargv[0], cargv.data());
        int e = errno;
        [[maybe_unused]] auto n = ::write(errp.write.get(), &e, sizeof(e));
        ::_exit(127);
    }
    ::setpgid(pid, pid);  // also from the parent: no race with kill_group()
    register_group(pid);
    Child c;
    c.pid_ = pid;
    errp.write.reset();
    int e = 0;
    ssize_t n;
    do {
        n = ::read(errp.read.get(), &e, sizeof(e));
    } while (n < 0 && errno == EINTR);
    if (n == sizeof(e)) {
        c.wait();
        throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(e));
    }
    return c;
}

bool Child::poll_exit() {
    if (pid_ <= 0 || reaped_) {
        return true;
    }
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
        reaped_ = true;
        status_ = st;
        // the leader is gone; its group may live on until kill_group()
    }
    return reaped_;
}

int Child::wait() {
    while (pid_ > 0 && !reaped_) {
        int st = 0;
        pid_t r = ::waitpid(pid_, &st, 0);
        if (r == pid_) {
            reaped_ = true;
            status_ = st;
        } else if (r < 0 && errno != EINTR) {
            reaped_ = true;
            status_ = 0;
        }
    }
    return status_;
}

void Child::kill_group() {
    if (pid_ <= 0) {
        return;
    }
    ::kill(-pid_, SIGKILL);
    wait();
    unregister_group(pid_);
    pid_ = -1;
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) {
        return "exited with status " + std::to_string(WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
               ::strsignal(WTERMSIG(status)) + ")";
    }
    return "ended with wait status " + std::to_string(status);
}

std::string run_capture(const std::vector<std::string>& argv, int* status) {
    Pipe out = make_pipe();
    Child c = Child::spawn(argv, -1, out.write.get(), STDERR_FILENO);
    out.write.reset();
    std::string text;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(out.read.get(), buf, sizeof(buf));
        check_interrupted();
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        text.append(buf, static_cast<std::size_t>(n));
    }
    *status = c.wait();
    c.kill_group();  // helpers it may have left behind
    return text;
}

int interrupted() {
    return g_signal;
}

void check_interrupted() {
    if (g_signal) {
        throw Interrupted{g_signal};
    }
}

void install_cleanup_handlers() {
    struct sigaction sa = {};
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
        ::sigaction(sig, &sa, nullptr);
    }
    ::signal(SIGPIPE, SIG_IGN);
}

}  // namespace lab
