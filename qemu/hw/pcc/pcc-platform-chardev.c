/*
 * ACPI Platform Communication Channel (PCC): chardev (socket) platform
 *
 *   -object pcc-platform-chardev,id=ID,chardev=CHARDEV
 *
 * Frames on the stream, all little-endian (docs/system/devices/pcc.rst):
 *
 *   0  u32  magic "PCC3" (0x33434350): framing version 3
 *   4  u32  payload length n, at most PCC_MSG_MAX_SIZE
 *   8  u16  channel: the device's base subspace index
 *   10 u8   kind: 1 request, 2 response, 3 notification, 4 hello, 5 done
 *   11 u8   layout: 0 extended, 1 generic
 *   12 u64  id: the sender's number for the frame (a request's id)
 *   20 u64  reference: the request a response or a done settles, else 0
 *   28 n    payload: the message, the hello's text, or nothing (done)
 *
 * Every connection starts with a hello from QEMU: the device description
 * and the session, a random number that stays for the device's life.
 * Requests are delivered exactly once: QEMU keeps each one until a
 * response or a done names it, sends the kept ones again after the hello
 * of every new connection, and drops a second answer; the platform acts
 * once per session and request id. A framing error closes the connection
 * (a byte stream cannot be resynchronised); the platform reconnects.
 * Messages from the platform wait until the device can take them, and
 * while that queue is full the platform stops reading, so the platform is
 * slowed down, never dropped. The kept requests, the session and the
 * messages not yet delivered migrate (vmstate_pcc_platform); after a load
 * the hello goes again, with the stream's session, and the kept requests
 * follow it.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "qom/object_interfaces.h"
#include "chardev/char-fe.h"
#include "hw/pcc/pcc-platform.h"
#include "trace.h"

/* "PCC" and the framing version digit */
#define PCC_FRAME_MAGIC_BASE    0x00434350u
#define PCC_FRAME_VERSION       3
#define PCC_FRAME_MAGIC         (PCC_FRAME_MAGIC_BASE | \
                                 (('0' + PCC_FRAME_VERSION) << 24))
#define PCC_FRAME_HDR_SIZE      28
/* requests kept until they are settled */
#define PCC_CHR_KEPT_MAX        64
/* messages from the platform waiting for the device */
#define PCC_CHR_RX_QUEUE_MAX    64

OBJECT_DECLARE_SIMPLE_TYPE(PccChardevPlatform, PCC_PLATFORM_CHARDEV)

typedef struct PccFrame {
    PccMsgKind kind;
    PccMsgLayout layout;
    uint64_t id;
    uint64_t ref;
    size_t len;
    uint8_t *data;      /* the whole frame for tx, the payload for rx */
} PccFrame;

struct PccChardevPlatform {
    PccPlatform parent;

    /* property */
    char *chardev;

    PccCharFrontend chr;
    bool connected;
    bool kept_full_reported;
    /* bytes of the head of tx_queue already on the wire */
    size_t tx_offset;
    guint tx_watch;
    uint64_t next_id;
    uint64_t session;
    GByteArray *rx_buf;
    /* requests sent and not settled, in the order they were rung */
    GQueue kept;
    /* frames to write on this connection: the hello, copies of kept ones */
    GQueue tx_queue;
    GQueue rx_queue;
};

static void pcc_frame_free(PccFrame *f)
{
    g_free(f->data);
    g_free(f);
}

static PccFrame *pcc_frame_new_tx(PccChardevPlatform *s, PccMsgKind kind,
                                  PccMsgLayout layout, uint64_t id,
                                  const uint8_t *buf, size_t len)
{
    PccFrame *f = g_new0(PccFrame, 1);

    f->kind = kind;
    f->layout = layout;
    f->id = id;
    f->len = PCC_FRAME_HDR_SIZE + len;
    f->data = g_malloc(f->len);
    stl_le_p(f->data, PCC_FRAME_MAGIC);
    stl_le_p(f->data + 4, len);
    stw_le_p(f->data + 8, s->parent.channel);
    f->data[10] = kind;
    f->data[11] = layout;
    stq_le_p(f->data + 12, id);
    stq_le_p(f->data + 20, 0);
    memcpy(f->data + PCC_FRAME_HDR_SIZE, buf, len);
    return f;
}

