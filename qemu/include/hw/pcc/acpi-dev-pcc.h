/*
 * AcpiDevPccIf: what a PCC device contributes to the ACPI tables
 *
 * Modelled on AcpiDevAmlIf: each device on the PCC bus describes its own
 * PCCT subspaces and its own SSDT fragment; the machine's ACPI builder
 * walks the bus (pcc_build_acpi) and adds a PCCT and an SSDT only when
 * the bus has children.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_PCC_ACPI_DEV_PCC_H
#define HW_PCC_ACPI_DEV_PCC_H

#include "qom/object.h"
#include "hw/acpi/aml-build.h"
#include "hw/acpi/bios-linker-loader.h"
#include "hw/pcc/pcc-channel.h"
#include "hw/pcc/pcc-host.h"

#define TYPE_ACPI_DEV_PCC_IF "acpi-dev-pcc-interface"
typedef struct AcpiDevPccIfClass AcpiDevPccIfClass;
DECLARE_CLASS_CHECKERS(AcpiDevPccIfClass, ACPI_DEV_PCC_IF,
                       TYPE_ACPI_DEV_PCC_IF)
#define ACPI_DEV_PCC_IF(obj) \
    INTERFACE_CHECK(AcpiDevPccIf, (obj), TYPE_ACPI_DEV_PCC_IF)

typedef struct AcpiDevPccIf AcpiDevPccIf;

/**
 * AcpiDevPccIfClass:
 *
 * build_pcct_subspace: append the PCCT subtable of subspace @index, one of
 *                      the device's own, to @table; optional: without it
 *                      the subtable is built from the channel alone
 * build_ssdt: append the device's AML objects to @scope (\_SB)
 */
struct AcpiDevPccIfClass {
    /* <private> */
    InterfaceClass parent_class;

    /* <public> */
    void (*build_pcct_subspace)(AcpiDevPccIf *dev, uint32_t index,
                                GArray *table);
    void (*build_ssdt)(AcpiDevPccIf *dev, Aml *scope);
};

/* PCCT subtable builders with named fields, for devices to use */
typedef struct PccSubspaceTiming {
    uint32_t nominal_latency_us;
    uint32_t max_periodic_access_rate;
    uint32_t min_request_turnaround_us;
} PccSubspaceTiming;

void pcc_build_subspace(GArray *table, const PccChannel *chan,
                        const PccSubspaceTiming *timing);

/* A _DSD object with one device property @name (DSD UUID) */
Aml *pcc_aml_dsd(const char *name, Aml *value);
Aml *pcc_aml_dsd_int(const char *name, uint64_t value);

/* A _CRS naming subspace @index with a PCC Generic Register descriptor */
Aml *pcc_aml_crs_register(uint32_t index);

/* Machine glue: the PCCT and the SSDT, if the bus has any device */
void pcc_build_acpi(PccHost *host, GArray *table_offsets, GArray *table_data,
                    BIOSLinker *linker, const char *oem_id,
                    const char *oem_table_id);

#endif
