/*
 * ACPI Platform Communication Channel (PCC): devices on the PCC bus
 *
 * A PCC device takes a run of consecutive subspace indices from its
 * "channel" property on, owns one PccChannel per subspace and talks to the
 * platform through a PccPlatform. The base type claims the indices, links
 * the platform, describes the device to it, resets the channels and
 * migrates them.
 *
 * Devices whose subspace 0 is a mailbox (the guest writes a request, the
 * platform writes the answer back into the same shared memory) set
 * PccDeviceClass::mailbox and get the whole request/response exchange
 * from the base type: a doorbell sends the request, the matching
 * response is copied back and completes the command. A doorbell while a
 * request is outstanding supersedes it; a response to a superseded
 * request is dropped. The mailbox is a generic subspace (types 0-2,
 * generic layout: the answer replaces everything after the 8-byte
 * header) or an extended initiator (type 3, extended layout: the answer
 * replaces everything after the signature and the flags).
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_PCC_PCC_DEVICE_H
#define HW_PCC_PCC_DEVICE_H

#include "hw/qdev-core.h"
#include "hw/pcc/pcc-channel.h"
#include "hw/pcc/pcc-host.h"
#include "hw/pcc/pcc-platform.h"

#define TYPE_PCC_DEVICE "pcc-device"
OBJECT_DECLARE_TYPE(PccDevice, PccDeviceClass, PCC_DEVICE)

/* Devices use at most this many consecutive subspaces */
#define PCC_DEVICE_MAX_CHANNELS     4

#define PCC_CHANNEL_AUTO            UINT32_MAX

/* What a device class needs from the PCCT's global platform interrupt flag */
typedef enum PccPlatformIrqNeed {
    PCC_PLATFORM_IRQ_ANY,
    PCC_PLATFORM_IRQ_ON,
    PCC_PLATFORM_IRQ_OFF,
} PccPlatformIrqNeed;

struct PccDevice {
    DeviceState parent_obj;

    PccHost *host;
    PccChannel channels[PCC_DEVICE_MAX_CHANNELS];
    uint32_t num_channels;
    /* the platform in use: linked, or made from spool= / chardev= */
    PccPlatform *platform;
    bool platform_attached;

    /* subspace 0 is a mailbox of this type (from the class, see prepare) */
    bool mailbox;
    PccSubspaceType mailbox_type;
    /* mailbox: bytes a doorbell sends, from offset 0 */
    uint32_t mailbox_size;
    /* mailbox: the id of the request the guest waits for, 0 if none */
    uint64_t mailbox_request;

    /* properties */
    uint32_t channel;
    uint32_t shmem_size;
    PccPlatform *platform_link;
    char *spool;
    char *chardev;
};

struct PccDeviceClass {
    DeviceClass parent_class;
    ResettablePhases parent_phases;

    /* number of consecutive subspaces, from the device's 'channel' on */
    unsigned num_subspaces;
    PccPlatformIrqNeed platform_irq;
    /* the device needs a platform connection */
    bool needs_platform;
    /* smallest shared memory the class works with (default: the minimum) */
    uint32_t min_shmem_size;
    /*
     * shared memory per subspace when shmem-size is not given (0: the
     * default 4 KiB); with fixed_shmem_size the only size there is, which
     * may be smaller than the minimum (the driver insists on it)
     */
    uint32_t default_shmem_size;
    bool fixed_shmem_size;
    /* subspace 0 is a mailbox of type mailbox_type (see above) */
    bool mailbox;
    PccSubspaceType mailbox_type;
    /*
     * the bytes of the communication region, from offset 0, that a
     * doorbell sends (0: the whole shared memory); realize may change
     * PccDevice::mailbox_size
     */
    uint32_t mailbox_request_size;

    /*
     * before anything is set up: check the instance's own properties and
     * adjust what depends on them (PccDevice::mailbox, mailbox_type)
     */
    bool (*prepare)(PccDevice *dev, Error **errp);
    /* set up the channels (pcc_device_init_channel); indices are claimed */
    bool (*realize)(PccDevice *dev, Error **errp);
    /* extra "property NAME VALUE" lines of the device description */
    void (*describe)(PccDevice *dev, GString *desc);
    /*
     * mailbox, optional: @req holds the request read from the shared
     * memory; the class may add to it (e.g. what a DMA engine read from
     * guest memory). False fails the request.
     */
    bool (*mailbox_request)(PccDevice *dev, GByteArray *req);
    /*
     * mailbox, optional: the platform answered; the class may act on it
     * (e.g. DMA trailing data into guest memory) and returns how many
     * bytes of it go into the shared memory, or -1 if it is not valid.
     */
    ssize_t (*mailbox_response)(PccDevice *dev, const PccPlatformMsg *msg);
    /* platform -> device, for classes without a mailbox */
    bool (*can_receive)(PccDevice *dev);
    bool (*receive)(PccDevice *dev, const PccPlatformMsg *msg);
};

/* Subspace @i of the device (0 <= i < num_subspaces) */
static inline PccChannel *pcc_device_channel(PccDevice *dev, unsigned i)
{
    assert(i < PCC_DEVICE_MAX_CHANNELS);
    return &dev->channels[i];
}

uint32_t pcc_device_first_index(const PccDevice *dev);
unsigned pcc_device_num_subspaces(const PccDevice *dev);

/*
 * Set up subspace @i of @dev (index 'channel' + @i) as @type, with the
 * device's shared memory size; for the class's realize.
 */
bool pcc_device_init_channel(PccDevice *dev, unsigned i, PccSubspaceType type,
                             const PccChannelOps *ops, Error **errp);

/* The bus: which device owns an index, and how many the PCCT lists */
PccDevice *pcc_bus_subspace_owner(PccBus *bus, uint32_t index);
/* highest claimed index + 1, or 0 */
unsigned pcc_bus_num_subspaces(PccBus *bus);

extern const VMStateDescription vmstate_pcc_device;

/* The base device's state, for a subclass with a VMState of its own */
#define VMSTATE_PCC_DEVICE(_field, _state) \
    VMSTATE_STRUCT(_field, _state, 1, vmstate_pcc_device, PccDevice)

#endif
