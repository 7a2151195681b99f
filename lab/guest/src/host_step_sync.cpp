// SPDX-License-Identifier: GPL-2.0-or-later
#include "host_step_sync.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "text.hpp"

namespace lab {

ConsoleInput::ConsoleInput() {
    termios t{};
    if (::tcgetattr(STDIN_FILENO, &t) == 0) {
        saved_ = t;
        t.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &t);
        ::tcflush(STDIN_FILENO, TCIFLUSH);
    }
}

ConsoleInput::~ConsoleInput() {
    if (saved_) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &*saved_);
    }
}

std::optional<pcc::console::HostStepDone> ConsoleInput::next_done(double seconds,
                                                                  std::string* problem) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    for (;;) {
        for (std::size_t nl; (nl = pending_.find('\n')) != std::string::npos;) {
            const std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            if (auto done = pcc::console::parse_host_step_done(line)) {
                return done;
            }
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd pfd{STDIN_FILENO, POLLIN, 0};
        const int pr = ::poll(&pfd, 1, static_cast<int>(std::max<long long>(left.count(), 0)));
        if (pr < 0 && errno == EINTR) {
            continue;
        }
        if (pr < 0) {
            if (problem) {
                *problem = "poll of stdin: " + pcc::errno_text();
            }
            return std::nullopt;
        }
        if (pr == 0) {
            if (left.count() <= 0) {
                return std::nullopt;
            }
            continue;
        }
        char buf[256];
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof(buf));
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            if (problem) {
                *problem = n == 0 ? "stdin is at its end (not the console?)"
                                  : "read of stdin: " + pcc::errno_text();
            }
            return std::nullopt;
        }
        // the tty's line ends may be CR
        for (ssize_t k = 0; k < n; ++k) {
            pending_ += buf[k] == '\r' ? '\n' : buf[k];
        }
    }
}

ConsoleInput::Ack ConsoleInput::wait(std::string_view step, double seconds) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration<double>(seconds);
    Ack ack;
    auto since = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
    for (;;) {
        const double left = std::chrono::duration<double>(deadline - Clock::now()).count();
        if (left <= 0) {
            ack.problem = "no PCC-LAB-STEP-DONE " + std::string(step) + " on the console's input";
            break;
        }
        std::string problem;
        const auto done = next_done(left, &problem);
        if (done && done->step == step) {
            ack.status = done->status;
            ack.seconds = since();
            return ack;
        }
        if (!done && !problem.empty()) {
            ack.problem = problem;
            break;
        }
    }
    ack.seconds = since();
    return ack;
}

}  // namespace lab
