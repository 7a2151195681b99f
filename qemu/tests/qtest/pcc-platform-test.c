/*
 * QTest testcase for the PCC platform connections: pcc-platform-spool
 * and pcc-platform-chardev, the device description each gives the
 * platform, and the socket framing (version 3: hello with the session,
 * request ids, exactly-once delivery across reconnections).
 *
 * The test plays the platform; the expected bytes are written out from
 * docs/system/devices/pcc.rst, independently of QEMU's code.
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

/* "session " and 16 hex digits and a newline, after the description */
#define HELLO_SESSION_LEN   25

/* The description of a pcc-mctp at channel 2 with 4 KiB subspaces */
static const char mctp_description[] =
    "pcc-device 1\n"
    "class pcc-mctp\n"
    "channel 2\n"
    "subspace 2 type 3 role initiator shmem 4096\n"
    "subspace 3 type 4 role responder shmem 4096\n";

static const char xgene_description[] =
    "pcc-device 1\n"
    "class pcc-xgene-hwmon\n"
    "channel 5\n"
    "subspace 5 type 2 role mailbox shmem 8192\n";

/*
 * The hello, first on every connection: the device description, then
 * "session S" with 16 hex digits. Returns S.
 */
static char *expect_hello(int fd, unsigned channel, const char *desc)
{
    size_t n = strlen(desc);
    char *session;
    PccFrame f;

    g_assert_true(pcc_frame_read(fd, &f));
    g_assert_cmpuint(f.kind, ==, PCC_FRAME_KIND_HELLO);
    g_assert_cmpuint(f.channel, ==, channel);
    g_assert_cmpuint(f.layout, ==, 0);
    g_assert_cmpuint(f.id, ==, 0);
    g_assert_cmpuint(f.ref, ==, 0);
    g_assert_cmpuint(f.payload->len, ==, n + HELLO_SESSION_LEN);
    g_assert_cmpmem(f.payload->data, n, desc, n);
    session = g_strndup((const char *)f.payload->data + n,
                        HELLO_SESSION_LEN);
    g_assert_true(g_regex_match_simple("^session [0-9a-f]{16}\n$", session,
                                       0, 0));
    g_byte_array_unref(f.payload);
    return session;
}

/* An MCTP-over-PCC message of @len payload bytes for subspace @idx */
static GByteArray *mctp_msg(unsigned idx, uint32_t len, uint8_t seed)
{
    GByteArray *msg = g_byte_array_new();
    uint8_t b[EXT_PAYLOAD];
    uint32_t i;

    stl_le_p(b + EXT_SIGNATURE, PCC_SIGNATURE | idx);
    stl_le_p(b + EXT_FLAGS, EXT_FLAG_NOTIFY);
    stl_le_p(b + EXT_LENGTH, 4 + len);
    stl_le_p(b + EXT_COMMAND, MCTP_COMMAND);
    g_byte_array_append(msg, b, sizeof(b));
    for (i = 0; i < len; i++) {
        uint8_t v = seed + i;

        g_byte_array_append(msg, &v, 1);
    }
    return msg;
}

/* The guest sends @msg on extended initiator @idx, as pcc.c does */
static void ring_initiator(QTestState *qts, unsigned idx,
                           const GByteArray *msg)
{
    qtest_memwrite(qts, pcc_shmem_addr(idx), msg->data, msg->len);
    qtest_writel(qts, pcc_reg_addr(idx, REG_CMD_COMPLETE), 0);
    qtest_writel(qts, pcc_reg_addr(idx, REG_DOORBELL), 1);
}

static void assert_description(const char *spool, const char *want)
{
    g_autoptr(GByteArray) desc = pcc_read_file(spool, "device");
    g_autofree char *path = g_build_filename(spool, "device", NULL);
    GStatBuf st;

    g_assert_cmpmem(desc->data, desc->len, want, strlen(want));
    g_assert_cmpint(g_lstat(path, &st), ==, 0);
    g_assert_true(S_ISREG(st.st_mode));
    g_assert_cmphex(st.st_mode & 0777, ==, 0600);
    /* written through a temporary file that is gone */
    g_assert_false(pcc_path_exists(spool, ".device.tmp"));
}

