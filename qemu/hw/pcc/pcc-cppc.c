/*
 * CPPC (ACPI 6.5, 8.4.6 Collaborative Processor Performance Control)
 * over PCC, for every vCPU
 *
 * One HW-reduced subspace of type 2 used as the base device's mailbox:
 * the guest writes CPPC registers into the communication space and sends
 * PCC command 0 (read) or 1 (write); the platform (pccd) answers with the
 * whole communication space, in which it has filled in the registers it
 * owns. Every processor device of the machine gets a _CPC (revision 3)
 * whose registers are Generic Register descriptors in the PCC address
 * space, one block of registers per CPU (see cppc-register layout in
 * docs/system/devices/pcc.rst), and a _PSD with a domain of its own. Linux
 * uses _CPC only once \_SB._OSC has acknowledged CPPC v2, so the device
 * supplies that _OSC as well; there can be one pcc-cppc per machine.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/boards.h"
#include "hw/pcc/pcc-device.h"
#include "hw/pcc/acpi-dev-pcc.h"

#define TYPE_PCC_CPPC "pcc-cppc"

/* Registers of one CPU, offsets into its block of the communication space */
#define CPPC_HIGHEST_PERF           0x00
#define CPPC_NOMINAL_PERF           0x04
#define CPPC_LOWEST_NONLINEAR_PERF  0x08
#define CPPC_LOWEST_PERF            0x0c
#define CPPC_GUARANTEED_PERF        0x10
#define CPPC_DESIRED_PERF           0x14
#define CPPC_REFERENCE_PERF         0x18
#define CPPC_LOWEST_FREQ            0x1c
#define CPPC_NOMINAL_FREQ           0x20
#define CPPC_MIN_PERF               0x24
#define CPPC_MAX_PERF               0x28
#define CPPC_REFERENCE_COUNTER      0x30
#define CPPC_DELIVERED_COUNTER      0x38
#define CPPC_BLOCK_SIZE             0x40

/* _CPC revision 3: NumEntries, Revision and 21 entries (ACPI 6.5 8.4.6.1) */
#define CPPC_REVISION               3
#define CPPC_NUM_ENTRIES            23

/* _PSD (ACPI 6.5 8.4.5.5): each CPU alone in its domain, SW_ALL */
#define PSD_NUM_ENTRIES             5
#define PSD_REVISION                0
#define PSD_COORD_SW_ALL            0xfc

/* \_SB._OSC: the platform-wide capabilities UUID and the bits acked */
#define OSC_SB_UUID                 "0811B06E-4A27-44F9-8D60-3CBBC22E7B48"
#define OSC_SB_CPC_SUPPORT          (1u << 5)
#define OSC_SB_CPCV2_SUPPORT        (1u << 6)
#define OSC_SB_CPC_FLEXIBLE_ADR_SPACE (1u << 14)
#define OSC_UNRECOGNIZED_UUID       (1u << 2)

/*
 * cppc_acpi waits 500 times the nominal latency for a command to
 * complete; the platform is a process on the host, so allow it a second.
 */
#define CPPC_NOMINAL_LATENCY_US     2000

static unsigned pcc_cppc_num_cpus(void)
{
    return MACHINE(qdev_get_machine())->smp.cpus;
}

static uint32_t pcc_cppc_space_size(unsigned cpus)
{
    return PCC_GEN_HDR_SIZE + cpus * CPPC_BLOCK_SIZE;
}

static bool pcc_cppc_realize(PccDevice *dev, Error **errp)
{
    unsigned cpus = pcc_cppc_num_cpus();
    uint32_t need = pcc_cppc_space_size(cpus);
    BusChild *kid;

    QTAILQ_FOREACH(kid, &dev->host->bus.parent_obj.children, sibling) {
        DeviceState *other = kid->child;

        if (other != DEVICE(dev) &&
            object_dynamic_cast(OBJECT(other), TYPE_PCC_CPPC) &&
            PCC_DEVICE(other)->host) {
            error_setg(errp, "there can be one %s per machine: it gives "
                       "every CPU its _CPC and the machine its \\_SB._OSC",
                       TYPE_PCC_CPPC);
            return false;
        }
    }
    if (need > dev->shmem_size) {
        error_setg(errp, "shmem-size 0x%x is too small for %u CPUs: %s "
                   "needs 0x%x bytes (give shmem-size=0x%x)",
                   dev->shmem_size, cpus, TYPE_PCC_CPPC, need,
                   (uint32_t)pow2ceil(need));
        return false;
    }
    dev->mailbox_size = need;
    return true;
}

