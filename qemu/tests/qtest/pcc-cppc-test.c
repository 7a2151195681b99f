/*
 * QTest testcase for pcc-cppc, CPPC over PCC for every vCPU
 *
 * The tables are checked against ASL written out here from ACPI 6.5
 * 8.4.6 (_CPC revision 3), 8.4.5.5 (_PSD) and 6.2.11 (_OSC), compiled by
 * iasl; the register protocol is driven as drivers/acpi/cppc_acpi.c
 * drives it (command 0 read, 1 write, polling the status).
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

#define CHANNEL                     3
#define CPUS                        2
#define CPPC_ARGS                   "-smp 2 -device pcc-cppc,channel=3,spool=%s"

/* The register block of one CPU (docs/system/devices/pcc.rst) */
#define BLOCK                       0x40
#define REG_HIGHEST                 0x00
#define REG_NOMINAL                 0x04
#define REG_LOWEST_NONLINEAR        0x08
#define REG_LOWEST                  0x0c
#define REG_GUARANTEED              0x10
#define REG_DESIRED                 0x14
#define REG_REFERENCE_PERF          0x18
#define REG_LOWEST_FREQ             0x1c
#define REG_NOMINAL_FREQ            0x20
#define REG_MIN                     0x24
#define REG_MAX                     0x28
#define REG_REFERENCE_CTR           0x30
#define REG_DELIVERED_CTR           0x38

#define CMD_READ                    0
#define CMD_WRITE                   1
#define SPACE_SIZE                  (GEN_SPACE + CPUS * BLOCK)

/* A PCC register of CPU @cpu, as iasl spells it */
static void asl_reg(GString *asl, unsigned cpu, unsigned off, unsigned bits)
{
    g_string_append_printf(asl,
        "                ResourceTemplate () { Register (PCC, 0x%02X, 0x00, "
        "0x%016X, 0x%02X, ) },\n", bits, cpu * BLOCK + off, CHANNEL);
}

static void asl_null_reg(GString *asl)
{
    g_string_append(asl,
        "                ResourceTemplate () { Register (SystemMemory, "
        "0x00, 0x00, 0x0000000000000000, 0x00, ) },\n");
}

static char *cppc_reference_asl(void)
{
    GString *asl = g_string_new(
        "DefinitionBlock (\"\", \"SSDT\", 2, \"BOCHS \", \"PCC-SSDT\", 1)\n"
        "{\n"
        "    External (\\_SB.C000, DeviceObj)\n"
        "    External (\\_SB.C001, DeviceObj)\n"
        "    Scope (\\_SB)\n"
        "    {\n"
        "        Method (_OSC, 4, Serialized)\n"
        "        {\n"
        "            CreateDWordField (Arg3, Zero, CDW1)\n"
        "            If ((Arg0 == ToUUID (\"0811b06e-4a27-44f9-8d60-"
        "3cbbc22e7b48\")))\n"
        "            {\n"
        "                If ((Arg2 > One))\n"
        "                {\n"
        "                    CreateDWordField (Arg3, 0x04, CDW2)\n"
        "                    CDW2 &= 0x4060\n"
        "                }\n"
        "                Return (Arg3)\n"
        "            }\n"
        "            CDW1 |= 0x04\n"
        "            Return (Arg3)\n"
        "        }\n");
    unsigned cpu;

    for (cpu = 0; cpu < CPUS; cpu++) {
        g_string_append_printf(asl,
            "        Scope (C%03X)\n"
            "        {\n"
            "            Name (_CPC, Package (0x17)\n"
            "            {\n"
            "                0x17,\n"
            "                0x03,\n", cpu);
        asl_reg(asl, cpu, REG_HIGHEST, 32);
        asl_reg(asl, cpu, REG_NOMINAL, 32);
        asl_reg(asl, cpu, REG_LOWEST_NONLINEAR, 32);
        asl_reg(asl, cpu, REG_LOWEST, 32);
        asl_reg(asl, cpu, REG_GUARANTEED, 32);
        asl_reg(asl, cpu, REG_DESIRED, 32);
        asl_reg(asl, cpu, REG_MIN, 32);
        asl_reg(asl, cpu, REG_MAX, 32);
        asl_null_reg(asl);
        asl_null_reg(asl);
        g_string_append(asl, "                Zero,\n");
        asl_reg(asl, cpu, REG_REFERENCE_CTR, 64);
        asl_reg(asl, cpu, REG_DELIVERED_CTR, 64);
        asl_null_reg(asl);
        asl_null_reg(asl);
        g_string_append(asl, "                Zero,\n");
        asl_null_reg(asl);
        asl_null_reg(asl);
        asl_reg(asl, cpu, REG_REFERENCE_PERF, 32);
        asl_reg(asl, cpu, REG_LOWEST_FREQ, 32);
        asl_reg(asl, cpu, REG_NOMINAL_FREQ, 32);
        /* the last element has no comma */
        g_string_truncate(asl, asl->len - 2);
        g_string_append_printf(asl,
            "\n"
            "            })\n"
            "            Name (_PSD, Package (0x01)\n"
            "            {\n"
            "                Package (0x05) { 0x05, Zero, 0x%02X, 0xFC, "
            "One }\n"
            "            })\n"
            "        }\n", cpu);
    }
    g_string_append(asl, "    }\n}\n");
    return g_string_free(asl, false);
}

