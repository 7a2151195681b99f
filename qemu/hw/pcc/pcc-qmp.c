/*
 * ACPI Platform Communication Channel (PCC): QMP and HMP
 *
 * query-pcc and "info pcc" show every subspace of the PCC bus with its
 * registers, counters, round trips and armed faults; pcc-inject-fault and
 * pcc-clear-fault arm and disarm the channel engine's faults; pcc-notify
 * posts a message into a responder subspace without the platform.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/base64.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-pcc.h"
#include "qobject/qdict.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "hw/pcc/pcc-device.h"
#include "hw/pcc/pcc-fault.h"

static PccBus *pcc_qmp_bus(Error **errp)
{
    PccHost *host = pcc_host_find();

    if (!host) {
        error_setg(errp, "this machine has no PCC bus");
        return NULL;
    }
    return &host->bus;
}

/* Subspace @index, and the device that owns it */
static PccChannel *pcc_qmp_find(PccBus *bus, uint32_t index, PccDevice **dev)
{
    PccDevice *owner = pcc_bus_subspace_owner(bus, index);

    if (!owner) {
        return NULL;
    }
    if (dev) {
        *dev = owner;
    }
    return pcc_device_channel(owner, index - pcc_device_first_index(owner));
}

static PccChannel *pcc_qmp_channel(uint32_t index, Error **errp)
{
    PccBus *bus = pcc_qmp_bus(errp);
    PccChannel *chan;

    if (!bus) {
        return NULL;
    }
    chan = pcc_qmp_find(bus, index, NULL);
    if (!chan) {
        error_setg(errp, "PCC subspace %u does not exist", index);
    }
    return chan;
}

static bool pcc_qmp_command_complete(PccChannel *chan, bool *error)
{
    uint16_t status = 0;

    if (chan->type >= PCC_SUBSPACE_EXT_INITIATOR) {
        *error = chan->error_status & PCC_REG_BIT;
        return chan->cmd_complete & PCC_REG_BIT;
    }
    pcc_channel_read(chan, PCC_GEN_HDR_STATUS, &status, sizeof(status));
    status = le16_to_cpu(status);
    *error = status & PCC_GEN_STATUS_ERROR;
    return status & PCC_GEN_STATUS_CMD_COMPLETE;
}

static PccSubspaceInfo *pcc_qmp_subspace_info(PccDevice *dev,
                                              PccChannel *chan)
{
    PccSubspaceInfo *info = g_new0(PccSubspaceInfo, 1);
    PccSubspaceRegisters *regs = g_new0(PccSubspaceRegisters, 1);
    PccSubspaceCounters *counters = g_new0(PccSubspaceCounters, 1);
    PccFaultArmedList **tail = &info->faults;
    int f;

    info->index = chan->index;
    info->type = chan->type;
    info->role = g_strdup(pcc_channel_role(chan));
    info->device = object_get_canonical_path(OBJECT(dev));
    info->device_type = g_strdup(object_get_typename(OBJECT(dev)));
    info->regs_address = pcc_channel_reg_addr(chan, 0);
    info->shmem_address = pcc_channel_shmem_addr(chan);
    info->shmem_size = chan->shmem_size;
    info->gsi = pcc_channel_gsi(chan);
    info->interrupt = chan->uses_irq;

    regs->command_complete = pcc_qmp_command_complete(chan, &regs->error);
    regs->interrupt_pending = chan->irq_pending;
    info->registers = regs;

    counters->doorbells = chan->counters.doorbells;
    counters->completions = chan->counters.completions;
    counters->notifications = chan->counters.notifications;
    counters->acks = chan->counters.acks;
    counters->errors = chan->counters.errors;
    counters->faults_fired = chan->counters.faults_fired;
    info->counters = counters;

    if (chan->type != PCC_SUBSPACE_EXT_RESPONDER && dev->platform) {
        PccRoundTrip *rt = g_new0(PccRoundTrip, 1);

        rt->count = pcc_platform_round_trips(dev->platform, &rt->p50_ns,
                                             &rt->p99_ns, &rt->max_ns);
        info->round_trip = rt;
    }

    for (f = 0; f < PCC_FAULT__MAX; f++) {
        const PccChannelFault *cf = &chan->faults[f];
        PccFaultArmed *armed;

        if (!cf->armed) {
            continue;
        }
        armed = g_new0(PccFaultArmed, 1);
        armed->fault = f;
        armed->persistent = cf->persistent;
        if (f == PCC_FAULT_LATE_COMPLETION) {
            armed->has_delay_ms = true;
            armed->delay_ms = cf->delay_ms;
        }
        QAPI_LIST_APPEND(tail, armed);
    }
    return info;
}

PccSubspaceInfoList *qmp_query_pcc(Error **errp)
{
    PccBus *bus = pcc_qmp_bus(errp);
    PccSubspaceInfoList *list = NULL, **tail = &list;
    uint32_t index;

    if (!bus) {
        return NULL;
    }
    for (index = 0; index < PCC_MAX_SUBSPACES; index++) {
        PccDevice *dev;
        PccChannel *chan = pcc_qmp_find(bus, index, &dev);

        if (chan) {
            QAPI_LIST_APPEND(tail, pcc_qmp_subspace_info(dev, chan));
        }
    }
    return list;
}

