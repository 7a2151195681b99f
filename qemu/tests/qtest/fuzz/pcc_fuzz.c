/*
 * ACPI Platform Communication Channel (PCC) fuzzing targets
 *
 * The guest side and the platform side of every PCC device class at
 * once, from one fuzzer input:
 *
 *   pcc-spool      every class on the virt machine (platform interrupt
 *                  on), each device on a spool directory
 *   pcc-socket     the same machine, each device on a socket chardev
 *   pcc-polled     the classes that work without the platform interrupt
 *                  (kunpeng-hccs b1, hisi-uncore, cppc, raw types 0-3),
 *                  spools and sockets in turn
 *
 * The guest side is MMIO anywhere in the PCC window: register blocks,
 * shared memory and unused slots. The platform side is what a hostile
 * platform can send: inbox files (good and bad names, symlinks, FIFOs,
 * directories) and frames or raw bytes on the socket, including answers
 * that name the request the guest just rang. QMP fault injection and
 * notifications are fuzzed too.
 *
 * An input is a list of commands separated by "FUZZ", as for
 * generic-fuzz. The first byte of a command picks the operation; the
 * operands follow, and missing operand bytes read as 0. After every
 * input the platform settles what the guest sent, the guest consumes
 * what waits for it, the spools are emptied, faults are cleared and the
 * PCC host is reset with its bus, so that inputs do not depend on each
 * other.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"

#include <dirent.h>
#include <ftw.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "tests/qtest/libqtest.h"
#include "fuzz.h"
#include "qapi/qapi-commands-pcc.h"
#include "hw/pcc/pcc-device.h"
#include "hw/pcc/pcc-host.h"

#define SEPARATOR "FUZZ"

/* The virt machine's PCC window */
#define PCC_FUZZ_WINDOW_BASE    0x0a004000ULL

/* socket framing, docs/system/devices/pcc.rst */
#define PCC_FUZZ_FRAME_MAGIC    0x33434350u
#define PCC_FUZZ_FRAME_HDR      28

#define PCC_FUZZ_MAX_DEVICES    16
#define PCC_FUZZ_MAX_SUBSPACES  (PCC_FUZZ_MAX_DEVICES * PCC_DEVICE_MAX_CHANNELS)
/* request ids kept for settling at the end of an input */
#define PCC_FUZZ_MAX_SEEN       256

/* The operations of an input: the first byte of a command, modulo */
typedef enum PccFuzzOp {
    OP_REG_WRITE,
    OP_REG_READ,
    OP_WINDOW,
    OP_RING,
    OP_ACK,
    OP_SHMEM_WRITE,
    OP_SHMEM_READ,
    OP_MESSAGE,
    OP_CLOCK_STEP,
    OP_FAULT,
    OP_NOTIFY,
    OP_SPOOL_FILE,
    OP_SOCKET_FRAME,
    OP_SOCKET_BYTES,
    OP_SOCKET_RECONNECT,
    OP__MAX
} PccFuzzOp;

typedef enum PccFuzzTransport {
    PCC_FUZZ_SPOOL,
    PCC_FUZZ_SOCKET,
    PCC_FUZZ_MIXED,
} PccFuzzTransport;

typedef struct PccFuzzConfig {
    const char *name;
    const char *description;
    bool platform_interrupt;
    PccFuzzTransport transport;
    const char *const *devices;
} PccFuzzConfig;

typedef struct PccFuzzDevice {
    PccDevice *dev;
    uint32_t channel;
    char *spool;            /* spool directory, or NULL */
    char *inbox;            /* its inbox/, inbox/tmp/ and outbox/ */
    char *inbox_tmp;
    char *outbox;
    bool inbox_dirty;       /* this input put something in inbox/ */
    uint64_t send_calls;    /* the platform's send_calls at the last look */
    char *socket_path;      /* the chardev's listening socket, or NULL */
    int fd;                 /* our end of the socket, -1 if none */
    GByteArray *rx;         /* bytes from QEMU not parsed yet */
    uint64_t last_request;
    uint64_t seen[PCC_FUZZ_MAX_SEEN];
    unsigned num_seen;
} PccFuzzDevice;

typedef struct PccFuzzSubspace {
    PccChannel *chan;
    hwaddr regs;
    hwaddr shmem;
    bool faulted;           /* a fault was injected in this input */
} PccFuzzSubspace;

static const char *const pcc_fuzz_devices_irq[] = {
    "pcc-mctp,channel=0",
    "pcc-xgene-hwmon,channel=2",
    "pcc-xgene-i2c,channel=3",
    "pcc-cppc,channel=4",
    "pcc-opregion,channel=5",
    "pcc-kunpeng-hccs,channel=6,variant=b2",
    "pcc-hisi-uncore,channel=7",
    "pcc-raw,channel=8,subspace-type=0",
    "pcc-raw,channel=9,subspace-type=1",
    "pcc-raw,channel=10,subspace-type=2",
    "pcc-raw,channel=11,subspace-type=3",
    "pcc-raw,channel=12,subspace-type=4,shmem-size=0x10000",
    /* index 13 is a filler subspace */
    "pcc-raw,channel=14,subspace-type=3,shmem-size=0x2000",
    NULL
};

