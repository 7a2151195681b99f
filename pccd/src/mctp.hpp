// SPDX-License-Identifier: GPL-2.0-or-later
// MCTP (DMTF DSP0236 1.3) packet and control message layouts, and MCTP over
// PCC (DSP0292): the PCC payload after the 16-byte extended header is one MCTP
// packet starting with its 4-byte transport header.
#pragma once

#include <cstdint>

#include "bytes.hpp"
#include "result.hpp"

namespace pccd::mctp {

// The PCC command of MCTP over PCC messages (DSP0292): the bytes "MCTP".
constexpr std::uint32_t kPccCommandMctp = 0x5054434d;

constexpr std::size_t kTransportHeaderSize = 4;
constexpr std::uint8_t kHeaderVersion = 1;
constexpr std::uint8_t kNullEid = 0x00;
constexpr std::uint8_t kBroadcastEid = 0xff;

// Message types (DSP0239).
constexpr std::uint8_t kTypeControl = 0x00;
constexpr std::uint8_t kTypePldm = 0x01;
constexpr std::uint8_t kTypeVendorPci = 0x7e;
constexpr std::uint8_t kTypeVendorIana = 0x7f;
constexpr std::uint8_t kIcBit = 0x80;  // integrity check present

// How --pcap records MCTP packets: the SLL2 protocol ETH_P_MCTP and the
// link-layer type ARPHRD_MCTP (Linux's if_ether.h and if_arp.h).
constexpr std::uint16_t kEthPMctp = 0x00fa;
constexpr std::uint16_t kArphrdMctp = 290;

const char* message_type_name(std::uint8_t type);

struct TransportHeader {
    std::uint8_t version = kHeaderVersion;  // low nibble of byte 0
    std::uint8_t dest = 0;
    std::uint8_t src = 0;
    bool som = true;        // byte 3 bit 7
    bool eom = true;        // byte 3 bit 6
    std::uint8_t seq = 0;   // byte 3 bits 5:4
    bool tag_owner = true;  // byte 3 bit 3
    std::uint8_t tag = 0;   // byte 3 bits 2:0
};

struct Packet {
    TransportHeader header;
    ByteView message;  // from the IC/message type byte on (empty if not SOM)
};

Result<Packet> decode_packet(ByteView packet);
Bytes encode_packet(const TransportHeader& header, ByteView message);

// The transport header of the answer to `request`: EIDs swapped, same tag, TO
// cleared, a single packet.
TransportHeader response_header(const TransportHeader& request);

// --- Control messages (message type 0, DSP0236 section 12) ---

namespace control {

constexpr std::uint8_t kSetEndpointId = 0x01;
constexpr std::uint8_t kGetEndpointId = 0x02;
constexpr std::uint8_t kGetEndpointUuid = 0x03;
constexpr std::uint8_t kGetVersionSupport = 0x04;
constexpr std::uint8_t kGetMessageTypeSupport = 0x05;
constexpr std::uint8_t kGetVendorMessageSupport = 0x06;

constexpr std::uint8_t kSuccess = 0x00;
constexpr std::uint8_t kError = 0x01;
constexpr std::uint8_t kErrorInvalidData = 0x02;
constexpr std::uint8_t kErrorInvalidLength = 0x03;
constexpr std::uint8_t kErrorNotReady = 0x04;
constexpr std::uint8_t kErrorUnsupportedCmd = 0x05;
constexpr std::uint8_t kMessageTypeNotSupported = 0x80;  // Get MCTP Version Support

const char* command_name(std::uint8_t command);

// Bytes 0..2 of a control message (byte 3 is the completion code of a response).
struct Header {
    bool ic = false;
    bool rq = false;
    bool datagram = false;
    std::uint8_t instance = 0;
    std::uint8_t command = 0;
};
constexpr std::size_t kHeaderSize = 3;

Result<Header> decode_header(ByteView message);
// type 0, Rq=0, D=0, same instance id and command, then completion code + data.
Bytes response(const Header& request, std::uint8_t completion, ByteView data = {});

}  // namespace control

}  // namespace pccd::mctp
