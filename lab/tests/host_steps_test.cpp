// SPDX-License-Identifier: GPL-2.0-or-later
// Host steps with an expected output (`on NAME = COMMAND => EXPECTED`): the
// scenario syntax and how an output is compared.
#include <gtest/gtest.h>

#include <stdexcept>

#include "host_steps.hpp"
#include "scenario.hpp"

namespace {

TEST(HostStepSpec, SplitsAtTheFirstArrow) {
    const auto s = lab::parse_host_step("desired", "@pccd get --control @socket:ctl k => ok 150");
    EXPECT_EQ(s.name, "desired");
    EXPECT_EQ(s.command, "@pccd get --control @socket:ctl k");
    EXPECT_EQ(s.expected, "ok 150");
    // what follows the first arrow is the output, arrows and all
    const auto r = lab::parse_host_step("rules", "cat @run/r => match channel=0 => drop");
    EXPECT_EQ(r.command, "cat @run/r");
    EXPECT_EQ(r.expected, "match channel=0 => drop");
    // an arrow inside a word is no arrow; one at the end expects no output
    EXPECT_FALSE(lab::parse_host_step("a", "x a=>b").expected);
    EXPECT_EQ(lab::parse_host_step("a", "true =>").expected, "");
    EXPECT_THROW(lab::parse_host_step("a", "=> ok"), std::runtime_error);
}

TEST(HostStepSpec, InAScenario) {
    const auto sc = lab::parse_scenario(
        "guest = g\non set = @pccd set x 1\non get = @pccd get x =>  ok  1 \n", "h.conf");
    ASSERT_EQ(sc.on.size(), 2u);
    EXPECT_EQ(sc.on[0], (lab::HostStepSpec{"set", "@pccd set x 1", std::nullopt}));
    EXPECT_EQ(sc.on[1], (lab::HostStepSpec{"get", "@pccd get x", "ok  1"}));
    EXPECT_THROW(lab::parse_scenario("guest = g\non a = => x\n", "f.conf"), std::runtime_error);
}

TEST(HostStepOutput, ComparesWords) {
    EXPECT_TRUE(lab::output_matches("ok 150\n", "ok 150"));
    EXPECT_TRUE(lab::output_matches(" 5a\n", "5a"));        // od -An
    EXPECT_TRUE(lab::output_matches("a\n b\tc", "a b c"));  // lines are blanks too
    EXPECT_TRUE(lab::output_matches("", ""));
    EXPECT_FALSE(lab::output_matches("ok 1500", "ok 150"));
    EXPECT_FALSE(lab::output_matches("ok 150 extra", "ok 150"));
    EXPECT_FALSE(lab::output_matches("error no setting x", "ok 150"));
    EXPECT_EQ(lab::output_words("ok\n  150\n"), "ok 150");
    EXPECT_EQ(lab::output_words("abcdef", 3), "abc...");
}

}  // namespace
