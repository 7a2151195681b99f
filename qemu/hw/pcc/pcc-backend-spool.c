/*
 * ACPI Platform Communication Channel (PCC): spool directory backend
 *
 * Messages travel as one file each through a directory shared with the
 * platform (pccd):
 *
 *   <spool>/outbox/   guest -> platform, written by QEMU
 *   <spool>/inbox/    platform -> guest, read (and removed) by QEMU
 *
 * Writers create a file in the directory's tmp/ and rename it in, so a
 * reader never sees a partial message. Names sort in the order messages
 * were written. Inbox files are delivered one at a time, only when the
 * device can take one, and removed only after delivery. A file that is
 * not a valid message is moved to inbox/rejected/ with a warning; nothing
 * is dropped silently. Directories are created 0700 and no symlink is
 * followed.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/filemonitor.h"
#include "qapi/error.h"
#include "hw/pcc/pcc-backend.h"
#include "trace.h"
#include <dirent.h>

#define SPOOL_OUTBOX    "outbox"
#define SPOOL_INBOX     "inbox"
#define SPOOL_TMP       "tmp"
#define SPOOL_REJECTED  "rejected"

typedef struct PccSpoolBackend {
    PccBackend parent;
    char *dir;
    char *inbox_path;
    int dir_fd;
    int outbox_fd;
    int outbox_tmp_fd;
    int inbox_fd;
    QFileMonitor *monitor;
    int64_t watch_id;
    uint64_t last_seq;
    /* inbox names from the last scan, in delivery order */
    GQueue queued;
    /* inbox/ changed since that scan */
    bool rescan;
} PccSpoolBackend;

static const char *const pcc_spool_kind_names[] = {
    [PCC_MSG_REQUEST] = "req",
    [PCC_MSG_RESPONSE] = "rsp",
    [PCC_MSG_NOTIFICATION] = "ntf",
};

static const char *const pcc_spool_layout_names[] = {
    [PCC_LAYOUT_EXTENDED] = "ext",
    [PCC_LAYOUT_GENERIC] = "gen",
};

/*
 * Open (creating it 0700 if missing) a directory below @parent. It must
 * be ours, and nobody else may write to it; with @private, nobody else
 * may even look in.
 */
static int pcc_spool_open_dir(int parent_fd, const char *path,
                              const char *what, bool private, Error **errp)
{
    mode_t forbidden = private ? 0077 : 0022;
    struct stat st;
    int fd;

    if (mkdirat(parent_fd, path, 0700) < 0 && errno != EEXIST) {
        error_setg_errno(errp, errno, "cannot create spool directory '%s'",
                         what);
        return -1;
    }
    fd = openat(parent_fd, path,
                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot open spool directory '%s'%s",
                         what, errno == ELOOP || errno == ENOTDIR ?
                         " (not a directory, or a symlink)" : "");
        return -1;
    }
    if (fstat(fd, &st) < 0 || st.st_uid != geteuid() ||
        (st.st_mode & forbidden)) {
        error_setg(errp, "spool directory '%s' must be owned by this user "
                   "and %s (it has mode %04o)", what,
                   private ? "private (0700)" : "not writable by others",
                   (unsigned)(st.st_mode & 07777));
        close(fd);
        return -1;
    }
    return fd;
}

static uint64_t pcc_spool_name_seq(const char *name)
{
    return g_ascii_strtoull(name, NULL, 10);
}

static bool pcc_spool_is_message_name(const char *name)
{
    return name[0] != '.' && strcmp(name, SPOOL_TMP) != 0 &&
           strcmp(name, SPOOL_REJECTED) != 0;
}

/*
 * Call @fn for each candidate entry of @dir_fd. The directory is read
 * through a duplicate descriptor so that @dir_fd's offset is untouched.
 */
static void pcc_spool_foreach(int dir_fd,
                              void (*fn)(const struct dirent *ent,
                                         void *opaque),
                              void *opaque)
{
    int fd = dup(dir_fd);
    DIR *dir;
    struct dirent *ent;

    if (fd < 0) {
        return;
    }
    dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return;
    }
    rewinddir(dir);
    while ((ent = readdir(dir))) {
        if (pcc_spool_is_message_name(ent->d_name)) {
            fn(ent, opaque);
        }
    }
    closedir(dir);
}

static void pcc_spool_max_seq(const struct dirent *ent, void *opaque)
{
    uint64_t *max = opaque;

    *max = MAX(*max, pcc_spool_name_seq(ent->d_name));
}

static void pcc_spool_collect_name(const struct dirent *ent, void *opaque)
{
    g_ptr_array_add(opaque, g_strdup(ent->d_name));
}

static int pcc_spool_name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The next inbox file to deliver (owned by the caller), or NULL. The
 * directory is read again only when it changed or the last scan is used
 * up, so a backlog of n files costs one scan, not n.
 */
