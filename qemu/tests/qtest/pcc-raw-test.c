/*
 * QTest testcase for pcc-raw, a raw PCC subspace of any type
 *
 * Each type is driven as drivers/mailbox/pcc.c drives it: the PCCT's
 * subtable of the type (ACPI 6.5 tables 14.4 to 14.8), the interrupt
 * flags Linux needs (type 1 edge triggered), the notify-on-completion
 * flag of type 3, and type 4's notifications and their acknowledgement.
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

#define CHANNEL             1
#define PCCT_IRQ_FLAG_EDGE  (1u << 1)

static PccMailbox *raw_start(unsigned type)
{
    g_autofree char *args = g_strdup_printf(
        "-device pcc-raw,channel=1,subspace-type=%u,spool=%%s", type);

    return pcc_mailbox_start(args, CHANNEL, NULL);
}

/* The subtable of subspace @index in @qts's PCCT */
static const uint8_t *raw_subtable(PccAcpiTables *t, unsigned index)
{
    const uint8_t *s = pcc_acpi_find_table(t, "PCCT", NULL, 0);
    unsigned i;

    g_assert_nonnull(s);
    s += PCCT_SUBSPACES;
    for (i = 0; i < index; i++) {
        s += s[1];
    }
    return s;
}

/* Types 0 to 2: the generic layout, answered in place */
static void exchange_generic(PccMailbox *m, bool irq)
{
    g_autoptr(GByteArray) sent = NULL;
    g_autofree char *name = NULL;
    uint8_t msg[GEN_SPACE + 8] = { 0 };
    uint64_t id;

    stl_le_p(msg + GEN_SIGNATURE, PCC_SIGNATURE | CHANNEL);
    stw_le_p(msg + GEN_COMMAND, 0x42);
    stl_le_p(msg + GEN_SPACE, 0x11223344);
    id = pcc_mailbox_ring(m, msg, sizeof(msg), &sent);
    /* a raw mailbox sends its whole shared memory */
    g_assert_cmpuint(sent->len, ==, m->shmem_size);
    g_assert_cmpmem(sent->data, sizeof(msg), msg, sizeof(msg));
    stw_le_p(sent->data + GEN_STATUS, GEN_STATUS_CMD_COMPLETE);
    stl_le_p(sent->data + GEN_SPACE + 4, 0x55667788);
    name = pcc_mailbox_answer(m, id + 1, id, sent->data, sent->len);
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_cmphex(qtest_readl(m->qts, m->shmem + GEN_SPACE + 4), ==,
                    0x55667788);
    g_assert_cmpuint(!!(qtest_readw(m->qts, m->shmem + GEN_STATUS) &
                        GEN_STATUS_SCI_DOORBELL), ==, irq);
}

static void test_type0(void)
{
    PccMailbox *m = raw_start(0);

    g_assert_cmpuint(m->type, ==, TYPE_GENERIC);
    g_assert_cmpuint(m->latency, ==, 1000);
    exchange_generic(m, false);
    g_assert_false(pcc_mailbox_irq(m));
    pcc_mailbox_stop(m);
}

/* Type 1 has no ack register: Linux wants its interrupt edge triggered */
static void test_type1(void)
{
    PccMailbox *m = raw_start(1);
    PccAcpiTables t;

    g_assert_cmpuint(m->type, ==, TYPE_HW_REDUCED);
    pcc_acpi_tables_load(m->qts, &t);
    g_assert_cmphex(raw_subtable(&t, CHANNEL)[T2_PLATFORM_IRQ_FLAGS], ==,
                    PCCT_IRQ_FLAG_EDGE);
    g_assert_cmpuint(ldl_le_p(raw_subtable(&t, CHANNEL) + T2_PLATFORM_IRQ),
                     ==, pcc_gsi(CHANNEL));
    pcc_acpi_tables_free(&t);
    exchange_generic(m, true);
    /* an edge leaves nothing pending to acknowledge */
    g_assert_false(pcc_mailbox_irq(m));
    g_assert_cmphex(qtest_readl(m->qts, pcc_reg_addr(CHANNEL,
                                                     REG_PLATFORM_ACK)), ==,
                    0);
    pcc_mailbox_stop(m);
}