static void test_spool_object(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *spool = g_build_filename(dir, "spool", NULL);
    g_autofree char *outbox = g_build_filename(spool, "outbox", NULL);
    g_autofree char *args = g_strdup_printf(
        "-object pcc-platform-spool,id=plat0,dir=%s"
        " -device pcc-mctp,channel=2,platform=plat0", spool);
    g_autoptr(GByteArray) msg = mctp_msg(2, 32, 0x40);
    g_autoptr(GPtrArray) before = NULL;
    QTestState *qts = pcc_start_virt(args);
    g_autofree char *name = NULL;
    g_autoptr(GByteArray) sent = NULL;

    assert_description(spool, mctp_description);
    before = pcc_list_files(outbox);
    ring_initiator(qts, 2, msg);
    name = pcc_wait_new_file(outbox, before);
    g_assert_true(pcc_is_outbox_name(name, 2, "ext"));
    sent = pcc_read_file(outbox, name);
    g_assert_cmpmem(sent->data, sent->len, msg->data, msg->len);
    qtest_quit(qts);
    pcc_rm_rf(dir);
}

/* spool= makes the same object; a stale temporary file is replaced */
static void test_spool_shorthand(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *spool = g_build_filename(dir, "spool", NULL);
    g_autofree char *stale = g_build_filename(spool, ".device.tmp", NULL);
    g_autofree char *args = g_strdup_printf(
        "-device pcc-xgene-hwmon,channel=5,shmem-size=0x2000,spool=%s",
        spool);
    g_autoptr(GError) err = NULL;
    QTestState *qts;

    g_assert_cmpint(g_mkdir(spool, 0700), ==, 0);
    g_file_set_contents(stale, "left over", -1, &err);
    g_assert_no_error(err);
    qts = pcc_start_virt(args);
    assert_description(spool, xgene_description);
    qtest_quit(qts);
    pcc_rm_rf(dir);
}

typedef struct SocketPlatform {
    char *dir;
    char *path;
    int listener;
    int conn;
    QTestState *qts;
} SocketPlatform;

static void socket_platform_start(SocketPlatform *sp, const char *extra)
{
    g_autofree char *args = NULL;

    sp->dir = pcc_make_tmp_dir();
    sp->path = g_build_filename(sp->dir, "pccd.sock", NULL);
    sp->listener = pcc_unix_listen(sp->path);
    args = g_strdup_printf(
        "-chardev socket,id=pccd,path=%s,reconnect-ms=50"
        " -object pcc-platform-chardev,id=plat0,chardev=pccd"
        " -device pcc-mctp,channel=2,platform=plat0 %s", sp->path,
        extra ? extra : "");
    sp->qts = pcc_start_virt(args);
    sp->conn = pcc_unix_accept(sp->listener);
}

static void socket_platform_stop(SocketPlatform *sp)
{
    qtest_quit(sp->qts);
    close(sp->conn);
    close(sp->listener);
    pcc_rm_rf(sp->dir);
    g_free(sp->dir);
    g_free(sp->path);
}

static void test_chardev_hello_and_ids(void)
{
    SocketPlatform sp;
    g_autoptr(GByteArray) m1 = mctp_msg(2, 20, 1);
    g_autoptr(GByteArray) m2 = mctp_msg(2, 60, 2);
    g_autoptr(GByteArray) answer = mctp_msg(3, 12, 9);
    g_autofree char *session = NULL;
    PccFrame f;

    socket_platform_start(&sp, NULL);
    session = expect_hello(sp.conn, 2, mctp_description);

    ring_initiator(sp.qts, 2, m1);
    g_assert_true(pcc_frame_read(sp.conn, &f));
    g_assert_cmpuint(f.kind, ==, PCC_FRAME_KIND_REQUEST);
    g_assert_cmpuint(f.channel, ==, 2);
    g_assert_cmpuint(f.layout, ==, 0);
    g_assert_cmpuint(f.id, ==, 1);
    g_assert_cmpuint(f.ref, ==, 0);
    g_assert_cmpmem(f.payload->data, f.payload->len, m1->data, m1->len);
    g_byte_array_unref(f.payload);

    /* request ids keep increasing */
    ring_initiator(sp.qts, 2, m2);
    g_assert_true(pcc_frame_read(sp.conn, &f));
    g_assert_cmpuint(f.id, ==, 2);
    g_assert_cmpmem(f.payload->data, f.payload->len, m2->data, m2->len);
    g_byte_array_unref(f.payload);

    /* a response naming its request reaches the inbox */
    pcc_frame_write(sp.conn, PCC_FRAME_MAGIC_V3, 2, PCC_FRAME_KIND_RESPONSE, 0,
                    1, 2, answer);
    g_assert_true(pcc_wait_readl(sp.qts, pcc_reg_addr(3, REG_CMD_COMPLETE),
                                 1, 0));
    g_assert_cmphex(qtest_readl(sp.qts, pcc_shmem_addr(3) + EXT_LENGTH), ==,
                    4 + 12);
    socket_platform_stop(&sp);
}

