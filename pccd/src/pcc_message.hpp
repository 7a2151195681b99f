// SPDX-License-Identifier: GPL-2.0-or-later
// The PCC communication region layouts (ACPI 6.5 section 14.2): the extended
// header of subspace types 3/4 and the generic header of types 0/1/2. This is
// the only place that knows their byte layout.
#pragma once

#include <cstdint>
#include <string>

#include "bytes.hpp"
#include "result.hpp"

namespace pccd {

enum class Layout : std::uint8_t { extended = 0, generic = 1 };

const char* layout_name(Layout layout);  // "ext" / "gen"

// Which way a message goes (the same numbers as the socket frame kinds).
enum class MessageKind : std::uint8_t { request = 1, response = 2, notification = 3 };
const char* kind_name(MessageKind kind);  // "req" / "rsp" / "ntf"

constexpr std::uint32_t kPccSignatureBase = 0x50434300;  // | subspace index
constexpr std::uint32_t kPccSignatureMask = 0xffffff00;
constexpr std::uint32_t kExtFlagNotifyOnCompletion = 0x1;
constexpr std::size_t kExtHeaderSize = 16;
constexpr std::size_t kGenericHeaderSize = 8;
// Largest message pccd accepts from any transport (a socket frame's limit).
constexpr std::size_t kMaxMessageSize = 65536;

// Generic layout status bits (ACPI 6.5 table 14.5).
constexpr std::uint16_t kStatusCommandComplete = 0x1;
constexpr std::uint16_t kStatusPlatformSci = 0x2;
constexpr std::uint16_t kStatusError = 0x4;
constexpr std::uint16_t kStatusPlatformNotification = 0x8;

struct ExtMessage {
    std::uint32_t signature = 0;
    std::uint32_t flags = 0;
    std::uint32_t length = 0;  // bytes of command + payload
    std::uint32_t command = 0;
    ByteView payload;      // the length - 4 bytes after the header
    bool clipped = false;  // the length claims more bytes than the message has
};

struct GenericMessage {
    std::uint32_t signature = 0;
    std::uint16_t command = 0;
    std::uint16_t status = 0;
    ByteView space;  // communication space: everything after the header
};

// Whether the signature checks of decode_ext/decode_generic are made. The
// engine decodes without them and lets the personality of the channel judge
// the signature (Personality::check_signature).
enum class SignatureCheck { pcc, none };

// What decode_ext does with a length that claims more bytes than the message
// has: `reject` the message (malformed), or `clip` the payload at the end of
// the message (ExtMessage::clipped). The engine clips and lets the
// personality of the channel judge (PersonalityInfo::accepts_overlong_length):
// Linux's kunpeng_hccs writes 64 into the length of its 64-byte region.
enum class LengthCheck { reject, clip };

// A message is 12 + length bytes; bytes past that (the rest of a shared memory
// region) are ignored. A length < 4 or past the buffer (unless
// LengthCheck::clip) is malformed, and so is a signature without the "PCC"
// prefix (unless SignatureCheck::none).
Result<ExtMessage> decode_ext(ByteView message, SignatureCheck check = SignatureCheck::pcc,
                              LengthCheck length_check = LengthCheck::reject);
// Why a length past the end of a message of `size` bytes is malformed.
std::string length_overrun_text(std::uint32_t length, std::size_t size);
Bytes encode_ext(std::uint32_t signature, std::uint32_t flags, std::uint32_t command,
                 ByteView payload);

Result<GenericMessage> decode_generic(ByteView message, SignatureCheck check = SignatureCheck::pcc);
Bytes encode_generic(std::uint32_t signature, std::uint16_t command, std::uint16_t status,
                     ByteView space);

// The header a subspace of PCCT type `type` carries: types 0 to 2 the generic
// one, 3 and 4 (and what Linux reads like them) the extended one.
constexpr Layout subspace_layout(unsigned type) {
    return type <= 2 ? Layout::generic : Layout::extended;
}

constexpr std::uint32_t pcc_signature(unsigned subspace) {
    return kPccSignatureBase | (subspace & 0xff);
}
constexpr bool has_pcc_prefix(std::uint32_t signature) {
    return (signature & kPccSignatureMask) == kPccSignatureBase;
}
// "bad signature 0x%08x"
std::string bad_signature_text(std::uint32_t signature);

// "MCTP" for printable commands, else 0x%08x.
std::string pcc_command_name(std::uint32_t command);

}  // namespace pccd
