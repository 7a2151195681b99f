/*
 * ACPI Platform Communication Channel (PCC): PCCT and SSDT builders
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/module.h"
#include "hw/acpi/aml-build.h"
#include "hw/pcc/pcc-device.h"
#include "hw/pcc/acpi-dev-pcc.h"
#include "trace.h"

/* ACPI device properties UUID (Documentation/firmware-guide/acpi/DSD) */
#define ACPI_DSD_PROPERTIES_UUID "DAFFD814-6EBA-4D8C-8A91-BC9BBF4AA301"

/* ACPI 6.5, 14.1.1: PCCT flags */
#define PCCT_FLAG_PLATFORM_INTERRUPT    (1u << 0)
/* ACPI 6.5, 14.1.3: platform interrupt flags of a subspace */
#define PCCT_IRQ_FLAG_ACTIVE_LOW        (1u << 0)
#define PCCT_IRQ_FLAG_EDGE              (1u << 1)

/* Subtable lengths, ACPI 6.5 tables 14.4, 14.6, 14.7, 14.8 */
#define PCCT_GENERIC_SUBSPACE_LEN       62
#define PCCT_HW_REDUCED_SUBSPACE_LEN    62
#define PCCT_HW_REDUCED_TYPE2_LEN       90
#define PCCT_EXTENDED_SUBSPACE_LEN      164

/* The register a GAS in the PCCT points at */
typedef struct PccRegister {
    hwaddr address;
    uint64_t preserve_mask;
    uint64_t write_mask;
} PccRegister;

static void pcct_append_gas(GArray *table, hwaddr address)
{
    build_append_gas(table, AML_AS_SYSTEM_MEMORY, PCC_REG_BIT_WIDTH, 0,
                     AML_DWORD_ACC, address);
}

static void pcct_append_register(GArray *table, const PccRegister *reg)
{
    pcct_append_gas(table, reg->address);
    build_append_int_noprefix(table, reg->preserve_mask, 8);
    build_append_int_noprefix(table, reg->write_mask, 8);
}

/* Types 0, 1, 2: ACPI 6.5, tables 14.4, 14.6 and 14.7 */
static void pcct_build_generic_subspace(GArray *table, const PccChannel *chan,
                                        const PccSubspaceTiming *timing)
{
    PccRegister doorbell = {
        .address = pcc_channel_reg_addr(chan, PCC_REG_DOORBELL),
        .preserve_mask = 0,
        .write_mask = PCC_REG_BIT,
    };
    bool with_irq = chan->type != PCC_SUBSPACE_GENERIC;
    unsigned len = chan->type == PCC_SUBSPACE_HW_REDUCED_TYPE2 ?
                   PCCT_HW_REDUCED_TYPE2_LEN : PCCT_GENERIC_SUBSPACE_LEN;
    unsigned start = table->len;

    build_append_int_noprefix(table, chan->type, 1);         /* Type */
    build_append_int_noprefix(table, len, 1);                /* Length */
    if (with_irq) {
        /*
         * Platform Interrupt: GSI, active high; level triggered, but for
         * type 1, which has no ack register and so an edge (Linux pcc.c)
         */
        build_append_int_noprefix(table, pcc_channel_gsi(chan), 4);
        build_append_int_noprefix(table,
                                  chan->type == PCC_SUBSPACE_HW_REDUCED ?
                                  PCCT_IRQ_FLAG_EDGE : 0, 1);
        build_append_int_noprefix(table, 0, 1);   /* Reserved */
    } else {
        build_append_int_noprefix(table, 0, 6);   /* Reserved */
    }
    build_append_int_noprefix(table, pcc_channel_shmem_addr(chan), 8);
    build_append_int_noprefix(table, chan->shmem_size, 8);   /* Length */
    pcct_append_register(table, &doorbell);
    build_append_int_noprefix(table, timing->nominal_latency_us, 4);
    build_append_int_noprefix(table, timing->max_periodic_access_rate, 4);
    build_append_int_noprefix(table, timing->min_request_turnaround_us, 2);
    if (chan->type == PCC_SUBSPACE_HW_REDUCED_TYPE2) {
        PccRegister ack = {
            .address = pcc_channel_reg_addr(chan, PCC_REG_PLATFORM_ACK),
            .preserve_mask = 0,
            .write_mask = PCC_REG_BIT,
        };

        pcct_append_register(table, &ack);
    }
    assert(table->len - start == len);
}

