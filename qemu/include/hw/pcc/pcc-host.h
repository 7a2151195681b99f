/*
 * ACPI Platform Communication Channel (PCC): the host
 *
 * The PCC host is a sysbus device that the machine always creates. It
 * owns one MMIO window and a pool of interrupt lines, and carries a PCC
 * bus. It turns a subspace index into the addresses of its register block
 * and shared memory and into an interrupt input; it knows nothing of the
 * channels and devices that use them.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_PCC_PCC_HOST_H
#define HW_PCC_PCC_HOST_H

#include "hw/sysbus.h"
#include "hw/or-irq.h"
#include "hw/pcc/pcc-compat.h"

#define TYPE_PCC_HOST "pcc-host"
OBJECT_DECLARE_SIMPLE_TYPE(PccHost, PCC_HOST)

#define TYPE_PCC_BUS "pcc-bus"
OBJECT_DECLARE_SIMPLE_TYPE(PccBus, PCC_BUS)

/* Linux's drivers/mailbox/pcc.c accepts at most this many subspaces */
#define PCC_MAX_SUBSPACES           256

/* Register block of one subspace, see pcc-channel.h */
#define PCC_REG_BLOCK_SIZE          0x100

/* Shared memory sizes a device may ask for */
#define PCC_SHMEM_MIN_SIZE          0x1000
#define PCC_SHMEM_MAX_SIZE          0x10000
#define PCC_SHMEM_DEFAULT_SIZE      0x1000

/*
 * Layout of the host's MMIO window: the register blocks of all 256
 * subspaces, then one 64 KiB shared memory slot per subspace.
 */
#define PCC_HOST_REGS_OFFSET        0x0
#define PCC_HOST_SHMEM_OFFSET       0x1c000
#define PCC_HOST_SHMEM_SLOT_SIZE    PCC_SHMEM_MAX_SIZE
#define PCC_HOST_MMIO_SIZE          (PCC_HOST_SHMEM_OFFSET + \
                                     PCC_MAX_SUBSPACES * \
                                     PCC_HOST_SHMEM_SLOT_SIZE)
/* Interrupt lines; subspace i uses line i % PCC_HOST_NUM_IRQS */
#define PCC_HOST_NUM_IRQS           80
/* Subspaces that share one line */
#define PCC_HOST_IRQ_SHARERS        DIV_ROUND_UP(PCC_MAX_SUBSPACES, \
                                                 PCC_HOST_NUM_IRQS)

struct PccBus {
    BusState parent_obj;
};

struct PccHost {
    SysBusDevice parent_obj;

    PccBus bus;
    MemoryRegion window;
    MemoryRegion unused;
    /* the subspaces of line i are combined by line_or[i] (made on demand) */
    OrIRQState *line_or[PCC_HOST_NUM_IRQS];
    /* subspaces on each line, and whether one of them wants an edge */
    uint8_t line_users[PCC_HOST_NUM_IRQS];
    bool line_edge[PCC_HOST_NUM_IRQS];
    qemu_irq irq[PCC_HOST_NUM_IRQS];

    /* properties */
    bool platform_interrupt;
    uint64_t base;
    uint32_t first_spi;
};

/*
 * The machine's PCC host, or NULL if it has none. A machine adds its host
 * as its child named TYPE_PCC_HOST (hw/arm/virt.c), which is found without
 * walking the QOM tree.
 */
PccHost *pcc_host_find(void);

hwaddr pcc_host_reg_addr(const PccHost *host, uint32_t index);
hwaddr pcc_host_shmem_addr(const PccHost *host, uint32_t index);
unsigned pcc_host_spi(const PccHost *host, uint32_t index);
/* the PCCT's global "platform interrupt" flag */
bool pcc_host_platform_interrupt(const PccHost *host);

/*
 * The interrupt input of subspace @index: a level, ORed with the other
 * subspaces of its line, or with @edge a line of its own (an edge cannot
 * share a level line). Valid until the machine is destroyed.
 */
qemu_irq pcc_host_subspace_irq(PccHost *host, uint32_t index, bool edge,
                               Error **errp);
/* The subspace no longer uses its line */
void pcc_host_subspace_irq_release(PccHost *host, uint32_t index);

/* Place the register block and shared memory of subspace @index */
void pcc_host_map_subspace(PccHost *host, uint32_t index, MemoryRegion *regs,
                           MemoryRegion *shmem);
void pcc_host_unmap_subspace(PccHost *host, MemoryRegion *regs,
                             MemoryRegion *shmem);

#endif
