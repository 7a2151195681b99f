/*
 * ACPI Platform Communication Channel (PCC): QMP and HMP without the bus
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-pcc.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"

#define PCC_NOT_BUILT "this QEMU was built without the PCC bus"

PccSubspaceInfoList *qmp_query_pcc(Error **errp)
{
    error_setg(errp, PCC_NOT_BUILT);
    return NULL;
}

void qmp_pcc_inject_fault(uint32_t index, PccFault fault,
                          bool has_persistent, bool persistent,
                          bool has_delay_ms, uint32_t delay_ms,
                          Error **errp)
{
    error_setg(errp, PCC_NOT_BUILT);
}

void qmp_pcc_clear_fault(uint32_t index, bool has_fault, PccFault fault,
                         Error **errp)
{
    error_setg(errp, PCC_NOT_BUILT);
}

void qmp_pcc_notify(uint32_t index, bool has_command, uint32_t command,
                    bool has_flags, uint32_t flags, const char *data,
                    Error **errp)
{
    error_setg(errp, PCC_NOT_BUILT);
}

void hmp_info_pcc(Monitor *mon, const QDict *qdict)
{
    monitor_printf(mon, "%s\n", PCC_NOT_BUILT);
}
