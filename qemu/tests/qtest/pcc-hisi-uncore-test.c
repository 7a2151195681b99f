/*
 * QTest testcase for pcc-hisi-uncore, HiSilicon uncore frequency scaling
 * (HISI04F1)
 *
 * The SSDT is checked against ASL written out here and compiled by iasl;
 * the exchange is the 16-byte message of drivers/devfreq/hisi_uncore_freq.c:
 * the generic header, four bytes, a 32-bit datum; the status polled.
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

#define CHANNEL             3
#define MSG_SIZE            16
#define MSG_DATA            12
#define CMD_GET_FREQ        1

static char *uncore_reference_asl(unsigned sockets)
{
    GString *ids = g_string_new(NULL);
    g_autofree char *packages = NULL;
    unsigned i;

    for (i = 0; i < sockets; i++) {
        g_string_append_printf(ids, "%s0x%02X", i ? ", " : "", i);
    }
    packages = g_string_free(ids, false);
    return g_strdup_printf(
        "DefinitionBlock (\"\", \"SSDT\", 2, \"BOCHS \", \"PCC-SSDT\", 1)\n"
        "{\n"
        "    Scope (\\_SB)\n"
        "    {\n"
        "        Device (UN03)\n"
        "        {\n"
        "            Name (_HID, \"HISI04F1\")\n"
        "            Name (_UID, 0x03)\n"
        "            Name (_CRS, ResourceTemplate ()\n"
        "            {\n"
        "                Register (PCC, 0x08, 0x00, 0x0000000000000000, "
        "0x03, )\n"
        "            })\n"
        "            Name (_DSD, Package (0x02)\n"
        "            {\n"
        "                ToUUID (\"daffd814-6eba-4d8c-8a91-bc9bbf4aa301\"),\n"
        "                Package (0x01)\n"
        "                {\n"
        "                    Package (0x02)\n"
        "                    {\n"
        "                        \"related-package\",\n"
        "                        Package (0x%02X) { %s }\n"
        "                    }\n"
        "                }\n"
        "            })\n"
        "        }\n"
        "    }\n"
        "}\n", sockets, packages);
}

static void check_ssdt(PccMailbox *m, unsigned sockets)
{
    g_autofree char *asl = uncore_reference_asl(sockets);
    PccAcpiTables t;
    uint8_t *ssdt;

    pcc_acpi_tables_load(m->qts, &t);
    ssdt = pcc_acpi_find_table(&t, "SSDT", "PCC-SSDT", 0);
    g_assert_nonnull(ssdt);
    pcc_assert_aml_body_equal(m->dir, ssdt, asl);
    pcc_acpi_tables_free(&t);
}

static void test_tables(void)
{
    PccMailbox *m = pcc_mailbox_start(
        "-device pcc-hisi-uncore,channel=3,spool=%s", CHANNEL, NULL);

    g_assert_cmpuint(m->type, ==, TYPE_HW_REDUCED_TYPE2);
    g_assert_cmpuint(m->latency, ==, 1000);
    check_ssdt(m, 1);
    pcc_mailbox_stop(m);
}

/* "related-package" names every socket of the machine */
static void test_tables_two_sockets(void)
{
    PccMailbox *m = pcc_mailbox_start(
        "-smp 4,sockets=2,cores=2 -device pcc-hisi-uncore,channel=3,"
        "spool=%s", CHANNEL, NULL);

    check_ssdt(m, 2);
    pcc_mailbox_stop(m);
}

static void test_get_freq(void)
{
    PccMailbox *m = pcc_mailbox_start(
        "-device pcc-hisi-uncore,channel=3,spool=%s", CHANNEL, NULL);
    g_autoptr(GByteArray) sent = NULL;
    g_autofree char *name = NULL;
    uint8_t msg[MSG_SIZE] = { 0 };
    uint64_t id;

    stl_le_p(msg + GEN_SIGNATURE, PCC_SIGNATURE | CHANNEL);
    stw_le_p(msg + GEN_COMMAND, CMD_GET_FREQ);
    id = pcc_mailbox_ring(m, msg, sizeof(msg), &sent);
    /* the platform gets the 16-byte message, nothing more */
    g_assert_cmpmem(sent->data, sent->len, msg, sizeof(msg));
    stw_le_p(sent->data + GEN_STATUS, GEN_STATUS_CMD_COMPLETE);
    stl_le_p(sent->data + MSG_DATA, 2400);
    name = pcc_mailbox_answer(m, id + 1, id, sent->data, sent->len);
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_cmpuint(qtest_readl(m->qts, m->shmem + MSG_DATA), ==, 2400);
    pcc_mailbox_stop(m);
}

/* The error bit: the driver gives EIO */
static void test_error_answer(void)
{
    PccMailbox *m = pcc_mailbox_start(
        "-device pcc-hisi-uncore,channel=3,spool=%s", CHANNEL, NULL);
    g_autoptr(GByteArray) sent = NULL;
    g_autofree char *name = NULL;
    uint8_t msg[MSG_SIZE] = { 0 };
    uint64_t id;

    stl_le_p(msg + GEN_SIGNATURE, PCC_SIGNATURE | CHANNEL);
    stw_le_p(msg + GEN_COMMAND, 9);
    id = pcc_mailbox_ring(m, msg, sizeof(msg), &sent);
    stw_le_p(sent->data + GEN_STATUS,
             GEN_STATUS_CMD_COMPLETE | GEN_STATUS_ERROR);
    name = pcc_mailbox_answer(m, id + 1, id, sent->data, sent->len);
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_true(qtest_readw(m->qts, m->shmem + GEN_STATUS) &
                  GEN_STATUS_ERROR);
    pcc_mailbox_stop(m);
}

static void test_error_no_platform(void)
{
    pcc_expect_startup_failure(VIRT_ARGS " -device pcc-hisi-uncore",
                               "no platform: give 'platform=ID'");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    if (!qtest_has_machine("virt") ||
        !qtest_has_device("pcc-hisi-uncore")) {
        return g_test_run();
    }

    qtest_add_func("/pcc-hisi-uncore/tables", test_tables);
    qtest_add_func("/pcc-hisi-uncore/tables-two-sockets",
                   test_tables_two_sockets);
    qtest_add_func("/pcc-hisi-uncore/get-freq", test_get_freq);
    qtest_add_func("/pcc-hisi-uncore/error-answer", test_error_answer);
    qtest_add_func("/pcc-hisi-uncore/errors/no-platform",
                   test_error_no_platform);
    return g_test_run();
}
