/*
 * QTest testcase for the PCC bus's QMP and HMP commands
 *
 * query-pcc is checked against the PCCT the guest reads (addresses,
 * interrupts, types) and against what the test did (counters, register
 * state, round trips); each fault is armed on the subspace types it fits,
 * observed through the registers, the shared memory and the interrupt
 * line as Linux's pcc.c would see them, and refused where it does not
 * fit. pcc-notify is read back from the responder's shared memory.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qemu/base64.h"
#include "qemu/bswap.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "pcc-utils.h"

#define CHANNEL             1
#define NS_PER_MS           1000000ULL

static PccMailbox *raw_start(unsigned type)
{
    g_autofree char *args = g_strdup_printf(
        "-device pcc-raw,id=raw,channel=1,subspace-type=%u,spool=%%s", type);

    return pcc_mailbox_start(args, CHANNEL, NULL);
}

/* The query-pcc entry of subspace @index (a new reference), or NULL */
static QDict *subspace_info(QTestState *qts, unsigned index)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-pcc' }");
    QList *list = qdict_get_qlist(rsp, "return");
    QDict *found = NULL;
    QListEntry *e;

    g_assert_nonnull(list);
    QLIST_FOREACH_ENTRY(list, e) {
        QDict *s = qobject_to(QDict, qlist_entry_obj(e));

        if (qdict_get_int(s, "index") == index) {
            found = s;
            qobject_ref(found);
        }
    }
    qobject_unref(rsp);
    return found;
}

static unsigned armed_faults(QTestState *qts, unsigned index)
{
    g_autoptr(QDict) s = subspace_info(qts, index);

    return qlist_size(qdict_get_qlist(s, "faults"));
}

static void inject(QTestState *qts, unsigned index, const char *fault,
                   bool persistent)
{
    qtest_qmp_assert_success(qts, "{ 'execute': 'pcc-inject-fault', "
                             "'arguments': { 'index': %u, 'fault': %s, "
                             "'persistent': %i } }", index, fault,
                             persistent);
}

static void clear_faults(QTestState *qts, unsigned index)
{
    qtest_qmp_assert_success(qts, "{ 'execute': 'pcc-clear-fault', "
                             "'arguments': { 'index': %u } }", index);
    g_assert_cmpuint(armed_faults(qts, index), ==, 0);
}

