/*
 * QTest testcase for the ACPI Platform Communication Channel (PCC) bus
 * and the pcc-mctp device on the aarch64 virt machine
 *
 * The test plays the guest the way Linux's drivers/mailbox/pcc.c does:
 * it finds its registers in the PCCT, read-modify-writes them with the
 * masks the PCCT gives, and handles the interrupt line. It plays the
 * platform through the spool directory (docs/system/devices/pcc.rst).
 *
 * The table layouts below are written out from ACPI 6.5 chapter 14, on
 * purpose independently of QEMU's builder.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <glib/gstdio.h>
#include <sys/wait.h>
#include "libqtest.h"
#include "qemu/bswap.h"
#include "pcc-utils.h"

/* Temporary directories */

/* Messages */

static GByteArray *make_msg(uint32_t sig, uint32_t flags, uint32_t length,
                            uint32_t command, uint8_t seed)
{
    GByteArray *msg = g_byte_array_new();
    uint8_t hdr[EXT_PAYLOAD];
    uint32_t i;

    stl_le_p(hdr + EXT_SIGNATURE, sig);
    stl_le_p(hdr + EXT_FLAGS, flags);
    stl_le_p(hdr + EXT_LENGTH, length);
    stl_le_p(hdr + EXT_COMMAND, command);
    g_byte_array_append(msg, hdr, MIN(sizeof(hdr), EXT_MSG_OVERHEAD + length));
    for (i = EXT_PAYLOAD; i < EXT_MSG_OVERHEAD + length; i++) {
        uint8_t b = seed + i * 7;

        g_byte_array_append(msg, &b, 1);
    }
    return msg;
}

static GByteArray *make_mctp_msg(unsigned idx, uint32_t flags,
                                 uint32_t payload_len, uint8_t seed)
{
    return make_msg(PCC_SIGNATURE | idx, flags, 4 + payload_len,
                    MCTP_COMMAND, seed);
}

/* Platform side: the spool */

/* Starting QEMU */

/* fw_cfg, as the virt machine wires it: 8-byte data, big-endian selector */

/* ACPI tables */

/* The guest's view of one subspace, taken from the PCCT as Linux does */

typedef struct GuestChan {
    unsigned index;
    unsigned type;
    uint32_t gsi;
    uint64_t shmem;
    uint64_t shmem_size;
    PccReg doorbell;
    PccReg ack;
    uint64_t check_addr;
    uint64_t check_mask;
    PccReg update;
    uint64_t error_addr;
    uint64_t error_mask;
} GuestChan;

static void check_generic_subspace(const uint8_t *s, unsigned idx,
                                   uint64_t size)
{
    g_test_message("subspace %u: type 0", idx);
    g_assert_cmpuint(s[T0_TYPE], ==, TYPE_GENERIC);
    g_assert_cmpuint(s[T0_LENGTH], ==, T0_LEN);
    g_assert_true(pcc_all_zero(s + T0_RESERVED, 6));
    g_assert_cmphex(ldq_le_p(s + T0_BASE), ==, pcc_shmem_addr(idx));
    g_assert_cmphex(ldq_le_p(s + T0_SIZE), ==, size);
    pcc_check_gas(s + T0_DOORBELL, pcc_reg_addr(idx, REG_DOORBELL));
    g_assert_cmphex(ldq_le_p(s + T0_DOORBELL_PRESERVE), ==, 0);
    g_assert_cmphex(ldq_le_p(s + T0_DOORBELL_WRITE), ==, 1);
    g_assert_cmpuint(ldl_le_p(s + T0_LATENCY), ==, PCC_NOMINAL_LATENCY);
    g_assert_cmpuint(ldl_le_p(s + T0_MAX_RATE), ==, 0);
    g_assert_cmpuint(lduw_le_p(s + T0_TURNAROUND), ==, 0);
}

static void check_extended_subspace(const uint8_t *s, unsigned idx,
                                    unsigned type, uint32_t size,
                                    GuestChan *gc)
{
    g_test_message("subspace %u: type %u", idx, type);
    g_assert_cmpuint(s[TX_TYPE], ==, type);
    g_assert_cmpuint(s[TX_LENGTH], ==, TX_LEN);
    g_assert_cmpuint(ldl_le_p(s + TX_PLATFORM_IRQ), ==, pcc_gsi(idx));
    /* level triggered, active high */
    g_assert_cmpuint(s[TX_PLATFORM_IRQ_FLAGS], ==, 0);
    g_assert_cmpuint(s[TX_RESERVED1], ==, 0);
    g_assert_cmphex(ldq_le_p(s + TX_BASE), ==, pcc_shmem_addr(idx));
    g_assert_cmphex(ldl_le_p(s + TX_SIZE), ==, size);
    pcc_check_gas(s + TX_DOORBELL, pcc_reg_addr(idx, REG_DOORBELL));
    g_assert_cmphex(ldq_le_p(s + TX_DOORBELL_PRESERVE), ==, 0);
    g_assert_cmphex(ldq_le_p(s + TX_DOORBELL_WRITE), ==, 1);
    g_assert_cmpuint(ldl_le_p(s + TX_LATENCY), ==, PCC_NOMINAL_LATENCY);
    g_assert_cmpuint(ldl_le_p(s + TX_MAX_RATE), ==, 0);
    g_assert_cmpuint(ldl_le_p(s + TX_TURNAROUND), ==, 0);
    pcc_check_gas(s + TX_ACK, pcc_reg_addr(idx, REG_PLATFORM_ACK));
    g_assert_cmphex(ldq_le_p(s + TX_ACK_PRESERVE), ==, 0);
    g_assert_cmphex(ldq_le_p(s + TX_ACK_SET), ==, 1);
    g_assert_cmphex(ldq_le_p(s + TX_RESERVED2), ==, 0);
    pcc_check_gas(s + TX_CMD_CHECK, pcc_reg_addr(idx, REG_CMD_COMPLETE));
    g_assert_cmphex(ldq_le_p(s + TX_CMD_CHECK_MASK), ==, 1);
    pcc_check_gas(s + TX_CMD_UPDATE, pcc_reg_addr(idx, REG_CMD_COMPLETE));
    g_assert_cmphex(ldq_le_p(s + TX_CMD_UPDATE_PRESERVE), ==, 0);
    /* initiator: clear before ringing; responder: set when consumed */
    g_assert_cmphex(ldq_le_p(s + TX_CMD_UPDATE_SET), ==,
                    type == TYPE_EXT_RESPONDER ? 1 : 0);
    pcc_check_gas(s + TX_ERROR, pcc_reg_addr(idx, REG_ERROR_STATUS));
    g_assert_cmphex(ldq_le_p(s + TX_ERROR_MASK), ==, 1);

    if (gc) {
        gc->index = idx;
        gc->type = type;
        gc->gsi = ldl_le_p(s + TX_PLATFORM_IRQ);
        gc->shmem = ldq_le_p(s + TX_BASE);
        gc->shmem_size = ldl_le_p(s + TX_SIZE);
        gc->doorbell.addr = ldq_le_p(s + TX_DOORBELL + GAS_ADDRESS);
        gc->doorbell.preserve = ldq_le_p(s + TX_DOORBELL_PRESERVE);
        gc->doorbell.set = ldq_le_p(s + TX_DOORBELL_WRITE);
        gc->ack.addr = ldq_le_p(s + TX_ACK + GAS_ADDRESS);
        gc->ack.preserve = ldq_le_p(s + TX_ACK_PRESERVE);
        gc->ack.set = ldq_le_p(s + TX_ACK_SET);
        gc->check_addr = ldq_le_p(s + TX_CMD_CHECK + GAS_ADDRESS);
        gc->check_mask = ldq_le_p(s + TX_CMD_CHECK_MASK);
        gc->update.addr = ldq_le_p(s + TX_CMD_UPDATE + GAS_ADDRESS);
        gc->update.preserve = ldq_le_p(s + TX_CMD_UPDATE_PRESERVE);
        gc->update.set = ldq_le_p(s + TX_CMD_UPDATE_SET);
        gc->error_addr = ldq_le_p(s + TX_ERROR + GAS_ADDRESS);
        gc->error_mask = ldq_le_p(s + TX_ERROR_MASK);
    }
}

/* A pcc-mctp device on the command line, and where it must end up */
typedef struct TestDev {
    int channel;            /* -1: let QEMU choose */
    unsigned expect;        /* the first index it must get */
    uint32_t shmem_size;    /* 0: the default */
    bool chardev;           /* a null chardev instead of a spool */
    bool shmem_zero;        /* shmem-size=0: the class's default */
} TestDev;

/*
 * Check the PCCT against @devs: subspaces 0 .. highest index, those of
 * the devices as types 3 and 4, any other as a type 0 placeholder. The
 * guest view of subspace i goes to @gcs[i] if @gcs is given.
 */
