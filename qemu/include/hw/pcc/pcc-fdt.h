/*
 * ACPI Platform Communication Channel (PCC): device tree nodes
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_PCC_PCC_FDT_H
#define HW_PCC_PCC_FDT_H

#include "hw/pcc/pcc-host.h"

/* Machine glue: one node per device on @host's bus, with its resources */
void pcc_build_fdt(PccHost *host, void *fdt);

#endif
