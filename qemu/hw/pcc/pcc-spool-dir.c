/*
 * ACPI Platform Communication Channel (PCC): spool directories and names
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "pcc-spool-dir.h"

int pcc_spool_open_dir(int parent_fd, const char *path, const char *what,
                       bool private, Error **errp)
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

uint64_t pcc_spool_name_seq(const char *name)
{
    return g_ascii_strtoull(name, NULL, 10);
}

bool pcc_spool_is_message_name(const char *name)
{
    return name[0] != '.' && strcmp(name, SPOOL_TMP) != 0 &&
           strcmp(name, SPOOL_REJECTED) != 0;
}

/*
 * Call @fn for each candidate entry of @dir_fd. The directory is read
 * through a duplicate descriptor so that @dir_fd's offset is untouched.
 */
void pcc_spool_foreach(int dir_fd,
                       void (*fn)(const struct dirent *ent, void *opaque),
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

ssize_t pcc_spool_read_all(int fd, uint8_t *buf, size_t len)
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
bool pcc_spool_name_for_channel(const char *name, uint32_t channel)
{
    const char *tag = strstr(name, "-c");
    unsigned named;

    if (!tag || sscanf(tag, "-c%3u-", &named) != 1) {
        return true;
    }
    return named == channel;
}

/*
 * The kind of an inbox file, and for a response the request it answers:
 * "<seq>-c<ch>-rsp-r<request>.<layout>" (no "-r": it does not say).
 */
PccMsgKind pcc_spool_name_kind(const char *name, uint64_t *ref)
{
    const char *r = strstr(name, "-rsp-r");

    *ref = 0;
    if (strstr(name, "-ntf.")) {
        return PCC_MSG_NOTIFICATION;
    }
    if (r) {
        *ref = g_ascii_strtoull(r + strlen("-rsp-r"), NULL, 10);
    }
    return PCC_MSG_RESPONSE;
}
