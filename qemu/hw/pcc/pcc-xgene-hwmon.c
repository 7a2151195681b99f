/*
 * APM X-Gene SLIMpro hardware monitor over PCC
 *
 * One HW-reduced type 2 subspace (generic communication region, platform
 * ack register) carrying SLIMpro messages as Linux's xgene-hwmon driver
 * sends them: the 8-byte generic header followed by three 32-bit words.
 * The guest's requests go to the platform (pccd), whose answer is written
 * back into the same shared memory before the command completes. The SSDT
 * describes an APMC0D29 device whose _DSD names the subspace with a
 * "pcc-channel" property.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qapi/error.h"
#include "hw/pcc/pcc-bus.h"
#include "hw/pcc/acpi-dev-pcc.h"
#include "migration/vmstate.h"
#include "trace.h"

#define TYPE_PCC_XGENE_HWMON "pcc-xgene-hwmon"
OBJECT_DECLARE_SIMPLE_TYPE(PccXgeneHwmon, PCC_XGENE_HWMON)

/* A SLIMpro message: three little-endian 32-bit words */
#define XGENE_MSG_WORDS         3
#define XGENE_MSG_SIZE          (PCC_GEN_HDR_SIZE + XGENE_MSG_WORDS * 4)

/* ACPI device properties UUID (Documentation/firmware-guide/acpi/DSD) */
#define ACPI_DSD_PROPERTIES_UUID "DAFFD814-6EBA-4D8C-8A91-BC9BBF4AA301"

struct PccXgeneHwmon {
    PccDevice parent_obj;

    /* a request is with the platform and the guest waits for its answer */
    bool request_pending;
};

static void pcc_xgene_hwmon_doorbell(PccChannel *chan, void *opaque)
{
    PccXgeneHwmon *s = opaque;
    PccDevice *dev = PCC_DEVICE(s);
    uint8_t msg[XGENE_MSG_SIZE];

    if (s->request_pending) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "pcc-xgene-hwmon: subspace %u: doorbell while the "
                      "previous request is still pending\n", chan->index);
        return;
    }
    pcc_channel_read(chan, 0, msg, sizeof(msg));
    trace_pcc_xgene_hwmon_request(chan->index, ldl_le_p(msg + 8),
                                  ldl_le_p(msg + 12));
    if (!pcc_backend_send(dev->backend, PCC_MSG_REQUEST, PCC_LAYOUT_GENERIC,
                          msg, sizeof(msg))) {
        pcc_channel_complete(chan, true);
        return;
    }
    s->request_pending = true;
}

static const PccChannelOps pcc_xgene_hwmon_ops = {
    .doorbell = pcc_xgene_hwmon_doorbell,
};

static bool pcc_xgene_hwmon_can_receive(PccDevice *dev)
{
    return PCC_XGENE_HWMON(dev)->request_pending;
}

/* The platform's answer: the SLIMpro words go back into shared memory */
static bool pcc_xgene_hwmon_receive(PccDevice *dev, PccMsgKind kind,
                                    const uint8_t *buf, size_t len)
{
    PccXgeneHwmon *s = PCC_XGENE_HWMON(dev);
    PccChannel *chan = pcc_device_channel(dev, 0);

    if (kind != PCC_MSG_RESPONSE || len != XGENE_MSG_SIZE) {
        return false;
    }
    pcc_channel_write(chan, PCC_GEN_HDR_SIZE, buf + PCC_GEN_HDR_SIZE,
                      XGENE_MSG_WORDS * 4);
    s->request_pending = false;
    trace_pcc_xgene_hwmon_response(chan->index, ldl_le_p(buf + 8),
                                   ldl_le_p(buf + 12));
    pcc_channel_complete(chan, false);
    return true;
}

static void pcc_xgene_hwmon_realize(PccDevice *dev, Error **errp)
{
    pcc_channel_init(pcc_device_channel(dev, 0), OBJECT(dev), dev->host,
                     dev->channel, PCC_SUBSPACE_HW_REDUCED_TYPE2,
                     dev->shmem_size, &pcc_xgene_hwmon_ops, dev);
}

static void pcc_xgene_hwmon_reset(PccDevice *dev)
{
    PCC_XGENE_HWMON(dev)->request_pending = false;
}

/*
 * xgene-hwmon waits 500 times the nominal latency for an answer; the
 * platform is a process on the host, so allow it a second.
 */
static void pcc_xgene_hwmon_build_pcct_subspace(AcpiDevPccIf *adev,
                                                uint32_t index,
                                                GArray *table)
{
    static const PccSubspaceTiming timing = {
        .nominal_latency_us = 2000,
    };

    pcc_build_subspace(table, pcc_device_channel(PCC_DEVICE(adev), 0),
                       &timing);
}

static void pcc_xgene_hwmon_build_ssdt(AcpiDevPccIf *adev, Aml *scope)
{
    PccDevice *dev = PCC_DEVICE(adev);
    Aml *aml_dev = aml_device("XH%02X", dev->channel);
    Aml *dsd = aml_package(2);
    Aml *props = aml_package(1);
    Aml *prop = aml_package(2);

    aml_append(aml_dev, aml_name_decl("_HID", aml_string("APMC0D29")));
    aml_append(aml_dev, aml_name_decl("_UID", aml_int(dev->channel)));
    aml_append(prop, aml_string("pcc-channel"));
    aml_append(prop, aml_int(dev->channel));
    aml_append(props, prop);
    aml_append(dsd, aml_touuid(ACPI_DSD_PROPERTIES_UUID));
    aml_append(dsd, props);
    aml_append(aml_dev, aml_name_decl("_DSD", dsd));
    aml_append(scope, aml_dev);
}

static const VMStateDescription vmstate_pcc_xgene_hwmon = {
    .name = TYPE_PCC_XGENE_HWMON,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_PCC_CHANNEL(parent_obj.channels[0], PccXgeneHwmon),
        VMSTATE_BOOL(request_pending, PccXgeneHwmon),
        VMSTATE_END_OF_LIST()
    },
};

static void pcc_xgene_hwmon_class_init(ObjectClass *klass, PccClassData *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PccDeviceClass *pdc = PCC_DEVICE_CLASS(klass);
    AcpiDevPccIfClass *adevc = ACPI_DEV_PCC_IF_CLASS(klass);

    dc->desc = "APM X-Gene SLIMpro hardware monitor (type 2 subspace)";
    dc->vmsd = &vmstate_pcc_xgene_hwmon;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    pdc->num_subspaces = 1;
    /* xgene-hwmon refuses a PCC controller without interrupts */
    pdc->platform_irq = PCC_PLATFORM_IRQ_ON;
    pdc->needs_backend = true;
    pdc->realize = pcc_xgene_hwmon_realize;
    pdc->reset = pcc_xgene_hwmon_reset;
    pdc->can_receive = pcc_xgene_hwmon_can_receive;
    pdc->receive = pcc_xgene_hwmon_receive;
    adevc->build_pcct_subspace = pcc_xgene_hwmon_build_pcct_subspace;
    adevc->build_ssdt = pcc_xgene_hwmon_build_ssdt;
}

static const TypeInfo pcc_xgene_hwmon_types[] = {
    {
        .name = TYPE_PCC_XGENE_HWMON,
        .parent = TYPE_PCC_DEVICE,
        .instance_size = sizeof(PccXgeneHwmon),
        .class_init = pcc_xgene_hwmon_class_init,
    },
};

DEFINE_TYPES(pcc_xgene_hwmon_types)
