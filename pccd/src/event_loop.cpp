// SPDX-License-Identifier: GPL-2.0-or-later
#include "event_loop.hpp"

#include <sys/epoll.h>
#include <sys/timerfd.h>

#include <stdexcept>
#include <string>

#include "text.hpp"

namespace pccd {

EventLoop::EventLoop()
    : epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      timerfd_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
    if (!epoll_ || !timerfd_) {
        throw std::runtime_error("event loop: " + pcc::errno_text());
    }
    add_fd(timerfd_.get(), EPOLLIN, [this](std::uint32_t) {
        std::uint64_t expirations = 0;
        while (::read(timerfd_.get(), &expirations, sizeof expirations) > 0) {
        }
        fire_timers();
    });
}

void EventLoop::add_fd(int fd, std::uint32_t events, FdHandler handler) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
        throw std::runtime_error("epoll_ctl add: " + pcc::errno_text());
    }
    handlers_[fd] = std::make_shared<FdHandler>(std::move(handler));
}

void EventLoop::modify_fd(int fd, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev);
}

void EventLoop::remove_fd(int fd) {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    handlers_.erase(fd);
}

EventLoop::TimerId EventLoop::add_timer(std::chrono::milliseconds delay,
                                        std::function<void()> callback) {
    const TimerId id = next_timer_++;
    const auto deadline = Clock::now() + delay;
    timers_.emplace(std::make_pair(deadline, id), std::move(callback));
    timer_deadlines_.emplace(id, deadline);
    arm_timerfd();
    return id;
}

void EventLoop::cancel_timer(TimerId id) {
    auto it = timer_deadlines_.find(id);
    if (it == timer_deadlines_.end()) {
        return;
    }
    timers_.erase(std::make_pair(it->second, id));
    timer_deadlines_.erase(it);
    arm_timerfd();
}

void EventLoop::arm_timerfd() {
    itimerspec spec{};
    if (!timers_.empty()) {
        auto delta = timers_.begin()->first.first - Clock::now();
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(delta).count();
        if (ns < 1) {
            ns = 1;  // zero would disarm
        }
        spec.it_value.tv_sec = static_cast<time_t>(ns / 1000000000LL);
        spec.it_value.tv_nsec = static_cast<long>(ns % 1000000000LL);
    }
    ::timerfd_settime(timerfd_.get(), 0, &spec, nullptr);
}

void EventLoop::fire_timers() {
    const auto now = Clock::now();
    while (!timers_.empty() && timers_.begin()->first.first <= now) {
        auto node = timers_.extract(timers_.begin());
        timer_deadlines_.erase(node.key().second);
        node.mapped()();
    }
    arm_timerfd();
}

void EventLoop::run_once(int timeout_ms) {
    epoll_event events[16];
    const int n = ::epoll_wait(epoll_.get(), events, 16, timeout_ms);
    for (int i = 0; i < n; ++i) {
        auto it = handlers_.find(events[i].data.fd);
        if (it == handlers_.end()) {
            continue;  // removed by an earlier handler in this batch
        }
        auto handler = it->second;  // survives remove_fd inside the call
        (*handler)(events[i].events);
    }
}

void EventLoop::run() {
    while (!stopped_) {
        run_once(-1);
    }
}

}  // namespace pccd
