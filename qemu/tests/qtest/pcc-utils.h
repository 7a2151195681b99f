/*
 * QTest helpers shared by the PCC tests: the virt machine's PCC window,
 * the ACPI layouts of ACPI 6.5 chapter 14 written out independently of
 * QEMU's builders, the platform side of a spool directory, ACPI tables
 * from fw_cfg, and iasl.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef TESTS_QTEST_PCC_UTILS_H
#define TESTS_QTEST_PCC_UTILS_H

#include "libqtest.h"

/* The virt machine's fw_cfg (data, selector) */
#define VIRT_FW_CFG_BASE            0x09020000ULL
#define FW_CFG_DATA                 (VIRT_FW_CFG_BASE + 0)
#define FW_CFG_SELECTOR             (VIRT_FW_CFG_BASE + 8)
#define FW_CFG_KEY_FILE_DIR         0x19
#define FW_CFG_FILE_ENTRY_SIZE      64
#define FW_CFG_FILE_NAME_OFFSET     8

/* The virt machine's PCC host window and interrupts */
#define PCC_BASE                    0x0a004000ULL
#define PCC_REG_BLOCK_SIZE          0x100
#define PCC_SHMEM_OFFSET            0x1c000ULL
#define PCC_SHMEM_SLOT              0x10000ULL
#define PCC_NUM_INDICES             256
#define PCC_FIRST_SPI               176
#define PCC_NUM_LINES               80
#define GIC_SPI_BASE                32

/* Register block of a subspace: all 32-bit */
#define REG_DOORBELL                0x00
#define REG_CMD_COMPLETE            0x04
#define REG_PLATFORM_ACK            0x08
#define REG_ERROR_STATUS            0x0c
#define REG_ID                      0x10

#define PCC_SIGNATURE               0x50434300u
#define PCC_SHMEM_DEFAULT           0x1000
#define PCC_SHMEM_RESERVED_SIZE     0x1000

/* Extended communication region (ACPI 6.5, 14.2.3; DSP0292) */
#define EXT_SIGNATURE               0
#define EXT_FLAGS                   4
#define EXT_LENGTH                  8
#define EXT_COMMAND                 12
#define EXT_PAYLOAD                 16
#define EXT_MSG_OVERHEAD            12
#define EXT_FLAG_NOTIFY             1u
#define MCTP_COMMAND                0x5054434du  /* "MCTP" */

/* ACPI table header (ACPI 6.5, 5.2.6) */
#define ACPI_HDR_SIGNATURE          0
#define ACPI_HDR_LENGTH             4
#define ACPI_HDR_REVISION           8
#define ACPI_HDR_CHECKSUM           9
#define ACPI_HDR_OEM_ID             10
#define ACPI_HDR_OEM_TABLE_ID       16
#define ACPI_HDR_SIZE               36

/* PCCT (ACPI 6.5, table 14.1) */
#define PCCT_FLAGS                  36
#define PCCT_RESERVED               40
#define PCCT_SUBSPACES              48
#define PCCT_REVISION               2
#define PCCT_FLAG_PLATFORM_IRQ      1u

/* Generic Address Structure (ACPI 6.5, 5.2.3.2) */
#define GAS_SPACE_ID                0
#define GAS_BIT_WIDTH               1
#define GAS_BIT_OFFSET              2
#define GAS_ACCESS_SIZE             3
#define GAS_ADDRESS                 4
#define GAS_SIZE                    12
#define GAS_SPACE_SYSTEM_MEMORY     0
#define GAS_ACCESS_DWORD            3

/* Generic communications subspace, type 0 (ACPI 6.5, table 14.4) */
#define T0_TYPE                     0
#define T0_LENGTH                   1
#define T0_RESERVED                 2   /* 6 bytes */
#define T0_BASE                     8
#define T0_SIZE                     16  /* u64 */
#define T0_DOORBELL                 24  /* GAS */
#define T0_DOORBELL_PRESERVE        36
#define T0_DOORBELL_WRITE           44
#define T0_LATENCY                  52
#define T0_MAX_RATE                 56
#define T0_TURNAROUND               60  /* u16 */
#define T0_LEN                      62

