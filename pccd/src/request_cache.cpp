// SPDX-License-Identifier: GPL-2.0-or-later
#include "request_cache.hpp"

namespace pccd {

RequestCache::Seen RequestCache::begin(unsigned channel, std::uint64_t session, std::uint64_t id) {
    Channel& ch = channels_[channel];
    const Key key{session, id};
    if (ch.in_flight.count(key) != 0) {
        return {State::in_flight, nullptr};
    }
    if (auto it = ch.settled.find(key); it != ch.settled.end()) {
        // Used again: the newest, last to be evicted.
        ch.order.splice(ch.order.end(), ch.order, it->second);
        return {State::settled, &it->second->second};
    }
    ch.in_flight.insert(key);
    return {State::fresh, nullptr};
}

void RequestCache::settle(unsigned channel, std::uint64_t session, std::uint64_t id,
                          Settlement settlement) {
    Channel& ch = channels_[channel];
    const Key key{session, id};
    ch.in_flight.erase(key);
    if (auto it = ch.settled.find(key); it != ch.settled.end()) {
        ch.order.erase(it->second);
        ch.settled.erase(it);
    }
    ch.order.emplace_back(key, std::move(settlement));
    ch.settled.emplace(key, std::prev(ch.order.end()));
    while (ch.order.size() > capacity_) {
        ch.settled.erase(ch.order.front().first);
        ch.order.pop_front();
    }
}

std::size_t RequestCache::in_flight(unsigned channel) const {
    auto it = channels_.find(channel);
    return it == channels_.end() ? 0 : it->second.in_flight.size();
}

std::size_t RequestCache::settled(unsigned channel) const {
    auto it = channels_.find(channel);
    return it == channels_.end() ? 0 : it->second.order.size();
}

}  // namespace pccd
