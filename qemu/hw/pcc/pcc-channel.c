/*
 * ACPI Platform Communication Channel (PCC): the channel engine
 *
 * Register semantics follow ACPI 6.5 chapter 14 as Linux's
 * drivers/mailbox/pcc.c drives them:
 *
 * - doorbell: the guest read-modify-writes it; bit 0 set rings.
 * - command complete (types 3 and 4; check and update share the register):
 *   type 3: the guest clears it before ringing, the platform sets it when
 *   done; type 4: the platform clears it to post a message, the guest sets
 *   it once the message is consumed.
 * - platform ack: the guest writes bit 0 to acknowledge the interrupt.
 *   Interrupts are level triggered and shared between subspaces; a line
 *   stays asserted while any of its subspaces has an unacknowledged
 *   interrupt.
 * - error status: the platform sets bit 0, the guest clears it.
 *
 * Shared memory is RAM, initialised with the signature 0x50434300 | index;
 * only the registers trap.
 *
 * Injected faults (qapi/pcc.json) act here, where the engine completes a
 * command, posts a message, raises the interrupt or takes the ack.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qapi/error.h"
#include "hw/irq.h"
#include "hw/pcc/pcc-channel.h"
#include "hw/pcc/pcc-fault.h"
#include "trace.h"

static const char *pcc_reg_name(hwaddr addr)
{
    switch (addr) {
    case PCC_REG_DOORBELL:
        return "doorbell";
    case PCC_REG_CMD_COMPLETE:
        return "cmd-complete";
    case PCC_REG_PLATFORM_ACK:
        return "platform-ack";
    case PCC_REG_ERROR_STATUS:
        return "error-status";
    case PCC_REG_ID:
        return "id";
    default:
        return "reserved";
    }
}

const char *pcc_channel_role(const PccChannel *chan)
{
    if (chan->mailbox) {
        return "mailbox";
    }
    switch (chan->type) {
    case PCC_SUBSPACE_EXT_INITIATOR:
        return "initiator";
    case PCC_SUBSPACE_EXT_RESPONDER:
        return "responder";
    default:
        return "mailbox";
    }
}

static void pcc_channel_set_pending(PccChannel *chan, bool pending)
{
    chan->irq_pending = pending;
    trace_pcc_channel_irq(chan->index, pending);
    qemu_set_irq(chan->irq, pending);
}

static void pcc_channel_raise(PccChannel *chan)
{
    if (!chan->uses_irq ||
        pcc_fault_fires(chan, PCC_FAULT_WITHHOLD_IRQ)) {
        return;
    }
    if (chan->type == PCC_SUBSPACE_HW_REDUCED) {
        /* type 1 has no ack register: its interrupt is an edge */
        trace_pcc_channel_irq_edge(chan->index);
        qemu_irq_pulse(chan->irq);
        return;
    }
    pcc_channel_set_pending(chan, true);
}

static void pcc_channel_post(PccChannel *chan, const void *msg, size_t len);
static void pcc_channel_late_complete(void *opaque);

bool pcc_channel_arm_fault(PccChannel *chan, PccFault fault, bool persistent,
                           bool has_delay_ms, uint32_t delay_ms,
                           Error **errp)
{
    if (!pcc_fault_arm(chan, fault, persistent, has_delay_ms, delay_ms,
                       errp)) {
        return false;
    }
    if (fault == PCC_FAULT_SPURIOUS_IRQ) {
        pcc_fault_fires(chan, fault);
        if (chan->type == PCC_SUBSPACE_HW_REDUCED) {
            qemu_irq_pulse(chan->irq);
        } else {
            pcc_channel_set_pending(chan, true);
        }
    }
    return true;
}

/* After the answer or message is in place: the faults that spoil it */
static void pcc_channel_spoil(PccChannel *chan)
{
    uint32_t val;

    if (pcc_fault_fires(chan, PCC_FAULT_CORRUPT_SIGNATURE)) {
        val = cpu_to_le32(~(PCC_SIGNATURE | chan->index));
        pcc_channel_write(chan, PCC_EXT_HDR_SIGNATURE, &val, sizeof(val));
    }
    if (!pcc_channel_is_extended(chan)) {
        return;
    }
    if (pcc_fault_fires(chan, PCC_FAULT_SHORT_LENGTH)) {
        pcc_channel_read(chan, PCC_EXT_HDR_LENGTH, &val, sizeof(val));
        val = cpu_to_le32(le32_to_cpu(val) / 2);
        pcc_channel_write(chan, PCC_EXT_HDR_LENGTH, &val, sizeof(val));
    }
    if (pcc_fault_fires(chan, PCC_FAULT_LONG_LENGTH)) {
        val = cpu_to_le32(chan->shmem_size);
        pcc_channel_write(chan, PCC_EXT_HDR_LENGTH, &val, sizeof(val));
    }
}