/* A QMP command that must fail with an error naming @want */
static void expect_qmp_error(QTestState *qts, const char *want,
                             const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void expect_qmp_error(QTestState *qts, const char *want,
                             const char *fmt, ...)
{
    va_list ap;
    QDict *rsp, *error;

    va_start(ap, fmt);
    rsp = qtest_vqmp(qts, fmt, ap);
    va_end(ap);
    error = qdict_get_qdict(rsp, "error");
    g_assert_nonnull(error);
    g_test_message("QMP said: %s", qdict_get_str(error, "desc"));
    g_assert_nonnull(strstr(qdict_get_str(error, "desc"), want));
    qobject_unref(rsp);
}

/* The event of @fault firing on @index */
static void expect_fired(QTestState *qts, unsigned index, const char *fault)
{
    QDict *ev = qtest_qmp_eventwait_ref(qts, "PCC_FAULT_FIRED");
    QDict *data = qdict_get_qdict(ev, "data");

    g_assert_cmpint(qdict_get_int(data, "index"), ==, index);
    g_assert_cmpstr(qdict_get_str(data, "fault"), ==, fault);
    g_assert_cmpstr(qdict_get_str(data, "device"), ==,
                    "/machine/peripheral/raw");
    qobject_unref(ev);
}

/* The request of a generic (types 0-2) or extended (type 3) mailbox */
static size_t build_request(PccMailbox *m, uint8_t *msg, size_t size,
                            uint32_t tag)
{
    memset(msg, 0, size);
    stl_le_p(msg, PCC_SIGNATURE | m->index);
    if (m->type == TYPE_EXT_INITIATOR) {
        g_assert_cmpuint(size, >=, EXT_PAYLOAD + 4);
        stl_le_p(msg + EXT_FLAGS, EXT_FLAG_NOTIFY);
        stl_le_p(msg + EXT_LENGTH, 8);
        stl_le_p(msg + EXT_COMMAND, 1);
        stl_le_p(msg + EXT_PAYLOAD, tag);
        return EXT_PAYLOAD + 4;
    }
    g_assert_cmpuint(size, >=, GEN_SPACE + 4);
    stw_le_p(msg + GEN_COMMAND, 1);
    stl_le_p(msg + GEN_SPACE, tag);
    return GEN_SPACE + 4;
}

/*
 * Ring the mailbox and answer the request as the platform, with @tag in
 * the answer's first data word. Returns the inbox file's name.
 */
static char *ring_and_answer(PccMailbox *m, uint32_t tag)
{
    uint8_t msg[EXT_PAYLOAD + 4];
    size_t len = build_request(m, msg, sizeof(msg), 0);
    g_autoptr(GByteArray) sent = NULL;
    uint64_t id = pcc_mailbox_ring(m, msg, len, &sent);

    if (m->type == TYPE_EXT_INITIATOR) {
        stl_le_p(sent->data + EXT_PAYLOAD, tag);
    } else {
        stw_le_p(sent->data + GEN_STATUS, GEN_STATUS_CMD_COMPLETE);
        stl_le_p(sent->data + GEN_SPACE, tag);
    }
    return pcc_mailbox_answer(m, id + 1, id, sent->data, len);
}

/* A full exchange that must complete normally, with its interrupt */
static void exchange(PccMailbox *m, uint32_t tag)
{
    g_autofree char *name = ring_and_answer(m, tag);

    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_cmphex(qtest_readl(m->qts, m->shmem +
                                (m->type == TYPE_EXT_INITIATOR ?
                                 EXT_PAYLOAD : GEN_SPACE)), ==, tag);
    if (m->ack.addr) {
        g_assert_true(pcc_mailbox_irq(m));
        pcc_mailbox_ack(m);
    }
    g_assert_false(pcc_mailbox_irq(m));
}

static bool error_bit(PccMailbox *m)
{
    if (m->type == TYPE_EXT_INITIATOR) {
        return qtest_readl(m->qts, m->error_reg) & 1;
    }
    return qtest_readw(m->qts, m->shmem + GEN_STATUS) & GEN_STATUS_ERROR;
}

/* query-pcc against the PCCT and the command line */
static void test_query(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        "-device pcc-mctp,id=mctp,channel=0,spool=%s/m "
        "-device pcc-raw,id=raw,channel=5,subspace-type=2,"
        "shmem-size=0x2000,spool=%s/r", dir, dir);
    QTestState *qts = pcc_start_virt(args);
    static const struct {
        unsigned index, type;
        const char *role, *device, *device_type;
        uint32_t shmem_size;
    } want[] = {
        { 0, 3, "initiator", "/machine/peripheral/mctp", "pcc-mctp", 0x1000 },
        { 1, 4, "responder", "/machine/peripheral/mctp", "pcc-mctp", 0x1000 },
        { 5, 2, "mailbox", "/machine/peripheral/raw", "pcc-raw", 0x2000 },
    };
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-pcc' }");
    QList *list = qdict_get_qlist(rsp, "return");
    QListEntry *e;
    unsigned i = 0;

    g_assert_cmpuint(qlist_size(list), ==, ARRAY_SIZE(want));
    QLIST_FOREACH_ENTRY(list, e) {
        QDict *s = qobject_to(QDict, qlist_entry_obj(e));
        QDict *regs = qdict_get_qdict(s, "registers");
        QDict *counters = qdict_get_qdict(s, "counters");

        g_assert_cmpint(qdict_get_int(s, "index"), ==, want[i].index);
        g_assert_cmpint(qdict_get_int(s, "type"), ==, want[i].type);
        g_assert_cmpstr(qdict_get_str(s, "role"), ==, want[i].role);
        g_assert_cmpstr(qdict_get_str(s, "device"), ==, want[i].device);
        g_assert_cmpstr(qdict_get_str(s, "device-type"), ==,
                        want[i].device_type);
        g_assert_cmpuint(qdict_get_int(s, "regs-address"), ==,
                         pcc_reg_addr(want[i].index, 0));
        g_assert_cmpuint(qdict_get_int(s, "shmem-address"), ==,
                         pcc_shmem_addr(want[i].index));
        g_assert_cmpuint(qdict_get_int(s, "shmem-size"), ==,
                         want[i].shmem_size);
        g_assert_cmpuint(qdict_get_int(s, "gsi"), ==,
                         pcc_gsi(want[i].index));
        g_assert_true(qdict_get_bool(s, "interrupt"));
        g_assert_cmpuint(qdict_get_int(counters, "doorbells"), ==, 0);
        g_assert_cmpuint(qdict_get_int(counters, "faults-fired"), ==, 0);
        g_assert_false(qdict_get_bool(regs, "interrupt-pending"));
        g_assert_false(qdict_get_bool(regs, "error"));
        g_assert_cmpuint(qlist_size(qdict_get_qlist(s, "faults")), ==, 0);
        /* responders send no requests: no round trips */
        g_assert_cmpuint(qdict_haskey(s, "round-trip"), ==,
                         want[i].type != 4);
        i++;
    }
    qobject_unref(rsp);
    qtest_quit(qts);
    pcc_rm_rf(dir);
}

/* The PCCT that the guest reads agrees with query-pcc */
static void test_query_matches_pcct(void)
{
    PccMailbox *m = raw_start(3);
    g_autoptr(QDict) s = subspace_info(m->qts, CHANNEL);

    g_assert_cmpuint(qdict_get_int(s, "shmem-address"), ==, m->shmem);
    g_assert_cmpuint(qdict_get_int(s, "shmem-size"), ==, m->shmem_size);
    g_assert_cmpuint(qdict_get_int(s, "regs-address") + REG_CMD_COMPLETE,
                     ==, m->cmd_check);
    g_assert_cmpuint(qdict_get_int(s, "regs-address") + REG_ERROR_STATUS,
                     ==, m->error_reg);
    g_assert_cmpuint(qdict_get_int(s, "regs-address") + REG_DOORBELL, ==,
                     m->doorbell.addr);
    g_assert_cmpuint(qdict_get_int(s, "type"), ==, m->type);
    pcc_mailbox_stop(m);
}