static void test_type2(void)
{
    PccMailbox *m = raw_start(2);
    PccAcpiTables t;

    g_assert_cmpuint(m->type, ==, TYPE_HW_REDUCED_TYPE2);
    pcc_acpi_tables_load(m->qts, &t);
    g_assert_cmphex(raw_subtable(&t, CHANNEL)[T2_PLATFORM_IRQ_FLAGS], ==, 0);
    pcc_acpi_tables_free(&t);
    exchange_generic(m, true);
    g_assert_true(pcc_mailbox_irq(m));
    pcc_mailbox_ack(m);
    g_assert_false(pcc_mailbox_irq(m));
    pcc_mailbox_stop(m);
}

/* Type 3: the interrupt only when the initiator asks for it */
static void exchange_type3(PccMailbox *m, uint32_t flags)
{
    g_autoptr(GByteArray) sent = NULL;
    g_autofree char *name = NULL;
    uint8_t msg[EXT_PAYLOAD + 4] = { 0 };
    uint64_t id;

    stl_le_p(msg + EXT_SIGNATURE, PCC_SIGNATURE | CHANNEL);
    stl_le_p(msg + EXT_FLAGS, flags);
    stl_le_p(msg + EXT_LENGTH, 8);
    stl_le_p(msg + EXT_COMMAND, 0x7);
    id = pcc_mailbox_ring(m, msg, sizeof(msg), &sent);
    g_assert_cmpuint(sent->len, ==, m->shmem_size);
    name = pcc_mailbox_answer(m, id + 1, id, msg, sizeof(msg));
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_cmpuint(pcc_mailbox_irq(m), ==, !!(flags & EXT_FLAG_NOTIFY));
    pcc_mailbox_ack(m);
}

static void test_type3(void)
{
    PccMailbox *m = raw_start(3);

    g_assert_cmpuint(m->type, ==, TYPE_EXT_INITIATOR);
    exchange_type3(m, EXT_FLAG_NOTIFY);
    exchange_type3(m, 0);
    exchange_type3(m, EXT_FLAG_NOTIFY);
    pcc_mailbox_stop(m);
}

/* Type 4: notifications, one at a time, each acknowledged by the guest */
static void test_type4(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *spool = g_build_filename(dir, "spool", NULL);
    g_autofree char *args = g_strdup_printf(
        "-device pcc-raw,channel=1,subspace-type=4,spool=%s", spool);
    QTestState *qts = pcc_start_virt(args);
    uint64_t cmd = pcc_reg_addr(CHANNEL, REG_CMD_COMPLETE);
    unsigned i;

    qtest_irq_intercept_out_named(qts, "/machine/pcc-host", "sysbus-irq");
    for (i = 0; i < 2; i++) {
        g_autoptr(GByteArray) msg = g_byte_array_new();
        g_autofree char *name = pcc_spool_inbox_name(10 + i, CHANNEL, "ntf");
        uint8_t b[EXT_PAYLOAD + 4] = { 0 };

        stl_le_p(b + EXT_SIGNATURE, PCC_SIGNATURE | CHANNEL);
        stl_le_p(b + EXT_FLAGS, EXT_FLAG_NOTIFY);
        stl_le_p(b + EXT_LENGTH, 8);
        stl_le_p(b + EXT_PAYLOAD, 0xabcd0000 + i);
        g_byte_array_append(msg, b, sizeof(b));
        pcc_spool_drop(spool, name, msg);
    }
    for (i = 0; i < 2; i++) {
        /* the platform cleared command complete to post it */
        g_assert_true(pcc_wait_readl(qts, cmd, 1, 0));
        g_assert_true(qtest_get_irq(qts, pcc_irq_line(CHANNEL)));
        g_assert_cmphex(qtest_readl(qts, pcc_shmem_addr(CHANNEL) +
                                    EXT_PAYLOAD), ==, 0xabcd0000 + i);
        qtest_writel(qts, pcc_reg_addr(CHANNEL, REG_PLATFORM_ACK), 1);
        g_assert_false(qtest_get_irq(qts, pcc_irq_line(CHANNEL)));
        /* consumed: the next one may come */
        qtest_writel(qts, cmd, 1);
        qtest_writel(qts, pcc_reg_addr(CHANNEL, REG_DOORBELL), 1);
    }
    qtest_quit(qts);
    pcc_rm_rf(dir);
}