static uint64_t pcc_channel_reg_read(void *opaque, hwaddr addr, unsigned size)
{
    PccChannel *chan = opaque;
    uint64_t val = 0;

    switch (addr) {
    case PCC_REG_DOORBELL:
        break;
    case PCC_REG_CMD_COMPLETE:
        val = chan->cmd_complete;
        break;
    case PCC_REG_PLATFORM_ACK:
        val = chan->irq_pending;
        break;
    case PCC_REG_ERROR_STATUS:
        val = chan->error_status;
        break;
    case PCC_REG_ID:
        val = PCC_SIGNATURE | chan->index;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "pcc: subspace %u: read of reserved register offset "
                      "0x%" HWADDR_PRIx "\n", chan->index, addr);
        break;
    }
    trace_pcc_channel_reg_read(chan->index, pcc_reg_name(addr), addr, val);
    return val;
}

static void pcc_channel_reg_write(void *opaque, hwaddr addr, uint64_t val,
                                  unsigned size)
{
    PccChannel *chan = opaque;

    trace_pcc_channel_reg_write(chan->index, pcc_reg_name(addr), addr, val);

    switch (addr) {
    case PCC_REG_DOORBELL:
        if (!(val & PCC_REG_BIT)) {
            return;
        }
        chan->counters.doorbells++;
        if (chan->type == PCC_SUBSPACE_EXT_RESPONDER) {
            /* the guest's "done" notification on a responder channel */
            trace_pcc_channel_responder_doorbell(chan->index);
            return;
        }
        if (timer_pending(chan->late_timer)) {
            /* a new command: the late completion of the last one is void */
            timer_del(chan->late_timer);
            trace_pcc_channel_late_dropped(chan->index);
        }
        if (chan->ops && chan->ops->doorbell) {
            chan->ops->doorbell(chan, chan->opaque);
        }
        break;
    case PCC_REG_CMD_COMPLETE: {
        bool was_set = chan->cmd_complete & PCC_REG_BIT;

        if (!pcc_channel_is_extended(chan)) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "pcc: subspace %u (type %d) has no command "
                          "complete register\n", chan->index, chan->type);
            return;
        }
        chan->cmd_complete = val & PCC_REG_BIT;
        if (chan->type != PCC_SUBSPACE_EXT_RESPONDER || was_set ||
            !chan->cmd_complete) {
            break;
        }
        if (chan->duplicate) {
            /* the guest consumed the message: here it is again */
            g_autofree uint8_t *dup = g_steal_pointer(&chan->duplicate);

            pcc_channel_post(chan, dup, chan->duplicate_len);
            break;
        }
        if (chan->ops && chan->ops->consumed) {
            chan->ops->consumed(chan, chan->opaque);
        }
        break;
    }
    case PCC_REG_PLATFORM_ACK:
        if (!(val & PCC_REG_BIT) || !chan->irq_pending) {
            break;
        }
        chan->counters.acks++;
        if (!pcc_fault_fires(chan, PCC_FAULT_STUCK_IRQ)) {
            pcc_channel_set_pending(chan, false);
        }
        break;
    case PCC_REG_ERROR_STATUS:
        chan->error_status = val & PCC_REG_BIT;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "pcc: subspace %u: write of 0x%" PRIx64 " to reserved "
                      "register offset 0x%" HWADDR_PRIx "\n",
                      chan->index, val, addr);
        break;
    }
}

