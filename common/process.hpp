// SPDX-License-Identifier: GPL-2.0-or-later
// Child processes. Every child gets its own process group and
// PR_SET_PDEATHSIG(SIGKILL); a Child kills its whole group when it goes out
// of scope. With install_cleanup_handlers(), SIGINT/SIGTERM/SIGHUP to the
// parent kill all live groups at once and check_interrupted() then throws
// Interrupted so that the parent unwinds and removes its temp files.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace pcc {

class Child {
  public:
    Child() = default;
    Child(Child&& other) noexcept;
    Child& operator=(Child&& other) noexcept;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() { kill_group(); }

    // fork + exec argv[0] (PATH search) with the given fds as 0/1/2 (-1:
    // /dev/null). The child starts with no signal blocked. Throws
    // std::runtime_error when fork or exec fails.
    static Child spawn(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd);
    // Same, with stdout and stderr appended to `log_path` (created 0600).
    static Child spawn_logged(const std::vector<std::string>& argv, const std::string& log_path);

    pid_t pid() const { return pid_; }
    bool running() { return pid_ > 0 && !poll_exit(); }
    // Non-blocking reap; true once the child has exited (status in status()).
    bool poll_exit();
    int wait();  // blocking reap, returns the wait status
    // Waits up to `timeout` for the exit, then SIGKILLs the group; the status.
    int wait_for(std::chrono::milliseconds timeout);
    int status() const { return status_; }
    void signal(int sig);  // to the leader only
    void kill_group();     // SIGKILL to the group, then reap

  private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    int status_ = 0;
};

// "exited with status N" / "killed by signal N (NAME)".
std::string describe_status(int status);

// Runs argv to completion; stdout is returned, stderr passes through (or,
// with `with_stderr`, is returned with it, in the order written). Throws on
// exec failure; *status gets the wait status.
std::string run_capture(const std::vector<std::string>& argv, int* status,
                        bool with_stderr = false);

void install_cleanup_handlers();
struct Interrupted {  // deliberately not a std::exception
    int signal;
};
int interrupted();         // the signal that arrived, or 0
void check_interrupted();  // throws Interrupted after a signal

}  // namespace pcc