static PccFrame *pcc_frame_copy(const PccFrame *f)
{
    PccFrame *c = g_memdup2(f, sizeof(*f));

    c->data = g_memdup2(f->data, f->len);
    return c;
}

static void pcc_chr_flush(PccChardevPlatform *s);

static gboolean pcc_chr_writable(void *do_not_use, GIOCondition cond,
                                 void *opaque)
{
    PccChardevPlatform *s = opaque;

    s->tx_watch = 0;
    pcc_chr_flush(s);
    return G_SOURCE_REMOVE;
}

/*
 * Write queued frames without blocking the main loop: when the platform
 * stops reading, wait for the socket to drain.
 */
static void pcc_chr_flush(PccChardevPlatform *s)
{
    PccFrame *f;

    while (s->connected && !s->tx_watch &&
           (f = g_queue_peek_head(&s->tx_queue))) {
        int n = qemu_chr_fe_write(&s->chr, f->data + s->tx_offset,
                                  f->len - s->tx_offset);

        if (n <= 0) {
            if (n < 0 && errno != EAGAIN) {
                return;     /* the connection is going; wait for it */
            }
            s->tx_watch = qemu_chr_fe_add_watch(&s->chr, G_IO_OUT | G_IO_HUP,
                                                pcc_chr_writable, s);
            return;
        }
        s->tx_offset += n;
        if (s->tx_offset < f->len) {
            continue;
        }
        s->tx_offset = 0;
        g_queue_pop_head(&s->tx_queue);
        pcc_frame_free(f);
    }
}

static uint64_t pcc_chr_send(PccPlatform *p, PccMsgKind kind,
                             PccMsgLayout layout, const uint8_t *buf,
                             size_t len)
{
    PccChardevPlatform *s = PCC_PLATFORM_CHARDEV(p);
    PccFrame *f;

    if (g_queue_get_length(&s->kept) >= PCC_CHR_KEPT_MAX) {
        if (!s->kept_full_reported) {
            warn_report("pcc chardev '%s': %d requests not settled (is the "
                        "platform away?); refusing more until it answers",
                        s->chardev, PCC_CHR_KEPT_MAX);
            s->kept_full_reported = true;
        }
        return 0;
    }
    f = pcc_frame_new_tx(s, kind, layout, ++s->next_id, buf, len);
    g_queue_push_tail(&s->kept, f);
    if (s->connected) {
        g_queue_push_tail(&s->tx_queue, pcc_frame_copy(f));
        pcc_chr_flush(s);
    }
    return f->id;
}

static void pcc_chr_kick(PccPlatform *p)
{
    PccChardevPlatform *s = PCC_PLATFORM_CHARDEV(p);
    PccFrame *f;

    while ((f = g_queue_peek_head(&s->rx_queue))) {
        PccPlatformMsg msg = {
            .kind = f->kind,
            .layout = f->layout,
            .ref = f->ref,
            .data = f->data,
            .len = f->len,
        };
        int ret = pcc_platform_offer(p, &msg);

        if (ret == 0) {
            break;
        }
        if (ret < 0) {
            warn_report("pcc chardev '%s': dropped a %zu-byte message that "
                        "is not valid for channel %u", s->chardev, f->len,
                        p->channel);
        }
        g_queue_pop_head(&s->rx_queue);
        pcc_frame_free(f);
    }
    /* room again: let the chardev feed us */
    qemu_chr_fe_accept_input(&s->chr);
}

static void pcc_chr_protocol_error(PccChardevPlatform *s, const char *why)
{
    trace_pcc_chardev_protocol_error(s->parent.channel, why);
    warn_report("pcc chardev '%s': %s; closing the connection", s->chardev,
                why);
    g_byte_array_set_size(s->rx_buf, 0);
    qemu_chr_fe_disconnect(&s->chr);
}

