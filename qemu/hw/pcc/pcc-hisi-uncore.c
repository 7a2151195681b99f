/*
 * HiSilicon uncore frequency scaling over PCC
 *
 * For Linux's hisi_uncore_freq (devfreq): a HISI04F1 device whose _CRS
 * names its subspace with a PCC Generic Register (access size = index)
 * and whose _DSD "related-package" lists the physical packages whose
 * uncore it scales (all sockets of the machine), on one type 2 subspace
 * used as the base device's mailbox. A message is 16 bytes: the generic
 * header, four bytes the driver leaves as they are, and a 32-bit datum;
 * the driver polls the status. The platform (pccd) answers the
 * frequency table, the current frequency and the mode.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/boards.h"
#include "hw/pcc/pcc-device.h"
#include "hw/pcc/acpi-dev-pcc.h"

#define TYPE_PCC_HISI_UNCORE "pcc-hisi-uncore"

#define UNCORE_MSG_SIZE             16
/* the driver polls for latency x 1000 microseconds: allow a second */
#define UNCORE_NOMINAL_LATENCY_US   1000

static void pcc_hisi_uncore_build_ssdt(AcpiDevPccIf *adev, Aml *scope)
{
    PccDevice *dev = PCC_DEVICE(adev);
    unsigned sockets = MACHINE(qdev_get_machine())->smp.sockets, i;
    Aml *aml_dev = aml_device("UN%02X", dev->channel);
    Aml *packages = aml_package(sockets);

    for (i = 0; i < sockets; i++) {
        aml_append(packages, aml_int(i));
    }
    aml_append(aml_dev, aml_name_decl("_HID", aml_string("HISI04F1")));
    aml_append(aml_dev, aml_name_decl("_UID", aml_int(dev->channel)));
    aml_append(aml_dev, pcc_aml_crs_register(dev->channel));
    aml_append(aml_dev, pcc_aml_dsd("related-package", packages));
    aml_append(scope, aml_dev);
}

static void pcc_hisi_uncore_build_pcct_subspace(AcpiDevPccIf *adev,
                                                uint32_t index,
                                                GArray *table)
{
    static const PccSubspaceTiming timing = {
        .nominal_latency_us = UNCORE_NOMINAL_LATENCY_US,
    };

    pcc_build_subspace(table, pcc_device_channel(PCC_DEVICE(adev), 0),
                       &timing);
}

static void pcc_hisi_uncore_class_init(ObjectClass *klass,
                                       PccClassData *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PccDeviceClass *pdc = PCC_DEVICE_CLASS(klass);
    AcpiDevPccIfClass *adevc = ACPI_DEV_PCC_IF_CLASS(klass);

    dc->desc = "HiSilicon uncore frequency scaling (HISI04F1, type 2)";
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    pdc->num_subspaces = 1;
    /* the driver polls: the interrupt may be there or not */
    pdc->platform_irq = PCC_PLATFORM_IRQ_ANY;
    pdc->needs_platform = true;
    pdc->mailbox = true;
    pdc->mailbox_type = PCC_SUBSPACE_HW_REDUCED_TYPE2;
    pdc->mailbox_request_size = UNCORE_MSG_SIZE;
    adevc->build_pcct_subspace = pcc_hisi_uncore_build_pcct_subspace;
    adevc->build_ssdt = pcc_hisi_uncore_build_ssdt;
}

static const TypeInfo pcc_hisi_uncore_types[] = {
    {
        .name = TYPE_PCC_HISI_UNCORE,
        .parent = TYPE_PCC_DEVICE,
        .instance_size = sizeof(PccDevice),
        .class_init = pcc_hisi_uncore_class_init,
    },
};

DEFINE_TYPES(pcc_hisi_uncore_types)