static void pcc_cppc_describe(PccDevice *dev, GString *desc)
{
    g_string_append_printf(desc, "property cpus %u\n"
                           "property cpu-block %u\n",
                           pcc_cppc_num_cpus(), CPPC_BLOCK_SIZE);
}

/* A register of CPU @cpu in the PCC space of subspace @index */
static Aml *pcc_cppc_reg(uint32_t index, unsigned cpu, unsigned offset,
                         unsigned bits)
{
    Aml *crs = aml_resource_template();

    aml_append(crs, aml_generic_register(AML_AS_PCC, bits, 0, index,
                                         cpu * CPPC_BLOCK_SIZE + offset));
    return crs;
}

/* A register this platform does not have */
static Aml *pcc_cppc_null_reg(void)
{
    Aml *crs = aml_resource_template();

    aml_append(crs, aml_generic_register(AML_AS_SYSTEM_MEMORY, 0, 0, 0, 0));
    return crs;
}

static Aml *pcc_cppc_build_cpc(uint32_t index, unsigned cpu)
{
    Aml *cpc = aml_package(CPPC_NUM_ENTRIES);

    aml_append(cpc, aml_int(CPPC_NUM_ENTRIES));
    aml_append(cpc, aml_int(CPPC_REVISION));
    aml_append(cpc, pcc_cppc_reg(index, cpu, CPPC_HIGHEST_PERF, 32));
    aml_append(cpc, pcc_cppc_reg(index, cpu, CPPC_NOMINAL_PERF, 32));
    aml_append(cpc, pcc_cppc_reg(index, cpu, CPPC_LOWEST_NONLINEAR_PERF,
                                 32));
    aml_append(cpc, pcc_cppc_reg(index, cpu, CPPC_LOWEST_PERF, 32));
    aml_append(cpc, pcc_cppc_reg(index, cpu, CPPC_GUARANTEED_PERF, 32));
    aml_append(cpc, pcc_cppc_reg(index, cpu, CPPC_DESIRED_PERF, 32));
    aml_append(cpc, pcc_cppc_reg(index, cpu, CPPC_MIN_PERF, 32));
    aml_append(cpc, pcc_cppc_reg(index, cpu, CPPC_MAX_PERF, 32));
    aml_append(cpc, pcc_cppc_null_reg());   /* performance reduction tol. */
    aml_append(cpc, pcc_cppc_null_reg());   /* time window */
    aml_append(cpc, aml_int(0));            /* counter wraparound time */
    aml_append(cpc, pcc_cppc_reg(index, cpu, CPPC_REFERENCE_COUNTER, 64));
    aml_append(cpc, pcc_cppc_reg(index, cpu, CPPC_DELIVERED_COUNTER, 64));
    aml_append(cpc, pcc_cppc_null_reg());   /* performance limited */
    aml_append(cpc, pcc_cppc_null_reg());   /* CPPC enable */
    aml_append(cpc, aml_int(0));            /* autonomous selection */
    aml_append(cpc, pcc_cppc_null_reg());   /* autonomous activity window */
    aml_append(cpc, pcc_cppc_null_reg());   /* energy performance pref. */
    aml_append(cpc, pcc_cppc_reg(index, cpu, CPPC_REFERENCE_PERF, 32));
    aml_append(cpc, pcc_cppc_reg(index, cpu, CPPC_LOWEST_FREQ, 32));
    aml_append(cpc, pcc_cppc_reg(index, cpu, CPPC_NOMINAL_FREQ, 32));
    return cpc;
}

static Aml *pcc_cppc_build_psd(unsigned cpu)
{
    Aml *psd = aml_package(1);
    Aml *domain = aml_package(PSD_NUM_ENTRIES);

    aml_append(domain, aml_int(PSD_NUM_ENTRIES));
    aml_append(domain, aml_int(PSD_REVISION));
    aml_append(domain, aml_int(cpu));
    aml_append(domain, aml_int(PSD_COORD_SW_ALL));
    aml_append(domain, aml_int(1));         /* processors in the domain */
    aml_append(psd, domain);
    return psd;
}