static void expect_failure(const char *args, const char *want)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *full = g_strdup_printf(VIRT_ARGS " %s,spool=%s/a", args,
                                            dir);

    pcc_expect_startup_failure(full, want);
    pcc_rm_rf(dir);
}

static void test_errors(void)
{
    expect_failure("-device pcc-raw,subspace-type=5",
                   "subspace-type 5: a PCC subspace type from 0 to 4");
    expect_failure("-global pcc-host.platform-interrupt=off "
                   "-device pcc-raw,subspace-type=4",
                   "subspace-type 4 needs the PCCT platform interrupt flag");
    expect_failure("-device pcc-raw,latency-us=0", "latency-us 0");
}

/* Subspaces 0 and 80 share line 0: not with a type 1 among them */
static void test_error_edge_line_shared(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -device pcc-raw,channel=0,subspace-type=2,spool=%s/a"
        " -device pcc-raw,channel=80,subspace-type=1,spool=%s/b", dir, dir);

    pcc_expect_startup_failure(args, "needs an edge-triggered line of its "
                               "own");
    pcc_rm_rf(dir);
}

/*
 * Every index in use, each device with a spool of its own: more spools
 * than Linux gives a user inotify instances (128 by default), and the
 * last subspace still answers.
 */
static void test_all_indices(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autoptr(GString) args = g_string_new(NULL);
    g_autoptr(GByteArray) sent = NULL;
    g_autofree char *name = NULL;
    const unsigned last = 255;
    uint8_t msg[GEN_SPACE + 4] = { 0 };
    PccAcpiTables t;
    const uint8_t *pcct, *sub;
    PccMailbox *m;
    unsigned i, n = 0;
    uint64_t id;

    for (i = 0; i < last; i++) {
        g_string_append_printf(args, "-device pcc-raw,channel=%u,"
                               "spool=%s/s%u ", i, dir, i);
    }
    g_string_append_printf(args, "-device pcc-raw,channel=%u,spool=%%s",
                           last);
    m = pcc_mailbox_start(args->str, last, NULL);
    pcc_acpi_tables_load(m->qts, &t);
    pcct = pcc_acpi_find_table(&t, "PCCT", NULL, 0);
    g_assert_nonnull(pcct);
    for (sub = pcct + PCCT_SUBSPACES;
         sub < pcct + ldl_le_p(pcct + ACPI_HDR_LENGTH); sub += sub[1]) {
        g_assert_cmpuint(sub[0], ==, TYPE_HW_REDUCED_TYPE2);
        n++;
    }
    g_assert_cmpuint(n, ==, last + 1);
    pcc_acpi_tables_free(&t);

    stl_le_p(msg + GEN_SIGNATURE, PCC_SIGNATURE | last);
    stl_le_p(msg + GEN_SPACE, 0x2550255);
    id = pcc_mailbox_ring(m, msg, sizeof(msg), &sent);
    stw_le_p(sent->data + GEN_STATUS, GEN_STATUS_CMD_COMPLETE);
    name = pcc_mailbox_answer(m, id + 1, id, sent->data, sent->len);
    g_assert_true(pcc_mailbox_wait_complete(m));
    pcc_mailbox_stop(m);
    pcc_rm_rf(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    if (!qtest_has_machine("virt") || !qtest_has_device("pcc-raw")) {
        return g_test_run();
    }

    qtest_add_func("/pcc-raw/type0", test_type0);
    qtest_add_func("/pcc-raw/type1", test_type1);
    qtest_add_func("/pcc-raw/type2", test_type2);
    qtest_add_func("/pcc-raw/type3", test_type3);
    qtest_add_func("/pcc-raw/type4", test_type4);
    qtest_add_func("/pcc-raw/all-indices", test_all_indices);
    qtest_add_func("/pcc-raw/errors", test_errors);
    qtest_add_func("/pcc-raw/errors/edge-line-shared",
                   test_error_edge_line_shared);
    return g_test_run();
}
