/*
 * ACPI Platform Communication Channel (PCC): device tree nodes
 *
 * One node per device, with each subspace's register block, shared memory
 * and interrupt. Linux does not bind PCC clients from the device tree;
 * the nodes let a DT-booted guest (and a reader of the DTB) see where the
 * subspaces are.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/pcc/pcc-device.h"
#include "hw/pcc/pcc-fdt.h"
#include "system/device_tree.h"

/* GIC binding: SPI, level high */
#define PCC_FDT_IRQ_TYPE_SPI        0
#define PCC_FDT_IRQ_LEVEL_HIGH      4

static void pcc_fdt_add_device(PccDevice *dev, void *fdt)
{
    unsigned n = pcc_device_num_subspaces(dev);
    g_autofree uint64_t *reg = g_new0(uint64_t, n * 4);
    g_autofree uint32_t *irqs = g_new0(uint32_t, n * 3);
    g_autofree uint32_t *index = g_new0(uint32_t, n);
    g_autofree char *name = NULL;
    g_autofree char *compat = NULL;
    unsigned i;

    name = g_strdup_printf("/%s@%" HWADDR_PRIx,
                           object_get_typename(OBJECT(dev)),
                           pcc_channel_reg_addr(pcc_device_channel(dev, 0),
                                                0));
    compat = g_strdup_printf("qemu,%s", object_get_typename(OBJECT(dev)));
    qemu_fdt_add_subnode(fdt, name);
    qemu_fdt_setprop_string(fdt, name, "compatible", compat);
    for (i = 0; i < n; i++) {
        PccChannel *chan = pcc_device_channel(dev, i);

        reg[i * 4 + 0] = cpu_to_be64(pcc_channel_reg_addr(chan, 0));
        reg[i * 4 + 1] = cpu_to_be64(PCC_REG_BLOCK_SIZE);
        reg[i * 4 + 2] = cpu_to_be64(pcc_channel_shmem_addr(chan));
        reg[i * 4 + 3] = cpu_to_be64(chan->shmem_size);
        irqs[i * 3 + 0] = cpu_to_be32(PCC_FDT_IRQ_TYPE_SPI);
        irqs[i * 3 + 1] = cpu_to_be32(pcc_channel_spi(chan));
        irqs[i * 3 + 2] = cpu_to_be32(PCC_FDT_IRQ_LEVEL_HIGH);
        index[i] = cpu_to_be32(chan->index);
    }
    qemu_fdt_setprop(fdt, name, "reg", reg, n * 4 * sizeof(uint64_t));
    qemu_fdt_setprop(fdt, name, "interrupts", irqs, n * 3 * sizeof(uint32_t));
    qemu_fdt_setprop(fdt, name, "qemu,pcc-subspaces", index,
                     n * sizeof(uint32_t));
}

void pcc_build_fdt(PccHost *host, void *fdt)
{
    BusChild *kid;

    QTAILQ_FOREACH(kid, &host->bus.parent_obj.children, sibling) {
        PccDevice *dev = PCC_DEVICE(kid->child);

        if (dev->host) {
            pcc_fdt_add_device(dev, fdt);
        }
    }
}
