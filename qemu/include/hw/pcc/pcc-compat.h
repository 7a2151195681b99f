/*
 * ACPI Platform Communication Channel (PCC): QEMU API differences
 *
 * This code builds on QEMU 10.0 (Debian trixie) and on later releases.
 * Everything that differs between them is named here, once; on
 * upstreaming, this file goes and the current names are used directly.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_PCC_PCC_COMPAT_H
#define HW_PCC_PCC_COMPAT_H

#include "chardev/char-fe.h"

#define PCC_QEMU_VERSION_AT_LEAST(major, minor) \
    (QEMU_VERSION_MAJOR > (major) || \
     (QEMU_VERSION_MAJOR == (major) && QEMU_VERSION_MINOR >= (minor)))

/* 10.1 made the data argument of class_init const */
#if PCC_QEMU_VERSION_AT_LEAST(10, 1)
typedef const void PccClassData;
#else
typedef void PccClassData;
#endif

/* 10.2 renamed the front end of a chardev from CharBackend */
#if PCC_QEMU_VERSION_AT_LEAST(10, 2)
typedef CharFrontend PccCharFrontend;
#else
typedef CharBackend PccCharFrontend;
#endif

/* 10.1 moved address-spaces.h from exec/ to system/ */
#if PCC_QEMU_VERSION_AT_LEAST(10, 1)
#include "system/address-spaces.h"
#else
#include "exec/address-spaces.h"
#endif

#endif
