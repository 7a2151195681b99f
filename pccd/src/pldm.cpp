// SPDX-License-Identifier: GPL-2.0-or-later
#include "pldm.hpp"

#include <algorithm>

namespace pccd::pldm {

const char* command_name(std::uint8_t type, std::uint8_t command) {
    if (type != kTypeBase) {
        return "unknown";
    }
    switch (command) {
        case kSetTid:
            return "SetTID";
        case kGetTid:
            return "GetTID";
        case kGetPldmVersion:
            return "GetPLDMVersion";
        case kGetPldmTypes:
            return "GetPLDMTypes";
        case kGetPldmCommands:
            return "GetPLDMCommands";
        default:
            return "unknown";
    }
}

Result<Header> decode_header(ByteView message) {
    if (message.size() < 1 + kHeaderSize) {
        return fail("PLDM message of " + std::to_string(message.size()) +
                    " bytes is shorter than type byte + 3-byte header");
    }
    Header h;
    h.rq = (message[1] & 0x80) != 0;
    h.datagram = (message[1] & 0x40) != 0;
    h.instance = message[1] & 0x1f;
    h.header_version = message[2] >> 6;
    h.type = message[2] & 0x3f;
    h.command = message[3];
    return h;
}

Bytes response(const Header& request, std::uint8_t completion, ByteView data) {
    Bytes out(5 + data.size());
    out[0] = 0x01;                                            // MCTP message type: PLDM
    out[1] = request.instance;                                // Rq=0, D=0
    out[2] = static_cast<std::uint8_t>(request.type & 0x3f);  // header version 0
    out[3] = request.command;
    out[4] = completion;
    std::copy(data.begin(), data.end(), out.begin() + 5);
    return out;
}

std::uint32_t crc32(ByteView data) {
    std::uint32_t crc = 0xffffffffU;
    for (std::uint8_t byte : data) {
        crc ^= byte;
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 1U) ? (crc >> 1) ^ 0xedb88320U : crc >> 1;
        }
    }
    return crc ^ 0xffffffffU;
}

}  // namespace pccd::pldm
