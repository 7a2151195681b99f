/*
 * A PCC OperationRegion used by AML (ACPI 6.5, 5.5.2.4.7 and 14.7)
 *
 * One extended initiator subspace (type 3) used as the base device's
 * mailbox, and AML that talks to the platform through an OperationRegion
 * in the PCC address space on it: an ACPI thermal zone whose _TMP asks
 * the platform for the temperature. Linux's drivers/acpi/acpi_pcc.c runs
 * the region: ACPICA buffers the region's fields and, when the AML writes
 * the command field (bytes 12-15 of the region), copies the whole region
 * into the shared memory, rings, waits for the completion interrupt and
 * copies the shared memory back.
 *
 * The region covers the extended communication region from its
 * signature on, as the kernels up to 7.3 copy it; its fields are
 *
 *   0  SIGN  signature (0x50434300 | subspace index)
 *   4  FLGS  flags: 1, notify on completion
 *   8  LENG  length of command and payload: 8
 *   12 COMD  command: 1, read the temperature
 *   16 DATA  the answer: the temperature in tenths of a kelvin
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/pcc/pcc-device.h"
#include "hw/pcc/acpi-dev-pcc.h"

#define TYPE_PCC_OPREGION "pcc-opregion"

#define OPREGION_LENGTH             20
#define OPREGION_CMD_READ_TEMP      1
#define OPREGION_PAYLOAD_LENGTH     8
/* The thermal zone's critical trip, 100 degrees C, in tenths of a kelvin */
#define OPREGION_CRITICAL_DK        3732

/*
 * acpi_pcc waits 500 times the nominal latency for the completion; the
 * platform is a process on the host, so allow it a second.
 */
#define OPREGION_NOMINAL_LATENCY_US 2000

static void pcc_opregion_describe(PccDevice *dev, GString *desc)
{
    g_string_append_printf(desc, "property region-length %u\n",
                           OPREGION_LENGTH);
}

/*
 * ACPICA copies a PCC field's new value from the source operand's buffer
 * as it is: integers must go through a buffer.
 */
static void pcc_opregion_store(Aml *method, uint32_t value, const char *field)
{
    aml_append(method, aml_store(aml_int(value), aml_name("WORD")));
    aml_append(method, aml_store(aml_name("BUFF"), aml_name("%s", field)));
}

static Aml *pcc_opregion_build_tmp(PccDevice *dev)
{
    Aml *method = aml_method("_TMP", 0, AML_SERIALIZED);

    aml_append(method, aml_name_decl("BUFF", aml_buffer(4, NULL)));
    aml_append(method, aml_create_dword_field(aml_name("BUFF"), aml_int(0),
                                              "WORD"));
    pcc_opregion_store(method, PCC_SIGNATURE | dev->channel, "SIGN");
    pcc_opregion_store(method, PCC_EXT_FLAG_NOTIFY_ON_COMPLETION, "FLGS");
    pcc_opregion_store(method, OPREGION_PAYLOAD_LENGTH, "LENG");
    pcc_opregion_store(method, 0, "DATA");
    /* the write to the command field runs the exchange */
    pcc_opregion_store(method, OPREGION_CMD_READ_TEMP, "COMD");
    aml_append(method, aml_return(aml_to_integer(aml_name("DATA"))));
    return method;
}

static void pcc_opregion_build_ssdt(AcpiDevPccIf *adev, Aml *scope)
{
    PccDevice *dev = PCC_DEVICE(adev);
    g_autofree char *region = g_strdup_printf("PR%02X", dev->channel);
    Aml *field = aml_field(region, AML_DWORD_ACC, AML_NOLOCK, AML_PRESERVE);
    Aml *tz = aml_thermal_zone("TZ%02X", dev->channel);
    Aml *crt = aml_method("_CRT", 0, AML_NOTSERIALIZED);

    /* the region's offset is the subspace index (ACPI 6.5 5.5.2.4.7) */
    aml_append(tz, aml_operation_region(region, AML_PCC,
                                        aml_int(dev->channel),
                                        OPREGION_LENGTH));
    aml_append(field, aml_named_field("SIGN", 32));
    aml_append(field, aml_named_field("FLGS", 32));
    aml_append(field, aml_named_field("LENG", 32));
    aml_append(field, aml_named_field("COMD", 32));
    aml_append(field, aml_named_field("DATA", 32));
    aml_append(tz, field);
    aml_append(tz, pcc_opregion_build_tmp(dev));
    aml_append(crt, aml_return(aml_int(OPREGION_CRITICAL_DK)));
    aml_append(tz, crt);
    aml_append(scope, tz);
}

static void pcc_opregion_build_pcct_subspace(AcpiDevPccIf *adev,
                                             uint32_t index, GArray *table)
{
    static const PccSubspaceTiming timing = {
        .nominal_latency_us = OPREGION_NOMINAL_LATENCY_US,
    };

    pcc_build_subspace(table, pcc_device_channel(PCC_DEVICE(adev), 0),
                       &timing);
}

static void pcc_opregion_class_init(ObjectClass *klass, PccClassData *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PccDeviceClass *pdc = PCC_DEVICE_CLASS(klass);
    AcpiDevPccIfClass *adevc = ACPI_DEV_PCC_IF_CLASS(klass);

    dc->desc = "PCC OperationRegion behind an ACPI thermal zone (type 3)";
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    pdc->num_subspaces = 1;
    /* acpi_pcc refuses a channel without the completion interrupt */
    pdc->platform_irq = PCC_PLATFORM_IRQ_ON;
    pdc->needs_platform = true;
    pdc->mailbox = true;
    pdc->mailbox_type = PCC_SUBSPACE_EXT_INITIATOR;
    pdc->mailbox_request_size = OPREGION_LENGTH;
    pdc->describe = pcc_opregion_describe;
    adevc->build_pcct_subspace = pcc_opregion_build_pcct_subspace;
    adevc->build_ssdt = pcc_opregion_build_ssdt;
}

static const TypeInfo pcc_opregion_types[] = {
    {
        .name = TYPE_PCC_OPREGION,
        .parent = TYPE_PCC_DEVICE,
        .instance_size = sizeof(PccDevice),
        .class_init = pcc_opregion_class_init,
    },
};

DEFINE_TYPES(pcc_opregion_types)