/* Extended PCC subspace, types 3 and 4 (ACPI 6.5, table 14.8) */
#define TX_TYPE                     0
#define TX_LENGTH                   1
#define TX_PLATFORM_IRQ             2   /* u32: GSI */
#define TX_PLATFORM_IRQ_FLAGS       6
#define TX_RESERVED1                7
#define TX_BASE                     8
#define TX_SIZE                     16  /* u32 */
#define TX_DOORBELL                 20  /* GAS */
#define TX_DOORBELL_PRESERVE        32
#define TX_DOORBELL_WRITE           40
#define TX_LATENCY                  48
#define TX_MAX_RATE                 52
#define TX_TURNAROUND               56  /* u32 */
#define TX_ACK                      60  /* GAS */
#define TX_ACK_PRESERVE             72
#define TX_ACK_SET                  80
#define TX_RESERVED2                88  /* u64 */
#define TX_CMD_CHECK                96  /* GAS */
#define TX_CMD_CHECK_MASK           108
#define TX_CMD_UPDATE               116 /* GAS */
#define TX_CMD_UPDATE_PRESERVE      128
#define TX_CMD_UPDATE_SET           136
#define TX_ERROR                    144 /* GAS */
#define TX_ERROR_MASK               156
#define TX_LEN                      164

/* HW-reduced communications subspace, type 2 (ACPI 6.5, table 14.7) */
#define T2_TYPE                     0
#define T2_LENGTH                   1
#define T2_PLATFORM_IRQ             2   /* u32: GSI */
#define T2_PLATFORM_IRQ_FLAGS       6
#define T2_RESERVED                 7
#define T2_BASE                     8
#define T2_SIZE                     16  /* u64 */
#define T2_DOORBELL                 24  /* GAS */
#define T2_DOORBELL_PRESERVE        36
#define T2_DOORBELL_WRITE           44
#define T2_LATENCY                  52
#define T2_MAX_RATE                 56
#define T2_TURNAROUND               60  /* u16 */
#define T2_ACK                      62  /* GAS */
#define T2_ACK_PRESERVE             74
#define T2_ACK_WRITE                82
#define T2_LEN                      90

/* Generic communication region (ACPI 6.5, table 14.5) */
#define GEN_SIGNATURE               0
#define GEN_COMMAND                 4
#define GEN_STATUS                  6
#define GEN_SPACE                   8
#define GEN_CMD_GENERATE_SCI        0x8000
#define GEN_STATUS_CMD_COMPLETE     0x1
#define GEN_STATUS_SCI_DOORBELL     0x2
#define GEN_STATUS_ERROR            0x4

#define TYPE_GENERIC                0
#define TYPE_HW_REDUCED             1
#define TYPE_HW_REDUCED_TYPE2       2
#define TYPE_EXT_INITIATOR          3
#define TYPE_EXT_RESPONDER          4

/* The nominal latency QEMU advertises for every subspace, in us */
#define PCC_NOMINAL_LATENCY         100

/* Asynchronous events: how long to wait before calling it a failure */
#define WAIT_TIMEOUT_S              20

#define VIRT_ARGS                   "-machine virt -cpu cortex-a57 -nodefaults"

typedef struct PccAcpiTables {
    uint8_t *blob;
    size_t size;
} PccAcpiTables;

/* A register as the PCCT describes it: address, preserve and set masks */
typedef struct PccReg {
    uint64_t addr;
    uint64_t preserve;
    uint64_t set;
} PccReg;

uint64_t pcc_reg_addr(unsigned idx, unsigned reg);

uint64_t pcc_shmem_addr(unsigned idx);

unsigned pcc_irq_line(unsigned idx);

uint32_t pcc_gsi(unsigned idx);

char *pcc_make_tmp_dir(void);

void pcc_rm_rf(const char *path);

/* Sorted names in @path, '.'-files and subdirectories included */
GPtrArray *pcc_list_dir(const char *path);

/* Regular files directly in @path (no subdirectories), sorted */
GPtrArray *pcc_list_files(const char *path);

bool pcc_path_exists(const char *dir, const char *name);

void pcc_spool_drop(const char *spool, const char *name,
                    const GByteArray *msg);

char *pcc_spool_inbox_name(uint64_t seq, unsigned channel,
                           const char *kind);

/* A response naming request @ref: "<seq>-c<ch>-rsp-r<ref>.<layout>" */
char *pcc_spool_response_name(uint64_t seq, unsigned channel, uint64_t ref,
                              const char *layout);