static void check_pcct(uint8_t *pcct, const TestDev *devs, unsigned ndevs,
                       GuestChan *gcs)
{
    unsigned n = 0, i, d;
    uint32_t expect_len = PCCT_SUBSPACES;
    const uint8_t *s;

    for (d = 0; d < ndevs; d++) {
        n = MAX(n, devs[d].expect + 2);
    }
    for (i = 0; i < n; i++) {
        bool owned = false;

        for (d = 0; d < ndevs; d++) {
            owned |= i == devs[d].expect || i == devs[d].expect + 1;
        }
        expect_len += owned ? TX_LEN : T0_LEN;
    }

    g_assert_cmpmem(pcct + ACPI_HDR_SIGNATURE, 4, "PCCT", 4);
    g_assert_cmpuint(ldl_le_p(pcct + ACPI_HDR_LENGTH), ==, expect_len);
    g_assert_cmpuint(pcct[ACPI_HDR_REVISION], ==, PCCT_REVISION);
    g_assert_cmpmem(pcct + ACPI_HDR_OEM_ID, 6, "BOCHS ", 6);
    g_assert_cmpmem(pcct + ACPI_HDR_OEM_TABLE_ID, 8, "BXPC    ", 8);
    g_assert_cmphex(ldl_le_p(pcct + PCCT_FLAGS), ==, PCCT_FLAG_PLATFORM_IRQ);
    g_assert_cmphex(ldq_le_p(pcct + PCCT_RESERVED), ==, 0);

    s = pcct + PCCT_SUBSPACES;
    for (i = 0; i < n; i++) {
        const TestDev *owner = NULL;

        for (d = 0; d < ndevs; d++) {
            if (i == devs[d].expect || i == devs[d].expect + 1) {
                owner = &devs[d];
            }
        }
        if (owner) {
            uint32_t size = owner->shmem_size ?: PCC_SHMEM_DEFAULT;
            unsigned type = i == owner->expect ? TYPE_EXT_INITIATOR :
                            TYPE_EXT_RESPONDER;

            check_extended_subspace(s, i, type, size, gcs ? &gcs[i] : NULL);
            s += TX_LEN;
        } else {
            check_generic_subspace(s, i, PCC_SHMEM_RESERVED_SIZE);
            s += T0_LEN;
        }
    }
    g_assert_true(s == pcct + expect_len);
}

/* iasl */

typedef struct SsdtDevice {
    char *hid;
    int64_t uid;
    bool dword_pcc;
    unsigned nres;
    uint32_t min[4];
} SsdtDevice;

/* The devices in the disassembled SSDT, with their _HID, _UID, _CRS */
static GArray *parse_ssdt_devices(const char *dsl)
{
    GArray *devs = g_array_new(false, true, sizeof(SsdtDevice));
    g_autoptr(GRegex) dev_re = g_regex_new("Device \\((\\w+)\\)", 0, 0,
                                           NULL);
    g_autoptr(GRegex) hid_re = g_regex_new("Name \\(_HID, \"([^\"]*)\"\\)",
                                           0, 0, NULL);
    g_autoptr(GRegex) uid_re = g_regex_new("Name \\(_UID, (\\w+)\\)", 0, 0,
                                           NULL);
    g_autoptr(GRegex) crs_re = g_regex_new("Name \\(_CRS, ResourceTemplate",
                                           0, 0, NULL);
    /* DWordSpace (0x0A, ...) or, from an older iasl, the same fields */
    g_autoptr(GRegex) res_re = g_regex_new(
        "(?:DWordSpace \\(0x0A,[^)]*?"
        "|/\\*\\*\\*\\* Invalid Resource Type: 0xA \\*\\*\\*\\*/\\s*)"
        "0x([0-9A-Fa-f]+),\\s*// Granularity\\s*"
        "0x([0-9A-Fa-f]+),\\s*// Range Minimum\\s*"
        "0x([0-9A-Fa-f]+),\\s*// Range Maximum\\s*"
        "0x([0-9A-Fa-f]+),\\s*// Translation Offset\\s*"
        "0x([0-9A-Fa-f]+),\\s*// Length", 0, 0, NULL);
    g_autoptr(GMatchInfo) m = NULL;
    GArray *starts = g_array_new(false, false, sizeof(int));
    unsigned i;

    g_regex_match(dev_re, dsl, 0, &m);
    while (g_match_info_matches(m)) {
        int start, end;

        g_match_info_fetch_pos(m, 0, &start, &end);
        g_array_append_val(starts, start);
        g_match_info_next(m, NULL);
    }

    for (i = 0; i < starts->len; i++) {
        int start = g_array_index(starts, int, i);
        int end = i + 1 < starts->len ? g_array_index(starts, int, i + 1) :
                  (int)strlen(dsl);
        g_autofree char *block = g_strndup(dsl + start, end - start);
        g_autoptr(GMatchInfo) mi = NULL;
        g_autoptr(GMatchInfo) mu = NULL;
        g_autoptr(GMatchInfo) mr = NULL;
        SsdtDevice sd = { .uid = -1 };

        if (g_regex_match(hid_re, block, 0, &mi)) {
            sd.hid = g_match_info_fetch(mi, 1);
        }
        if (g_regex_match(uid_re, block, 0, &mu)) {
            g_autofree char *u = g_match_info_fetch(mu, 1);

            sd.uid = pcc_parse_aml_int(u);
        }
        g_assert_true(g_regex_match(crs_re, block, 0, NULL));
        sd.dword_pcc = strstr(block, "DWordPcc") || strstr(block, "DWordPCC");
        g_regex_match(res_re, block, 0, &mr);
        while (g_match_info_matches(mr)) {
            g_autofree char *gran = g_match_info_fetch(mr, 1);
            g_autofree char *min = g_match_info_fetch(mr, 2);
            g_autofree char *max = g_match_info_fetch(mr, 3);
            g_autofree char *tra = g_match_info_fetch(mr, 4);
            g_autofree char *len = g_match_info_fetch(mr, 5);

            g_assert_cmpuint(sd.nres, <, ARRAY_SIZE(sd.min));
            g_assert_cmpuint(g_ascii_strtoull(gran, NULL, 16), ==, 0);
            g_assert_cmpuint(g_ascii_strtoull(max, NULL, 16), ==,
                             g_ascii_strtoull(min, NULL, 16));
            g_assert_cmpuint(g_ascii_strtoull(tra, NULL, 16), ==, 0);
            g_assert_cmpuint(g_ascii_strtoull(len, NULL, 16), ==, 1);
            sd.min[sd.nres++] = g_ascii_strtoull(min, NULL, 16);
            g_match_info_next(mr, NULL);
        }
        g_array_append_val(devs, sd);
    }
    g_array_free(starts, true);
    return devs;
}

static void check_ssdt(const char *dsl, const TestDev *devs, unsigned ndevs)
{
    GArray *found = parse_ssdt_devices(dsl);
    unsigned i, d;

    g_assert_cmpuint(found->len, ==, ndevs);
    for (d = 0; d < ndevs; d++) {
        const SsdtDevice *sd = NULL;

        for (i = 0; i < found->len; i++) {
            if (g_array_index(found, SsdtDevice, i).uid == devs[d].expect) {
                g_assert_null(sd);
                sd = &g_array_index(found, SsdtDevice, i);
            }
        }
        g_test_message("SSDT device with _UID %u", devs[d].expect);
        g_assert_nonnull(sd);
        g_assert_cmpstr(sd->hid, ==, "DMT0001");
        /* outbox, then inbox */
        if (!sd->nres && sd->dword_pcc) {
            /* an iasl that knows DWordPcc: the raw check covers it */
            continue;
        }
        g_assert_cmpuint(sd->nres, ==, 2);
        g_assert_cmpuint(sd->min[0], ==, devs[d].expect);
        g_assert_cmpuint(sd->min[1], ==, devs[d].expect + 1);
    }
    for (i = 0; i < found->len; i++) {
        g_free(g_array_index(found, SsdtDevice, i).hid);
    }
    g_array_free(found, true);
}

static int cmp_testdev(const void *a, const void *b)
{
    const TestDev *da = a, *db = b;

    return (int)da->expect - (int)db->expect;
}

/*
 * The SSDT that @devs must give, in ASL (DSP0292 section 6: a DMT0001
 * device whose _CRS names outbox and inbox with DWordPcc descriptors),
 * devices in index order.
 */
static char *mctp_reference_asl(const TestDev *devs, unsigned ndevs)
{
    g_autofree TestDev *sorted = g_memdup2(devs, ndevs * sizeof(*devs));
    GString *asl = g_string_new(
        "DefinitionBlock (\"\", \"SSDT\", 2, \"BOCHS \", \"PCC-SSDT\", 1)\n"
        "{\n    Scope (\\_SB)\n    {\n");
    unsigned d;

    qsort(sorted, ndevs, sizeof(*sorted), cmp_testdev);
    for (d = 0; d < ndevs; d++) {
        unsigned e = sorted[d].expect;

        g_string_append_printf(asl,
            "        Device (MC%02X)\n"
            "        {\n"
            "            Name (_HID, \"DMT0001\")\n"
            "            Name (_UID, 0x%02X)\n"
            "            Name (_CRS, ResourceTemplate ()\n"
            "            {\n"
            "                DWordPcc (0x%02X,,)\n"
            "                DWordPcc (0x%02X,,)\n"
            "            })\n"
            "        }\n", e, e, e, e + 1);
    }
    g_string_append(asl, "    }\n}\n");
    return g_string_free(asl, false);
}

