/*
 * QTest testcase for pcc-opregion, a PCC OperationRegion behind an ACPI
 * thermal zone
 *
 * The SSDT is checked against ASL written out here and compiled by iasl;
 * the exchange is driven as ACPICA and drivers/acpi/acpi_pcc.c run it on
 * kernels up to 7.3: the whole 20-byte region into the shared memory from
 * its offset 0, the doorbell, the completion interrupt, the region back.
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

#define CHANNEL             4
#define OPREGION_ARGS       "-device pcc-opregion,channel=4,spool=%s"

/* The region: SIGN, FLGS, LENG, COMD, DATA */
#define REGION_LENGTH       20
#define REGION_DATA         16
#define CMD_READ_TEMP       1

static const char opregion_reference_asl[] =
    "DefinitionBlock (\"\", \"SSDT\", 2, \"BOCHS \", \"PCC-SSDT\", 1)\n"
    "{\n"
    "    Scope (\\_SB)\n"
    "    {\n"
    "        ThermalZone (TZ04)\n"
    "        {\n"
    "            OperationRegion (PR04, PCC, 0x04, 0x14)\n"
    "            Field (PR04, DWordAcc, NoLock, Preserve)\n"
    "            {\n"
    "                SIGN,   32,\n"
    "                FLGS,   32,\n"
    "                LENG,   32,\n"
    "                COMD,   32,\n"
    "                DATA,   32\n"
    "            }\n"
    "            Method (_TMP, 0, Serialized)\n"
    "            {\n"
    "                Name (BUFF, Buffer (0x04) { 0x00, 0x00, 0x00, 0x00 })\n"
    "                CreateDWordField (BUFF, Zero, WORD)\n"
    "                WORD = 0x50434304\n"
    "                SIGN = BUFF\n"
    "                WORD = One\n"
    "                FLGS = BUFF\n"
    "                WORD = 0x08\n"
    "                LENG = BUFF\n"
    "                WORD = Zero\n"
    "                DATA = BUFF\n"
    "                WORD = One\n"
    "                COMD = BUFF\n"
    "                Return (ToInteger (DATA))\n"
    "            }\n"
    "            Method (_CRT, 0, NotSerialized)\n"
    "            {\n"
    "                Return (0x0E94)\n"
    "            }\n"
    "        }\n"
    "    }\n"
    "}\n";

static void test_tables(void)
{
    PccMailbox *m = pcc_mailbox_start(OPREGION_ARGS, CHANNEL, NULL);
    g_autofree char *dsl = NULL;
    PccAcpiTables t;
    uint8_t *ssdt;

    /* an extended initiator with the completion interrupt */
    g_assert_cmpuint(m->type, ==, TYPE_EXT_INITIATOR);
    g_assert_cmpuint(m->latency, ==, 2000);
    g_assert_cmphex(m->shmem, ==, pcc_shmem_addr(CHANNEL));
    pcc_acpi_tables_load(m->qts, &t);
    ssdt = pcc_acpi_find_table(&t, "SSDT", "PCC-SSDT", 0);
    g_assert_nonnull(ssdt);
    pcc_assert_aml_body_equal(m->dir, ssdt, opregion_reference_asl);
    pcc_write_table(m->dir, "ssdt.dat", ssdt);
    pcc_acpi_tables_free(&t);
    pcc_run_iasl(m->dir, "ssdt", &dsl);
    g_assert_nonnull(strstr(dsl, "OperationRegion (PR04, PCC, 0x04, 0x14)"));
    pcc_mailbox_stop(m);
}

static void region(uint8_t *r, uint32_t sig, uint32_t cmd, uint32_t data)
{
    stl_le_p(r, sig);
    stl_le_p(r + 4, 1);
    stl_le_p(r + 8, 8);
    stl_le_p(r + 12, cmd);
    stl_le_p(r + REGION_DATA, data);
}

