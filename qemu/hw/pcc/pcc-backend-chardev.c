/*
 * ACPI Platform Communication Channel (PCC): chardev (socket) backend
 *
 * Frames on the stream, all little-endian (docs/system/devices/pcc.rst):
 *
 *   0  u32  magic "PCC1" (0x31434350)
 *   4  u32  payload length n, at most PCC_MSG_MAX_SIZE
 *   8  u16  channel: the device's base subspace index
 *   10 u8   kind: 1 request, 2 response, 3 notification
 *   11 u8   layout: 0 extended, 1 generic
 *   12 n    payload: the message
 *
 * A framing error closes the connection (a byte stream cannot be
 * resynchronised); the platform reconnects. Requests rung while the
 * platform is away wait in a bounded queue; messages from the platform
 * wait until the device can take them, and while that queue is full the
 * backend stops reading, so the platform is slowed down, never dropped.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qapi/error.h"
#include "chardev/char-fe.h"
#include "hw/pcc/pcc-backend.h"
#include "trace.h"

#define PCC_FRAME_MAGIC         0x31434350u
#define PCC_FRAME_HDR_SIZE      12
/* requests queued while the platform is away */
#define PCC_CHR_TX_QUEUE_MAX    64
/* messages from the platform waiting for the device */
#define PCC_CHR_RX_QUEUE_MAX    64

typedef struct PccFrame {
    PccMsgKind kind;
    PccMsgLayout layout;
    size_t len;
    uint8_t *data;      /* the whole frame for tx, the payload for rx */
} PccFrame;

typedef struct PccChardevBackend {
    PccBackend parent;
    PccCharFrontend *chr;
    bool connected;
    bool tx_full_reported;
    /* bytes of the head of tx_queue already on the wire */
    size_t tx_offset;
    guint tx_watch;
    GByteArray *rx_buf;
    GQueue tx_queue;
    GQueue rx_queue;
} PccChardevBackend;

static void pcc_frame_free(PccFrame *f)
{
    g_free(f->data);
    g_free(f);
}

static const char *pcc_chr_label(PccChardevBackend *s)
{
    return qemu_chr_fe_get_driver(s->chr) ?
           qemu_chr_fe_get_driver(s->chr)->label : "?";
}

static void pcc_chr_flush(PccChardevBackend *s);

static gboolean pcc_chr_writable(void *do_not_use, GIOCondition cond,
                                 void *opaque)
{
    PccChardevBackend *s = opaque;

    s->tx_watch = 0;
    pcc_chr_flush(s);
    return G_SOURCE_REMOVE;
}

/*
 * Write queued frames without blocking the main loop: when the platform
 * stops reading, wait for the socket to drain.
 */
