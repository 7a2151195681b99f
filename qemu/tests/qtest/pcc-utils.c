/*
 * QTest helpers shared by the PCC tests
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <glib/gstdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <poll.h>
#include "libqtest.h"
#include "qemu/bswap.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "pcc-utils.h"

uint64_t pcc_reg_addr(unsigned idx, unsigned reg)
{
    return PCC_BASE + (uint64_t)idx * PCC_REG_BLOCK_SIZE + reg;
}

uint64_t pcc_shmem_addr(unsigned idx)
{
    return PCC_BASE + PCC_SHMEM_OFFSET + (uint64_t)idx * PCC_SHMEM_SLOT;
}

unsigned pcc_irq_line(unsigned idx)
{
    return idx % PCC_NUM_LINES;
}

uint32_t pcc_gsi(unsigned idx)
{
    return GIC_SPI_BASE + PCC_FIRST_SPI + pcc_irq_line(idx);
}

char *pcc_make_tmp_dir(void)
{
    g_autoptr(GError) err = NULL;
    char *dir = g_dir_make_tmp("pcc-test-XXXXXX", &err);

    g_assert_no_error(err);
    g_assert_nonnull(dir);
    return dir;
}

void pcc_rm_rf(const char *path)
{
    GStatBuf st;

    if (g_lstat(path, &st) < 0) {
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        GDir *dir;
        const char *name;

        chmod(path, 0700);
        dir = g_dir_open(path, 0, NULL);
        if (dir) {
            while ((name = g_dir_read_name(dir))) {
                g_autofree char *sub = g_build_filename(path, name, NULL);

                pcc_rm_rf(sub);
            }
            g_dir_close(dir);
        }
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

static gint cmp_str_ptr(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in @path, '.'-files and subdirectories included */
GPtrArray *pcc_list_dir(const char *path)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *name;

    g_assert_nonnull(dir);
    while ((name = g_dir_read_name(dir))) {
        g_ptr_array_add(names, g_strdup(name));
    }
    g_dir_close(dir);
    g_ptr_array_sort(names, cmp_str_ptr);
    return names;
}

/* Regular files directly in @path (no subdirectories), sorted */
GPtrArray *pcc_list_files(const char *path)
{
    GPtrArray *all = pcc_list_dir(path);
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    unsigned i;

    for (i = 0; i < all->len; i++) {
        g_autofree char *full = g_build_filename(path, all->pdata[i], NULL);

        if (!g_file_test(full, G_FILE_TEST_IS_DIR)) {
            g_ptr_array_add(files, g_strdup(all->pdata[i]));
        }
    }
    g_ptr_array_free(all, true);
    return files;
}

bool pcc_path_exists(const char *dir, const char *name)
{
    g_autofree char *full = g_build_filename(dir, name, NULL);
    GStatBuf st;

    return g_lstat(full, &st) == 0;
}

void pcc_spool_drop(const char *spool, const char *name,
                    const GByteArray *msg)
{
    g_autofree char *tmp = g_build_filename(spool, "inbox", "tmp", name,
                                            NULL);
    g_autofree char *dst = g_build_filename(spool, "inbox", name, NULL);
    g_autoptr(GError) err = NULL;

    g_file_set_contents(tmp, (const char *)msg->data, msg->len, &err);
    g_assert_no_error(err);
    g_assert_cmpint(g_rename(tmp, dst), ==, 0);
}

char *pcc_spool_inbox_name(uint64_t seq, unsigned channel,
                           const char *kind)
{
    return g_strdup_printf("%020" PRIu64 "-c%03u-%s.ext", seq, channel,
                           kind);
}

/* 20 digits, -c, 3 digits, -req.ext */
char *pcc_spool_response_name(uint64_t seq, unsigned channel, uint64_t ref,
                              const char *layout)
{
    return g_strdup_printf("%020" PRIu64 "-c%03u-rsp-r%020" PRIu64 ".%s",
                           seq, channel, ref, layout);
}

uint64_t pcc_spool_name_seq(const char *name)
{
    return g_ascii_strtoull(name, NULL, 10);
}

bool pcc_is_outbox_name(const char *name, unsigned channel,
                        const char *layout)
{
    g_autofree char *suffix = g_strdup_printf("-c%03u-req.%s", channel,
                                              layout);
    unsigned i;

    if (strlen(name) != 20 + strlen(suffix)) {
        return false;
    }
    for (i = 0; i < 20; i++) {
        if (!g_ascii_isdigit(name[i])) {
            return false;
        }
    }
    return strcmp(name + 20, suffix) == 0;
}

void pcc_assert_file_equals(const char *dir, const char *name,
                            const GByteArray *want)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *data = NULL;
    g_autoptr(GError) err = NULL;
    gsize len;

    g_file_get_contents(path, &data, &len, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(len, ==, want->len);
    g_assert_true(memcmp(data, want->data, len) == 0);
}