/* Types 3 and 4: ACPI 6.5, table 14.8 */
static void pcct_build_extended_subspace(GArray *table,
                                         const PccChannel *chan,
                                         const PccSubspaceTiming *timing)
{
    PccRegister doorbell = {
        .address = pcc_channel_reg_addr(chan, PCC_REG_DOORBELL),
        .preserve_mask = 0,
        .write_mask = PCC_REG_BIT,
    };
    PccRegister ack = {
        .address = pcc_channel_reg_addr(chan, PCC_REG_PLATFORM_ACK),
        .preserve_mask = 0,
        .write_mask = PCC_REG_BIT,
    };
    /*
     * Command complete update: the initiator clears the bit before it
     * rings the doorbell, the responder sets it once it has consumed the
     * platform's message.
     */
    PccRegister update = {
        .address = pcc_channel_reg_addr(chan, PCC_REG_CMD_COMPLETE),
        .preserve_mask = 0,
        .write_mask = chan->type == PCC_SUBSPACE_EXT_RESPONDER ?
                      PCC_REG_BIT : 0,
    };
    unsigned start = table->len;

    build_append_int_noprefix(table, chan->type, 1);         /* Type */
    build_append_int_noprefix(table, PCCT_EXTENDED_SUBSPACE_LEN, 1);
    /* Platform Interrupt: GSI, level triggered, active high */
    build_append_int_noprefix(table, pcc_channel_gsi(chan), 4);
    build_append_int_noprefix(table, 0, 1);   /* Platform Interrupt Flags */
    build_append_int_noprefix(table, 0, 1);   /* Reserved */
    build_append_int_noprefix(table, pcc_channel_shmem_addr(chan), 8);
    build_append_int_noprefix(table, chan->shmem_size, 4);   /* Length */
    pcct_append_register(table, &doorbell);
    build_append_int_noprefix(table, timing->nominal_latency_us, 4);
    build_append_int_noprefix(table, timing->max_periodic_access_rate, 4);
    build_append_int_noprefix(table, timing->min_request_turnaround_us, 4);
    pcct_append_register(table, &ack);
    build_append_int_noprefix(table, 0, 8);   /* Reserved */
    /* Command Complete Check Register and Mask */
    pcct_append_gas(table, pcc_channel_reg_addr(chan, PCC_REG_CMD_COMPLETE));
    build_append_int_noprefix(table, PCC_REG_BIT, 8);
    /* Command Complete Update Register, Preserve and Set Masks */
    pcct_append_register(table, &update);
    /* Error Status Register and Mask */
    pcct_append_gas(table, pcc_channel_reg_addr(chan, PCC_REG_ERROR_STATUS));
    build_append_int_noprefix(table, PCC_REG_BIT, 8);
    assert(table->len - start == PCCT_EXTENDED_SUBSPACE_LEN);
}

void pcc_build_subspace(GArray *table, const PccChannel *chan,
                        const PccSubspaceTiming *timing)
{
    static const PccSubspaceTiming default_timing = {
        .nominal_latency_us = 100,
        .max_periodic_access_rate = 0,
        .min_request_turnaround_us = 0,
    };

    if (!timing) {
        timing = &default_timing;
    }
    switch (chan->type) {
    case PCC_SUBSPACE_GENERIC:
    case PCC_SUBSPACE_HW_REDUCED:
    case PCC_SUBSPACE_HW_REDUCED_TYPE2:
        pcct_build_generic_subspace(table, chan, timing);
        break;
    case PCC_SUBSPACE_EXT_INITIATOR:
    case PCC_SUBSPACE_EXT_RESPONDER:
        pcct_build_extended_subspace(table, chan, timing);
        break;
    default:
        g_assert_not_reached();
    }
}

/*
 * Subspace indices are positions in the PCCT, so the table has no holes:
 * an index that no device claims gets a type 0 (generic) subspace whose
 * resources are the index's unused slot in the PCC window. Linux's probe
 * accepts it (type 0 needs no interrupt and no ack register) and nothing
 * binds to it.
 */
static void pcct_build_reserved_subspace(GArray *table, PccHost *host,
                                         uint32_t index)
{
    PccChannel placeholder = {
        .host = host,
        .index = index,
        .type = PCC_SUBSPACE_GENERIC,
        .shmem_size = PCC_SHMEM_MIN_SIZE,
    };

    pcc_build_subspace(table, &placeholder, NULL);
}