static const char *const pcc_fuzz_devices_polled[] = {
    "pcc-kunpeng-hccs,channel=0,variant=b1",
    "pcc-hisi-uncore,channel=1",
    "pcc-cppc,channel=2",
    "pcc-raw,channel=3,subspace-type=0",
    "pcc-raw,channel=4,subspace-type=1",
    "pcc-raw,channel=5,subspace-type=2",
    "pcc-raw,channel=6,subspace-type=3",
    NULL
};

static const PccFuzzConfig pcc_fuzz_configs[] = {
    {
        .name = "pcc-spool",
        .description = "Fuzz every PCC device class (MMIO on the whole "
                       "PCC window) and its spool directory inbox",
        .platform_interrupt = true,
        .transport = PCC_FUZZ_SPOOL,
        .devices = pcc_fuzz_devices_irq,
    }, {
        .name = "pcc-socket",
        .description = "Fuzz every PCC device class (MMIO on the whole "
                       "PCC window) and the socket framing it reads",
        .platform_interrupt = true,
        .transport = PCC_FUZZ_SOCKET,
        .devices = pcc_fuzz_devices_irq,
    }, {
        .name = "pcc-polled",
        .description = "Fuzz the PCC classes without the platform "
                       "interrupt, on spools and sockets",
        .platform_interrupt = false,
        .transport = PCC_FUZZ_MIXED,
        .devices = pcc_fuzz_devices_polled,
    },
};

static char *pcc_fuzz_dir;
static PccHost *pcc_fuzz_host;
static PccFuzzDevice pcc_fuzz_devs[PCC_FUZZ_MAX_DEVICES];
static unsigned pcc_fuzz_num_devs;
static PccFuzzSubspace pcc_fuzz_subs[PCC_FUZZ_MAX_SUBSPACES];
static unsigned pcc_fuzz_num_subs;
static uint64_t pcc_fuzz_seq;
/* frames and files the platform side sent in this input */
static unsigned pcc_fuzz_sent;

/* Operand reader: bytes past the end of a command read as 0 */
typedef struct PccFuzzCursor {
    const uint8_t *p;
    size_t len;
} PccFuzzCursor;

static uint64_t pcc_fuzz_take(PccFuzzCursor *c, unsigned bytes)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < bytes; i++) {
        if (c->len) {
            v |= (uint64_t)*c->p << (8 * i);
            c->p++;
            c->len--;
        }
    }
    return v;
}

static PccFuzzSubspace *pcc_fuzz_pick_sub(PccFuzzCursor *c)
{
    return &pcc_fuzz_subs[pcc_fuzz_take(c, 1) % pcc_fuzz_num_subs];
}

/* A device with the transport asked for, or NULL if there is none */
static PccFuzzDevice *pcc_fuzz_pick_dev(PccFuzzCursor *c, bool socket)
{
    unsigned pick = pcc_fuzz_take(c, 1), i, n = 0;

    for (i = 0; i < pcc_fuzz_num_devs; i++) {
        n += !!pcc_fuzz_devs[i].socket_path == socket;
    }
    if (!n) {
        return NULL;
    }
    pick %= n;
    for (i = 0; i < pcc_fuzz_num_devs; i++) {
        if (!!pcc_fuzz_devs[i].socket_path == socket && !pick--) {
            return &pcc_fuzz_devs[i];
        }
    }
    g_assert_not_reached();
}

/* Guest side */

static void pcc_fuzz_access(QTestState *s, hwaddr addr, unsigned size_sel,
                            bool write, uint64_t value)
{
    switch ((size_sel % 4) * 2 + write) {
    case 0:
        qtest_readb(s, addr);
        break;
    case 1:
        qtest_writeb(s, addr, value);
        break;
    case 2:
        qtest_readw(s, addr);
        break;
    case 3:
        qtest_writew(s, addr, value);
        break;
    case 4:
        qtest_readl(s, addr);
        break;
    case 5:
        qtest_writel(s, addr, value);
        break;
    case 6:
        qtest_readq(s, addr);
        break;
    default:
        qtest_writeq(s, addr, value);
        break;
    }
}

/* A register block access: any offset, any size */
static void op_reg(QTestState *s, PccFuzzCursor *c, bool write)
{
    PccFuzzSubspace *sub = pcc_fuzz_pick_sub(c);
    unsigned offset = pcc_fuzz_take(c, 1);
    unsigned size_sel = pcc_fuzz_take(c, 1);

    /* an 8-byte access must stay inside the block */
    offset = MIN(offset, PCC_REG_BLOCK_SIZE - 8);
    pcc_fuzz_access(s, sub->regs + offset, size_sel, write,
                    pcc_fuzz_take(c, 4));
}

static void op_reg_write(QTestState *s, PccFuzzCursor *c)
{
    op_reg(s, c, true);
}

static void op_reg_read(QTestState *s, PccFuzzCursor *c)
{
    op_reg(s, c, false);
}

/* Anywhere in the window, including slots no device uses */
static void op_window(QTestState *s, PccFuzzCursor *c)
{
    uint64_t offset = pcc_fuzz_take(c, 4) % (PCC_HOST_MMIO_SIZE - 8);
    unsigned how = pcc_fuzz_take(c, 1);

    pcc_fuzz_access(s, PCC_FUZZ_WINDOW_BASE + offset, how >> 1, how & 1,
                    pcc_fuzz_take(c, 8));
}