void qmp_pcc_inject_fault(uint32_t index, PccFault fault,
                          bool has_persistent, bool persistent,
                          bool has_delay_ms, uint32_t delay_ms,
                          Error **errp)
{
    PccChannel *chan = pcc_qmp_channel(index, errp);

    if (chan) {
        pcc_channel_arm_fault(chan, fault, has_persistent && persistent,
                              has_delay_ms, delay_ms, errp);
    }
}

void qmp_pcc_clear_fault(uint32_t index, bool has_fault, PccFault fault,
                         Error **errp)
{
    PccChannel *chan = pcc_qmp_channel(index, errp);

    if (!chan) {
        return;
    }
    if (has_fault) {
        pcc_fault_clear(chan, fault);
    } else {
        pcc_fault_clear_all(chan);
    }
}

void qmp_pcc_notify(uint32_t index, bool has_command, uint32_t command,
                    bool has_flags, uint32_t flags, const char *data,
                    Error **errp)
{
    PccChannel *chan = pcc_qmp_channel(index, errp);
    g_autofree uint8_t *payload = NULL;
    g_autofree uint8_t *msg = NULL;
    size_t payload_len = 0, len;

    if (!chan) {
        return;
    }
    if (chan->type != PCC_SUBSPACE_EXT_RESPONDER) {
        error_setg(errp, "PCC subspace %u is of type %d: only responder "
                   "subspaces (type 4) take notifications", index,
                   chan->type);
        return;
    }
    if (data) {
        payload = qbase64_decode(data, -1, &payload_len, errp);
        if (!payload) {
            return;
        }
    }
    if (payload_len > chan->shmem_size - PCC_EXT_HDR_SIZE) {
        error_setg(errp, "a payload of %zu bytes does not fit PCC subspace "
                   "%u: its shared memory holds %u after the %d-byte "
                   "header", payload_len, index,
                   chan->shmem_size - PCC_EXT_HDR_SIZE, PCC_EXT_HDR_SIZE);
        return;
    }
    if (!pcc_channel_responder_free(chan)) {
        error_setg(errp, "PCC subspace %u is busy: the guest has not "
                   "consumed the last message", index);
        return;
    }
    len = PCC_EXT_HDR_SIZE + payload_len;
    msg = g_malloc0(len);
    stl_le_p(msg + PCC_EXT_HDR_SIGNATURE, PCC_SIGNATURE | index);
    stl_le_p(msg + PCC_EXT_HDR_FLAGS,
             has_flags ? flags : PCC_EXT_FLAG_NOTIFY_ON_COMPLETION);
    stl_le_p(msg + PCC_EXT_HDR_LENGTH, len - PCC_EXT_MSG_OVERHEAD);
    stl_le_p(msg + PCC_EXT_HDR_COMMAND, has_command ? command : 0);
    if (payload_len) {
        memcpy(msg + PCC_EXT_HDR_SIZE, payload, payload_len);
    }
    pcc_channel_notify(chan, msg, len);
}

void hmp_info_pcc(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    PccSubspaceInfoList *list = qmp_query_pcc(&err), *e;
    PccFaultArmedList *f;

    if (hmp_handle_error(mon, err)) {
        return;
    }
    if (!list) {
        monitor_printf(mon, "no PCC subspaces\n");
        return;
    }
    monitor_printf(mon, "%5s %4s %-9s %-20s %4s %3s %3s %3s %-10s %-10s "
                   "%-10s %-10s %-6s %-6s %-8s %-10s %-10s\n",
                   "index", "type", "role", "device", "gsi", "cc", "err",
                   "irq", "doorbells", "completed", "notified", "acks",
                   "errors", "faults", "rtt-n", "rtt-p50-us", "rtt-p99-us");
    for (e = list; e; e = e->next) {
        PccSubspaceInfo *s = e->value;
        const char *name = strrchr(s->device, '/');

        monitor_printf(mon, "%5u %4u %-9s %-20s %4u %3d %3d %3d %-10" PRIu64
                       " %-10" PRIu64 " %-10" PRIu64 " %-10" PRIu64
                       " %-6" PRIu64 " %-6" PRIu64,
                       s->index, s->type, s->role,
                       name ? name + 1 : s->device, s->gsi,
                       s->registers->command_complete, s->registers->error,
                       s->registers->interrupt_pending,
                       s->counters->doorbells, s->counters->completions,
                       s->counters->notifications, s->counters->acks,
                       s->counters->errors, s->counters->faults_fired);
        if (s->round_trip) {
            monitor_printf(mon, " %-8" PRIu64 " %-10.1f %-10.1f",
                           s->round_trip->count,
                           s->round_trip->p50_ns / 1000.0,
                           s->round_trip->p99_ns / 1000.0);
        }
        monitor_printf(mon, "\n");
        for (f = s->faults; f; f = f->next) {
            monitor_printf(mon, "      fault %s%s",
                           PccFault_str(f->value->fault),
                           f->value->persistent ? " (persistent)" : "");
            if (f->value->has_delay_ms) {
                monitor_printf(mon, " delay %u ms", f->value->delay_ms);
            }
            monitor_printf(mon, "\n");
        }
    }
    qapi_free_PccSubspaceInfoList(list);
}
