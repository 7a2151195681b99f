/*
 * QTest testcase for PCC migration and snapshots: for every device class
 * and both transports (spool directory, chardev socket), a machine
 * migrated (-incoming) or saved and loaded (savevm, loadvm) in the middle
 * of a transaction carries on, with nothing lost and nothing doubled, from
 * each of three states:
 *
 *   pending   a request rung and not answered yet;
 *   queued    an answer the platform gave while the VM was stopped, held
 *             by QEMU and not yet delivered to the guest;
 *   unacked   an answer or notification delivered, its interrupt not yet
 *             acknowledged by the guest.
 *
 * The test plays the guest (registers and shared memory as Linux's
 * pcc.c drives them) and the platform (spool files, or the socket framing
 * of docs/system/devices/pcc.rst with pccd's memory of answered requests
 * by session and id). Each case checks the guest-visible end state, that
 * the platform acted once per request (a request sent again carries its
 * id and is answered from the platform's memory), and that exactly one
 * answer or notification reaches the guest; a last exchange shows that
 * nothing stray is left over.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <glib/gstdio.h>
#include "libqtest.h"
#include "qemu/bswap.h"
#include "pcc-utils.h"

/* Frame layouts (pcc.rst, "Sockets") */
#define LAYOUT_EXT              0
#define LAYOUT_GEN              1

/* Every request and answer here is 20 bytes long */
#define MSG_LEN                 20
/* where the test's marker word sits: generic and extended layouts */
#define GEN_MARKER              12
#define EXT_MARKER              16
#define ANSWER_OF(marker)       ((marker) ^ 0xa5a5a5a5u)

typedef enum Role {
    /* the guest rings, the platform answers into the same subspace */
    ROLE_MAILBOX,
    /* type 3 initiator; answers come on the responder that follows it */
    ROLE_INITIATOR,
    /* type 4 only: the platform notifies */
    ROLE_RESPONDER,
} Role;

typedef struct MigClass {
    const char *name;
    /* the device's QOM type */
    const char *qom_type;
    /* the device, without its platform */
    const char *args;
    /* the subspace the guest rings, or the responder, and its type */
    unsigned index;
    unsigned type;
    Role role;
    /* the answering subspace has a level interrupt with an ack */
    bool irq;
} MigClass;

static const MigClass classes[] = {
    { "xgene-hwmon", "pcc-xgene-hwmon",
      "-device pcc-xgene-hwmon,channel=5", 5, 2,
      ROLE_MAILBOX, true },
    { "xgene-i2c", "pcc-xgene-i2c",
      "-device pcc-xgene-i2c,channel=5", 5, 2,
      ROLE_MAILBOX, true },
    { "cppc", "pcc-cppc",
      "-smp 2 -device pcc-cppc,channel=3", 3, 2, ROLE_MAILBOX,
      true },
    { "hisi-uncore", "pcc-hisi-uncore",
      "-device pcc-hisi-uncore,channel=3", 3, 2,
      ROLE_MAILBOX, true },
    { "kunpeng-hccs-b1", "pcc-kunpeng-hccs",
      "-global pcc-host.platform-interrupt=off "
      "-device pcc-kunpeng-hccs,channel=2,variant=b1", 2, 0, ROLE_MAILBOX,
      false },
    { "kunpeng-hccs-b2", "pcc-kunpeng-hccs",
      "-device pcc-kunpeng-hccs,channel=2,variant=b2",
      2, 3, ROLE_MAILBOX, true },
    { "opregion", "pcc-opregion",
      "-device pcc-opregion,channel=4", 4, 3, ROLE_MAILBOX,
      true },
    { "raw-type0", "pcc-raw",
      "-device pcc-raw,channel=1,subspace-type=0", 1, 0,
      ROLE_MAILBOX, false },
    /* type 1's interrupt is an edge: there is nothing to acknowledge */
    { "raw-type1", "pcc-raw",
      "-device pcc-raw,channel=1,subspace-type=1", 1, 1,
      ROLE_MAILBOX, false },
    { "raw-type2", "pcc-raw",
      "-device pcc-raw,channel=1,subspace-type=2", 1, 2,
      ROLE_MAILBOX, true },
    { "raw-type3", "pcc-raw",
      "-device pcc-raw,channel=1,subspace-type=3", 1, 3,
      ROLE_MAILBOX, true },
    { "raw-type4", "pcc-raw",
      "-device pcc-raw,channel=1,subspace-type=4", 1, 4,
      ROLE_RESPONDER, true },
    { "mctp", "pcc-mctp",
      "-device pcc-mctp,channel=2", 2, 3, ROLE_INITIATOR, true },
};