static void op_ring(QTestState *s, PccFuzzCursor *c)
{
    PccFuzzSubspace *sub = pcc_fuzz_pick_sub(c);

    qtest_writel(s, sub->regs + PCC_REG_DOORBELL, 1);
}

/* The guest acknowledges the interrupt and consumes a notification */
static void op_ack(QTestState *s, PccFuzzCursor *c)
{
    PccFuzzSubspace *sub = pcc_fuzz_pick_sub(c);

    qtest_writel(s, sub->regs + PCC_REG_PLATFORM_ACK, 1);
    qtest_writel(s, sub->regs + PCC_REG_CMD_COMPLETE, 1);
}

/* Bytes into the shared memory slot, also past the subspace's size */
static void op_shmem_write(QTestState *s, PccFuzzCursor *c)
{
    PccFuzzSubspace *sub = pcc_fuzz_pick_sub(c);
    uint32_t offset = pcc_fuzz_take(c, 2) % PCC_HOST_SHMEM_SLOT_SIZE;
    size_t len = MIN(c->len, PCC_HOST_SHMEM_SLOT_SIZE - offset);

    if (len) {
        qtest_memwrite(s, sub->shmem + offset, c->p, len);
    }
}

static void op_shmem_read(QTestState *s, PccFuzzCursor *c)
{
    PccFuzzSubspace *sub = pcc_fuzz_pick_sub(c);
    uint32_t offset = pcc_fuzz_take(c, 2) % PCC_HOST_SHMEM_SLOT_SIZE;
    size_t len = MIN(pcc_fuzz_take(c, 1) + 1,
                     PCC_HOST_SHMEM_SLOT_SIZE - offset);
    uint8_t buf[256];

    qtest_memread(s, sub->shmem + offset, buf, len);
}

/*
 * A whole request as a driver writes it: the header of the subspace's
 * layout with its signature, the payload, command complete cleared, the
 * doorbell rung
 */
static void op_message(QTestState *s, PccFuzzCursor *c)
{
    PccFuzzSubspace *sub = pcc_fuzz_pick_sub(c);
    uint32_t flags = pcc_fuzz_take(c, 1);
    uint32_t length = pcc_fuzz_take(c, 2);
    uint32_t command = pcc_fuzz_take(c, 4);
    uint8_t hdr[PCC_EXT_HDR_SIZE];
    size_t hdr_len, len;

    stl_le_p(hdr, PCC_SIGNATURE | sub->chan->index);
    if (sub->chan->type == PCC_SUBSPACE_EXT_INITIATOR ||
        sub->chan->type == PCC_SUBSPACE_EXT_RESPONDER) {
        stl_le_p(hdr + PCC_EXT_HDR_FLAGS, flags);
        stl_le_p(hdr + PCC_EXT_HDR_LENGTH, length);
        stl_le_p(hdr + PCC_EXT_HDR_COMMAND, command);
        hdr_len = PCC_EXT_HDR_SIZE;
    } else {
        stw_le_p(hdr + PCC_GEN_HDR_COMMAND, command);
        stw_le_p(hdr + PCC_GEN_HDR_STATUS, 0);
        hdr_len = PCC_GEN_HDR_SIZE;
    }
    qtest_memwrite(s, sub->shmem, hdr, hdr_len);
    len = MIN(c->len, PCC_HOST_SHMEM_SLOT_SIZE - hdr_len);
    if (len) {
        qtest_memwrite(s, sub->shmem + hdr_len, c->p, len);
    }
    qtest_writel(s, sub->regs + PCC_REG_CMD_COMPLETE, 0);
    qtest_writel(s, sub->regs + PCC_REG_DOORBELL, 1);
}

/*
 * The virtual clock by 1 ns to about 4 s (late completions); not "to the
 * next timer", which qtest refuses when no timer is armed
 */
static void op_clock_step(QTestState *s, PccFuzzCursor *c)
{
    qtest_clock_step(s, pcc_fuzz_take(c, 4) + 1);
}

/* QMP */

static void op_fault(QTestState *s, PccFuzzCursor *c)
{
    PccFuzzSubspace *sub = pcc_fuzz_pick_sub(c);
    PccFault fault = pcc_fuzz_take(c, 1) % PCC_FAULT__MAX;
    unsigned how = pcc_fuzz_take(c, 1);
    Error *err = NULL;

    sub->faulted = true;
    qmp_pcc_inject_fault(sub->chan->index, fault, how & 1, how & 2, how & 4,
                         pcc_fuzz_take(c, 2), &err);
    error_free(err);
}

static void op_notify(QTestState *s, PccFuzzCursor *c)
{
    PccFuzzSubspace *sub = pcc_fuzz_pick_sub(c);
    uint32_t command = pcc_fuzz_take(c, 4);
    uint32_t flags = pcc_fuzz_take(c, 1);
    g_autofree char *data = g_base64_encode(c->p, c->len);
    Error *err = NULL;

    qmp_pcc_notify(sub->chan->index, true, command, true, flags, data, &err);
    error_free(err);
}

/* Spool side */

