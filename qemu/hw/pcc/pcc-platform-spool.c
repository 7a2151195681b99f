/*
 * ACPI Platform Communication Channel (PCC): spool directory platform
 *
 *   -object pcc-platform-spool,id=ID,dir=DIR
 *
 * Messages travel as one file each through a directory shared with the
 * platform (pccd):
 *
 *   <spool>/device    the device description, written by QEMU
 *   <spool>/outbox/   guest -> platform, written by QEMU
 *   <spool>/inbox/    platform -> guest, read (and removed) by QEMU
 *
 * Writers create a file in the directory's tmp/ and rename it in, so a
 * reader never sees a partial message. Names sort in the order messages
 * were written; a request's id is its sequence number, and a response
 * names the request it answers ("-r<id>"). Inbox files are delivered one
 * at a time, only when the
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
#include "qemu/module.h"
#include "qapi/error.h"
#include "qom/object_interfaces.h"
#include "hw/pcc/pcc-platform.h"
#include "pcc-spool-dir.h"
#include "trace.h"

#define SPOOL_OUTBOX    "outbox"
#define SPOOL_INBOX     "inbox"
#define SPOOL_DEVICE    "device"
#define SPOOL_DEVICE_TMP ".device.tmp"

OBJECT_DECLARE_SIMPLE_TYPE(PccSpoolPlatform, PCC_PLATFORM_SPOOL)

struct PccSpoolPlatform {
    PccPlatform parent;

    /* property */
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
    /*
     * Inbox entries that could be neither moved aside nor removed (a
     * non-empty directory when rejected/ is unusable): skipped by the
     * scans while they are there, so that they cannot hold up delivery
     */
    GHashTable *stuck;
};

static const char *const pcc_spool_kind_names[] = {
    [PCC_MSG_REQUEST] = "req",
    [PCC_MSG_RESPONSE] = "rsp",
    [PCC_MSG_NOTIFICATION] = "ntf",
};

static const char *const pcc_spool_layout_names[] = {
    [PCC_LAYOUT_EXTENDED] = "ext",
    [PCC_LAYOUT_GENERIC] = "gen",
};

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
static char *pcc_spool_next_name(PccSpoolPlatform *s)
{
    if (s->rescan || g_queue_is_empty(&s->queued)) {
        g_autoptr(GPtrArray) names = g_ptr_array_new();
        GHashTable *still_stuck = g_hash_table_new_full(g_str_hash,
                                                        g_str_equal,
                                                        g_free, NULL);
        unsigned i;

        g_queue_clear_full(&s->queued, g_free);
        s->rescan = false;
        pcc_spool_foreach(s->inbox_fd, pcc_spool_collect_name, names);
        g_ptr_array_sort(names, pcc_spool_name_cmp);
        for (i = 0; i < names->len; i++) {
            char *name = g_ptr_array_index(names, i);

            if (g_hash_table_contains(s->stuck, name)) {
                g_hash_table_add(still_stuck, name);
            } else {
                g_queue_push_tail(&s->queued, name);
            }
        }
        /* an entry that went away is forgotten */
        g_hash_table_unref(s->stuck);
        s->stuck = still_stuck;
    }
    return g_queue_pop_head(&s->queued);
}