/* The header's magic is sound; complain about it otherwise */
static bool pcc_chr_check_magic(PccChardevPlatform *s, uint32_t magic)
{
    unsigned version = (magic >> 24) - '0';
    g_autofree char *why = NULL;

    if (magic == PCC_FRAME_MAGIC) {
        return true;
    }
    if ((magic & 0x00ffffffu) == PCC_FRAME_MAGIC_BASE && version <= 9) {
        why = g_strdup_printf("the platform speaks PCC framing version %u; "
                              "QEMU speaks version %d", version,
                              PCC_FRAME_VERSION);
    } else {
        why = g_strdup_printf("bad frame magic 0x%08x", magic);
    }
    pcc_chr_protocol_error(s, why);
    return false;
}

static gint pcc_frame_has_id(gconstpointer frame, gconstpointer id)
{
    return ((const PccFrame *)frame)->id == *(const uint64_t *)id ? 0 : 1;
}

/*
 * A response or done for request @ref arrived: true if it settles a kept
 * request (which is then forgotten), false for a second answer
 */
static bool pcc_chr_settle(PccChardevPlatform *s, uint8_t kind, uint64_t ref)
{
    GList *link = ref ? g_queue_find_custom(&s->kept, &ref,
                                            pcc_frame_has_id) : NULL;

    if (!ref) {
        warn_report("pcc chardev '%s': dropped a frame of kind %u that "
                    "names no request", s->chardev, kind);
        return false;
    }
    if (!link) {
        trace_pcc_chardev_duplicate(s->parent.channel, kind, ref);
        return false;
    }
    pcc_frame_free(link->data);
    g_queue_delete_link(&s->kept, link);
    s->kept_full_reported = false;
    return true;
}

/* Take complete frames out of rx_buf */
static void pcc_chr_parse(PccChardevPlatform *s)
{
    PccPlatform *p = &s->parent;

    while (s->rx_buf->len >= PCC_FRAME_HDR_SIZE) {
        const uint8_t *h = s->rx_buf->data;
        uint32_t len = ldl_le_p(h + 4);
        uint16_t channel = lduw_le_p(h + 8);
        uint8_t kind = h[10], layout = h[11];
        uint64_t ref;
        PccFrame *f;

        if (!pcc_chr_check_magic(s, ldl_le_p(h))) {
            return;
        }
        if (len > PCC_MSG_MAX_SIZE) {
            pcc_chr_protocol_error(s, "frame longer than any message");
            return;
        }
        if (kind < PCC_MSG_REQUEST || kind > PCC_MSG_DONE ||
            (layout != PCC_LAYOUT_EXTENDED && layout != PCC_LAYOUT_GENERIC)) {
            pcc_chr_protocol_error(s, "unknown frame kind or layout");
            return;
        }
        if (s->rx_buf->len < PCC_FRAME_HDR_SIZE + len) {
            return;
        }
        ref = ldq_le_p(h + 20);
        if (channel != p->channel ||
            kind == PCC_MSG_REQUEST || kind == PCC_MSG_HELLO) {
            warn_report("pcc chardev '%s': dropped a frame for channel %u "
                        "kind %u: this device is channel %u and takes "
                        "responses, notifications and dones", s->chardev,
                        channel, kind, p->channel);
        } else if (kind == PCC_MSG_NOTIFICATION ||
                   (pcc_chr_settle(s, kind, ref) &&
                    kind == PCC_MSG_RESPONSE)) {
            /* a done settles without anything to deliver */
            f = g_new0(PccFrame, 1);
            f->kind = kind;
            f->layout = layout;
            f->ref = ref;
            f->len = len;
            f->data = g_memdup2(h + PCC_FRAME_HDR_SIZE, len);
            g_queue_push_tail(&s->rx_queue, f);
            trace_pcc_chardev_rx(p->channel, kind, len, f->ref);
        }
        g_byte_array_remove_range(s->rx_buf, 0, PCC_FRAME_HDR_SIZE + len);
    }
}

static int pcc_chr_can_read(void *opaque)
{
    PccChardevPlatform *s = opaque;

    if (g_queue_get_length(&s->rx_queue) >= PCC_CHR_RX_QUEUE_MAX) {
        return 0;
    }
    return PCC_FRAME_HDR_SIZE + PCC_MSG_MAX_SIZE;
}

