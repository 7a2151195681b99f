// SPDX-License-Identifier: GPL-2.0-or-later
// pcc-bench --soak: exactly-once delivery under pccd crashes (docs/bench.md).
// N messages go through one transport while pccd is SIGKILLed and restarted
// every K of them; each message carries its own number, which pccd echoes
// (a rule answers the vendor-defined MCTP type 0x7e with the request's
// bytes), so that every answer names its request whatever the order.
#pragma once

#include <cstdint>
#include <string>

namespace pccbench {

struct SoakOptions {
    std::uint64_t messages = 100000;
    std::uint64_t kill_every = 1000;
    unsigned window = 16;  // requests in flight (QEMU keeps 64 for a socket peer)
    std::string qemu;
    std::string pccd;
    std::string tmpdir;
    bool pccd_log = false;
};

struct SoakFigures {
    std::string transport;
    std::uint64_t sent = 0;
    std::uint64_t answered = 0;    // requests answered at least once
    std::uint64_t lost = 0;        // sent and never answered
    std::uint64_t duplicated = 0;  // answers beyond the first of a request
    std::uint64_t garbled = 0;     // inbox messages that name no request sent
    std::uint64_t kills = 0;
    double seconds = 0;
    std::string stalled;  // why the run stopped early, if it did
};

// Runs one transport ("socket" or "spool"); throws pcctest::HarnessError
// when QEMU or pccd cannot be started.
SoakFigures soak_transport(const SoakOptions& o, bool socket);

}  // namespace pccbench
