// SPDX-License-Identifier: GPL-2.0-or-later
// RequestCache: what the socket transport remembers so that it acts on a
// request once per session and id (qemu/docs/system/devices/pcc.rst,
// "Sockets", framing version 3). QEMU keeps every request until a response
// or a done names it, and sends all of them again on every new connection
// with their ids unchanged; a request handled already must get its stored
// response (or done) again without the personality running twice, and one
// still being handled (a delayed answer) is left to finish.
//
// Per channel: the requests being handled, and the last `capacity` settled
// ones with their settlement, oldest evicted first (a resend counts as a
// use). Requests being handled are never evicted; there are as many as the
// responder has delayed answers.
#pragma once

#include <compare>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "bytes.hpp"
#include "pcc_message.hpp"

namespace pccd {

// How a request was settled: its answer (a response frame), or none (a done).
struct Settlement {
    Layout layout = Layout::extended;
    std::optional<Bytes> answer;

    bool operator==(const Settlement&) const = default;
};

class RequestCache {
  public:
    // pcc.rst asks for at least the last 64 requests of each channel.
    static constexpr std::size_t kDefaultCapacity = 128;

    explicit RequestCache(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

    enum class State {
        fresh,      // not seen: now recorded as being handled
        in_flight,  // being handled: its settlement is on its way
        settled,    // handled: `settlement` holds what was sent
    };
    struct Seen {
        State state = State::fresh;
        const Settlement* settlement = nullptr;  // settled only; valid until the next change
    };

    // Looks a request up; a fresh one is recorded as being handled.
    Seen begin(unsigned channel, std::uint64_t session, std::uint64_t id);
    // The handling of a request ended with `settlement`.
    void settle(unsigned channel, std::uint64_t session, std::uint64_t id, Settlement settlement);

    std::size_t in_flight(unsigned channel) const;
    std::size_t settled(unsigned channel) const;
    std::size_t capacity() const { return capacity_; }

  private:
    struct Key {
        std::uint64_t session = 0;
        std::uint64_t id = 0;
        auto operator<=>(const Key&) const = default;
    };
    using Order = std::list<std::pair<Key, Settlement>>;  // oldest first
    struct Channel {
        std::set<Key> in_flight;
        Order order;
        std::map<Key, Order::iterator> settled;
    };

    std::size_t capacity_;
    std::map<unsigned, Channel> channels_;
};

}  // namespace pccd
