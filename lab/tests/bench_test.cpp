// SPDX-License-Identifier: GPL-2.0-or-later
// pcc-lab bench's pure part (lab/runner/bench.hpp): the guest's bench lines,
// the transports of a scenario's devices, rows from outcomes, the tables.
#include <gtest/gtest.h>

#include "bench.hpp"
#include "scenario.hpp"

namespace {

lab::Scenario raw_scenario() {
    return lab::parse_scenario(
        "description = d\n"
        "device = pcc-raw,channel=0,subspace-type=2,spool=@spool:b0\n"
        "device = pcc-raw,channel=1,subspace-type=2,chardev=b1\n"
        "guest = pcc-guest-check --raw-bench 0,500 --raw-bench 1,500\n",
        "bench-raw.conf");
}

TEST(Bench, TransportsOfTheDevices) {
    const auto t = lab::device_transports(raw_scenario());
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t.at(0), "spool");
    EXPECT_EQ(t.at(1), "socket");
}

TEST(Bench, ParsesTheGuestsNumbers) {
    const auto r =
        lab::parse_bench_numbers("c1 type 2 n 500 p50_us 812.5 p99_us 2003.0 msgs_per_s 1100");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->n, 500u);
    EXPECT_DOUBLE_EQ(r->p50_us, 812.5);
    EXPECT_DOUBLE_EQ(r->p99_us, 2003.0);
    EXPECT_DOUBLE_EQ(r->msgs_per_s, 1100);
    EXPECT_FALSE(lab::parse_bench_numbers("c1 type 2 n 500 p50_us 812.5"));
    EXPECT_FALSE(lab::parse_bench_numbers("n x p50_us 1 p99_us 2 msgs_per_s 3"));
}

TEST(Bench, RowsFromAnOutcome) {
    lab::ScenarioOutcome oc;
    oc.results = {
        {lab::Status::ok, "raw-c0-device", "x"},
        {lab::Status::ok, "raw-c0-bench", "c0 type 2 n 500 p50_us 700 p99_us 900 msgs_per_s 1300"},
        {lab::Status::fail, "raw-c1-bench", "3 of 500 round trips failed"},
    };
    auto sc = raw_scenario();
    sc.name = "bench-raw";
    const auto rows = lab::bench_rows(sc, oc);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].kind, "raw type 2 (generic)");
    EXPECT_EQ(rows[0].transport, "spool");
    EXPECT_EQ(rows[0].n, 500u);
    EXPECT_EQ(rows[0].msgs_per_s, 1300);
    EXPECT_EQ(rows[1].transport, "socket");
    EXPECT_EQ(rows[1].fail, "3 of 500 round trips failed");
    const std::string table = lab::format_bench(rows, true);
    EXPECT_NE(table.find("| raw type 2 (generic) | spool | 500 | 700 | 900 | 1300 |"),
              std::string::npos)
        << table;
    EXPECT_NE(table.find("FAIL: 3 of 500"), std::string::npos) << table;
}

TEST(Bench, ASkippedScenarioNamesWhy) {
    auto sc = lab::parse_scenario(
        "description = d\nkernel = lab\nrequires-config = CONFIG_MCTP_TRANSPORT_PCC\n"
        "device = pcc-mctp,channel=0,spool=@spool:m0\nguest = pcc-guest-mctp --bench 300\n",
        "bench-mctp-spool.conf");
    sc.name = "bench-mctp-spool";
    lab::ScenarioOutcome oc;
    oc.results = {{lab::Status::skip, "scenario", "needs CONFIG_MCTP_TRANSPORT_PCC (y or m)"}};
    const auto rows = lab::bench_rows(sc, oc);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].kind, "AF_MCTP Get Endpoint ID");
    EXPECT_EQ(rows[0].transport, "spool");
    EXPECT_NE(lab::format_bench(rows, false).find("skip: needs CONFIG_MCTP_TRANSPORT_PCC"),
              std::string::npos);
}

TEST(Bench, CountOverridesTheGuestCommands) {
    auto sc = raw_scenario();
    sc.guest.push_back("pcc-guest-mctp --peer-eid 8 --bench 300");
    lab::set_bench_count(sc, 42);
    EXPECT_EQ(sc.guest[0], "pcc-guest-check --raw-bench 0,42 --raw-bench 1,42");
    EXPECT_EQ(sc.guest[1], "pcc-guest-mctp --peer-eid 8 --bench 42");
}

}  // namespace
