// SPDX-License-Identifier: GPL-2.0-or-later
// MCTP over PCC (mctp.hpp): the input is the payload of an extended message
// of command "MCTP", i.e. one MCTP packet from its transport header on. It
// is decoded alone (transport header, control message header; what decodes
// encodes back), then sent through the engine to the mctp personality, which
// decodes it again and answers: the MCTP control request parser
// (mctp_control_personality.cpp) and the other message types' handlers.
#include <algorithm>

#include "fuzz_support.hpp"
#include "mctp.hpp"

using namespace pccd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView packet(data, size);
    if (auto p = mctp::decode_packet(packet)) {
        // The same bytes, but for byte 0's reserved high nibble.
        Bytes again = mctp::encode_packet(p->header, p->message);
        again[0] |= packet[0] & 0xf0;
        PCCD_FUZZ_CHECK(std::equal(again.begin(), again.end(), packet.begin(), packet.end()));
        if (!p->message.empty()) {
            (void)mctp::message_type_name(p->message[0] & 0x7f);
            if (auto h = mctp::control::decode_header(p->message)) {
                (void)mctp::control::command_name(h->command);
                const Bytes rsp = mctp::control::response(*h, mctp::control::kSuccess);
                PCCD_FUZZ_CHECK(mctp::control::decode_header(rsp).ok());
            }
        }
    }
    constexpr unsigned kChannel = 0;
    auto engine = fuzz::make_engine();
    PCCD_FUZZ_CHECK(engine->bind(kChannel, "mctp").ok());
    const Bytes raw = encode_ext(pcc_signature(kChannel), kExtFlagNotifyOnCompletion,
                                 mctp::kPccCommandMctp, packet);
    fuzz::request(*engine, kChannel, Layout::extended, raw);
    return 0;
}
