/*
 * QTest testcase for pcc-xgene-hwmon, the APM X-Gene SLIMpro hardware
 * monitor on a PCC type 2 subspace
 *
 * The test plays Linux's xgene-hwmon and pcc.c on the guest side (the
 * generic communication region, the doorbell and platform ack registers
 * of the PCCT) and the platform through the spool directory. The PCCT
 * layout is ACPI 6.5 table 14.7, written out here; the SSDT is read back
 * through iasl.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <glib/gstdio.h>
#include "libqtest.h"
#include "qemu/bswap.h"
#include "qobject/qdict.h"
#include "pcc-utils.h"

/*
 * SLIMpro messages as drivers/hwmon/xgene-hwmon.c sends them: three
 * words after the generic header. A sensor read: type DBG (0), subtype
 * SENSOR_READ (4), the register in the second word.
 */
#define XGENE_MSG_SIZE              (GEN_SPACE + 12)
#define XGENE_SENSOR_READ           0x04000000u
#define XGENE_SOC_TEMP_REG          0x10
#define XGENE_PMD_PWR_REG           0x20

/* pcc-xgene-hwmon advertises a nominal latency of 2 ms */
#define XGENE_NOMINAL_LATENCY       2000

#define CHANNEL                     5

#define HWMON_ARGS "-device pcc-xgene-hwmon,channel=5,spool=%s"

static void check_pcct(const uint8_t *pcct)
{
    const uint8_t *s;
    unsigned i;

    g_assert_cmpmem(pcct + ACPI_HDR_SIGNATURE, 4, "PCCT", 4);
    g_assert_cmpuint(ldl_le_p(pcct + ACPI_HDR_LENGTH), ==,
                     PCCT_SUBSPACES + CHANNEL * T0_LEN + T2_LEN);
    g_assert_cmphex(ldl_le_p(pcct + PCCT_FLAGS), ==, PCCT_FLAG_PLATFORM_IRQ);
    s = pcct + PCCT_SUBSPACES;
    for (i = 0; i < CHANNEL; i++, s += T0_LEN) {
        g_assert_cmpuint(s[T0_TYPE], ==, TYPE_GENERIC);   /* placeholders */
    }
    g_assert_cmpuint(s[T2_TYPE], ==, TYPE_HW_REDUCED_TYPE2);
    g_assert_cmpuint(s[T2_LENGTH], ==, T2_LEN);
    g_assert_cmpuint(ldl_le_p(s + T2_PLATFORM_IRQ), ==, pcc_gsi(CHANNEL));
    g_assert_cmpuint(s[T2_PLATFORM_IRQ_FLAGS], ==, 0);   /* level, high */
    g_assert_cmpuint(s[T2_RESERVED], ==, 0);
    g_assert_cmphex(ldq_le_p(s + T2_BASE), ==, pcc_shmem_addr(CHANNEL));
    g_assert_cmphex(ldq_le_p(s + T2_SIZE), ==, PCC_SHMEM_DEFAULT);
    pcc_check_gas(s + T2_DOORBELL, pcc_reg_addr(CHANNEL, REG_DOORBELL));
    g_assert_cmphex(ldq_le_p(s + T2_DOORBELL_PRESERVE), ==, 0);
    g_assert_cmphex(ldq_le_p(s + T2_DOORBELL_WRITE), ==, 1);
    g_assert_cmpuint(ldl_le_p(s + T2_LATENCY), ==, XGENE_NOMINAL_LATENCY);
    g_assert_cmpuint(ldl_le_p(s + T2_MAX_RATE), ==, 0);
    g_assert_cmpuint(lduw_le_p(s + T2_TURNAROUND), ==, 0);
    pcc_check_gas(s + T2_ACK, pcc_reg_addr(CHANNEL, REG_PLATFORM_ACK));
    g_assert_cmphex(ldq_le_p(s + T2_ACK_PRESERVE), ==, 0);
    g_assert_cmphex(ldq_le_p(s + T2_ACK_WRITE), ==, 1);
}

static PccMailbox *hwmon_start(void)
{
    return pcc_mailbox_start(HWMON_ARGS, CHANNEL, NULL);
}

static uint16_t status_of(PccMailbox *h)
{
    return qtest_readw(h->qts, h->shmem + GEN_STATUS);
}

/*
 * xgene_hwmon_pcc_rd(): the message into the communication region,
 * command complete cleared, the doorbell rung. Returns the request id.
 */