static const MemoryRegionOps pcc_channel_reg_ops = {
    .read = pcc_channel_reg_read,
    .write = pcc_channel_reg_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

bool pcc_channel_init(PccChannel *chan, Object *owner, PccHost *host,
                      uint32_t index, PccSubspaceType type,
                      uint32_t shmem_size, const PccChannelOps *ops,
                      void *opaque, Error **errp)
{
    g_autofree char *regs_name = g_strdup_printf("pcc-regs-%u", index);
    g_autofree char *shmem_name = g_strdup_printf("pcc-shmem-%u", index);

    chan->host = host;
    chan->owner = owner;
    chan->index = index;
    chan->type = type;
    chan->shmem_size = shmem_size;
    chan->ops = ops;
    chan->opaque = opaque;
    chan->uses_irq = pcc_host_platform_interrupt(host) &&
                     type != PCC_SUBSPACE_GENERIC;

    chan->irq = pcc_host_subspace_irq(host, index,
                                      type == PCC_SUBSPACE_HW_REDUCED, errp);
    if (!chan->irq) {
        return false;
    }
    /* a class may have less shared memory than a page; RAM is pages */
    if (!memory_region_init_ram(&chan->shmem, owner, shmem_name,
                                MAX(shmem_size, PCC_SHMEM_MIN_SIZE), errp)) {
        pcc_host_subspace_irq_release(host, index);
        return false;
    }
    memory_region_init_io(&chan->regs, owner, &pcc_channel_reg_ops, chan,
                          regs_name, PCC_REG_BLOCK_SIZE);
    chan->shmem_ptr = memory_region_get_ram_ptr(&chan->shmem);
    chan->late_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                    pcc_channel_late_complete, chan);
    pcc_host_map_subspace(host, index, &chan->regs, &chan->shmem);
    chan->mapped = true;
    pcc_channel_reset(chan);
    return true;
}

void pcc_channel_finalize(PccChannel *chan)
{
    if (chan->mapped) {
        pcc_host_unmap_subspace(chan->host, &chan->regs, &chan->shmem);
        qemu_set_irq(chan->irq, 0);
        pcc_host_subspace_irq_release(chan->host, chan->index);
        chan->mapped = false;
    }
    if (chan->late_timer) {
        timer_free(chan->late_timer);
        chan->late_timer = NULL;
    }
    g_clear_pointer(&chan->duplicate, g_free);
}

void pcc_channel_reset(PccChannel *chan)
{
    uint32_t sig = cpu_to_le32(PCC_SIGNATURE | chan->index);

    memset(chan->shmem_ptr, 0, chan->shmem_size);
    memcpy(chan->shmem_ptr, &sig, sizeof(sig));
    memory_region_set_dirty(&chan->shmem, 0, chan->shmem_size);

    /* Both initiator and responder start idle: command complete set */
    chan->cmd_complete = PCC_REG_BIT;
    chan->error_status = 0;
    if (chan->irq_pending) {
        pcc_channel_set_pending(chan, false);
    }
    /* armed faults stay: they are the test's, not the machine's */
    timer_del(chan->late_timer);
    g_clear_pointer(&chan->duplicate, g_free);
    trace_pcc_channel_reset(chan->index);
}

hwaddr pcc_channel_reg_addr(const PccChannel *chan, unsigned reg)
{
    return pcc_host_reg_addr(chan->host, chan->index) + reg;
}

hwaddr pcc_channel_shmem_addr(const PccChannel *chan)
{
    return pcc_host_shmem_addr(chan->host, chan->index);
}

unsigned pcc_channel_spi(const PccChannel *chan)
{
    return pcc_host_spi(chan->host, chan->index);
}

uint32_t pcc_channel_gsi(const PccChannel *chan)
{
    /* GIC: SPI n is interrupt ID (GSI) n + 32 */
    return pcc_channel_spi(chan) + 32;
}

bool pcc_channel_read(PccChannel *chan, uint32_t offset, void *buf,
                      size_t len)
{
    if (offset > chan->shmem_size || len > chan->shmem_size - offset) {
        return false;
    }
    memcpy(buf, chan->shmem_ptr + offset, len);
    return true;
}

bool pcc_channel_write(PccChannel *chan, uint32_t offset, const void *buf,
                       size_t len)
{
    if (offset > chan->shmem_size || len > chan->shmem_size - offset) {
        return false;
    }
    memcpy(chan->shmem_ptr + offset, buf, len);
    memory_region_set_dirty(&chan->shmem, offset, len);
    return true;
}

