// SPDX-License-Identifier: GPL-2.0-or-later
// The guest's interrupt bookkeeping as Linux shows it: /proc/interrupts
// (per Linux IRQ: the counts per CPU, the chip, its hardware number, which
// for an ACPI GSI on the GIC is the GSI, and the handlers' names) and
// /proc/irq/N/spurious (how many interrupts no handler claimed: IRQ_NONE).
// Pure parsing, unit-tested on the host.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

struct InterruptLine {
    unsigned irq = 0;               // Linux's number (the line's "N:")
    std::uint64_t count = 0;        // summed over the CPUs
    std::string chip;               // e.g. "GICv3"
    std::optional<unsigned> hwirq;  // the chip's number: the GSI on the GIC
    std::string names;              // the trigger and the handlers, e.g. "Level pcc-mbox"
};

// The numbered lines of /proc/interrupts (IPI and Err lines are left out).
std::vector<InterruptLine> parse_interrupts(std::string_view text);
// The line whose hardware number is `gsi`, if any.
std::optional<InterruptLine> interrupt_of_gsi(const std::vector<InterruptLine>& lines,
                                              unsigned gsi);

// Linux's spurious-interrupt bookkeeping (kernel/irq/spurious.c). The
// unhandled count restarts at 1 when the last unhandled interrupt was more
// than 100 ms ago; last_unhandled (jiffies in ms) moves with every one.
struct SpuriousCounts {
    std::uint64_t count = 0;           // "count N"
    std::uint64_t unhandled = 0;       // "unhandled N"
    std::uint64_t last_unhandled = 0;  // "last_unhandled N ms"
};
// How many interrupts no handler claimed between `before` and `after`, as
// far as the two can tell: 0 when last_unhandled did not move; else the
// growth of the count, or the count itself when it restarted.
std::uint64_t unhandled_between(const SpuriousCounts& before, const SpuriousCounts& after);
// /proc/irq/N/spurious; nullopt when it does not parse.
std::optional<SpuriousCounts> parse_spurious(std::string_view text);

}  // namespace lab