static uint64_t hwmon_request(PccMailbox *h, uint32_t reg)
{
    g_autoptr(GByteArray) sent = NULL;
    uint8_t msg[XGENE_MSG_SIZE] = { 0 };
    uint64_t id;

    stl_le_p(msg + GEN_SIGNATURE, PCC_SIGNATURE | CHANNEL);
    stw_le_p(msg + GEN_COMMAND, GEN_CMD_GENERATE_SCI);
    stw_le_p(msg + GEN_STATUS, status_of(h) & ~GEN_STATUS_CMD_COMPLETE);
    stl_le_p(msg + GEN_SPACE, XGENE_SENSOR_READ);
    stl_le_p(msg + GEN_SPACE + 4, reg);
    id = pcc_mailbox_ring(h, msg, sizeof(msg), &sent);
    g_assert_cmpmem(sent->data, sent->len, msg, sizeof(msg));
    /* the platform has not answered: no completion, no interrupt */
    g_assert_false(pcc_mailbox_complete(h));
    g_assert_false(pcc_mailbox_irq(h));
    return id;
}

/* The platform's answer, as a file in the inbox; its name */
static char *platform_answer(PccMailbox *h, uint64_t seq, uint64_t ref,
                             uint32_t value, uint16_t status)
{
    uint8_t b[XGENE_MSG_SIZE] = { 0 };

    stl_le_p(b + GEN_SIGNATURE, PCC_SIGNATURE | CHANNEL);
    stw_le_p(b + GEN_STATUS, status);
    stl_le_p(b + GEN_SPACE, XGENE_SENSOR_READ);
    stl_le_p(b + GEN_SPACE + 4, value);
    return pcc_mailbox_answer(h, seq, ref, b, sizeof(b));
}

/* The interrupt came: pcc_mbox_irq() acks it; the driver reads the answer */
static void expect_answer(PccMailbox *h, uint32_t value, bool error)
{
    uint16_t want = GEN_STATUS_SCI_DOORBELL | (error ? GEN_STATUS_ERROR : 0);

    g_assert_true(pcc_mailbox_wait_complete(h));
    g_assert_cmphex(status_of(h) & ~GEN_STATUS_CMD_COMPLETE & 0xff, ==, want);
    g_assert_true(pcc_mailbox_irq(h));
    g_assert_cmphex(qtest_readl(h->qts,
                                pcc_reg_addr(CHANNEL, REG_PLATFORM_ACK)), ==,
                    1);
    if (!error) {
        g_assert_cmphex(qtest_readl(h->qts, h->shmem + GEN_SPACE + 4), ==,
                        value);
    }
    pcc_mailbox_ack(h);
    g_assert_false(pcc_mailbox_irq(h));
}

/* The SSDT, in ASL: an APMC0D29 device naming its subspace in _DSD */
static const char hwmon_reference_asl[] =
    "DefinitionBlock (\"\", \"SSDT\", 2, \"BOCHS \", \"PCC-SSDT\", 1)\n"
    "{\n"
    "    Scope (\\_SB)\n"
    "    {\n"
    "        Device (XH05)\n"
    "        {\n"
    "            Name (_HID, \"APMC0D29\")\n"
    "            Name (_UID, 0x05)\n"
    "            Name (_DSD, Package (0x02)\n"
    "            {\n"
    "                ToUUID (\"daffd814-6eba-4d8c-8a91-bc9bbf4aa301\"),\n"
    "                Package (0x01)\n"
    "                {\n"
    "                    Package (0x02) { \"pcc-channel\", 0x05 }\n"
    "                }\n"
    "            })\n"
    "        }\n"
    "    }\n"
    "}\n";

static void test_tables(void)
{
    PccMailbox *h = hwmon_start();
    g_autofree char *dsl = NULL;
    PccAcpiTables t;
    uint8_t *ssdt, *pcct;

    pcc_acpi_tables_load(h->qts, &t);
    ssdt = pcc_acpi_find_table(&t, "SSDT", "PCC-SSDT", 0);
    pcct = pcc_acpi_find_table(&t, "PCCT", NULL, 0);
    g_assert_nonnull(ssdt);
    g_assert_nonnull(pcct);
    check_pcct(pcct);
    pcc_assert_aml_body_equal(h->dir, ssdt, hwmon_reference_asl);
    pcc_write_table(h->dir, "ssdt.dat", ssdt);
    pcc_write_table(h->dir, "pcct.dat", pcct);
    pcc_acpi_tables_free(&t);
    pcc_run_iasl(h->dir, "ssdt", &dsl);
    g_test_message("%s", dsl);
    g_assert_nonnull(strstr(dsl, "Device (XH05)"));
    g_assert_nonnull(strstr(dsl, "Name (_HID, \"APMC0D29\")"));
    g_assert_nonnull(strstr(dsl, "Name (_UID, 0x05)"));
    g_assert_true(g_regex_match_simple(
        "ToUUID \\(\"daffd814-6eba-4d8c-8a91-bc9bbf4aa301\"\\)"
        "[^{]*Package \\(0x01\\)\\s*\\{\\s*Package \\(0x02\\)\\s*\\{\\s*"
        "\"pcc-channel\",\\s*0x05\\s*\\}", dsl, G_REGEX_CASELESS, 0));
    g_free(dsl);
    dsl = NULL;
    pcc_run_iasl(h->dir, "pcct", &dsl);
    g_assert_nonnull(strstr(dsl, "HW-Reduced Comm Subspace Type2"));
    pcc_mailbox_stop(h);
}

