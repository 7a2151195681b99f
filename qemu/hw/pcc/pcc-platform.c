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
#include "qemu/timer.h"
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

/* Round trips */

static void pcc_round_trip_start(PccRoundTrips *rt, uint64_t id)
{
    unsigned slot = rt->next_pending++ % PCC_ROUND_TRIP_PENDING;

    rt->pending[slot].id = id;
    rt->pending[slot].sent_ns = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
}

/* A response was delivered: the request it names, or else the latest */
static void pcc_round_trip_end(PccRoundTrips *rt, uint64_t ref)
{
    unsigned i, slot;
    uint64_t ns;

    for (i = 1; i <= PCC_ROUND_TRIP_PENDING; i++) {
        slot = (rt->next_pending - i) % PCC_ROUND_TRIP_PENDING;
        if (rt->pending[slot].id && (!ref || rt->pending[slot].id == ref)) {
            break;
        }
    }
    if (i > PCC_ROUND_TRIP_PENDING) {
        return;
    }
    ns = qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - rt->pending[slot].sent_ns;
    rt->pending[slot].id = 0;
    rt->samples_ns[rt->count % PCC_ROUND_TRIP_SAMPLES] = ns;
    rt->count++;
    rt->max_ns = MAX(rt->max_ns, ns);
}

static int pcc_compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

uint64_t pcc_platform_round_trips(PccPlatform *p, uint64_t *p50_ns,
                                  uint64_t *p99_ns, uint64_t *max_ns)
{
    PccRoundTrips *rt = &p->round_trips;
    size_t n = MIN(rt->count, PCC_ROUND_TRIP_SAMPLES);
    g_autofree uint64_t *sorted = NULL;

    *p50_ns = *p99_ns = 0;
    *max_ns = rt->max_ns;
    if (!n) {
        return 0;
    }
    sorted = g_memdup2(rt->samples_ns, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), pcc_compare_u64);
    /* nearest rank */
    *p50_ns = sorted[DIV_ROUND_UP(n * 50, 100) - 1];
    *p99_ns = sorted[DIV_ROUND_UP(n * 99, 100) - 1];
    return rt->count;
}

uint64_t pcc_platform_send(PccPlatform *p, PccMsgKind kind,
                           PccMsgLayout layout, const uint8_t *buf,
                           size_t len)
{
    uint64_t id = PCC_PLATFORM_GET_CLASS(p)->send(p, kind, layout, buf, len);

    trace_pcc_platform_send(pcc_platform_id(p), p->channel, kind, len, id);
    if (id && kind == PCC_MSG_REQUEST) {
        pcc_round_trip_start(&p->round_trips, id);
    }
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
    if (ret == 1 && msg->kind == PCC_MSG_RESPONSE) {
        pcc_round_trip_end(&p->round_trips, msg->ref);
    }
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
