/*
 * ACPI Platform Communication Channel (PCC): the bus and its base device
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "qom/object_interfaces.h"
#include "monitor/monitor.h"
#include "hw/qdev-properties.h"
#include "hw/pcc/pcc-device.h"
#include "hw/pcc/pcc-fault.h"
#include "hw/pcc/acpi-dev-pcc.h"
#include "trace.h"

/* Bus */

PccDevice *pcc_bus_subspace_owner(PccBus *bus, uint32_t index)
{
    BusChild *kid;

    QTAILQ_FOREACH(kid, &bus->parent_obj.children, sibling) {
        PccDevice *dev = PCC_DEVICE(kid->child);
        uint32_t first = pcc_device_first_index(dev);

        if (dev->host && index >= first &&
            index < first + pcc_device_num_subspaces(dev)) {
            return dev;
        }
    }
    return NULL;
}

unsigned pcc_bus_num_subspaces(PccBus *bus)
{
    BusChild *kid;
    unsigned n = 0;

    QTAILQ_FOREACH(kid, &bus->parent_obj.children, sibling) {
        PccDevice *dev = PCC_DEVICE(kid->child);

        if (dev->host) {
            n = MAX(n, pcc_device_first_index(dev) +
                       pcc_device_num_subspaces(dev));
        }
    }
    return n;
}