static void pcc_chr_read(void *opaque, const uint8_t *buf, int size)
{
    PccChardevPlatform *s = opaque;

    g_byte_array_append(s->rx_buf, buf, size);
    pcc_chr_parse(s);
    pcc_platform_kick(&s->parent);
}

/*
 * The hello with the device description and the session, then every
 * request not settled, in order, ids unchanged: on a new connection, and
 * again when a state load brought another session
 */
static void pcc_chr_start_session(PccChardevPlatform *s)
{
    g_autofree char *hello = g_strdup_printf("%ssession %016" PRIx64 "\n",
                                             s->parent.description,
                                             s->session);
    GList *l;

    g_queue_push_tail(&s->tx_queue,
                      pcc_frame_new_tx(s, PCC_MSG_HELLO, PCC_LAYOUT_EXTENDED,
                                       0, (const uint8_t *)hello,
                                       strlen(hello)));
    for (l = s->kept.head; l; l = l->next) {
        g_queue_push_tail(&s->tx_queue, pcc_frame_copy(l->data));
    }
    trace_pcc_chardev_resend(s->parent.channel, g_queue_get_length(&s->kept));
    pcc_chr_flush(s);
}

static void pcc_chr_event(void *opaque, QEMUChrEvent event)
{
    PccChardevPlatform *s = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        s->connected = true;
        trace_pcc_chardev_connected(s->parent.channel, true);
        pcc_chr_start_session(s);
        break;
    case CHR_EVENT_CLOSED:
        s->connected = false;
        /* what was not written goes again, whole, on the next connection */
        s->tx_offset = 0;
        if (s->tx_watch) {
            g_source_remove(s->tx_watch);
            s->tx_watch = 0;
        }
        g_queue_clear_full(&s->tx_queue, (GDestroyNotify)pcc_frame_free);
        g_byte_array_set_size(s->rx_buf, 0);
        trace_pcc_chardev_connected(s->parent.channel, false);
        break;
    default:
        break;
    }
}

/*
 * Migration and snapshots: the requests kept (with the session and the
 * ids they were sent under) and the messages received and not delivered
 * travel in the stream; see pcc.rst, "Migration and snapshots".
 */
static bool pcc_chr_held_needed(PccPlatform *p)
{
    PccChardevPlatform *s = PCC_PLATFORM_CHARDEV(p);

    return !g_queue_is_empty(&s->kept) || !g_queue_is_empty(&s->rx_queue);
}

/* Copies of the frames of @q; @tx: they carry the header */
static PccPlatformHeldMsg *pcc_chr_hold(GQueue *q, bool tx, int32_t *n)
{
    PccPlatformHeldMsg *msgs = g_new0(PccPlatformHeldMsg,
                                      g_queue_get_length(q));
    size_t skip = tx ? PCC_FRAME_HDR_SIZE : 0;
    GList *l;

    *n = 0;
    for (l = q->head; l; l = l->next) {
        const PccFrame *f = l->data;
        PccPlatformHeldMsg *m = &msgs[(*n)++];

        m->kind = f->kind;
        m->layout = f->layout;
        m->id = f->id;
        m->ref = f->ref;
        m->len = f->len - skip;
        m->data = g_memdup2(f->data + skip, m->len);
    }
    return msgs;
}

static void pcc_chr_held_save(PccPlatform *p)
{
    PccChardevPlatform *s = PCC_PLATFORM_CHARDEV(p);

    p->held.session = s->session;
    p->held.next_id = s->next_id;
    p->held.requests = pcc_chr_hold(&s->kept, true, &p->held.num_requests);
    p->held.received = pcc_chr_hold(&s->rx_queue, false,
                                    &p->held.num_received);
}

static PccFrame *pcc_frame_new_rx(const PccPlatformHeldMsg *m)
{
    PccFrame *f = g_new0(PccFrame, 1);

    f->kind = m->kind;
    f->layout = m->layout;
    f->ref = m->ref;
    f->len = m->len;
    f->data = g_memdup2(m->data, m->len);
    return f;
}