/* The command completes now: registers or status, spoilers, interrupt */
static void pcc_channel_finish_complete(PccChannel *chan, bool error)
{
    trace_pcc_channel_complete(chan->index, error);
    chan->counters.completions++;
    if (error) {
        chan->counters.errors++;
    }

    if (pcc_channel_is_extended(chan)) {
        uint32_t flags = 0;

        if (error) {
            chan->error_status = PCC_REG_BIT;
        }
        chan->cmd_complete = PCC_REG_BIT;
        if (chan->mailbox) {
            pcc_channel_spoil(chan);
        }
        /* ACPI 6.5, 14.2.3: the initiator asks for the interrupt */
        pcc_channel_read(chan, PCC_EXT_HDR_FLAGS, &flags, sizeof(flags));
        if (!(le32_to_cpu(flags) & PCC_EXT_FLAG_NOTIFY_ON_COMPLETION)) {
            trace_pcc_channel_complete_quiet(chan->index);
            return;
        }
    } else {
        uint16_t status = 0;

        pcc_channel_read(chan, PCC_GEN_HDR_STATUS, &status, sizeof(status));
        status = le16_to_cpu(status) | PCC_GEN_STATUS_CMD_COMPLETE;
        if (error) {
            status |= PCC_GEN_STATUS_ERROR;
        }
        /* ACPI 6.5, table 14.11: the platform says it interrupted */
        if (chan->uses_irq) {
            status |= PCC_GEN_STATUS_SCI_DOORBELL;
        }
        status = cpu_to_le16(status);
        pcc_channel_write(chan, PCC_GEN_HDR_STATUS, &status, sizeof(status));
        pcc_channel_spoil(chan);
    }
    pcc_channel_raise(chan);
}

static void pcc_channel_late_complete(void *opaque)
{
    PccChannel *chan = opaque;

    pcc_channel_finish_complete(chan, chan->late_error);
}

void pcc_channel_complete(PccChannel *chan, bool error)
{
    PccChannelFault *late = &chan->faults[PCC_FAULT_LATE_COMPLETION];

    if (pcc_fault_fires(chan, PCC_FAULT_NO_COMPLETION)) {
        return;
    }
    error |= pcc_fault_fires(chan, PCC_FAULT_ERROR_BIT);
    if (late->armed) {
        uint32_t delay_ms = late->delay_ms;

        pcc_fault_fires(chan, PCC_FAULT_LATE_COMPLETION);
        chan->late_error = error;
        /* in ns: a ms clock would round "now" down, up to 1 ms early */
        timer_mod(chan->late_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                  (int64_t)delay_ms * SCALE_MS);
        return;
    }
    pcc_channel_finish_complete(chan, error);
}

bool pcc_channel_responder_free(const PccChannel *chan)
{
    return chan->type == PCC_SUBSPACE_EXT_RESPONDER &&
           (chan->cmd_complete & PCC_REG_BIT);
}

/* Type 4: put a message in place and tell the guest */
static void pcc_channel_post(PccChannel *chan, const void *msg, size_t len)
{
    uint32_t sig = cpu_to_le32(PCC_SIGNATURE | chan->index);

    pcc_channel_write(chan, 0, msg, len);
    pcc_channel_write(chan, PCC_EXT_HDR_SIGNATURE, &sig, sizeof(sig));
    chan->cmd_complete = 0;
    chan->counters.notifications++;
    trace_pcc_channel_notify(chan->index, len);
    pcc_channel_spoil(chan);
    pcc_channel_raise(chan);
}

bool pcc_channel_notify(PccChannel *chan, const void *msg, size_t len)
{
    if (!pcc_channel_responder_free(chan) || len > chan->shmem_size ||
        len < sizeof(uint32_t)) {
        return false;
    }
    if (pcc_fault_fires(chan, PCC_FAULT_DROP_INBOX)) {
        /* taken from the platform, never seen by the guest */
        return true;
    }
    if (pcc_fault_fires(chan, PCC_FAULT_DUPLICATE_NOTIFICATION)) {
        g_free(chan->duplicate);
        chan->duplicate = g_memdup2(msg, len);
        chan->duplicate_len = len;
    }
    pcc_channel_post(chan, msg, len);
    return true;
}

void pcc_channel_count_error(PccChannel *chan)
{
    chan->counters.errors++;
}

static int pcc_channel_post_load(void *opaque, int version_id)
{
    PccChannel *chan = opaque;

    qemu_set_irq(chan->irq, chan->irq_pending);
    return 0;
}

const VMStateDescription vmstate_pcc_channel = {
    .name = "pcc-channel",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = pcc_channel_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(cmd_complete, PccChannel),
        VMSTATE_UINT32(error_status, PccChannel),
        VMSTATE_BOOL(irq_pending, PccChannel),
        VMSTATE_END_OF_LIST()
    },
};
