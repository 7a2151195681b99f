// SPDX-License-Identifier: GPL-2.0-or-later
// The guest's reading of /proc/interrupts and /proc/irq/N/spurious, against
// text laid out as Linux's kernel/irq/proc.c prints it (show_interrupts:
// "%*d: ", "%10u " per CPU, the chip's name, the hardware IRQ, the
// trigger, the handlers' names; irq_spurious_proc_show: "count %u\n
// unhandled %u\nlast_unhandled %u ms\n").
#include <gtest/gtest.h>

#include "interrupts.hpp"

namespace {

constexpr const char* kTwoCpus =
    "           CPU0       CPU1       \n"
    " 11:      48213      47990     GICv3  27 Level     arch_timer\n"
    " 13:          7          2     GICv3 208 Level     pcc-mbox\n"
    " 14:          0          0     GICv3 209 Level     pcc-mbox, pcc-mbox\n"
    " 15:        201          0     GICv3  33 Level     uart-pl011\n"
    "IPI0:       135        140       Rescheduling interrupts\n"
    "Err:          0\n";

TEST(Interrupts, ParsesLinuxsTable) {
    const auto lines = lab::parse_interrupts(kTwoCpus);
    ASSERT_EQ(lines.size(), 4u);  // IPI0 and Err are no IRQ lines
    EXPECT_EQ(lines[0].irq, 11u);
    EXPECT_EQ(lines[0].count, 48213u + 47990u);
    EXPECT_EQ(lines[0].chip, "GICv3");
    EXPECT_EQ(lines[0].hwirq, 27u);
    EXPECT_EQ(lines[0].names, "Level arch_timer");
    const auto pcc = lab::interrupt_of_gsi(lines, 208);
    ASSERT_TRUE(pcc);
    EXPECT_EQ(pcc->irq, 13u);
    EXPECT_EQ(pcc->count, 9u);
    EXPECT_EQ(pcc->names, "Level pcc-mbox");
    EXPECT_EQ(lab::interrupt_of_gsi(lines, 209)->names, "Level pcc-mbox, pcc-mbox");
    EXPECT_FALSE(lab::interrupt_of_gsi(lines, 210));
}

TEST(Interrupts, OneCpuAndOddLines) {
    const auto lines = lab::parse_interrupts(
        "           CPU0       \n"
        " 10:     123456     GICv2  30 Level     arch_timer\n"
        "  9:          0   ITS-MSI 16384 Edge      virtio0-config\n"
        "garbage line\n"
        "xx:   1\n");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].count, 123456u);
    EXPECT_EQ(lines[1].chip, "ITS-MSI");
    EXPECT_EQ(lines[1].hwirq, 16384u);
    EXPECT_TRUE(lab::parse_interrupts("").empty());
}

TEST(Interrupts, SpuriousCounts) {
    const auto s = lab::parse_spurious("count 12\nunhandled 3\nlast_unhandled 4294892736 ms\n");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->count, 12u);
    EXPECT_EQ(s->unhandled, 3u);
    EXPECT_EQ(s->last_unhandled, 4294892736u);
    EXPECT_FALSE(lab::parse_spurious("count 12\n"));
    EXPECT_FALSE(lab::parse_spurious("count x\nunhandled 1\n"));
}

// kernel/irq/spurious.c: irqs_unhandled restarts at 1 after 100 ms without
// an unhandled interrupt; last_unhandled moves with each.
TEST(Interrupts, UnhandledBetweenTwoReadings) {
    const lab::SpuriousCounts idle{7, 1, 1000};
    EXPECT_EQ(lab::unhandled_between(idle, idle), 0u);
    EXPECT_EQ(lab::unhandled_between(idle, {9, 1, 5000}), 1u);              // restarted at 1
    EXPECT_EQ(lab::unhandled_between(idle, {9, 3, 1050}), 2u);              // within 100 ms: grew
    EXPECT_EQ(lab::unhandled_between({0, 0, 0}, {1, 1, 4294892736u}), 1u);  // the first
}

}  // namespace