/* The sequence number of a spool file name (a request's id) */
uint64_t pcc_spool_name_seq(const char *name);

/* 20 digits, -c, 3 digits, -req.<layout> */
bool pcc_is_outbox_name(const char *name, unsigned channel,
                        const char *layout);

void pcc_assert_file_equals(const char *dir, const char *name,
                            const GByteArray *want);

QTestState *pcc_start_virt(const char *extra);

/*
 * Run QEMU with @args, which must make it refuse to start: it has to exit
 * with a non-zero status and say @expected on stderr.
 */
void pcc_expect_startup_failure(const char *args, const char *expected);

void pcc_acpi_tables_load(QTestState *qts, PccAcpiTables *t);

void pcc_acpi_tables_free(PccAcpiTables *t);

/*
 * The @nth (from 0) table with signature @sig (and OEM table ID
 * @oem_table_id, if not NULL), or NULL. Tables follow each other in the
 * blob; the header's length leads to the next one.
 */
uint8_t *pcc_acpi_find_table(PccAcpiTables *t, const char *sig,
                             const char *oem_table_id, unsigned nth);

void pcc_check_gas(const uint8_t *gas, uint64_t addr);

bool pcc_all_zero(const uint8_t *p, size_t len);

/* The iasl to use: $PCC_IASL, else "iasl" from PATH */
const char *pcc_iasl(void);

/* iasl -d @dir/@file.dat, checked to decode without complaint */
void pcc_run_iasl(const char *dir, const char *file, char **dsl);

/* Compile the ASL @asl with iasl in @dir: the table, its length in @len */
uint8_t *pcc_iasl_compile(const char *dir, const char *name, const char *asl,
                          size_t *len);

/*
 * The body (everything after the header) of QEMU's @table must be byte
 * for byte what iasl compiles from the reference ASL @asl.
 */
void pcc_assert_aml_body_equal(const char *dir, const uint8_t *table,
                               const char *asl);

void pcc_write_table(const char *dir, const char *name, uint8_t *tbl);

int64_t pcc_parse_aml_int(const char *s);

char *pcc_read_log(const char *path);

/* The contents of @dir/@name (which must exist) */
GByteArray *pcc_read_file(const char *dir, const char *name);

/*
 * The name of the one regular file in @dir that is not in @before,
 * waiting up to WAIT_TIMEOUT_S for it; fails the test without one.
 */
char *pcc_wait_new_file(const char *dir, GPtrArray *before);

/*
 * Wait up to WAIT_TIMEOUT_S until (readl(@addr) & @mask) == @want: for
 * effects of the platform, which QEMU's main loop handles between qtest
 * commands. True if it happened.
 */
bool pcc_wait_readl(QTestState *qts, uint64_t addr, uint32_t mask,
                    uint32_t want);

/* Migrate @qts to @uri and wait until that is done */
void pcc_migrate(QTestState *qts, const char *uri);

/*
 * Take an incoming migration from @uri into @qts (started with
 * "-incoming defer") and wait until it completed; if the source was
 * stopped, the destination then stays paused unless @cont
 */
void pcc_migrate_incoming(QTestState *qts, const char *uri, bool cont);

/* query-status says the VM runs */
bool pcc_vm_running(QTestState *qts);

/* stop / cont, checked */
void pcc_vm_stop(QTestState *qts);
void pcc_vm_cont(QTestState *qts);

/*
 * A qcow2 image at @path, made with blockdev-create (no qemu-img needed)
 * and added as node @node: the disk that savevm writes the VM state to
 */
void pcc_snapshot_disk_add(QTestState *qts, const char *path,
                           const char *node);

/* HMP savevm / loadvm @tag, which must not complain */
void pcc_savevm(QTestState *qts, const char *tag);
void pcc_loadvm(QTestState *qts, const char *tag);

/* Counter @name of subspace @index (query-pcc) */
uint64_t pcc_subspace_counter(QTestState *qts, unsigned index,
                              const char *name);

/* Wait up to WAIT_TIMEOUT_S until the file @path contains @what */
void pcc_wait_log_has(const char *path, const char *what);

