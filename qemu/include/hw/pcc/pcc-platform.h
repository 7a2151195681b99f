/*
 * ACPI Platform Communication Channel (PCC): the platform connection
 *
 * A PccPlatform carries messages between one PCC device and the platform
 * that answers it (an external program such as pccd). It is an object of
 * its own, selected by the device's "platform" link property, in the way
 * IPMI interfaces are linked to their BMC; each transport is a subclass:
 *
 *   -object pcc-platform-spool,id=plat0,dir=DIR
 *   -object pcc-platform-chardev,id=plat1,chardev=ID
 *
 * Device classes only see this interface and never know which transport
 * they have. The wire protocol is in docs/system/devices/pcc.rst.
 *
 * Copyright (c) 2026 qemu-pcc developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_PCC_PCC_PLATFORM_H
#define HW_PCC_PCC_PLATFORM_H

#include "hw/pcc/pcc-compat.h"
#include "hw/qdev-core.h"
#include "qom/object.h"
#include "system/runstate.h"

#define TYPE_PCC_PLATFORM "pcc-platform"
OBJECT_DECLARE_TYPE(PccPlatform, PccPlatformClass, PCC_PLATFORM)

#define TYPE_PCC_PLATFORM_SPOOL "pcc-platform-spool"
#define TYPE_PCC_PLATFORM_CHARDEV "pcc-platform-chardev"

/* Wire values, see docs/system/devices/pcc.rst */
typedef enum PccMsgKind {
    PCC_MSG_REQUEST = 1,
    PCC_MSG_RESPONSE = 2,
    PCC_MSG_NOTIFICATION = 3,
    PCC_MSG_HELLO = 4,
    /* socket only: the platform handled a request and has no answer */
    PCC_MSG_DONE = 5,
} PccMsgKind;

typedef enum PccMsgLayout {
    PCC_LAYOUT_EXTENDED = 0,
    PCC_LAYOUT_GENERIC = 1,
} PccMsgLayout;

/* Largest message either transport carries: a whole shared memory */
#define PCC_MSG_MAX_SIZE        0x10000

/* Version of the device description (the "pcc-device" statement) */
#define PCC_DEVICE_DESCRIPTION_VERSION  1

/* A message from the platform, as the device receives it */
typedef struct PccPlatformMsg {
    PccMsgKind kind;
    PccMsgLayout layout;
    /* a response: the id of the request it answers, 0 if it does not say */
    uint64_t ref;
    const uint8_t *data;
    size_t len;
} PccPlatformMsg;

/* The device side, as the platform connection sees it */
typedef struct PccPlatformPeer {
    bool (*can_receive)(void *opaque);
    /* false: the message was not valid for the device, nothing changed */
    bool (*receive)(void *opaque, const PccPlatformMsg *msg);
} PccPlatformPeer;

struct PccPlatformClass {
    ObjectClass parent_class;

    /* the device attached: open the transport, publish @p->description */
    bool (*connect)(PccPlatform *p, Error **errp);
    /* a message for the platform; the request id, or 0 if not taken */
    uint64_t (*send)(PccPlatform *p, PccMsgKind kind, PccMsgLayout layout,
                     const uint8_t *buf, size_t len);
    /* the peer can take a message again: offer what is waiting */
    void (*kick)(PccPlatform *p);
    /* the device goes: close the transport */
    void (*disconnect)(PccPlatform *p);
};

/* Requests whose round trip is being timed, and the samples kept */
#define PCC_ROUND_TRIP_PENDING      64
#define PCC_ROUND_TRIP_SAMPLES      1024

/*
 * Round trips measured inside QEMU (query-pcc): from sending a request to
 * delivering the response that names it, on QEMU_CLOCK_REALTIME
 */
typedef struct PccRoundTrips {
    struct {
        uint64_t id;
        int64_t sent_ns;
    } pending[PCC_ROUND_TRIP_PENDING];
    unsigned next_pending;
    uint64_t count;
    uint64_t max_ns;
    uint64_t samples_ns[PCC_ROUND_TRIP_SAMPLES];
} PccRoundTrips;

struct PccPlatform {
    Object parent_obj;

    /* < protected: for implementations > */
    const PccPlatformPeer *peer;
    void *opaque;
    DeviceState *owner;
    /* the device's base subspace index: the "channel" of the wire */
    uint32_t channel;
    /* the device description (text, see pcc.rst) */
    char *description;

    /* < private > */
    QEMUBH *kick_bh;
    VMChangeStateEntry *vmstate_change;
    PccRoundTrips round_trips;
};

/*
 * Attach @owner (a PCC device) to @p. The peer callbacks get @opaque.
 * A platform object serves one device: a second attach fails.
 */
bool pcc_platform_attach(PccPlatform *p, DeviceState *owner,
                         const PccPlatformPeer *peer, void *opaque,
                         uint32_t channel, const char *description,
                         Error **errp);
void pcc_platform_detach(PccPlatform *p);

/* Hand a message to the platform: the request id, or 0 if not taken. */
uint64_t pcc_platform_send(PccPlatform *p, PccMsgKind kind,
                           PccMsgLayout layout, const uint8_t *buf,
                           size_t len);
/*
 * The peer can receive again; the platform delivers from a bottom half,
 * and only while the VM runs: an incoming migration or a stopped source
 * must not consume messages.
 */
void pcc_platform_kick(PccPlatform *p);

/* For implementations: offer one message; 1 delivered, 0 busy, -1 bad */
int pcc_platform_offer(PccPlatform *p, const PccPlatformMsg *msg);
const char *pcc_platform_id(PccPlatform *p);

/*
 * The round trips so far: returns how many; their median and 99th
 * percentile over the last PCC_ROUND_TRIP_SAMPLES and the longest of all,
 * in nanoseconds (0 if there were none)
 */
uint64_t pcc_platform_round_trips(PccPlatform *p, uint64_t *p50_ns,
                                  uint64_t *p99_ns, uint64_t *max_ns);

#endif