static void pcc_chr_flush(PccChardevBackend *s)
{
    PccFrame *f;

    while (s->connected && !s->tx_watch &&
           (f = g_queue_peek_head(&s->tx_queue))) {
        int n = qemu_chr_fe_write(s->chr, f->data + s->tx_offset,
                                  f->len - s->tx_offset);

        if (n <= 0) {
            if (n < 0 && errno != EAGAIN) {
                return;     /* the connection is going; wait for it */
            }
            s->tx_watch = qemu_chr_fe_add_watch(s->chr, G_IO_OUT | G_IO_HUP,
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
    if (g_queue_is_empty(&s->tx_queue)) {
        s->tx_full_reported = false;
    }
}

static bool pcc_chr_send(PccBackend *be, PccMsgKind kind,
                         PccMsgLayout layout, const uint8_t *buf, size_t len)
{
    PccChardevBackend *s = container_of(be, PccChardevBackend, parent);
    PccFrame *f;

    if (g_queue_get_length(&s->tx_queue) >= PCC_CHR_TX_QUEUE_MAX) {
        if (!s->tx_full_reported) {
            warn_report("pcc chardev '%s': platform away and %d requests "
                        "queued; refusing more until it is back",
                        pcc_chr_label(s), PCC_CHR_TX_QUEUE_MAX);
            s->tx_full_reported = true;
        }
        return false;
    }
    f = g_new0(PccFrame, 1);
    f->kind = kind;
    f->layout = layout;
    f->len = PCC_FRAME_HDR_SIZE + len;
    f->data = g_malloc(f->len);
    stl_le_p(f->data, PCC_FRAME_MAGIC);
    stl_le_p(f->data + 4, len);
    stw_le_p(f->data + 8, be->channel);
    f->data[10] = kind;
    f->data[11] = layout;
    memcpy(f->data + PCC_FRAME_HDR_SIZE, buf, len);
    g_queue_push_tail(&s->tx_queue, f);
    pcc_chr_flush(s);
    return true;
}

static void pcc_chr_kick(PccBackend *be)
{
    PccChardevBackend *s = container_of(be, PccChardevBackend, parent);
    PccFrame *f;

    while ((f = g_queue_peek_head(&s->rx_queue))) {
        int ret = pcc_backend_offer(be, f->kind, f->data, f->len);

        if (ret == 0) {
            break;
        }
        if (ret < 0) {
            warn_report("pcc chardev '%s': dropped a %zu-byte message that "
                        "is not valid for channel %u", pcc_chr_label(s),
                        f->len, be->channel);
        }
        g_queue_pop_head(&s->rx_queue);
        pcc_frame_free(f);
    }
    /* room again: let the chardev feed us */
    qemu_chr_fe_accept_input(s->chr);
}

static void pcc_chr_protocol_error(PccChardevBackend *s, const char *why)
{
    warn_report("pcc chardev '%s': %s; closing the connection",
                pcc_chr_label(s), why);
    g_byte_array_set_size(s->rx_buf, 0);
    qemu_chr_fe_disconnect(s->chr);
}

/* Take complete frames out of rx_buf */
static void pcc_chr_parse(PccChardevBackend *s)
{
    PccBackend *be = &s->parent;

    while (s->rx_buf->len >= PCC_FRAME_HDR_SIZE) {
        const uint8_t *p = s->rx_buf->data;
        uint32_t len = ldl_le_p(p + 4);
        uint16_t channel = lduw_le_p(p + 8);
        uint8_t kind = p[10], layout = p[11];
        PccFrame *f;

        if (ldl_le_p(p) != PCC_FRAME_MAGIC) {
            pcc_chr_protocol_error(s, "bad frame magic");
            return;
        }
        if (len > PCC_MSG_MAX_SIZE) {
            pcc_chr_protocol_error(s, "frame longer than any message");
            return;
        }
        if ((kind != PCC_MSG_RESPONSE && kind != PCC_MSG_NOTIFICATION &&
             kind != PCC_MSG_REQUEST) ||
            (layout != PCC_LAYOUT_EXTENDED && layout != PCC_LAYOUT_GENERIC)) {
            pcc_chr_protocol_error(s, "unknown frame kind or layout");
            return;
        }
        if (s->rx_buf->len < PCC_FRAME_HDR_SIZE + len) {
            return;
        }
        if (channel != be->channel || kind == PCC_MSG_REQUEST) {
            warn_report("pcc chardev '%s': dropped a frame for channel %u "
                        "kind %u: this device is channel %u and takes "
                        "responses and notifications", pcc_chr_label(s),
                        channel, kind, be->channel);
        } else {
            f = g_new0(PccFrame, 1);
            f->kind = kind;
            f->layout = layout;
            f->len = len;
            f->data = g_memdup2(p + PCC_FRAME_HDR_SIZE, len);
            g_queue_push_tail(&s->rx_queue, f);
            trace_pcc_chardev_rx(be->channel, kind, len);
        }
        g_byte_array_remove_range(s->rx_buf, 0, PCC_FRAME_HDR_SIZE + len);
    }
}

static int pcc_chr_can_read(void *opaque)
{
    PccChardevBackend *s = opaque;

    if (g_queue_get_length(&s->rx_queue) >= PCC_CHR_RX_QUEUE_MAX) {
        return 0;
    }
    return PCC_FRAME_HDR_SIZE + PCC_MSG_MAX_SIZE;
}

static void pcc_chr_read(void *opaque, const uint8_t *buf, int size)
{
    PccChardevBackend *s = opaque;

    g_byte_array_append(s->rx_buf, buf, size);
    pcc_chr_parse(s);
    pcc_backend_kick(&s->parent);
}

static void pcc_chr_event(void *opaque, QEMUChrEvent event)
{
    PccChardevBackend *s = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        s->connected = true;
        trace_pcc_chardev_connected(s->parent.channel, true);
        pcc_chr_flush(s);
        break;
    case CHR_EVENT_CLOSED:
        s->connected = false;
        /* a frame cut short is sent again, whole, on the next connection */
        s->tx_offset = 0;
        if (s->tx_watch) {
            g_source_remove(s->tx_watch);
            s->tx_watch = 0;
        }
        g_byte_array_set_size(s->rx_buf, 0);
        trace_pcc_chardev_connected(s->parent.channel, false);
        break;
    default:
        break;
    }
}

static void pcc_chr_free(PccBackend *be)
{
    PccChardevBackend *s = container_of(be, PccChardevBackend, parent);

    if (s->tx_watch) {
        g_source_remove(s->tx_watch);
    }
    qemu_chr_fe_set_handlers(s->chr, NULL, NULL, NULL, NULL, NULL, NULL,
                             true);
    g_queue_clear_full(&s->tx_queue, (GDestroyNotify)pcc_frame_free);
    g_queue_clear_full(&s->rx_queue, (GDestroyNotify)pcc_frame_free);
    g_byte_array_free(s->rx_buf, true);
    g_free(s);
}

static const PccBackendOps pcc_chardev_ops = {
    .name = "chardev",
    .send = pcc_chr_send,
    .kick = pcc_chr_kick,
    .free = pcc_chr_free,
};

PccBackend *pcc_chardev_backend_new(PccCharFrontend *chr, uint32_t channel,
                                    const PccBackendPeer *peer,
                                    DeviceState *owner, Error **errp)
{
    PccChardevBackend *s = g_new0(PccChardevBackend, 1);

    pcc_backend_init(&s->parent, &pcc_chardev_ops, channel, peer, owner);
    s->chr = chr;
    s->rx_buf = g_byte_array_new();
    g_queue_init(&s->tx_queue);
    g_queue_init(&s->rx_queue);
    qemu_chr_fe_set_handlers(chr, pcc_chr_can_read, pcc_chr_read,
                             pcc_chr_event, NULL, s, NULL, true);
    return &s->parent;
}
