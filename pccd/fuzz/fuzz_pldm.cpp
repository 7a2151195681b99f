// SPDX-License-Identifier: GPL-2.0-or-later
// PLDM over MCTP over PCC (pldm.hpp): the input is a PLDM message from its
// header on (after the MCTP message type byte 1). Its header is decoded
// alone, then it travels as MCTP over PCC through the engine to the mctp
// personality's PLDM handler (pldm_personality.cpp), which answers.
#include "fuzz_support.hpp"
#include "mctp.hpp"
#include "pldm.hpp"

using namespace pccd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Bytes message{mctp::kTypePldm};
    append(message, ByteView(data, size));
    if (auto h = pldm::decode_header(message)) {
        (void)pldm::command_name(h->type, h->command);
        const Bytes rsp = pldm::response(*h, pldm::kSuccess);
        PCCD_FUZZ_CHECK(pldm::decode_header(rsp).ok());
    }
    (void)pldm::crc32(ByteView(data, size));

    constexpr unsigned kChannel = 0;
    auto engine = fuzz::make_engine();
    PCCD_FUZZ_CHECK(engine->bind(kChannel, "mctp").ok());
    mctp::TransportHeader header;
    header.dest = engine->state().eid;
    header.src = 0x09;
    header.tag = 1;
    const Bytes packet = mctp::encode_packet(header, message);
    const Bytes raw = encode_ext(pcc_signature(kChannel), kExtFlagNotifyOnCompletion,
                                 mctp::kPccCommandMctp, packet);
    fuzz::request(*engine, kChannel, Layout::extended, raw);
    return 0;
}
