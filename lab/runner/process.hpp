// SPDX-License-Identifier: GPL-2.0-or-later
// Child processes for the lab runner. Every child gets its own process
// group and PR_SET_PDEATHSIG(SIGKILL); a Child kills its whole group when
// it goes out of scope, and SIGINT/SIGTERM/SIGHUP to the runner kill all
// live groups before it exits. Nothing is left running after the runner.
#pragma once

#include <sys/types.h>
#include <string>
#include <vector>

namespace lab {

class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept {
        if (this != &o) {
            reset(o.release());
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    int get() const { return fd_; }
    int release() {
        int f = fd_;
        fd_ = -1;
        return f;
    }
    void reset(int fd = -1);
    explicit operator bool() const { return fd_ >= 0; }

  private:
    int fd_ = -1;
};

struct Pipe {
    UniqueFd read, write;
};
Pipe make_pipe();  // O_CLOEXEC both ends

class Child {
  public:
    Child() = default;
    Child(Child&& o) noexcept;
    Child& operator=(Child&& o) noexcept;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() { kill_group(); }

    // fork + exec argv[0] (PATH search) with the given fds as 0/1/2 (-1:
    // /dev/null). Throws std::runtime_error when exec fails.
    static Child spawn(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd);

    pid_t pid() const { return pid_; }
    bool running() const { return pid_ > 0 && !reaped_; }
    // Non-blocking reap; true once the child has exited (status in status()).
    bool poll_exit();
    int wait();  // blocking reap, returns the wait status
    int status() const { return status_; }
    void kill_group();  // SIGKILL to the group, then reap

  private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    int status_ = 0;
};

// "exited with status N" / "killed by signal N".
std::string describe_status(int status);

// Runs argv to completion; stdout is returned, stderr passes through.
// Throws on exec failure; *status gets the wait status.
std::string run_capture(const std::vector<std::string>& argv, int* status);

// SIGINT/SIGTERM/SIGHUP: kill all live children's groups at once; the
// runner then throws Interrupted from check_interrupted() and unwinds.
void install_cleanup_handlers();
struct Interrupted {  // deliberately not a std::exception
    int signal;
};
int interrupted();
void check_interrupted();  // throws Interrupted after a signal

}  // namespace lab