/*
 * Take what QEMU wrote to outbox/ as the platform does: the last request.
 * QEMU writes there only when it sends: a device that sent nothing since
 * the last look is not listed (listing 13 outboxes per input cost more
 * than the commands of most inputs).
 */
static void pcc_fuzz_spool_take_outbox(PccFuzzDevice *d)
{
    DIR *dir;
    struct dirent *ent;

    if (d->dev->platform->send_calls == d->send_calls) {
        return;
    }
    d->send_calls = d->dev->platform->send_calls;
    dir = opendir(d->outbox);
    if (!dir) {
        return;
    }
    while ((ent = readdir(dir))) {
        if (ent->d_name[0] == '.' || !strcmp(ent->d_name, "tmp")) {
            continue;
        }
        if (strstr(ent->d_name, "-req.")) {
            d->last_request = MAX(d->last_request,
                                  g_ascii_strtoull(ent->d_name, NULL, 10));
        }
        unlinkat(dirfd(dir), ent->d_name, 0);
    }
    closedir(dir);
}

static int pcc_fuzz_rm_cb(const char *path, const struct stat *st, int flag,
                          struct FTW *ftw)
{
    if (ftw->level > 0) {
        remove(path);
    }
    return 0;
}

/* Remove everything below @path (symlinks are not followed) */
static void pcc_fuzz_rm_tree_entries(const char *path)
{
    nftw(path, pcc_fuzz_rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

/*
 * Empty the directory @path but keep its subdirectory @keep, emptied too:
 * removing and making tmp/ again for every input and spool cost more than
 * the rest of the input (a directory's removal is slow on ext4)
 */
static void pcc_fuzz_empty_dir(const char *path, const char *keep)
{
    DIR *dir = opendir(path);
    struct dirent *ent;

    if (!dir) {
        return;
    }
    while ((ent = readdir(dir))) {
        g_autofree char *sub = NULL;

        if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, "..")) {
            continue;
        }
        if (!unlinkat(dirfd(dir), ent->d_name, 0) || errno != EISDIR) {
            continue;
        }
        /* a directory: our tmp/, or one an input put in its place */
        sub = g_build_filename(path, ent->d_name, NULL);
        pcc_fuzz_rm_tree_entries(sub);
        if (strcmp(ent->d_name, keep)) {
            rmdir(sub);
        }
    }
    closedir(dir);
}

static const char *const pcc_fuzz_kinds[] = { "rsp", "ntf", "req", "xyz" };

/*
 * A file in inbox/: a good name (answering the last request, or not
 * saying which), one for another channel or of another kind, a name
 * taken from the input, or a symlink, FIFO or directory in its place
 */
static void op_spool_file(QTestState *s, PccFuzzCursor *c)
{
    PccFuzzDevice *d = pcc_fuzz_pick_dev(c, false);
    unsigned form = pcc_fuzz_take(c, 1);
    unsigned kind = pcc_fuzz_take(c, 1);
    unsigned layout = pcc_fuzz_take(c, 1);
    const char *suffix = layout & 1 ? "gen" : layout & 2 ? "xyz" : "ext";
    g_autofree char *name = NULL;
    g_autofree char *tmp = NULL;
    g_autofree char *dst = NULL;
    uint32_t channel;
    int fd;

    if (!d) {
        return;
    }
    pcc_fuzz_spool_take_outbox(d);
    d->inbox_dirty = true;
    channel = d->channel + (kind & 4 ? 1 : 0);
    pcc_fuzz_seq++;
    switch (form % 8) {
    case 0:
        name = g_strdup_printf("%020" PRIu64 "-c%03u-rsp-r%020" PRIu64
                               ".%s", pcc_fuzz_seq, channel,
                               d->last_request, suffix);
        break;
    case 4: {
        /* a name from the input: any bytes but '/' and NUL */
        size_t n = MIN(pcc_fuzz_take(c, 1) % 64 + 1, c->len);
        unsigned i;

        if (!n) {
            return;
        }
        name = g_strndup((const char *)c->p, n);
        for (i = 0; name[i]; i++) {
            if (name[i] == '/') {
                name[i] = '_';
            }
        }
        if (!name[0] || !strcmp(name, ".") || !strcmp(name, "..")) {
            return;
        }
        c->p += n;
        c->len -= n;
        break;
    }
    default:
        name = g_strdup_printf("%020" PRIu64 "-c%03u-%s.%s", pcc_fuzz_seq,
                               channel, pcc_fuzz_kinds[kind % 4], suffix);
        break;
    }
    dst = g_build_filename(d->inbox, name, NULL);
    tmp = g_build_filename(d->inbox_tmp, name, NULL);
    switch (form % 8) {
    case 5:
        /* a symlink to a file of ours that holds the message */
        g_free(tmp);
        tmp = g_build_filename(pcc_fuzz_dir, "target", NULL);
        g_file_set_contents(tmp, (const char *)c->p, c->len, NULL);
        if (symlink(tmp, dst) < 0) {
            return;
        }
        break;
    case 6:
        if (mkfifo(dst, 0600) < 0) {
            return;
        }
        break;
    case 7:
        if (mkdir(dst, 0700) < 0) {
            return;
        }
        break;
    default:
        /* written whole in tmp/, then renamed in */
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
        if (fd < 0) {
            return;
        }
        if (c->len && write(fd, c->p, c->len) < 0) {
            close(fd);
            unlink(tmp);
            return;
        }
        close(fd);
        if (rename(tmp, dst) < 0) {
            unlink(tmp);
            return;
        }
        break;
    }
    pcc_fuzz_sent++;
}

