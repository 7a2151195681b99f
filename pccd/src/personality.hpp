// SPDX-License-Identifier: GPL-2.0-or-later
// Personalities: the protocol sides pccd plays. Three registries, each filled
// by static registrar objects in the personality's own source file, so a new
// personality is a class plus one registrar line and no edit to the core:
//
//  * ExtCommandPersonality: extended-layout messages, by PCC command (u32).
//  * MctpTypePersonality: MCTP messages, by MCTP message type (inside the
//    "MCTP" command personality).
//  * GenericPersonality: generic-layout messages, by name; a channel is bound
//    to one with `--bind CHANNEL=NAME` (generic messages have no protocol
//    identifier of their own).
//
// All of them see the shared PlatformState (endpoint identity and the
// key/value settings that rules files and `pccd set` change at run time).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bytes.hpp"
#include "message.hpp"

namespace pccd {

// One entry of Get Vendor Defined Message Support (DSP0236 table 21).
struct VendorMessageSet {
    bool iana = false;  // false: PCI vendor id (16 bit), true: IANA (32 bit)
    std::uint32_t vendor = 0;
    std::uint16_t command_set = 0;  // vendor-defined command set type/version
};

struct PlatformState {
    std::uint8_t static_eid = 8;  // --eid; what Set Endpoint ID "reset" returns to
    std::uint8_t eid = 8;         // the EID in use
    std::array<std::uint8_t, 16> uuid{};
    std::uint8_t tid = 1;  // PLDM terminus id
    std::vector<VendorMessageSet> vendor_sets;
    std::map<std::string, std::string, std::less<>> settings;
    std::map<unsigned, std::uint8_t> peer_eid;  // channel -> src EID of its last request
    std::uint8_t next_tag = 0;                  // tags of pccd-originated MCTP messages

    std::optional<std::string> setting(std::string_view key) const;
};

class ExtCommandPersonality {
  public:
    virtual ~ExtCommandPersonality() = default;
    // The extended payload (after the 16-byte header) of the answer, or
    // nullopt for no answer (the personality logs why).
    virtual std::optional<Bytes> answer(const DecodedMessage& request) = 0;
};

class MctpTypePersonality {
  public:
    virtual ~MctpTypePersonality() = default;
    // The MCTP message of the answer (from its type byte), or nullopt.
    virtual std::optional<Bytes> answer(const DecodedMessage& request) = 0;
};

struct GenericAnswer {
    std::uint16_t status = kStatusCommandComplete;
    Bytes space;  // communication space
};

class GenericPersonality {
  public:
    virtual ~GenericPersonality() = default;
    virtual std::optional<GenericAnswer> answer(const DecodedMessage& request) = 0;
};

template <class Interface>
using PersonalityFactory = std::function<std::unique_ptr<Interface>(PlatformState&)>;

template <class Key, class Interface>
struct PersonalityEntry {
    std::string name;
    PersonalityFactory<Interface> make;
};

std::map<std::uint32_t, PersonalityEntry<std::uint32_t, ExtCommandPersonality>>&
ext_command_registry();
std::map<std::uint8_t, PersonalityEntry<std::uint8_t, MctpTypePersonality>>& mctp_type_registry();
std::map<std::string, PersonalityEntry<std::string, GenericPersonality>, std::less<>>&
generic_registry();

template <class T>
struct ExtCommandRegistrar {
    ExtCommandRegistrar(std::uint32_t command, const char* name) {
        ext_command_registry()[command] = {name,
                                           [](PlatformState& s) { return std::make_unique<T>(s); }};
    }
};

template <class T>
struct MctpTypeRegistrar {
    MctpTypeRegistrar(std::uint8_t type, const char* name) {
        mctp_type_registry()[type] = {name,
                                      [](PlatformState& s) { return std::make_unique<T>(s); }};
    }
};

template <class T>
struct GenericRegistrar {
    explicit GenericRegistrar(const char* name) {
        generic_registry()[name] = {name, [](PlatformState& s) { return std::make_unique<T>(s); }};
    }
};

}  // namespace pccd
