/*
 * A raw PCC subspace for tests: no protocol, any type
 *
 * One subspace of the type "subspace-type" names, for testing Linux's
 * drivers/mailbox/pcc.c itself through a client that carries no protocol
 * (the qemu-pcc lab's pcc_raw module). Types 0 to 3 are mailboxes: the
 * guest writes a message and rings, the platform (pccd's echo
 * personality, a rules file) answers in the same shared memory, in the
 * generic layout for types 0 to 2 and the extended one for type 3. Type
 * 4 is a responder: the platform posts notifications (pccd send) and the
 * guest acknowledges them. The SSDT describes a QEMU0CC0 device whose
 * _DSD gives the subspace index and type.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "hw/pcc/pcc-device.h"
#include "hw/pcc/acpi-dev-pcc.h"
#include "trace.h"

#define TYPE_PCC_RAW "pcc-raw"
OBJECT_DECLARE_SIMPLE_TYPE(PccRaw, PCC_RAW)

struct PccRaw {
    PccDevice parent_obj;

    /* properties */
    uint8_t type;
    uint32_t latency_us;
};

static PccChannel *pcc_raw_channel(PccRaw *s)
{
    return pcc_device_channel(PCC_DEVICE(s), 0);
}

static bool pcc_raw_prepare(PccDevice *dev, Error **errp)
{
    PccRaw *s = PCC_RAW(dev);
    PccHost *host = PCC_HOST(qdev_get_parent_bus(DEVICE(dev))->parent);

    if (s->type > PCC_SUBSPACE_EXT_RESPONDER) {
        error_setg(errp, "subspace-type %u: a PCC subspace type from 0 "
                   "to 4", s->type);
        return false;
    }
    if (s->type == PCC_SUBSPACE_EXT_RESPONDER &&
        !pcc_host_platform_interrupt(host)) {
        error_setg(errp, "subspace-type 4 needs the PCCT platform "
                   "interrupt flag (Linux rejects the PCCT otherwise), but "
                   "the PCC host has platform-interrupt=off");
        return false;
    }
    if (!s->latency_us) {
        error_setg(errp, "latency-us 0: Linux's clients then wait forever "
                   "or not at all; give the nominal latency in "
                   "microseconds");
        return false;
    }
    dev->mailbox = s->type != PCC_SUBSPACE_EXT_RESPONDER;
    dev->mailbox_type = s->type;
    return true;
}

/* Type 4: the guest consumed the last notification; offer the next one */
static void pcc_raw_consumed(PccChannel *chan, void *opaque)
{
    PccDevice *dev = opaque;

    pcc_platform_kick(dev->platform);
}

static const PccChannelOps pcc_raw_responder_ops = {
    .consumed = pcc_raw_consumed,
};

static bool pcc_raw_realize(PccDevice *dev, Error **errp)
{
    if (dev->mailbox) {
        return true;
    }
    return pcc_device_init_channel(dev, 0, PCC_SUBSPACE_EXT_RESPONDER,
                                   &pcc_raw_responder_ops, errp);
}

static bool pcc_raw_can_receive(PccDevice *dev)
{
    return pcc_channel_responder_free(pcc_raw_channel(PCC_RAW(dev)));
}

static bool pcc_raw_receive(PccDevice *dev, const PccPlatformMsg *msg)
{
    PccChannel *chan = pcc_raw_channel(PCC_RAW(dev));

    if (msg->layout != PCC_LAYOUT_EXTENDED || msg->len < PCC_EXT_HDR_SIZE ||
        msg->len > chan->shmem_size ||
        ldl_le_p(msg->data + PCC_EXT_HDR_LENGTH) !=
        msg->len - PCC_EXT_MSG_OVERHEAD) {
        return false;
    }
    return pcc_channel_notify(chan, msg->data, msg->len);
}

static void pcc_raw_describe(PccDevice *dev, GString *desc)
{
    g_string_append_printf(desc, "property subspace-type %u\n",
                           PCC_RAW(dev)->type);
}

static void pcc_raw_build_ssdt(AcpiDevPccIf *adev, Aml *scope)
{
    PccDevice *dev = PCC_DEVICE(adev);
    Aml *aml_dev = aml_device("RW%02X", dev->channel);

    aml_append(aml_dev, aml_name_decl("_HID", aml_string("QEMU0CC0")));
    aml_append(aml_dev, aml_name_decl("_UID", aml_int(dev->channel)));
    aml_append(aml_dev, pcc_aml_dsd_int("pcc-channel", dev->channel));
    aml_append(scope, aml_dev);
}

static void pcc_raw_build_pcct_subspace(AcpiDevPccIf *adev, uint32_t index,
                                        GArray *table)
{
    PccSubspaceTiming timing = {
        .nominal_latency_us = PCC_RAW(adev)->latency_us,
    };

    pcc_build_subspace(table, pcc_device_channel(PCC_DEVICE(adev), 0),
                       &timing);
}

static const Property pcc_raw_properties[] = {
    DEFINE_PROP_UINT8("subspace-type", PccRaw, type,
                      PCC_SUBSPACE_HW_REDUCED_TYPE2),
    DEFINE_PROP_UINT32("latency-us", PccRaw, latency_us, 1000),
};

static void pcc_raw_class_init(ObjectClass *klass, PccClassData *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PccDeviceClass *pdc = PCC_DEVICE_CLASS(klass);
    AcpiDevPccIfClass *adevc = ACPI_DEV_PCC_IF_CLASS(klass);

    dc->desc = "A raw PCC subspace of any type, for tests (QEMU0CC0)";
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    device_class_set_props(dc, pcc_raw_properties);
    object_class_property_set_description(klass, "subspace-type",
        "PCC subspace type, 0 to 4 (0-3 answered in place, 4 takes "
        "notifications)");
    object_class_property_set_description(klass, "latency-us",
        "the PCCT's nominal latency, in microseconds");
    pdc->num_subspaces = 1;
    pdc->platform_irq = PCC_PLATFORM_IRQ_ANY;
    pdc->needs_platform = true;
    pdc->prepare = pcc_raw_prepare;
    pdc->realize = pcc_raw_realize;
    pdc->can_receive = pcc_raw_can_receive;
    pdc->receive = pcc_raw_receive;
    pdc->describe = pcc_raw_describe;
    adevc->build_pcct_subspace = pcc_raw_build_pcct_subspace;
    adevc->build_ssdt = pcc_raw_build_ssdt;
}

static const TypeInfo pcc_raw_types[] = {
    {
        .name = TYPE_PCC_RAW,
        .parent = TYPE_PCC_DEVICE,
        .instance_size = sizeof(PccRaw),
        .class_init = pcc_raw_class_init,
    },
};

DEFINE_TYPES(pcc_raw_types)