typedef enum State { STATE_PENDING, STATE_QUEUED, STATE_UNACKED } State;
static const char *const state_names[] = { "pending", "queued", "unacked" };

typedef enum Mode { MODE_MIGRATE, MODE_SNAPSHOT } Mode;
static const char *const mode_names[] = { "migrate", "savevm-loadvm" };

typedef struct MigCase {
    const MigClass *cls;
    bool socket;
    State state;
    Mode mode;
} MigCase;

/* One case: the QEMU in use and the platform's side */
typedef struct Mig {
    const MigCase *c;
    char *dir;
    char *spool;
    char *outbox;
    char *sock;
    char *log;
    unsigned starts;
    int listener;
    int conn;
    QTestState *qts;
    /* the session of the connection's last hello, and the first's */
    char *session;
    char *first_session;
    uint64_t seq;
    /* the platform's memory: "session/id" -> answer (GByteArray) */
    GHashTable *answers;
    /* request messages seen, those sent again included */
    unsigned requests_seen;
    /* requests the platform acted on (answered for the first time) */
    unsigned requests_acted;
} Mig;

static unsigned answer_index(const MigClass *cls)
{
    return cls->role == ROLE_INITIATOR ? cls->index + 1 : cls->index;
}

static const char *answer_counter(const MigClass *cls)
{
    return cls->role == ROLE_MAILBOX ? "completions" : "notifications";
}

static bool extended(const MigClass *cls)
{
    return cls->type >= TYPE_EXT_INITIATOR;
}

static uint64_t reg(const MigClass *cls, unsigned idx, unsigned r)
{
    return pcc_reg_addr(idx, r);
}

/* QEMU */

static void mig_start(Mig *m, bool incoming)
{
    const MigCase *c = m->c;
    g_autofree char *platform = NULL;
    g_autofree char *args = NULL;
    g_autofree char *hello = NULL;

    g_free(m->log);
    m->log = g_strdup_printf("%s/trace-%u", m->dir, m->starts++);
    if (c->socket) {
        platform = g_strdup_printf("-chardev socket,id=pccd,path=%s,"
                                   "reconnect-ms=50", m->sock);
    }
    args = g_strdup_printf(
        "%s %s,%s%s -D %s -trace pcc_chardev_rx -trace pcc_*resume* "
        "-trace pcc_chardev_held_load -trace pcc_mailbox_*%s",
        platform ? platform : "", c->cls->args,
        c->socket ? "chardev=pccd" : "spool=",
        c->socket ? "" : m->spool, m->log,
        incoming ? " -incoming defer" : "");
    m->qts = pcc_start_virt(args);
    qtest_irq_intercept_out_named(m->qts, "/machine/pcc-host",
                                  "sysbus-irq");
    if (c->socket) {
        m->conn = pcc_unix_accept(m->listener);
    }
}

static void mig_quit(Mig *m)
{
    qtest_quit(m->qts);
    m->qts = NULL;
    if (m->conn >= 0) {
        close(m->conn);
        m->conn = -1;
    }
}

/* The platform: frames */

static void frame_read(Mig *m, PccFrame *f)
{
    g_assert_true(pcc_frame_read(m->conn, f));
    g_assert_cmpuint(f->channel, ==, m->c->cls->index);
}

