/*
 * QTest testcase for pcc-xgene-i2c, the APM X-Gene SLIMpro I2C bus
 *
 * The test plays drivers/i2c/busses/i2c-xgene-slimpro.c on the guest
 * side and the platform through the spool. Block transfers go through a
 * buffer in guest RAM, which the device reads or writes in the SLIMpro's
 * stead; the message encodings are written out here from the driver's
 * SLIMPRO_IIC_ENCODE_* layout.
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

#define CHANNEL             5
#define I2C_ARGS            "-device pcc-xgene-i2c,channel=5,spool=%s"
#define MSG_SIZE            (GEN_SPACE + 12)
#define EEPROM              0x50

/* msg0: debug message, I2C subtype, bus 1, chip, rw, protocol, lengths */
static uint32_t i2c_msg0(unsigned chip, bool write, bool smbus,
                         unsigned addrlen, unsigned datalen)
{
    return (4u << 24) | (1u << 23) | ((chip << 13) & 0x7fe000) |
           (write ? 1u << 12 : 0) | (smbus ? 1u << 11 : 0) |
           ((addrlen << 8) & 0x700) | (datalen & 0xff);
}

/* msg1 of a block transfer: buffer flag, address bits 41:32, register */
static uint32_t i2c_block_msg1(uint64_t buf, bool with_len, unsigned reg)
{
    return (1u << 31) | (with_len ? 1u << 30 : 0) |
           ((buf >> 12) & 0x3ff00000) | (reg & 0xfffff);
}

/* Guest RAM for the driver's DMA buffer (virt RAM starts at 1 GiB) */
#define DMA_BUFFER          0x40100000ULL

static uint64_t i2c_send(PccMailbox *m, uint32_t msg0, uint32_t msg1,
                         uint32_t msg2, GByteArray **sent)
{
    uint8_t msg[MSG_SIZE] = { 0 };

    stl_le_p(msg + GEN_SIGNATURE, PCC_SIGNATURE | CHANNEL);
    stw_le_p(msg + GEN_COMMAND, GEN_CMD_GENERATE_SCI);
    stl_le_p(msg + GEN_SPACE, msg0);
    stl_le_p(msg + GEN_SPACE + 4, msg1);
    stl_le_p(msg + GEN_SPACE + 8, msg2);
    return pcc_mailbox_ring(m, msg, sizeof(msg), sent);
}

/* The platform's answer: the message with msg1 = @result, then @data */
static char *i2c_answer(PccMailbox *m, uint64_t id, const GByteArray *req,
                        uint32_t result, const uint8_t *data, size_t len)
{
    g_autoptr(GByteArray) a = g_byte_array_new();

    g_byte_array_append(a, req->data, MSG_SIZE);
    stw_le_p(a->data + GEN_STATUS, GEN_STATUS_CMD_COMPLETE);
    stl_le_p(a->data + GEN_SPACE + 4, result);
    stl_le_p(a->data + GEN_SPACE + 8, 0);
    if (len) {
        g_byte_array_append(a, data, len);
    }
    return pcc_mailbox_answer(m, id + 1, id, a->data, a->len);
}

static void expect_done(PccMailbox *m, uint32_t result)
{
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_true(qtest_readw(m->qts, m->shmem + GEN_STATUS) &
                  GEN_STATUS_SCI_DOORBELL);
    g_assert_true(pcc_mailbox_irq(m));
    g_assert_cmphex(qtest_readl(m->qts, m->shmem + GEN_SPACE + 4), ==,
                    result);
    pcc_mailbox_ack(m);
}

static const char i2c_reference_asl[] =
    "DefinitionBlock (\"\", \"SSDT\", 2, \"BOCHS \", \"PCC-SSDT\", 1)\n"
    "{\n"
    "    Scope (\\_SB)\n"
    "    {\n"
    "        Device (XI05)\n"
    "        {\n"
    "            Name (_HID, \"APMC0D40\")\n"
    "            Name (_UID, 0x05)\n"
    "            Name (_CCA, One)\n"
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
    PccMailbox *m = pcc_mailbox_start(I2C_ARGS, CHANNEL, NULL);
    PccAcpiTables t;
    uint8_t *ssdt;

    g_assert_cmpuint(m->type, ==, TYPE_HW_REDUCED_TYPE2);
    g_assert_cmpuint(m->latency, ==, 2000);
    pcc_acpi_tables_load(m->qts, &t);
    ssdt = pcc_acpi_find_table(&t, "SSDT", "PCC-SSDT", 0);
    g_assert_nonnull(ssdt);
    pcc_assert_aml_body_equal(m->dir, ssdt, i2c_reference_asl);
    pcc_acpi_tables_free(&t);
    pcc_mailbox_stop(m);
}

