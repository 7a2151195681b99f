// SPDX-License-Identifier: GPL-2.0-or-later
// The socket transport's framing, version 3 (socket_frame.hpp), as
// SocketTransport reads it: the byte stream is fed to a FrameDecoder in
// pieces (the first input byte chooses their size), and each frame is
// handled as the transport does: a hello's payload is the device description
// and the session line, a request goes to the engine. Every frame decoded
// encodes back to the bytes it came from; after an error nothing more comes.
#include <algorithm>

#include "fuzz_support.hpp"
#include "message.hpp"
#include "socket_frame.hpp"

using namespace pccd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input input(data, size);
    const std::size_t piece = input.byte() == 0 ? 1 << 20 : data[0];
    const ByteView stream = input.rest();

    auto engine = fuzz::make_engine();
    FrameDecoder decoder;
    std::size_t fed = 0;
    std::size_t decoded = 0;  // stream bytes of the frames decoded so far
    while (fed < stream.size()) {
        const std::size_t n = std::min(piece, stream.size() - fed);
        decoder.feed(stream.subspan(fed, n));
        fed += n;
        while (auto frame = decoder.next()) {
            PCCD_FUZZ_CHECK(!decoder.failed());
            PCCD_FUZZ_CHECK(frame->payload.size() <= kMaxFramePayload);
            const Bytes again = encode_frame(*frame);
            PCCD_FUZZ_CHECK(decoded + again.size() <= fed);
            PCCD_FUZZ_CHECK(std::equal(again.begin(), again.end(), stream.begin() + decoded));
            decoded += again.size();
            (void)frame_kind_name(frame->kind);
            (void)message_kind(frame->kind);
            if (frame->channel > kMaxChannel) {
                continue;  // the transport drops it
            }
            if (frame->kind == FrameKind::hello) {
                const std::string_view text = fuzz::as_text(frame->payload);
                (void)engine->bindings().load_description(text, "fuzz", frame->channel);
                const HelloSession hello = parse_hello_session(text);
                PCCD_FUZZ_CHECK(hello.session.has_value() == hello.error.empty());
            } else if (frame->kind == FrameKind::request) {
                fuzz::request(*engine, frame->channel, frame->layout, frame->payload);
            }
        }
        PCCD_FUZZ_CHECK(decoder.buffered() == fed - decoded || decoder.failed());
        if (decoder.failed()) {
            PCCD_FUZZ_CHECK(!decoder.error().empty());
            decoder.feed(stream.subspan(fed));
            PCCD_FUZZ_CHECK(!decoder.next());
            break;
        }
    }
    return 0;
}
