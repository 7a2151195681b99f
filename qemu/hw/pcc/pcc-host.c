/*
 * ACPI Platform Communication Channel (PCC): the host
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "hw/irq.h"
#include "hw/qdev-properties.h"
#include "hw/pcc/pcc-host.h"
#include "trace.h"

PccHost *pcc_host_find(void)
{
    Object *obj = object_resolve_path_component(qdev_get_machine(),
                                                TYPE_PCC_HOST);

    if (!obj || !object_dynamic_cast(obj, TYPE_PCC_HOST)) {
        /* a machine that put its host elsewhere, or has none */
        obj = object_resolve_path_type("", TYPE_PCC_HOST, NULL);
    }
    return obj ? PCC_HOST(obj) : NULL;
}

hwaddr pcc_host_reg_addr(const PccHost *host, uint32_t index)
{
    return host->base + PCC_HOST_REGS_OFFSET +
           (hwaddr)index * PCC_REG_BLOCK_SIZE;
}

hwaddr pcc_host_shmem_addr(const PccHost *host, uint32_t index)
{
    return host->base + PCC_HOST_SHMEM_OFFSET +
           (hwaddr)index * PCC_HOST_SHMEM_SLOT_SIZE;
}

static unsigned pcc_host_line(uint32_t index)
{
    return index % PCC_HOST_NUM_IRQS;
}

unsigned pcc_host_spi(const PccHost *host, uint32_t index)
{
    return host->first_spi + pcc_host_line(index);
}

bool pcc_host_platform_interrupt(const PccHost *host)
{
    return host->platform_interrupt;
}

/* The combined level of a line, on its way to the interrupt controller */
static void pcc_host_line_set(void *opaque, int line, int level)
{
    PccHost *host = opaque;

    trace_pcc_host_irq(line, host->first_spi + line, level);
    qemu_set_irq(host->irq[line], level);
}

qemu_irq pcc_host_subspace_irq(PccHost *host, uint32_t index, bool edge,
                               Error **errp)
{
    unsigned line = pcc_host_line(index);

    assert(index < PCC_MAX_SUBSPACES);
    if (host->line_users[line] && (edge || host->line_edge[line])) {
        error_setg(errp, "subspace %u would share interrupt line %u (SPI "
                   "%u) with another subspace, but a type 1 subspace "
                   "needs an edge-triggered line of its own", index, line,
                   pcc_host_spi(host, index));
        return NULL;
    }
    if (!host->line_or[line]) {
        g_autofree char *name = g_strdup_printf("line-or[%u]", line);
        Object *or = object_new(TYPE_OR_IRQ);

        object_property_add_child(OBJECT(host), name, or);
        object_unref(or);
        if (!object_property_set_int(or, "num-lines", PCC_HOST_IRQ_SHARERS,
                                     errp) ||
            !qdev_realize(DEVICE(or), NULL, errp)) {
            object_unparent(or);
            return NULL;
        }
        qdev_connect_gpio_out(DEVICE(or), 0,
                              qdev_get_gpio_in_named(DEVICE(host), "line",
                                                     line));
        host->line_or[line] = OR_IRQ(or);
    }
    host->line_users[line]++;
    host->line_edge[line] |= edge;
    return qdev_get_gpio_in(DEVICE(host->line_or[line]),
                            index / PCC_HOST_NUM_IRQS);
}

void pcc_host_subspace_irq_release(PccHost *host, uint32_t index)
{
    unsigned line = pcc_host_line(index);

    assert(host->line_users[line]);
    if (!--host->line_users[line]) {
        host->line_edge[line] = false;
    }
}

void pcc_host_map_subspace(PccHost *host, uint32_t index, MemoryRegion *regs,
                           MemoryRegion *shmem)
{
    assert(index < PCC_MAX_SUBSPACES);
    memory_region_add_subregion(&host->window,
                                PCC_HOST_REGS_OFFSET +
                                index * PCC_REG_BLOCK_SIZE, regs);
    memory_region_add_subregion(&host->window,
                                PCC_HOST_SHMEM_OFFSET +
                                index * PCC_HOST_SHMEM_SLOT_SIZE, shmem);
}

void pcc_host_unmap_subspace(PccHost *host, MemoryRegion *regs,
                             MemoryRegion *shmem)
{
    memory_region_del_subregion(&host->window, regs);
    memory_region_del_subregion(&host->window, shmem);
}

/*
 * Everything in the window that no subspace claims: unused register
 * blocks and shared memory slots. The guest gets zeroes and a log line.
 */
static uint64_t pcc_host_unused_read(void *opaque, hwaddr addr, unsigned size)
{
    qemu_log_mask(LOG_GUEST_ERROR,
                  "pcc: read of unassigned PCC window offset 0x%" HWADDR_PRIx
                  "\n", addr);
    return 0;
}

static void pcc_host_unused_write(void *opaque, hwaddr addr, uint64_t val,
                                  unsigned size)
{
    qemu_log_mask(LOG_GUEST_ERROR,
                  "pcc: write of 0x%" PRIx64 " to unassigned PCC window "
                  "offset 0x%" HWADDR_PRIx "\n", val, addr);
}

static const MemoryRegionOps pcc_host_unused_ops = {
    .read = pcc_host_unused_read,
    .write = pcc_host_unused_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
};

static void pcc_host_realize(DeviceState *dev, Error **errp)
{
    PccHost *host = PCC_HOST(dev);
    SysBusDevice *sbd = SYS_BUS_DEVICE(dev);
    int i;

    memory_region_init(&host->window, OBJECT(dev), "pcc-window",
                       PCC_HOST_MMIO_SIZE);
    memory_region_init_io(&host->unused, OBJECT(dev), &pcc_host_unused_ops,
                          host, "pcc-unassigned", PCC_HOST_MMIO_SIZE);
    memory_region_add_subregion_overlap(&host->window, 0, &host->unused, -1);
    sysbus_init_mmio(sbd, &host->window);
    for (i = 0; i < PCC_HOST_NUM_IRQS; i++) {
        sysbus_init_irq(sbd, &host->irq[i]);
    }
    qdev_init_gpio_in_named(dev, pcc_host_line_set, "line",
                            PCC_HOST_NUM_IRQS);
}

static void pcc_host_init(Object *obj)
{
    PccHost *host = PCC_HOST(obj);

    qbus_init(&host->bus, sizeof(host->bus), TYPE_PCC_BUS, DEVICE(obj),
              "pcc");
}

static const Property pcc_host_properties[] = {
    DEFINE_PROP_BOOL("platform-interrupt", PccHost, platform_interrupt,
                     true),
    DEFINE_PROP_UINT64("base", PccHost, base, 0),
    DEFINE_PROP_UINT32("first-spi", PccHost, first_spi, 0),
};

static void pcc_host_class_init(ObjectClass *klass, PccClassData *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = pcc_host_realize;
    dc->desc = "ACPI Platform Communication Channel host";
    /* created by the machine, never by the user */
    dc->user_creatable = false;
    device_class_set_props(dc, pcc_host_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo pcc_host_types[] = {
    {
        .name = TYPE_PCC_HOST,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(PccHost),
        .instance_init = pcc_host_init,
        .class_init = pcc_host_class_init,
    },
};

DEFINE_TYPES(pcc_host_types)
