// SPDX-License-Identifier: GPL-2.0-or-later
// Responder: the one path from a transport's request to its answer, for
// every transport. It runs the engine, applies a rule's delay (one timer
// each, on the event loop) and hands the answer, or its absence, back through
// the transport's callback. Transports keep only their I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "bytes.hpp"
#include "engine.hpp"
#include "event_loop.hpp"

namespace pccd {

class Responder {
  public:
    // The answer (nullopt: none, e.g. dropped or not understood).
    using Deliver = std::function<void(std::optional<Bytes> answer)>;

    enum class Status {
        rejected,  // malformed: `deliver` is never called, `reason` says why
        done,      // `deliver` has been called already
        delayed,   // `deliver` is called later from the event loop
    };
    struct Submitted {
        Status status = Status::done;
        std::string reason;
    };

    Responder(Engine& engine, EventLoop& loop);
    ~Responder();
    Responder(const Responder&) = delete;
    Responder& operator=(const Responder&) = delete;

    // `owner` identifies the transport (for cancel() and delayed(owner)).
    Submitted submit(const void* owner, unsigned channel, Layout layout, ByteView request,
                     std::string_view origin, Deliver deliver);
    // Forgets the owner's delayed answers (a transport going away).
    void cancel(const void* owner);

    std::size_t delayed() const { return pending_.size(); }
    std::size_t delayed(const void* owner) const;

    Engine& engine() { return engine_; }

  private:
    struct Pending {
        const void* owner = nullptr;
        Deliver deliver;
        std::optional<Bytes> answer;
    };

    Engine& engine_;
    EventLoop& loop_;
    std::map<EventLoop::TimerId, Pending> pending_;
};

}  // namespace pccd
