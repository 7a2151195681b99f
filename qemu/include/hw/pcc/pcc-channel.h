/*
 * ACPI Platform Communication Channel (PCC): the channel engine
 *
 * One PccChannel is one PCC subspace: a register block (doorbell,
 * command complete, platform ack, error status), a shared memory region
 * and an interrupt output. Device classes own their channels and are told
 * about guest events through PccChannelOps; the register semantics live
 * here and nowhere else. The host gives each channel its addresses and an
 * interrupt input that it shares with other subspaces.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_PCC_PCC_CHANNEL_H
#define HW_PCC_PCC_CHANNEL_H

#include "hw/pcc/pcc-host.h"
#include "migration/vmstate.h"
#include "qemu/timer.h"
#include "qapi/qapi-types-pcc.h"

/* ACPI 6.5, Table 14.3: PCC subspace structure types */
typedef enum PccSubspaceType {
    PCC_SUBSPACE_GENERIC = 0,
    PCC_SUBSPACE_HW_REDUCED = 1,
    PCC_SUBSPACE_HW_REDUCED_TYPE2 = 2,
    PCC_SUBSPACE_EXT_INITIATOR = 3,
    PCC_SUBSPACE_EXT_RESPONDER = 4,
} PccSubspaceType;

/* Shared memory signature (ACPI 6.5, 14.2): 0x50434300 | subspace index */
#define PCC_SIGNATURE               0x50434300u

/* Extended communication region header (types 3 and 4) */
#define PCC_EXT_HDR_SIGNATURE       0
#define PCC_EXT_HDR_FLAGS           4
#define PCC_EXT_HDR_LENGTH          8
#define PCC_EXT_HDR_COMMAND         12
#define PCC_EXT_HDR_SIZE            16
/* "length" covers command + payload; the message is this much longer */
#define PCC_EXT_MSG_OVERHEAD        12
#define PCC_EXT_FLAG_NOTIFY_ON_COMPLETION   (1u << 0)

/* Generic communication region header (types 0, 1 and 2) */
#define PCC_GEN_HDR_SIGNATURE       0
#define PCC_GEN_HDR_COMMAND         4
#define PCC_GEN_HDR_STATUS          6
#define PCC_GEN_HDR_SIZE            8
#define PCC_GEN_CMD_GENERATE_SCI    (1u << 15)
#define PCC_GEN_STATUS_CMD_COMPLETE (1u << 0)
#define PCC_GEN_STATUS_SCI_DOORBELL (1u << 1)
#define PCC_GEN_STATUS_ERROR        (1u << 2)
#define PCC_GEN_STATUS_PLATFORM_NOTIFY (1u << 3)

/*
 * Register block of one subspace. Every register is 32 bits wide (the
 * GAS bit width in the PCCT), little-endian; bit 0 is the one that counts.
 */
#define PCC_REG_DOORBELL            0x00    /* W: bit 0 rings */
#define PCC_REG_CMD_COMPLETE        0x04    /* RW: bit 0 command complete */
#define PCC_REG_PLATFORM_ACK        0x08    /* W: bit 0 acks; R: IRQ pending */
#define PCC_REG_ERROR_STATUS        0x0c    /* RW: bit 0 error */
#define PCC_REG_ID                  0x10    /* R: signature | index */
#define PCC_REG_BIT_WIDTH           32
#define PCC_REG_BIT                 1u

typedef struct PccChannel PccChannel;

/* What happened on a subspace (query-pcc) */
typedef struct PccChannelCounters {
    uint64_t doorbells;
    uint64_t completions;
    uint64_t notifications;
    uint64_t acks;
    uint64_t errors;
    uint64_t faults_fired;
} PccChannelCounters;

/* An injected fault (pcc-inject-fault), see qapi/pcc.json */
typedef struct PccChannelFault {
    bool armed;
    bool persistent;
    uint32_t delay_ms;
} PccChannelFault;

typedef struct PccChannelOps {
    /* The guest rang the doorbell. */
    void (*doorbell)(PccChannel *chan, void *opaque);
    /* Type 4: the guest set command complete, the shared memory is free. */
    void (*consumed)(PccChannel *chan, void *opaque);
} PccChannelOps;

