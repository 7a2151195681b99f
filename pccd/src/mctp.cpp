// SPDX-License-Identifier: GPL-2.0-or-later
#include "mctp.hpp"

#include <algorithm>

namespace pccd::mctp {

const char* message_type_name(std::uint8_t type) {
    switch (type) {
        case 0x00:
            return "control";
        case 0x01:
            return "PLDM";
        case 0x02:
            return "NC-SI";
        case 0x03:
            return "Ethernet";
        case 0x04:
            return "NVMe-MI";
        case 0x05:
            return "SPDM";
        case 0x06:
            return "secured";
        case 0x07:
            return "CXL-FM-API";
        case 0x08:
            return "CXL-CCI";
        case kTypeVendorPci:
            return "vendor-PCI";
        case kTypeVendorIana:
            return "vendor-IANA";
        default:
            return "unknown";
    }
}

Result<Packet> decode_packet(ByteView packet) {
    if (packet.size() < kTransportHeaderSize) {
        return fail("MCTP packet of " + std::to_string(packet.size()) +
                    " bytes is shorter than the 4-byte transport header");
    }
    Packet p;
    p.header.version = packet[0] & 0x0f;
    p.header.dest = packet[1];
    p.header.src = packet[2];
    const std::uint8_t flags = packet[3];
    p.header.som = (flags & 0x80) != 0;
    p.header.eom = (flags & 0x40) != 0;
    p.header.seq = (flags >> 4) & 0x3;
    p.header.tag_owner = (flags & 0x08) != 0;
    p.header.tag = flags & 0x7;
    if (p.header.version != kHeaderVersion) {
        return fail("MCTP header version " + std::to_string(p.header.version) + ", want 1");
    }
    p.message = packet.subspan(kTransportHeaderSize);
    if (p.header.som && p.message.empty()) {
        return fail("MCTP start-of-message packet without a message type byte");
    }
    return p;
}

Bytes encode_packet(const TransportHeader& header, ByteView message) {
    Bytes out;
    out.reserve(kTransportHeaderSize + message.size());
    out.push_back(header.version & 0x0f);
    out.push_back(header.dest);
    out.push_back(header.src);
    out.push_back(static_cast<std::uint8_t>((header.som ? 0x80 : 0) | (header.eom ? 0x40 : 0) |
                                            ((header.seq & 0x3) << 4) |
                                            (header.tag_owner ? 0x08 : 0) | (header.tag & 0x7)));
    append(out, message);
    return out;
}

TransportHeader response_header(const TransportHeader& request) {
    TransportHeader h;
    h.dest = request.src;
    h.src = request.dest;
    h.tag = request.tag;
    h.tag_owner = false;
    return h;
}

namespace control {

const char* command_name(std::uint8_t command) {
    switch (command) {
        case kSetEndpointId:
            return "Set Endpoint ID";
        case kGetEndpointId:
            return "Get Endpoint ID";
        case kGetEndpointUuid:
            return "Get Endpoint UUID";
        case kGetVersionSupport:
            return "Get MCTP Version Support";
        case kGetMessageTypeSupport:
            return "Get Message Type Support";
        case kGetVendorMessageSupport:
            return "Get Vendor Defined Message Support";
        case 0x07:
            return "Resolve Endpoint ID";
        case 0x08:
            return "Allocate Endpoint IDs";
        case 0x09:
            return "Routing Information Update";
        case 0x0a:
            return "Get Routing Table Entries";
        case 0x0b:
            return "Prepare for Endpoint Discovery";
        case 0x0c:
            return "Endpoint Discovery";
        case 0x0d:
            return "Discovery Notify";
        case 0x0e:
            return "Get Network ID";
        case 0x0f:
            return "Query Hop";
        default:
            return "unknown";
    }
}

Result<Header> decode_header(ByteView message) {
    if (message.size() < kHeaderSize) {
        return fail("MCTP control message of " + std::to_string(message.size()) +
                    " bytes is shorter than its 3-byte header");
    }
    Header h;
    h.ic = (message[0] & kIcBit) != 0;
    h.rq = (message[1] & 0x80) != 0;
    h.datagram = (message[1] & 0x40) != 0;
    h.instance = message[1] & 0x1f;
    h.command = message[2];
    return h;
}

Bytes response(const Header& request, std::uint8_t completion, ByteView data) {
    Bytes out(4 + data.size());
    out[0] = kTypeControl;
    out[1] = request.instance;  // Rq=0, D=0
    out[2] = request.command;
    out[3] = completion;
    std::copy(data.begin(), data.end(), out.begin() + 4);
    return out;
}

}  // namespace control

}  // namespace pccd::mctp