/* Counters, register state and round trips follow an exchange */
static void test_counters_and_round_trip(void)
{
    PccMailbox *m = raw_start(2);
    g_autoptr(QDict) after = NULL;
    QDict *counters, *rt, *regs;
    unsigned i;

    for (i = 0; i < 3; i++) {
        exchange(m, 0x100 + i);
    }
    after = subspace_info(m->qts, CHANNEL);
    counters = qdict_get_qdict(after, "counters");
    rt = qdict_get_qdict(after, "round-trip");
    regs = qdict_get_qdict(after, "registers");
    g_assert_cmpuint(qdict_get_int(counters, "doorbells"), ==, 3);
    g_assert_cmpuint(qdict_get_int(counters, "completions"), ==, 3);
    g_assert_cmpuint(qdict_get_int(counters, "acks"), ==, 3);
    g_assert_cmpuint(qdict_get_int(counters, "errors"), ==, 0);
    g_assert_cmpuint(qdict_get_int(counters, "notifications"), ==, 0);
    g_assert_true(qdict_get_bool(regs, "command-complete"));
    g_assert_false(qdict_get_bool(regs, "interrupt-pending"));
    g_assert_cmpuint(qdict_get_int(rt, "count"), ==, 3);
    g_assert_cmpuint(qdict_get_int(rt, "p50-ns"), >, 0);
    g_assert_cmpuint(qdict_get_int(rt, "p50-ns"), <=,
                     qdict_get_int(rt, "p99-ns"));
    g_assert_cmpuint(qdict_get_int(rt, "p99-ns"), <=,
                     qdict_get_int(rt, "max-ns"));
    pcc_mailbox_stop(m);
}

/* A platform answer that is not valid counts as an error */
static void test_counters_errors(void)
{
    PccMailbox *m = raw_start(2);
    uint8_t msg[EXT_PAYLOAD + 4];
    size_t len = build_request(m, msg, sizeof(msg), 0);
    uint64_t id = pcc_mailbox_ring(m, msg, len, NULL);
    g_autofree char *bad = NULL;
    g_autofree char *good = NULL;

    /* too short for the generic header */
    bad = pcc_mailbox_answer(m, id + 1, id, msg, 4);
    pcc_mailbox_expect_rejected(m, bad);
    g_assert_cmpuint(pcc_subspace_counter(m->qts, CHANNEL, "errors"),
                     ==, 1);
    stw_le_p(msg + GEN_STATUS, GEN_STATUS_CMD_COMPLETE | GEN_STATUS_ERROR);
    good = pcc_mailbox_answer(m, id + 2, id, msg, len);
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_true(error_bit(m));
    g_assert_cmpuint(pcc_subspace_counter(m->qts, CHANNEL, "errors"),
                     ==, 2);
    pcc_mailbox_stop(m);
}

static void test_fault_withhold_irq(void)
{
    PccMailbox *m = raw_start(2);
    g_autofree char *name = NULL;

    inject(m->qts, CHANNEL, "withhold-irq", false);
    name = ring_and_answer(m, 0x11);
    g_assert_true(pcc_mailbox_wait_complete(m));
    expect_fired(m->qts, CHANNEL, "withhold-irq");
    g_assert_false(pcc_mailbox_irq(m));
    /* once: the next completion interrupts again */
    g_assert_cmpuint(armed_faults(m->qts, CHANNEL), ==, 0);
    exchange(m, 0x12);

    /* persistent until cleared */
    inject(m->qts, CHANNEL, "withhold-irq", true);
    g_free(name);
    name = ring_and_answer(m, 0x13);
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_false(pcc_mailbox_irq(m));
    g_free(name);
    name = ring_and_answer(m, 0x14);
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_false(pcc_mailbox_irq(m));
    g_assert_cmpuint(pcc_subspace_counter(m->qts, CHANNEL, "faults-fired"),
                     ==, 3);
    clear_faults(m->qts, CHANNEL);
    exchange(m, 0x15);
    pcc_mailbox_stop(m);
}

static void test_fault_spurious_irq(void)
{
    PccMailbox *m = raw_start(3);

    g_assert_false(pcc_mailbox_irq(m));
    inject(m->qts, CHANNEL, "spurious-irq", false);
    expect_fired(m->qts, CHANNEL, "spurious-irq");
    /* an interrupt with nothing to report: command complete unchanged */
    g_assert_true(pcc_mailbox_irq(m));
    g_assert_true(pcc_mailbox_complete(m));
    pcc_mailbox_ack(m);
    g_assert_false(pcc_mailbox_irq(m));
    /* it fired at once: nothing stays armed */
    g_assert_cmpuint(armed_faults(m->qts, CHANNEL), ==, 0);
    exchange(m, 0x21);
    pcc_mailbox_stop(m);
}