/* Unix stream sockets for tests that play the platform of a chardev */
int pcc_unix_listen(const char *path);
/* accept(), failing the test after WAIT_TIMEOUT_S */
int pcc_unix_accept(int listener);
/* read exactly @len bytes; false on EOF, fails the test on timeout */
bool pcc_read_exact(int fd, void *buf, size_t len);
void pcc_write_all(int fd, const void *buf, size_t len);

/*
 * The socket framing, version 3, as the platform's end of a chardev sees
 * it (docs/system/devices/pcc.rst): a 28-byte header, then the payload
 */
#define PCC_FRAME_MAGIC_V2          0x32434350u     /* "PCC2" */
#define PCC_FRAME_MAGIC_V3          0x33434350u     /* "PCC3" */
#define PCC_FRAME_HDR_SIZE          28
#define PCC_FRAME_KIND_REQUEST      1
#define PCC_FRAME_KIND_RESPONSE     2
#define PCC_FRAME_KIND_NOTIFICATION 3
#define PCC_FRAME_KIND_HELLO        4
#define PCC_FRAME_KIND_DONE         5

typedef struct PccFrame {
    uint32_t magic;
    uint32_t len;
    uint16_t channel;
    uint8_t kind;
    uint8_t layout;
    uint64_t id;
    uint64_t ref;
    GByteArray *payload;    /* the caller unrefs it */
} PccFrame;

/*
 * Read one frame QEMU sent: false on EOF; fails the test on a timeout,
 * on another magic than version 3's, or on a payload over 64 KiB
 */
bool pcc_frame_read(int fd, PccFrame *f);
/*
 * Send a frame in one write: QEMU may hang up as soon as it has read a
 * header it refuses, and a second write would then raise SIGPIPE
 */
void pcc_frame_write(int fd, uint32_t magic, uint16_t channel, uint8_t kind,
                     uint8_t layout, uint64_t id, uint64_t ref,
                     const GByteArray *payload);

void pcc_assert_log_has(const char *log, const char *what);

/*
 * The guest's side of a mailbox subspace (types 0 to 3: the platform
 * answers in place), found in the PCCT as Linux's pcc.c finds it, and the
 * platform's side of its spool.
 */
typedef struct PccMailbox {
    QTestState *qts;
    char *dir;
    char *spool;
    char *outbox;
    char *inbox;
    unsigned index;
    unsigned type;
    uint32_t latency;
    uint64_t shmem;
    uint64_t shmem_size;
    unsigned line;
    PccReg doorbell;
    PccReg ack;
    PccReg cmd_update;          /* type 3 */
    uint64_t cmd_check;         /* type 3 */
    uint64_t error_reg;         /* type 3 */
} PccMailbox;

/*
 * A QEMU with @args (each "%s" in it is the spool directory) whose
 * subspace @index is a mailbox. With @incoming, QEMU waits for an
 * incoming migration from that URI first.
 */
PccMailbox *pcc_mailbox_start(const char *args_fmt, unsigned index,
                              const char *incoming);
/* Start QEMU again for the same spool (after pcc_mailbox_quit) */
void pcc_mailbox_restart(PccMailbox *m, const char *args_fmt,
                         const char *incoming);
void pcc_mailbox_quit(PccMailbox *m);
void pcc_mailbox_stop(PccMailbox *m);

/*
 * pcc_send_data() after the client filled the shared memory with @msg:
 * command complete cleared (type 3), the doorbell rung. Returns the
 * request id, from the outbox file; *sent (if not NULL) gets its bytes.
 */
uint64_t pcc_mailbox_ring(PccMailbox *m, const void *msg, size_t len,
                          GByteArray **sent);
/* The platform's answer to request @ref (0: no -r) as an inbox file */
char *pcc_mailbox_answer(PccMailbox *m, uint64_t seq, uint64_t ref,
                         const void *msg, size_t len);
/* The command completed (status or command complete register) */
bool pcc_mailbox_wait_complete(PccMailbox *m);
bool pcc_mailbox_complete(PccMailbox *m);
bool pcc_mailbox_irq(PccMailbox *m);
void pcc_mailbox_ack(PccMailbox *m);
void pcc_reg_rmw(QTestState *qts, const PccReg *r);
/* QEMU took inbox file @name without completing anything */
void pcc_mailbox_expect_dropped(PccMailbox *m, const char *name);
/* QEMU set inbox file @name aside as not valid */
void pcc_mailbox_expect_rejected(PccMailbox *m, const char *name);

#endif
