/*
 * APM X-Gene SLIMpro hardware monitor over PCC
 *
 * One HW-reduced type 2 subspace (generic communication region, platform
 * ack register) carrying SLIMpro messages as Linux's xgene-hwmon driver
 * sends them: the 8-byte generic header followed by three 32-bit words.
 * The subspace is the base device's mailbox: the guest's requests go to
 * the platform (pccd), whose answer is written back into the same shared
 * memory before the command completes. The SSDT describes an APMC0D29
 * device whose _DSD names the subspace with a "pcc-channel" property.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/pcc/pcc-device.h"
#include "hw/pcc/acpi-dev-pcc.h"
#include "pcc-slimpro.h"

#define TYPE_PCC_XGENE_HWMON "pcc-xgene-hwmon"

static void pcc_xgene_hwmon_build_pcct_subspace(AcpiDevPccIf *adev,
                                                uint32_t index,
                                                GArray *table)
{
    static const PccSubspaceTiming timing = {
        .nominal_latency_us = SLIMPRO_NOMINAL_LATENCY_US,
    };

    pcc_build_subspace(table, pcc_device_channel(PCC_DEVICE(adev), 0),
                       &timing);
}

static void pcc_xgene_hwmon_build_ssdt(AcpiDevPccIf *adev, Aml *scope)
{
    PccDevice *dev = PCC_DEVICE(adev);
    Aml *aml_dev = aml_device("XH%02X", dev->channel);

    aml_append(aml_dev, aml_name_decl("_HID", aml_string("APMC0D29")));
    aml_append(aml_dev, aml_name_decl("_UID", aml_int(dev->channel)));
    aml_append(aml_dev, pcc_aml_dsd_int("pcc-channel", dev->channel));
    aml_append(scope, aml_dev);
}

static void pcc_xgene_hwmon_class_init(ObjectClass *klass, PccClassData *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PccDeviceClass *pdc = PCC_DEVICE_CLASS(klass);
    AcpiDevPccIfClass *adevc = ACPI_DEV_PCC_IF_CLASS(klass);

    dc->desc = "APM X-Gene SLIMpro hardware monitor (type 2 subspace)";
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    pdc->num_subspaces = 1;
    /* xgene-hwmon refuses a PCC controller without interrupts */
    pdc->platform_irq = PCC_PLATFORM_IRQ_ON;
    pdc->needs_platform = true;
    pdc->mailbox = true;
    pdc->mailbox_type = PCC_SUBSPACE_HW_REDUCED_TYPE2;
    pdc->mailbox_request_size = SLIMPRO_MSG_SIZE;
    adevc->build_pcct_subspace = pcc_xgene_hwmon_build_pcct_subspace;
    adevc->build_ssdt = pcc_xgene_hwmon_build_ssdt;
}

static const TypeInfo pcc_xgene_hwmon_types[] = {
    {
        .name = TYPE_PCC_XGENE_HWMON,
        .parent = TYPE_PCC_DEVICE,
        .instance_size = sizeof(PccDevice),
        .class_init = pcc_xgene_hwmon_class_init,
    },
};

DEFINE_TYPES(pcc_xgene_hwmon_types)
