// SPDX-License-Identifier: GPL-2.0-or-later
// PLDM (DMTF DSP0240 1.1) message header and base (type 0) command layouts.
// A PLDM message travels as MCTP message type 1: the MCTP message's first
// byte is the type, the PLDM header follows. PLDM integers are little-endian.
#pragma once

#include <cstdint>

#include "bytes.hpp"
#include "result.hpp"

namespace pccd::pldm {

constexpr std::uint8_t kTypeBase = 0x00;

// Base commands.
constexpr std::uint8_t kSetTid = 0x01;
constexpr std::uint8_t kGetTid = 0x02;
constexpr std::uint8_t kGetPldmVersion = 0x03;
constexpr std::uint8_t kGetPldmTypes = 0x04;
constexpr std::uint8_t kGetPldmCommands = 0x05;

// Completion codes.
constexpr std::uint8_t kSuccess = 0x00;
constexpr std::uint8_t kError = 0x01;
constexpr std::uint8_t kErrorInvalidData = 0x02;
constexpr std::uint8_t kErrorInvalidLength = 0x03;
constexpr std::uint8_t kErrorNotReady = 0x04;
constexpr std::uint8_t kErrorUnsupportedPldmCmd = 0x05;
constexpr std::uint8_t kErrorInvalidPldmType = 0x20;
constexpr std::uint8_t kInvalidDataTransferHandle = 0x80;
constexpr std::uint8_t kInvalidTransferOperationFlag = 0x81;
constexpr std::uint8_t kInvalidPldmTypeInRequestData = 0x83;
constexpr std::uint8_t kInvalidPldmVersionInRequestData = 0x84;

// GetPLDMVersion transfer operation flags and transfer flags.
constexpr std::uint8_t kGetNextPart = 0x00;
constexpr std::uint8_t kGetFirstPart = 0x01;
constexpr std::uint8_t kTransferStartAndEnd = 0x05;

// ver32 (DSP0240 table 1): major.minor.update.alpha, BCD digits with an Fh
// high nibble; the major version is the most significant byte, sent LE.
constexpr std::uint32_t kBaseVersion = 0xf1f1f000;  // DSP0240 1.1.0

const char* command_name(std::uint8_t type, std::uint8_t command);

struct Header {
    bool rq = false;
    bool datagram = false;
    std::uint8_t instance = 0;
    std::uint8_t header_version = 0;
    std::uint8_t type = 0;
    std::uint8_t command = 0;
};
constexpr std::size_t kHeaderSize = 3;

// `message` is the MCTP message (starting with the MCTP type byte).
Result<Header> decode_header(ByteView message);
// The MCTP message of a response: MCTP type 1, Rq=0, same instance id, type
// and command, then completion code and data.
Bytes response(const Header& request, std::uint8_t completion, ByteView data = {});

// CRC-32 as in ISO 3309 / IEEE 802.3 (reflected 0x04C11DB7, init and final
// XOR 0xFFFFFFFF): the integrity checksum of GetPLDMVersion's version data.
std::uint32_t crc32(ByteView data);

}  // namespace pccd::pldm