/* A QEMU with the devices in @devs, each with its spool in @dir */
static QTestState *start_with_devs(const char *dir, const TestDev *devs,
                                   unsigned ndevs, const char *extra)
{
    g_autoptr(GString) args = g_string_new("");
    unsigned d;

    for (d = 0; d < ndevs; d++) {
        if (devs[d].chardev) {
            g_string_append_printf(args, " -chardev null,id=pccchr%u", d);
        }
        g_string_append(args, " -device pcc-mctp");
        if (devs[d].channel >= 0) {
            g_string_append_printf(args, ",channel=%d", devs[d].channel);
        }
        if (devs[d].shmem_size) {
            g_string_append_printf(args, ",shmem-size=0x%x",
                                   devs[d].shmem_size);
        } else if (devs[d].shmem_zero) {
            g_string_append(args, ",shmem-size=0");
        }
        if (devs[d].chardev) {
            g_string_append_printf(args, ",chardev=pccchr%u", d);
        } else {
            g_string_append_printf(args, ",spool=%s/spool%u", dir, d);
        }
    }
    g_string_append_printf(args, " %s", extra ?: "");
    return pcc_start_virt(args->str);
}

static void test_tables(const TestDev *devs, unsigned ndevs)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *pcct_dsl = NULL;
    g_autofree char *ssdt_dsl = NULL;
    g_autofree char *reference = NULL;
    QTestState *qts = start_with_devs(dir, devs, ndevs, NULL);
    PccAcpiTables t;
    uint8_t *pcct, *ssdt;

    pcc_acpi_tables_load(qts, &t);
    pcct = pcc_acpi_find_table(&t, "PCCT", NULL, 0);
    g_assert_nonnull(pcct);
    g_assert_null(pcc_acpi_find_table(&t, "PCCT", NULL, 1));
    ssdt = pcc_acpi_find_table(&t, "SSDT", "PCC-SSDT", 0);
    g_assert_nonnull(ssdt);
    g_assert_null(pcc_acpi_find_table(&t, "SSDT", "PCC-SSDT", 1));
    g_assert_cmpmem(ssdt + ACPI_HDR_OEM_ID, 6, "BOCHS ", 6);

    check_pcct(pcct, devs, ndevs, NULL);
    reference = mctp_reference_asl(devs, ndevs);
    pcc_assert_aml_body_equal(dir, ssdt, reference);

    pcc_write_table(dir, "pcct.dat", pcct);
    pcc_write_table(dir, "ssdt.dat", ssdt);
    pcc_run_iasl(dir, "pcct", &pcct_dsl);
    pcc_run_iasl(dir, "ssdt", &ssdt_dsl);
    g_assert_nonnull(strstr(pcct_dsl, "Platform Communications Channel"));
    check_ssdt(ssdt_dsl, devs, ndevs);

    pcc_acpi_tables_free(&t);
    qtest_quit(qts);
    pcc_rm_rf(dir);
}

static void test_tables_none(void)
{
    QTestState *qts = pcc_start_virt("");
    PccAcpiTables t;

    pcc_acpi_tables_load(qts, &t);
    /* the walk itself works: the machine's own tables are there */
    g_assert_nonnull(pcc_acpi_find_table(&t, "DSDT", NULL, 0));
    g_assert_nonnull(pcc_acpi_find_table(&t, "XSDT", NULL, 0));
    g_assert_null(pcc_acpi_find_table(&t, "PCCT", NULL, 0));
    g_assert_null(pcc_acpi_find_table(&t, "SSDT", "PCC-SSDT", 0));
    pcc_acpi_tables_free(&t);
    qtest_quit(qts);
}

static void test_tables_one(void)
{
    static const TestDev devs[] = {
        { .channel = 0, .expect = 0 },
    };

    test_tables(devs, ARRAY_SIZE(devs));
}

static void test_tables_one_auto(void)
{
    static const TestDev devs[] = {
        { .channel = -1, .expect = 0, .shmem_size = 0x10000 },
    };

    test_tables(devs, ARRAY_SIZE(devs));
}

/* shmem-size=0 is the class's default: 4 KiB for pcc-mctp */
static void test_tables_shmem_default(void)
{
    static const TestDev devs[] = {
        { .channel = 0, .expect = 0, .shmem_zero = true },
    };

    test_tables(devs, ARRAY_SIZE(devs));
}

static void test_tables_two(void)
{
    static const TestDev devs[] = {
        { .channel = 0, .expect = 0 },
        { .channel = 2, .expect = 2 },
    };

    test_tables(devs, ARRAY_SIZE(devs));
}

static void test_tables_two_reversed(void)
{
    /* -device order must not matter */
    static const TestDev devs[] = {
        { .channel = 2, .expect = 2, .shmem_size = 0x2000 },
        { .channel = 0, .expect = 0 },
    };

    test_tables(devs, ARRAY_SIZE(devs));
}

static void test_tables_gap(void)
{
    /* indices 0 and 1 become type 0 placeholders */
    static const TestDev devs[] = {
        { .channel = 2, .expect = 2 },
    };

    test_tables(devs, ARRAY_SIZE(devs));
}

static void test_tables_many(void)
{
    /* auto picks the lowest free run of two consecutive indices */
    static const TestDev devs[] = {
        { .channel = 2, .expect = 2 },
        { .channel = -1, .expect = 0, .chardev = true },
        { .channel = -1, .expect = 4 },
        { .channel = 9, .expect = 9, .chardev = true },
        { .channel = -1, .expect = 6, .shmem_size = 0x8000 },
        { .channel = -1, .expect = 11, .chardev = true },   /* 8 is alone */
        { .channel = 14, .expect = 14, .shmem_size = 0x4000 },
        { .channel = -1, .expect = 16, .chardev = true },   /* 13 is alone */
        { .channel = 79, .expect = 79, .chardev = true },  /* lines 79, 0 */
        { .channel = 250, .expect = 250, .chardev = true },
        { .channel = 254, .expect = 254, .shmem_size = 0x10000,
          .chardev = true },
    };

    test_tables(devs, ARRAY_SIZE(devs));
}

/* The guest: Linux's pcc.c */

typedef struct Guest {
    QTestState *qts;
    char *dir;
    char *spool;
    char *outbox;
    char *inbox;
    GuestChan chans[PCC_NUM_INDICES];
} Guest;

static void guest_rmw(Guest *g, const PccReg *r)
{
    uint32_t val = qtest_readl(g->qts, r->addr);

    val = (val & r->preserve) | r->set;
    qtest_writel(g->qts, r->addr, val);
}

static uint32_t guest_reg(Guest *g, unsigned idx, unsigned reg)
{
    return qtest_readl(g->qts, pcc_reg_addr(idx, reg));
}

/* pcc_send_data() */
static void guest_send(Guest *g, unsigned idx)
{
    GuestChan *c = &g->chans[idx];

    g_assert_cmpuint(c->type, ==, TYPE_EXT_INITIATOR);
    guest_rmw(g, &c->update);
    guest_rmw(g, &c->doorbell);
}

static bool guest_irq_level(Guest *g, unsigned idx)
{
    /* the PCCT's GSI is the line the host raises */
    return qtest_get_irq(g->qts, g->chans[idx].gsi - GIC_SPI_BASE -
                         PCC_FIRST_SPI);
}

/*
 * pcc_mbox_irq(): ack the interrupt, then see whether the subspace has
 * something for us (type 3: command complete set; type 4: clear), then
 * check and clear the error. Returns true if the channel was handled;
 * *error tells whether the platform reported an error.
 */
static bool guest_irq(Guest *g, unsigned idx, bool *error)
{
    GuestChan *c = &g->chans[idx];
    uint32_t val;

    guest_rmw(g, &c->ack);
    val = qtest_readl(g->qts, c->check_addr) & c->check_mask;
    if (c->type == TYPE_EXT_RESPONDER ? val : !val) {
        return false;
    }
    val = qtest_readl(g->qts, c->error_addr);
    *error = val & c->error_mask;
    if (*error) {
        qtest_writel(g->qts, c->error_addr, val & ~c->error_mask);
    }
    return true;
}

/* pcc_chan_acknowledge(): a responder tells the platform it is done */
static void guest_consume(Guest *g, unsigned idx)
{
    GuestChan *c = &g->chans[idx];

    g_assert_cmpuint(c->type, ==, TYPE_EXT_RESPONDER);
    guest_rmw(g, &c->update);
    if (qtest_readl(g->qts, c->shmem + EXT_FLAGS) & EXT_FLAG_NOTIFY) {
        guest_rmw(g, &c->doorbell);
    }
}

static void guest_write_msg(Guest *g, unsigned idx, const GByteArray *msg)
{
    qtest_memwrite(g->qts, g->chans[idx].shmem, msg->data, msg->len);
}

static GByteArray *guest_read_msg(Guest *g, unsigned idx)
{
    GuestChan *c = &g->chans[idx];
    uint32_t length = qtest_readl(g->qts, c->shmem + EXT_LENGTH);
    GByteArray *msg;

    g_assert_cmpuint(length, >=, 4);
    g_assert_cmpuint(length, <=, c->shmem_size - EXT_MSG_OVERHEAD);
    msg = g_byte_array_sized_new(EXT_MSG_OVERHEAD + length);
    g_byte_array_set_size(msg, EXT_MSG_OVERHEAD + length);
    qtest_memread(g->qts, c->shmem, msg->data, msg->len);
    return msg;
}

