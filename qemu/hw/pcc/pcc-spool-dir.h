/*
 * ACPI Platform Communication Channel (PCC): spool directories and names
 *
 * What pcc-platform-spool needs from the file system, kept apart from
 * the transport: directories opened without following symlinks and
 * checked for their owner and mode, directory scans, whole-file reads,
 * and the file name convention of docs/system/devices/pcc.rst
 * ("<sequence>-c<channel>-<kind>[-r<request>].<layout>").
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_PCC_PCC_SPOOL_DIR_H
#define HW_PCC_PCC_SPOOL_DIR_H

#include <dirent.h>
#include "hw/pcc/pcc-platform.h"

#define SPOOL_TMP       "tmp"
#define SPOOL_REJECTED  "rejected"

/*
 * Open (creating it 0700 if missing) directory @path below @parent_fd,
 * without following a symlink; -1 with @errp set if it is not ours or
 * others may write to it (with @private: look into it). @what names it
 * in errors.
 */
int pcc_spool_open_dir(int parent_fd, const char *path, const char *what,
                       bool private, Error **errp);
/* Call @fn for each entry of @dir_fd that may be a message */
void pcc_spool_foreach(int dir_fd,
                       void (*fn)(const struct dirent *ent, void *opaque),
                       void *opaque);
/* Read up to @len bytes; fewer only at end of file. -1 on error. */
ssize_t pcc_spool_read_all(int fd, uint8_t *buf, size_t len);

/* The parts of a message file's name */
uint64_t pcc_spool_name_seq(const char *name);
bool pcc_spool_is_message_name(const char *name);
bool pcc_spool_name_for_channel(const char *name, uint32_t channel);
PccMsgKind pcc_spool_name_kind(const char *name, uint64_t *ref);

#endif