QTestState *pcc_start_virt(const char *extra)
{
    return qtest_initf(VIRT_ARGS " %s", extra);
}

static char *qemu_binary(void)
{
    const char *bin = g_getenv("QTEST_QEMU_BINARY");

    g_assert_nonnull(bin);
    return g_strdup(bin);
}

/*
 * Run QEMU with @args, which must make it refuse to start: it has to exit
 * with a non-zero status and say @expected on stderr.
 */
void pcc_expect_startup_failure(const char *args, const char *expected)
{
    g_autofree char *bin = qemu_binary();
    g_autofree char *cmd = g_strdup_printf("%s -display none -accel qtest %s",
                                           bin, args);
    g_autofree char *dir = pcc_make_tmp_dir();
    g_autofree char *log = g_build_filename(dir, "stderr", NULL);
    g_autofree char *out = NULL;
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) err = NULL;
    gint64 deadline;
    GPid pid;
    int fd, status = 0;
    pid_t ret;

    g_shell_parse_argv(cmd, NULL, &argv, &err);
    g_assert_no_error(err);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_spawn_async_with_fds(NULL, argv, NULL,
                           G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH |
                           G_SPAWN_STDIN_FROM_DEV_NULL,
                           NULL, NULL, &pid, -1, fd, fd, &err);
    close(fd);
    g_assert_no_error(err);

    /* QEMU must give up on its own; it would otherwise run forever */
    deadline = g_get_monotonic_time() + WAIT_TIMEOUT_S * G_TIME_SPAN_SECOND;
    while ((ret = waitpid(pid, &status, WNOHANG)) == 0 &&
           g_get_monotonic_time() < deadline) {
        g_usleep(10 * 1000);
    }
    if (ret == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        g_spawn_close_pid(pid);
        pcc_rm_rf(dir);
        g_test_message("QEMU accepted: %s", args);
        g_assert_not_reached();
    }
    g_spawn_close_pid(pid);

    g_file_get_contents(log, &out, NULL, &err);
    g_assert_no_error(err);
    pcc_rm_rf(dir);
    g_test_message("QEMU said: %s", out);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), !=, 0);
    if (!strstr(out, expected)) {
        g_test_message("expected \"%s\" in QEMU's error output", expected);
    }
    g_assert_nonnull(strstr(out, expected));
}

static void fw_cfg_select(QTestState *qts, uint16_t key)
{
    qtest_writew(qts, FW_CFG_SELECTOR, bswap16(key));
}

static void fw_cfg_read(QTestState *qts, void *buf, size_t len)
{
    uint8_t *p = buf;
    uint8_t chunk[8];

    while (len) {
        size_t n = MIN(len, sizeof(chunk));

        qtest_memread(qts, FW_CFG_DATA, chunk, sizeof(chunk));
        memcpy(p, chunk, n);
        p += n;
        len -= n;
    }
}

static uint8_t *fw_cfg_get_file(QTestState *qts, const char *name,
                                size_t *size)
{
    uint8_t count_buf[4];
    g_autofree uint8_t *dir = NULL;
    uint32_t count, i;

    fw_cfg_select(qts, FW_CFG_KEY_FILE_DIR);
    fw_cfg_read(qts, count_buf, sizeof(count_buf));
    count = ldl_be_p(count_buf);
    g_assert_cmpuint(count, >, 0);
    g_assert_cmpuint(count, <, 4096);
    dir = g_malloc(4 + count * FW_CFG_FILE_ENTRY_SIZE);
    fw_cfg_select(qts, FW_CFG_KEY_FILE_DIR);
    fw_cfg_read(qts, dir, 4 + count * FW_CFG_FILE_ENTRY_SIZE);
    for (i = 0; i < count; i++) {
        const uint8_t *e = dir + 4 + i * FW_CFG_FILE_ENTRY_SIZE;

        if (!strncmp((const char *)e + FW_CFG_FILE_NAME_OFFSET, name, 56)) {
            uint8_t *data;

            *size = ldl_be_p(e);
            data = g_malloc(*size);
            fw_cfg_select(qts, lduw_be_p(e + 4));
            fw_cfg_read(qts, data, *size);
            return data;
        }
    }
    return NULL;
}

void pcc_acpi_tables_load(QTestState *qts, PccAcpiTables *t)
{
    t->blob = fw_cfg_get_file(qts, "etc/acpi/tables", &t->size);
    g_assert_nonnull(t->blob);
}

void pcc_acpi_tables_free(PccAcpiTables *t)
{
    g_free(t->blob);
    t->blob = NULL;
}

/*
 * The @nth (from 0) table with signature @sig (and OEM table ID
 * @oem_table_id, if not NULL), or NULL. Tables follow each other in the
 * blob; the header's length leads to the next one.
 */
