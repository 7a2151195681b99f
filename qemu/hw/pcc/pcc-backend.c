/*
 * ACPI Platform Communication Channel (PCC): backend interface
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "hw/pcc/pcc-backend.h"
#include "trace.h"

static void pcc_backend_kick_bh(void *opaque)
{
    PccBackend *be = opaque;

    if (runstate_is_running()) {
        be->ops->kick(be);
    }
}

static void pcc_backend_vm_state_change(void *opaque, bool running,
                                        RunState state)
{
    PccBackend *be = opaque;

    if (running) {
        pcc_backend_kick(be);
    }
}

void pcc_backend_init(PccBackend *be, const PccBackendOps *ops,
                      uint32_t channel, const PccBackendPeer *peer,
                      DeviceState *owner)
{
    be->ops = ops;
    be->channel = channel;
    be->peer = peer;
    be->opaque = owner;
    be->kick_bh = qemu_bh_new_guarded(pcc_backend_kick_bh, be,
                                      &owner->mem_reentrancy_guard);
    be->vmstate_change =
        qemu_add_vm_change_state_handler(pcc_backend_vm_state_change, be);
}

bool pcc_backend_send(PccBackend *be, PccMsgKind kind, PccMsgLayout layout,
                      const uint8_t *buf, size_t len)
{
    bool ok = be->ops->send(be, kind, layout, buf, len);

    trace_pcc_backend_send(be->ops->name, be->channel, kind, len, ok);
    return ok;
}

void pcc_backend_kick(PccBackend *be)
{
    qemu_bh_schedule(be->kick_bh);
}

int pcc_backend_offer(PccBackend *be, PccMsgKind kind, const uint8_t *buf,
                      size_t len)
{
    int ret;

    if (!be->peer->can_receive(be->opaque)) {
        return 0;
    }
    ret = be->peer->receive(be->opaque, kind, buf, len) ? 1 : -1;
    trace_pcc_backend_deliver(be->ops->name, be->channel, kind, len, ret);
    return ret;
}

void pcc_backend_free(PccBackend *be)
{
    if (!be) {
        return;
    }
    qemu_del_vm_change_state_handler(be->vmstate_change);
    qemu_bh_delete(be->kick_bh);
    be->ops->free(be);
}