static void test_sensor_read(void)
{
    PccMailbox *h = hwmon_start();
    uint64_t id;
    g_autofree char *n1 = NULL, *n2 = NULL;

    id = hwmon_request(h, XGENE_SOC_TEMP_REG);
    n1 = platform_answer(h, id + 1, id, 47, GEN_STATUS_CMD_COMPLETE);
    expect_answer(h, 47, false);
    g_assert_false(pcc_path_exists(h->inbox, n1));

    /* the error bit of the answer reaches the guest */
    id = hwmon_request(h, XGENE_PMD_PWR_REG);
    n2 = platform_answer(h, id + 1, id, 0,
                         GEN_STATUS_CMD_COMPLETE | GEN_STATUS_ERROR);
    expect_answer(h, 0, true);
    pcc_mailbox_stop(h);
}

/*
 * A platform that does not answer must not kill the channel: the next
 * doorbell takes over, and the late answer to the old request is
 * dropped, not taken for the answer to the new one.
 */
static void test_lost_request(void)
{
    PccMailbox *h = hwmon_start();
    uint64_t a, b, c;
    g_autofree char *late = NULL, *nb = NULL, *nc = NULL;

    a = hwmon_request(h, XGENE_SOC_TEMP_REG);
    /* no answer to a; the driver times out and asks again */
    b = hwmon_request(h, XGENE_PMD_PWR_REG);
    g_assert_cmpuint(b, >, a);
    late = platform_answer(h, b + 1, a, 11, GEN_STATUS_CMD_COMPLETE);
    pcc_mailbox_expect_dropped(h, late);
    nb = platform_answer(h, b + 2, b, 22, GEN_STATUS_CMD_COMPLETE);
    expect_answer(h, 22, false);

    /* the platform lost a request: the next one is served all the same */
    hwmon_request(h, XGENE_SOC_TEMP_REG);
    c = hwmon_request(h, XGENE_SOC_TEMP_REG);
    nc = platform_answer(h, c + 1, c, 33, GEN_STATUS_CMD_COMPLETE);
    expect_answer(h, 33, false);
    pcc_mailbox_stop(h);
}

/* An answer that does not name its request answers the one outstanding */
static void test_answer_without_ref(void)
{
    PccMailbox *h = hwmon_start();
    uint64_t id = hwmon_request(h, XGENE_SOC_TEMP_REG);
    g_autofree char *n = platform_answer(h, id + 1, 0, 44,
                                         GEN_STATUS_CMD_COMPLETE);

    expect_answer(h, 44, false);
    pcc_mailbox_stop(h);
}

/* After a reset, an answer to a request from before it is stale */
static void test_reset(void)
{
    PccMailbox *h = hwmon_start();
    g_autofree char *late = NULL, *n = NULL;
    uint64_t a, b;
    QDict *rsp;

    a = hwmon_request(h, XGENE_SOC_TEMP_REG);
    rsp = qtest_qmp(h->qts, "{ 'execute': 'system_reset' }");
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qtest_qmp_eventwait(h->qts, "RESET");
    g_assert_cmphex(qtest_readl(h->qts, h->shmem), ==,
                    PCC_SIGNATURE | CHANNEL);
    late = platform_answer(h, a + 1, a, 55, GEN_STATUS_CMD_COMPLETE);
    /* nothing is outstanding: the answer waits, then goes as stale */
    b = hwmon_request(h, XGENE_SOC_TEMP_REG);
    pcc_mailbox_expect_dropped(h, late);
    n = platform_answer(h, b + 1, b, 66, GEN_STATUS_CMD_COMPLETE);
    expect_answer(h, 66, false);
    pcc_mailbox_stop(h);
}

/*
 * Hostile answers: the wrong layout, no header, more than the shared
 * memory, a notification. Each is set aside; the request stays
 * outstanding and is answered afterwards.
 */
