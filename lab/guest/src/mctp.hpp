// SPDX-License-Identifier: GPL-2.0-or-later
// MCTP control (DSP0236) and PLDM base (DSP0240) messages as the guest's
// pcc-guest-mctp sends them over AF_MCTP datagram sockets. Pure functions
// over bytes, unit-tested on the host.
//
// The bytes are the message *after* the MCTP message type byte: the kernel
// takes the type from sockaddr_mctp.smctp_type and adds/strips that byte.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace lab::mctp {

using Bytes = std::vector<std::uint8_t>;

inline constexpr std::uint8_t kTypeControl = 0x00;
inline constexpr std::uint8_t kTypePldm = 0x01;

// MCTP control commands
inline constexpr std::uint8_t kGetEndpointId = 0x02;
inline constexpr std::uint8_t kGetVersionSupport = 0x04;
inline constexpr std::uint8_t kGetMessageTypeSupport = 0x05;

// PLDM base (type 0) commands
inline constexpr std::uint8_t kPldmTypeBase = 0x00;
inline constexpr std::uint8_t kPldmGetTid = 0x02;
inline constexpr std::uint8_t kPldmGetTypes = 0x04;

// Control request: Rq=1, D=0, instance ID (5 bits), command, data.
Bytes control_request(std::uint8_t instance, std::uint8_t command,
                      std::span<const std::uint8_t> data = {});

// A control response: byte 0 Rq=0 + instance, byte 1 command, byte 2
// completion code, then the data.
struct ControlResponse {
    std::uint8_t instance = 0;
    std::uint8_t command = 0;
    std::uint8_t completion = 0;
    Bytes data;
};

// Parses a response and checks it answers (instance, command); nullopt and
// *error say why not.
std::optional<ControlResponse> parse_control_response(std::span<const std::uint8_t> msg,
                                                      std::uint8_t instance, std::uint8_t command,
                                                      std::string* error);

// Get Endpoint ID response data: EID, endpoint type byte, medium-specific.
struct EndpointId {
    std::uint8_t eid = 0;
    std::uint8_t endpoint_type = 0;  // [5:4] 00 simple endpoint, 01 bus owner/bridge
    std::uint8_t eid_type =
        0;  // [1:0] 00 dynamic, 01 static supported, 10 static match, 11 static mismatch
};
std::optional<EndpointId> parse_get_endpoint_id(const ControlResponse& r, std::string* error);

// Get MCTP Version Support data: count, then 4-byte entries (major, minor,
// update, alpha; BCD with F in the high nibble).
std::optional<std::vector<std::uint32_t>> parse_version_support(const ControlResponse& r,
                                                                std::string* error);
// "1.3.1" for F1 F3 F1 00
std::string version_text(std::uint32_t entry);

// Get Message Type Support data: count, then that many type bytes.
std::optional<Bytes> parse_message_types(const ControlResponse& r, std::string* error);

// PLDM request: Rq=1 + instance, header version 0 + PLDM type, command, data.
Bytes pldm_request(std::uint8_t instance, std::uint8_t pldm_type, std::uint8_t command,
                   std::span<const std::uint8_t> data = {});

struct PldmResponse {
    std::uint8_t instance = 0;
    std::uint8_t pldm_type = 0;
    std::uint8_t command = 0;
    std::uint8_t completion = 0;
    Bytes data;
};
std::optional<PldmResponse> parse_pldm_response(std::span<const std::uint8_t> msg,
                                                std::uint8_t instance, std::uint8_t pldm_type,
                                                std::uint8_t command, std::string* error);

// GetPLDMTypes data: bitfield8[8], bit n = PLDM type n supported.
std::optional<std::vector<unsigned>> parse_pldm_types(const PldmResponse& r, std::string* error);

std::string hex_bytes(std::span<const std::uint8_t> b);

}  // namespace lab::mctp
