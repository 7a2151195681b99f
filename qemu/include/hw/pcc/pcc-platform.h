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
#include "migration/vmstate.h"
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

/*
 * A message a transport holds, as the migration stream carries it: a
 * request sent and not settled (@id its request id), or a message from
 * the platform not yet delivered to the device (@ref the request it
 * settles, 0 if none)
 */
typedef struct PccPlatformHeldMsg {
    uint8_t kind;
    uint8_t layout;
    uint64_t id;
    uint64_t ref;
    uint32_t len;
    uint8_t *data;
} PccPlatformHeldMsg;

/* What a transport migrates (see vmstate_pcc_platform) */
typedef struct PccPlatformHeld {
    uint64_t session;
    uint64_t next_id;
    int32_t num_requests;
    PccPlatformHeldMsg *requests;
    int32_t num_received;
    PccPlatformHeldMsg *received;
} PccPlatformHeld;

/*
 * The most of each that a migration stream may hold: a transport keeps
 * 64 requests (65 after a resumed one) and stops reading at 64 received
 * messages, but one read may bring more small ones
 */
#define PCC_PLATFORM_HELD_MAX       4096

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

    /*
     * Migration and snapshots, all optional. held_needed: the transport
     * holds messages that only the migration stream can carry (false:
     * nothing to migrate). held_save fills @p->held; held_load takes
     * what was loaded into it, which is valid.
     */
    bool (*held_needed)(PccPlatform *p);
    void (*held_save)(PccPlatform *p);
    void (*held_load)(PccPlatform *p);
    /*
     * After a state load the device still waits for the answer to
     * request @id (its bytes: @buf): make sure the platform gets it, under
     * the same id, unless the platform has it or its answer is waiting.
     */
    void (*resume_request)(PccPlatform *p, uint64_t id, PccMsgLayout layout,
                           const uint8_t *buf, size_t len);
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
    /*
     * Read-only: the messages handed to the transport (pcc_platform_send),
     * taken or not, since the object was made; not migrated
     */
    uint64_t send_calls;

    /* < private > */
    QEMUBH *kick_bh;
    VMChangeStateEntry *vmstate_change;
    PccRoundTrips round_trips;
    /* only while a migration stream is written or read */
    PccPlatformHeld held;
};

/*
 * The transport's messages in the migration stream: the requests it
 * keeps and the messages it has not delivered yet, with its session
 */
extern const VMStateDescription vmstate_pcc_platform;

/* Whether @p has anything for vmstate_pcc_platform to carry */
bool pcc_platform_held_needed(PccPlatform *p);

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

/*
 * After a state load: the device waits for the answer to request @id,
 * whose bytes are @buf (see PccPlatformClass::resume_request)
 */
void pcc_platform_resume_request(PccPlatform *p, uint64_t id,
                                 PccMsgLayout layout, const uint8_t *buf,
                                 size_t len);

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