uint8_t *pcc_acpi_find_table(PccAcpiTables *t, const char *sig,
                             const char *oem_table_id, unsigned nth)
{
    size_t off = 0;

    while (off + ACPI_HDR_SIZE <= t->size) {
        uint8_t *tbl = t->blob + off;
        uint32_t len = ldl_le_p(tbl + ACPI_HDR_LENGTH);

        if (len < ACPI_HDR_SIZE || off + len > t->size) {
            break;
        }
        if (!memcmp(tbl + ACPI_HDR_SIGNATURE, sig, 4) &&
            (!oem_table_id ||
             !memcmp(tbl + ACPI_HDR_OEM_TABLE_ID, oem_table_id, 8))) {
            if (nth-- == 0) {
                return tbl;
            }
        }
        off += len;
    }
    return NULL;
}

/* The firmware fills the checksum in (linker/loader); do it ourselves */
static void acpi_fix_checksum(uint8_t *tbl)
{
    uint32_t len = ldl_le_p(tbl + ACPI_HDR_LENGTH);
    uint8_t sum = 0;
    uint32_t i;

    tbl[ACPI_HDR_CHECKSUM] = 0;
    for (i = 0; i < len; i++) {
        sum += tbl[i];
    }
    tbl[ACPI_HDR_CHECKSUM] = -sum;
}

void pcc_check_gas(const uint8_t *gas, uint64_t addr)
{
    g_assert_cmpuint(gas[GAS_SPACE_ID], ==, GAS_SPACE_SYSTEM_MEMORY);
    g_assert_cmpuint(gas[GAS_BIT_WIDTH], ==, 32);
    g_assert_cmpuint(gas[GAS_BIT_OFFSET], ==, 0);
    g_assert_cmpuint(gas[GAS_ACCESS_SIZE], ==, GAS_ACCESS_DWORD);
    g_assert_cmphex(ldq_le_p(gas + GAS_ADDRESS), ==, addr);
}

bool pcc_all_zero(const uint8_t *p, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

const char *pcc_iasl(void)
{
    const char *iasl = g_getenv("PCC_IASL");

    return iasl && *iasl ? iasl : "iasl";
}

void pcc_run_iasl(const char *dir, const char *file, char **dsl)
{
    g_autofree char *dat = g_strdup_printf("%s.dat", file);
    g_autofree char *dslname = g_strdup_printf("%s.dsl", file);
    g_autofree char *dslpath = g_build_filename(dir, dslname, NULL);
    g_autofree char *out = NULL;
    g_autofree char *errout = NULL;
    g_autoptr(GError) err = NULL;
    const char *argv[] = { pcc_iasl(), "-d", dat, NULL };
    g_autoptr(GRegex) pcc_marker = g_regex_new(
        "/\\*\\*\\*\\* Invalid Resource Type: 0xA \\*\\*\\*\\*/", 0, 0,
        NULL);
    g_autofree char *strict = NULL;
    int status;

    g_spawn_sync(dir, (char **)argv, NULL,
                 G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                 NULL, NULL, &out, &errout, &status, &err);
    g_assert_no_error(err);
    g_test_message("iasl -d %s: %s%s", dat, out, errout);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_null(strstr(out, "Error"));
    g_assert_null(strstr(errout, "Error"));
    g_assert_null(strstr(out, "Warning"));
    g_assert_null(strstr(errout, "Warning"));
    g_file_get_contents(dslpath, dsl, NULL, &err);
    g_assert_no_error(err);

    /*
     * iasl flags what it cannot make sense of with '****'. The one thing
     * it may not know is the PCC resource type 0x0A in a DWord address
     * space descriptor: ACPICA decodes it only since 2024 (DWordPcc).
     */
    strict = g_regex_replace_literal(pcc_marker, *dsl, -1, 0, "", 0, &err);
    g_assert_no_error(err);
    if (strstr(strict, "****") || strstr(strict, "Invalid") ||
        strstr(strict, "Unknown") || strstr(strict, "Incorrect checksum")) {
        g_test_message("%s", *dsl);
    }
    g_assert_null(strstr(strict, "****"));
    g_assert_null(strstr(strict, "Invalid"));
    g_assert_null(strstr(strict, "Unknown"));
    g_assert_null(strstr(strict, "Incorrect checksum"));
}

void pcc_write_table(const char *dir, const char *name, uint8_t *tbl)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autoptr(GError) err = NULL;

    acpi_fix_checksum(tbl);
    g_file_set_contents(path, (const char *)tbl,
                        ldl_le_p(tbl + ACPI_HDR_LENGTH), &err);
    g_assert_no_error(err);
}

int64_t pcc_parse_aml_int(const char *s)
{
    if (!strcmp(s, "Zero")) {
        return 0;
    }
    if (!strcmp(s, "One")) {
        return 1;
    }
    return g_ascii_strtoll(s, NULL, 0);
}