/*
 * Start QEMU with @devs, their spools in @dir (which the guest takes
 * over), read the PCCT like a guest would, and intercept the PCC
 * interrupt lines.
 */
static Guest *guest_start_in(char *dir, const TestDev *devs, unsigned ndevs,
                             const char *extra)
{
    Guest *g = g_new0(Guest, 1);
    PccAcpiTables t;
    uint8_t *pcct;

    g->dir = dir;
    g->spool = g_build_filename(g->dir, "spool0", NULL);
    g->outbox = g_build_filename(g->spool, "outbox", NULL);
    g->inbox = g_build_filename(g->spool, "inbox", NULL);
    g->qts = start_with_devs(g->dir, devs, ndevs, extra);
    qtest_irq_intercept_out_named(g->qts, "/machine/pcc-host", "sysbus-irq");

    pcc_acpi_tables_load(g->qts, &t);
    pcct = pcc_acpi_find_table(&t, "PCCT", NULL, 0);
    g_assert_nonnull(pcct);
    check_pcct(pcct, devs, ndevs, g->chans);
    pcc_acpi_tables_free(&t);
    return g;
}

static Guest *guest_start(const TestDev *devs, unsigned ndevs,
                          const char *extra)
{
    return guest_start_in(pcc_make_tmp_dir(), devs, ndevs, extra);
}

static void guest_stop(Guest *g)
{
    if (g->qts) {
        qtest_quit(g->qts);
    }
    pcc_rm_rf(g->dir);
    g_free(g->dir);
    g_free(g->spool);
    g_free(g->outbox);
    g_free(g->inbox);
    g_free(g);
}

/* The registers after reset, as the engine documents them */
static void check_idle(Guest *g, unsigned idx)
{
    g_assert_cmphex(guest_reg(g, idx, REG_ID), ==,
                    PCC_SIGNATURE | idx);
    g_assert_cmphex(guest_reg(g, idx, REG_CMD_COMPLETE), ==,
                    1);
    g_assert_cmphex(guest_reg(g, idx, REG_ERROR_STATUS), ==,
                    0);
    g_assert_cmphex(guest_reg(g, idx, REG_PLATFORM_ACK), ==,
                    0);
    g_assert_cmphex(qtest_readl(g->qts, pcc_shmem_addr(idx)), ==,
                    PCC_SIGNATURE | idx);
}

/*
 * One guest request on outbox @idx: the spool must then hold exactly the
 * message, command complete is set and the interrupt raised; the ack
 * drops it.
 */
static void exchange_request(Guest *g, unsigned idx, const char *outbox,
                             unsigned channel, uint32_t payload_len,
                             uint8_t seed)
{
    g_autoptr(GByteArray) msg = make_mctp_msg(idx, EXT_FLAG_NOTIFY,
                                              payload_len, seed);
    g_autoptr(GPtrArray) before = pcc_list_files(outbox);
    g_autoptr(GPtrArray) after = NULL;
    g_autofree char *tmpdir = g_build_filename(outbox, "tmp", NULL);
    g_autoptr(GPtrArray) tmp = NULL;
    const char *name;
    bool error = true;

    g_assert_false(guest_irq_level(g, idx));
    guest_write_msg(g, idx, msg);
    guest_send(g, idx);

    after = pcc_list_files(outbox);
    g_assert_cmpuint(after->len, ==, before->len + 1);
    /* names sort in the order the messages were sent */
    name = after->pdata[after->len - 1];
    g_test_message("outbox file %s", name);
    g_assert_true(pcc_is_outbox_name(name, channel, "ext"));
    pcc_assert_file_equals(outbox, name, msg);
    tmp = pcc_list_dir(tmpdir);
    g_assert_cmpuint(tmp->len, ==, 0);

    g_assert_true(guest_irq_level(g, idx));
    g_assert_cmphex(guest_reg(g, idx, REG_PLATFORM_ACK), ==,
                    1);
    g_assert_true(guest_irq(g, idx, &error));
    g_assert_false(error);
    g_assert_false(guest_irq_level(g, idx));
    g_assert_cmphex(guest_reg(g, idx, REG_PLATFORM_ACK), ==,
                    0);
    g_assert_cmphex(guest_reg(g, idx, REG_CMD_COMPLETE), ==,
                    1);
}

static void test_doorbell(void)
{
    static const TestDev devs[] = {
        { .channel = 0, .expect = 0 },
    };
    Guest *g = guest_start(devs, ARRAY_SIZE(devs), NULL);
    g_autoptr(GPtrArray) files = NULL;

    check_idle(g, 0);
    check_idle(g, 1);
    exchange_request(g, 0, g->outbox, 0, 20, 0x11);
    exchange_request(g, 0, g->outbox, 0, 100, 0x22);
    /* the largest message that fits, and the smallest */
    exchange_request(g, 0, g->outbox, 0,
                     PCC_SHMEM_DEFAULT - EXT_PAYLOAD, 0x33);
    exchange_request(g, 0, g->outbox, 0, 0, 0x44);
    files = pcc_list_files(g->outbox);
    g_assert_cmpuint(files->len, ==, 4);
    /* the inbox saw nothing of it */
    g_assert_false(guest_irq_level(g, 1));
    g_assert_cmphex(guest_reg(g, 1, REG_CMD_COMPLETE), ==,
                    1);
    guest_stop(g);
}

static void test_doorbell_second_device(void)
{
    /* a device whose lines wrap around: indices 79 and 80 share lines */
    static const TestDev devs[] = {
        { .channel = 0, .expect = 0 },
        { .channel = 79, .expect = 79, .shmem_size = 0x2000 },
    };
    Guest *g = guest_start(devs, ARRAY_SIZE(devs), NULL);
    g_autofree char *spool1 = g_build_filename(g->dir, "spool1", NULL);
    g_autofree char *outbox1 = g_build_filename(spool1, "outbox", NULL);
    g_autoptr(GPtrArray) files0 = NULL;

    check_idle(g, 79);
    check_idle(g, 80);
    exchange_request(g, 79, outbox1, 79, 0x2000 - EXT_PAYLOAD, 0x55);
    files0 = pcc_list_files(g->outbox);
    g_assert_cmpuint(files0->len, ==, 0);
    exchange_request(g, 0, g->outbox, 0, 8, 0x66);
    guest_stop(g);
}

/*
 * Two subspaces on one level-triggered line: it stays up until both
 * interrupts are acknowledged. Both ask for a completion interrupt.
 */
static void test_doorbell_shared_irq(void)
{
    static const TestDev devs[] = {
        { .channel = 0, .expect = 0 },
        { .channel = 80, .expect = 80 },
    };
    Guest *g = guest_start(devs, ARRAY_SIZE(devs), NULL);
    g_autoptr(GByteArray) m0 = make_mctp_msg(0, EXT_FLAG_NOTIFY, 8, 1);
    g_autoptr(GByteArray) m80 = make_mctp_msg(80, EXT_FLAG_NOTIFY,
                                              8, 2);
    bool error;

    g_assert_cmpuint(pcc_irq_line(0), ==, pcc_irq_line(80));
    guest_write_msg(g, 0, m0);
    guest_write_msg(g, 80, m80);
    guest_send(g, 0);
    guest_send(g, 80);
    g_assert_true(guest_irq_level(g, 0));

    g_assert_true(guest_irq(g, 0, &error));
    g_assert_false(error);
    g_assert_true(guest_irq_level(g, 80));
    g_assert_true(guest_irq(g, 80, &error));
    g_assert_false(error);
    g_assert_false(guest_irq_level(g, 0));
    guest_stop(g);
}

/*
 * Without "notify on completion" in the message's flags the platform
 * completes the command quietly: command complete is set, the
 * interrupt line stays down and nothing waits for an acknowledgement.
 */
static void test_doorbell_quiet_completion(void)
{
    static const TestDev devs[] = {
        { .channel = 0, .expect = 0 },
    };
    Guest *g = guest_start(devs, ARRAY_SIZE(devs), NULL);
    g_autoptr(GByteArray) quiet = make_mctp_msg(0, 0, 8, 0x21);
    g_autoptr(GPtrArray) files = NULL;

    guest_write_msg(g, 0, quiet);
    guest_send(g, 0);
    files = pcc_list_files(g->outbox);
    g_assert_cmpuint(files->len, ==, 1);
    g_assert_cmphex(guest_reg(g, 0, REG_CMD_COMPLETE), ==, 1);
    g_assert_false(guest_irq_level(g, 0));
    g_assert_cmphex(guest_reg(g, 0, REG_PLATFORM_ACK), ==, 0);
    /* the next message, asking for one, still gets its interrupt */
    exchange_request(g, 0, g->outbox, 0, 8, 0x22);
    guest_stop(g);
}

/* Inbox */

static bool wait_cmd_complete(Guest *g, unsigned idx, uint32_t want)
{
    return pcc_wait_readl(g->qts, pcc_reg_addr(idx, REG_CMD_COMPLETE), 1,
                          want);
}

/*
 * The guest's side of one message from the platform on inbox @idx. The
 * interrupt line is checked unless it went up before the test could
 * intercept it (@line_known false); the pending bit is checked anyway.
 */