static void test_fault_late_completion(void)
{
    PccMailbox *m = raw_start(2);
    g_autofree char *name = NULL;
    g_autoptr(QDict) s = NULL;
    QDict *armed;

    qtest_qmp_assert_success(m->qts, "{ 'execute': 'pcc-inject-fault', "
                             "'arguments': { 'index': 1, "
                             "'fault': 'late-completion', "
                             "'delay-ms': 200 } }");
    s = subspace_info(m->qts, CHANNEL);
    armed = qobject_to(QDict, qlist_peek(qdict_get_qlist(s, "faults")));
    g_assert_cmpstr(qdict_get_str(armed, "fault"), ==, "late-completion");
    g_assert_cmpint(qdict_get_int(armed, "delay-ms"), ==, 200);
    g_assert_false(qdict_get_bool(armed, "persistent"));

    /*
     * The answer lands between two milliseconds of the virtual clock: the
     * delay counts from that instant, not from the millisecond before it
     * (a lab guest saw a 300 ms late answer come in under 300 ms).
     */
    qtest_clock_step(m->qts, NS_PER_MS / 2);
    name = ring_and_answer(m, 0x31);
    pcc_mailbox_expect_dropped(m, name);
    expect_fired(m->qts, CHANNEL, "late-completion");
    /* held back on the virtual clock: not a moment early, then done */
    qtest_clock_step(m->qts, 200 * NS_PER_MS - NS_PER_MS / 4);
    g_assert_false(pcc_mailbox_complete(m));
    g_assert_false(pcc_mailbox_irq(m));
    qtest_clock_step(m->qts, NS_PER_MS / 4);
    g_assert_true(pcc_mailbox_complete(m));
    g_assert_cmphex(qtest_readl(m->qts, m->shmem + GEN_SPACE), ==, 0x31);
    g_assert_true(pcc_mailbox_irq(m));
    pcc_mailbox_ack(m);
    exchange(m, 0x32);
    pcc_mailbox_stop(m);
}

/* A doorbell while a late completion is held back voids it */
static void test_fault_late_completion_superseded(void)
{
    PccMailbox *m = raw_start(2);
    g_autofree char *name = NULL;

    qtest_qmp_assert_success(m->qts, "{ 'execute': 'pcc-inject-fault', "
                             "'arguments': { 'index': 1, "
                             "'fault': 'late-completion', "
                             "'delay-ms': 50 } }");
    name = ring_and_answer(m, 0x33);
    pcc_mailbox_expect_dropped(m, name);
    /* the guest gave up and rings again */
    g_free(name);
    name = ring_and_answer(m, 0x34);
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_cmphex(qtest_readl(m->qts, m->shmem + GEN_SPACE), ==, 0x34);
    pcc_mailbox_ack(m);
    /* the old completion does not land later */
    qtest_writew(m->qts, m->shmem + GEN_STATUS, 0);
    qtest_clock_step(m->qts, 100 * NS_PER_MS);
    g_assert_false(pcc_mailbox_complete(m));
    g_assert_cmpuint(pcc_subspace_counter(m->qts, CHANNEL, "completions"),
                     ==, 1);
    pcc_mailbox_stop(m);
}

static void test_fault_no_completion(void)
{
    PccMailbox *m = raw_start(3);
    g_autofree char *name = NULL;

    inject(m->qts, CHANNEL, "no-completion", false);
    name = ring_and_answer(m, 0x41);
    pcc_mailbox_expect_dropped(m, name);
    expect_fired(m->qts, CHANNEL, "no-completion");
    qtest_clock_step(m->qts, 10000 * NS_PER_MS);
    g_assert_false(pcc_mailbox_complete(m));
    g_assert_false(pcc_mailbox_irq(m));
    /* the driver times out and tries again: served */
    exchange(m, 0x42);
    pcc_mailbox_stop(m);
}

static void fault_error_bit(unsigned type)
{
    PccMailbox *m = raw_start(type);
    g_autofree char *name = NULL;

    inject(m->qts, CHANNEL, "error-bit", false);
    name = ring_and_answer(m, 0x51);
    g_assert_true(pcc_mailbox_wait_complete(m));
    expect_fired(m->qts, CHANNEL, "error-bit");
    g_assert_true(error_bit(m));
    g_assert_cmpuint(pcc_subspace_counter(m->qts, CHANNEL, "errors"),
                     ==, 1);
    if (type == TYPE_EXT_INITIATOR) {
        qtest_writel(m->qts, m->error_reg, 0);
    }
    pcc_mailbox_ack(m);
    exchange(m, 0x52);
    g_assert_false(error_bit(m));
    pcc_mailbox_stop(m);
}

static void test_fault_error_bit_generic(void)
{
    fault_error_bit(TYPE_HW_REDUCED_TYPE2);
}

static void test_fault_error_bit_extended(void)
{
    fault_error_bit(TYPE_EXT_INITIATOR);
}

static void test_fault_corrupt_signature(void)
{
    PccMailbox *m = raw_start(0);
    g_autofree char *name = NULL;

    inject(m->qts, CHANNEL, "corrupt-signature", false);
    name = ring_and_answer(m, 0x61);
    g_assert_true(pcc_mailbox_wait_complete(m));
    expect_fired(m->qts, CHANNEL, "corrupt-signature");
    g_assert_cmphex(qtest_readl(m->qts, m->shmem), ==,
                    ~(PCC_SIGNATURE | CHANNEL));
    exchange(m, 0x62);
    g_assert_cmphex(qtest_readl(m->qts, m->shmem), ==,
                    PCC_SIGNATURE | CHANNEL);
    pcc_mailbox_stop(m);
}

