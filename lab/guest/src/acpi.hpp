// SPDX-License-Identifier: GPL-2.0-or-later
// Minimal readers for the ACPI tables the lab checks: the PCCT (ACPI 6.5
// section 14.1), the DMT0001 devices (DSP0292) and the APMC0D29 (X-Gene
// SLIMpro hwmon) devices in an SSDT's AML.
// Pure functions over bytes, so that the host can unit-test them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace lab::acpi {

inline constexpr std::size_t kHeaderSize = 36;

struct Header {
    std::string signature;  // 4 characters
    std::uint32_t length = 0;
    std::uint8_t revision = 0;
    std::string oem_table_id;  // 8 characters, trailing blanks removed
};

// Parses the common header; nullopt when fewer than 36 bytes.
std::optional<Header> parse_header(std::span<const std::uint8_t> table);

// Sum of all bytes mod 256 is zero?
bool checksum_ok(std::span<const std::uint8_t> table);

struct PccSubspace {
    unsigned index = 0;                // position in the PCCT
    std::uint8_t type = 0;             // 0..5
    std::uint8_t length = 0;           // subtable length
    std::uint64_t base = 0;            // shared memory base address
    std::uint64_t size = 0;            // shared memory length
    std::optional<std::uint32_t> gsi;  // types 1..4: platform interrupt
    std::uint8_t irq_flags = 0;
    std::uint32_t latency_us = 0;  // nominal latency (types 0..4)
};

struct Pcct {
    std::uint32_t flags = 0;
    std::vector<PccSubspace> subspaces;
};

// The expected subtable length of a type, 0 if unknown.
unsigned pcct_subtable_length(std::uint8_t type);

// Parses a PCCT. On a malformed table returns nullopt and says why in *error.
std::optional<Pcct> parse_pcct(std::span<const std::uint8_t> table, std::string* error);

struct PccResource {
    std::uint32_t subspace = 0;  // DWord descriptor's address minimum
    std::uint32_t max = 0;
    std::uint32_t length = 0;
};

struct AmlDevice {
    std::string name;  // 4-character NameSeg of the enclosing Device()
    std::string hid;
    std::optional<std::uint64_t> uid;
    std::vector<PccResource> pcc;  // in _CRS order
    // _DSD device properties whose value is an integer, e.g.
    // {"pcc-channel", 4}, in their order
    std::vector<std::pair<std::string, std::uint64_t>> properties;

    std::optional<std::uint64_t> property(const std::string& key) const;
};

// Finds every Device() in the AML whose _HID is the string `hid` and
// collects its PCC DWord address space descriptors (resource type 0x0A)
// and the integer properties of its _DSD.
std::vector<AmlDevice> find_devices(std::span<const std::uint8_t> table, const std::string& hid);

}  // namespace lab::acpi
