/*
 * ACPI Platform Communication Channel (PCC): host, bus and devices
 *
 * The PCC host is a sysbus device that the machine always creates. It
 * owns one MMIO window and a pool of interrupt lines, and carries a PCC
 * bus. Devices on the bus each take a run of consecutive subspace
 * indices; the host turns an index into the addresses of its register
 * block and shared memory and into its interrupt line.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_PCC_PCC_BUS_H
#define HW_PCC_PCC_BUS_H

#include "hw/qdev-core.h"
#include "hw/sysbus.h"
#include "chardev/char-fe.h"
#include "hw/pcc/pcc-channel.h"
#include "hw/pcc/pcc-backend.h"

#define TYPE_PCC_HOST "pcc-host"
OBJECT_DECLARE_SIMPLE_TYPE(PccHost, PCC_HOST)

#define TYPE_PCC_BUS "pcc-bus"
OBJECT_DECLARE_SIMPLE_TYPE(PccBus, PCC_BUS)

#define TYPE_PCC_DEVICE "pcc-device"
OBJECT_DECLARE_TYPE(PccDevice, PccDeviceClass, PCC_DEVICE)

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

/* Devices use at most this many consecutive subspaces */
#define PCC_DEVICE_MAX_CHANNELS     4

#define PCC_CHANNEL_AUTO            UINT32_MAX


struct PccBus {
    BusState parent_obj;
};

struct PccHost {
    SysBusDevice parent_obj;

    PccBus bus;
    MemoryRegion window;
    MemoryRegion unused;
    qemu_irq irq[PCC_HOST_NUM_IRQS];
    PccChannel *channels[PCC_MAX_SUBSPACES];

    /* properties */
    bool platform_interrupt;
    uint64_t base;
    uint32_t first_spi;
};

/* What a device class needs from the PCCT's global platform interrupt flag */
typedef enum PccPlatformIrqNeed {
    PCC_PLATFORM_IRQ_ANY,
    PCC_PLATFORM_IRQ_ON,
    PCC_PLATFORM_IRQ_OFF,
} PccPlatformIrqNeed;

struct PccDevice {
    DeviceState parent_obj;

    PccHost *host;
    PccBackend *backend;
    PccChannel channels[PCC_DEVICE_MAX_CHANNELS];

    /* properties */
    uint32_t channel;
    uint32_t shmem_size;
    char *spool;
    PccCharFrontend chr;
};

struct PccDeviceClass {
    DeviceClass parent_class;

    /* number of consecutive subspaces, from the device's 'channel' on */
    unsigned num_subspaces;
    PccPlatformIrqNeed platform_irq;
    /* the device talks to a platform through spool= or chardev= */
    bool needs_backend;

    /* called once the indices are claimed and the backend is open */
    void (*realize)(PccDevice *dev, Error **errp);
    void (*reset)(PccDevice *dev);

    /* backend -> device: may a message be delivered now? */
    bool (*can_receive)(PccDevice *dev);
    /* backend -> device: deliver; false if the message is malformed */
    bool (*receive)(PccDevice *dev, PccMsgKind kind, const uint8_t *buf,
                    size_t len);
};

/* Subspace @i of the device (0 <= i < num_subspaces) */
static inline PccChannel *pcc_device_channel(PccDevice *dev, unsigned i)
{
    return &dev->channels[i];
}

uint32_t pcc_device_first_index(const PccDevice *dev);
unsigned pcc_device_num_subspaces(const PccDevice *dev);

/* Host helpers used by the engine, the ACPI builder and the machine */
hwaddr pcc_host_reg_addr(const PccHost *host, uint32_t index, unsigned reg);
hwaddr pcc_host_shmem_addr(const PccHost *host, uint32_t index);
unsigned pcc_host_spi(const PccHost *host, uint32_t index);
void pcc_host_update_irq(PccHost *host, uint32_t index);
void pcc_host_map_channel(PccHost *host, PccChannel *chan);
void pcc_host_unmap_channel(PccHost *host, PccChannel *chan);
/* number of subspaces in the PCCT: highest claimed index + 1, or 0 */
unsigned pcc_host_num_subspaces(const PccHost *host);
PccDevice *pcc_host_owner(const PccHost *host, uint32_t index);

/* Machine glue (hw/arm/virt.c) */
void pcc_host_add_fdt_nodes(PccHost *host, void *fdt);

#endif