struct PccChannel {
    /* < private > */
    PccHost *host;
    const PccChannelOps *ops;
    void *opaque;
    MemoryRegion regs;
    MemoryRegion shmem;
    uint8_t *shmem_ptr;
    qemu_irq irq;
    bool mapped;

    /* < public, read-only > */
    uint32_t index;
    PccSubspaceType type;
    uint32_t shmem_size;
    /* the platform interrupts the guest on this subspace */
    bool uses_irq;
    /* the platform answers in this subspace's own shared memory */
    bool mailbox;

    /* migrated state */
    uint32_t cmd_complete;
    uint32_t error_status;
    bool irq_pending;

    /*
     * Not migrated: counters and faults belong to the QEMU process that
     * a test talks to. A late completion or a duplicate waiting to be
     * posted is dropped by a reset.
     */
    Object *owner;
    PccChannelCounters counters;
    PccChannelFault faults[PCC_FAULT__MAX];
    QEMUTimer *late_timer;
    bool late_error;
    uint8_t *duplicate;
    size_t duplicate_len;
};

extern const VMStateDescription vmstate_pcc_channel;

#define VMSTATE_PCC_CHANNEL(_field, _state) \
    VMSTATE_STRUCT(_field, _state, 1, vmstate_pcc_channel, PccChannel)

/*
 * pcc_channel_init: set up @chan as subspace @index of @host, with a
 * register block and @shmem_size bytes of shared memory, and map both
 * where the host's memory map puts that index. On failure nothing is
 * mapped and @errp is set.
 */
bool pcc_channel_init(PccChannel *chan, Object *owner, PccHost *host,
                      uint32_t index, PccSubspaceType type,
                      uint32_t shmem_size, const PccChannelOps *ops,
                      void *opaque, Error **errp);
void pcc_channel_finalize(PccChannel *chan);
void pcc_channel_reset(PccChannel *chan);

/* Types 3 and 4 use the extended communication region */
static inline bool pcc_channel_is_extended(const PccChannel *chan)
{
    return chan->type == PCC_SUBSPACE_EXT_INITIATOR ||
           chan->type == PCC_SUBSPACE_EXT_RESPONDER;
}

/* Guest physical addresses and the interrupt, for ACPI and FDT */
hwaddr pcc_channel_reg_addr(const PccChannel *chan, unsigned reg);
hwaddr pcc_channel_shmem_addr(const PccChannel *chan);
uint32_t pcc_channel_gsi(const PccChannel *chan);
unsigned pcc_channel_spi(const PccChannel *chan);
/* "initiator", "responder" or "mailbox": who writes the shared memory */
const char *pcc_channel_role(const PccChannel *chan);

/* Shared memory access for the platform side (bounds checked). */
bool pcc_channel_read(PccChannel *chan, uint32_t offset, void *buf,
                      size_t len);
bool pcc_channel_write(PccChannel *chan, uint32_t offset, const void *buf,
                       size_t len);

/*
 * Types 0-3: the platform finished the command the guest rang for. Sets
 * command complete (type 3) or the generic status (types 0-2), the error
 * bit if @error, and interrupts the guest if the host's PCCT says so.
 */
void pcc_channel_complete(PccChannel *chan, bool error);

/* Type 4: may the platform write a new message now? */
bool pcc_channel_responder_free(const PccChannel *chan);

/*
 * Type 4: copy @len bytes of @msg into the shared memory (the signature
 * is set to this subspace's), clear command complete and interrupt.
 * Returns false, with the shared memory untouched, if the channel is busy
 * or the message does not fit.
 */
bool pcc_channel_notify(PccChannel *chan, const void *msg, size_t len);

/* The platform sent something the subspace could not take */
void pcc_channel_count_error(PccChannel *chan);

/*
 * Arm a fault (pcc-inject-fault, see pcc-fault.h); a spurious interrupt
 * fires at once. False, with @errp set, if it does not fit the subspace.
 */
bool pcc_channel_arm_fault(PccChannel *chan, PccFault fault, bool persistent,
                           bool has_delay_ms, uint32_t delay_ms,
                           Error **errp);

#endif