static void test_byte_read(void)
{
    PccMailbox *m = pcc_mailbox_start(I2C_ARGS, CHANNEL, NULL);
    g_autoptr(GByteArray) req = NULL;
    g_autofree char *name = NULL;
    uint64_t id;

    /* SMBus byte data read of register 0x10 */
    id = i2c_send(m, i2c_msg0(EEPROM, false, true, 1, 1), 0x10, 0, &req);
    g_assert_cmpuint(req->len, ==, MSG_SIZE);
    g_assert_cmphex(ldl_le_p(req->data + GEN_SPACE), ==, 0x048a0901);
    name = i2c_answer(m, id, req, 0xa5, NULL, 0);
    expect_done(m, 0xa5);
    pcc_mailbox_stop(m);
}

/* SMBus block write: the device appends what the guest buffer holds */
static void test_block_write(void)
{
    PccMailbox *m = pcc_mailbox_start(I2C_ARGS, CHANNEL, NULL);
    g_autoptr(GByteArray) req = NULL;
    g_autofree char *name = NULL;
    uint8_t data[5] = { 4, 0xde, 0xad, 0xbe, 0xef };
    uint64_t id;

    qtest_memwrite(m->qts, DMA_BUFFER, data, sizeof(data));
    id = i2c_send(m, i2c_msg0(EEPROM, true, true, 1, sizeof(data)),
                  i2c_block_msg1(DMA_BUFFER, false, 0x20),
                  (uint32_t)DMA_BUFFER, &req);
    g_assert_cmpuint(req->len, ==, MSG_SIZE + sizeof(data));
    g_assert_cmpmem(req->data + MSG_SIZE, sizeof(data), data, sizeof(data));
    name = i2c_answer(m, id, req, 0, NULL, 0);
    expect_done(m, 0);
    pcc_mailbox_stop(m);
}

/* SMBus block read: the answer's data lands in the guest buffer */
static void test_block_read(void)
{
    PccMailbox *m = pcc_mailbox_start(I2C_ARGS, CHANNEL, NULL);
    g_autoptr(GByteArray) req = NULL;
    g_autofree char *name = NULL;
    uint8_t data[33], got[33];
    uint64_t id;
    unsigned i;

    data[0] = 32;
    for (i = 1; i < sizeof(data); i++) {
        data[i] = 0x30 + i;
    }
    memset(got, 0, sizeof(got));
    qtest_memwrite(m->qts, DMA_BUFFER, got, sizeof(got));
    id = i2c_send(m, i2c_msg0(EEPROM, false, true, 1, sizeof(data)),
                  i2c_block_msg1(DMA_BUFFER, true, 0x00),
                  (uint32_t)DMA_BUFFER, &req);
    g_assert_cmpuint(req->len, ==, MSG_SIZE);
    name = i2c_answer(m, id, req, 0, data, sizeof(data));
    expect_done(m, 0);
    qtest_memread(m->qts, DMA_BUFFER, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), data, sizeof(data));
    pcc_mailbox_stop(m);
}

/* An absent target: the platform says so with msg1 all ones (ENODEV) */
static void test_absent_address(void)
{
    PccMailbox *m = pcc_mailbox_start(I2C_ARGS, CHANNEL, NULL);
    g_autoptr(GByteArray) req = NULL;
    g_autofree char *name = NULL;
    uint64_t id = i2c_send(m, i2c_msg0(0x23, false, true, 1, 1), 0, 0, &req);

    name = i2c_answer(m, id, req, 0xffffffff, NULL, 0);
    expect_done(m, 0xffffffff);
    pcc_mailbox_stop(m);
}

/*
 * Guest abuse: a block of more than 33 bytes, and a buffer outside
 * guest memory, fail at once with the error bit; a block read whose
 * answer has the wrong length is set aside. The channel carries on.
 */