static void receive_message_full(Guest *g, unsigned idx,
                                 const GByteArray *want, bool line_known)
{
    g_autoptr(GByteArray) got = NULL;
    bool error = true;

    g_assert_true(wait_cmd_complete(g, idx, 0));
    if (line_known) {
        g_assert_true(guest_irq_level(g, idx));
    }
    g_assert_cmphex(guest_reg(g, idx, REG_PLATFORM_ACK), ==,
                    1);
    g_assert_true(guest_irq(g, idx, &error));
    g_assert_false(error);
    g_assert_false(guest_irq_level(g, idx));
    got = guest_read_msg(g, idx);
    g_assert_cmpuint(got->len, ==, want->len);
    /* the signature is the subspace's, whatever the file said */
    g_assert_cmphex(ldl_le_p(got->data), ==, PCC_SIGNATURE | idx);
    g_assert_cmpmem(got->data + 4, got->len - 4, want->data + 4,
                    want->len - 4);
}

static void receive_message(Guest *g, unsigned idx, const GByteArray *want)
{
    receive_message_full(g, idx, want, true);
}

/*
 * The inbox must keep still while the guest holds a message: poll for a
 * while and check that nothing moves. Correct behaviour passes however
 * long this takes; a wrong delivery is caught if it happens in the window.
 */
static void check_inbox_holds(Guest *g, unsigned idx, const GByteArray *cur,
                              const char *pending_name)
{
    gint64 end = g_get_monotonic_time() + G_TIME_SPAN_SECOND / 4;

    do {
        g_autoptr(GByteArray) got = guest_read_msg(g, idx);

        g_assert_cmphex(guest_reg(g, idx, REG_CMD_COMPLETE),
                        ==, 0);
        g_assert_cmpmem(got->data + 4, got->len - 4, cur->data + 4,
                        cur->len - 4);
        g_assert_true(pcc_path_exists(g->inbox, pending_name));
        g_usleep(10 * 1000);
    } while (g_get_monotonic_time() < end);
}

static void test_inbox_order(void)
{
    static const TestDev devs[] = {
        { .channel = 0, .expect = 0 },
    };
    Guest *g = guest_start(devs, ARRAY_SIZE(devs), NULL);
    GByteArray *m[3] = {
        make_mctp_msg(0, EXT_FLAG_NOTIFY, 24, 0xa0),
        make_mctp_msg(0, 0, 300, 0xb0),
        make_mctp_msg(0, 0, PCC_SHMEM_DEFAULT - EXT_PAYLOAD, 0xc0),
    };
    char *name[3];
    g_autoptr(GByteArray) blocker = make_mctp_msg(0, 0, 8, 0x90);
    g_autofree char *blocker_name = pcc_spool_inbox_name(999, 0, "ntf");
    g_autoptr(GPtrArray) left = NULL;
    g_autoptr(GPtrArray) outbox = NULL;
    unsigned i;

    check_idle(g, 1);
    name[0] = pcc_spool_inbox_name(1000, 0, "rsp");
    name[1] = pcc_spool_inbox_name(1001, 0, "ntf");
    name[2] = pcc_spool_inbox_name(1002, 0, "rsp");

    /*
     * While the guest holds a first message, three more arrive out of
     * name order; once it is consumed, they come in name order.
     */
    pcc_spool_drop(g->spool, blocker_name, blocker);
    receive_message(g, 1, blocker);
    pcc_spool_drop(g->spool, name[2], m[2]);
    pcc_spool_drop(g->spool, name[0], m[0]);
    pcc_spool_drop(g->spool, name[1], m[1]);
    check_inbox_holds(g, 1, blocker, name[2]);
    g_assert_true(pcc_path_exists(g->inbox, name[0]));
    g_assert_true(pcc_path_exists(g->inbox, name[1]));
    guest_consume(g, 1);

    for (i = 0; i < 3; i++) {
        g_test_message("inbox message %u", i);
        receive_message(g, 1, m[i]);
        /* delivered, so removed; the others wait */
        g_assert_false(pcc_path_exists(g->inbox, name[i]));
        if (i < 2) {
            check_inbox_holds(g, 1, m[i], name[i + 1]);
        }
        guest_consume(g, 1);
    }
    g_assert_cmphex(guest_reg(g, 1, REG_CMD_COMPLETE), ==,
                    1);

    /* all consumed: nothing more comes */
    g_assert_false(guest_irq_level(g, 1));
    left = pcc_list_dir(g->inbox);
    g_assert_cmpuint(left->len, ==, 1);
    g_assert_cmpstr(left->pdata[0], ==, "tmp");
    /* the responder's "done" doorbell is not a request */
    outbox = pcc_list_files(g->outbox);
    g_assert_cmpuint(outbox->len, ==, 0);
    /* and the outbox still works */
    exchange_request(g, 0, g->outbox, 0, 16, 0xd0);
    guest_stop(g);
    for (i = 0; i < 3; i++) {
        g_byte_array_unref(m[i]);
        g_free(name[i]);
    }
}

/*
 * Start one pcc-mctp on channel 4 whose spool already holds @msg as inbox
 * file @name: the platform may create the spool before QEMU does.
 */
static Guest *guest_start_with_inbox_file(const char *name,
                                          GByteArray *msg,
                                          const char *extra)
{
    static const TestDev devs[] = {
        { .channel = 4, .expect = 4 },
    };
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *spool = g_build_filename(dir, "spool0", NULL);
    g_autofree char *inbox_tmp = g_build_filename(spool, "inbox", "tmp",
                                                  NULL);

    g_assert_cmpint(g_mkdir_with_parents(inbox_tmp, 0700), ==, 0);
    pcc_spool_drop(spool, name, msg);
    return guest_start_in(g_steal_pointer(&dir), devs, ARRAY_SIZE(devs),
                          extra);
}

static void test_inbox_before_start(void)
{
    g_autofree char *name = pcc_spool_inbox_name(7, 4, "ntf");
    g_autoptr(GByteArray) msg = make_mctp_msg(5, 0, 40, 0x77);
    g_autoptr(GPtrArray) left = NULL;
    Guest *g = guest_start_with_inbox_file(name, msg, NULL);

    /* delivered as QEMU starts, before the interrupt could be watched */
    receive_message_full(g, 5, msg, false);
    g_assert_false(pcc_path_exists(g->inbox, name));
    guest_consume(g, 5);
    left = pcc_list_files(g->inbox);
    g_assert_cmpuint(left->len, ==, 0);
    guest_stop(g);
}

/*
 * While the VM does not run (here: waiting for an incoming migration,
 * whose stream will bring the shared memory and registers), the inbox is
 * left alone: a message consumed now would be overwritten and lost.
 */
static void test_inbox_incoming_migration(void)
{
    g_autofree char *name = pcc_spool_inbox_name(3, 4, "rsp");
    g_autoptr(GByteArray) msg = make_mctp_msg(5, 0, 40, 0x66);
    Guest *g = guest_start_with_inbox_file(name, msg, "-incoming defer");

    /*
     * A delivery would have been scheduled at realize and run before the
     * main loop serves these qtest commands.
     */
    check_idle(g, 5);
    g_assert_true(pcc_path_exists(g->inbox, name));
    guest_stop(g);
}

/*
 * Files that are no message for this device leave the queue for
 * inbox/rejected/, in name order with the others; files whose name
 * starts with a dot are not looked at.
 */