static void test_bad_answers(void)
{
    PccMailbox *h = hwmon_start();
    uint64_t id = hwmon_request(h, XGENE_SOC_TEMP_REG);
    g_autoptr(GByteArray) small = g_byte_array_new();
    g_autoptr(GByteArray) big = g_byte_array_new();
    g_autofree char *ext = g_strdup_printf("%020" PRIu64 "-c%03u-rsp-r%020"
                                           PRIu64 ".ext", id + 1, CHANNEL,
                                           id);
    g_autofree char *ntf = g_strdup_printf("%020" PRIu64 "-c%03u-ntf.gen",
                                           id + 2, CHANNEL);
    g_autofree char *shrt = pcc_spool_response_name(id + 3, CHANNEL, id,
                                                    "gen");
    g_autofree char *huge = pcc_spool_response_name(id + 4, CHANNEL, id,
                                                    "gen");
    g_autofree char *good = NULL;

    g_byte_array_set_size(small, 6);
    memset(small->data, 0, small->len);
    g_byte_array_set_size(big, PCC_SHMEM_DEFAULT + 4);
    memset(big->data, 0, big->len);
    stl_le_p(big->data, PCC_SIGNATURE | CHANNEL);

    pcc_spool_drop(h->spool, ext, big);
    pcc_mailbox_expect_rejected(h, ext);
    pcc_spool_drop(h->spool, ntf, small);
    pcc_mailbox_expect_rejected(h, ntf);
    pcc_spool_drop(h->spool, shrt, small);
    pcc_mailbox_expect_rejected(h, shrt);
    pcc_spool_drop(h->spool, huge, big);
    pcc_mailbox_expect_rejected(h, huge);
    good = platform_answer(h, id + 5, id, 77, GEN_STATUS_CMD_COMPLETE);
    expect_answer(h, 77, false);
    pcc_mailbox_stop(h);
}

/*
 * Migrated while a request is outstanding: the destination shares the
 * spool, where the request still waits in outbox/; the platform answers
 * it there, and the destination completes it, without an error
 * (pcc.rst, "Migration and snapshots"; pcc-migration-test covers every
 * class, state and transport).
 */
static void test_migration_resumes_request(void)
{
    PccMailbox *h = hwmon_start();
    g_autofree char *state = g_build_filename(h->dir, "state", NULL);
    g_autofree char *uri = g_strdup_printf("file:%s", state);
    g_autofree char *answer = NULL;
    uint64_t id;

    id = hwmon_request(h, XGENE_SOC_TEMP_REG);
    pcc_migrate(h->qts, uri);
    pcc_mailbox_quit(h);
    pcc_mailbox_restart(h, HWMON_ARGS, uri);
    answer = platform_answer(h, id + 1, id, 45, GEN_STATUS_CMD_COMPLETE);
    expect_answer(h, 45, false);
    pcc_mailbox_stop(h);
}

static void test_error_platform_interrupt_off(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -global pcc-host.platform-interrupt=off"
        " -device pcc-xgene-hwmon,spool=%s/a", dir);

    pcc_expect_startup_failure(args, "pcc-xgene-hwmon needs the PCCT "
                               "platform interrupt flag");
    pcc_rm_rf(dir);
}

static void test_error_no_platform(void)
{
    pcc_expect_startup_failure(VIRT_ARGS " -device pcc-xgene-hwmon",
                               "no platform: give 'platform=ID'");
}

static void test_error_channel_clash(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -device pcc-mctp,id=mctp,channel=4,spool=%s/a"
        " -device pcc-xgene-hwmon,channel=5,spool=%s/b", dir, dir);

    pcc_expect_startup_failure(args, "channel 5: subspace(s) 5-5 overlap "
                               "those of device 'mctp' (channel 4)");
    pcc_rm_rf(dir);
}

static void test_error_shmem_size(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -device pcc-xgene-hwmon,shmem-size=0x800,spool=%s/a",
        dir);

    pcc_expect_startup_failure(args, "shmem-size 0x800: must be a power of "
                               "two from 0x1000 to 0x10000");
    pcc_rm_rf(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    if (!qtest_has_machine("virt") || !qtest_has_device("pcc-xgene-hwmon")) {
        return g_test_run();
    }

    qtest_add_func("/pcc-xgene-hwmon/tables", test_tables);
    qtest_add_func("/pcc-xgene-hwmon/sensor-read", test_sensor_read);
    qtest_add_func("/pcc-xgene-hwmon/lost-request", test_lost_request);
    qtest_add_func("/pcc-xgene-hwmon/answer-without-ref",
                   test_answer_without_ref);
    qtest_add_func("/pcc-xgene-hwmon/reset", test_reset);
    qtest_add_func("/pcc-xgene-hwmon/bad-answers", test_bad_answers);
    qtest_add_func("/pcc-xgene-hwmon/migration-resumes-request",
                   test_migration_resumes_request);
    qtest_add_func("/pcc-xgene-hwmon/errors/platform-interrupt-off",
                   test_error_platform_interrupt_off);
    qtest_add_func("/pcc-xgene-hwmon/errors/no-platform",
                   test_error_no_platform);
    qtest_add_func("/pcc-xgene-hwmon/errors/channel-clash",
                   test_error_channel_clash);
    qtest_add_func("/pcc-xgene-hwmon/errors/shmem-size",
                   test_error_shmem_size);
    return g_test_run();
}
