/*
 * APM X-Gene SLIMpro I2C over PCC
 *
 * The I2C bus behind X-Gene's SLIMpro management processor, for Linux's
 * i2c-xgene-slimpro: an APMC0D40 device on one type 2 subspace used as
 * the base device's mailbox. The guest writes a SLIMpro I2C message (the
 * 8-byte generic header and three 32-bit words) and rings; the platform
 * (pccd) plays the I2C targets and answers in place.
 *
 * Block transfers name a buffer in guest memory that the SLIMpro reads or
 * writes by DMA. pccd cannot reach guest memory, so this device plays the
 * DMA engine: for a block write it appends the bytes it read from the
 * buffer to the request; a block read's answer carries the data after
 * the message, and the device writes it to the buffer before the command
 * completes (docs/system/devices/pcc.rst).
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "system/dma.h"
#include "hw/pcc/pcc-device.h"
#include "hw/pcc/acpi-dev-pcc.h"
#include "pcc-slimpro.h"
#include "trace.h"

#define TYPE_PCC_XGENE_I2C "pcc-xgene-i2c"
OBJECT_DECLARE_SIMPLE_TYPE(PccXgeneI2c, PCC_XGENE_I2C)

/* msg0 of an I2C transfer */
#define SLIMPRO_MSG_TYPE(m)         extract32(m, 28, 4)
#define SLIMPRO_MSG_SUBTYPE(m)      extract32(m, 24, 4)
#define SLIMPRO_I2C_RW_WRITE(m)     extract32(m, 12, 1)
#define SLIMPRO_I2C_DATALEN(m)      extract32(m, 0, 8)
#define SLIMPRO_TYPE_DEBUG          0
#define SLIMPRO_SUBTYPE_I2C         4
/* msg1: a transfer through a buffer, whose address bits 41:32 it holds */
#define SLIMPRO_I2C_BUFADDR         (1u << 31)
#define SLIMPRO_I2C_UPPER_ADDR(m)   extract32(m, 20, 10)
/* SMBus block data (32 bytes) and its count byte */
#define SLIMPRO_I2C_BLOCK_MAX       33

struct PccXgeneI2c {
    PccDevice parent_obj;

    /* the outstanding request is a block read into this guest buffer */
    bool dma_read;
    uint64_t dma_addr;
    uint32_t dma_len;
};

/* The guest buffer of a block transfer, or false if it is none */
static bool pcc_xgene_i2c_buffer(const uint8_t *msg, uint64_t *addr,
                                 uint32_t *len)
{
    uint32_t msg0 = ldl_le_p(msg + SLIMPRO_MSG0);
    uint32_t msg1 = ldl_le_p(msg + SLIMPRO_MSG1);

    if (SLIMPRO_MSG_TYPE(msg0) != SLIMPRO_TYPE_DEBUG ||
        SLIMPRO_MSG_SUBTYPE(msg0) != SLIMPRO_SUBTYPE_I2C ||
        !(msg1 & SLIMPRO_I2C_BUFADDR)) {
        return false;
    }
    *addr = ((uint64_t)SLIMPRO_I2C_UPPER_ADDR(msg1) << 32) |
            ldl_le_p(msg + SLIMPRO_MSG2);
    *len = SLIMPRO_I2C_DATALEN(msg0);
    return true;
}

static bool pcc_xgene_i2c_request(PccDevice *dev, GByteArray *req)
{
    PccXgeneI2c *s = PCC_XGENE_I2C(dev);
    uint32_t index = pcc_device_channel(dev, 0)->index;
    uint8_t data[SLIMPRO_I2C_BLOCK_MAX];
    uint64_t addr;
    uint32_t len;

    s->dma_read = false;
    if (!pcc_xgene_i2c_buffer(req->data, &addr, &len)) {
        return true;
    }
    if (len > SLIMPRO_I2C_BLOCK_MAX) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "pcc-xgene-i2c: subspace %u: block transfer of %u "
                      "bytes; the SLIMpro moves at most %d\n", index, len,
                      SLIMPRO_I2C_BLOCK_MAX);
        return false;
    }
    if (!SLIMPRO_I2C_RW_WRITE(ldl_le_p(req->data + SLIMPRO_MSG0))) {
        s->dma_read = true;
        s->dma_addr = addr;
        s->dma_len = len;
        return true;
    }
    if (dma_memory_read(&address_space_memory, addr, data, len,
                        MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "pcc-xgene-i2c: subspace %u: cannot read the %u-byte "
                      "block buffer at 0x%" PRIx64 "\n", index, len, addr);
        return false;
    }
    trace_pcc_xgene_i2c_dma(index, "read", addr, len);
    g_byte_array_append(req, data, len);
    return true;
}