/*
 * \_SB._OSC: acknowledge CPPC (v1, v2 and registers in any address space)
 * and nothing else the OS offers.
 */
static Aml *pcc_cppc_build_osc(void)
{
    Aml *method = aml_method("_OSC", 4, AML_SERIALIZED);
    Aml *ifuuid, *ifcount;

    aml_append(method, aml_create_dword_field(aml_arg(3), aml_int(0),
                                              "CDW1"));
    ifuuid = aml_if(aml_equal(aml_arg(0), aml_touuid(OSC_SB_UUID)));
    ifcount = aml_if(aml_lgreater(aml_arg(2), aml_int(1)));
    aml_append(ifcount, aml_create_dword_field(aml_arg(3), aml_int(4),
                                               "CDW2"));
    aml_append(ifcount, aml_and(aml_name("CDW2"),
                                aml_int(OSC_SB_CPC_SUPPORT |
                                        OSC_SB_CPCV2_SUPPORT |
                                        OSC_SB_CPC_FLEXIBLE_ADR_SPACE),
                                aml_name("CDW2")));
    aml_append(ifuuid, ifcount);
    aml_append(ifuuid, aml_return(aml_arg(3)));
    aml_append(method, ifuuid);
    aml_append(method, aml_or(aml_name("CDW1"),
                              aml_int(OSC_UNRECOGNIZED_UUID),
                              aml_name("CDW1")));
    aml_append(method, aml_return(aml_arg(3)));
    return method;
}

static void pcc_cppc_build_ssdt(AcpiDevPccIf *adev, Aml *scope)
{
    PccDevice *dev = PCC_DEVICE(adev);
    unsigned cpus = pcc_cppc_num_cpus(), cpu;

    aml_append(scope, pcc_cppc_build_osc());
    for (cpu = 0; cpu < cpus; cpu++) {
        /* the machine's processor devices (hw/arm/virt-acpi-build.c) */
        Aml *cpu_scope = aml_scope("C%.03X", cpu);

        aml_append(cpu_scope, aml_name_decl("_CPC",
                                            pcc_cppc_build_cpc(dev->channel,
                                                               cpu)));
        aml_append(cpu_scope, aml_name_decl("_PSD", pcc_cppc_build_psd(cpu)));
        aml_append(scope, cpu_scope);
    }
}

static void pcc_cppc_build_pcct_subspace(AcpiDevPccIf *adev, uint32_t index,
                                         GArray *table)
{
    static const PccSubspaceTiming timing = {
        .nominal_latency_us = CPPC_NOMINAL_LATENCY_US,
    };

    pcc_build_subspace(table, pcc_device_channel(PCC_DEVICE(adev), 0),
                       &timing);
}

static void pcc_cppc_class_init(ObjectClass *klass, PccClassData *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PccDeviceClass *pdc = PCC_DEVICE_CLASS(klass);
    AcpiDevPccIfClass *adevc = ACPI_DEV_PCC_IF_CLASS(klass);

    dc->desc = "CPPC over PCC for every CPU (type 2 subspace)";
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    pdc->num_subspaces = 1;
    /* cppc_acpi polls the status; the interrupt may be there or not */
    pdc->platform_irq = PCC_PLATFORM_IRQ_ANY;
    pdc->needs_platform = true;
    pdc->mailbox = true;
    pdc->mailbox_type = PCC_SUBSPACE_HW_REDUCED_TYPE2;
    pdc->realize = pcc_cppc_realize;
    pdc->describe = pcc_cppc_describe;
    adevc->build_pcct_subspace = pcc_cppc_build_pcct_subspace;
    adevc->build_ssdt = pcc_cppc_build_ssdt;
}

static const TypeInfo pcc_cppc_types[] = {
    {
        .name = TYPE_PCC_CPPC,
        .parent = TYPE_PCC_DEVICE,
        .instance_size = sizeof(PccDevice),
        .class_init = pcc_cppc_class_init,
    },
};

DEFINE_TYPES(pcc_cppc_types)
