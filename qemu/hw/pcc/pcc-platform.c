/*
 * ACPI Platform Communication Channel (PCC): the platform connection
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "qom/object_interfaces.h"
#include "hw/pcc/pcc-platform.h"
#include "trace.h"

const char *pcc_platform_id(PccPlatform *p)
{
    const char *id = object_get_canonical_path_component(OBJECT(p));

    return id ? id : object_get_typename(OBJECT(p));
}

static void pcc_platform_kick_bh(void *opaque)
{
    PccPlatform *p = opaque;

    if (runstate_is_running()) {
        PCC_PLATFORM_GET_CLASS(p)->kick(p);
    }
}

static void pcc_platform_vm_state_change(void *opaque, bool running,
                                         RunState state)
{
    if (running) {
        pcc_platform_kick(opaque);
    }
}

bool pcc_platform_attach(PccPlatform *p, DeviceState *owner,
                         const PccPlatformPeer *peer, void *opaque,
                         uint32_t channel, const char *description,
                         Error **errp)
{
    PccPlatformClass *pc = PCC_PLATFORM_GET_CLASS(p);

    if (p->owner) {
        error_setg(errp, "PCC platform '%s' already serves device '%s'; "
                   "give each device a platform of its own",
                   pcc_platform_id(p),
                   p->owner->id ? p->owner->id :
                   object_get_typename(OBJECT(p->owner)));
        return false;
    }
    p->owner = owner;
    p->peer = peer;
    p->opaque = opaque;
    p->channel = channel;
    p->description = g_strdup(description);
    p->kick_bh = qemu_bh_new_guarded(pcc_platform_kick_bh, p,
                                     &owner->mem_reentrancy_guard);
    p->vmstate_change =
        qemu_add_vm_change_state_handler(pcc_platform_vm_state_change, p);
    if (!pc->connect(p, errp)) {
        pcc_platform_detach(p);
        return false;
    }
    return true;
}

void pcc_platform_detach(PccPlatform *p)
{
    PccPlatformClass *pc = PCC_PLATFORM_GET_CLASS(p);

    if (!p->owner) {
        return;
    }
    pc->disconnect(p);
    qemu_del_vm_change_state_handler(p->vmstate_change);
    qemu_bh_delete(p->kick_bh);
    p->vmstate_change = NULL;
    p->kick_bh = NULL;
    g_free(p->description);
    p->description = NULL;
    p->owner = NULL;
    p->peer = NULL;
    p->opaque = NULL;
}

uint64_t pcc_platform_send(PccPlatform *p, PccMsgKind kind,
                           PccMsgLayout layout, const uint8_t *buf,
                           size_t len)
{
    uint64_t id = PCC_PLATFORM_GET_CLASS(p)->send(p, kind, layout, buf, len);

    trace_pcc_platform_send(pcc_platform_id(p), p->channel, kind, len, id);
    return id;
}

void pcc_platform_kick(PccPlatform *p)
{
    if (p->kick_bh) {
        qemu_bh_schedule(p->kick_bh);
    }
}

int pcc_platform_offer(PccPlatform *p, const PccPlatformMsg *msg)
{
    int ret;

    if (!p->peer->can_receive(p->opaque)) {
        return 0;
    }
    ret = p->peer->receive(p->opaque, msg) ? 1 : -1;
    trace_pcc_platform_deliver(pcc_platform_id(p), p->channel, msg->kind,
                               msg->len, msg->ref, ret);
    return ret;
}

static bool pcc_platform_can_be_deleted(UserCreatable *uc)
{
    return !PCC_PLATFORM(uc)->owner;
}

static void pcc_platform_finalize(Object *obj)
{
    pcc_platform_detach(PCC_PLATFORM(obj));
}

static void pcc_platform_class_init(ObjectClass *oc, PccClassData *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    ucc->can_be_deleted = pcc_platform_can_be_deleted;
}

static const TypeInfo pcc_platform_types[] = {
    {
        .name = TYPE_PCC_PLATFORM,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(PccPlatform),
        .instance_finalize = pcc_platform_finalize,
        .class_size = sizeof(PccPlatformClass),
        .class_init = pcc_platform_class_init,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_USER_CREATABLE },
            { }
        },
    },
};

DEFINE_TYPES(pcc_platform_types)
