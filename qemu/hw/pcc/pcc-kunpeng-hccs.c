/*
 * HiSilicon Kunpeng HCCS (the links between chips) over PCC
 *
 * For Linux's kunpeng_hccs: a HISI04B1 or HISI04B2 device whose _CRS
 * names its subspace with a PCC Generic Register (access size = index),
 * on one subspace used as the base device's mailbox. The driver insists
 * on exactly 64 bytes of communication region:
 *
 *   variant b1  HISI04B1: a generic subspace (type 0), polled; the driver
 *               refuses a PCCT with the platform interrupt flag set
 *   variant b2  HISI04B2: an extended initiator (type 3) completing with
 *               an interrupt; the flag must be set
 *
 * The platform (pccd) answers the driver's commands about the chips,
 * dies and ports in place.
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

#define TYPE_PCC_KUNPENG_HCCS "pcc-kunpeng-hccs"
OBJECT_DECLARE_SIMPLE_TYPE(PccKunpengHccs, PCC_KUNPENG_HCCS)

#define HCCS_SHMEM_SIZE             64
/* the driver waits 500 times the nominal latency: allow a second */
#define HCCS_NOMINAL_LATENCY_US     2000

struct PccKunpengHccs {
    PccDevice parent_obj;

    /* property */
    char *variant;
    bool b2;
};

static bool pcc_kunpeng_hccs_prepare(PccDevice *dev, Error **errp)
{
    PccKunpengHccs *s = PCC_KUNPENG_HCCS(dev);
    PccHost *host = PCC_HOST(qdev_get_parent_bus(DEVICE(dev))->parent);
    bool irq = pcc_host_platform_interrupt(host);

    if (!s->variant || (strcmp(s->variant, "b1") &&
                        strcmp(s->variant, "b2"))) {
        error_setg(errp, "variant '%s': give b1 (HISI04B1) or b2 "
                   "(HISI04B2)", s->variant ? s->variant : "");
        return false;
    }
    s->b2 = !strcmp(s->variant, "b2");
    if (s->b2 && !irq) {
        error_setg(errp, "variant b2 needs the PCCT platform interrupt "
                   "flag, but the PCC host has platform-interrupt=off");
        return false;
    }
    if (!s->b2 && irq) {
        error_setg(errp, "variant b1 needs the PCCT platform interrupt flag "
                   "clear (its driver refuses it): use -global "
                   "pcc-host.platform-interrupt=off");
        return false;
    }
    dev->mailbox_type = s->b2 ? PCC_SUBSPACE_EXT_INITIATOR :
                                PCC_SUBSPACE_GENERIC;
    return true;
}

static void pcc_kunpeng_hccs_describe(PccDevice *dev, GString *desc)
{
    g_string_append_printf(desc, "property variant %s\n",
                           PCC_KUNPENG_HCCS(dev)->variant);
}

static void pcc_kunpeng_hccs_build_ssdt(AcpiDevPccIf *adev, Aml *scope)
{
    PccDevice *dev = PCC_DEVICE(adev);
    Aml *aml_dev = aml_device("HC%02X", dev->channel);

    aml_append(aml_dev, aml_name_decl("_HID", aml_string(
        PCC_KUNPENG_HCCS(dev)->b2 ? "HISI04B2" : "HISI04B1")));
    aml_append(aml_dev, aml_name_decl("_UID", aml_int(dev->channel)));
    aml_append(aml_dev, pcc_aml_crs_register(dev->channel));
    aml_append(scope, aml_dev);
}

static void pcc_kunpeng_hccs_build_pcct_subspace(AcpiDevPccIf *adev,
                                                 uint32_t index,
                                                 GArray *table)
{
    static const PccSubspaceTiming timing = {
        .nominal_latency_us = HCCS_NOMINAL_LATENCY_US,
    };

    pcc_build_subspace(table, pcc_device_channel(PCC_DEVICE(adev), 0),
                       &timing);
}

static const Property pcc_kunpeng_hccs_properties[] = {
    DEFINE_PROP_STRING("variant", PccKunpengHccs, variant),
};

static void pcc_kunpeng_hccs_class_init(ObjectClass *klass,
                                        PccClassData *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PccDeviceClass *pdc = PCC_DEVICE_CLASS(klass);
    AcpiDevPccIfClass *adevc = ACPI_DEV_PCC_IF_CLASS(klass);

    dc->desc = "HiSilicon Kunpeng HCCS (variant b1: HISI04B1, b2: "
               "HISI04B2)";
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    device_class_set_props(dc, pcc_kunpeng_hccs_properties);
    object_class_property_set_description(klass, "variant",
        "b1 (HISI04B1, polled type 0) or b2 (HISI04B2, type 3 with "
        "interrupts)");
    pdc->num_subspaces = 1;
    /* b1 needs the flag clear, b2 set: checked in prepare */
    pdc->platform_irq = PCC_PLATFORM_IRQ_ANY;
    pdc->needs_platform = true;
    pdc->default_shmem_size = HCCS_SHMEM_SIZE;
    pdc->fixed_shmem_size = true;
    pdc->mailbox = true;
    pdc->prepare = pcc_kunpeng_hccs_prepare;
    pdc->describe = pcc_kunpeng_hccs_describe;
    adevc->build_pcct_subspace = pcc_kunpeng_hccs_build_pcct_subspace;
    adevc->build_ssdt = pcc_kunpeng_hccs_build_ssdt;
}

static const TypeInfo pcc_kunpeng_hccs_types[] = {
    {
        .name = TYPE_PCC_KUNPENG_HCCS,
        .parent = TYPE_PCC_DEVICE,
        .instance_size = sizeof(PccKunpengHccs),
        .class_init = pcc_kunpeng_hccs_class_init,
    },
};

DEFINE_TYPES(pcc_kunpeng_hccs_types)