static void test_fault_lengths(void)
{
    PccMailbox *m = raw_start(3);
    g_autofree char *name = NULL;

    inject(m->qts, CHANNEL, "short-length", false);
    name = ring_and_answer(m, 0x71);
    g_assert_true(pcc_mailbox_wait_complete(m));
    expect_fired(m->qts, CHANNEL, "short-length");
    g_assert_cmpuint(qtest_readl(m->qts, m->shmem + EXT_LENGTH), ==, 4);
    pcc_mailbox_ack(m);

    inject(m->qts, CHANNEL, "long-length", false);
    g_free(name);
    name = ring_and_answer(m, 0x72);
    g_assert_true(pcc_mailbox_wait_complete(m));
    expect_fired(m->qts, CHANNEL, "long-length");
    g_assert_cmpuint(qtest_readl(m->qts, m->shmem + EXT_LENGTH), ==,
                     m->shmem_size);
    pcc_mailbox_ack(m);

    exchange(m, 0x73);
    g_assert_cmpuint(qtest_readl(m->qts, m->shmem + EXT_LENGTH), ==, 8);
    pcc_mailbox_stop(m);
}

static void test_fault_drop_inbox_mailbox(void)
{
    PccMailbox *m = raw_start(2);
    g_autofree char *name = NULL;

    inject(m->qts, CHANNEL, "drop-inbox", false);
    name = ring_and_answer(m, 0x81);
    pcc_mailbox_expect_dropped(m, name);
    expect_fired(m->qts, CHANNEL, "drop-inbox");
    g_assert_cmpuint(pcc_subspace_counter(m->qts, CHANNEL, "completions"),
                     ==, 0);
    exchange(m, 0x82);
    pcc_mailbox_stop(m);
}

static void test_fault_stuck_irq(void)
{
    PccMailbox *m = raw_start(2);
    g_autofree char *name = NULL;

    inject(m->qts, CHANNEL, "stuck-irq", false);
    name = ring_and_answer(m, 0x91);
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_true(pcc_mailbox_irq(m));
    pcc_mailbox_ack(m);
    expect_fired(m->qts, CHANNEL, "stuck-irq");
    /* the line stays up after the ack; the next ack lowers it */
    g_assert_true(pcc_mailbox_irq(m));
    pcc_mailbox_ack(m);
    g_assert_false(pcc_mailbox_irq(m));
    exchange(m, 0x92);
    pcc_mailbox_stop(m);
}

/* Type 4: a responder, fed by pcc-notify and the spool */

typedef struct Responder {
    QTestState *qts;
    char *dir;
    char *spool;
} Responder;

static Responder *responder_start(void)
{
    Responder *r = g_new0(Responder, 1);
    g_autofree char *args = NULL;

    r->dir = pcc_make_tmp_dir();
    r->spool = g_build_filename(r->dir, "spool", NULL);
    args = g_strdup_printf("-device pcc-raw,id=raw,channel=1,"
                           "subspace-type=4,spool=%s", r->spool);
    r->qts = pcc_start_virt(args);
    qtest_irq_intercept_out_named(r->qts, "/machine/pcc-host", "sysbus-irq");
    return r;
}

static void responder_stop(Responder *r)
{
    qtest_quit(r->qts);
    pcc_rm_rf(r->dir);
    g_free(r->spool);
    g_free(r->dir);
    g_free(r);
}

static void notify(Responder *r, uint32_t command, const void *data,
                   size_t len)
{
    g_autofree char *b64 = g_base64_encode(data, len);

    qtest_qmp_assert_success(r->qts, "{ 'execute': 'pcc-notify', "
                             "'arguments': { 'index': 1, 'command': %u, "
                             "'data': %s } }", command, b64);
}

static bool posted(Responder *r)
{
    return !(qtest_readl(r->qts, pcc_reg_addr(CHANNEL, REG_CMD_COMPLETE)) &
             1);
}

static bool responder_irq(Responder *r)
{
    return qtest_get_irq(r->qts, pcc_irq_line(CHANNEL));
}

/* pcc_chan_acknowledge() and the client's "consumed" */
static void consume(Responder *r)
{
    qtest_writel(r->qts, pcc_reg_addr(CHANNEL, REG_PLATFORM_ACK), 1);
    qtest_writel(r->qts, pcc_reg_addr(CHANNEL, REG_CMD_COMPLETE), 1);
    qtest_writel(r->qts, pcc_reg_addr(CHANNEL, REG_DOORBELL), 1);
}

static uint32_t shmem_word(Responder *r, unsigned offset)
{
    return qtest_readl(r->qts, pcc_shmem_addr(CHANNEL) + offset);
}

