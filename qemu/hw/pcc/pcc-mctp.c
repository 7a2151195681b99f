/*
 * MCTP over PCC (DMTF DSP0292) endpoint
 *
 * Two subspaces: an extended initiator (type 3, the "outbox") at index
 * 'channel' that carries the guest's MCTP packets to the platform, and an
 * extended responder (type 4, the "inbox") at 'channel' + 1 that carries
 * the platform's packets to the guest. The SSDT describes the endpoint as
 * a DMT0001 device whose _CRS names both subspaces, outbox first; this is
 * what Linux's mctp-pcc driver parses.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qapi/error.h"
#include "hw/pcc/pcc-device.h"
#include "hw/pcc/acpi-dev-pcc.h"
#include "trace.h"

#define TYPE_PCC_MCTP "pcc-mctp"
OBJECT_DECLARE_SIMPLE_TYPE(PccMctp, PCC_MCTP)

/* DSP0292: the PCC command of an MCTP packet is "MCTP" */
#define PCC_MCTP_COMMAND    0x5054434du

enum {
    PCC_MCTP_OUTBOX = 0,
    PCC_MCTP_INBOX = 1,
    PCC_MCTP_NUM_SUBSPACES,
};

struct PccMctp {
    PccDevice parent_obj;
};

static PccChannel *pcc_mctp_inbox(PccMctp *s)
{
    return pcc_device_channel(PCC_DEVICE(s), PCC_MCTP_INBOX);
}

/* Outbox doorbell: hand the guest's message to the platform */
static void pcc_mctp_outbox_doorbell(PccChannel *chan, void *opaque)
{
    PccDevice *dev = opaque;
    uint8_t hdr[PCC_EXT_HDR_SIZE];
    uint32_t length;
    size_t msg_len;
    g_autofree uint8_t *msg = NULL;

    pcc_channel_read(chan, 0, hdr, sizeof(hdr));
    length = ldl_le_p(hdr + PCC_EXT_HDR_LENGTH);
    if (length < PCC_EXT_HDR_SIZE - PCC_EXT_MSG_OVERHEAD ||
        length > chan->shmem_size - PCC_EXT_MSG_OVERHEAD) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "pcc-mctp: subspace %u: message length %u does not "
                      "fit %u bytes of shared memory (needs 4..%u)\n",
                      chan->index, length, chan->shmem_size,
                      chan->shmem_size - PCC_EXT_MSG_OVERHEAD);
        pcc_channel_complete(chan, true);
        return;
    }
    if (ldl_le_p(hdr + PCC_EXT_HDR_COMMAND) != PCC_MCTP_COMMAND) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "pcc-mctp: subspace %u: command 0x%08x is not "
                      "\"MCTP\"; passing it on\n", chan->index,
                      ldl_le_p(hdr + PCC_EXT_HDR_COMMAND));
    }
    msg_len = PCC_EXT_MSG_OVERHEAD + length;
    msg = g_malloc(msg_len);
    pcc_channel_read(chan, 0, msg, msg_len);
    trace_pcc_mctp_tx(chan->index, length);
    pcc_channel_complete(chan, !pcc_platform_send(dev->platform,
                                                  PCC_MSG_REQUEST,
                                                  PCC_LAYOUT_EXTENDED,
                                                  msg, msg_len));
}

static const PccChannelOps pcc_mctp_outbox_ops = {
    .doorbell = pcc_mctp_outbox_doorbell,
};

/* Inbox: the guest consumed the last message; offer the next one */
static void pcc_mctp_inbox_consumed(PccChannel *chan, void *opaque)
{
    PccDevice *dev = opaque;

    pcc_platform_kick(dev->platform);
}

static const PccChannelOps pcc_mctp_inbox_ops = {
    .consumed = pcc_mctp_inbox_consumed,
};

static bool pcc_mctp_can_receive(PccDevice *dev)
{
    return pcc_channel_responder_free(pcc_mctp_inbox(PCC_MCTP(dev)));
}

static bool pcc_mctp_receive(PccDevice *dev, const PccPlatformMsg *msg)
{
    PccChannel *inbox = pcc_mctp_inbox(PCC_MCTP(dev));
    uint32_t length;

    if (msg->layout != PCC_LAYOUT_EXTENDED || msg->len < PCC_EXT_HDR_SIZE ||
        msg->len > inbox->shmem_size) {
        return false;
    }
    /* the header's length must agree with what arrived */
    length = ldl_le_p(msg->data + PCC_EXT_HDR_LENGTH);
    if (length != msg->len - PCC_EXT_MSG_OVERHEAD) {
        return false;
    }
    trace_pcc_mctp_rx(inbox->index, msg->kind, length);
    return pcc_channel_notify(inbox, msg->data, msg->len);
}

static bool pcc_mctp_realize(PccDevice *dev, Error **errp)
{
    return pcc_device_init_channel(dev, PCC_MCTP_OUTBOX,
                                   PCC_SUBSPACE_EXT_INITIATOR,
                                   &pcc_mctp_outbox_ops, errp) &&
           pcc_device_init_channel(dev, PCC_MCTP_INBOX,
                                   PCC_SUBSPACE_EXT_RESPONDER,
                                   &pcc_mctp_inbox_ops, errp);
}

static void pcc_mctp_build_ssdt(AcpiDevPccIf *adev, Aml *scope)
{
    PccDevice *dev = PCC_DEVICE(adev);
    Aml *aml_dev = aml_device("MC%02X", dev->channel);
    Aml *crs = aml_resource_template();

    aml_append(aml_dev, aml_name_decl("_HID", aml_string("DMT0001")));
    aml_append(aml_dev, aml_name_decl("_UID", aml_int(dev->channel)));
    aml_append(crs, aml_dword_pcc(dev->channel + PCC_MCTP_OUTBOX));
    aml_append(crs, aml_dword_pcc(dev->channel + PCC_MCTP_INBOX));
    aml_append(aml_dev, aml_name_decl("_CRS", crs));
    aml_append(scope, aml_dev);
}

static void pcc_mctp_class_init(ObjectClass *klass, PccClassData *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PccDeviceClass *pdc = PCC_DEVICE_CLASS(klass);
    AcpiDevPccIfClass *adevc = ACPI_DEV_PCC_IF_CLASS(klass);

    dc->desc = "MCTP over PCC (DSP0292) endpoint: outbox at 'channel', "
               "inbox at 'channel'+1";
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    pdc->num_subspaces = PCC_MCTP_NUM_SUBSPACES;
    /* a type 4 subspace needs the platform interrupt (Linux pcc.c) */
    pdc->platform_irq = PCC_PLATFORM_IRQ_ON;
    pdc->needs_platform = true;
    pdc->realize = pcc_mctp_realize;
    pdc->can_receive = pcc_mctp_can_receive;
    pdc->receive = pcc_mctp_receive;
    adevc->build_ssdt = pcc_mctp_build_ssdt;
}

static const TypeInfo pcc_mctp_types[] = {
    {
        .name = TYPE_PCC_MCTP,
        .parent = TYPE_PCC_DEVICE,
        .instance_size = sizeof(PccMctp),
        .class_init = pcc_mctp_class_init,
    },
};

DEFINE_TYPES(pcc_mctp_types)