/* Write message @seq to the outbox: tmp/ first, then renamed in */
static bool pcc_spool_write_msg(PccSpoolPlatform *s, uint64_t seq,
                                PccMsgKind kind, PccMsgLayout layout,
                                const uint8_t *buf, size_t len)
{
    g_autofree char *name = g_strdup_printf("%020" PRIu64 "-c%03u-%s.%s",
                                            seq, s->parent.channel,
                                            pcc_spool_kind_names[kind],
                                            pcc_spool_layout_names[layout]);
    int fd;

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

static uint64_t pcc_spool_send(PccPlatform *p, PccMsgKind kind,
                               PccMsgLayout layout, const uint8_t *buf,
                               size_t len)
{
    PccSpoolPlatform *s = PCC_PLATFORM_SPOOL(p);
    uint64_t now = g_get_real_time() * 1000;

    s->last_seq = MAX(now, s->last_seq + 1);
    return pcc_spool_write_msg(s, s->last_seq, kind, layout, buf, len) ?
           s->last_seq : 0;
}

typedef struct PccSpoolFind {
    uint32_t channel;
    uint64_t id;
    bool found;
} PccSpoolFind;

/* outbox/: request @id is still there */
static void pcc_spool_find_request(const struct dirent *ent, void *opaque)
{
    PccSpoolFind *find = opaque;

    if (pcc_spool_name_for_channel(ent->d_name, find->channel) &&
        pcc_spool_name_seq(ent->d_name) == find->id &&
        strstr(ent->d_name, "-req.")) {
        find->found = true;
    }
}

/* inbox/: an answer to request @id (or to whatever is outstanding) */
static void pcc_spool_find_answer(const struct dirent *ent, void *opaque)
{
    PccSpoolFind *find = opaque;
    uint64_t ref = 0;

    if (pcc_spool_name_for_channel(ent->d_name, find->channel) &&
        strstr(ent->d_name, "-rsp") &&
        pcc_spool_name_kind(ent->d_name, &ref) == PCC_MSG_RESPONSE &&
        (!ref || ref == find->id)) {
        find->found = true;
    }
}

/*
 * The files are the platform's state and are not migrated: after an
 * incoming migration over a shared spool the request is in outbox/ or
 * its answer in inbox/, and nothing is written. A loadvm can go back to
 * before a request that the platform took and answered since, and whose
 * answer the guest consumed: then the request goes to outbox/ again,
 * under its own sequence number, so that its answer names it.
 */
static void pcc_spool_resume_request(PccPlatform *p, uint64_t id,
                                     PccMsgLayout layout, const uint8_t *buf,
                                     size_t len)
{
    PccSpoolPlatform *s = PCC_PLATFORM_SPOOL(p);
    PccSpoolFind find = { .channel = p->channel, .id = id };

    pcc_spool_foreach(s->outbox_fd, pcc_spool_find_request, &find);
    if (find.found) {
        trace_pcc_spool_resume(s->dir, id, "still in outbox/");
        return;
    }
    pcc_spool_foreach(s->inbox_fd, pcc_spool_find_answer, &find);
    if (find.found) {
        trace_pcc_spool_resume(s->dir, id, "its answer waits in inbox/");
        return;
    }
    trace_pcc_spool_resume(s->dir, id, "written to outbox/ again");
    s->last_seq = MAX(s->last_seq, id);
    pcc_spool_write_msg(s, id, PCC_MSG_REQUEST, layout, buf, len);
}

/* Keep a bad inbox file for inspection, out of the delivery queue */
static void pcc_spool_reject(PccSpoolPlatform *s, const char *name,
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
    if (unlinkat(s->inbox_fd, name, 0) < 0 &&
        unlinkat(s->inbox_fd, name, AT_REMOVEDIR) < 0) {
        error_report("pcc spool '%s': cannot remove '%s' either (%s); "
                     "skipped while it is there", s->dir, name,
                     strerror(errno));
        g_hash_table_add(s->stuck, g_strdup(name));
    }
}

/* Deliver inbox files, oldest first, while the device can take them */
static void pcc_spool_kick(PccPlatform *p)
{
    PccSpoolPlatform *s = PCC_PLATFORM_SPOOL(p);

    while (p->peer->can_receive(p->opaque)) {
        g_autofree char *name = NULL;
        g_autofree uint8_t *buf = NULL;
        PccPlatformMsg msg = { .layout = PCC_LAYOUT_EXTENDED };
        struct stat st;
        ssize_t got;
        int fd, ret;

        name = pcc_spool_next_name(s);
        if (!name) {
            return;
        }
        if (!pcc_spool_name_for_channel(name, p->channel)) {
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
        msg.kind = pcc_spool_name_kind(name, &msg.ref);
        if (g_str_has_suffix(name, ".gen")) {
            msg.layout = PCC_LAYOUT_GENERIC;
        }
        msg.data = buf;
        msg.len = got;
        ret = pcc_platform_offer(p, &msg);
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
    PccSpoolPlatform *s = opaque;

    if ((event == QFILE_MONITOR_EVENT_CREATED ||
         event == QFILE_MONITOR_EVENT_MODIFIED) &&
        pcc_spool_is_message_name(filename)) {
        trace_pcc_spool_event(s->dir, filename, event);
        s->rescan = true;
        pcc_platform_kick(&s->parent);
    }
}

/* The device description, replaced whole through a temporary file */
static bool pcc_spool_write_description(PccSpoolPlatform *s, Error **errp)
{
    const char *text = s->parent.description;
    size_t len = strlen(text);
    int fd;

    unlinkat(s->dir_fd, SPOOL_DEVICE_TMP, 0);
    fd = openat(s->dir_fd, SPOOL_DEVICE_TMP,
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        error_setg_errno(errp, errno, "pcc spool '%s': cannot create %s",
                         s->dir, SPOOL_DEVICE_TMP);
        return false;
    }
    if (qemu_write_full(fd, text, len) != len) {
        error_setg_errno(errp, errno, "pcc spool '%s': cannot write %s",
                         s->dir, SPOOL_DEVICE_TMP);
        close(fd);
        unlinkat(s->dir_fd, SPOOL_DEVICE_TMP, 0);
        return false;
    }
    close(fd);
    if (renameat(s->dir_fd, SPOOL_DEVICE_TMP, s->dir_fd, SPOOL_DEVICE) < 0) {
        error_setg_errno(errp, errno, "pcc spool '%s': cannot move %s to "
                         "%s", s->dir, SPOOL_DEVICE_TMP, SPOOL_DEVICE);
        unlinkat(s->dir_fd, SPOOL_DEVICE_TMP, 0);
        return false;
    }
    return true;
}

static void pcc_spool_close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/*
 * One file monitor, so one inotify instance, for all spools: Linux gives
 * a user 128 instances by default, and a machine may have 256 devices.
 */
static QFileMonitor *pcc_spool_monitor;
static unsigned pcc_spool_monitor_users;

static QFileMonitor *pcc_spool_monitor_get(Error **errp)
{
    if (!pcc_spool_monitor) {
        pcc_spool_monitor = qemu_file_monitor_new(errp);
        if (!pcc_spool_monitor) {
            return NULL;
        }
    }
    pcc_spool_monitor_users++;
    return pcc_spool_monitor;
}

static void pcc_spool_monitor_put(void)
{
    assert(pcc_spool_monitor_users);
    if (!--pcc_spool_monitor_users) {
        qemu_file_monitor_free(pcc_spool_monitor);
        pcc_spool_monitor = NULL;
    }
}

static void pcc_spool_disconnect(PccPlatform *p)
{
    PccSpoolPlatform *s = PCC_PLATFORM_SPOOL(p);

    if (s->monitor) {
        if (s->watch_id >= 0) {
            qemu_file_monitor_remove_watch(s->monitor, s->inbox_path,
                                           s->watch_id);
        }
        pcc_spool_monitor_put();
        s->monitor = NULL;
    }
    s->watch_id = -1;
    pcc_spool_close_fd(&s->inbox_fd);
    pcc_spool_close_fd(&s->outbox_tmp_fd);
    pcc_spool_close_fd(&s->outbox_fd);
    pcc_spool_close_fd(&s->dir_fd);
    g_queue_clear_full(&s->queued, g_free);
    g_hash_table_remove_all(s->stuck);
    g_free(s->inbox_path);
    s->inbox_path = NULL;
}

static bool pcc_spool_connect(PccPlatform *p, Error **errp)
{
    PccSpoolPlatform *s = PCC_PLATFORM_SPOOL(p);
    const char *dir = s->dir;
    int inbox_tmp_fd;

    if (!dir || !*dir) {
        error_setg(errp, "PCC platform '%s': 'dir' is empty: give a spool "
                   "directory", pcc_platform_id(p));
        return false;
    }
    s->dir_fd = pcc_spool_open_dir(AT_FDCWD, dir, dir, false, errp);
    if (s->dir_fd < 0) {
        return false;
    }
    s->outbox_fd = pcc_spool_open_dir(s->dir_fd, SPOOL_OUTBOX,
                                      SPOOL_OUTBOX, true, errp);
    if (s->outbox_fd < 0) {
        return false;
    }
    s->outbox_tmp_fd = pcc_spool_open_dir(s->outbox_fd, SPOOL_TMP,
                                          SPOOL_OUTBOX "/" SPOOL_TMP, true,
                                          errp);
    if (s->outbox_tmp_fd < 0) {
        return false;
    }
    s->inbox_fd = pcc_spool_open_dir(s->dir_fd, SPOOL_INBOX, SPOOL_INBOX,
                                     true, errp);
    if (s->inbox_fd < 0) {
        return false;
    }
    /* the platform writes here before renaming into inbox/ */
    inbox_tmp_fd = pcc_spool_open_dir(s->inbox_fd, SPOOL_TMP,
                                      SPOOL_INBOX "/" SPOOL_TMP, true,
                                      errp);
    if (inbox_tmp_fd < 0) {
        return false;
    }
    close(inbox_tmp_fd);
    if (!pcc_spool_write_description(s, errp)) {
        return false;
    }

    /* names keep increasing across restarts, whatever the clock does */
    pcc_spool_foreach(s->outbox_fd, pcc_spool_max_seq, &s->last_seq);

    s->monitor = pcc_spool_monitor_get(errp);
    if (!s->monitor) {
        return false;
    }
    s->inbox_path = g_build_filename(dir, SPOOL_INBOX, NULL);
    s->watch_id = qemu_file_monitor_add_watch(s->monitor, s->inbox_path,
                                              NULL, pcc_spool_event, s, errp);
    if (s->watch_id < 0) {
        return false;
    }
    /* messages that arrived before we started */
    pcc_platform_kick(p);
    return true;
}

static char *pcc_spool_get_dir(Object *obj, Error **errp)
{
    return g_strdup(PCC_PLATFORM_SPOOL(obj)->dir);
}

static void pcc_spool_set_dir(Object *obj, const char *value, Error **errp)
{
    PccSpoolPlatform *s = PCC_PLATFORM_SPOOL(obj);

    if (PCC_PLATFORM(obj)->owner) {
        error_setg(errp, "'dir' cannot change while a device uses it");
        return;
    }
    g_free(s->dir);
    s->dir = g_strdup(value);
}

static void pcc_spool_complete(UserCreatable *uc, Error **errp)
{
    PccSpoolPlatform *s = PCC_PLATFORM_SPOOL(uc);

    if (!s->dir || !*s->dir) {
        error_setg(errp, "%s needs 'dir': the spool directory",
                   TYPE_PCC_PLATFORM_SPOOL);
    }
}

static void pcc_spool_instance_init(Object *obj)
{
    PccSpoolPlatform *s = PCC_PLATFORM_SPOOL(obj);

    s->dir_fd = s->outbox_fd = s->outbox_tmp_fd = s->inbox_fd = -1;
    s->watch_id = -1;
    g_queue_init(&s->queued);
    s->stuck = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

static void pcc_spool_instance_finalize(Object *obj)
{
    pcc_platform_detach(PCC_PLATFORM(obj));
    g_hash_table_unref(PCC_PLATFORM_SPOOL(obj)->stuck);
    g_free(PCC_PLATFORM_SPOOL(obj)->dir);
}

static void pcc_spool_class_init(ObjectClass *oc, PccClassData *data)
{
    PccPlatformClass *pc = PCC_PLATFORM_CLASS(oc);
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    pc->connect = pcc_spool_connect;
    pc->send = pcc_spool_send;
    pc->kick = pcc_spool_kick;
    pc->disconnect = pcc_spool_disconnect;
    pc->resume_request = pcc_spool_resume_request;
    ucc->complete = pcc_spool_complete;
    object_class_property_add_str(oc, "dir", pcc_spool_get_dir,
                                  pcc_spool_set_dir);
    object_class_property_set_description(oc, "dir",
        "spool directory shared with the platform (pccd)");
}

static const TypeInfo pcc_spool_types[] = {
    {
        .name = TYPE_PCC_PLATFORM_SPOOL,
        .parent = TYPE_PCC_PLATFORM,
        .instance_size = sizeof(PccSpoolPlatform),
        .instance_init = pcc_spool_instance_init,
        .instance_finalize = pcc_spool_instance_finalize,
        .class_init = pcc_spool_class_init,
    },
};

DEFINE_TYPES(pcc_spool_types)