static void frame_write(Mig *m, uint8_t kind, uint8_t layout, uint64_t ref,
                        const GByteArray *payload)
{
    pcc_frame_write(m->conn, PCC_FRAME_MAGIC_V3, m->c->cls->index, kind,
                    layout, ++m->seq, ref, payload);
}

/* The session line that ends a hello's payload */
static char *hello_session(const GByteArray *payload)
{
    const char *text = (const char *)payload->data;
    g_autofree char *copy = g_strndup(text, payload->len);
    const char *line = g_strrstr(copy, "session ");

    g_assert_nonnull(line);
    return g_strndup(line + strlen("session "), 16);
}

/*
 * The next request the platform gets, its id in *@id. Spool: the oldest
 * file in outbox/, taken (removed) if @take. Socket: the next request
 * frame; hellos on the way set the session.
 */
static GByteArray *platform_request(Mig *m, uint64_t *id, bool take)
{
    if (!m->c->socket) {
        gint64 deadline = g_get_monotonic_time() +
                          WAIT_TIMEOUT_S * G_TIME_SPAN_SECOND;
        g_autoptr(GPtrArray) files = NULL;
        GByteArray *req;
        const char *name;

        for (;;) {
            files = pcc_list_files(m->outbox);
            if (files->len) {
                break;
            }
            g_clear_pointer(&files, g_ptr_array_unref);
            g_assert_cmpint(g_get_monotonic_time(), <, deadline);
            g_usleep(1000);
        }
        /* one request at a time: QEMU never has two out here */
        g_assert_cmpuint(files->len, ==, 1);
        name = g_ptr_array_index(files, 0);
        g_assert_true(pcc_is_outbox_name(name, m->c->cls->index,
                                         extended(m->c->cls) ||
                                         m->c->cls->role != ROLE_MAILBOX ?
                                         "ext" : "gen"));
        *id = pcc_spool_name_seq(name);
        req = pcc_read_file(m->outbox, name);
        if (take) {
            g_autofree char *path = g_build_filename(m->outbox, name, NULL);

            g_assert_cmpint(unlink(path), ==, 0);
            m->requests_seen++;
        }
        return req;
    }
    for (;;) {
        PccFrame f;

        frame_read(m, &f);
        if (f.kind == PCC_FRAME_KIND_HELLO) {
            g_free(m->session);
            m->session = hello_session(f.payload);
            if (!m->first_session) {
                m->first_session = g_strdup(m->session);
            }
            g_byte_array_unref(f.payload);
            continue;
        }
        g_assert_cmpuint(f.kind, ==, PCC_FRAME_KIND_REQUEST);
        g_assert_cmpuint(f.ref, ==, 0);
        *id = f.id;
        m->requests_seen++;
        return f.payload;
    }
}

static char *answer_key(Mig *m, uint64_t id)
{
    /* the spool has no sessions: its ids are unique sequence numbers */
    return g_strdup_printf("%s/%" PRIu64, m->c->socket ? m->session : "",
                           id);
}

/* The answer the platform gives to @req: the marker turned over */
static GByteArray *make_answer(const MigClass *cls, const GByteArray *req)
{
    GByteArray *a = g_byte_array_new();
    uint8_t b[MSG_LEN] = { 0 };

    /* a class may send less (pcc-hisi-uncore: 16 bytes) */
    g_assert_cmpuint(req->len, >=, EXT_MARKER);
    memcpy(b, req->data, MIN(req->len, MSG_LEN));
    if (cls->role == ROLE_INITIATOR) {
        /* an MCTP message back, on the responder */
        stl_le_p(b + EXT_SIGNATURE, PCC_SIGNATURE | answer_index(cls));
        stl_le_p(b + EXT_FLAGS, 0);
        stl_le_p(b + EXT_MARKER,
                 ANSWER_OF(ldl_le_p(req->data + EXT_MARKER)));
    } else if (extended(cls)) {
        stl_le_p(b + EXT_MARKER,
                 ANSWER_OF(ldl_le_p(req->data + EXT_MARKER)));
    } else {
        stw_le_p(b + GEN_STATUS, GEN_STATUS_CMD_COMPLETE);
        stl_le_p(b + GEN_MARKER,
                 ANSWER_OF(ldl_le_p(req->data + GEN_MARKER)));
    }
    g_byte_array_append(a, b, sizeof(b));
    return a;
}

