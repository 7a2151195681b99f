/*
 * ACPI Platform Communication Channel (PCC): platform backends
 *
 * A backend carries messages between a PCC device and the platform
 * (pccd): a spool directory or a chardev. Device classes only see this
 * interface and never know which transport they have.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_PCC_PCC_BACKEND_H
#define HW_PCC_PCC_BACKEND_H

#include "hw/pcc/pcc-compat.h"
#include "hw/qdev-core.h"
#include "system/runstate.h"

/* Wire values, see docs/system/devices/pcc.rst */
typedef enum PccMsgKind {
    PCC_MSG_REQUEST = 1,
    PCC_MSG_RESPONSE = 2,
    PCC_MSG_NOTIFICATION = 3,
} PccMsgKind;

typedef enum PccMsgLayout {
    PCC_LAYOUT_EXTENDED = 0,
    PCC_LAYOUT_GENERIC = 1,
} PccMsgLayout;

/* Largest message either transport carries: a whole shared memory */
#define PCC_MSG_MAX_SIZE        0x10000

typedef struct PccBackend PccBackend;

/* The device side, as the backend sees it */
typedef struct PccBackendPeer {
    bool (*can_receive)(void *opaque);
    /* false: the message was malformed and is not delivered */
    bool (*receive)(void *opaque, PccMsgKind kind, const uint8_t *buf,
                    size_t len);
} PccBackendPeer;

typedef struct PccBackendOps {
    const char *name;
    bool (*send)(PccBackend *be, PccMsgKind kind, PccMsgLayout layout,
                 const uint8_t *buf, size_t len);
    /* the peer can take a message again */
    void (*kick)(PccBackend *be);
    void (*free)(PccBackend *be);
} PccBackendOps;

struct PccBackend {
    const PccBackendOps *ops;
    const PccBackendPeer *peer;
    void *opaque;
    /* the device's base subspace index: the 'channel' of the wire */
    uint32_t channel;
    QEMUBH *kick_bh;
    VMChangeStateEntry *vmstate_change;
};

/* @owner is the device; the peer callbacks get it as their opaque */
PccBackend *pcc_spool_backend_new(const char *dir, uint32_t channel,
                                  const PccBackendPeer *peer,
                                  DeviceState *owner, Error **errp);
PccBackend *pcc_chardev_backend_new(PccCharFrontend *chr, uint32_t channel,
                                    const PccBackendPeer *peer,
                                    DeviceState *owner, Error **errp);

/* Hand a message to the platform; false if it could not be taken. */
bool pcc_backend_send(PccBackend *be, PccMsgKind kind, PccMsgLayout layout,
                      const uint8_t *buf, size_t len);
/*
 * The peer can receive again; the backend delivers from a bottom half,
 * and only while the VM runs: an incoming migration or a stopped source
 * must not consume messages.
 */
void pcc_backend_kick(PccBackend *be);
void pcc_backend_free(PccBackend *be);

/* For implementations */
void pcc_backend_init(PccBackend *be, const PccBackendOps *ops,
                      uint32_t channel, const PccBackendPeer *peer,
                      DeviceState *owner);
/* Offer one message to the peer: 1 delivered, 0 busy, -1 rejected */
int pcc_backend_offer(PccBackend *be, PccMsgKind kind, const uint8_t *buf,
                      size_t len);

#endif