static char *pcc_spool_next_name(PccSpoolBackend *s)
{
    if (s->rescan || g_queue_is_empty(&s->queued)) {
        g_autoptr(GPtrArray) names = g_ptr_array_new();
        unsigned i;

        g_queue_clear_full(&s->queued, g_free);
        s->rescan = false;
        pcc_spool_foreach(s->inbox_fd, pcc_spool_collect_name, names);
        g_ptr_array_sort(names, pcc_spool_name_cmp);
        for (i = 0; i < names->len; i++) {
            g_queue_push_tail(&s->queued, g_ptr_array_index(names, i));
        }
    }
    return g_queue_pop_head(&s->queued);
}

static bool pcc_spool_send(PccBackend *be, PccMsgKind kind,
                           PccMsgLayout layout, const uint8_t *buf,
                           size_t len)
{
    PccSpoolBackend *s = container_of(be, PccSpoolBackend, parent);
    uint64_t now = g_get_real_time() * 1000;
    g_autofree char *name = NULL;
    int fd;

    s->last_seq = MAX(now, s->last_seq + 1);
    name = g_strdup_printf("%020" PRIu64 "-c%03u-%s.%s", s->last_seq,
                           be->channel, pcc_spool_kind_names[kind],
                           pcc_spool_layout_names[layout]);
    fd = openat(s->outbox_tmp_fd, name,
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        warn_report("pcc spool '%s': cannot create outbox/tmp/%s: %s",
                    s->dir, name, strerror(errno));
        return false;
    }
    if (qemu_write_full(fd, buf, len) != len) {
        warn_report("pcc spool '%s': cannot write outbox/tmp/%s: %s",
                    s->dir, name, strerror(errno));
        close(fd);
        unlinkat(s->outbox_tmp_fd, name, 0);
        return false;
    }
    close(fd);
    if (renameat(s->outbox_tmp_fd, name, s->outbox_fd, name) < 0) {
        warn_report("pcc spool '%s': cannot move %s into outbox/: %s",
                    s->dir, name, strerror(errno));
        unlinkat(s->outbox_tmp_fd, name, 0);
        return false;
    }
    trace_pcc_spool_write(s->dir, name, len);
    return true;
}

/* Keep a bad inbox file for inspection, out of the delivery queue */
static void pcc_spool_reject(PccSpoolBackend *s, const char *name,
                             const char *why)
{
    int rej_fd;

    warn_report("pcc spool '%s': inbox file '%s' rejected: %s; moved to "
                "inbox/" SPOOL_REJECTED "/", s->dir, name, why);
    if (mkdirat(s->inbox_fd, SPOOL_REJECTED, 0700) < 0 && errno != EEXIST) {
        goto fail;
    }
    rej_fd = openat(s->inbox_fd, SPOOL_REJECTED,
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (rej_fd < 0) {
        goto fail;
    }
    if (renameat(s->inbox_fd, name, rej_fd, name) < 0) {
        close(rej_fd);
        goto fail;
    }
    close(rej_fd);
    return;

fail:
    /* never loop on the same file: it has to leave the inbox */
    error_report("pcc spool '%s': cannot move '%s' aside (%s); removing it",
                 s->dir, name, strerror(errno));
    unlinkat(s->inbox_fd, name, 0);
}

/* Read up to @len bytes; fewer only at end of file. -1 on error. */
static ssize_t pcc_spool_read_all(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        if (n == 0) {
            break;
        }
        got += n;
    }
    return got;
}

/*
 * A name that follows the convention names its channel; a file meant for
 * another device is refused rather than delivered to the wrong one.
 */
static bool pcc_spool_for_channel(const char *name, uint32_t channel)
{
    const char *tag = strstr(name, "-c");
    unsigned named;

    if (!tag || sscanf(tag, "-c%3u-", &named) != 1) {
        return true;
    }
    return named == channel;
}

static PccMsgKind pcc_spool_kind_of(const char *name)
{
    if (strstr(name, "-ntf.")) {
        return PCC_MSG_NOTIFICATION;
    }
    return PCC_MSG_RESPONSE;
}

/* Deliver inbox files, oldest first, while the device can take them */
static void pcc_spool_kick(PccBackend *be)
{
    PccSpoolBackend *s = container_of(be, PccSpoolBackend, parent);

    while (be->peer->can_receive(be->opaque)) {
        g_autofree char *name = NULL;
        g_autofree uint8_t *buf = NULL;
        struct stat st;
        ssize_t got;
        int fd, ret;

        name = pcc_spool_next_name(s);
        if (!name) {
            return;
        }
        if (!pcc_spool_for_channel(name, be->channel)) {
            pcc_spool_reject(s, name, "its name is for another channel");
            continue;
        }
        fd = openat(s->inbox_fd, name,
                    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
            continue;       /* the platform took it back */
        }
        if (fd < 0) {
            pcc_spool_reject(s, name, errno == ELOOP ? "a symlink" :
                             strerror(errno));
            continue;
        }
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            pcc_spool_reject(s, name, "not a regular file");
            continue;
        }
        if (st.st_size > PCC_MSG_MAX_SIZE) {
            close(fd);
            pcc_spool_reject(s, name, "larger than any shared memory");
            continue;
        }
        buf = g_malloc(st.st_size + 1);
        got = pcc_spool_read_all(fd, buf, st.st_size + 1);
        close(fd);
        if (got != st.st_size) {
            pcc_spool_reject(s, name, "changed while being read");
            continue;
        }
        trace_pcc_spool_read(s->dir, name, got);
        ret = pcc_backend_offer(be, pcc_spool_kind_of(name), buf, got);
        if (ret == 0) {
            /* not taken after all: it stays first in line */
            g_queue_push_head(&s->queued, g_steal_pointer(&name));
            return;
        }
        if (ret < 0) {
            pcc_spool_reject(s, name, "not a valid message for this device");
            continue;
        }
        if (unlinkat(s->inbox_fd, name, 0) < 0) {
            error_report("pcc spool '%s': delivered inbox/%s but cannot "
                         "remove it: %s", s->dir, name, strerror(errno));
        }
    }
}

