// SPDX-License-Identifier: GPL-2.0-or-later
// The Responder: one delay path for every transport.
#include <gtest/gtest.h>

#include <chrono>

#include "log.hpp"
#include "responder.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

using test::hex;

const Bytes kGetEid = hex("00 43 43 50 01 00 00 00 0b 00 00 00 4d 43 54 50 01 08 09 c8 00 80 02");

class ResponderTest : public ::testing::Test {
  protected:
    ResponderTest() { set_log_level(LogLevel::error); }
    void run_until(const std::function<bool()>& done, int max_ms = 2000) {
        const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_ms);
        while (!done() && std::chrono::steady_clock::now() < end) {
            loop_.run_once(10);
        }
    }
    EventLoop loop_;
    Engine engine_;
    Responder responder_{engine_, loop_};
};

TEST_F(ResponderTest, ImmediateAnswerIsDeliveredInsideSubmit) {
    std::vector<std::optional<Bytes>> got;
    auto s = responder_.submit(this, 0, Layout::extended, kGetEid, "test",
                               [&](std::optional<Bytes> a) { got.push_back(std::move(a)); });
    EXPECT_EQ(s.status, Responder::Status::done);
    ASSERT_EQ(got.size(), 1u);
    ASSERT_TRUE(got[0]);
    EXPECT_EQ(got[0]->at(0), 0x01);
    EXPECT_EQ(responder_.delayed(), 0u);
}

TEST_F(ResponderTest, RejectedNeverDelivers) {
    bool called = false;
    auto s = responder_.submit(this, 0, Layout::extended, hex("00 43"), "test",
                               [&](std::optional<Bytes>) { called = true; });
    EXPECT_EQ(s.status, Responder::Status::rejected);
    EXPECT_NE(s.reason.find("shorter"), std::string::npos);
    EXPECT_FALSE(called);
}

// A rule's delay, once, for answers and for drops alike; counted per owner.
TEST_F(ResponderTest, DelaysAnswersAndDropsAndCountsThem) {
    auto rules = parse_rules("match type=0 cmd=2 => delay 60\nmatch type=0 => delay 30 drop\n");
    ASSERT_TRUE(rules);
    engine_.set_rules(*rules);
    int a = 0;
    int b = 0;
    std::vector<std::optional<Bytes>> got;
    const auto start = std::chrono::steady_clock::now();
    auto s1 = responder_.submit(&a, 0, Layout::extended, kGetEid, "test",
                                [&](std::optional<Bytes> x) { got.push_back(std::move(x)); });
    Bytes uuid = kGetEid;
    uuid[22] = 0x03;  // Get Endpoint UUID: dropped after 30 ms
    auto s2 = responder_.submit(&b, 0, Layout::extended, uuid, "test",
                                [&](std::optional<Bytes> x) { got.push_back(std::move(x)); });
    EXPECT_EQ(s1.status, Responder::Status::delayed);
    EXPECT_EQ(s2.status, Responder::Status::delayed);
    EXPECT_EQ(responder_.delayed(), 2u);
    EXPECT_EQ(responder_.delayed(&a), 1u);
    EXPECT_EQ(responder_.delayed(&b), 1u);
    EXPECT_TRUE(got.empty());
    run_until([&] { return got.size() == 2; });
    ASSERT_EQ(got.size(), 2u);
    EXPECT_FALSE(got[0]);  // the drop came first
    ASSERT_TRUE(got[1]);
    EXPECT_EQ(got[1]->at(0), 0x01);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(60));
    EXPECT_EQ(responder_.delayed(), 0u);
}

TEST_F(ResponderTest, CancelForgetsAnOwnersAnswers) {
    auto rules = parse_rules("match => delay 20\n");
    engine_.set_rules(*rules);
    int a = 0;
    int b = 0;
    int delivered_a = 0;
    int delivered_b = 0;
    responder_.submit(&a, 0, Layout::extended, kGetEid, "t",
                      [&](std::optional<Bytes>) { ++delivered_a; });
    responder_.submit(&b, 0, Layout::extended, kGetEid, "t",
                      [&](std::optional<Bytes>) { ++delivered_b; });
    responder_.cancel(&a);
    EXPECT_EQ(responder_.delayed(), 1u);
    run_until([&] { return delivered_b == 1; });
    EXPECT_EQ(delivered_a, 0);
    EXPECT_EQ(delivered_b, 1);
}

}  // namespace
}  // namespace pccd
