// SPDX-License-Identifier: GPL-2.0-or-later
// The PCC message layouts (pcc_message.hpp, message.hpp): the extended
// header (types 3/4) and the generic header (types 0-2), with and without
// the signature check and with a length that is rejected or clipped, then
// decode_layout and the log line. What decodes encodes back to its bytes.
#include <algorithm>

#include "fuzz_support.hpp"
#include "message.hpp"
#include "pcc_message.hpp"

using namespace pccd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input input(data, size);
    const unsigned channel = input.byte();
    const ByteView raw = input.rest();

    if (auto ext = decode_ext(raw)) {
        PCCD_FUZZ_CHECK(has_pcc_prefix(ext->signature) && !ext->clipped);
        const Bytes again = encode_ext(ext->signature, ext->flags, ext->command, ext->payload);
        PCCD_FUZZ_CHECK(again.size() <= raw.size() &&
                        std::equal(again.begin(), again.end(), raw.begin()));
    }
    if (auto ext = decode_ext(raw, SignatureCheck::none, LengthCheck::clip)) {
        PCCD_FUZZ_CHECK(ext->length >= 4);
        PCCD_FUZZ_CHECK(ext->payload.data() + ext->payload.size() <= raw.data() + raw.size());
        PCCD_FUZZ_CHECK(!ext->clipped || 12ULL + ext->length > raw.size());
        (void)pcc_command_name(ext->command);
        (void)bad_signature_text(ext->signature);
    }
    if (auto gen = decode_generic(raw)) {
        const Bytes again = encode_generic(gen->signature, gen->command, gen->status, gen->space);
        PCCD_FUZZ_CHECK(std::equal(again.begin(), again.end(), raw.begin(), raw.end()));
    }
    (void)decode_generic(raw, SignatureCheck::none);

    for (Layout layout : {Layout::extended, Layout::generic}) {
        for (LengthCheck check : {LengthCheck::reject, LengthCheck::clip}) {
            auto m = decode_layout(channel, layout, MessageKind::request, raw, check);
            if (m) {
                (void)m->signature();
                (void)m->pcc_command();
                const ByteView body = m->body();
                PCCD_FUZZ_CHECK(body.empty() ||
                                (body.data() >= raw.data() &&
                                 body.data() + body.size() <= raw.data() + raw.size()));
                (void)describe(*m, " fuzz");
            }
        }
    }
    return 0;
}
