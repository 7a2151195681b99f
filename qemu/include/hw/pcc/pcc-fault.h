/*
 * ACPI Platform Communication Channel (PCC): injected faults
 *
 * The faults of qapi/pcc.json, armed per subspace in PccChannel::faults.
 * The channel engine (and, for a mailbox's dropped answer, the base
 * device) asks pcc_fault_fires() where a fault may act; true means it
 * acts now: it was armed, is counted, a one-shot fault is disarmed and
 * PCC_FAULT_FIRED is sent.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_PCC_PCC_FAULT_H
#define HW_PCC_PCC_FAULT_H

#include "hw/pcc/pcc-channel.h"

/*
 * Arm @fault on @chan, replacing an armed one of its kind. False, with
 * @errp set, if it does not fit the subspace type or the arguments do
 * not fit the fault.
 */
bool pcc_fault_arm(PccChannel *chan, PccFault fault, bool persistent,
                   bool has_delay_ms, uint32_t delay_ms, Error **errp);
bool pcc_fault_fires(PccChannel *chan, PccFault fault);
void pcc_fault_clear(PccChannel *chan, PccFault fault);
void pcc_fault_clear_all(PccChannel *chan);

#endif