static void test_tables(void)
{
    PccMailbox *m = pcc_mailbox_start(CPPC_ARGS, CHANNEL, NULL);
    g_autofree char *asl = cppc_reference_asl();
    g_autofree char *dsl = NULL;
    PccAcpiTables t;
    uint8_t *pcct, *ssdt;

    g_assert_cmpuint(m->type, ==, TYPE_HW_REDUCED_TYPE2);
    g_assert_cmpuint(m->latency, ==, 2000);
    g_assert_cmphex(m->shmem, ==, pcc_shmem_addr(CHANNEL));
    pcc_acpi_tables_load(m->qts, &t);
    pcct = pcc_acpi_find_table(&t, "PCCT", NULL, 0);
    ssdt = pcc_acpi_find_table(&t, "SSDT", "PCC-SSDT", 0);
    g_assert_nonnull(ssdt);
    pcc_assert_aml_body_equal(m->dir, ssdt, asl);
    pcc_write_table(m->dir, "pcct.dat", pcct);
    pcc_acpi_tables_free(&t);
    pcc_run_iasl(m->dir, "pcct", &dsl);
    g_assert_nonnull(strstr(dsl, "HW-Reduced Comm Subspace Type2"));
    pcc_mailbox_stop(m);
}

/* send_pcc_cmd(): command, status cleared, doorbell; the request id */
static uint64_t cppc_command(PccMailbox *m, uint16_t cmd, GByteArray **sent)
{
    uint8_t hdr[GEN_SPACE] = { 0 };
    uint8_t space[SPACE_SIZE];

    /* the client writes only the header; the registers are in place */
    qtest_memread(m->qts, m->shmem, space, sizeof(space));
    stl_le_p(hdr + GEN_SIGNATURE, ldl_le_p(space));
    stw_le_p(hdr + GEN_COMMAND, cmd);
    stw_le_p(hdr + GEN_STATUS, 0);
    memcpy(space, hdr, sizeof(hdr));
    return pcc_mailbox_ring(m, space, sizeof(space), sent);
}

static void test_read(void)
{
    PccMailbox *m = pcc_mailbox_start(CPPC_ARGS, CHANNEL, NULL);
    g_autoptr(GByteArray) sent = NULL;
    uint8_t answer[SPACE_SIZE] = { 0 };
    g_autofree char *name = NULL;
    uint64_t id;

    id = cppc_command(m, CMD_READ, &sent);
    /* the whole communication space of every CPU goes to the platform */
    g_assert_cmpuint(sent->len, ==, SPACE_SIZE);
    g_assert_cmpuint(lduw_le_p(sent->data + GEN_COMMAND), ==, CMD_READ);
    g_assert_false(pcc_mailbox_complete(m));

    stl_le_p(answer, PCC_SIGNATURE | CHANNEL);
    stw_le_p(answer + GEN_STATUS, GEN_STATUS_CMD_COMPLETE);
    stl_le_p(answer + GEN_SPACE + REG_HIGHEST, 300);
    stl_le_p(answer + GEN_SPACE + BLOCK + REG_HIGHEST, 310);
    stq_le_p(answer + GEN_SPACE + BLOCK + REG_DELIVERED_CTR,
             0x123456789abcULL);
    name = pcc_mailbox_answer(m, id + 1, id, answer, sizeof(answer));
    /* cppc_acpi polls the status word */
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_false(qtest_readw(m->qts, m->shmem + GEN_STATUS) &
                   GEN_STATUS_ERROR);
    g_assert_cmpuint(qtest_readl(m->qts, m->shmem + GEN_SPACE + REG_HIGHEST),
                     ==, 300);
    g_assert_cmpuint(qtest_readl(m->qts, m->shmem + GEN_SPACE + BLOCK +
                                 REG_HIGHEST), ==, 310);
    g_assert_cmphex(qtest_readq(m->qts, m->shmem + GEN_SPACE + BLOCK +
                                REG_DELIVERED_CTR), ==, 0x123456789abcULL);
    pcc_mailbox_stop(m);
}