char *pcc_read_log(const char *path)
{
    char *log = NULL;
    g_autoptr(GError) err = NULL;

    g_file_get_contents(path, &log, NULL, &err);
    g_assert_no_error(err);
    return log;
}

void pcc_assert_log_has(const char *log, const char *what)
{
    if (!strstr(log, what)) {
        g_test_message("expected \"%s\" in the log: %s", what, log);
    }
    g_assert_nonnull(strstr(log, what));
}

GByteArray *pcc_read_file(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autoptr(GError) err = NULL;
    char *data = NULL;
    gsize len;

    g_file_get_contents(path, &data, &len, &err);
    g_assert_no_error(err);
    return g_byte_array_new_take((guint8 *)data, len);
}

static bool pcc_name_in(GPtrArray *names, const char *name)
{
    unsigned i;

    for (i = 0; names && i < names->len; i++) {
        if (!strcmp(names->pdata[i], name)) {
            return true;
        }
    }
    return false;
}

char *pcc_wait_new_file(const char *dir, GPtrArray *before)
{
    gint64 deadline = g_get_monotonic_time() +
                      WAIT_TIMEOUT_S * G_TIME_SPAN_SECOND;

    /* a file appearing has no event a test can wait on: poll */
    for (;;) {
        g_autoptr(GPtrArray) now = pcc_list_files(dir);
        unsigned i;

        for (i = 0; i < now->len; i++) {
            if (!pcc_name_in(before, now->pdata[i])) {
                return g_strdup(now->pdata[i]);
            }
        }
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(1000);
    }
}

int pcc_unix_listen(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(fd, 4), ==, 0);
    return fd;
}

static void pcc_wait_readable(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    int ret;

    do {
        ret = poll(&pfd, 1, WAIT_TIMEOUT_S * 1000);
    } while (ret < 0 && errno == EINTR);
    g_assert_cmpint(ret, ==, 1);
}

int pcc_unix_accept(int listener)
{
    int fd;

    pcc_wait_readable(listener);
    fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    return fd;
}

bool pcc_read_exact(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n;

        pcc_wait_readable(fd);
        n = read(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= n;
    }
    return true;
}

void pcc_write_all(int fd, const void *buf, size_t len)
{
    g_assert_cmpint(qemu_write_full(fd, buf, len), ==, len);
}

bool pcc_frame_read(int fd, PccFrame *f)
{
    uint8_t h[PCC_FRAME_HDR_SIZE];

    if (!pcc_read_exact(fd, h, sizeof(h))) {
        return false;
    }
    f->magic = ldl_le_p(h);
    f->len = ldl_le_p(h + 4);
    f->channel = lduw_le_p(h + 8);
    f->kind = h[10];
    f->layout = h[11];
    f->id = ldq_le_p(h + 12);
    f->ref = ldq_le_p(h + 20);
    g_assert_cmphex(f->magic, ==, PCC_FRAME_MAGIC_V3);
    g_assert_cmpuint(f->len, <=, 0x10000);
    f->payload = g_byte_array_sized_new(f->len);
    g_byte_array_set_size(f->payload, f->len);
    return pcc_read_exact(fd, f->payload->data, f->len);
}

void pcc_frame_write(int fd, uint32_t magic, uint16_t channel, uint8_t kind,
                     uint8_t layout, uint64_t id, uint64_t ref,
                     const GByteArray *payload)
{
    g_autofree uint8_t *f = g_malloc(PCC_FRAME_HDR_SIZE + payload->len);

    stl_le_p(f, magic);
    stl_le_p(f + 4, payload->len);
    stw_le_p(f + 8, channel);
    f[10] = kind;
    f[11] = layout;
    stq_le_p(f + 12, id);
    stq_le_p(f + 20, ref);
    if (payload->len) {
        memcpy(f + PCC_FRAME_HDR_SIZE, payload->data, payload->len);
    }
    pcc_write_all(fd, f, PCC_FRAME_HDR_SIZE + payload->len);
}

bool pcc_wait_readl(QTestState *qts, uint64_t addr, uint32_t mask,
                    uint32_t want)
{
    gint64 deadline = g_get_monotonic_time() +
                      WAIT_TIMEOUT_S * G_TIME_SPAN_SECOND;

    while (g_get_monotonic_time() < deadline) {
        if ((qtest_readl(qts, addr) & mask) == want) {
            return true;
        }
        g_usleep(1000);
    }
    return false;
}

