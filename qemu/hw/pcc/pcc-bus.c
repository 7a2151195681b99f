/*
 * ACPI Platform Communication Channel (PCC): host, bus and base device
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
#include "monitor/monitor.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "hw/pcc/pcc-bus.h"
#include "hw/pcc/acpi-dev-pcc.h"
#include "system/device_tree.h"
#include "trace.h"

/* Host */

hwaddr pcc_host_reg_addr(const PccHost *host, uint32_t index, unsigned reg)
{
    return host->base + PCC_HOST_REGS_OFFSET +
           (hwaddr)index * PCC_REG_BLOCK_SIZE + reg;
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

void pcc_host_update_irq(PccHost *host, uint32_t index)
{
    unsigned line = pcc_host_line(index);
    bool level = false;
    uint32_t i;

    for (i = line; i < PCC_MAX_SUBSPACES; i += PCC_HOST_NUM_IRQS) {
        if (host->channels[i] && host->channels[i]->irq_pending) {
            level = true;
            break;
        }
    }
    trace_pcc_host_irq(line, pcc_host_spi(host, index), level);
    qemu_set_irq(host->irq[line], level);
}

void pcc_host_map_channel(PccHost *host, PccChannel *chan)
{
    assert(chan->index < PCC_MAX_SUBSPACES && !host->channels[chan->index]);
    host->channels[chan->index] = chan;
    memory_region_add_subregion(&host->window,
                                PCC_HOST_REGS_OFFSET +
                                chan->index * PCC_REG_BLOCK_SIZE,
                                &chan->regs);
    memory_region_add_subregion(&host->window,
                                PCC_HOST_SHMEM_OFFSET +
                                chan->index * PCC_HOST_SHMEM_SLOT_SIZE,
                                &chan->shmem);
}

void pcc_host_unmap_channel(PccHost *host, PccChannel *chan)
{
    memory_region_del_subregion(&host->window, &chan->regs);
    memory_region_del_subregion(&host->window, &chan->shmem);
    host->channels[chan->index] = NULL;
    pcc_host_update_irq(host, chan->index);
}

PccDevice *pcc_host_owner(const PccHost *host, uint32_t index)
{
    BusChild *kid;

    QTAILQ_FOREACH(kid, &host->bus.parent_obj.children, sibling) {
        PccDevice *dev = PCC_DEVICE(kid->child);
        uint32_t first = pcc_device_first_index(dev);

        if (dev->host && index >= first &&
            index < first + pcc_device_num_subspaces(dev)) {
            return dev;
        }
    }
    return NULL;
}

unsigned pcc_host_num_subspaces(const PccHost *host)
{
    BusChild *kid;
    unsigned n = 0;

    QTAILQ_FOREACH(kid, &host->bus.parent_obj.children, sibling) {
        PccDevice *dev = PCC_DEVICE(kid->child);

        if (dev->host) {
            n = MAX(n, pcc_device_first_index(dev) +
                       pcc_device_num_subspaces(dev));
        }
    }
    return n;
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

/* Bus */

static char *pcc_bus_get_dev_path(DeviceState *dev)
{
    PccDevice *pdev = PCC_DEVICE(dev);

    return g_strdup_printf("pcc/%u", pdev->channel);
}

static void pcc_bus_print_dev(Monitor *mon, DeviceState *dev, int indent)
{
    PccDevice *pdev = PCC_DEVICE(dev);
    unsigned i;

    if (!pdev->host) {
        return;
    }
    for (i = 0; i < pcc_device_num_subspaces(pdev); i++) {
        PccChannel *chan = pcc_device_channel(pdev, i);

        monitor_printf(mon, "%*ssubspace %u: type %d regs 0x%" HWADDR_PRIx
                       " shmem 0x%" HWADDR_PRIx "+0x%x spi %u\n",
                       indent, "", chan->index, chan->type,
                       pcc_channel_reg_addr(chan, 0),
                       pcc_channel_shmem_addr(chan), chan->shmem_size,
                       pcc_channel_spi(chan));
    }
}

static void pcc_bus_class_init(ObjectClass *klass, PccClassData *data)
{
    BusClass *bc = BUS_CLASS(klass);

    bc->get_dev_path = pcc_bus_get_dev_path;
    bc->print_dev = pcc_bus_print_dev;
}

/* Base device */

uint32_t pcc_device_first_index(const PccDevice *dev)
{
    return dev->channel;
}

unsigned pcc_device_num_subspaces(const PccDevice *dev)
{
    return PCC_DEVICE_GET_CLASS(dev)->num_subspaces;
}

static bool pcc_device_range_free(PccHost *host, uint32_t first, unsigned n,
                                  PccDevice **owner)
{
    uint32_t i;

    for (i = first; i < first + n; i++) {
        PccDevice *other = pcc_host_owner(host, i);

        if (other) {
            *owner = other;
            return false;
        }
    }
    return true;
}

static bool pcc_device_claim(PccDevice *dev, PccHost *host, Error **errp)
{
    unsigned n = pcc_device_num_subspaces(dev);
    PccDevice *owner = NULL;
    uint32_t first;

    if (dev->channel == PCC_CHANNEL_AUTO) {
        for (first = 0; first + n <= PCC_MAX_SUBSPACES; first++) {
            if (pcc_device_range_free(host, first, n, &owner)) {
                dev->channel = first;
                return true;
            }
        }
        error_setg(errp, "no %u free consecutive PCC subspace indices left "
                   "(the PCCT holds at most %d)", n, PCC_MAX_SUBSPACES);
        return false;
    }

    if (dev->channel >= PCC_MAX_SUBSPACES ||
        dev->channel + n > PCC_MAX_SUBSPACES) {
        error_setg(errp, "channel %u out of range: this device uses %u "
                   "subspace(s) from 'channel' on, and indices stop at %d",
                   dev->channel, n, PCC_MAX_SUBSPACES - 1);
        return false;
    }
    if (!pcc_device_range_free(host, dev->channel, n, &owner)) {
        error_setg(errp, "channel %u: subspace(s) %u-%u overlap those of "
                   "device '%s' (channel %u)", dev->channel, dev->channel,
                   dev->channel + n - 1,
                   DEVICE(owner)->id ? DEVICE(owner)->id :
                   object_get_typename(OBJECT(owner)), owner->channel);
        return false;
    }
    return true;
}

static bool pcc_device_can_receive(void *opaque)
{
    PccDevice *dev = opaque;
    PccDeviceClass *pdc = PCC_DEVICE_GET_CLASS(dev);

    return pdc->can_receive && pdc->can_receive(dev);
}

static bool pcc_device_receive(void *opaque, PccMsgKind kind,
                               const uint8_t *buf, size_t len)
{
    PccDevice *dev = opaque;
    PccDeviceClass *pdc = PCC_DEVICE_GET_CLASS(dev);

    if (!pdc->receive) {
        qemu_log_mask(LOG_UNIMP, "pcc: %s takes no messages from the "
                      "platform\n", object_get_typename(OBJECT(dev)));
        return false;
    }
    return pdc->receive(dev, kind, buf, len);
}

static const PccBackendPeer pcc_device_peer = {
    .can_receive = pcc_device_can_receive,
    .receive = pcc_device_receive,
};

static bool pcc_device_open_backend(PccDevice *dev, Error **errp)
{
    PccDeviceClass *pdc = PCC_DEVICE_GET_CLASS(dev);
    bool has_chr = qemu_chr_fe_backend_connected(&dev->chr);

    if (dev->spool && has_chr) {
        error_setg(errp, "'spool' and 'chardev' are exclusive: give one");
        return false;
    }
    if (!dev->spool && !has_chr) {
        if (pdc->needs_backend) {
            error_setg(errp, "no platform: give 'spool=DIR' or "
                       "'chardev=ID'");
            return false;
        }
        return true;
    }
    if (dev->spool) {
        dev->backend = pcc_spool_backend_new(dev->spool, dev->channel,
                                             &pcc_device_peer, DEVICE(dev),
                                             errp);
    } else {
        dev->backend = pcc_chardev_backend_new(&dev->chr, dev->channel,
                                               &pcc_device_peer, DEVICE(dev),
                                               errp);
    }
    return dev->backend != NULL;
}

static void pcc_device_realize(DeviceState *ds, Error **errp)
{
    PccDevice *dev = PCC_DEVICE(ds);
    PccDeviceClass *pdc = PCC_DEVICE_GET_CLASS(dev);
    PccHost *host = PCC_HOST(qdev_get_parent_bus(ds)->parent);
    ERRP_GUARD();

    assert(pdc->num_subspaces > 0 &&
           pdc->num_subspaces <= PCC_DEVICE_MAX_CHANNELS);

    if (pdc->platform_irq == PCC_PLATFORM_IRQ_ON &&
        !host->platform_interrupt) {
        error_setg(errp, "%s needs the PCCT platform interrupt flag, but "
                   "the PCC host has platform-interrupt=off",
                   object_get_typename(OBJECT(dev)));
        return;
    }
    if (pdc->platform_irq == PCC_PLATFORM_IRQ_OFF &&
        host->platform_interrupt) {
        error_setg(errp, "%s needs the PCCT platform interrupt flag clear: "
                   "use -global pcc-host.platform-interrupt=off",
                   object_get_typename(OBJECT(dev)));
        return;
    }
    if (dev->shmem_size < PCC_SHMEM_MIN_SIZE ||
        dev->shmem_size > PCC_SHMEM_MAX_SIZE ||
        !is_power_of_2(dev->shmem_size)) {
        error_setg(errp, "shmem-size 0x%x: must be a power of two from "
                   "0x%x to 0x%x", dev->shmem_size, PCC_SHMEM_MIN_SIZE,
                   PCC_SHMEM_MAX_SIZE);
        return;
    }
    if (!pcc_device_claim(dev, host, errp)) {
        return;
    }
    if (!pcc_device_open_backend(dev, errp)) {
        return;
    }
    dev->host = host;
    if (pdc->realize) {
        pdc->realize(dev, errp);
        if (*errp) {
            dev->host = NULL;
            pcc_backend_free(dev->backend);
            dev->backend = NULL;
            return;
        }
    }
    trace_pcc_device_realize(object_get_typename(OBJECT(dev)), dev->channel,
                             pdc->num_subspaces);
}

static void pcc_device_unrealize(DeviceState *ds)
{
    PccDevice *dev = PCC_DEVICE(ds);
    unsigned i;

    for (i = 0; dev->host && i < pcc_device_num_subspaces(dev); i++) {
        pcc_channel_finalize(pcc_device_channel(dev, i));
    }
    pcc_backend_free(dev->backend);
    dev->backend = NULL;
    dev->host = NULL;
}

static void pcc_device_reset(DeviceState *ds)
{
    PccDevice *dev = PCC_DEVICE(ds);
    PccDeviceClass *pdc = PCC_DEVICE_GET_CLASS(dev);
    unsigned i;

    if (!dev->host) {
        return;
    }
    for (i = 0; i < pcc_device_num_subspaces(dev); i++) {
        pcc_channel_reset(pcc_device_channel(dev, i));
    }
    if (pdc->reset) {
        pdc->reset(dev);
    }
    if (dev->backend) {
        pcc_backend_kick(dev->backend);
    }
}

/*
 * The default PCCT contribution: one subtable per channel, built from the
 * channel's own state. Device classes override it to add timing values.
 */
static void pcc_device_build_pcct_subspace(AcpiDevPccIf *adev, uint32_t index,
                                           GArray *table)
{
    PccDevice *dev = PCC_DEVICE(adev);

    pcc_build_subspace(table,
                       pcc_device_channel(dev, index - dev->channel), NULL);
}

static const Property pcc_device_properties[] = {
    DEFINE_PROP_UINT32("channel", PccDevice, channel, PCC_CHANNEL_AUTO),
    DEFINE_PROP_UINT32("shmem-size", PccDevice, shmem_size,
                       PCC_SHMEM_DEFAULT_SIZE),
    DEFINE_PROP_STRING("spool", PccDevice, spool),
    DEFINE_PROP_CHR("chardev", PccDevice, chr),
};

static void pcc_device_class_init(ObjectClass *klass, PccClassData *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    AcpiDevPccIfClass *adevc = ACPI_DEV_PCC_IF_CLASS(klass);

    dc->bus_type = TYPE_PCC_BUS;
    dc->realize = pcc_device_realize;
    dc->unrealize = pcc_device_unrealize;
    dc->hotpluggable = false;
    device_class_set_legacy_reset(dc, pcc_device_reset);
    device_class_set_props(dc, pcc_device_properties);
    object_class_property_set_description(klass, "channel",
        "first PCC subspace index (default: the lowest free run)");
    object_class_property_set_description(klass, "shmem-size",
        "bytes of shared memory per subspace (power of two, 4K-64K)");
    object_class_property_set_description(klass, "spool",
        "spool directory shared with the platform (pccd)");
    adevc->build_pcct_subspace = pcc_device_build_pcct_subspace;
}

static const TypeInfo pcc_types[] = {
    {
        .name = TYPE_PCC_HOST,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(PccHost),
        .instance_init = pcc_host_init,
        .class_init = pcc_host_class_init,
    },
    {
        .name = TYPE_PCC_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(PccBus),
        .class_init = pcc_bus_class_init,
    },
    {
        .name = TYPE_PCC_DEVICE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(PccDevice),
        .class_size = sizeof(PccDeviceClass),
        .class_init = pcc_device_class_init,
        .abstract = true,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_ACPI_DEV_PCC_IF },
            { }
        },
    },
    {
        .name = TYPE_ACPI_DEV_PCC_IF,
        .parent = TYPE_INTERFACE,
        .class_size = sizeof(AcpiDevPccIfClass),
    },
};