static void platform_send(Mig *m, uint8_t kind, uint64_t ref,
                          const GByteArray *msg)
{
    const MigClass *cls = m->c->cls;
    bool gen = cls->role == ROLE_MAILBOX && !extended(cls);

    if (m->c->socket) {
        frame_write(m, kind, gen ? LAYOUT_GEN : LAYOUT_EXT, ref, msg);
        return;
    }
    if (kind == PCC_FRAME_KIND_NOTIFICATION) {
        g_autofree char *name = pcc_spool_inbox_name(++m->seq, cls->index,
                                                     "ntf");

        pcc_spool_drop(m->spool, name, msg);
    } else {
        g_autofree char *name = pcc_spool_response_name(++m->seq,
                                                        cls->index, ref,
                                                        gen ? "gen" : "ext");

        pcc_spool_drop(m->spool, name, msg);
    }
}

/*
 * Answer request @id: a request seen before (same session and id) gets
 * the stored answer again, as pccd answers from its memory; only a new
 * one counts as acted on
 */
static void platform_answer(Mig *m, uint64_t id, const GByteArray *req)
{
    g_autofree char *key = answer_key(m, id);
    GByteArray *answer = g_hash_table_lookup(m->answers, key);

    if (!answer) {
        answer = make_answer(m->c->cls, req);
        g_hash_table_insert(m->answers, g_steal_pointer(&key), answer);
        m->requests_acted++;
    }
    platform_send(m, PCC_FRAME_KIND_RESPONSE, id, answer);
}

static GByteArray *make_notification(const MigClass *cls, uint32_t marker)
{
    GByteArray *n = g_byte_array_new();
    uint8_t b[MSG_LEN] = { 0 };

    stl_le_p(b + EXT_SIGNATURE, PCC_SIGNATURE | cls->index);
    stl_le_p(b + EXT_LENGTH, MSG_LEN - EXT_MSG_OVERHEAD);
    stl_le_p(b + EXT_COMMAND, 0x4e544659);
    stl_le_p(b + EXT_MARKER, marker);
    g_byte_array_append(n, b, sizeof(b));
    return n;
}

/* The guest */

/* Fill the subspace with a 20-byte request carrying @marker and ring */
static void guest_ring(Mig *m, uint32_t marker)
{
    const MigClass *cls = m->c->cls;
    uint8_t b[MSG_LEN] = { 0 };

    stl_le_p(b, PCC_SIGNATURE | cls->index);
    if (extended(cls)) {
        stl_le_p(b + EXT_FLAGS, EXT_FLAG_NOTIFY);
        stl_le_p(b + EXT_LENGTH, MSG_LEN - EXT_MSG_OVERHEAD);
        stl_le_p(b + EXT_COMMAND, cls->role == ROLE_INITIATOR ?
                 MCTP_COMMAND : 0x51);
        stl_le_p(b + EXT_MARKER, marker);
    } else {
        stw_le_p(b + GEN_COMMAND, GEN_CMD_GENERATE_SCI | 0x51);
        stl_le_p(b + GEN_MARKER, marker);
    }
    qtest_memwrite(m->qts, pcc_shmem_addr(cls->index), b, sizeof(b));
    if (extended(cls)) {
        qtest_writel(m->qts, reg(cls, cls->index, REG_CMD_COMPLETE), 0);
    }
    qtest_writel(m->qts, reg(cls, cls->index, REG_DOORBELL), 1);
}