static void test_read_temperature(void)
{
    PccMailbox *m = pcc_mailbox_start(OPREGION_ARGS, CHANNEL, NULL);
    g_autoptr(GByteArray) sent = NULL;
    g_autofree char *name = NULL;
    uint8_t r[REGION_LENGTH], answer[REGION_LENGTH];
    uint64_t id;

    region(r, PCC_SIGNATURE | CHANNEL, CMD_READ_TEMP, 0);
    id = pcc_mailbox_ring(m, r, sizeof(r), &sent);
    g_assert_cmpmem(sent->data, sent->len, r, sizeof(r));
    g_assert_false(pcc_mailbox_complete(m));
    g_assert_false(pcc_mailbox_irq(m));

    region(answer, 0x12345678, CMD_READ_TEMP, 3032);
    name = pcc_mailbox_answer(m, id + 1, id, answer, sizeof(answer));
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_true(pcc_mailbox_irq(m));
    /* the answer replaces the region after the signature */
    g_assert_cmphex(qtest_readl(m->qts, m->shmem), ==, PCC_SIGNATURE |
                    CHANNEL);
    g_assert_cmpuint(qtest_readl(m->qts, m->shmem + REGION_DATA), ==, 3032);
    g_assert_cmphex(qtest_readl(m->qts, m->error_reg), ==, 0);
    pcc_mailbox_ack(m);
    g_assert_false(pcc_mailbox_irq(m));
    pcc_mailbox_stop(m);
}

/* The platform does not answer: no completion, and the next one works */
static void test_unanswered(void)
{
    PccMailbox *m = pcc_mailbox_start(OPREGION_ARGS, CHANNEL, NULL);
    g_autofree char *late = NULL, *name = NULL;
    uint8_t r[REGION_LENGTH];
    uint64_t a, b;

    region(r, PCC_SIGNATURE | CHANNEL, CMD_READ_TEMP, 0);
    a = pcc_mailbox_ring(m, r, sizeof(r), NULL);
    b = pcc_mailbox_ring(m, r, sizeof(r), NULL);
    region(r, PCC_SIGNATURE | CHANNEL, CMD_READ_TEMP, 1111);
    late = pcc_mailbox_answer(m, b + 1, a, r, sizeof(r));
    pcc_mailbox_expect_dropped(m, late);
    region(r, PCC_SIGNATURE | CHANNEL, CMD_READ_TEMP, 2222);
    name = pcc_mailbox_answer(m, b + 2, b, r, sizeof(r));
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_cmpuint(qtest_readl(m->qts, m->shmem + REGION_DATA), ==, 2222);
    pcc_mailbox_stop(m);
}

static void test_bad_answers(void)
{
    PccMailbox *m = pcc_mailbox_start(OPREGION_ARGS, CHANNEL, NULL);
    g_autoptr(GByteArray) sent = NULL;
    g_autoptr(GByteArray) tiny = g_byte_array_new();
    g_autofree char *gen = NULL, *shrt = NULL, *good = NULL;
    uint8_t r[REGION_LENGTH];
    uint64_t id;

    region(r, PCC_SIGNATURE | CHANNEL, CMD_READ_TEMP, 0);
    id = pcc_mailbox_ring(m, r, sizeof(r), &sent);
    /* the generic layout is not this subspace's */
    gen = pcc_spool_response_name(id + 1, CHANNEL, id, "gen");
    pcc_spool_drop(m->spool, gen, sent);
    pcc_mailbox_expect_rejected(m, gen);
    /* shorter than the extended header */
    g_byte_array_append(tiny, r, 12);
    shrt = pcc_spool_response_name(id + 2, CHANNEL, id, "ext");
    pcc_spool_drop(m->spool, shrt, tiny);
    pcc_mailbox_expect_rejected(m, shrt);
    good = pcc_mailbox_answer(m, id + 3, id, r, sizeof(r));
    g_assert_true(pcc_mailbox_wait_complete(m));
    pcc_mailbox_stop(m);
}

static void test_error_platform_interrupt_off(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -global pcc-host.platform-interrupt=off"
        " -device pcc-opregion,spool=%s/a", dir);

    pcc_expect_startup_failure(args, "pcc-opregion needs the PCCT platform "
                               "interrupt flag");
    pcc_rm_rf(dir);
}

static void test_error_channel_clash(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -device pcc-opregion,id=first,channel=2,spool=%s/a"
        " -device pcc-opregion,channel=2,spool=%s/b", dir, dir);

    pcc_expect_startup_failure(args, "overlap those of device 'first'");
    pcc_rm_rf(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    if (!qtest_has_machine("virt") || !qtest_has_device("pcc-opregion")) {
        return g_test_run();
    }

    qtest_add_func("/pcc-opregion/tables", test_tables);
    qtest_add_func("/pcc-opregion/read-temperature", test_read_temperature);
    qtest_add_func("/pcc-opregion/unanswered", test_unanswered);
    qtest_add_func("/pcc-opregion/bad-answers", test_bad_answers);
    qtest_add_func("/pcc-opregion/errors/platform-interrupt-off",
                   test_error_platform_interrupt_off);
    qtest_add_func("/pcc-opregion/errors/channel-clash",
                   test_error_channel_clash);
    return g_test_run();
}
