// SPDX-License-Identifier: GPL-2.0-or-later
// RequestCache: once per session and id (pcc.rst, "Sockets"): a settled
// request is found with its settlement, one being handled is in flight, the
// same id in another session or on another channel is fresh, and only the
// last `capacity` settled requests of a channel are kept.
#include <gtest/gtest.h>

#include "request_cache.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

using test::hex;
using State = RequestCache::State;

constexpr std::uint64_t kSession = 0x0123456789abcdefULL;

TEST(RequestCache, AnsweredRequestIsFoundWithItsAnswer) {
    RequestCache cache;
    EXPECT_EQ(cache.begin(0, kSession, 7).state, State::fresh);
    EXPECT_EQ(cache.in_flight(0), 1u);
    cache.settle(0, kSession, 7, Settlement{Layout::generic, hex("aa bb")});
    EXPECT_EQ(cache.in_flight(0), 0u);
    EXPECT_EQ(cache.settled(0), 1u);
    const RequestCache::Seen again = cache.begin(0, kSession, 7);
    ASSERT_EQ(again.state, State::settled);
    ASSERT_NE(again.settlement, nullptr);
    EXPECT_EQ(*again.settlement, (Settlement{Layout::generic, hex("aa bb")}));
    // Asking again changes nothing.
    EXPECT_EQ(cache.begin(0, kSession, 7).state, State::settled);
    EXPECT_EQ(cache.settled(0), 1u);
    EXPECT_EQ(cache.in_flight(0), 0u);
}

TEST(RequestCache, RequestWithoutAnswerIsSettledByADone) {
    RequestCache cache;
    cache.begin(3, kSession, 1);
    cache.settle(3, kSession, 1, Settlement{Layout::extended, std::nullopt});
    const RequestCache::Seen again = cache.begin(3, kSession, 1);
    ASSERT_EQ(again.state, State::settled);
    EXPECT_FALSE(again.settlement->answer);
}

TEST(RequestCache, RequestBeingHandledIsInFlight) {
    RequestCache cache;
    EXPECT_EQ(cache.begin(0, kSession, 9).state, State::fresh);
    EXPECT_EQ(cache.begin(0, kSession, 9).state, State::in_flight);
    EXPECT_EQ(cache.begin(0, kSession, 9).settlement, nullptr);
    EXPECT_EQ(cache.in_flight(0), 1u);
    cache.settle(0, kSession, 9, Settlement{Layout::extended, hex("01")});
    EXPECT_EQ(cache.begin(0, kSession, 9).state, State::settled);
}

// A restarted QEMU chooses a new session and may use the same ids again.
TEST(RequestCache, SameIdInAnotherSessionOrChannelIsFresh) {
    RequestCache cache;
    cache.begin(0, kSession, 5);
    cache.settle(0, kSession, 5, Settlement{Layout::extended, hex("01")});
    EXPECT_EQ(cache.begin(0, kSession + 1, 5).state, State::fresh);
    EXPECT_EQ(cache.begin(1, kSession, 5).state, State::fresh);
    EXPECT_EQ(cache.begin(0, kSession, 5).state, State::settled);
}

TEST(RequestCache, KeepsTheLastCapacitySettledPerChannel) {
    RequestCache cache(64);
    for (std::uint64_t id = 1; id <= 1000; ++id) {
        ASSERT_EQ(cache.begin(0, kSession, id).state, State::fresh);
        cache.settle(0, kSession, id, Settlement{Layout::extended, hex("01 02")});
        ASSERT_LE(cache.settled(0), 64u);
    }
    EXPECT_EQ(cache.settled(0), 64u);
    for (std::uint64_t id = 937; id <= 1000; ++id) {
        EXPECT_EQ(cache.begin(0, kSession, id).state, State::settled) << id;
    }
    EXPECT_EQ(cache.begin(0, kSession, 936).state, State::fresh);  // evicted
    // Other channels have room of their own.
    cache.begin(1, kSession, 1);
    cache.settle(1, kSession, 1, Settlement{});
    EXPECT_EQ(cache.settled(1), 1u);
    EXPECT_EQ(cache.settled(0), 64u);
}

// Eviction goes by the last use: a request asked for again is kept longer,
// and one being handled is never evicted (it settles as the newest).
TEST(RequestCache, EvictsTheLeastRecentlyUsed) {
    RequestCache cache(4);
    cache.begin(0, kSession, 100);  // delayed: in flight throughout
    for (std::uint64_t id = 1; id <= 4; ++id) {
        cache.begin(0, kSession, id);
        cache.settle(0, kSession, id, Settlement{});
    }
    EXPECT_EQ(cache.begin(0, kSession, 1).state, State::settled);  // used again
    cache.begin(0, kSession, 5);
    cache.settle(0, kSession, 5, Settlement{});  // evicts 2, the oldest use
    EXPECT_EQ(cache.begin(0, kSession, 1).state, State::settled);
    EXPECT_EQ(cache.begin(0, kSession, 100).state, State::in_flight);
    for (std::uint64_t id = 6; id <= 20; ++id) {
        cache.begin(0, kSession, id);
        cache.settle(0, kSession, id, Settlement{});
    }
    EXPECT_EQ(cache.begin(0, kSession, 100).state, State::in_flight);
    cache.settle(0, kSession, 100, Settlement{Layout::extended, hex("64")});
    EXPECT_EQ(cache.settled(0), 4u);
    EXPECT_EQ(cache.begin(0, kSession, 100).state, State::settled);
    EXPECT_EQ(cache.begin(0, kSession, 2).state, State::fresh);
}

}  // namespace
}  // namespace pccd