/*
 * A platform that speaks another framing version gets a clear error:
 * QEMU names both versions, closes the connection, and the next
 * connection starts with a hello again.
 */
static void test_chardev_old_framing(void)
{
    g_autofree char *logdir = pcc_make_tmp_dir();
    g_autofree char *logfile = g_build_filename(logdir, "log", NULL);
    g_autofree char *extra = g_strdup_printf(
        "-trace pcc_chardev_protocol_error,file=%s", logfile);
    g_autoptr(GByteArray) payload = g_byte_array_new();
    g_autofree char *log = NULL;
    g_autofree char *s1 = NULL;
    g_autofree char *s2 = NULL;
    SocketPlatform sp;
    uint8_t byte;

    socket_platform_start(&sp, extra);
    s1 = expect_hello(sp.conn, 2, mctp_description);
    g_byte_array_set_size(payload, 16);
    memset(payload->data, 0, payload->len);
    pcc_frame_write(sp.conn, PCC_FRAME_MAGIC_V2, 2, PCC_FRAME_KIND_RESPONSE, 0,
                    0, 0, payload);
    /* QEMU hangs up */
    g_assert_false(pcc_read_exact(sp.conn, &byte, 1));
    close(sp.conn);
    sp.conn = pcc_unix_accept(sp.listener);
    s2 = expect_hello(sp.conn, 2, mctp_description);
    /* the session stays across connections */
    g_assert_cmpstr(s1, ==, s2);
    socket_platform_stop(&sp);

    log = pcc_read_log(logfile);
    pcc_assert_log_has(log, "the platform speaks PCC framing version 2; "
                       "QEMU speaks version 3");
    pcc_rm_rf(logdir);
}

/* The next frame must be request @id carrying @msg */
static void expect_request(int fd, uint64_t id, const GByteArray *msg)
{
    PccFrame f;

    g_assert_true(pcc_frame_read(fd, &f));
    g_assert_cmpuint(f.kind, ==, PCC_FRAME_KIND_REQUEST);
    g_assert_cmpuint(f.id, ==, id);
    g_assert_cmpmem(f.payload->data, f.payload->len, msg->data, msg->len);
    g_byte_array_unref(f.payload);
}

static void reconnect(SocketPlatform *sp)
{
    close(sp->conn);
    sp->conn = pcc_unix_accept(sp->listener);
}

static void wait_inbox_posted(QTestState *qts, const GByteArray *want)
{
    g_autofree uint8_t *got = g_malloc(want->len);

    g_assert_true(pcc_wait_readl(qts, pcc_reg_addr(3, REG_CMD_COMPLETE), 1,
                                 0));
    qtest_memread(qts, pcc_shmem_addr(3), got, want->len);
    /* the signature is the subspace's own */
    g_assert_cmpmem(got + 4, want->len - 4, want->data + 4, want->len - 4);
}

/* The guest took the inbox message (ack, command complete, doorbell) */
static void consume_inbox(QTestState *qts)
{
    qtest_writel(qts, pcc_reg_addr(3, REG_PLATFORM_ACK), 1);
    qtest_writel(qts, pcc_reg_addr(3, REG_CMD_COMPLETE), 1);
    qtest_writel(qts, pcc_reg_addr(3, REG_DOORBELL), 1);
}

/*
 * Requests that the platform had in hand when the connection went are
 * sent again, ids unchanged, after the next hello; settled ones (by a
 * response or a done) are not. Requests rung while the platform is away
 * follow them.
 */
