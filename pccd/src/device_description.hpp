// SPDX-License-Identifier: GPL-2.0-or-later
// The device description QEMU sends (qemu/docs/system/devices/pcc.rst,
// "Device description"): `<spool>/device`, or the payload of the hello frame
// on a socket. Text, one statement per line:
//
//   pcc-device 1
//   class pcc-mctp
//   channel 0
//   subspace 0 type 3 role initiator shmem 4096
//   subspace 1 type 4 role responder shmem 4096
//   property NAME VALUE
//
// Roles: `initiator` (type 3), `responder` (type 4), `mailbox` (types 0-3:
// the answer goes back into the request's subspace, in its layout).
//
// It is hostile input: the parser never fails on a bad line, it reports it
// (line number and reason) and goes on; only a text without the format line
// `pcc-device 1`, `class` or `channel` is no description at all.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pcc_message.hpp"

namespace pccd {

constexpr unsigned kDeviceFormatVersion = 1;
constexpr std::size_t kMaxDescriptionSize = 65536;

enum class SubspaceRole { initiator, responder, mailbox };
const char* role_name(SubspaceRole role);

struct SubspaceInfo {
    unsigned index = 0;  // absolute subspace index (0..255)
    unsigned type = 0;   // PCCT subspace type (0..5)
    SubspaceRole role = SubspaceRole::mailbox;
    std::uint32_t shmem = 0;  // bytes of shared memory; 0: not given

    bool operator==(const SubspaceInfo&) const = default;
};

struct DeviceDescription {
    std::string device_class;  // the QOM type, e.g. "pcc-mctp"
    unsigned channel = 0;
    std::vector<SubspaceInfo> subspaces;  // in the order given
    std::map<std::string, std::string, std::less<>> properties;

    bool operator==(const DeviceDescription&) const = default;

    std::optional<std::string> property(std::string_view name) const;
    const SubspaceInfo* find(SubspaceRole role) const;
    // The layout of its mailbox subspace (types 0-2 generic, type 3
    // extended), else extended (initiator and responder).
    Layout layout() const;
};

struct DescriptionProblem {
    int line = 0;
    std::string reason;
};

struct ParsedDescription {
    std::optional<DeviceDescription> device;  // nullopt: `error` says why
    std::string error;
    std::vector<DescriptionProblem> problems;  // lines that were ignored
};

ParsedDescription parse_device_description(std::string_view text);
// The text form (what QEMU writes); parse_device_description reads it back.
std::string format_device_description(const DeviceDescription& device);

}  // namespace pccd
