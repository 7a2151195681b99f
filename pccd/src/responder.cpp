// SPDX-License-Identifier: GPL-2.0-or-later
#include "responder.hpp"

#include <chrono>
#include <memory>

namespace pccd {

Responder::Responder(Engine& engine, EventLoop& loop) : engine_(engine), loop_(loop) {}

Responder::~Responder() {
    for (const auto& [id, pending] : pending_) {
        loop_.cancel_timer(id);
    }
}

Responder::Submitted Responder::submit(const void* owner, unsigned channel, Layout layout,
                                       ByteView request, std::string_view origin, Deliver deliver) {
    Outcome outcome = engine_.handle_request(channel, layout, request, origin);
    if (!outcome.rejected.empty()) {
        return {Status::rejected, std::move(outcome.rejected)};
    }
    if (outcome.delay_ms == 0) {
        deliver(std::move(outcome.answer));
        return {Status::done, {}};
    }
    // The timer id is only known once the timer exists; the callback finds
    // its entry through a shared cell.
    auto id = std::make_shared<EventLoop::TimerId>(0);
    *id = loop_.add_timer(std::chrono::milliseconds(outcome.delay_ms), [this, id] {
        auto node = pending_.extract(*id);
        if (!node.empty()) {
            node.mapped().deliver(std::move(node.mapped().answer));
        }
    });
    pending_.emplace(*id, Pending{owner, std::move(deliver), std::move(outcome.answer)});
    return {Status::delayed, {}};
}

void Responder::cancel(const void* owner) {
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second.owner == owner) {
            loop_.cancel_timer(it->first);
            it = pending_.erase(it);
        } else {
            ++it;
        }
    }
}

std::size_t Responder::delayed(const void* owner) const {
    std::size_t n = 0;
    for (const auto& [id, pending] : pending_) {
        n += pending.owner == owner ? 1 : 0;
    }
    return n;
}

}  // namespace pccd