static void pcc_spool_event(int64_t id, QFileMonitorEvent event,
                            const char *filename, void *opaque)
{
    PccSpoolBackend *s = opaque;

    if ((event == QFILE_MONITOR_EVENT_CREATED ||
         event == QFILE_MONITOR_EVENT_MODIFIED) &&
        pcc_spool_is_message_name(filename)) {
        trace_pcc_spool_event(s->dir, filename, event);
        s->rescan = true;
        pcc_backend_kick(&s->parent);
    }
}

static void pcc_spool_free(PccBackend *be)
{
    PccSpoolBackend *s = container_of(be, PccSpoolBackend, parent);

    if (s->monitor) {
        if (s->watch_id >= 0) {
            qemu_file_monitor_remove_watch(s->monitor, s->inbox_path,
                                           s->watch_id);
        }
        qemu_file_monitor_free(s->monitor);
    }
    if (s->inbox_fd >= 0) {
        close(s->inbox_fd);
    }
    if (s->outbox_tmp_fd >= 0) {
        close(s->outbox_tmp_fd);
    }
    if (s->outbox_fd >= 0) {
        close(s->outbox_fd);
    }
    if (s->dir_fd >= 0) {
        close(s->dir_fd);
    }
    g_queue_clear_full(&s->queued, g_free);
    g_free(s->inbox_path);
    g_free(s->dir);
    g_free(s);
}

static const PccBackendOps pcc_spool_ops = {
    .name = "spool",
    .send = pcc_spool_send,
    .kick = pcc_spool_kick,
    .free = pcc_spool_free,
};

PccBackend *pcc_spool_backend_new(const char *dir, uint32_t channel,
                                  const PccBackendPeer *peer,
                                  DeviceState *owner, Error **errp)
{
    PccSpoolBackend *s = g_new0(PccSpoolBackend, 1);
    int inbox_tmp_fd;

    pcc_backend_init(&s->parent, &pcc_spool_ops, channel, peer, owner);
    s->dir = g_strdup(dir);
    s->dir_fd = s->outbox_fd = s->outbox_tmp_fd = s->inbox_fd = -1;
    s->watch_id = -1;
    g_queue_init(&s->queued);

    if (!*dir) {
        error_setg(errp, "'spool' is empty: give a directory");
        goto fail;
    }
    s->dir_fd = pcc_spool_open_dir(AT_FDCWD, dir, dir, false, errp);
    if (s->dir_fd < 0) {
        goto fail;
    }
    s->outbox_fd = pcc_spool_open_dir(s->dir_fd, SPOOL_OUTBOX,
                                      SPOOL_OUTBOX, true, errp);
    if (s->outbox_fd < 0) {
        goto fail;
    }
    s->outbox_tmp_fd = pcc_spool_open_dir(s->outbox_fd, SPOOL_TMP,
                                          SPOOL_OUTBOX "/" SPOOL_TMP, true,
                                          errp);
    if (s->outbox_tmp_fd < 0) {
        goto fail;
    }
    s->inbox_fd = pcc_spool_open_dir(s->dir_fd, SPOOL_INBOX, SPOOL_INBOX,
                                     true, errp);
    if (s->inbox_fd < 0) {
        goto fail;
    }
    /* the platform writes here before renaming into inbox/ */
    inbox_tmp_fd = pcc_spool_open_dir(s->inbox_fd, SPOOL_TMP,
                                      SPOOL_INBOX "/" SPOOL_TMP, true,
                                      errp);
    if (inbox_tmp_fd < 0) {
        goto fail;
    }
    close(inbox_tmp_fd);

    /* names keep increasing across restarts, whatever the clock does */
    pcc_spool_foreach(s->outbox_fd, pcc_spool_max_seq, &s->last_seq);

    s->monitor = qemu_file_monitor_new(errp);
    if (!s->monitor) {
        goto fail;
    }
    s->inbox_path = g_build_filename(dir, SPOOL_INBOX, NULL);
    s->watch_id = qemu_file_monitor_add_watch(s->monitor, s->inbox_path,
                                              NULL, pcc_spool_event, s, errp);
    if (s->watch_id < 0) {
        goto fail;
    }
    /* messages that arrived before we started */
    pcc_backend_kick(&s->parent);
    return &s->parent;

fail:
    pcc_backend_free(&s->parent);
    return NULL;
}