static void pcc_chr_held_load(PccPlatform *p)
{
    PccChardevPlatform *s = PCC_PLATFORM_CHARDEV(p);
    PccPlatformHeld *held = &p->held;
    GQueue here = G_QUEUE_INIT;
    unsigned dropped = 0;
    PccFrame *f;
    int32_t i;

    /* this process's own requests belong to a past the guest left */
    g_queue_clear_full(&s->kept, (GDestroyNotify)pcc_frame_free);
    for (i = 0; i < held->num_requests; i++) {
        const PccPlatformHeldMsg *m = &held->requests[i];

        g_queue_push_tail(&s->kept, pcc_frame_new_tx(s, m->kind, m->layout,
                                                     m->id, m->data,
                                                     m->len));
    }
    /*
     * The stream's messages first, then those that came here: all
     * notifications, and the answers that settle a request kept now
     */
    here = s->rx_queue;
    g_queue_init(&s->rx_queue);
    for (i = 0; i < held->num_received; i++) {
        g_queue_push_tail(&s->rx_queue, pcc_frame_new_rx(&held->received[i]));
    }
    while ((f = g_queue_pop_head(&here))) {
        if (f->kind == PCC_MSG_NOTIFICATION ||
            pcc_chr_settle(s, f->kind, f->ref)) {
            g_queue_push_tail(&s->rx_queue, f);
        } else {
            dropped++;
            pcc_frame_free(f);
        }
    }
    /*
     * The platform knows the kept requests by this session and their ids;
     * new ids start above the wall clock in nanoseconds, so that a
     * snapshot loaded twice never reuses an id the platform remembers
     */
    s->session = held->session;
    s->next_id = MAX(MAX(s->next_id, held->next_id),
                     (uint64_t)g_get_real_time() * 1000);
    s->kept_full_reported = false;
    trace_pcc_chardev_held_load(p->channel, s->session,
                                g_queue_get_length(&s->kept),
                                g_queue_get_length(&s->rx_queue), dropped);
    if (s->connected) {
        /*
         * what is queued for the wire is of the old session: only the
         * frame being written goes out, whole
         */
        while (g_queue_get_length(&s->tx_queue) > (s->tx_offset ? 1 : 0)) {
            pcc_frame_free(g_queue_pop_tail(&s->tx_queue));
        }
        pcc_chr_start_session(s);
    }
}

static gint pcc_frame_settles(gconstpointer frame, gconstpointer id)
{
    const PccFrame *f = frame;

    return f->kind == PCC_MSG_RESPONSE && f->ref == *(const uint64_t *)id ?
           0 : 1;
}

static void pcc_chr_resume_request(PccPlatform *p, uint64_t id,
                                   PccMsgLayout layout, const uint8_t *buf,
                                   size_t len)
{
    PccChardevPlatform *s = PCC_PLATFORM_CHARDEV(p);
    PccFrame *f;

    if (g_queue_find_custom(&s->kept, &id, pcc_frame_has_id)) {
        trace_pcc_chardev_resume(p->channel, id, "kept, sent again with "
                                 "its session");
        return;
    }
    if (g_queue_find_custom(&s->rx_queue, &id, pcc_frame_settles)) {
        trace_pcc_chardev_resume(p->channel, id, "its answer waits");
        return;
    }
    /* a stream without this transport's state: send it again */
    trace_pcc_chardev_resume(p->channel, id, "not kept: sent again");
    s->next_id = MAX(s->next_id, id);
    f = pcc_frame_new_tx(s, PCC_MSG_REQUEST, layout, id, buf, len);
    g_queue_push_tail(&s->kept, f);
    if (s->connected) {
        g_queue_push_tail(&s->tx_queue, pcc_frame_copy(f));
        pcc_chr_flush(s);
    }
}

