/*
 * QTest testcase for pcc-kunpeng-hccs, HiSilicon Kunpeng HCCS (HISI04B1
 * and HISI04B2)
 *
 * The SSDT is checked against ASL written out here and compiled by iasl;
 * the exchange is driven as drivers/soc/hisilicon/kunpeng_hccs.c drives
 * it: the 64-byte communication region, B1 polled on a generic subspace,
 * B2 completing with an interrupt on an extended one.
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

#define CHANNEL             2
#define HCCS_SIZE           64
#define B1_ARGS             "-global pcc-host.platform-interrupt=off " \
                            "-device pcc-kunpeng-hccs,channel=2,variant=b1," \
                            "spool=%s"
#define B2_ARGS             "-device pcc-kunpeng-hccs,channel=2,variant=b2," \
                            "spool=%s"
#define CMD_GET_CHIP_NUM    1
#define MODULE_SERDES       0x32

static char *hccs_reference_asl(const char *hid)
{
    return g_strdup_printf(
        "DefinitionBlock (\"\", \"SSDT\", 2, \"BOCHS \", \"PCC-SSDT\", 1)\n"
        "{\n"
        "    Scope (\\_SB)\n"
        "    {\n"
        "        Device (HC02)\n"
        "        {\n"
        "            Name (_HID, \"%s\")\n"
        "            Name (_UID, 0x02)\n"
        "            Name (_CRS, ResourceTemplate ()\n"
        "            {\n"
        "                Register (PCC, 0x08, 0x00, 0x0000000000000000, "
        "0x02, )\n"
        "            })\n"
        "        }\n"
        "    }\n"
        "}\n", hid);
}

static void check_tables(PccMailbox *m, const char *hid)
{
    g_autofree char *asl = hccs_reference_asl(hid);
    PccAcpiTables t;
    uint8_t *ssdt;

    /* the driver insists on exactly 64 bytes */
    g_assert_cmpuint(m->shmem_size, ==, HCCS_SIZE);
    g_assert_cmphex(m->shmem, ==, pcc_shmem_addr(CHANNEL));
    g_assert_cmpuint(m->latency, ==, 2000);
    pcc_acpi_tables_load(m->qts, &t);
    ssdt = pcc_acpi_find_table(&t, "SSDT", "PCC-SSDT", 0);
    g_assert_nonnull(ssdt);
    pcc_assert_aml_body_equal(m->dir, ssdt, asl);
    pcc_acpi_tables_free(&t);
}

/* B1: generic header, command in the header, polled status */
static void test_b1(void)
{
    PccMailbox *m = pcc_mailbox_start(B1_ARGS, CHANNEL, NULL);
    g_autoptr(GByteArray) sent = NULL;
    g_autofree char *name = NULL;
    uint8_t msg[HCCS_SIZE] = { 0 }, answer[HCCS_SIZE] = { 0 };
    uint64_t id;

    g_assert_cmpuint(m->type, ==, TYPE_GENERIC);
    check_tables(m, "HISI04B1");
    stl_le_p(msg + GEN_SIGNATURE, PCC_SIGNATURE | CHANNEL);
    stw_le_p(msg + GEN_COMMAND, CMD_GET_CHIP_NUM);
    msg[GEN_SPACE] = MODULE_SERDES;
    id = pcc_mailbox_ring(m, msg, sizeof(msg), &sent);
    g_assert_cmpmem(sent->data, sent->len, msg, sizeof(msg));

    memcpy(answer, msg, sizeof(answer));
    stw_le_p(answer + GEN_STATUS, GEN_STATUS_CMD_COMPLETE);
    answer[GEN_SPACE] = 0;              /* retStatus: done */
    answer[GEN_SPACE + 8] = 1;          /* data length */
    answer[GEN_SPACE + 12] = 2;         /* two chips */
    name = pcc_mailbox_answer(m, id + 1, id, answer, sizeof(answer));
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_cmpuint(qtest_readb(m->qts, m->shmem + GEN_SPACE + 12), ==, 2);
    /* a generic subspace: no interrupt */
    g_assert_false(pcc_mailbox_irq(m));
    pcc_mailbox_stop(m);
}

