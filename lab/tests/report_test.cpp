// SPDX-License-Identifier: GPL-2.0-or-later
// pcc-lab's report (lab/runner/tap_report.cpp): TAP lines, the summary,
// the scenario verdicts and the exit status.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "tap_report.hpp"

namespace {

using lab::Status;

lab::ScenarioOutcome outcome(const std::string& name, std::vector<lab::Result> results) {
    lab::ScenarioOutcome oc;
    oc.name = name;
    oc.results = std::move(results);
    return oc;
}

TEST(TapReport, LinesSummaryAndExitStatus) {
    std::ostringstream out;
    lab::TapReport report(out);
    auto pass = outcome("pcc-core", {{Status::ok, "kmsg-detected", "Detected 4 # subspaces"},
                                     {Status::ok, "boot", "guest booted"}});
    pass.log_dir = "/logs/pcc-core";
    pass.initramfs_s = 0.04;
    pass.boot_s = 5.06;
    pass.total_s = 5.2;
    report.add(pass, {"kmsg-detected"});
    report.add(outcome("mctp", {{Status::ok, "boot", "fine"},
                                {Status::skip, "mctp-kernel", "no CONFIG_MCTP"}}),
               {"mctp-kernel"});
    report.add(outcome("broken", {{Status::fail, "boot", "QEMU exited\nwith status 1"}}), {});
    EXPECT_EQ(report.finish(false), 1);
    EXPECT_EQ(out.str(),
              "TAP version 13\n"
              "ok 1 - pcc-core: kmsg-detected: Detected 4 \\# subspaces\n"
              "ok 2 - pcc-core: boot: guest booted\n"
              "ok 3 - mctp: boot: fine\n"
              "ok 4 - mctp: mctp-kernel # SKIP no CONFIG_MCTP\n"
              "not ok 5 - broken: boot: QEMU exitedwith status 1\n"
              "1..5\n"
              "# ---- pcc-lab summary ----\n"
              "# pcc-core: PASS - 2 passed, 0 failed, 0 skipped (initramfs 0.0 s, boot to done "
              "5.1 s, scenario 5.2 s)\n"
              "#   logs: /logs/pcc-core/{console,qemu,pccd}.log\n"
              "# mctp: SKIPPED - 1 passed, 0 failed, 1 skipped\n"
              "#   reason: mctp-kernel: no CONFIG_MCTP\n"
              "#   SKIPPED mctp-kernel: no CONFIG_MCTP\n"
              "# broken: FAIL - 0 passed, 1 failed, 0 skipped\n"
              "#   FAILED  boot: QEMU exited\nwith status 1\n"
              "# total: scenarios 1 passed, 1 failed, 1 skipped; checks 3 passed, 1 failed, 1 "
              "skipped\n");
}

TEST(TapReport, ExitStatusOfSkipsAndPasses) {
    std::ostringstream out;
    {
        lab::TapReport all_skipped(out);
        all_skipped.add(outcome("mctp", {{Status::skip, "scenario", "needs pccd"}}), {});
        EXPECT_EQ(all_skipped.finish(false), lab::kExitAllSkipped);
    }
    {
        lab::TapReport with_skip(out);
        with_skip.add(outcome("a", {{Status::ok, "x", ""}, {Status::skip, "y", "why"}}), {});
        EXPECT_EQ(with_skip.finish(false), 0);
    }
    EXPECT_NE(out.str().find("# a: PASS (with skips) - 1 passed"), std::string::npos);
    lab::TapReport strict(out);
    strict.add(outcome("a", {{Status::ok, "x", ""}, {Status::skip, "y", "why"}}), {});
    EXPECT_EQ(strict.finish(true), 1);
}

}  // namespace