/* Socket side */

static void pcc_fuzz_socket_connect(PccFuzzDevice *d)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    g_assert(strlen(d->socket_path) < sizeof(addr.sun_path));
    strcpy(addr.sun_path, d->socket_path);
    d->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    g_assert(d->fd >= 0);
    if (connect(d->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        fprintf(stderr, "pcc fuzz: cannot connect to %s: %s\n",
                d->socket_path, strerror(errno));
        abort();
    }
    g_byte_array_set_size(d->rx, 0);
}

static void pcc_fuzz_socket_close(PccFuzzDevice *d)
{
    if (d->fd >= 0) {
        close(d->fd);
        d->fd = -1;
    }
}

/* Note a request that QEMU sent, for settling it later */
static void pcc_fuzz_seen(PccFuzzDevice *d, uint64_t id)
{
    d->last_request = id;
    if (d->num_seen < PCC_FUZZ_MAX_SEEN) {
        d->seen[d->num_seen++] = id;
    }
}

/*
 * Read what QEMU sent (the hello, requests); reconnect when QEMU closed
 * the connection. QEMU's frames are well formed: parse them in order.
 */
static void pcc_fuzz_socket_drain(QTestState *s, PccFuzzDevice *d)
{
    uint8_t buf[4096];
    ssize_t n;

    for (;;) {
        n = recv(d->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
            g_byte_array_append(d->rx, buf, n);
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            /* QEMU closed it (framing error): connect again */
            pcc_fuzz_socket_close(d);
            flush_events(s);
            pcc_fuzz_socket_connect(d);
            flush_events(s);
            continue;
        }
        break;
    }
    while (d->rx->len >= PCC_FUZZ_FRAME_HDR) {
        uint32_t len = ldl_le_p(d->rx->data + 4);

        if (ldl_le_p(d->rx->data) != PCC_FUZZ_FRAME_MAGIC) {
            fprintf(stderr, "pcc fuzz: QEMU sent a bad frame\n");
            abort();
        }
        if (d->rx->len < PCC_FUZZ_FRAME_HDR + len) {
            break;
        }
        if (d->rx->data[10] == PCC_MSG_REQUEST) {
            pcc_fuzz_seen(d, ldq_le_p(d->rx->data + 12));
        }
        g_byte_array_remove_range(d->rx, 0, PCC_FUZZ_FRAME_HDR + len);
    }
}