static void test_bad_blocks(void)
{
    g_autofree char *logdir = pcc_make_tmp_dir();
    g_autofree char *logfile = g_build_filename(logdir, "log", NULL);
    g_autofree char *args = g_strdup_printf(
        "-device pcc-xgene-i2c,channel=5,spool=%%s -d guest_errors -D %s",
        logfile);
    PccMailbox *m = pcc_mailbox_start(args, CHANNEL, NULL);
    g_autoptr(GPtrArray) before = NULL;
    g_autoptr(GPtrArray) after = NULL;
    g_autoptr(GByteArray) req = NULL;
    g_autofree char *bad = NULL, *good = NULL, *log = NULL;
    uint8_t msg[MSG_SIZE] = { 0 }, data[33] = { 32 };
    uint64_t id;

    before = pcc_list_files(m->outbox);
    stl_le_p(msg + GEN_SIGNATURE, PCC_SIGNATURE | CHANNEL);
    stl_le_p(msg + GEN_SPACE, i2c_msg0(EEPROM, true, false, 1, 40));
    stl_le_p(msg + GEN_SPACE + 4, i2c_block_msg1(DMA_BUFFER, false, 0));
    stl_le_p(msg + GEN_SPACE + 8, (uint32_t)DMA_BUFFER);
    qtest_memwrite(m->qts, m->shmem, msg, sizeof(msg));
    pcc_reg_rmw(m->qts, &m->doorbell);
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_true(qtest_readw(m->qts, m->shmem + GEN_STATUS) &
                  GEN_STATUS_ERROR);
    pcc_mailbox_ack(m);
    stl_le_p(msg + GEN_SPACE, i2c_msg0(EEPROM, true, false, 1, 8));
    stl_le_p(msg + GEN_SPACE + 4, i2c_block_msg1(0x3ff00000000ULL, false,
                                                 0));
    stl_le_p(msg + GEN_SPACE + 8, 0);
    qtest_memwrite(m->qts, m->shmem, msg, sizeof(msg));
    pcc_reg_rmw(m->qts, &m->doorbell);
    g_assert_true(pcc_mailbox_wait_complete(m));
    g_assert_true(qtest_readw(m->qts, m->shmem + GEN_STATUS) &
                  GEN_STATUS_ERROR);
    pcc_mailbox_ack(m);
    /* neither reached the platform */
    after = pcc_list_files(m->outbox);
    g_assert_cmpuint(after->len, ==, before->len);

    id = i2c_send(m, i2c_msg0(EEPROM, false, true, 1, sizeof(data)),
                  i2c_block_msg1(DMA_BUFFER, true, 0), (uint32_t)DMA_BUFFER,
                  &req);
    bad = i2c_answer(m, id, req, 0, data, 10);
    pcc_mailbox_expect_rejected(m, bad);
    good = i2c_answer(m, id, req, 0, data, sizeof(data));
    expect_done(m, 0);

    log = pcc_read_log(logfile);
    pcc_assert_log_has(log, "block transfer of 40 bytes; the SLIMpro moves "
                       "at most 33");
    pcc_assert_log_has(log, "cannot read the 8-byte block buffer at "
                       "0x3ff00000000");
    pcc_mailbox_stop(m);
    pcc_rm_rf(logdir);
}

/* Real X-Gene has both: SLIMpro hwmon and I2C in one machine */
static void test_with_hwmon(void)
{
    PccMailbox *m = pcc_mailbox_start(
        I2C_ARGS " -device pcc-xgene-hwmon,channel=4,spool=%s-hwmon",
        CHANNEL, NULL);
    g_autoptr(GByteArray) req = NULL;
    g_autofree char *name = NULL;
    uint64_t id = i2c_send(m, i2c_msg0(EEPROM, false, true, 1, 2), 0x10, 0,
                           &req);

    name = i2c_answer(m, id, req, 0xbeef, NULL, 0);
    expect_done(m, 0xbeef);
    pcc_mailbox_stop(m);
}

static void test_error_platform_interrupt_off(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -global pcc-host.platform-interrupt=off"
        " -device pcc-xgene-i2c,spool=%s/a", dir);

    pcc_expect_startup_failure(args, "pcc-xgene-i2c needs the PCCT platform "
                               "interrupt flag");
    pcc_rm_rf(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    if (!qtest_has_machine("virt") || !qtest_has_device("pcc-xgene-i2c")) {
        return g_test_run();
    }

    qtest_add_func("/pcc-xgene-i2c/tables", test_tables);
    qtest_add_func("/pcc-xgene-i2c/byte-read", test_byte_read);
    qtest_add_func("/pcc-xgene-i2c/block-write", test_block_write);
    qtest_add_func("/pcc-xgene-i2c/block-read", test_block_read);
    qtest_add_func("/pcc-xgene-i2c/absent-address", test_absent_address);
    qtest_add_func("/pcc-xgene-i2c/bad-blocks", test_bad_blocks);
    if (qtest_has_device("pcc-xgene-hwmon")) {
        qtest_add_func("/pcc-xgene-i2c/with-hwmon", test_with_hwmon);
    }
    qtest_add_func("/pcc-xgene-i2c/errors/platform-interrupt-off",
                   test_error_platform_interrupt_off);
    return g_test_run();
}
