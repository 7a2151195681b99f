// SPDX-License-Identifier: GPL-2.0-or-later
// The guest's kernel log reader (lab/guest/src/kmsg.cpp), built for the host.
#include <gtest/gtest.h>

#include "kmsg.hpp"

namespace {

TEST(Kmsg, ParsesDevKmsgRecords) {
    lab::KmsgRecord r;
    EXPECT_TRUE(
        lab::parse_kmsg_record("6,339,5140900,-;Detected 4 PCC Subspaces\n SUBSYSTEM=acpi\n", &r));
    EXPECT_TRUE(r.level == 6 && r.text == "Detected 4 PCC Subspaces");
    EXPECT_TRUE(lab::parse_kmsg_record("12,1,2,-;user message\n", &r) && r.level == 4);
    EXPECT_FALSE(lab::parse_kmsg_record("garbage", &r));
}

TEST(Kmsg, ParsesKlogctlText) {
    auto v = lab::parse_syslog_text("<6>one\n<3>two\nthree\n");
    EXPECT_TRUE(v.size() == 3 && v[1].level == 3 && v[1].text == "two" && v[2].text == "three");
}

TEST(Kmsg, QuotesTheLastWarningsThatMentionAWord) {
    const std::vector<lab::KmsgRecord> log{
        {6, "xgene-slimpro-hwmon APMC0D29:00: probing"},
        {3, "xgene-slimpro-hwmon APMC0D29:00: Mailbox operation timed out"},
        {6, "unrelated"},
        {4, "pcc: first warning"},
        {4, "pcc: first warning"},  // repeated lines are quoted once
        {3, "xgene: last error"},
    };
    EXPECT_EQ(lab::quote_kernel_log(log, {"APMC0D29", "xgene", "pcc"}),
              "; kernel log: <4>pcc: first warning | <3>xgene: last error");
    EXPECT_EQ(lab::quote_kernel_log(log, {"APMC0D29"}, 5),
              "; kernel log: <3>xgene-slimpro-hwmon APMC0D29:00: Mailbox operation timed out");
    // without warnings, any level
    EXPECT_EQ(lab::quote_kernel_log(log, {"unrelated"}), "; kernel log: <6>unrelated");
    EXPECT_EQ(lab::quote_kernel_log(log, {"nothing"}), "");
}

}  // namespace
