/*
 * APM X-Gene SLIMpro messages over PCC, shared by its device classes
 *
 * A SLIMpro message is the 8-byte generic header and three little-endian
 * 32-bit words; Linux's SLIMpro clients wait 500 times the PCCT's nominal
 * latency (xgene-hwmon) or a second (i2c-xgene-slimpro) for the answer.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_PCC_PCC_SLIMPRO_H
#define HW_PCC_PCC_SLIMPRO_H

#include "hw/pcc/pcc-channel.h"

#define SLIMPRO_MSG0                (PCC_GEN_HDR_SIZE + 0)
#define SLIMPRO_MSG1                (PCC_GEN_HDR_SIZE + 4)
#define SLIMPRO_MSG2                (PCC_GEN_HDR_SIZE + 8)
#define SLIMPRO_MSG_SIZE            (PCC_GEN_HDR_SIZE + 12)

/* the platform is a process on the host: allow it a second */
#define SLIMPRO_NOMINAL_LATENCY_US  2000

#endif
