// SPDX-License-Identifier: GPL-2.0-or-later
// Single-threaded epoll loop with one timerfd for all timers.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include "unique_fd.hpp"

namespace pccd {

class EventLoop {
  public:
    using FdHandler = std::function<void(std::uint32_t events)>;
    using TimerId = std::uint64_t;
    using Clock = std::chrono::steady_clock;

    EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    void add_fd(int fd, std::uint32_t events, FdHandler handler);
    void modify_fd(int fd, std::uint32_t events);
    void remove_fd(int fd);

    TimerId add_timer(std::chrono::milliseconds delay, std::function<void()> callback);
    void cancel_timer(TimerId id);
    std::size_t pending_timers() const { return timers_.size(); }

    // Waits up to timeout_ms (-1: forever) and dispatches what is ready.
    void run_once(int timeout_ms);
    void run();  // until stop()
    void stop() { stopped_ = true; }
    bool stopped() const { return stopped_; }

  private:
    void arm_timerfd();
    void fire_timers();

    pcc::UniqueFd epoll_;
    pcc::UniqueFd timerfd_;
    std::map<int, std::shared_ptr<FdHandler>> handlers_;
    std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers_;
    std::map<TimerId, Clock::time_point> timer_deadlines_;
    TimerId next_timer_ = 1;
    bool stopped_ = false;
};

}  // namespace pccd