static void test_notify(void)
{
    Responder *r = responder_start();
    static const uint8_t payload[] = { 1, 2, 3, 4, 5, 6 };
    uint8_t got[sizeof(payload)];

    notify(r, 0x77, payload, sizeof(payload));
    g_assert_true(posted(r));
    g_assert_true(responder_irq(r));
    g_assert_cmphex(shmem_word(r, EXT_SIGNATURE), ==,
                    PCC_SIGNATURE | CHANNEL);
    g_assert_cmphex(shmem_word(r, EXT_FLAGS), ==, EXT_FLAG_NOTIFY);
    g_assert_cmpuint(shmem_word(r, EXT_LENGTH), ==, 4 + sizeof(payload));
    g_assert_cmphex(shmem_word(r, EXT_COMMAND), ==, 0x77);
    qtest_memread(r->qts, pcc_shmem_addr(CHANNEL) + EXT_PAYLOAD, got,
                  sizeof(got));
    g_assert_cmpmem(got, sizeof(got), payload, sizeof(payload));
    g_assert_cmpuint(pcc_subspace_counter(r->qts, CHANNEL, "notifications"),
                     ==, 1);

    /* one at a time */
    expect_qmp_error(r->qts, "busy", "{ 'execute': 'pcc-notify', "
                     "'arguments': { 'index': 1 } }");
    consume(r);
    g_assert_false(responder_irq(r));
    g_assert_cmpuint(pcc_subspace_counter(r->qts, CHANNEL, "acks"),
                     ==, 1);

    /* flags given, no payload */
    qtest_qmp_assert_success(r->qts, "{ 'execute': 'pcc-notify', "
                             "'arguments': { 'index': 1, 'flags': 0 } }");
    g_assert_cmphex(shmem_word(r, EXT_FLAGS), ==, 0);
    g_assert_cmpuint(shmem_word(r, EXT_LENGTH), ==, 4);
    g_assert_cmphex(shmem_word(r, EXT_COMMAND), ==, 0);
    consume(r);
    responder_stop(r);
}

static void test_notify_errors(void)
{
    Responder *r = responder_start();
    g_autofree uint8_t *big = g_malloc0(PCC_SHMEM_DEFAULT);
    g_autofree char *b64 = g_base64_encode(big, PCC_SHMEM_DEFAULT -
                                           EXT_PAYLOAD + 1);
    g_autofree char *fits = g_base64_encode(big, PCC_SHMEM_DEFAULT -
                                            EXT_PAYLOAD);

    expect_qmp_error(r->qts, "does not fit", "{ 'execute': 'pcc-notify', "
                     "'arguments': { 'index': 1, 'data': %s } }", b64);
    expect_qmp_error(r->qts, "PCC subspace 2 does not exist",
                     "{ 'execute': 'pcc-notify', 'arguments': "
                     "{ 'index': 2 } }");
    expect_qmp_error(r->qts, "Base64",
                     "{ 'execute': 'pcc-notify', 'arguments': "
                     "{ 'index': 1, 'data': '!!!' } }");
    g_assert_false(posted(r));
    /* a message that fills the shared memory exactly */
    qtest_qmp_assert_success(r->qts, "{ 'execute': 'pcc-notify', "
                             "'arguments': { 'index': 1, 'data': %s } }",
                             fits);
    g_assert_cmpuint(shmem_word(r, EXT_LENGTH), ==,
                     PCC_SHMEM_DEFAULT - EXT_MSG_OVERHEAD);
    consume(r);
    responder_stop(r);

    {
        PccMailbox *m = raw_start(2);

        expect_qmp_error(m->qts, "only responder subspaces",
                         "{ 'execute': 'pcc-notify', 'arguments': "
                         "{ 'index': 1 } }");
        pcc_mailbox_stop(m);
    }
}

static void drop_notification(Responder *r, uint64_t seq, uint32_t tag)
{
    g_autoptr(GByteArray) msg = g_byte_array_new();
    g_autofree char *name = pcc_spool_inbox_name(seq, CHANNEL, "ntf");
    uint8_t b[EXT_PAYLOAD + 4] = { 0 };

    stl_le_p(b + EXT_SIGNATURE, PCC_SIGNATURE | CHANNEL);
    stl_le_p(b + EXT_FLAGS, EXT_FLAG_NOTIFY);
    stl_le_p(b + EXT_LENGTH, 8);
    stl_le_p(b + EXT_PAYLOAD, tag);
    g_byte_array_append(msg, b, sizeof(b));
    pcc_spool_drop(r->spool, name, msg);
}

static void wait_posted(Responder *r, uint32_t tag)
{
    g_assert_true(pcc_wait_readl(r->qts, pcc_reg_addr(CHANNEL,
                                                      REG_CMD_COMPLETE),
                                 1, 0));
    g_assert_cmphex(shmem_word(r, EXT_PAYLOAD), ==, tag);
}

static void test_fault_drop_inbox_responder(void)
{
    Responder *r = responder_start();
    g_autofree char *inbox = g_build_filename(r->spool, "inbox", NULL);
    g_autoptr(GPtrArray) left = NULL;

    inject(r->qts, CHANNEL, "drop-inbox", false);
    drop_notification(r, 10, 0xa1);
    drop_notification(r, 11, 0xa2);
    /* the first is taken and lost, the second is posted */
    wait_posted(r, 0xa2);
    left = pcc_list_files(inbox);
    g_assert_cmpuint(left->len, ==, 0);
    g_assert_cmpuint(pcc_subspace_counter(r->qts, CHANNEL, "notifications"),
                     ==, 1);
    g_assert_cmpuint(pcc_subspace_counter(r->qts, CHANNEL, "faults-fired"),
                     ==, 1);
    consume(r);
    responder_stop(r);
}