static void test_inbox_rejected(void)
{
    static const TestDev devs[] = {
        { .channel = 0, .expect = 0 },
    };
    Guest *g = guest_start(devs, ARRAY_SIZE(devs), NULL);
    /* the header's length disagrees with the file's */
    g_autoptr(GByteArray) mismatch = make_mctp_msg(1, 0, 16, 0x10);
    /* one byte more than the inbox holds */
    g_autoptr(GByteArray) big = make_mctp_msg(1, 0, PCC_SHMEM_DEFAULT -
                                              EXT_PAYLOAD + 1, 0x11);
    /* shorter than the header */
    g_autoptr(GByteArray) small = make_mctp_msg(1, 0, 16, 0x12);
    g_autoptr(GByteArray) good = make_mctp_msg(1, 0, 16, 0x20);
    g_autofree char *rejected = g_build_filename(g->inbox, "rejected", NULL);
    g_autofree char *target = g_build_filename(g->dir, "target", NULL);
    g_autofree char *n_link = pcc_spool_inbox_name(4, 0, "rsp");
    g_autofree char *link = g_build_filename(g->inbox, n_link, NULL);
    g_autofree char *n_dir = pcc_spool_inbox_name(5, 0, "rsp");
    g_autofree char *subdir = g_build_filename(g->inbox, n_dir, NULL);
    g_autofree char *hidden = g_build_filename(g->inbox, ".partial", NULL);
    g_autofree char *n_fifo = pcc_spool_inbox_name(7, 0, "rsp");
    g_autofree char *fifo = g_build_filename(g->inbox, n_fifo, NULL);
    g_autoptr(GPtrArray) rej = NULL;
    g_autoptr(GError) err = NULL;
    char *names[5];
    unsigned i;

    stl_le_p(mismatch->data + EXT_LENGTH, 17);
    g_byte_array_set_size(small, EXT_PAYLOAD - 1);
    names[0] = pcc_spool_inbox_name(1, 0, "rsp");
    names[1] = pcc_spool_inbox_name(2, 0, "rsp");
    names[2] = pcc_spool_inbox_name(3, 0, "rsp");
    names[3] = pcc_spool_inbox_name(9, 0, "rsp");
    /* a valid message, but its name says it is for channel 7 */
    names[4] = pcc_spool_inbox_name(6, 7, "rsp");

    /* none of it may reach the guest */
    g_file_set_contents(target, (const char *)good->data, good->len, &err);
    g_assert_no_error(err);
    g_file_set_contents(hidden, (const char *)good->data, good->len, &err);
    g_assert_no_error(err);
    pcc_spool_drop(g->spool, names[0], mismatch);
    pcc_spool_drop(g->spool, names[1], big);
    pcc_spool_drop(g->spool, names[2], small);
    pcc_spool_drop(g->spool, names[4], good);
    g_assert_cmpint(symlink(target, link), ==, 0);
    g_assert_cmpint(g_mkdir(subdir, 0700), ==, 0);
    /* a FIFO must not block QEMU waiting for a writer */
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    pcc_spool_drop(g->spool, names[3], good);

    receive_message(g, 1, good);
    g_assert_false(pcc_path_exists(g->inbox, names[3]));
    for (i = 0; i < 3; i++) {
        g_assert_false(pcc_path_exists(g->inbox, names[i]));
        g_assert_true(pcc_path_exists(rejected, names[i]));
    }
    pcc_assert_file_equals(rejected, names[0], mismatch);
    pcc_assert_file_equals(rejected, names[1], big);
    pcc_assert_file_equals(rejected, names[2], small);
    g_assert_false(pcc_path_exists(g->inbox, names[4]));
    pcc_assert_file_equals(rejected, names[4], good);
    /* a symlink is set aside as it is, never followed */
    g_assert_false(pcc_path_exists(g->inbox, n_link));
    g_assert_true(g_file_test(target, G_FILE_TEST_IS_REGULAR));
    {
        g_autofree char *moved = g_build_filename(rejected, n_link, NULL);

        g_assert_true(g_file_test(moved, G_FILE_TEST_IS_SYMLINK));
    }
    g_assert_false(pcc_path_exists(g->inbox, n_dir));
    g_assert_true(pcc_path_exists(rejected, n_dir));
    g_assert_false(pcc_path_exists(g->inbox, n_fifo));
    g_assert_true(pcc_path_exists(rejected, n_fifo));
    rej = pcc_list_dir(rejected);
    g_assert_cmpuint(rej->len, ==, 7);
    /* a dot-file is the platform's business */
    g_assert_true(pcc_path_exists(g->inbox, ".partial"));

    guest_consume(g, 1);
    guest_stop(g);
    for (i = 0; i < ARRAY_SIZE(names); i++) {
        g_free(names[i]);
    }
}

/*
 * An inbox entry that can be neither moved aside (rejected/ is a file) nor
 * removed (a directory with a file in it) stays where it is and is skipped:
 * QEMU used to spin on it in its main loop (the pcc-polled fuzz target
 * found this), and the message after it must still arrive.
 */
static void test_inbox_stuck_entry(void)
{
    static const TestDev devs[] = {
        { .channel = 0, .expect = 0 },
    };
    Guest *g = guest_start(devs, ARRAY_SIZE(devs), NULL);
    g_autoptr(GByteArray) good = make_mctp_msg(1, 0, 16, 0x21);
    g_autofree char *rejected = g_build_filename(g->inbox, "rejected", NULL);
    g_autofree char *staged_file = g_build_filename(g->dir, "file", NULL);
    g_autofree char *staged = g_build_filename(g->dir, "staged", NULL);
    g_autofree char *inner = g_build_filename(staged, "x", NULL);
    g_autofree char *n_dir = pcc_spool_inbox_name(1, 0, "rsp");
    g_autofree char *subdir = g_build_filename(g->inbox, n_dir, NULL);
    g_autofree char *n_good = pcc_spool_inbox_name(2, 0, "rsp");
    g_autoptr(GError) err = NULL;

    /*
     * Everything is made whole outside the inbox and then renamed in:
     * g_file_set_contents() writes a temporary file beside its target,
     * which QEMU may scan (and reject) before it is renamed.
     */
    g_file_set_contents(staged_file, "", 0, &err);
    g_assert_no_error(err);
    g_assert_cmpint(rename(staged_file, rejected), ==, 0);
    g_assert_cmpint(g_mkdir(staged, 0700), ==, 0);
    g_file_set_contents(inner, "", 0, &err);
    g_assert_no_error(err);
    g_assert_cmpint(rename(staged, subdir), ==, 0);
    pcc_spool_drop(g->spool, n_good, good);

    receive_message(g, 1, good);
    g_assert_false(pcc_path_exists(g->inbox, n_good));
    g_assert_true(pcc_path_exists(g->inbox, n_dir));
    guest_consume(g, 1);
    guest_stop(g);
}

/*
 * The platform side breaks (here: outbox/tmp disappears): a doorbell then
 * completes with the error bit, and nothing is half written.
 */
static void test_doorbell_platform_error(void)
{
    static const TestDev devs[] = {
        { .channel = 0, .expect = 0 },
    };
    Guest *g = guest_start(devs, ARRAY_SIZE(devs), NULL);
    g_autofree char *tmp = g_build_filename(g->outbox, "tmp", NULL);
    g_autoptr(GByteArray) msg = make_mctp_msg(0, EXT_FLAG_NOTIFY, 8, 0x5a);
    g_autoptr(GPtrArray) files = NULL;
    bool error = false;

    exchange_request(g, 0, g->outbox, 0, 8, 0x59);
    g_assert_cmpint(g_rmdir(tmp), ==, 0);

    guest_write_msg(g, 0, msg);
    guest_send(g, 0);
    g_assert_true(guest_irq_level(g, 0));
    g_assert_true(guest_irq(g, 0, &error));
    g_assert_true(error);
    g_assert_false(guest_irq_level(g, 0));
    g_assert_cmphex(guest_reg(g, 0, REG_ERROR_STATUS), ==,
                    0);
    files = pcc_list_files(g->outbox);
    g_assert_cmpuint(files->len, ==, 1);
    /* the inbox is not affected */
    check_idle(g, 1);
    guest_stop(g);
}

/*
 * Outbox names keep increasing across restarts, whatever the clock says:
 * QEMU continues after the highest sequence number it finds.
 */
static void test_doorbell_sequence(void)
{
    static const TestDev devs[] = {
        { .channel = 0, .expect = 0 },
    };
    const char *planted = "10000000000000000000-c000-req.ext";
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *spool = g_build_filename(dir, "spool0", NULL);
    g_autofree char *outbox_tmp = g_build_filename(spool, "outbox", "tmp",
                                                   NULL);
    g_autofree char *path = g_build_filename(spool, "outbox", planted, NULL);
    g_autoptr(GPtrArray) files = NULL;
    g_autoptr(GError) err = NULL;
    Guest *g;

    g_assert_cmpint(g_mkdir_with_parents(outbox_tmp, 0700), ==, 0);
    g_file_set_contents(path, "x", 1, &err);
    g_assert_no_error(err);

    g = guest_start_in(g_steal_pointer(&dir), devs, ARRAY_SIZE(devs), NULL);

    exchange_request(g, 0, g->outbox, 0, 8, 0x61);
    exchange_request(g, 0, g->outbox, 0, 8, 0x62);
    files = pcc_list_files(g->outbox);
    g_assert_cmpuint(files->len, ==, 3);
    g_assert_cmpstr(files->pdata[0], ==, planted);
    g_assert_cmpstr(files->pdata[1], ==,
                    "10000000000000000001-c000-req.ext");
    g_assert_cmpstr(files->pdata[2], ==,
                    "10000000000000000002-c000-req.ext");
    guest_stop(g);
}

/*
 * A system reset puts the subspaces back to idle (signature, command
 * complete set, no interrupt) and lets the inbox deliver again.
 */
static void test_reset(void)
{
    static const TestDev devs[] = {
        { .channel = 0, .expect = 0 },
    };
    Guest *g = guest_start(devs, ARRAY_SIZE(devs), NULL);
    g_autoptr(GByteArray) out = make_mctp_msg(0, 0, 64, 0x31);
    g_autoptr(GByteArray) m1 = make_mctp_msg(1, 0, 64, 0x32);
    g_autoptr(GByteArray) m2 = make_mctp_msg(1, 0, 64, 0x33);
    g_autofree char *n1 = pcc_spool_inbox_name(1, 0, "ntf");
    g_autofree char *n2 = pcc_spool_inbox_name(2, 0, "ntf");
    uint8_t zero[64] = { 0 };
    uint8_t buf[64];

    guest_write_msg(g, 0, out);
    pcc_spool_drop(g->spool, n1, m1);
    pcc_spool_drop(g->spool, n2, m2);
    g_assert_true(wait_cmd_complete(g, 1, 0));
    g_assert_true(guest_irq_level(g, 1));

    qtest_system_reset(g->qts);

    check_idle(g, 0);
    qtest_memread(g->qts, pcc_shmem_addr(0) + 4, buf, sizeof(buf));
    g_assert_cmpmem(buf, sizeof(buf), zero, sizeof(zero));
    /* message 1 was delivered before the reset: the next one comes */
    receive_message(g, 1, m2);
    g_assert_false(pcc_path_exists(g->inbox, n1));
    g_assert_false(pcc_path_exists(g->inbox, n2));
    guest_consume(g, 1);
    exchange_request(g, 0, g->outbox, 0, 8, 0x34);
    guest_stop(g);
}

