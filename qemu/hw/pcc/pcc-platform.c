/*
 * ACPI Platform Communication Channel (PCC): the platform connection
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
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

    p->send_calls++;
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

void pcc_platform_resume_request(PccPlatform *p, uint64_t id,
                                 PccMsgLayout layout, const uint8_t *buf,
                                 size_t len)
{
    PccPlatformClass *pc = PCC_PLATFORM_GET_CLASS(p);

    trace_pcc_platform_resume_request(pcc_platform_id(p), p->channel, id);
    if (pc->resume_request) {
        pc->resume_request(p, id, layout, buf, len);
    }
}

/* Migration: what the transport holds, in a form VMState describes */

bool pcc_platform_held_needed(PccPlatform *p)
{
    PccPlatformClass *pc = PCC_PLATFORM_GET_CLASS(p);

    return pc->held_needed && pc->held_needed(p);
}

static void pcc_platform_held_free(PccPlatformHeldMsg *msgs, int32_t n)
{
    int32_t i;

    for (i = 0; i < n; i++) {
        g_free(msgs[i].data);
    }
    g_free(msgs);
}

static void pcc_platform_held_clear(PccPlatformHeld *held)
{
    pcc_platform_held_free(held->requests, held->num_requests);
    pcc_platform_held_free(held->received, held->num_received);
    memset(held, 0, sizeof(*held));
}

static int pcc_platform_pre_save(void *opaque)
{
    PccPlatform *p = opaque;
    PccPlatformClass *pc = PCC_PLATFORM_GET_CLASS(p);

    pcc_platform_held_clear(&p->held);
    if (pc->held_save) {
        pc->held_save(p);
    }
    trace_pcc_platform_held_save(pcc_platform_id(p), p->channel,
                                 p->held.num_requests, p->held.num_received);
    return 0;
}

static int pcc_platform_post_save(void *opaque)
{
    pcc_platform_held_clear(&((PccPlatform *)opaque)->held);
    return 0;
}

static int pcc_platform_pre_load(void *opaque)
{
    pcc_platform_held_clear(&((PccPlatform *)opaque)->held);
    return 0;
}

static bool pcc_platform_held_msgs_valid(const PccPlatformHeldMsg *msgs,
                                         int32_t n, bool requests)
{
    int32_t i;

    for (i = 0; i < n; i++) {
        const PccPlatformHeldMsg *m = &msgs[i];

        if ((m->layout != PCC_LAYOUT_EXTENDED &&
             m->layout != PCC_LAYOUT_GENERIC) ||
            (requests ? m->kind != PCC_MSG_REQUEST || !m->id :
             m->kind != PCC_MSG_RESPONSE &&
             m->kind != PCC_MSG_NOTIFICATION) ||
            (m->len && !m->data)) {
            return false;
        }
    }
    return true;
}

static int pcc_platform_post_load(void *opaque, int version_id)
{
    PccPlatform *p = opaque;
    PccPlatformClass *pc = PCC_PLATFORM_GET_CLASS(p);
    PccPlatformHeld *held = &p->held;

    if (!pcc_platform_held_msgs_valid(held->requests, held->num_requests,
                                      true) ||
        !pcc_platform_held_msgs_valid(held->received, held->num_received,
                                      false)) {
        error_report("pcc platform '%s': the migration stream holds a "
                     "message that is not valid", pcc_platform_id(p));
        pcc_platform_held_clear(held);
        return -EINVAL;
    }
    trace_pcc_platform_held_load(pcc_platform_id(p), p->channel,
                                 held->num_requests, held->num_received);
    if (pc->held_load) {
        pc->held_load(p);
    } else if (held->num_requests || held->num_received) {
        /* a socket's messages, loaded into another transport */
        warn_report("pcc platform '%s': %d request(s) and %d message(s) "
                    "from the migration stream are dropped: %s keeps none",
                    pcc_platform_id(p), held->num_requests,
                    held->num_received, object_get_typename(OBJECT(p)));
    }
    pcc_platform_held_clear(held);
    return 0;
}

static bool pcc_platform_held_msg_len_valid(void *opaque, int version_id)
{
    return ((PccPlatformHeldMsg *)opaque)->len <= PCC_MSG_MAX_SIZE;
}

static bool pcc_platform_held_num_valid(void *opaque, int version_id)
{
    PccPlatformHeld *held = &((PccPlatform *)opaque)->held;

    return held->num_requests >= 0 &&
           held->num_requests <= PCC_PLATFORM_HELD_MAX &&
           held->num_received >= 0 &&
           held->num_received <= PCC_PLATFORM_HELD_MAX;
}

static const VMStateDescription vmstate_pcc_platform_held_msg = {
    .name = "pcc-platform-held-msg",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(kind, PccPlatformHeldMsg),
        VMSTATE_UINT8(layout, PccPlatformHeldMsg),
        VMSTATE_UINT64(id, PccPlatformHeldMsg),
        VMSTATE_UINT64(ref, PccPlatformHeldMsg),
        VMSTATE_UINT32(len, PccPlatformHeldMsg),
        VMSTATE_VALIDATE("len", pcc_platform_held_msg_len_valid),
        VMSTATE_VBUFFER_ALLOC_UINT32(data, PccPlatformHeldMsg, 0, NULL, len),
        VMSTATE_END_OF_LIST()
    },
};

const VMStateDescription vmstate_pcc_platform = {
    .name = TYPE_PCC_PLATFORM,
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save = pcc_platform_pre_save,
    .post_save = pcc_platform_post_save,
    .pre_load = pcc_platform_pre_load,
    .post_load = pcc_platform_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(held.session, PccPlatform),
        VMSTATE_UINT64(held.next_id, PccPlatform),
        VMSTATE_INT32(held.num_requests, PccPlatform),
        VMSTATE_INT32(held.num_received, PccPlatform),
        VMSTATE_VALIDATE("held", pcc_platform_held_num_valid),
        VMSTATE_STRUCT_VARRAY_ALLOC(held.requests, PccPlatform,
                                    held.num_requests, 1,
                                    vmstate_pcc_platform_held_msg,
                                    PccPlatformHeldMsg),
        VMSTATE_STRUCT_VARRAY_ALLOC(held.received, PccPlatform,
                                    held.num_received, 1,
                                    vmstate_pcc_platform_held_msg,
                                    PccPlatformHeldMsg),
        VMSTATE_END_OF_LIST()
    },
};

static bool pcc_platform_can_be_deleted(UserCreatable *uc)
{
    return !PCC_PLATFORM(uc)->owner;
}

static void pcc_platform_finalize(Object *obj)
{
    PccPlatform *p = PCC_PLATFORM(obj);

    pcc_platform_detach(p);
    pcc_platform_held_clear(&p->held);
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