uint8_t *pcc_iasl_compile(const char *dir, const char *name, const char *asl,
                          size_t *len)
{
    g_autofree char *src = g_strdup_printf("%s.asl", name);
    g_autofree char *srcpath = g_build_filename(dir, src, NULL);
    g_autofree char *aml = g_strdup_printf("%s.aml", name);
    g_autofree char *out = NULL;
    g_autofree char *errout = NULL;
    g_autoptr(GError) err = NULL;
    const char *argv[] = { pcc_iasl(), "-p", name, src, NULL };
    gchar *data = NULL;
    gsize size;
    int status;

    g_file_set_contents(srcpath, asl, -1, &err);
    g_assert_no_error(err);
    g_spawn_sync(dir, (char **)argv, NULL,
                 G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                 NULL, NULL, &out, &errout, &status, &err);
    g_assert_no_error(err);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_test_message("iasl %s: %s%s", src, out, errout);
        g_test_message("%s", asl);
    }
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_free(srcpath);
    srcpath = g_build_filename(dir, aml, NULL);
    g_file_get_contents(srcpath, &data, &size, &err);
    g_assert_no_error(err);
    *len = size;
    return (uint8_t *)data;
}

static char *pcc_hex(const uint8_t *p, size_t len)
{
    GString *s = g_string_new(NULL);
    size_t i;

    for (i = 0; i < len; i++) {
        g_string_append_printf(s, "%02x", p[i]);
    }
    return g_string_free(s, false);
}

/* The length of the AML package (PkgLength) at @p, and its own size */
static uint32_t pcc_aml_pkg_length(const uint8_t *p, unsigned *size)
{
    unsigned extra = p[0] >> 6, i;
    uint32_t len = extra ? p[0] & 0x0f : p[0] & 0x3f;

    for (i = 0; i < extra; i++) {
        len |= (uint32_t)p[1 + i] << (4 + 8 * i);
    }
    *size = 1 + extra;
    return len;
}

void pcc_assert_aml_body_equal(const char *dir, const uint8_t *table,
                               const char *asl)
{
    size_t ref_len;
    g_autofree uint8_t *ref = pcc_iasl_compile(dir, "reference", asl,
                                               &ref_len);
    const uint8_t *body = ref + ACPI_HDR_SIZE;
    size_t body_len = ref_len - ACPI_HDR_SIZE;

    /*
     * iasl wraps the External declarations the reference needs for names
     * of the DSDT in "If (Zero) { External (...) }": not part of the AML
     * that is compared.
     */
    while (body_len > 3 && body[0] == 0xa0) {
        unsigned size;
        uint32_t pkg = pcc_aml_pkg_length(body + 1, &size);

        if (body[1 + size] != 0x00 || body[2 + size] != 0x15 ||
            1 + pkg > body_len) {
            break;
        }
        body += 1 + pkg;
        body_len -= 1 + pkg;
    }
    if (ldl_le_p(table + ACPI_HDR_LENGTH) - ACPI_HDR_SIZE != body_len ||
        memcmp(table + ACPI_HDR_SIZE, body, body_len)) {
        g_autofree char *got = pcc_hex(table + ACPI_HDR_SIZE,
                                       ldl_le_p(table + ACPI_HDR_LENGTH) -
                                       ACPI_HDR_SIZE);
        g_autofree char *want = pcc_hex(body, body_len);

        g_test_message("QEMU's AML: %s", got);
        g_test_message("reference:  %s", want);
    }
    g_assert_cmpuint(ldl_le_p(table + ACPI_HDR_LENGTH) - ACPI_HDR_SIZE, ==,
                     body_len);
    if (memcmp(table + ACPI_HDR_SIZE, body, body_len)) {
        size_t i;

        for (i = 0; i < body_len; i++) {
            if (table[ACPI_HDR_SIZE + i] != body[i]) {
                g_test_message("AML differs from the reference at body "
                               "offset %zu: 0x%02x, want 0x%02x", i,
                               table[ACPI_HDR_SIZE + i], body[i]);
                break;
            }
        }
    }
    g_assert_cmpmem(table + ACPI_HDR_SIZE, body_len, body, body_len);
}

void pcc_reg_rmw(QTestState *qts, const PccReg *r)
{
    uint32_t val = qtest_readl(qts, r->addr);

    qtest_writel(qts, r->addr, (val & r->preserve) | r->set);
}

static void pcc_read_reg(const uint8_t *p, PccReg *r)
{
    r->addr = ldq_le_p(p + GAS_ADDRESS);
    r->preserve = ldq_le_p(p + GAS_SIZE);
    r->set = ldq_le_p(p + GAS_SIZE + 8);
}