/* The answer or notification carrying @marker is there for the guest */
static void guest_wait_answer(Mig *m, uint32_t marker)
{
    const MigClass *cls = m->c->cls;
    unsigned idx = answer_index(cls);
    uint64_t shmem = pcc_shmem_addr(idx);

    if (cls->role != ROLE_MAILBOX) {
        g_assert_true(pcc_wait_readl(m->qts,
                                     reg(cls, idx, REG_CMD_COMPLETE), 1, 0));
        g_assert_cmphex(qtest_readl(m->qts, shmem + EXT_MARKER), ==, marker);
        g_assert_cmphex(qtest_readl(m->qts, shmem), ==, PCC_SIGNATURE | idx);
    } else if (extended(cls)) {
        g_assert_true(pcc_wait_readl(m->qts,
                                     reg(cls, idx, REG_CMD_COMPLETE), 1, 1));
        g_assert_cmphex(qtest_readl(m->qts, shmem + EXT_MARKER), ==, marker);
        g_assert_cmphex(qtest_readl(m->qts,
                                    reg(cls, idx, REG_ERROR_STATUS)), ==, 0);
    } else {
        uint16_t status;

        g_assert_true(pcc_wait_readl(m->qts, shmem + GEN_COMMAND,
                                     GEN_STATUS_CMD_COMPLETE << 16,
                                     GEN_STATUS_CMD_COMPLETE << 16));
        status = qtest_readw(m->qts, shmem + GEN_STATUS);
        g_assert_cmphex(status & GEN_STATUS_ERROR, ==, 0);
        g_assert_cmphex(qtest_readl(m->qts, shmem + GEN_MARKER), ==, marker);
    }
    if (cls->irq) {
        g_assert_true(qtest_get_irq(m->qts, pcc_irq_line(idx)));
    }
}

/* The guest is done with it: acknowledge (and free the responder) */
static void guest_consume(Mig *m)
{
    const MigClass *cls = m->c->cls;
    unsigned idx = answer_index(cls);

    if (cls->irq) {
        qtest_writel(m->qts, reg(cls, idx, REG_PLATFORM_ACK), 1);
        g_assert_false(qtest_get_irq(m->qts, pcc_irq_line(idx)));
    }
    if (cls->role != ROLE_MAILBOX) {
        qtest_writel(m->qts, reg(cls, idx, REG_CMD_COMPLETE), 1);
        qtest_writel(m->qts, reg(cls, idx, REG_DOORBELL), 1);
    }
}

static uint64_t answers_seen(Mig *m)
{
    return pcc_subspace_counter(m->qts, answer_index(m->c->cls),
                                answer_counter(m->c->cls));
}

/* A platform message (answer or notification) arrives for @marker */
static void platform_give(Mig *m, uint64_t id, const GByteArray *req,
                          uint32_t marker)
{
    if (m->c->cls->role == ROLE_RESPONDER) {
        g_autoptr(GByteArray) n = make_notification(m->c->cls, marker);

        platform_send(m, PCC_FRAME_KIND_NOTIFICATION, 0, n);
        return;
    }
    platform_answer(m, id, req);
}

/*
 * Up to the state under test: returns the id of the request involved
 * (0 for a notification) and its bytes in *@req
 */
static uint64_t reach_state(Mig *m, uint32_t marker, GByteArray **req)
{
    const MigCase *c = m->c;
    bool responder = c->cls->role == ROLE_RESPONDER;
    uint64_t id = 0;

    if (!responder) {
        guest_ring(m, marker);
        /* the spool request stays in outbox/ over an incoming migration */
        *req = platform_request(m, &id, c->state != STATE_PENDING ||
                                c->socket);
    }
    switch (c->state) {
    case STATE_PENDING:
        break;
    case STATE_QUEUED:
        pcc_vm_stop(m->qts);
        platform_give(m, id, *req, marker);
        if (c->socket) {
            /* QEMU read it: it waits in the queue of the stopped VM */
            pcc_wait_log_has(m->log, "pcc_chardev_rx ");
        }
        break;
    case STATE_UNACKED:
        platform_give(m, id, *req, marker);
        guest_wait_answer(m, responder ? marker : ANSWER_OF(marker));
        break;
    }
    return id;
}