static void pcc_chr_disconnect(PccPlatform *p)
{
    PccChardevPlatform *s = PCC_PLATFORM_CHARDEV(p);

    if (s->tx_watch) {
        g_source_remove(s->tx_watch);
        s->tx_watch = 0;
    }
    qemu_chr_fe_deinit(&s->chr, false);
    s->connected = false;
    s->tx_offset = 0;
    g_queue_clear_full(&s->kept, (GDestroyNotify)pcc_frame_free);
    g_queue_clear_full(&s->tx_queue, (GDestroyNotify)pcc_frame_free);
    g_queue_clear_full(&s->rx_queue, (GDestroyNotify)pcc_frame_free);
    g_byte_array_set_size(s->rx_buf, 0);
}

static bool pcc_chr_connect(PccPlatform *p, Error **errp)
{
    PccChardevPlatform *s = PCC_PLATFORM_CHARDEV(p);
    Chardev *chr = s->chardev ? qemu_chr_find(s->chardev) : NULL;

    if (!chr) {
        error_setg(errp, "PCC platform '%s': chardev '%s' not found",
                   pcc_platform_id(p), s->chardev ? s->chardev : "");
        return false;
    }
    if (!qemu_chr_fe_init(&s->chr, chr, errp)) {
        return false;
    }
    s->session = (uint64_t)g_random_int() << 32 | g_random_int();
    qemu_chr_fe_set_handlers(&s->chr, pcc_chr_can_read, pcc_chr_read,
                             pcc_chr_event, NULL, s, NULL, true);
    return true;
}

static char *pcc_chr_get_chardev(Object *obj, Error **errp)
{
    return g_strdup(PCC_PLATFORM_CHARDEV(obj)->chardev);
}

static void pcc_chr_set_chardev(Object *obj, const char *value,
                                Error **errp)
{
    PccChardevPlatform *s = PCC_PLATFORM_CHARDEV(obj);

    if (PCC_PLATFORM(obj)->owner) {
        error_setg(errp, "'chardev' cannot change while a device uses it");
        return;
    }
    g_free(s->chardev);
    s->chardev = g_strdup(value);
}

static void pcc_chr_complete(UserCreatable *uc, Error **errp)
{
    PccChardevPlatform *s = PCC_PLATFORM_CHARDEV(uc);

    if (!s->chardev || !*s->chardev) {
        error_setg(errp, "%s needs 'chardev': the ID of a character device",
                   TYPE_PCC_PLATFORM_CHARDEV);
    }
}

static void pcc_chr_instance_init(Object *obj)
{
    PccChardevPlatform *s = PCC_PLATFORM_CHARDEV(obj);

    s->rx_buf = g_byte_array_new();
    g_queue_init(&s->kept);
    g_queue_init(&s->tx_queue);
    g_queue_init(&s->rx_queue);
}

static void pcc_chr_instance_finalize(Object *obj)
{
    PccChardevPlatform *s = PCC_PLATFORM_CHARDEV(obj);

    pcc_platform_detach(PCC_PLATFORM(obj));
    g_byte_array_free(s->rx_buf, true);
    g_free(s->chardev);
}

static void pcc_chr_class_init(ObjectClass *oc, PccClassData *data)
{
    PccPlatformClass *pc = PCC_PLATFORM_CLASS(oc);
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    pc->connect = pcc_chr_connect;
    pc->send = pcc_chr_send;
    pc->kick = pcc_chr_kick;
    pc->disconnect = pcc_chr_disconnect;
    pc->held_needed = pcc_chr_held_needed;
    pc->held_save = pcc_chr_held_save;
    pc->held_load = pcc_chr_held_load;
    pc->resume_request = pcc_chr_resume_request;
    ucc->complete = pcc_chr_complete;
    object_class_property_add_str(oc, "chardev", pcc_chr_get_chardev,
                                  pcc_chr_set_chardev);
    object_class_property_set_description(oc, "chardev",
        "ID of the character device connected to the platform (pccd)");
}

static const TypeInfo pcc_chr_types[] = {
    {
        .name = TYPE_PCC_PLATFORM_CHARDEV,
        .parent = TYPE_PCC_PLATFORM,
        .instance_size = sizeof(PccChardevPlatform),
        .instance_init = pcc_chr_instance_init,
        .instance_finalize = pcc_chr_instance_finalize,
        .class_init = pcc_chr_class_init,
    },
};

DEFINE_TYPES(pcc_chr_types)