/* Subspace @index of the PCCT, as pcc.c parses it */
static void pcc_mailbox_parse_pcct(PccMailbox *m, const uint8_t *pcct)
{
    const uint8_t *s = pcct + PCCT_SUBSPACES;
    unsigned i;

    for (i = 0; i < m->index; i++) {
        g_assert_cmpuint(s[1], >, 0);
        s += s[1];
    }
    m->type = s[0];
    if (m->type == TYPE_GENERIC || m->type == TYPE_HW_REDUCED) {
        /* type 1 has the platform interrupt where type 0 is reserved */
        g_assert_cmpuint(s[T0_LENGTH], ==, T0_LEN);
        m->line = m->type == TYPE_HW_REDUCED ?
                  ldl_le_p(s + T2_PLATFORM_IRQ) - GIC_SPI_BASE -
                  PCC_FIRST_SPI : 0;
        m->shmem = ldq_le_p(s + T0_BASE);
        m->shmem_size = ldq_le_p(s + T0_SIZE);
        m->latency = ldl_le_p(s + T0_LATENCY);
        pcc_read_reg(s + T0_DOORBELL, &m->doorbell);
        return;
    }
    if (m->type == TYPE_HW_REDUCED_TYPE2) {
        g_assert_cmpuint(s[T2_LENGTH], ==, T2_LEN);
        m->line = ldl_le_p(s + T2_PLATFORM_IRQ) - GIC_SPI_BASE -
                  PCC_FIRST_SPI;
        m->shmem = ldq_le_p(s + T2_BASE);
        m->shmem_size = ldq_le_p(s + T2_SIZE);
        m->latency = ldl_le_p(s + T2_LATENCY);
        pcc_read_reg(s + T2_DOORBELL, &m->doorbell);
        pcc_read_reg(s + T2_ACK, &m->ack);
        return;
    }
    g_assert_cmpuint(m->type, ==, TYPE_EXT_INITIATOR);
    g_assert_cmpuint(s[TX_LENGTH], ==, TX_LEN);
    m->line = ldl_le_p(s + TX_PLATFORM_IRQ) - GIC_SPI_BASE - PCC_FIRST_SPI;
    m->shmem = ldq_le_p(s + TX_BASE);
    m->shmem_size = ldl_le_p(s + TX_SIZE);
    m->latency = ldl_le_p(s + TX_LATENCY);
    pcc_read_reg(s + TX_DOORBELL, &m->doorbell);
    pcc_read_reg(s + TX_ACK, &m->ack);
    pcc_read_reg(s + TX_CMD_UPDATE, &m->cmd_update);
    m->cmd_check = ldq_le_p(s + TX_CMD_CHECK + GAS_ADDRESS);
    m->error_reg = ldq_le_p(s + TX_ERROR + GAS_ADDRESS);
}

static char *pcc_mailbox_args(PccMailbox *m, const char *args_fmt)
{
    g_auto(GStrv) parts = g_strsplit(args_fmt, "%s", -1);

    return g_strjoinv(m->spool, parts);
}

void pcc_mailbox_restart(PccMailbox *m, const char *args_fmt,
                         const char *incoming)
{
    g_autofree char *devices = pcc_mailbox_args(m, args_fmt);
    g_autofree char *args = g_strdup_printf("%s%s", devices,
                                            incoming ? " -incoming defer" :
                                            "");
    PccAcpiTables t;
    uint8_t *pcct;

    m->qts = pcc_start_virt(args);
    qtest_irq_intercept_out_named(m->qts, "/machine/pcc-host", "sysbus-irq");
    if (incoming) {
        pcc_migrate_incoming(m->qts, incoming, true);
    }
    pcc_acpi_tables_load(m->qts, &t);
    pcct = pcc_acpi_find_table(&t, "PCCT", NULL, 0);
    g_assert_nonnull(pcct);
    pcc_mailbox_parse_pcct(m, pcct);
    pcc_acpi_tables_free(&t);
}

PccMailbox *pcc_mailbox_start(const char *args_fmt, unsigned index,
                              const char *incoming)
{
    PccMailbox *m = g_new0(PccMailbox, 1);

    m->index = index;
    m->dir = pcc_make_tmp_dir();
    m->spool = g_build_filename(m->dir, "spool", NULL);
    m->outbox = g_build_filename(m->spool, "outbox", NULL);
    m->inbox = g_build_filename(m->spool, "inbox", NULL);
    pcc_mailbox_restart(m, args_fmt, incoming);
    return m;
}

void pcc_mailbox_quit(PccMailbox *m)
{
    if (m->qts) {
        qtest_quit(m->qts);
        m->qts = NULL;
    }
}

void pcc_mailbox_stop(PccMailbox *m)
{
    pcc_mailbox_quit(m);
    pcc_rm_rf(m->dir);
    g_free(m->dir);
    g_free(m->spool);
    g_free(m->outbox);
    g_free(m->inbox);
    g_free(m);
}

static const char *pcc_mailbox_layout(PccMailbox *m)
{
    return m->type == TYPE_EXT_INITIATOR ? "ext" : "gen";
}

uint64_t pcc_mailbox_ring(PccMailbox *m, const void *msg, size_t len,
                          GByteArray **sent)
{
    g_autoptr(GPtrArray) before = pcc_list_files(m->outbox);
    g_autofree char *name = NULL;

    qtest_memwrite(m->qts, m->shmem, msg, len);
    if (m->type == TYPE_EXT_INITIATOR) {
        pcc_reg_rmw(m->qts, &m->cmd_update);
    }
    pcc_reg_rmw(m->qts, &m->doorbell);
    name = pcc_wait_new_file(m->outbox, before);
    g_assert_true(pcc_is_outbox_name(name, m->index,
                                     pcc_mailbox_layout(m)));
    if (sent) {
        *sent = pcc_read_file(m->outbox, name);
    }
    return pcc_spool_name_seq(name);
}

