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
#include <system_error>
#include <thread>

#include "text.hpp"
#include "unique_fd.hpp"

namespace pcc {

namespace {

// Live process groups, for the signal handler (async-signal-safe access).
constexpr int kMaxGroups = 64;
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

// Kills the children at once (async-signal-safe); the parent notices
// interrupted() at its next check, unwinds and removes its temp files. A
// second signal exits on the spot.
extern "C" void on_fatal_signal(int sig) {
    for (auto& g : g_groups) {
        const pid_t p = g.load();
        if (p > 0) {
            ::kill(-p, SIGKILL);
        }
    }
    if (g_signal) {
        ::_exit(128 + sig);
    }
    g_signal = sig;
    static const char msg[] = "\ninterrupted: killed the child processes\n";
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof(msg) - 1);
}

}  // namespace

Pipe make_pipe() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    return Pipe{UniqueFd(p[0]), UniqueFd(p[1])};
}

Child::Child(Child&& other) noexcept
    : pid_(other.pid_), reaped_(other.reaped_), status_(other.status_) {
    other.pid_ = -1;
}

Child& Child::operator=(Child&& other) noexcept {
    if (this != &other) {
        kill_group();
        pid_ = other.pid_;
        reaped_ = other.reaped_;
        status_ = other.status_;
        other.pid_ = -1;
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
    Pipe exec_report = make_pipe();  // closed by a successful exec
    const pid_t parent = ::getpid();

    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error("fork: " + errno_text());
    }
    if (pid == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) {
            ::_exit(127);  // the parent died before prctl
        }
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) {
            ::signal(sig, SIG_DFL);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        const int null_fd = ::open("/dev/null", O_RDWR);
        const int fds[3] = {in_fd, out_fd, err_fd};
        for (int i = 0; i < 3; ++i) {
            ::dup2(fds[i] >= 0 ? fds[i] : null_fd, i);
        }
        ::execvp(cargv[0], cargv.data());
        const int e = errno;
        [[maybe_unused]] auto n = ::write(exec_report.write.get(), &e, sizeof(e));
        ::_exit(127);
    }
    ::setpgid(pid, pid);  // also from the parent: no race with kill_group()
    register_group(pid);
    Child c;
    c.pid_ = pid;
    exec_report.write.reset();
    int e = 0;
    ssize_t n;
    do {
        n = ::read(exec_report.read.get(), &e, sizeof(e));
    } while (n < 0 && errno == EINTR);
    if (n == sizeof(e)) {
        c.wait();
        throw std::runtime_error("cannot run " + argv[0] + ": " + errno_text(e));
    }
    return c;
}

Child Child::spawn_logged(const std::vector<std::string>& argv, const std::string& log_path) {
    UniqueFd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (!log) {
        throw std::runtime_error(log_path + ": " + errno_text());
    }
    return spawn(argv, -1, log.get(), log.get());
}

bool Child::poll_exit() {
    if (pid_ <= 0 || reaped_) {
        return true;
    }
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        reaped_ = true;
        status_ = st;
        // the leader is gone; its group may live on until kill_group()
    }
    return reaped_;
}

int Child::wait() {
    while (pid_ > 0 && !reaped_) {
        int st = 0;
        const pid_t r = ::waitpid(pid_, &st, 0);
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

int Child::wait_for(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    // No event to wait on for a child's exit short of SIGCHLD handling:
    // poll it, briefly.
    while (!poll_exit()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            kill_group();
            return status_;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return status_;
}

void Child::signal(int sig) {
    if (pid_ > 0 && !reaped_) {
        ::kill(pid_, sig);
    }
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
        return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
               ::strsignal(WTERMSIG(status)) + ")";
    }
    return "ended with wait status " + std::to_string(status);
}

std::string run_capture(const std::vector<std::string>& argv, int* status, bool with_stderr) {
    Pipe out = make_pipe();
    Child c =
        Child::spawn(argv, -1, out.write.get(), with_stderr ? out.write.get() : STDERR_FILENO);
    out.write.reset();
    std::string text;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(out.read.get(), buf, sizeof(buf));
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

}  // namespace pcc