static void test_fault_duplicate_notification(void)
{
    Responder *r = responder_start();

    inject(r->qts, CHANNEL, "duplicate-notification", false);
    drop_notification(r, 10, 0xb1);
    drop_notification(r, 11, 0xb2);
    wait_posted(r, 0xb1);
    consume(r);
    /* the same message again, at once */
    g_assert_true(posted(r));
    g_assert_true(responder_irq(r));
    g_assert_cmphex(shmem_word(r, EXT_PAYLOAD), ==, 0xb1);
    consume(r);
    wait_posted(r, 0xb2);
    consume(r);
    g_assert_false(posted(r));
    g_assert_cmpuint(pcc_subspace_counter(r->qts, CHANNEL, "notifications"),
                     ==, 3);
    responder_stop(r);
}

static void test_fault_responder_spoilers(void)
{
    Responder *r = responder_start();
    static const uint8_t payload[8] = { 9 };

    inject(r->qts, CHANNEL, "corrupt-signature", false);
    inject(r->qts, CHANNEL, "long-length", false);
    notify(r, 1, payload, sizeof(payload));
    g_assert_cmphex(shmem_word(r, EXT_SIGNATURE), ==,
                    ~(PCC_SIGNATURE | CHANNEL));
    g_assert_cmpuint(shmem_word(r, EXT_LENGTH), ==, PCC_SHMEM_DEFAULT);
    consume(r);
    inject(r->qts, CHANNEL, "short-length", true);
    notify(r, 1, payload, sizeof(payload));
    g_assert_cmpuint(shmem_word(r, EXT_LENGTH), ==, 6);
    consume(r);
    notify(r, 1, payload, sizeof(payload));
    g_assert_cmpuint(shmem_word(r, EXT_LENGTH), ==, 6);
    consume(r);
    clear_faults(r->qts, CHANNEL);
    notify(r, 1, payload, sizeof(payload));
    g_assert_cmphex(shmem_word(r, EXT_SIGNATURE), ==,
                    PCC_SIGNATURE | CHANNEL);
    g_assert_cmpuint(shmem_word(r, EXT_LENGTH), ==, 12);
    consume(r);
    responder_stop(r);
}

/* Faults that do not fit, and bad arguments */

static void expect_misfit(QTestState *qts, const char *fault,
                          const char *want)
{
    expect_qmp_error(qts, want, "{ 'execute': 'pcc-inject-fault', "
                     "'arguments': { 'index': 1, 'fault': %s } }", fault);
}

static void test_fault_errors(void)
{
    PccMailbox *m = raw_start(0);
    Responder *r;

    /* type 0: polled, no interrupt, no length field */
    expect_misfit(m->qts, "withhold-irq", "has no interrupt");
    expect_misfit(m->qts, "spurious-irq", "has no interrupt");
    expect_misfit(m->qts, "stuck-irq", "level-triggered");
    expect_misfit(m->qts, "short-length", "length field");
    expect_misfit(m->qts, "duplicate-notification", "responder");
    expect_misfit(m->qts, "late-completion", "needs 'delay-ms'");
    expect_qmp_error(m->qts, "needs 'delay-ms'",
                     "{ 'execute': 'pcc-inject-fault', 'arguments': "
                     "{ 'index': 1, 'fault': 'late-completion', "
                     "'delay-ms': 0 } }");
    expect_qmp_error(m->qts, "'delay-ms' is for fault 'late-completion'",
                     "{ 'execute': 'pcc-inject-fault', 'arguments': "
                     "{ 'index': 1, 'fault': 'error-bit', "
                     "'delay-ms': 5 } }");
    expect_qmp_error(m->qts, "PCC subspace 7 does not exist",
                     "{ 'execute': 'pcc-inject-fault', 'arguments': "
                     "{ 'index': 7, 'fault': 'error-bit' } }");
    expect_qmp_error(m->qts, "PCC subspace 300 does not exist",
                     "{ 'execute': 'pcc-clear-fault', 'arguments': "
                     "{ 'index': 300 } }");
    expect_qmp_error(m->qts, "does not accept value",
                     "{ 'execute': 'pcc-inject-fault', 'arguments': "
                     "{ 'index': 1, 'fault': 'gremlins' } }");
    g_assert_cmpuint(armed_faults(m->qts, CHANNEL), ==, 0);
    pcc_mailbox_stop(m);

    /* type 1: an edge cannot stick */
    m = raw_start(1);
    expect_misfit(m->qts, "stuck-irq", "level-triggered");
    qtest_qmp_assert_success(m->qts, "{ 'execute': 'pcc-inject-fault', "
                             "'arguments': { 'index': 1, "
                             "'fault': 'spurious-irq' } }");
    expect_qmp_error(m->qts, "cannot be persistent",
                     "{ 'execute': 'pcc-inject-fault', 'arguments': "
                     "{ 'index': 1, 'fault': 'spurious-irq', "
                     "'persistent': true } }");
    pcc_mailbox_stop(m);

    /* type 4: nothing to complete */
    r = responder_start();
    expect_misfit(r->qts, "no-completion", "no commands to complete");
    expect_misfit(r->qts, "error-bit", "no commands to complete");
    responder_stop(r);
}

