// SPDX-License-Identifier: GPL-2.0-or-later
// `pcc-lab bench` (docs/lab.md, "In-guest benchmark"): the round trips that
// the guest timed (pcc-guest-check --raw-bench, pcc-guest-mctp --bench), as
// rows of a table per transport. Pure: results in, text out.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "outcome.hpp"
#include "scenario.hpp"

namespace lab {

// The scenarios `pcc-lab bench` runs (lab/scenarios).
inline constexpr const char* kBenchScenarios[] = {"bench-raw", "bench-mctp-spool",
                                                  "bench-mctp-socket"};

struct BenchRow {
    std::string kind;       // "raw type 2 (generic)", "AF_MCTP Get Endpoint ID"
    std::string transport;  // "spool", "socket"
    unsigned n = 0;
    double p50_us = 0, p99_us = 0, msgs_per_s = 0;
    std::string skip;  // non-empty: not measured, why
    std::string fail;  // non-empty: the measurement failed, why
};

// Channel -> "spool" or "socket", from the scenario's devices (spool=,
// chardev=, platform=).
std::map<unsigned, std::string> device_transports(const Scenario& sc);

// The "... n N p50_us P p99_us Q msgs_per_s R" tail of a bench line.
std::optional<BenchRow> parse_bench_numbers(std::string_view text);

// The rows of one scenario's outcome: its raw-cC-bench and
// mctp-LINK-bench results; a skipped scenario gives one skipped row per
// device.
std::vector<BenchRow> bench_rows(const Scenario& sc, const ScenarioOutcome& oc);

// A table for the terminal, or (markdown) for docs/bench.md.
std::string format_bench(const std::vector<BenchRow>& rows, bool markdown);

// `--count N`: the guest commands' --raw-bench C,M and --bench M with N.
void set_bench_count(Scenario& sc, unsigned n);

}  // namespace lab