/* Guest misuse */

static void test_misuse_registers(void)
{
    static const TestDev devs[] = {
        { .channel = 0, .expect = 0 },
    };
    g_autofree char *logdir = pcc_make_tmp_dir();
    g_autofree char *logfile = g_build_filename(logdir, "log", NULL);
    g_autofree char *extra = g_strdup_printf("-d guest_errors -D %s",
                                             logfile);
    g_autofree char *log = NULL;
    Guest *g = guest_start(devs, ARRAY_SIZE(devs), extra);
    g_autoptr(GPtrArray) files = NULL;
    unsigned off;

    /* reserved register offsets */
    g_assert_cmphex(qtest_readl(g->qts, pcc_reg_addr(0, 0x14)), ==, 0);
    g_assert_cmphex(qtest_readl(g->qts, pcc_reg_addr(1, 0xfc)), ==, 0);
    qtest_writel(g->qts, pcc_reg_addr(0, 0x20), 0xdeadbeef);
    qtest_writel(g->qts, pcc_reg_addr(1, 0xfc), 0xffffffff);
    /* the unassigned parts of the window: a free index, beyond shmem */
    g_assert_cmphex(guest_reg(g, 7, REG_ID), ==, 0);
    qtest_writel(g->qts, pcc_reg_addr(7, REG_DOORBELL), 1);
    qtest_writel(g->qts, pcc_shmem_addr(0) + PCC_SHMEM_DEFAULT, 0x12345678);
    g_assert_cmphex(qtest_readl(g->qts, pcc_shmem_addr(0) + PCC_SHMEM_DEFAULT),
                    ==, 0);
    qtest_writel(g->qts, pcc_shmem_addr(255), 0xcafe);
    g_assert_cmphex(qtest_readl(g->qts, pcc_shmem_addr(255)), ==, 0);
    /* 1-byte and 8-byte accesses */
    for (off = 1; off < 0x14; off++) {
        if (off % 4) {
            qtest_readb(g->qts, pcc_reg_addr(0, off));
            qtest_writeb(g->qts, pcc_reg_addr(0, off), 0xff);
        }
    }
    qtest_readb(g->qts, pcc_reg_addr(1, REG_ID));
    qtest_readq(g->qts, pcc_reg_addr(0, REG_PLATFORM_ACK));
    qtest_readq(g->qts, pcc_reg_addr(1, REG_DOORBELL));
    qtest_writeq(g->qts, pcc_reg_addr(0, 0x18), 0x0123456789abcdefULL);
    qtest_readw(g->qts, pcc_reg_addr(0, REG_CMD_COMPLETE + 2));

    /* none of it rang, completed or raised anything */
    files = pcc_list_files(g->outbox);
    g_assert_cmpuint(files->len, ==, 0);
    g_assert_false(guest_irq_level(g, 0));
    g_assert_false(guest_irq_level(g, 1));
    check_idle(g, 0);
    check_idle(g, 1);
    /* and the device still works */
    exchange_request(g, 0, g->outbox, 0, 32, 0x99);

    qtest_quit(g->qts);
    g->qts = NULL;
    log = pcc_read_log(logfile);
    pcc_assert_log_has(log, "pcc: subspace 0: read of reserved register offset "
                       "0x14");
    pcc_assert_log_has(log, "pcc: subspace 1: read of reserved register offset "
                       "0xfc");
    pcc_assert_log_has(log, "pcc: subspace 0: write of 0xdeadbeef to reserved "
                       "register offset 0x20");
    pcc_assert_log_has(log, "read of unassigned PCC window offset 0x710");
    pcc_assert_log_has(log, "write of 0x1 to unassigned PCC window "
                       "offset 0x700");
    pcc_assert_log_has(log, "write of 0x12345678 to unassigned PCC window "
                       "offset 0x1d000");
    guest_stop(g);
    pcc_rm_rf(logdir);
}

/*
 * A doorbell for a malformed message that asks for a completion
 * interrupt: error status, the interrupt, no message sent
 */
static void ring_bad_length(Guest *g, uint32_t length)
{
    g_autoptr(GByteArray) msg = make_mctp_msg(0, EXT_FLAG_NOTIFY, 8, 0x42);
    g_autoptr(GPtrArray) files = NULL;
    bool error = false;

    g_test_message("length %u", length);
    stl_le_p(msg->data + EXT_LENGTH, length);
    guest_write_msg(g, 0, msg);
    guest_send(g, 0);
    g_assert_cmphex(guest_reg(g, 0, REG_CMD_COMPLETE), ==,
                    1);
    g_assert_cmphex(guest_reg(g, 0, REG_ERROR_STATUS), ==,
                    1);
    g_assert_true(guest_irq_level(g, 0));
    g_assert_true(guest_irq(g, 0, &error));
    g_assert_true(error);
    g_assert_false(guest_irq_level(g, 0));
    g_assert_cmphex(guest_reg(g, 0, REG_ERROR_STATUS), ==,
                    0);
    files = pcc_list_files(g->outbox);
    g_assert_cmpuint(files->len, ==, 0);
}

static void test_misuse_length(void)
{
    static const TestDev devs[] = {
        { .channel = 0, .expect = 0 },
    };
    g_autofree char *logdir = pcc_make_tmp_dir();
    g_autofree char *logfile = g_build_filename(logdir, "log", NULL);
    g_autofree char *extra = g_strdup_printf("-d guest_errors -D %s",
                                             logfile);
    g_autofree char *log = NULL;
    Guest *g = guest_start(devs, ARRAY_SIZE(devs), extra);

    /* one byte more than the shared memory holds */
    ring_bad_length(g, PCC_SHMEM_DEFAULT - EXT_MSG_OVERHEAD + 1);
    ring_bad_length(g, 0xffffffff);
    ring_bad_length(g, 0xfffffff8);
    ring_bad_length(g, 3);
    ring_bad_length(g, 0);
    /* the device still works */
    exchange_request(g, 0, g->outbox, 0, 32, 0x98);

    qtest_quit(g->qts);
    g->qts = NULL;
    log = pcc_read_log(logfile);
    pcc_assert_log_has(log, "pcc-mctp: subspace 0: message length 4085 "
                       "does not fit 4096 bytes of shared memory");
    pcc_assert_log_has(log, "message length 3 does not fit");
    guest_stop(g);
    pcc_rm_rf(logdir);
}

/* Command lines QEMU must refuse */

static void test_error_duplicate(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -device pcc-mctp,id=first,channel=0,spool=%s/a"
        " -device pcc-mctp,channel=0,spool=%s/b", dir, dir);

    pcc_expect_startup_failure(args, "channel 0: subspace(s) 0-1 overlap those "
                               "of device 'first' (channel 0)");
    pcc_rm_rf(dir);
}

static void test_error_overlap(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -device pcc-mctp,id=first,channel=0,spool=%s/a"
        " -device pcc-mctp,channel=1,spool=%s/b", dir, dir);
    g_autofree char *args2 = g_strdup_printf(
        VIRT_ARGS " -device pcc-mctp,channel=1,spool=%s/a"
        " -device pcc-mctp,channel=0,spool=%s/b", dir, dir);

    pcc_expect_startup_failure(args, "channel 1: subspace(s) 1-2 overlap those "
                               "of device 'first' (channel 0)");
    /* an unnamed device is named by its type */
    pcc_expect_startup_failure(args2, "channel 0: subspace(s) 0-1 overlap "
                               "those of device 'pcc-mctp' (channel 1)");
    pcc_rm_rf(dir);
}

static void test_error_channel_range(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args255 = g_strdup_printf(
        VIRT_ARGS " -device pcc-mctp,channel=255,spool=%s/a", dir);
    g_autofree char *args300 = g_strdup_printf(
        VIRT_ARGS " -device pcc-mctp,channel=300,spool=%s/a", dir);

    pcc_expect_startup_failure(args255, "channel 255 out of range");
    pcc_expect_startup_failure(args300, "channel 300 out of range");
    pcc_rm_rf(dir);
}

static void test_error_pool_exhausted(void)
{
    g_autoptr(GString) args = g_string_new(VIRT_ARGS);
    unsigned i;

    /* 128 two-subspace devices take all 256 indices */
    for (i = 0; i < PCC_NUM_INDICES / 2 + 1; i++) {
        g_string_append_printf(args, " -chardev null,id=c%u"
                               " -device pcc-mctp,chardev=c%u", i, i);
    }
    pcc_expect_startup_failure(args->str, "no 2 free consecutive PCC subspace "
                               "indices left");
}

static void test_error_pool_fragmented(void)
{
    g_autoptr(GString) args = g_string_new(VIRT_ARGS);
    unsigned i;

    /*
     * Devices at 0, 3, 6, ..., 252 and 254: every third index is free
     * (2, 5, ..., 251), but there is no run of two.
     */
    for (i = 0; i * 3 + 1 < PCC_NUM_INDICES; i++) {
        g_string_append_printf(args, " -chardev null,id=c%u"
                               " -device pcc-mctp,channel=%u,chardev=c%u",
                               i, i * 3, i);
    }
    g_string_append(args, " -chardev null,id=top"
                    " -device pcc-mctp,channel=254,chardev=top");
    g_string_append(args, " -chardev null,id=last"
                    " -device pcc-mctp,chardev=last");
    pcc_expect_startup_failure(args->str, "no 2 free consecutive PCC subspace "
                               "indices left");
}

