// SPDX-License-Identifier: GPL-2.0-or-later
// DecodedMessage: a message as the transports deliver it (channel, layout,
// kind, bytes), decoded once. The core decodes the PCC layout (extended or
// generic header, decode_layout); the personality that serves the channel
// fills `fields` with its protocol's view (Personality::decode). Rules, the
// log line and the personalities all read this.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bytes.hpp"
#include "pcc_message.hpp"
#include "result.hpp"

namespace pccd {

constexpr unsigned kMaxChannel = 255;

// The protocol fields that rules select on and the log line shows, in
// protocol-neutral terms. The personality's decoder fills them; the core only
// sets `command` to the generic layout's 16-bit command.
struct MessageFields {
    std::optional<std::uint8_t> type;        // `type=`: e.g. the MCTP message type (no IC bit)
    std::optional<std::uint8_t> subtype;     // `pldm-type=`: a type within the type (PLDM type)
    std::optional<unsigned> command;         // `cmd=`: the protocol's command
    std::optional<bool> request;             // request (Rq) or response
    std::optional<std::uint8_t> instance;    // instance id / sequence of the exchange
    std::optional<std::uint8_t> completion;  // completion code of a response
    // What a rule's reply template and `$N` refer to (e.g. the MCTP message
    // from its type byte); unset: the extended payload or the generic
    // communication space.
    std::optional<ByteView> body;
};

struct DecodedMessage {
    unsigned channel = 0;
    Layout layout = Layout::extended;
    MessageKind kind = MessageKind::request;
    ByteView raw;

    std::optional<ExtMessage> ext;          // layout extended
    std::optional<GenericMessage> generic;  // layout generic
    MessageFields fields;

    std::uint32_t signature() const { return ext ? ext->signature : generic->signature; }
    // The extended layout's PCC command, if the message has one.
    std::optional<std::uint32_t> pcc_command() const;
    ByteView body() const;
};

// The PCC layout only, without the signature check (the personality judges
// it): a truncated header, a length that lies (unless LengthCheck::clip) or a
// channel > 255 fail.
Result<DecodedMessage> decode_layout(unsigned channel, Layout layout, MessageKind kind,
                                     ByteView raw, LengthCheck length_check = LengthCheck::reject);

// One log line: "c000 req ext MCTP" (the PCC command) or "c002 req gen
// cmd=0x8000 status=0x0000", then `protocol` (the personality's part, starting
// with a blank, e.g. " 09->08 TO=1 tag=1 type=0(control) rq iid=3"), then the
// size ("21B").
std::string describe(const DecodedMessage& message, std::string_view protocol = {});

}  // namespace pccd