/*
 * After the migration or the loadvm: the state under test goes on to its
 * end, exactly once
 */
static void finish_state(Mig *m, uint64_t id, const GByteArray *req,
                         uint32_t marker, uint64_t seen_before)
{
    const MigCase *c = m->c;
    bool responder = c->cls->role == ROLE_RESPONDER;
    uint32_t want = responder ? marker : ANSWER_OF(marker);

    if (c->state == STATE_PENDING ||
        (c->state == STATE_QUEUED && c->mode == MODE_SNAPSHOT &&
         !c->socket)) {
        /*
         * The request reaches the platform (again), with its id: over a
         * shared spool the file was still in outbox/; a socket sends it
         * again after a hello of the source's session; after a loadvm
         * whose answer the spool no longer has, it is written again
         */
        g_autoptr(GByteArray) again = NULL;
        uint64_t again_id;

        again = platform_request(m, &again_id, true);
        g_assert_cmpuint(again_id, ==, id);
        g_assert_cmpmem(again->data, again->len, req->data, req->len);
        if (c->socket) {
            g_assert_cmpstr(m->session, ==, m->first_session);
        }
        platform_answer(m, id, again);
    }
    guest_wait_answer(m, want);
    g_assert_cmpuint(answers_seen(m) - seen_before, ==,
                     c->state == STATE_UNACKED ? 0 : 1);
    guest_consume(m);
}

/*
 * One more exchange: a request the platform has not seen, one answer;
 * nothing stray came before it
 */
static void exchange_after(Mig *m, uint32_t marker, uint64_t old_id)
{
    uint64_t seen = answers_seen(m);
    g_autoptr(GByteArray) req = NULL;
    uint64_t id = 0;

    if (m->c->cls->role == ROLE_RESPONDER) {
        platform_give(m, 0, NULL, marker);
        guest_wait_answer(m, marker);
    } else {
        g_autofree char *key = NULL;

        guest_ring(m, marker);
        req = platform_request(m, &id, true);
        /* a request the platform has not seen: a new id (or session) */
        key = answer_key(m, id);
        g_assert_null(g_hash_table_lookup(m->answers, key));
        g_assert_true(m->c->socket || id > old_id);
        g_assert_cmphex(ldl_le_p(req->data + (extended(m->c->cls) ?
                                              EXT_MARKER : GEN_MARKER)),
                        ==, marker);
        platform_answer(m, id, req);
        guest_wait_answer(m, ANSWER_OF(marker));
    }
    g_assert_cmpuint(answers_seen(m) - seen, ==, 1);
    guest_consume(m);
}

/*
 * Savevm case: after the snapshot the machine goes on and the state
 * reaches its end (the platform answers, the guest consumes); loadvm
 * must then bring the state back once more
 */
static void advance_past_snapshot(Mig *m, uint64_t id, const GByteArray *req,
                                  uint32_t marker)
{
    const MigCase *c = m->c;
    bool responder = c->cls->role == ROLE_RESPONDER;

    switch (c->state) {
    case STATE_PENDING:
        if (!c->socket) {
            g_autoptr(GByteArray) taken = NULL;
            uint64_t taken_id;

            taken = platform_request(m, &taken_id, true);
            g_assert_cmpuint(taken_id, ==, id);
        }
        platform_answer(m, id, req);
        break;
    case STATE_QUEUED:
        pcc_vm_cont(m->qts);
        break;
    case STATE_UNACKED:
        break;
    }
    guest_wait_answer(m, responder ? marker : ANSWER_OF(marker));
    guest_consume(m);
}