static char *pcc_bus_get_dev_path(DeviceState *dev)
{
    return g_strdup_printf("pcc/%u", PCC_DEVICE(dev)->channel);
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

bool pcc_device_init_channel(PccDevice *dev, unsigned i, PccSubspaceType type,
                             const PccChannelOps *ops, Error **errp)
{
    assert(i < pcc_device_num_subspaces(dev));
    if (!pcc_channel_init(pcc_device_channel(dev, i), OBJECT(dev), dev->host,
                          dev->channel + i, type, dev->shmem_size, ops, dev,
                          errp)) {
        return false;
    }
    dev->num_channels = MAX(dev->num_channels, i + 1);
    return true;
}

static bool pcc_device_claim(PccDevice *dev, PccBus *bus, Error **errp)
{
    unsigned n = pcc_device_num_subspaces(dev);
    PccDevice *owner = NULL;
    uint32_t first, i;

    if (dev->channel == PCC_CHANNEL_AUTO) {
        for (first = 0; first + n <= PCC_MAX_SUBSPACES; first++) {
            for (i = first; i < first + n; i++) {
                if (pcc_bus_subspace_owner(bus, i)) {
                    break;
                }
            }
            if (i == first + n) {
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
    for (i = dev->channel; i < dev->channel + n && !owner; i++) {
        owner = pcc_bus_subspace_owner(bus, i);
    }
    if (owner) {
        error_setg(errp, "channel %u: subspace(s) %u-%u overlap those of "
                   "device '%s' (channel %u)", dev->channel, dev->channel,
                   dev->channel + n - 1,
                   DEVICE(owner)->id ? DEVICE(owner)->id :
                   object_get_typename(OBJECT(owner)), owner->channel);
        return false;
    }
    return true;
}

/* Mailbox: subspace 0 carries a request and, back in place, its answer */

static PccMsgLayout pcc_mailbox_layout(const PccChannel *chan)
{
    return chan->type == PCC_SUBSPACE_EXT_INITIATOR ? PCC_LAYOUT_EXTENDED :
                                                      PCC_LAYOUT_GENERIC;
}

/*
 * The request in the mailbox, as the class completes it (DMA), or NULL
 * if the class fails it
 */
static GByteArray *pcc_device_mailbox_read(PccDevice *dev)
{
    PccDeviceClass *pdc = PCC_DEVICE_GET_CLASS(dev);
    GByteArray *req = g_byte_array_sized_new(dev->mailbox_size);

    g_byte_array_set_size(req, dev->mailbox_size);
    pcc_channel_read(pcc_device_channel(dev, 0), 0, req->data, req->len);
    if (pdc->mailbox_request && !pdc->mailbox_request(dev, req)) {
        g_byte_array_unref(req);
        return NULL;
    }
    return req;
}

static void pcc_device_mailbox_doorbell(PccChannel *chan, void *opaque)
{
    PccDevice *dev = opaque;
    g_autoptr(GByteArray) req = NULL;
    uint64_t id = 0;

    if (dev->mailbox_request) {
        /* the guest gave up on the last one: this one takes over */
        trace_pcc_mailbox_superseded(chan->index, dev->mailbox_request);
        dev->mailbox_request = 0;
    }
    req = pcc_device_mailbox_read(dev);
    if (req) {
        id = pcc_platform_send(dev->platform, PCC_MSG_REQUEST,
                               pcc_mailbox_layout(chan), req->data,
                               req->len);
    }
    trace_pcc_mailbox_request(chan->index, id);
    if (!id) {
        pcc_channel_complete(chan, true);
        return;
    }
    dev->mailbox_request = id;
    /* an answer may be waiting already (a stale one, or a quick one) */
    pcc_platform_kick(dev->platform);
}

static const PccChannelOps pcc_device_mailbox_ops = {
    .doorbell = pcc_device_mailbox_doorbell,
};

static bool pcc_device_mailbox_receive(PccDevice *dev,
                                       const PccPlatformMsg *msg)
{
    PccDeviceClass *pdc = PCC_DEVICE_GET_CLASS(dev);
    PccChannel *chan = pcc_device_channel(dev, 0);
    ssize_t len = msg->len;
    bool extended = pcc_mailbox_layout(chan) == PCC_LAYOUT_EXTENDED;
    /*
     * what the answer replaces: all after the generic header, or after
     * the extended one's signature and flags (the initiator's request)
     */
    uint32_t keep = extended ? PCC_EXT_HDR_LENGTH : PCC_GEN_HDR_SIZE;
    uint16_t status = 0;

    if (msg->kind != PCC_MSG_RESPONSE ||
        msg->layout != pcc_mailbox_layout(chan) ||
        msg->len < (extended ? PCC_EXT_HDR_SIZE : PCC_GEN_HDR_SIZE) ||
        msg->len > chan->shmem_size) {
        return false;
    }
    if (msg->ref && msg->ref != dev->mailbox_request) {
        /* a late answer to a request the guest no longer waits for */
        trace_pcc_mailbox_stale(chan->index, msg->ref, dev->mailbox_request);
        return true;
    }
    if (pcc_fault_fires(chan, PCC_FAULT_DROP_INBOX)) {
        /* lost on the way: the request stays outstanding */
        return true;
    }
    if (pdc->mailbox_response) {
        len = pdc->mailbox_response(dev, msg);
        if (len < (ssize_t)keep) {
            return false;
        }
    }
    pcc_channel_write(chan, keep, msg->data + keep, len - keep);
    if (!extended) {
        status = lduw_le_p(msg->data + PCC_GEN_HDR_STATUS);
    }
    trace_pcc_mailbox_response(chan->index, dev->mailbox_request, status);
    dev->mailbox_request = 0;
    pcc_channel_complete(chan, status & PCC_GEN_STATUS_ERROR);
    return true;
}

/* The platform's answer: only while the guest waits for one */
static bool pcc_device_can_receive(void *opaque)
{
    PccDevice *dev = opaque;
    PccDeviceClass *pdc = PCC_DEVICE_GET_CLASS(dev);

    if (dev->mailbox) {
        return dev->mailbox_request != 0;
    }
    return pdc->can_receive && pdc->can_receive(dev);
}

static bool pcc_device_receive(void *opaque, const PccPlatformMsg *msg)
{
    PccDevice *dev = opaque;
    PccDeviceClass *pdc = PCC_DEVICE_GET_CLASS(dev);
    bool ok;

    if (dev->mailbox) {
        ok = pcc_device_mailbox_receive(dev, msg);
    } else if (pdc->receive) {
        ok = pdc->receive(dev, msg);
    } else {
        qemu_log_mask(LOG_UNIMP, "pcc: %s takes no messages from the "
                      "platform\n", object_get_typename(OBJECT(dev)));
        ok = false;
    }
    if (!ok) {
        /* the subspace the platform writes into: the mailbox or the last */
        pcc_channel_count_error(pcc_device_channel(dev, dev->mailbox ? 0 :
                                                   dev->num_channels - 1));
    }
    return ok;
}

static const PccPlatformPeer pcc_device_peer = {
    .can_receive = pcc_device_can_receive,
    .receive = pcc_device_receive,
};

/* The device description that the platform gets (pcc.rst) */
static char *pcc_device_describe(PccDevice *dev)
{
    PccDeviceClass *pdc = PCC_DEVICE_GET_CLASS(dev);
    GString *desc = g_string_new(NULL);
    unsigned i;

    g_string_append_printf(desc, "pcc-device %d\nclass %s\nchannel %u\n",
                           PCC_DEVICE_DESCRIPTION_VERSION,
                           object_get_typename(OBJECT(dev)), dev->channel);
    for (i = 0; i < dev->num_channels; i++) {
        PccChannel *chan = pcc_device_channel(dev, i);

        g_string_append_printf(desc, "subspace %u type %d role %s shmem %u\n",
                               chan->index, chan->type,
                               pcc_channel_role(chan), chan->shmem_size);
    }
    if (pdc->describe) {
        pdc->describe(dev, desc);
    }
    return g_string_free(desc, false);
}

/* platform=, or the spool= / chardev= shorthand that makes one */
static bool pcc_device_find_platform(PccDevice *dev, Error **errp)
{
    const char *type = NULL, *prop = NULL, *value = NULL;
    int given = !!dev->platform_link + !!dev->spool + !!dev->chardev;
    Object *obj;

    if (given > 1) {
        error_setg(errp, "'platform', 'spool' and 'chardev' are exclusive: "
                   "give one");
        return false;
    }
    if (dev->spool && !*dev->spool) {
        error_setg(errp, "'spool' is empty: give a directory");
        return false;
    }
    if (dev->platform_link) {
        dev->platform = dev->platform_link;
        return true;
    }
    if (dev->spool) {
        type = TYPE_PCC_PLATFORM_SPOOL, prop = "dir", value = dev->spool;
    } else if (dev->chardev) {
        type = TYPE_PCC_PLATFORM_CHARDEV, prop = "chardev";
        value = dev->chardev;
    } else {
        return true;
    }
    obj = object_new(type);
    object_property_add_child(OBJECT(dev), "pcc-platform", obj);
    object_unref(obj);
    if (!object_property_set_str(obj, prop, value, errp) ||
        !user_creatable_complete(USER_CREATABLE(obj), errp)) {
        object_unparent(obj);
        return false;
    }
    dev->platform = PCC_PLATFORM(obj);
    return true;
}

/* shmem-size: what the class takes, or its default when not given */
static bool pcc_device_check_shmem_size(PccDevice *dev, Error **errp)
{
    PccDeviceClass *pdc = PCC_DEVICE_GET_CLASS(dev);
    const char *type = object_get_typename(OBJECT(dev));
    uint32_t def = pdc->default_shmem_size ?: PCC_SHMEM_DEFAULT_SIZE;
    uint32_t min_shmem = MAX(pdc->min_shmem_size, PCC_SHMEM_MIN_SIZE);

    if (!dev->shmem_size) {
        dev->shmem_size = def;
        return true;
    }
    if (pdc->fixed_shmem_size) {
        if (dev->shmem_size != def) {
            error_setg(errp, "shmem-size 0x%x: %s has exactly 0x%x bytes "
                       "of shared memory (its driver insists)",
                       dev->shmem_size, type, def);
            return false;
        }
        return true;
    }
    if (dev->shmem_size < min_shmem || dev->shmem_size > PCC_SHMEM_MAX_SIZE ||
        !is_power_of_2(dev->shmem_size)) {
        error_setg(errp, "shmem-size 0x%x: must be a power of two from "
                   "0x%x to 0x%x for %s", dev->shmem_size, min_shmem,
                   PCC_SHMEM_MAX_SIZE, type);
        return false;
    }
    return true;
}

static bool pcc_device_check_class_needs(PccDevice *dev, PccHost *host,
                                         Error **errp)
{
    PccDeviceClass *pdc = PCC_DEVICE_GET_CLASS(dev);
    const char *type = object_get_typename(OBJECT(dev));

    if (pdc->platform_irq == PCC_PLATFORM_IRQ_ON &&
        !pcc_host_platform_interrupt(host)) {
        error_setg(errp, "%s needs the PCCT platform interrupt flag, but "
                   "the PCC host has platform-interrupt=off", type);
        return false;
    }
    if (pdc->platform_irq == PCC_PLATFORM_IRQ_OFF &&
        pcc_host_platform_interrupt(host)) {
        error_setg(errp, "%s needs the PCCT platform interrupt flag clear: "
                   "use -global pcc-host.platform-interrupt=off", type);
        return false;
    }
    if (!pcc_device_check_shmem_size(dev, errp)) {
        return false;
    }
    if (pdc->needs_platform && !dev->platform) {
        error_setg(errp, "no platform: give 'platform=ID', 'spool=DIR' or "
                   "'chardev=ID'");
        return false;
    }
    return true;
}

static void pcc_device_release(PccDevice *dev)
{
    unsigned i;

    if (dev->platform_attached) {
        pcc_platform_detach(dev->platform);
        dev->platform_attached = false;
    }
    for (i = 0; i < dev->num_channels; i++) {
        pcc_channel_finalize(pcc_device_channel(dev, i));
    }
    dev->num_channels = 0;
    dev->host = NULL;
}

static void pcc_device_realize(DeviceState *ds, Error **errp)
{
    PccDevice *dev = PCC_DEVICE(ds);
    PccDeviceClass *pdc = PCC_DEVICE_GET_CLASS(dev);
    PccBus *bus = PCC_BUS(qdev_get_parent_bus(ds));
    PccHost *host = PCC_HOST(bus->parent_obj.parent);
    g_autofree char *desc = NULL;

    assert(pdc->num_subspaces > 0 &&
           pdc->num_subspaces <= PCC_DEVICE_MAX_CHANNELS);

    dev->mailbox = pdc->mailbox;
    dev->mailbox_type = pdc->mailbox_type;
    if (!pcc_device_find_platform(dev, errp) ||
        (pdc->prepare && !pdc->prepare(dev, errp)) ||
        !pcc_device_check_class_needs(dev, host, errp) ||
        !pcc_device_claim(dev, bus, errp)) {
        return;
    }
    dev->host = host;
    if (dev->mailbox) {
        assert(dev->mailbox_type <= PCC_SUBSPACE_EXT_INITIATOR);
        if (!pcc_device_init_channel(dev, 0, dev->mailbox_type,
                                     &pcc_device_mailbox_ops, errp)) {
            goto fail;
        }
        pcc_device_channel(dev, 0)->mailbox = true;
        dev->mailbox_size = pdc->mailbox_request_size ?: dev->shmem_size;
    }
    if (pdc->realize && !pdc->realize(dev, errp)) {
        goto fail;
    }
    assert(dev->num_channels == pdc->num_subspaces);
    assert(!dev->mailbox || (dev->mailbox_size >= PCC_GEN_HDR_SIZE &&
                             dev->mailbox_size <= dev->shmem_size));
    if (dev->platform) {
        desc = pcc_device_describe(dev);
        if (!pcc_platform_attach(dev->platform, ds, &pcc_device_peer, dev,
                                 dev->channel, desc, errp)) {
            goto fail;
        }
        dev->platform_attached = true;
    }
    trace_pcc_device_realize(object_get_typename(OBJECT(dev)), dev->channel,
                             pdc->num_subspaces);
    return;

fail:
    pcc_device_release(dev);
}

static void pcc_device_unrealize(DeviceState *ds)
{
    pcc_device_release(PCC_DEVICE(ds));
}

static void pcc_device_reset_hold(Object *obj, ResetType type)
{
    PccDevice *dev = PCC_DEVICE(obj);
    unsigned i;

    for (i = 0; i < dev->num_channels; i++) {
        pcc_channel_reset(pcc_device_channel(dev, i));
    }
    /* an answer to a request from before the reset is stale */
    dev->mailbox_request = 0;
}

static void pcc_device_reset_exit(Object *obj, ResetType type)
{
    PccDevice *dev = PCC_DEVICE(obj);

    if (dev->platform_attached) {
        pcc_platform_kick(dev->platform);
    }
}

/*
 * After a state load (incoming migration or loadvm) the guest may still
 * wait for the answer to a mailbox request. The request is still in the
 * shared memory; the platform connection makes sure the platform has it
 * under its id (see pcc.rst, "Migration and snapshots"), so that its
 * answer comes here once.
 */
static int pcc_device_post_load(void *opaque, int version_id)
{
    PccDevice *dev = opaque;
    PccChannel *chan;
    g_autoptr(GByteArray) req = NULL;

    if (!dev->mailbox_request) {
        return 0;
    }
    chan = pcc_device_channel(dev, 0);
    req = dev->platform ? pcc_device_mailbox_read(dev) : NULL;
    if (!req) {
        trace_pcc_mailbox_settled(chan->index, dev->mailbox_request);
        dev->mailbox_request = 0;
        pcc_channel_complete(chan, true);
        return 0;
    }
    trace_pcc_mailbox_resumed(chan->index, dev->mailbox_request);
    pcc_platform_resume_request(dev->platform, dev->mailbox_request,
                                pcc_mailbox_layout(chan), req->data,
                                req->len);
    return 0;
}

/* The transport's kept requests and undelivered messages, if it has any */
static bool pcc_device_platform_needed(void *opaque)
{
    PccDevice *dev = opaque;

    return dev->platform && pcc_platform_held_needed(dev->platform);
}

static int pcc_device_platform_pre_load(void *opaque)
{
    PccDevice *dev = opaque;

    if (!dev->platform) {
        error_report("%s: the migration stream holds platform messages, "
                     "but this device has no platform",
                     object_get_typename(OBJECT(dev)));
        return -EINVAL;
    }
    return 0;
}

static const VMStateDescription vmstate_pcc_device_platform = {
    .name = TYPE_PCC_DEVICE "/platform",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = pcc_device_platform_needed,
    .pre_load = pcc_device_platform_pre_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT_POINTER(platform, PccDevice, vmstate_pcc_platform,
                               PccPlatform),
        VMSTATE_END_OF_LIST()
    },
};

const VMStateDescription vmstate_pcc_device = {
    .name = TYPE_PCC_DEVICE,
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = pcc_device_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT_VARRAY_UINT32(channels, PccDevice, num_channels, 1,
                                     vmstate_pcc_channel, PccChannel),
        VMSTATE_UINT64(mailbox_request, PccDevice),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_pcc_device_platform,
        NULL
    },
};

static const Property pcc_device_properties[] = {
    DEFINE_PROP_UINT32("channel", PccDevice, channel, PCC_CHANNEL_AUTO),
    DEFINE_PROP_UINT32("shmem-size", PccDevice, shmem_size, 0),
    DEFINE_PROP_LINK("platform", PccDevice, platform_link, TYPE_PCC_PLATFORM,
                     PccPlatform *),
    DEFINE_PROP_STRING("spool", PccDevice, spool),
    DEFINE_PROP_STRING("chardev", PccDevice, chardev),
};

static void pcc_device_class_init(ObjectClass *klass, PccClassData *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    dc->bus_type = TYPE_PCC_BUS;
    dc->realize = pcc_device_realize;
    dc->unrealize = pcc_device_unrealize;
    dc->hotpluggable = false;
    dc->vmsd = &vmstate_pcc_device;
    rc->phases.hold = pcc_device_reset_hold;
    rc->phases.exit = pcc_device_reset_exit;
    device_class_set_props(dc, pcc_device_properties);
    object_class_property_set_description(klass, "channel",
        "first PCC subspace index (default: the lowest free run)");
    object_class_property_set_description(klass, "shmem-size",
        "bytes of shared memory per subspace (power of two, 4K-64K; "
        "default: the class's, normally 4K)");
    object_class_property_set_description(klass, "platform",
        "ID of a pcc-platform-* object connecting the device to the "
        "platform");
    object_class_property_set_description(klass, "spool",
        "spool directory shared with the platform (pccd); shorthand for "
        "a pcc-platform-spool");
    object_class_property_set_description(klass, "chardev",
        "chardev connected to the platform (pccd); shorthand for a "
        "pcc-platform-chardev");
}

static const TypeInfo pcc_device_types[] = {
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
};

DEFINE_TYPES(pcc_device_types)