/* cppc_set_perf(): the desired performance of CPU 1, then CMD_WRITE */
static void test_write(void)
{
    PccMailbox *m = pcc_mailbox_start(CPPC_ARGS, CHANNEL, NULL);
    g_autoptr(GByteArray) sent = NULL;
    g_autofree char *name = NULL;
    uint64_t id;

    qtest_writel(m->qts, m->shmem + GEN_SPACE + BLOCK + REG_DESIRED, 250);
    id = cppc_command(m, CMD_WRITE, &sent);
    g_assert_cmpuint(lduw_le_p(sent->data + GEN_COMMAND), ==, CMD_WRITE);
    g_assert_cmpuint(ldl_le_p(sent->data + GEN_SPACE + BLOCK + REG_DESIRED),
                     ==, 250);
    g_assert_cmpuint(ldl_le_p(sent->data + GEN_SPACE + REG_DESIRED), ==, 0);

    /* an error answer reaches the guest as the status error bit */
    stw_le_p(sent->data + GEN_STATUS,
             GEN_STATUS_CMD_COMPLETE | GEN_STATUS_ERROR);
    name = pcc_mailbox_answer(m, id + 1, id, sent->data, sent->len);
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_true(qtest_readw(m->qts, m->shmem + GEN_STATUS) &
                  GEN_STATUS_ERROR);
    pcc_mailbox_stop(m);
}

/* Without the platform interrupt the class still works: CPPC polls */
static void test_no_platform_interrupt(void)
{
    PccMailbox *m = pcc_mailbox_start(
        "-global pcc-host.platform-interrupt=off " CPPC_ARGS, CHANNEL, NULL);
    g_autoptr(GByteArray) sent = NULL;
    g_autofree char *name = NULL;
    uint64_t id = cppc_command(m, CMD_READ, &sent);

    stw_le_p(sent->data + GEN_STATUS, GEN_STATUS_CMD_COMPLETE);
    name = pcc_mailbox_answer(m, id + 1, id, sent->data, sent->len);
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_false(pcc_mailbox_irq(m));
    pcc_mailbox_stop(m);
}

/* A wrong-sized or wrong-layout answer is set aside; the next one counts */
static void test_bad_answers(void)
{
    PccMailbox *m = pcc_mailbox_start(CPPC_ARGS, CHANNEL, NULL);
    g_autoptr(GByteArray) sent = NULL;
    g_autoptr(GByteArray) tiny = g_byte_array_new();
    g_autofree char *ext = NULL, *shrt = NULL, *good = NULL;
    uint64_t id = cppc_command(m, CMD_READ, &sent);

    g_byte_array_set_size(tiny, 4);
    memset(tiny->data, 0, tiny->len);
    ext = g_strdup_printf("%020" PRIu64 "-c%03u-rsp-r%020" PRIu64 ".ext",
                          id + 1, CHANNEL, id);
    pcc_spool_drop(m->spool, ext, sent);
    pcc_mailbox_expect_rejected(m, ext);
    shrt = pcc_spool_response_name(id + 2, CHANNEL, id, "gen");
    pcc_spool_drop(m->spool, shrt, tiny);
    pcc_mailbox_expect_rejected(m, shrt);
    stw_le_p(sent->data + GEN_STATUS, GEN_STATUS_CMD_COMPLETE);
    good = pcc_mailbox_answer(m, id + 3, id, sent->data, sent->len);
    g_assert_true(pcc_mailbox_wait_complete(m));
    pcc_mailbox_stop(m);
}

static void test_error_two_devices(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -device pcc-cppc,channel=0,spool=%s/a"
        " -device pcc-cppc,channel=1,spool=%s/b", dir, dir);

    pcc_expect_startup_failure(args, "there can be one pcc-cppc per "
                               "machine");
    pcc_rm_rf(dir);
}

static void test_error_shmem_too_small(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -machine gic-version=3 -smp 64"
        " -device pcc-cppc,spool=%s/a", dir);

    /* 8 + 64 CPUs x 64 bytes do not fit 4 KiB */
    pcc_expect_startup_failure(args, "shmem-size 0x1000 is too small for "
                               "64 CPUs: pcc-cppc needs 0x1008 bytes "
                               "(give shmem-size=0x2000)");
    pcc_rm_rf(dir);
}

static void test_error_no_platform(void)
{
    pcc_expect_startup_failure(VIRT_ARGS " -device pcc-cppc",
                               "no platform: give 'platform=ID'");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    if (!qtest_has_machine("virt") || !qtest_has_device("pcc-cppc")) {
        return g_test_run();
    }

    qtest_add_func("/pcc-cppc/tables", test_tables);
    qtest_add_func("/pcc-cppc/read", test_read);
    qtest_add_func("/pcc-cppc/write", test_write);
    qtest_add_func("/pcc-cppc/no-platform-interrupt",
                   test_no_platform_interrupt);
    qtest_add_func("/pcc-cppc/bad-answers", test_bad_answers);
    qtest_add_func("/pcc-cppc/errors/two-devices", test_error_two_devices);
    qtest_add_func("/pcc-cppc/errors/shmem-too-small",
                   test_error_shmem_too_small);
    qtest_add_func("/pcc-cppc/errors/no-platform", test_error_no_platform);
    return g_test_run();
}
