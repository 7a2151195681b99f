// SPDX-License-Identifier: GPL-2.0-or-later
// DecodedMessage: a message as the transports deliver it (channel, layout,
// kind, bytes), decoded once: the PCC header, and for extended messages with
// command "MCTP" the MCTP packet and the control/PLDM command. Rules, the log
// line and the personalities all read this; nothing else parses headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bytes.hpp"
#include "mctp.hpp"
#include "pcc_message.hpp"
#include "result.hpp"
#include "socket_frame.hpp"

namespace pccd {

constexpr unsigned kMaxChannel = 255;

struct DecodedMessage {
    unsigned channel = 0;
    Layout layout = Layout::extended;
    MessageKind kind = MessageKind::request;
    ByteView raw;

    std::optional<ExtMessage> ext;          // layout extended
    std::optional<GenericMessage> generic;  // layout generic
    std::optional<mctp::Packet> mctp;       // ext with command "MCTP"
    std::optional<std::uint8_t> mctp_type;  // without the IC bit; SOM packets only
    std::optional<bool> mctp_request;       // Rq bit of control and PLDM messages
    std::optional<std::uint8_t> instance;   // instance id of control and PLDM messages
    std::optional<std::uint8_t> pldm_type;  // MCTP type 1
    // Control command (type 0), PLDM command (type 1) or the generic layout's
    // 16-bit command.
    std::optional<unsigned> command;
    std::optional<std::uint8_t> completion;  // control/PLDM responses

    bool is_mctp() const { return mctp.has_value(); }
    // The bytes a rule's reply template and `$N` offsets refer to: the MCTP
    // message (from the type byte), the extended payload, or the generic
    // communication space.
    ByteView body() const;
};

Result<DecodedMessage> decode_message(unsigned channel, Layout layout, MessageKind kind,
                                      ByteView raw);

// One line: "c000 req ext MCTP 09->08 TO=1 tag=1 type=0(control) rq iid=3
// cmd=0x02(Get Endpoint ID) 21B".
std::string describe(const DecodedMessage& message);

}  // namespace pccd