static void test_migration(const void *opaque)
{
    const MigCase *c = opaque;
    Mig m = { .c = c, .listener = -1, .conn = -1 };
    g_autoptr(GByteArray) req = NULL;
    g_autofree char *state = NULL;
    g_autofree char *uri = NULL;
    g_autofree char *disk = NULL;
    uint32_t marker = 0x11000000u | (c->cls->index << 16) |
                      (c->state << 8) | c->mode;
    uint64_t seen, id;

    m.dir = pcc_make_tmp_dir();
    m.spool = g_build_filename(m.dir, "spool", NULL);
    m.outbox = g_build_filename(m.spool, "outbox", NULL);
    m.sock = g_build_filename(m.dir, "pccd.sock", NULL);
    m.answers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify)g_byte_array_unref);
    m.seq = g_get_real_time() * 1000;
    if (c->socket) {
        m.listener = pcc_unix_listen(m.sock);
    }
    mig_start(&m, false);

    if (c->mode == MODE_MIGRATE) {
        id = reach_state(&m, marker, &req);
        state = g_build_filename(m.dir, "state", NULL);
        uri = g_strdup_printf("file:%s", state);
        pcc_migrate(m.qts, uri);
        mig_quit(&m);
        mig_start(&m, true);
        pcc_migrate_incoming(m.qts, uri, true);
        seen = 0;
    } else {
        disk = g_build_filename(m.dir, "snapshot.qcow2", NULL);
        pcc_snapshot_disk_add(m.qts, disk, "snapshot");
        id = reach_state(&m, marker, &req);
        pcc_savevm(m.qts, "mid");
        advance_past_snapshot(&m, id, req, marker);
        seen = answers_seen(&m);
        pcc_loadvm(m.qts, "mid");
        g_assert_true(pcc_vm_running(m.qts));
    }
    finish_state(&m, id, req, marker, seen);
    exchange_after(&m, marker + 1, id);

    /* the platform acted once per request: this one and the last */
    if (c->cls->role != ROLE_RESPONDER) {
        g_assert_cmpuint(m.requests_acted, ==, 2);
        g_assert_cmpuint(m.requests_seen, >=, 2);
    }
    mig_quit(&m);
    if (m.listener >= 0) {
        close(m.listener);
    }
    g_hash_table_unref(m.answers);
    pcc_rm_rf(m.dir);
    g_free(m.dir);
    g_free(m.spool);
    g_free(m.outbox);
    g_free(m.sock);
    g_free(m.log);
    g_free(m.session);
    g_free(m.first_session);
}

/*
 * What the spool cannot do after a loadvm: its files are the platform's
 * and not in the snapshot, so a request the platform took, or an answer
 * the guest consumed, after the savevm of a class without a mailbox is
 * not brought back (pcc.rst, "Migration and snapshots")
 */
static bool case_applies(const MigCase *c)
{
    if (c->cls->role == ROLE_RESPONDER && c->state == STATE_PENDING) {
        return false;
    }
    return c->socket || c->mode == MODE_MIGRATE ||
           c->cls->role == ROLE_MAILBOX || c->state == STATE_UNACKED;
}

int main(int argc, char **argv)
{
    unsigned i, t, s, mode;

    g_test_init(&argc, &argv, NULL);
    if (!qtest_has_machine("virt")) {
        return g_test_run();
    }
    for (i = 0; i < ARRAY_SIZE(classes); i++) {
        if (!qtest_has_device(classes[i].qom_type)) {
            continue;
        }
        for (t = 0; t < 2; t++) {
            for (s = STATE_PENDING; s <= STATE_UNACKED; s++) {
                for (mode = MODE_MIGRATE; mode <= MODE_SNAPSHOT; mode++) {
                    MigCase *c = g_new0(MigCase, 1);
                    g_autofree char *path = NULL;

                    c->cls = &classes[i];
                    c->socket = t;
                    c->state = s;
                    c->mode = mode;
                    if (!case_applies(c)) {
                        g_free(c);
                        continue;
                    }
                    path = g_strdup_printf("/pcc-migration/%s/%s/%s/%s",
                                           mode_names[mode],
                                           classes[i].name,
                                           t ? "socket" : "spool",
                                           state_names[s]);
                    qtest_add_data_func_full(path, c, test_migration,
                                             g_free);
                }
            }
        }
    }
    return g_test_run();
}