char *pcc_mailbox_answer(PccMailbox *m, uint64_t seq, uint64_t ref,
                         const void *msg, size_t len)
{
    g_autoptr(GByteArray) bytes = g_byte_array_new();
    char *name = ref ? pcc_spool_response_name(seq, m->index, ref,
                                               pcc_mailbox_layout(m)) :
                 g_strdup_printf("%020" PRIu64 "-c%03u-rsp.%s", seq,
                                 m->index, pcc_mailbox_layout(m));

    g_byte_array_append(bytes, msg, len);
    pcc_spool_drop(m->spool, name, bytes);
    return name;
}

bool pcc_mailbox_complete(PccMailbox *m)
{
    if (m->type == TYPE_EXT_INITIATOR) {
        return qtest_readl(m->qts, m->cmd_check) & 1;
    }
    return qtest_readw(m->qts, m->shmem + GEN_STATUS) &
           GEN_STATUS_CMD_COMPLETE;
}

bool pcc_mailbox_wait_complete(PccMailbox *m)
{
    if (m->type == TYPE_EXT_INITIATOR) {
        return pcc_wait_readl(m->qts, m->cmd_check, 1, 1);
    }
    return pcc_wait_readl(m->qts, m->shmem + GEN_COMMAND,
                          GEN_STATUS_CMD_COMPLETE << 16,
                          GEN_STATUS_CMD_COMPLETE << 16);
}

bool pcc_mailbox_irq(PccMailbox *m)
{
    return qtest_get_irq(m->qts, m->line);
}

void pcc_mailbox_ack(PccMailbox *m)
{
    if (m->ack.addr) {
        pcc_reg_rmw(m->qts, &m->ack);
    }
}

void pcc_mailbox_expect_dropped(PccMailbox *m, const char *name)
{
    gint64 deadline = g_get_monotonic_time() +
                      WAIT_TIMEOUT_S * G_TIME_SPAN_SECOND;

    while (pcc_path_exists(m->inbox, name)) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(1000);
    }
    g_assert_false(pcc_path_exists(m->inbox, "rejected"));
    g_assert_false(pcc_mailbox_complete(m));
    g_assert_false(pcc_mailbox_irq(m));
}

void pcc_mailbox_expect_rejected(PccMailbox *m, const char *name)
{
    g_autofree char *rejected = g_build_filename(m->inbox, "rejected", NULL);
    gint64 deadline = g_get_monotonic_time() +
                      WAIT_TIMEOUT_S * G_TIME_SPAN_SECOND;

    while (!pcc_path_exists(rejected, name)) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(1000);
    }
    g_assert_false(pcc_path_exists(m->inbox, name));
    g_assert_false(pcc_mailbox_complete(m));
}

void pcc_migrate(QTestState *qts, const char *uri)
{
    gint64 deadline = g_get_monotonic_time() +
                      WAIT_TIMEOUT_S * G_TIME_SPAN_SECOND;
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'migrate', 'arguments': "
                           "{ 'uri': %s } }", uri);

    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    for (;;) {
        QDict *ret;
        const char *status;
        bool done;

        rsp = qtest_qmp(qts, "{ 'execute': 'query-migrate' }");
        ret = qdict_get_qdict(rsp, "return");
        status = qdict_get_try_str(ret, "status");
        done = status && !strcmp(status, "completed");
        g_assert_true(!status || strcmp(status, "failed"));
        qobject_unref(rsp);
        if (done) {
            return;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(10 * 1000);
    }
}

/* query-migrate's status, or NULL before any migration (caller frees) */
static char *pcc_migration_status(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-migrate' }");
    QDict *ret = qdict_get_qdict(rsp, "return");
    char *status = g_strdup(qdict_get_try_str(ret, "status"));

    qobject_unref(rsp);
    return status;
}

bool pcc_vm_running(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-status' }");
    bool running = qdict_get_bool(qdict_get_qdict(rsp, "return"),
                                  "running");

    qobject_unref(rsp);
    return running;
}

void pcc_vm_stop(QTestState *qts)
{
    qtest_qmp_assert_success(qts, "{ 'execute': 'stop' }");
    g_assert_false(pcc_vm_running(qts));
}

void pcc_vm_cont(QTestState *qts)
{
    qtest_qmp_assert_success(qts, "{ 'execute': 'cont' }");
    g_assert_true(pcc_vm_running(qts));
}