static void pcc_fuzz_socket_send(PccFuzzDevice *d, const void *buf,
                                 size_t len)
{
    ssize_t n = send(d->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

    /* a full socket or a connection QEMU closed drops the rest */
    (void)n;
}

static void pcc_fuzz_frame(PccFuzzDevice *d, uint32_t magic, uint32_t len,
                           uint16_t channel, uint8_t kind, uint8_t layout,
                           uint64_t id, uint64_t ref, const uint8_t *payload,
                           size_t payload_len)
{
    g_autofree uint8_t *f = g_malloc(PCC_FUZZ_FRAME_HDR + payload_len);

    stl_le_p(f, magic);
    stl_le_p(f + 4, len);
    stw_le_p(f + 8, channel);
    f[10] = kind;
    f[11] = layout;
    stq_le_p(f + 12, id);
    stq_le_p(f + 20, ref);
    if (payload_len) {
        memcpy(f + PCC_FUZZ_FRAME_HDR, payload, payload_len);
    }
    pcc_fuzz_socket_send(d, f, PCC_FUZZ_FRAME_HDR + payload_len);
}

/* response, notification, done; with form bit 7: hello, done, unknown */
static const uint8_t pcc_fuzz_frame_kinds[] = { 2, 3, 5, 2 };

/*
 * A frame: mostly well formed around the input's payload, answering the
 * last request; the form byte bends the magic, length, channel and
 * reference
 */
static void op_socket_frame(QTestState *s, PccFuzzCursor *c)
{
    PccFuzzDevice *d = pcc_fuzz_pick_dev(c, true);
    unsigned form = pcc_fuzz_take(c, 1);
    uint8_t kind = pcc_fuzz_take(c, 1);
    uint8_t layout = pcc_fuzz_take(c, 1);
    uint64_t value = pcc_fuzz_take(c, 8);
    uint32_t magic = PCC_FUZZ_FRAME_MAGIC;
    uint32_t len;
    uint16_t channel;
    uint64_t ref;

    if (!d) {
        return;
    }
    pcc_fuzz_socket_drain(s, d);
    len = c->len;
    channel = d->channel;
    kind = pcc_fuzz_frame_kinds[kind % 4] + (form & 0x80 ? 2 : 0);
    layout %= form & 0x40 ? 256 : 2;
    ref = d->last_request;
    switch (form % 4) {
    case 1:
        ref = 0;
        break;
    case 2:
        ref = value;
        break;
    case 3:
        ref = d->last_request - 1;
        break;
    }
    if (form & 0x04) {
        channel++;
    }
    if (form & 0x08) {
        len = value >> 32;          /* too long, or short: a framing error */
    }
    if (form & 0x10) {
        magic = 0x32434350u;        /* "PCC2", an older peer */
    } else if (form & 0x20) {
        magic = value;
    }
    pcc_fuzz_frame(d, magic, len, channel, kind, layout, ++pcc_fuzz_seq, ref,
                   c->p, c->len);
    pcc_fuzz_sent++;
}

static void op_socket_bytes(QTestState *s, PccFuzzCursor *c)
{
    PccFuzzDevice *d = pcc_fuzz_pick_dev(c, true);

    if (!d) {
        return;
    }
    pcc_fuzz_socket_drain(s, d);
    pcc_fuzz_socket_send(d, c->p, c->len);
    pcc_fuzz_sent++;
}

static void op_socket_reconnect(QTestState *s, PccFuzzCursor *c)
{
    PccFuzzDevice *d = pcc_fuzz_pick_dev(c, true);

    if (!d) {
        return;
    }
    pcc_fuzz_socket_close(d);
    flush_events(s);
    pcc_fuzz_socket_connect(d);
}

/* After an input: settle, consume, empty, clear, reset */
static void pcc_fuzz_cleanup(QTestState *s)
{
    unsigned i, j;

    for (i = 0; i < pcc_fuzz_num_devs; i++) {
        PccFuzzDevice *d = &pcc_fuzz_devs[i];

        if (d->socket_path) {
            pcc_fuzz_socket_drain(s, d);
            for (j = 0; j < d->num_seen; j++) {
                pcc_fuzz_frame(d, PCC_FUZZ_FRAME_MAGIC, 0, d->channel,
                               PCC_MSG_DONE, PCC_LAYOUT_EXTENDED,
                               ++pcc_fuzz_seq, d->seen[j], NULL, 0);
            }
            d->num_seen = 0;
        }
    }
    /* only where a fault went in */
    for (i = 0; i < pcc_fuzz_num_subs; i++) {
        Error *err = NULL;

        if (pcc_fuzz_subs[i].faulted) {
            qmp_pcc_clear_fault(pcc_fuzz_subs[i].chan->index, false, 0, &err);
            error_free(err);
            pcc_fuzz_subs[i].faulted = false;
        }
    }
    flush_events(s);
    /*
     * What the platform queued for responders: let the guest take it, one
     * message a pass, until every responder is free (nothing was left)
     */
    for (j = 0; j <= pcc_fuzz_sent; j++) {
        bool busy = false;

        for (i = 0; i < pcc_fuzz_num_subs; i++) {
            if (pcc_fuzz_subs[i].chan->type == PCC_SUBSPACE_EXT_RESPONDER) {
                qtest_writel(s, pcc_fuzz_subs[i].regs + PCC_REG_CMD_COMPLETE,
                             1);
            }
        }
        flush_events(s);
        for (i = 0; i < pcc_fuzz_num_subs; i++) {
            if (pcc_fuzz_subs[i].chan->type == PCC_SUBSPACE_EXT_RESPONDER &&
                !pcc_channel_responder_free(pcc_fuzz_subs[i].chan)) {
                busy = true;
            }
        }
        if (!busy) {
            break;
        }
    }
    pcc_fuzz_sent = 0;
    for (i = 0; i < pcc_fuzz_num_devs; i++) {
        PccFuzzDevice *d = &pcc_fuzz_devs[i];

        if (d->spool) {
            /* only this harness writes to inbox/ (QEMU moves files) */
            if (d->inbox_dirty) {
                pcc_fuzz_empty_dir(d->inbox, "tmp");
                /* an input may have put a file or symlink in tmp's place */
                mkdir(d->inbox_tmp, 0700);
                d->inbox_dirty = false;
            }
            pcc_fuzz_spool_take_outbox(d);
            d->last_request = 0;
        }
    }
    /*
     * A cold reset of the PCC host and its bus, not of the machine: the
     * PCC devices' whole state is below it, and a machine reset (CPUs,
     * ROMs, every other device) took a quarter of each input's time
     */
    device_cold_reset(DEVICE(pcc_fuzz_host));
    flush_events(s);
}

static void pcc_fuzz(QTestState *s, const unsigned char *data, size_t size)
{
    static void (*const ops[OP__MAX])(QTestState *, PccFuzzCursor *) = {
        [OP_REG_WRITE] = op_reg_write,
        [OP_REG_READ] = op_reg_read,
        [OP_WINDOW] = op_window,
        [OP_RING] = op_ring,
        [OP_ACK] = op_ack,
        [OP_SHMEM_WRITE] = op_shmem_write,
        [OP_SHMEM_READ] = op_shmem_read,
        [OP_MESSAGE] = op_message,
        [OP_CLOCK_STEP] = op_clock_step,
        [OP_FAULT] = op_fault,
        [OP_NOTIFY] = op_notify,
        [OP_SPOOL_FILE] = op_spool_file,
        [OP_SOCKET_FRAME] = op_socket_frame,
        [OP_SOCKET_BYTES] = op_socket_bytes,
        [OP_SOCKET_RECONNECT] = op_socket_reconnect,
    };
    /*
     * Register reads and shared memory (RAM) leave the main loop nothing
     * to do: no events to flush after them
     */
    static const bool quiet[OP__MAX] = {
        [OP_REG_READ] = true,
        [OP_SHMEM_WRITE] = true,
        [OP_SHMEM_READ] = true,
    };
    const unsigned char *cmd = data;

    while (size) {
        const unsigned char *next = memmem(cmd, size, SEPARATOR,
                                           strlen(SEPARATOR));
        size_t len = next ? next - cmd : size;

        if (len) {
            PccFuzzCursor c = { .p = cmd + 1, .len = len - 1 };
            unsigned op = cmd[0] % ARRAY_SIZE(ops);

            ops[op](s, &c);
            if (!quiet[op]) {
                flush_events(s);
            }
        }
        if (!next) {
            break;
        }
        size -= len + strlen(SEPARATOR);
        cmd = next + strlen(SEPARATOR);
    }
    pcc_fuzz_cleanup(s);
}

/* Set up */

/*
 * libFuzzer's -timeout is an interval timer whose SIGALRM QEMU's main loop
 * blocks (qemu_signal_init() reads it from a signalfd and drops it), so an
 * input that wedged the main loop would run for ever. Nothing in QEMU uses
 * SIGALRM any more: the fuzzing thread takes it, and a hang becomes a
 * timeout finding.
 */
static void pcc_fuzz_take_alarm(void)
{
    sigset_t alarm;

    sigemptyset(&alarm);
    sigaddset(&alarm, SIGALRM);
    pthread_sigmask(SIG_UNBLOCK, &alarm, NULL);
}

static void pcc_fuzz_pre_fuzz(QTestState *s)
{
    PccHost *host = pcc_host_find();
    unsigned i, j;

    pcc_fuzz_take_alarm();
    pcc_fuzz_host = host;

    for (i = 0; i < pcc_fuzz_num_devs; i++) {
        PccFuzzDevice *d = &pcc_fuzz_devs[i];
        g_autofree char *id = g_strdup_printf("fuzz%u", i);
        DeviceState *ds = qdev_find_recursive(sysbus_get_default(), id);

        g_assert(ds);
        d->dev = PCC_DEVICE(ds);
        d->channel = pcc_device_first_index(d->dev);
        for (j = 0; j < pcc_device_num_subspaces(d->dev); j++) {
            PccChannel *chan = pcc_device_channel(d->dev, j);
            PccFuzzSubspace *sub = &pcc_fuzz_subs[pcc_fuzz_num_subs++];

            sub->chan = chan;
            sub->regs = pcc_host_reg_addr(host, chan->index);
            sub->shmem = pcc_host_shmem_addr(host, chan->index);
        }
        if (d->socket_path) {
            pcc_fuzz_socket_connect(d);
        }
    }
    flush_events(s);
    pcc_fuzz_cleanup(s);
}

static void pcc_fuzz_remove_dir(void)
{
    if (pcc_fuzz_dir) {
        pcc_fuzz_rm_tree_entries(pcc_fuzz_dir);
        rmdir(pcc_fuzz_dir);
    }
}

/* Seeds */

static void pcc_fuzz_seed_cmd(GByteArray *in, PccFuzzOp op,
                              const uint8_t *operands, size_t len)
{
    uint8_t code = op;

    if (in->len) {
        g_byte_array_append(in, (const uint8_t *)SEPARATOR,
                            strlen(SEPARATOR));
    }
    g_byte_array_append(in, &code, 1);
    g_byte_array_append(in, operands, len);
}

static void pcc_fuzz_seed_write(const char *dir, const char *what,
                                unsigned i, GByteArray *in)
{
    g_autofree char *path = g_strdup_printf("%s/%s-%02u", dir, what, i);
    GError *err = NULL;

    if (!g_file_set_contents(path, (const char *)in->data, in->len, &err)) {
        fprintf(stderr, "pcc fuzz: %s\n", err->message);
        exit(1);
    }
    g_byte_array_set_size(in, 0);
}

/*
 * QEMU_PCC_FUZZ_SEEDS=DIR: write a seed corpus for the target into DIR
 * and exit. For every subspace and device: a request rung and answered
 * (spool file naming it, socket frame naming it), the guest's ack; and a
 * notification from the platform that the guest consumes.
 */
static void pcc_fuzz_write_seeds(const char *dir)
{
    g_autoptr(GByteArray) in = g_byte_array_new();
    /* an extended MCTP-over-PCC message: header, then 8 payload bytes */
    static const uint8_t ext_msg[] = {
        0x00, 0x43, 0x43, 0x50, 0x01, 0x00, 0x00, 0x00,
        0x0c, 0x00, 0x00, 0x00, 0x4d, 0x43, 0x54, 0x50,
        0x01, 0x0a, 0x08, 0xc8, 0x00, 0x80, 0x02, 0x00,
    };
    unsigned i;

    for (i = 0; i < PCC_FUZZ_MAX_DEVICES; i++) {
        uint8_t msg[8 + sizeof(ext_msg)] = { i, 1, 12, 0, 'M', 'C', 'T', 'P' };
        uint8_t answer_file[4 + sizeof(ext_msg)] = { i, 0, 0, 0 };
        uint8_t notify_file[4 + sizeof(ext_msg)] = { i, 1, 1, 0 };
        uint8_t answer_frame[12 + sizeof(ext_msg)] = { i, 0, 0, 0 };
        uint8_t notify_frame[12 + sizeof(ext_msg)] = { i, 0, 1, 0 };
        uint8_t sub[1] = { i };
        uint8_t step[4] = { 0 };

        memcpy(msg + 8, ext_msg + 16, sizeof(ext_msg) - 16);
        memcpy(answer_file + 4, ext_msg, sizeof(ext_msg));
        memcpy(notify_file + 4, ext_msg, sizeof(ext_msg));
        memcpy(answer_frame + 12, ext_msg, sizeof(ext_msg));
        memcpy(notify_frame + 12, ext_msg, sizeof(ext_msg));

        pcc_fuzz_seed_cmd(in, OP_MESSAGE, msg, 8 + sizeof(ext_msg) - 16);
        pcc_fuzz_seed_cmd(in, OP_SPOOL_FILE, answer_file,
                          sizeof(answer_file));
        pcc_fuzz_seed_cmd(in, OP_SOCKET_FRAME, answer_frame,
                          sizeof(answer_frame));
        pcc_fuzz_seed_cmd(in, OP_ACK, sub, sizeof(sub));
        pcc_fuzz_seed_cmd(in, OP_CLOCK_STEP, step, sizeof(step));
        pcc_fuzz_seed_write(dir, "request", i, in);

        pcc_fuzz_seed_cmd(in, OP_SPOOL_FILE, notify_file,
                          sizeof(notify_file));
        pcc_fuzz_seed_cmd(in, OP_SOCKET_FRAME, notify_frame,
                          sizeof(notify_frame));
        pcc_fuzz_seed_cmd(in, OP_REG_READ, sub, sizeof(sub));
        pcc_fuzz_seed_cmd(in, OP_ACK, sub, sizeof(sub));
        pcc_fuzz_seed_write(dir, "notification", i, in);
    }
    exit(0);
}

static GString *pcc_fuzz_cmdline(FuzzTarget *t)
{
    const PccFuzzConfig *cfg = t->opaque;
    GString *cmd = g_string_new(TARGET_NAME);
    GError *err = NULL;
    unsigned i;

    if (getenv("QEMU_PCC_FUZZ_SEEDS")) {
        pcc_fuzz_write_seeds(getenv("QEMU_PCC_FUZZ_SEEDS"));
    }
    pcc_fuzz_dir = g_dir_make_tmp("qemu-pcc-fuzz-XXXXXX", &err);
    if (!pcc_fuzz_dir) {
        fprintf(stderr, "pcc fuzz: %s\n", err->message);
        exit(1);
    }
    atexit(pcc_fuzz_remove_dir);
    pcc_fuzz_seq = g_get_real_time() * 1000;

    g_string_append(cmd, " -machine virt,accel=qtest -cpu cortex-a57"
                    " -smp 2 -m 512M -nodefaults -display none");
    if (!cfg->platform_interrupt) {
        g_string_append(cmd, " -global pcc-host.platform-interrupt=off");
    }
    for (i = 0; cfg->devices[i]; i++) {
        PccFuzzDevice *d = &pcc_fuzz_devs[i];
        bool socket = cfg->transport == PCC_FUZZ_SOCKET ||
                      (cfg->transport == PCC_FUZZ_MIXED && i % 2);

        g_assert(i < PCC_FUZZ_MAX_DEVICES);
        d->fd = -1;
        d->rx = g_byte_array_new();
        if (socket) {
            d->socket_path = g_strdup_printf("%s/s%u.sock", pcc_fuzz_dir, i);
            g_string_append_printf(cmd, " -chardev socket,id=fuzzchr%u,"
                                   "path=%s,server=on,wait=off"
                                   " -device %s,id=fuzz%u,chardev=fuzzchr%u",
                                   i, d->socket_path, cfg->devices[i], i, i);
        } else {
            d->spool = g_strdup_printf("%s/spool%u", pcc_fuzz_dir, i);
            d->inbox = g_build_filename(d->spool, "inbox", NULL);
            d->inbox_tmp = g_build_filename(d->inbox, "tmp", NULL);
            d->outbox = g_build_filename(d->spool, "outbox", NULL);
            /* the first clean-up looks at everything */
            d->inbox_dirty = true;
            d->send_calls = UINT64_MAX;
            g_assert(mkdir(d->spool, 0700) == 0);
            g_string_append_printf(cmd, " -device %s,id=fuzz%u,spool=%s",
                                   cfg->devices[i], i, d->spool);
        }
    }
    pcc_fuzz_num_devs = i;
    return cmd;
}

static void register_pcc_fuzz_targets(void)
{
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(pcc_fuzz_configs); i++) {
        fuzz_add_target(&(FuzzTarget){
            .name = pcc_fuzz_configs[i].name,
            .description = pcc_fuzz_configs[i].description,
            .get_init_cmdline = pcc_fuzz_cmdline,
            .pre_fuzz = pcc_fuzz_pre_fuzz,
            .fuzz = pcc_fuzz,
            .opaque = (void *)&pcc_fuzz_configs[i],
        });
    }
}

fuzz_target_init(register_pcc_fuzz_targets);