static void test_chardev_resend_unsettled(void)
{
    g_autoptr(GByteArray) m1 = mctp_msg(2, 20, 0x10);
    g_autoptr(GByteArray) m2 = mctp_msg(2, 24, 0x20);
    g_autoptr(GByteArray) m3 = mctp_msg(2, 28, 0x30);
    g_autoptr(GByteArray) m4 = mctp_msg(2, 32, 0x40);
    g_autoptr(GByteArray) a1 = mctp_msg(3, 8, 0x11);
    g_autoptr(GByteArray) none = g_byte_array_new();
    g_autofree char *s1 = NULL;
    g_autofree char *s2 = NULL;
    g_autofree char *s3 = NULL;
    SocketPlatform sp;

    socket_platform_start(&sp, NULL);
    s1 = expect_hello(sp.conn, 2, mctp_description);
    ring_initiator(sp.qts, 2, m1);
    ring_initiator(sp.qts, 2, m2);
    expect_request(sp.conn, 1, m1);
    expect_request(sp.conn, 2, m2);
    /* request 1 is answered, then the platform dies holding request 2 */
    pcc_frame_write(sp.conn, PCC_FRAME_MAGIC_V3, 2, PCC_FRAME_KIND_RESPONSE, 0,
                    7, 1, a1);
    wait_inbox_posted(sp.qts, a1);
    consume_inbox(sp.qts);
    reconnect(&sp);
    s2 = expect_hello(sp.conn, 2, mctp_description);
    g_assert_cmpstr(s1, ==, s2);
    expect_request(sp.conn, 2, m2);

    /* settled by a done; the platform goes away again */
    pcc_frame_write(sp.conn, PCC_FRAME_MAGIC_V3, 2, PCC_FRAME_KIND_DONE, 0, 8,
                    2, none);
    close(sp.conn);
    /* rung while the platform is away: kept, sent after the next hello */
    ring_initiator(sp.qts, 2, m3);
    g_assert_cmphex(qtest_readl(sp.qts, pcc_reg_addr(2, REG_ERROR_STATUS)),
                    ==, 0);
    sp.conn = pcc_unix_accept(sp.listener);
    s3 = expect_hello(sp.conn, 2, mctp_description);
    g_assert_cmpstr(s1, ==, s3);
    expect_request(sp.conn, 3, m3);
    /* and nothing else before the next doorbell's request */
    ring_initiator(sp.qts, 2, m4);
    expect_request(sp.conn, 4, m4);
    socket_platform_stop(&sp);
}

/*
 * A second answer to a request (the platform answered, died, and
 * answered the re-sent request again) is dropped: the guest sees the
 * answer once.
 */
static void test_chardev_duplicate_answer(void)
{
    g_autofree char *logdir = pcc_make_tmp_dir();
    g_autofree char *logfile = g_build_filename(logdir, "log", NULL);
    g_autofree char *extra = g_strdup_printf(
        "-trace pcc_chardev_duplicate,file=%s", logfile);
    g_autoptr(GByteArray) m1 = mctp_msg(2, 20, 0x50);
    g_autoptr(GByteArray) a1 = mctp_msg(3, 8, 0x51);
    g_autoptr(GByteArray) other = mctp_msg(3, 8, 0x52);
    g_autoptr(GByteArray) notification = mctp_msg(3, 12, 0x53);
    g_autofree char *session = NULL;
    g_autofree char *log = NULL;
    SocketPlatform sp;

    socket_platform_start(&sp, extra);
    session = expect_hello(sp.conn, 2, mctp_description);
    ring_initiator(sp.qts, 2, m1);
    expect_request(sp.conn, 1, m1);
    pcc_frame_write(sp.conn, PCC_FRAME_MAGIC_V3, 2, PCC_FRAME_KIND_RESPONSE, 0,
                    1, 1, a1);
    wait_inbox_posted(sp.qts, a1);
    consume_inbox(sp.qts);
    /* again, then one for a request never sent, then a notification */
    pcc_frame_write(sp.conn, PCC_FRAME_MAGIC_V3, 2, PCC_FRAME_KIND_RESPONSE, 0,
                    2, 1, a1);
    pcc_frame_write(sp.conn, PCC_FRAME_MAGIC_V3, 2, PCC_FRAME_KIND_RESPONSE, 0,
                    3, 99, other);
    pcc_frame_write(sp.conn, PCC_FRAME_MAGIC_V3, 2, PCC_FRAME_KIND_NOTIFICATION,
                    0, 4, 0, notification);
    /* frames are handled in order: the notification is next in the inbox */
    wait_inbox_posted(sp.qts, notification);
    consume_inbox(sp.qts);
    socket_platform_stop(&sp);

    log = pcc_read_log(logfile);
    pcc_assert_log_has(log, "kind 2 for request 1, which is settled already");
    pcc_assert_log_has(log, "kind 2 for request 99, which is settled already");
    pcc_rm_rf(logdir);
}

/*
 * At most 64 requests stay unsettled: the next doorbell fails with the
 * error bit, and one settled request makes room again.
 */