static void test_error_no_backend(void)
{
    pcc_expect_startup_failure(VIRT_ARGS " -device pcc-mctp,channel=0",
                               "no platform: give 'platform=ID', "
                               "'spool=DIR' or 'chardev=ID'");
}

static void test_error_spool_and_chardev(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -chardev null,id=c0"
        " -device pcc-mctp,chardev=c0,spool=%s/a", dir);

    pcc_expect_startup_failure(args, "'platform', 'spool' and 'chardev' are "
                               "exclusive");
    pcc_rm_rf(dir);
}

static void test_error_spool_no_parent(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -device pcc-mctp,spool=%s/missing/spool", dir);
    g_autofree char *want = g_strdup_printf(
        "cannot create spool directory '%s/missing/spool'", dir);

    pcc_expect_startup_failure(args, want);
    pcc_rm_rf(dir);
}

static void test_error_spool_empty(void)
{
    pcc_expect_startup_failure(VIRT_ARGS " -device pcc-mctp,spool=",
                               "'spool' is empty");
}

static void test_error_spool_regular_file(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *file = g_build_filename(dir, "file", NULL);
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -device pcc-mctp,spool=%s", file);
    g_autoptr(GError) err = NULL;

    g_file_set_contents(file, "x", 1, &err);
    g_assert_no_error(err);
    pcc_expect_startup_failure(args, "cannot open spool directory");
    pcc_expect_startup_failure(args, "(not a directory, or a symlink)");
    pcc_rm_rf(dir);
}

static void test_error_spool_symlink(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *real = g_build_filename(dir, "real", NULL);
    g_autofree char *link = g_build_filename(dir, "link", NULL);
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -device pcc-mctp,spool=%s", link);
    g_autofree char *inner = g_build_filename(dir, "spool", NULL);
    g_autofree char *inner_link = g_build_filename(inner, "inbox", NULL);
    g_autofree char *args2 = g_strdup_printf(
        VIRT_ARGS " -device pcc-mctp,spool=%s", inner);

    g_assert_cmpint(g_mkdir(real, 0700), ==, 0);
    g_assert_cmpint(symlink(real, link), ==, 0);
    pcc_expect_startup_failure(args, "(not a directory, or a symlink)");

    /* a symlink inside the spool is refused as well */
    g_assert_cmpint(g_mkdir(inner, 0700), ==, 0);
    g_assert_cmpint(symlink(real, inner_link), ==, 0);
    pcc_expect_startup_failure(args2, "cannot open spool directory 'inbox'");
    pcc_rm_rf(dir);
}

static void test_error_spool_mode(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *spool = g_build_filename(dir, "spool", NULL);
    g_autofree char *outbox = g_build_filename(spool, "outbox", NULL);
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -device pcc-mctp,spool=%s", spool);

    g_assert_cmpint(g_mkdir(spool, 0700), ==, 0);
    g_assert_cmpint(chmod(spool, 0777), ==, 0);
    pcc_expect_startup_failure(args, "not writable by others (it has mode "
                               "0777)");
    g_assert_cmpint(chmod(spool, 0757), ==, 0);
    pcc_expect_startup_failure(args, "(it has mode 0757)");

    /* the inner directories must be private */
    g_assert_cmpint(chmod(spool, 0755), ==, 0);
    g_assert_cmpint(g_mkdir(outbox, 0700), ==, 0);
    g_assert_cmpint(chmod(outbox, 0750), ==, 0);
    pcc_expect_startup_failure(args, "spool directory 'outbox' must be "
                               "owned by this user and private (0700)");

    /* a spool that belongs to someone else (nobody), as root can make it */
    if (geteuid() == 0) {
        g_assert_cmpint(chmod(outbox, 0700), ==, 0);
        g_assert_cmpint(chown(spool, 65534, 65534), ==, 0);
        pcc_expect_startup_failure(args, "must be owned by this user and "
                                   "not writable by others");
        g_assert_cmpint(chown(spool, 0, 0), ==, 0);
        g_assert_cmpint(chown(outbox, 65534, 65534), ==, 0);
        pcc_expect_startup_failure(args, "spool directory 'outbox' must be "
                                   "owned by this user");
    }
    pcc_rm_rf(dir);
}

static void test_error_shmem_size(void)
{
    static const char *const sizes[] = {
        "1000", "0x800", "0x3000", "0x20000", "0x1",
    };
    g_autofree char *dir = pcc_make_tmp_dir();
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(sizes); i++) {
        g_autofree char *args = g_strdup_printf(
            VIRT_ARGS " -device pcc-mctp,shmem-size=%s,spool=%s/a",
            sizes[i], dir);
        g_autofree char *want = g_strdup_printf(
            "shmem-size 0x%" PRIx64 ": must be a power of two from 0x1000 "
            "to 0x10000", g_ascii_strtoull(sizes[i], NULL, 0));

        pcc_expect_startup_failure(args, want);
    }
    pcc_rm_rf(dir);
}

static void test_error_platform_interrupt_off(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -global pcc-host.platform-interrupt=off"
        " -device pcc-mctp,spool=%s/a", dir);

    pcc_expect_startup_failure(args, "pcc-mctp needs the PCCT platform "
                               "interrupt flag, but the PCC host has "
                               "platform-interrupt=off");
    pcc_rm_rf(dir);
}

static void test_error_no_pcc_bus(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        "-machine none -device pcc-mctp,spool=%s/a", dir);

    pcc_expect_startup_failure(args, "No 'pcc-bus' bus found for device "
                               "'pcc-mctp'");
    pcc_rm_rf(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    if (!qtest_has_machine("virt") || !qtest_has_device("pcc-mctp")) {
        return g_test_run();
    }

    qtest_add_func("/pcc/tables/none", test_tables_none);
    qtest_add_func("/pcc/tables/one-device", test_tables_one);
    qtest_add_func("/pcc/tables/one-device-auto", test_tables_one_auto);
    qtest_add_func("/pcc/tables/shmem-size-default",
                   test_tables_shmem_default);
    qtest_add_func("/pcc/tables/two-devices", test_tables_two);
    qtest_add_func("/pcc/tables/two-devices-reversed",
                   test_tables_two_reversed);
    qtest_add_func("/pcc/tables/gap", test_tables_gap);
    qtest_add_func("/pcc/tables/many-devices", test_tables_many);
    qtest_add_func("/pcc/doorbell/basic", test_doorbell);
    qtest_add_func("/pcc/doorbell/second-device",
                   test_doorbell_second_device);
    qtest_add_func("/pcc/doorbell/shared-irq", test_doorbell_shared_irq);
    qtest_add_func("/pcc/doorbell/quiet-completion",
                   test_doorbell_quiet_completion);
    qtest_add_func("/pcc/doorbell/platform-error",
                   test_doorbell_platform_error);
    qtest_add_func("/pcc/doorbell/sequence", test_doorbell_sequence);
    qtest_add_func("/pcc/inbox/order", test_inbox_order);
    qtest_add_func("/pcc/inbox/before-start", test_inbox_before_start);
    qtest_add_func("/pcc/inbox/rejected", test_inbox_rejected);
    qtest_add_func("/pcc/inbox/stuck-entry", test_inbox_stuck_entry);
    qtest_add_func("/pcc/inbox/incoming-migration",
                   test_inbox_incoming_migration);
    qtest_add_func("/pcc/reset", test_reset);
    qtest_add_func("/pcc/misuse/registers", test_misuse_registers);
    qtest_add_func("/pcc/misuse/length", test_misuse_length);
    qtest_add_func("/pcc/errors/duplicate-channel", test_error_duplicate);
    qtest_add_func("/pcc/errors/overlap", test_error_overlap);
    qtest_add_func("/pcc/errors/channel-range", test_error_channel_range);
    qtest_add_func("/pcc/errors/pool-exhausted", test_error_pool_exhausted);
    qtest_add_func("/pcc/errors/pool-fragmented",
                   test_error_pool_fragmented);
    qtest_add_func("/pcc/errors/no-backend", test_error_no_backend);
    qtest_add_func("/pcc/errors/spool-and-chardev",
                   test_error_spool_and_chardev);
    qtest_add_func("/pcc/errors/spool-no-parent", test_error_spool_no_parent);
    qtest_add_func("/pcc/errors/spool-empty", test_error_spool_empty);
    qtest_add_func("/pcc/errors/spool-regular-file",
                   test_error_spool_regular_file);
    qtest_add_func("/pcc/errors/spool-symlink", test_error_spool_symlink);
    qtest_add_func("/pcc/errors/spool-mode", test_error_spool_mode);
    qtest_add_func("/pcc/errors/shmem-size", test_error_shmem_size);
    qtest_add_func("/pcc/errors/platform-interrupt-off",
                   test_error_platform_interrupt_off);
    qtest_add_func("/pcc/errors/no-pcc-bus", test_error_no_pcc_bus);

    return g_test_run();
}