/* An armed fault replaces one of its kind; clear-fault takes one or all */
static void test_fault_arm_and_clear(void)
{
    PccMailbox *m = raw_start(2);
    g_autoptr(QDict) s = NULL;
    QDict *armed;

    inject(m->qts, CHANNEL, "error-bit", false);
    inject(m->qts, CHANNEL, "error-bit", true);
    inject(m->qts, CHANNEL, "stuck-irq", false);
    g_assert_cmpuint(armed_faults(m->qts, CHANNEL), ==, 2);
    s = subspace_info(m->qts, CHANNEL);
    armed = qobject_to(QDict, qlist_peek(qdict_get_qlist(s, "faults")));
    g_assert_cmpstr(qdict_get_str(armed, "fault"), ==, "error-bit");
    g_assert_true(qdict_get_bool(armed, "persistent"));
    qtest_qmp_assert_success(m->qts, "{ 'execute': 'pcc-clear-fault', "
                             "'arguments': { 'index': 1, "
                             "'fault': 'error-bit' } }");
    g_assert_cmpuint(armed_faults(m->qts, CHANNEL), ==, 1);
    clear_faults(m->qts, CHANNEL);
    exchange(m, 0xc1);
    g_assert_false(error_bit(m));
    pcc_mailbox_stop(m);
}

/* A machine without a PCC host: every command says so, nothing breaks */
static void test_no_pcc_bus(void)
{
    QTestState *qts = qtest_init("-machine none");
    g_autofree char *out = NULL;

    expect_qmp_error(qts, "this machine has no PCC bus",
                     "{ 'execute': 'query-pcc' }");
    expect_qmp_error(qts, "this machine has no PCC bus",
                     "{ 'execute': 'pcc-inject-fault', 'arguments': "
                     "{ 'index': 0, 'fault': 'error-bit' } }");
    expect_qmp_error(qts, "this machine has no PCC bus",
                     "{ 'execute': 'pcc-clear-fault', 'arguments': "
                     "{ 'index': 0 } }");
    expect_qmp_error(qts, "this machine has no PCC bus",
                     "{ 'execute': 'pcc-notify', 'arguments': "
                     "{ 'index': 0, 'data': '' } }");
    out = qtest_hmp(qts, "info pcc");
    g_assert_nonnull(strstr(out, "this machine has no PCC bus"));
    qtest_quit(qts);
}

static void test_hmp_info_pcc(void)
{
    PccMailbox *m = raw_start(3);
    g_autofree char *out = NULL;

    exchange(m, 0xd1);
    inject(m->qts, CHANNEL, "no-completion", true);
    out = qtest_hmp(m->qts, "info pcc");
    g_test_message("%s", out);
    g_assert_nonnull(strstr(out, "index type role"));
    /* index 1, type 3, a mailbox, owned by "raw", one doorbell */
    g_assert_true(g_regex_match_simple("\\n +1 +3 mailbox +raw +[0-9]+ "
                                          "+1 +0 +0 +1 +1 ", out, 0, 0));
    g_assert_nonnull(strstr(out, "fault no-completion (persistent)"));
    pcc_mailbox_stop(m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/pcc-qmp/query/subspaces", test_query);
    qtest_add_func("/pcc-qmp/query/matches-pcct", test_query_matches_pcct);
    qtest_add_func("/pcc-qmp/query/counters-round-trip",
                   test_counters_and_round_trip);
    qtest_add_func("/pcc-qmp/query/errors", test_counters_errors);
    qtest_add_func("/pcc-qmp/notify/post", test_notify);
    qtest_add_func("/pcc-qmp/notify/errors", test_notify_errors);
    qtest_add_func("/pcc-qmp/fault/withhold-irq", test_fault_withhold_irq);
    qtest_add_func("/pcc-qmp/fault/spurious-irq", test_fault_spurious_irq);
    qtest_add_func("/pcc-qmp/fault/late-completion",
                   test_fault_late_completion);
    qtest_add_func("/pcc-qmp/fault/late-completion-superseded",
                   test_fault_late_completion_superseded);
    qtest_add_func("/pcc-qmp/fault/no-completion", test_fault_no_completion);
    qtest_add_func("/pcc-qmp/fault/error-bit-generic",
                   test_fault_error_bit_generic);
    qtest_add_func("/pcc-qmp/fault/error-bit-extended",
                   test_fault_error_bit_extended);
    qtest_add_func("/pcc-qmp/fault/corrupt-signature",
                   test_fault_corrupt_signature);
    qtest_add_func("/pcc-qmp/fault/lengths", test_fault_lengths);
    qtest_add_func("/pcc-qmp/fault/drop-inbox-mailbox",
                   test_fault_drop_inbox_mailbox);
    qtest_add_func("/pcc-qmp/fault/drop-inbox-responder",
                   test_fault_drop_inbox_responder);
    qtest_add_func("/pcc-qmp/fault/duplicate-notification",
                   test_fault_duplicate_notification);
    qtest_add_func("/pcc-qmp/fault/responder-spoilers",
                   test_fault_responder_spoilers);
    qtest_add_func("/pcc-qmp/fault/stuck-irq", test_fault_stuck_irq);
    qtest_add_func("/pcc-qmp/fault/errors", test_fault_errors);
    qtest_add_func("/pcc-qmp/fault/arm-and-clear", test_fault_arm_and_clear);
    qtest_add_func("/pcc-qmp/hmp/info-pcc", test_hmp_info_pcc);
    qtest_add_func("/pcc-qmp/no-pcc-bus", test_no_pcc_bus);
    return g_test_run();
}