static void pcct_build_device_subspace(GArray *table, PccDevice *dev,
                                       uint32_t index)
{
    AcpiDevPccIfClass *adevc = ACPI_DEV_PCC_IF_GET_CLASS(dev);

    if (adevc->build_pcct_subspace) {
        adevc->build_pcct_subspace(ACPI_DEV_PCC_IF(dev), index, table);
    } else {
        pcc_build_subspace(table, pcc_device_channel(dev, index -
                                                     dev->channel), NULL);
    }
}

static void build_pcct(GArray *table_data, BIOSLinker *linker, PccHost *host,
                       const char *oem_id, const char *oem_table_id)
{
    AcpiTable table = { .sig = "PCCT", .rev = 2, .oem_id = oem_id,
                        .oem_table_id = oem_table_id };
    unsigned n = pcc_bus_num_subspaces(&host->bus);
    bool platform_interrupt = pcc_host_platform_interrupt(host);
    uint32_t index;

    acpi_table_begin(&table, table_data);
    build_append_int_noprefix(table_data, platform_interrupt ?
                              PCCT_FLAG_PLATFORM_INTERRUPT : 0, 4);
    build_append_int_noprefix(table_data, 0, 8);             /* Reserved */
    for (index = 0; index < n; index++) {
        PccDevice *dev = pcc_bus_subspace_owner(&host->bus, index);

        if (dev) {
            pcct_build_device_subspace(table_data, dev, index);
        } else {
            pcct_build_reserved_subspace(table_data, host, index);
        }
    }
    acpi_table_end(linker, &table);
    trace_pcc_build_pcct(n, platform_interrupt);
}

static void build_pcc_ssdt(GArray *table_data, BIOSLinker *linker,
                           PccHost *host, const char *oem_id)
{
    AcpiTable table = { .sig = "SSDT", .rev = 2, .oem_id = oem_id,
                        .oem_table_id = "PCC-SSDT" };
    unsigned n = pcc_bus_num_subspaces(&host->bus);
    Aml *ssdt, *scope;
    uint32_t index;

    acpi_table_begin(&table, table_data);
    ssdt = init_aml_allocator();
    scope = aml_scope("\\_SB");
    /* in index order, so that the output does not depend on -device order */
    for (index = 0; index < n; index++) {
        PccDevice *dev = pcc_bus_subspace_owner(&host->bus, index);
        AcpiDevPccIfClass *adevc;

        if (!dev || pcc_device_first_index(dev) != index) {
            continue;
        }
        adevc = ACPI_DEV_PCC_IF_GET_CLASS(dev);
        if (adevc->build_ssdt) {
            adevc->build_ssdt(ACPI_DEV_PCC_IF(dev), scope);
        }
    }
    aml_append(ssdt, scope);
    g_array_append_vals(table_data, ssdt->buf->data, ssdt->buf->len);
    acpi_table_end(linker, &table);
    free_aml_allocator();
}

void pcc_build_acpi(PccHost *host, GArray *table_offsets, GArray *table_data,
                    BIOSLinker *linker, const char *oem_id,
                    const char *oem_table_id)
{
    if (!host || !pcc_bus_num_subspaces(&host->bus)) {
        return;
    }
    acpi_add_table(table_offsets, table_data);
    build_pcct(table_data, linker, host, oem_id, oem_table_id);
    acpi_add_table(table_offsets, table_data);
    build_pcc_ssdt(table_data, linker, host, oem_id);
}

Aml *pcc_aml_dsd_int(const char *name, uint64_t value)
{
    return pcc_aml_dsd(name, aml_int(value));
}

Aml *pcc_aml_dsd(const char *name, Aml *value)
{
    Aml *dsd = aml_package(2);
    Aml *props = aml_package(1);
    Aml *prop = aml_package(2);

    aml_append(prop, aml_string("%s", name));
    aml_append(prop, value);
    aml_append(props, prop);
    aml_append(dsd, aml_touuid(ACPI_DSD_PROPERTIES_UUID));
    aml_append(dsd, props);
    return aml_name_decl("_DSD", dsd);
}

static const TypeInfo pcc_acpi_types[] = {
    {
        .name = TYPE_ACPI_DEV_PCC_IF,
        .parent = TYPE_INTERFACE,
        .class_size = sizeof(AcpiDevPccIfClass),
    },
};

DEFINE_TYPES(pcc_acpi_types)

Aml *pcc_aml_crs_register(uint32_t index)
{
    Aml *crs = aml_resource_template();

    /* the access size of a PCC register is the subspace index */
    aml_append(crs, aml_generic_register(AML_AS_PCC, 8, 0, index, 0));
    return aml_name_decl("_CRS", crs);
}
