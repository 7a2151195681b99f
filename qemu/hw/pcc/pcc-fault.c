/*
 * ACPI Platform Communication Channel (PCC): injected faults
 *
 * The bookkeeping of the faults that pcc-inject-fault arms on a subspace
 * (qapi/pcc.json): which subspace types each fits, arming, clearing, and
 * firing (counted, a one-shot fault disarmed, PCC_FAULT_FIRED sent). The
 * channel engine decides where each fault acts.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-events-pcc.h"
#include "hw/pcc/pcc-fault.h"
#include "trace.h"

static bool pcc_channel_has_ack(const PccChannel *chan)
{
    return chan->type >= PCC_SUBSPACE_HW_REDUCED_TYPE2;
}

/* The platform's answers come back into this subspace's shared memory */
static bool pcc_channel_takes_answers(const PccChannel *chan)
{
    return chan->mailbox || chan->type == PCC_SUBSPACE_EXT_RESPONDER;
}

/* Why @fault cannot act on @chan, or NULL if it can */
static const char *pcc_fault_misfit(const PccChannel *chan, PccFault fault)
{
    switch (fault) {
    case PCC_FAULT_WITHHOLD_IRQ:
    case PCC_FAULT_SPURIOUS_IRQ:
        return chan->uses_irq ? NULL :
               "the subspace has no interrupt (type 0, or the host has "
               "platform-interrupt=off)";
    case PCC_FAULT_LATE_COMPLETION:
    case PCC_FAULT_NO_COMPLETION:
    case PCC_FAULT_ERROR_BIT:
        return chan->type != PCC_SUBSPACE_EXT_RESPONDER ? NULL :
               "a responder subspace has no commands to complete";
    case PCC_FAULT_CORRUPT_SIGNATURE:
    case PCC_FAULT_DROP_INBOX:
        return pcc_channel_takes_answers(chan) ? NULL :
               "the platform writes nothing into an initiator subspace";
    case PCC_FAULT_SHORT_LENGTH:
    case PCC_FAULT_LONG_LENGTH:
        return pcc_channel_is_extended(chan) &&
               pcc_channel_takes_answers(chan) ? NULL :
               "only answers and messages in the extended layout (type 3 "
               "mailboxes, type 4) have a length field";
    case PCC_FAULT_DUPLICATE_NOTIFICATION:
        return chan->type == PCC_SUBSPACE_EXT_RESPONDER ? NULL :
               "only responder subspaces (type 4) take notifications";
    case PCC_FAULT_STUCK_IRQ:
        return chan->uses_irq && pcc_channel_has_ack(chan) ? NULL :
               "only level-triggered interrupts that the guest "
               "acknowledges (types 2 to 4) can stick";
    default:
        g_assert_not_reached();
    }
}

bool pcc_fault_arm(PccChannel *chan, PccFault fault, bool persistent,
                   bool has_delay_ms, uint32_t delay_ms, Error **errp)
{
    const char *misfit = pcc_fault_misfit(chan, fault);
    PccChannelFault *f = &chan->faults[fault];

    if (misfit) {
        error_setg(errp, "fault '%s' does not fit PCC subspace %u (type "
                   "%d): %s", PccFault_str(fault), chan->index, chan->type,
                   misfit);
        return false;
    }
    if (fault == PCC_FAULT_LATE_COMPLETION && (!has_delay_ms || !delay_ms)) {
        error_setg(errp, "fault 'late-completion' needs 'delay-ms', the "
                   "delay in milliseconds (at least 1)");
        return false;
    }
    if (fault != PCC_FAULT_LATE_COMPLETION && has_delay_ms) {
        error_setg(errp, "'delay-ms' is for fault 'late-completion' only");
        return false;
    }
    if (fault == PCC_FAULT_SPURIOUS_IRQ && persistent) {
        error_setg(errp, "fault 'spurious-irq' fires once, when it is "
                   "injected; it cannot be persistent");
        return false;
    }
    f->armed = true;
    f->persistent = persistent;
    f->delay_ms = delay_ms;
    trace_pcc_fault_armed(chan->index, PccFault_str(fault), persistent,
                          delay_ms);
    return true;
}

bool pcc_fault_fires(PccChannel *chan, PccFault fault)
{
    PccChannelFault *f = &chan->faults[fault];
    g_autofree char *path = NULL;
    bool persistent = f->persistent;

    if (!f->armed) {
        return false;
    }
    if (!persistent) {
        f->armed = false;
    }
    chan->counters.faults_fired++;
    trace_pcc_fault_fired(chan->index, PccFault_str(fault), persistent);
    path = object_get_canonical_path(chan->owner);
    qapi_event_send_pcc_fault_fired(chan->index, path ? path : "", fault,
                                    persistent);
    return true;
}

void pcc_fault_clear(PccChannel *chan, PccFault fault)
{
    if (chan->faults[fault].armed) {
        trace_pcc_fault_cleared(chan->index, PccFault_str(fault));
    }
    memset(&chan->faults[fault], 0, sizeof(chan->faults[fault]));
}

void pcc_fault_clear_all(PccChannel *chan)
{
    int f;

    for (f = 0; f < PCC_FAULT__MAX; f++) {
        pcc_fault_clear(chan, f);
    }
}