/* B2: extended header, the command in it, an interrupt on completion */
static void test_b2(void)
{
    PccMailbox *m = pcc_mailbox_start(B2_ARGS, CHANNEL, NULL);
    g_autoptr(GByteArray) sent = NULL;
    g_autofree char *name = NULL;
    uint8_t msg[HCCS_SIZE] = { 0 }, answer[HCCS_SIZE] = { 0 };
    uint64_t id;

    g_assert_cmpuint(m->type, ==, TYPE_EXT_INITIATOR);
    check_tables(m, "HISI04B2");
    stl_le_p(msg + EXT_SIGNATURE, PCC_SIGNATURE | CHANNEL);
    stl_le_p(msg + EXT_FLAGS, EXT_FLAG_NOTIFY);
    stl_le_p(msg + EXT_LENGTH, HCCS_SIZE);
    stl_le_p(msg + EXT_COMMAND, CMD_GET_CHIP_NUM);
    msg[EXT_PAYLOAD] = MODULE_SERDES;
    id = pcc_mailbox_ring(m, msg, sizeof(msg), &sent);
    g_assert_cmpmem(sent->data, sent->len, msg, sizeof(msg));
    g_assert_false(pcc_mailbox_complete(m));

    memcpy(answer, msg, sizeof(answer));
    answer[EXT_PAYLOAD + 8] = 1;
    answer[EXT_PAYLOAD + 12] = 4;
    name = pcc_mailbox_answer(m, id + 1, id, answer, sizeof(answer));
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_true(pcc_mailbox_irq(m));
    g_assert_cmpuint(qtest_readb(m->qts, m->shmem + EXT_PAYLOAD + 12), ==,
                     4);
    pcc_mailbox_ack(m);
    g_assert_false(pcc_mailbox_irq(m));
    pcc_mailbox_stop(m);
}

/* An answer larger than the 64-byte region is set aside */
static void test_oversized_answer(void)
{
    PccMailbox *m = pcc_mailbox_start(B1_ARGS, CHANNEL, NULL);
    g_autofree char *big = NULL, *good = NULL;
    uint8_t msg[HCCS_SIZE] = { 0 }, answer[HCCS_SIZE * 2] = { 0 };
    uint64_t id;

    stl_le_p(msg + GEN_SIGNATURE, PCC_SIGNATURE | CHANNEL);
    stw_le_p(msg + GEN_COMMAND, CMD_GET_CHIP_NUM);
    id = pcc_mailbox_ring(m, msg, sizeof(msg), NULL);
    stw_le_p(answer + GEN_STATUS, GEN_STATUS_CMD_COMPLETE);
    big = pcc_mailbox_answer(m, id + 1, id, answer, sizeof(answer));
    pcc_mailbox_expect_rejected(m, big);
    good = pcc_mailbox_answer(m, id + 2, id, answer, HCCS_SIZE);
    g_assert_true(pcc_mailbox_wait_complete(m));
    pcc_mailbox_stop(m);
}

static void expect_failure(const char *device, const char *extra,
                           const char *want)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(VIRT_ARGS " %s -device "
                                            "pcc-kunpeng-hccs,%s,spool=%s/a",
                                            extra, device, dir);

    pcc_expect_startup_failure(args, want);
    pcc_rm_rf(dir);
}

static void test_errors(void)
{
    expect_failure("variant=b1", "", "variant b1 needs the PCCT platform "
                   "interrupt flag clear");
    expect_failure("variant=b2", "-global pcc-host.platform-interrupt=off",
                   "variant b2 needs the PCCT platform interrupt flag");
    expect_failure("variant=b3", "", "variant 'b3': give b1 (HISI04B1) or "
                   "b2 (HISI04B2)");
    expect_failure("channel=1", "", "variant '': give b1");
    expect_failure("variant=b2,shmem-size=0x1000", "",
                   "shmem-size 0x1000: pcc-kunpeng-hccs has exactly 0x40 "
                   "bytes of shared memory");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    if (!qtest_has_machine("virt") ||
        !qtest_has_device("pcc-kunpeng-hccs")) {
        return g_test_run();
    }

    qtest_add_func("/pcc-kunpeng-hccs/b1", test_b1);
    qtest_add_func("/pcc-kunpeng-hccs/b2", test_b2);
    qtest_add_func("/pcc-kunpeng-hccs/oversized-answer",
                   test_oversized_answer);
    qtest_add_func("/pcc-kunpeng-hccs/errors", test_errors);
    return g_test_run();
}