static void test_chardev_kept_limit(void)
{
    g_autoptr(GByteArray) m = mctp_msg(2, 8, 0x60);
    g_autoptr(GByteArray) none = g_byte_array_new();
    g_autoptr(GByteArray) notification = mctp_msg(3, 4, 0x61);
    SocketPlatform sp;
    g_autofree char *session = NULL;
    unsigned i;

    socket_platform_start(&sp, NULL);
    session = expect_hello(sp.conn, 2, mctp_description);
    for (i = 1; i <= 64; i++) {
        ring_initiator(sp.qts, 2, m);
        g_assert_cmphex(qtest_readl(sp.qts,
                                    pcc_reg_addr(2, REG_ERROR_STATUS)),
                        ==, 0);
        expect_request(sp.conn, i, m);
    }
    ring_initiator(sp.qts, 2, m);
    g_assert_cmphex(qtest_readl(sp.qts, pcc_reg_addr(2, REG_ERROR_STATUS)),
                    ==, 1);
    qtest_writel(sp.qts, pcc_reg_addr(2, REG_ERROR_STATUS), 0);
    /* a done for request 5, then a notification that shows it was read */
    pcc_frame_write(sp.conn, PCC_FRAME_MAGIC_V3, 2, PCC_FRAME_KIND_DONE, 0, 1,
                    5, none);
    pcc_frame_write(sp.conn, PCC_FRAME_MAGIC_V3, 2, PCC_FRAME_KIND_NOTIFICATION,
                    0, 2, 0, notification);
    wait_inbox_posted(sp.qts, notification);
    consume_inbox(sp.qts);
    /* room for one more */
    ring_initiator(sp.qts, 2, m);
    g_assert_cmphex(qtest_readl(sp.qts, pcc_reg_addr(2, REG_ERROR_STATUS)),
                    ==, 0);
    expect_request(sp.conn, 65, m);
    ring_initiator(sp.qts, 2, m);
    g_assert_cmphex(qtest_readl(sp.qts, pcc_reg_addr(2, REG_ERROR_STATUS)),
                    ==, 1);
    socket_platform_stop(&sp);
}

static void test_error_exclusive(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -object pcc-platform-spool,id=plat0,dir=%s/a"
        " -device pcc-mctp,platform=plat0,spool=%s/b", dir, dir);

    pcc_expect_startup_failure(args, "'platform', 'spool' and 'chardev' "
                               "are exclusive: give one");
    pcc_rm_rf(dir);
}

static void test_error_shared_platform(void)
{
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *args = g_strdup_printf(
        VIRT_ARGS " -object pcc-platform-spool,id=plat0,dir=%s"
        " -device pcc-mctp,id=first,channel=0,platform=plat0"
        " -device pcc-mctp,channel=2,platform=plat0", dir);

    pcc_expect_startup_failure(args, "PCC platform 'plat0' already serves "
                               "device 'first'");
    pcc_rm_rf(dir);
}

static void test_error_unknown_platform(void)
{
    pcc_expect_startup_failure(VIRT_ARGS " -device pcc-mctp,platform=nope",
                               "'nope' not found");
}

static void test_error_spool_without_dir(void)
{
    pcc_expect_startup_failure(VIRT_ARGS " -object pcc-platform-spool,id=p",
                               "Parameter 'dir' is missing");
}

static void test_error_chardev_missing(void)
{
    pcc_expect_startup_failure(
        VIRT_ARGS " -object pcc-platform-chardev,id=p,chardev=gone"
        " -device pcc-mctp,platform=p",
        "PCC platform 'p': chardev 'gone' not found");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    if (!qtest_has_machine("virt") || !qtest_has_device("pcc-mctp")) {
        return g_test_run();
    }

    qtest_add_func("/pcc-platform/spool/object", test_spool_object);
    if (qtest_has_device("pcc-xgene-hwmon")) {
        qtest_add_func("/pcc-platform/spool/shorthand", test_spool_shorthand);
    }
    qtest_add_func("/pcc-platform/chardev/hello-and-ids",
                   test_chardev_hello_and_ids);
    qtest_add_func("/pcc-platform/chardev/old-framing",
                   test_chardev_old_framing);
    qtest_add_func("/pcc-platform/chardev/resend-unsettled",
                   test_chardev_resend_unsettled);
    qtest_add_func("/pcc-platform/chardev/duplicate-answer",
                   test_chardev_duplicate_answer);
    qtest_add_func("/pcc-platform/chardev/kept-limit",
                   test_chardev_kept_limit);
    qtest_add_func("/pcc-platform/errors/exclusive", test_error_exclusive);
    qtest_add_func("/pcc-platform/errors/shared-platform",
                   test_error_shared_platform);
    qtest_add_func("/pcc-platform/errors/unknown-platform",
                   test_error_unknown_platform);
    qtest_add_func("/pcc-platform/errors/spool-without-dir",
                   test_error_spool_without_dir);
    qtest_add_func("/pcc-platform/errors/chardev-missing",
                   test_error_chardev_missing);
    return g_test_run();
}