void pcc_migrate_incoming(QTestState *qts, const char *uri, bool cont)
{
    gint64 deadline = g_get_monotonic_time() +
                      WAIT_TIMEOUT_S * G_TIME_SPAN_SECOND;

    qtest_qmp_assert_success(qts, "{ 'execute': 'migrate-incoming', "
                             "'arguments': { 'uri': %s } }", uri);
    for (;;) {
        g_autofree char *status = pcc_migration_status(qts);

        g_assert_true(!status || strcmp(status, "failed"));
        if (status && !strcmp(status, "completed")) {
            break;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(10 * 1000);
    }
    if (cont && !pcc_vm_running(qts)) {
        pcc_vm_cont(qts);
    }
}

/* Run block job @id to its end; it must conclude without an error */
static void pcc_wait_job(QTestState *qts, const char *id)
{
    gint64 deadline = g_get_monotonic_time() +
                      WAIT_TIMEOUT_S * G_TIME_SPAN_SECOND;

    for (;;) {
        QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-jobs' }");
        QList *jobs = qdict_get_qlist(rsp, "return");
        const QListEntry *e;
        bool concluded = false;

        QLIST_FOREACH_ENTRY(jobs, e) {
            QDict *job = qobject_to(QDict, qlist_entry_obj(e));

            if (!strcmp(qdict_get_str(job, "id"), id) &&
                !strcmp(qdict_get_str(job, "status"), "concluded")) {
                g_assert_false(qdict_haskey(job, "error"));
                concluded = true;
            }
        }
        qobject_unref(rsp);
        if (concluded) {
            break;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(10 * 1000);
    }
    qtest_qmp_assert_success(qts, "{ 'execute': 'job-dismiss', "
                             "'arguments': { 'id': %s } }", id);
}

void pcc_snapshot_disk_add(QTestState *qts, const char *path,
                           const char *node)
{
    qtest_qmp_assert_success(qts, "{ 'execute': 'blockdev-create', "
                             "'arguments': { 'job-id': 'mkfile', "
                             "'options': { 'driver': 'file', "
                             "'filename': %s, 'size': 0 } } }", path);
    pcc_wait_job(qts, "mkfile");
    qtest_qmp_assert_success(qts, "{ 'execute': 'blockdev-add', "
                             "'arguments': { 'driver': 'file', "
                             "'node-name': 'pcc-snapshot-file', "
                             "'filename': %s } }", path);
    qtest_qmp_assert_success(qts, "{ 'execute': 'blockdev-create', "
                             "'arguments': { 'job-id': 'mkqcow2', "
                             "'options': { 'driver': 'qcow2', "
                             "'file': 'pcc-snapshot-file', "
                             "'size': 16777216 } } }");
    pcc_wait_job(qts, "mkqcow2");
    qtest_qmp_assert_success(qts, "{ 'execute': 'blockdev-del', "
                             "'arguments': { 'node-name': "
                             "'pcc-snapshot-file' } }");
    /* the image's file is its own child, not a node savevm would ask */
    qtest_qmp_assert_success(qts, "{ 'execute': 'blockdev-add', "
                             "'arguments': { 'driver': 'qcow2', "
                             "'node-name': %s, 'file': { 'driver': 'file', "
                             "'filename': %s } } }", node, path);
}

static void pcc_hmp_quiet(QTestState *qts, const char *cmd)
{
    g_autofree char *out = qtest_hmp(qts, "%s", cmd);

    /* HMP says nothing when savevm and loadvm succeed */
    g_assert_cmpstr(out, ==, "");
}

void pcc_savevm(QTestState *qts, const char *tag)
{
    g_autofree char *cmd = g_strdup_printf("savevm %s", tag);

    pcc_hmp_quiet(qts, cmd);
}

void pcc_loadvm(QTestState *qts, const char *tag)
{
    g_autofree char *cmd = g_strdup_printf("loadvm %s", tag);

    pcc_hmp_quiet(qts, cmd);
}

uint64_t pcc_subspace_counter(QTestState *qts, unsigned index,
                              const char *name)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-pcc' }");
    QList *list = qdict_get_qlist(rsp, "return");
    const QListEntry *e;
    uint64_t val = UINT64_MAX;

    QLIST_FOREACH_ENTRY(list, e) {
        QDict *s = qobject_to(QDict, qlist_entry_obj(e));

        if (qdict_get_int(s, "index") == index) {
            val = qdict_get_int(qdict_get_qdict(s, "counters"), name);
        }
    }
    qobject_unref(rsp);
    g_assert_cmpuint(val, !=, UINT64_MAX);
    return val;
}

void pcc_wait_log_has(const char *path, const char *what)
{
    gint64 deadline = g_get_monotonic_time() +
                      WAIT_TIMEOUT_S * G_TIME_SPAN_SECOND;

    for (;;) {
        g_autofree char *text = NULL;

        if (g_file_get_contents(path, &text, NULL, NULL) &&
            strstr(text, what)) {
            return;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(1000);
    }
}