static ssize_t pcc_xgene_i2c_response(PccDevice *dev,
                                      const PccPlatformMsg *msg)
{
    PccXgeneI2c *s = PCC_XGENE_I2C(dev);
    uint32_t index = pcc_device_channel(dev, 0)->index;

    if (msg->len < SLIMPRO_MSG_SIZE) {
        return -1;
    }
    if (!s->dma_read) {
        return SLIMPRO_MSG_SIZE;
    }
    /* a failed read (msg1 all ones) carries no data */
    if (msg->len == SLIMPRO_MSG_SIZE) {
        s->dma_read = false;
        return SLIMPRO_MSG_SIZE;
    }
    if (msg->len != SLIMPRO_MSG_SIZE + s->dma_len) {
        return -1;
    }
    if (dma_memory_write(&address_space_memory, s->dma_addr,
                         msg->data + SLIMPRO_MSG_SIZE, s->dma_len,
                         MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "pcc-xgene-i2c: subspace %u: cannot write the %u-byte "
                      "block buffer at 0x%" PRIx64 "\n", index, s->dma_len,
                      s->dma_addr);
    } else {
        trace_pcc_xgene_i2c_dma(index, "write", s->dma_addr, s->dma_len);
    }
    s->dma_read = false;
    return SLIMPRO_MSG_SIZE;
}

static void pcc_xgene_i2c_reset_hold(Object *obj, ResetType type)
{
    PccDeviceClass *pdc = PCC_DEVICE_GET_CLASS(obj);

    if (pdc->parent_phases.hold) {
        pdc->parent_phases.hold(obj, type);
    }
    PCC_XGENE_I2C(obj)->dma_read = false;
}

static void pcc_xgene_i2c_build_pcct_subspace(AcpiDevPccIf *adev,
                                              uint32_t index, GArray *table)
{
    static const PccSubspaceTiming timing = {
        .nominal_latency_us = SLIMPRO_NOMINAL_LATENCY_US,
    };

    pcc_build_subspace(table, pcc_device_channel(PCC_DEVICE(adev), 0),
                       &timing);
}

static void pcc_xgene_i2c_build_ssdt(AcpiDevPccIf *adev, Aml *scope)
{
    PccDevice *dev = PCC_DEVICE(adev);
    Aml *aml_dev = aml_device("XI%02X", dev->channel);

    aml_append(aml_dev, aml_name_decl("_HID", aml_string("APMC0D40")));
    aml_append(aml_dev, aml_name_decl("_UID", aml_int(dev->channel)));
    /* block transfers are DMA: the guest must map its buffers coherent */
    aml_append(aml_dev, aml_name_decl("_CCA", aml_int(1)));
    aml_append(aml_dev, pcc_aml_dsd_int("pcc-channel", dev->channel));
    aml_append(scope, aml_dev);
}

static const VMStateDescription vmstate_pcc_xgene_i2c = {
    .name = TYPE_PCC_XGENE_I2C,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_PCC_DEVICE(parent_obj, PccXgeneI2c),
        VMSTATE_BOOL(dma_read, PccXgeneI2c),
        VMSTATE_UINT64(dma_addr, PccXgeneI2c),
        VMSTATE_UINT32(dma_len, PccXgeneI2c),
        VMSTATE_END_OF_LIST()
    },
};

static void pcc_xgene_i2c_class_init(ObjectClass *klass, PccClassData *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    PccDeviceClass *pdc = PCC_DEVICE_CLASS(klass);
    AcpiDevPccIfClass *adevc = ACPI_DEV_PCC_IF_CLASS(klass);

    dc->desc = "APM X-Gene SLIMpro I2C bus (type 2 subspace)";
    dc->vmsd = &vmstate_pcc_xgene_i2c;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    resettable_class_set_parent_phases(rc, NULL, pcc_xgene_i2c_reset_hold,
                                       NULL, &pdc->parent_phases);
    pdc->num_subspaces = 1;
    /* i2c-xgene-slimpro refuses a PCC controller without interrupts */
    pdc->platform_irq = PCC_PLATFORM_IRQ_ON;
    pdc->needs_platform = true;
    pdc->mailbox = true;
    pdc->mailbox_type = PCC_SUBSPACE_HW_REDUCED_TYPE2;
    pdc->mailbox_request_size = SLIMPRO_MSG_SIZE;
    pdc->mailbox_request = pcc_xgene_i2c_request;
    pdc->mailbox_response = pcc_xgene_i2c_response;
    adevc->build_pcct_subspace = pcc_xgene_i2c_build_pcct_subspace;
    adevc->build_ssdt = pcc_xgene_i2c_build_ssdt;
}

static const TypeInfo pcc_xgene_i2c_types[] = {
    {
        .name = TYPE_PCC_XGENE_I2C,
        .parent = TYPE_PCC_DEVICE,
        .instance_size = sizeof(PccXgeneI2c),
        .class_init = pcc_xgene_i2c_class_init,
    },
};

DEFINE_TYPES(pcc_xgene_i2c_types)