DEFINE_TYPES(pcc_types)

/* Device tree: one node per device, with each subspace's resources */
void pcc_host_add_fdt_nodes(PccHost *host, void *fdt)
{
    BusChild *kid;

    QTAILQ_FOREACH(kid, &host->bus.parent_obj.children, sibling) {
        PccDevice *dev = PCC_DEVICE(kid->child);
        unsigned n = pcc_device_num_subspaces(dev);
        g_autofree uint64_t *reg = g_new0(uint64_t, n * 4);
        g_autofree uint32_t *irqs = g_new0(uint32_t, n * 3);
        g_autofree uint32_t *index = g_new0(uint32_t, n);
        g_autofree char *name = NULL;
        g_autofree char *compat = NULL;
        unsigned i;

        if (!dev->host) {
            continue;
        }
        name = g_strdup_printf("/%s@%" HWADDR_PRIx,
                               object_get_typename(OBJECT(dev)),
                               pcc_channel_reg_addr(
                                   pcc_device_channel(dev, 0), 0));
        compat = g_strdup_printf("qemu,%s", object_get_typename(OBJECT(dev)));
        qemu_fdt_add_subnode(fdt, name);
        qemu_fdt_setprop_string(fdt, name, "compatible", compat);
        for (i = 0; i < n; i++) {
            PccChannel *chan = pcc_device_channel(dev, i);

            reg[i * 4 + 0] = cpu_to_be64(pcc_channel_reg_addr(chan, 0));
            reg[i * 4 + 1] = cpu_to_be64(PCC_REG_BLOCK_SIZE);
            reg[i * 4 + 2] = cpu_to_be64(pcc_channel_shmem_addr(chan));
            reg[i * 4 + 3] = cpu_to_be64(chan->shmem_size);
            /* GIC_FDT_IRQ_TYPE_SPI, SPI number, level high */
            irqs[i * 3 + 0] = cpu_to_be32(0);
            irqs[i * 3 + 1] = cpu_to_be32(pcc_channel_spi(chan));
            irqs[i * 3 + 2] = cpu_to_be32(4);
            index[i] = cpu_to_be32(chan->index);
        }
        qemu_fdt_setprop(fdt, name, "reg", reg, n * 4 * sizeof(uint64_t));
        qemu_fdt_setprop(fdt, name, "interrupts", irqs,
                         n * 3 * sizeof(uint32_t));
        qemu_fdt_setprop(fdt, name, "qemu,pcc-subspaces", index,
                         n * sizeof(uint32_t));
    }
}
