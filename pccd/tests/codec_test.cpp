// SPDX-License-Identifier: GPL-2.0-or-later
// Codecs against byte layouts written out by hand from the specs.
#include <gtest/gtest.h>

#include "device_description.hpp"
#include "mctp.hpp"
#include "pcapng.hpp"
#include "pcc_message.hpp"
#include "pldm.hpp"
#include "socket_frame.hpp"
#include "spool_name.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

using test::hex;

TEST(Hex, ParsesSeparatorsAndPrefixes) {
    EXPECT_EQ(parse_hex("01 02,ff:0a"), (Bytes{0x01, 0x02, 0xff, 0x0a}));
    EXPECT_EQ(parse_hex("0x4d43 5450"), (Bytes{0x4d, 0x43, 0x54, 0x50}));
    EXPECT_EQ(parse_hex(""), Bytes{});
    EXPECT_FALSE(parse_hex("123"));
    EXPECT_FALSE(parse_hex("zz"));
    EXPECT_EQ(to_hex(Bytes{0x00, 0xab}), "00 ab");
}

// ACPI 6.5 table 14.10: signature, flags, length, command, payload.
TEST(PccExtHeader, DecodesTheSpecLayout) {
    const Bytes msg = hex("03 43 43 50  01 00 00 00  07 00 00 00  4d 43 54 50  aa bb cc  ee ee");
    auto m = decode_ext(msg);
    ASSERT_TRUE(m) << m.error();
    EXPECT_EQ(m->signature, 0x50434303u);
    EXPECT_EQ(m->flags, 1u);
    EXPECT_EQ(m->length, 7u);
    EXPECT_EQ(m->command, mctp::kPccCommandMctp);
    // The bytes after 12 + length (rest of the shared memory) are not payload.
    EXPECT_EQ(Bytes(m->payload.begin(), m->payload.end()), hex("aa bb cc"));
}

TEST(PccExtHeader, Encodes) {
    EXPECT_EQ(encode_ext(pcc_signature(1), 1, mctp::kPccCommandMctp, hex("01 02")),
              hex("01 43 43 50  01 00 00 00  06 00 00 00  4d 43 54 50  01 02"));
}

TEST(PccExtHeader, RejectsMalformed) {
    EXPECT_FALSE(decode_ext(hex("00 43 43 50 01 00 00 00 04 00 00")));  // truncated header
    EXPECT_FALSE(decode_ext(hex("00 43 43 50 01 00 00 00 03 00 00 00 4d 43 54 50")));  // length < 4
    // length says 9 bytes after the length field, only 5 are there
    EXPECT_FALSE(decode_ext(hex("00 43 43 50 01 00 00 00 09 00 00 00 4d 43 54 50 01")));
    EXPECT_FALSE(decode_ext(hex("00 00 00 00 01 00 00 00 04 00 00 00 4d 43 54 50")));  // signature
    EXPECT_TRUE(decode_ext(hex("00 43 43 50 00 00 00 00 04 00 00 00 4d 43 54 50")));
    // Without the signature check (the personality judges it later).
    EXPECT_TRUE(
        decode_ext(hex("00 00 00 00 01 00 00 00 04 00 00 00 4d 43 54 50"), SignatureCheck::none));
}

// A length past the end: malformed, unless the caller clips it (Linux's
// kunpeng_hccs writes 64 into the length of its 64-byte region).
TEST(PccExtHeader, ClipsALengthPastTheEndOnlyWhenAsked) {
    const Bytes msg = hex("06 43 43 50  01 00 00 00  40 00 00 00  02 00 00 00  32 00 00 00");
    auto strict = decode_ext(msg);
    ASSERT_FALSE(strict);
    EXPECT_EQ(strict.error(), "length 64 claims 76 bytes but only 20 are there");
    auto clipped = decode_ext(msg, SignatureCheck::pcc, LengthCheck::clip);
    ASSERT_TRUE(clipped) << clipped.error();
    EXPECT_TRUE(clipped->clipped);
    EXPECT_EQ(clipped->length, 64u);
    EXPECT_EQ(clipped->command, 2u);
    EXPECT_EQ(Bytes(clipped->payload.begin(), clipped->payload.end()), hex("32 00 00 00"));
    // A length that fits is not clipped; one under 4 is still malformed.
    // (The payload views the message: it must outlive `fits`.)
    const Bytes fitting = hex("06 43 43 50  01 00 00 00  05 00 00 00  02 00 00 00  32 ff");
    auto fits = decode_ext(fitting, SignatureCheck::pcc, LengthCheck::clip);
    ASSERT_TRUE(fits);
    EXPECT_FALSE(fits->clipped);
    EXPECT_EQ(Bytes(fits->payload.begin(), fits->payload.end()), hex("32"));
    EXPECT_FALSE(decode_ext(hex("06 43 43 50  01 00 00 00  03 00 00 00  02 00 00 00"),
                            SignatureCheck::pcc, LengthCheck::clip));
}

// ACPI 6.5 table 14.5: signature, command (u16), status (u16), space.
TEST(PccGenericHeader, DecodesAndEncodes) {
    const Bytes msg = hex("02 43 43 50  34 12  01 00  de ad be ef");
    auto m = decode_generic(msg);
    ASSERT_TRUE(m) << m.error();
    EXPECT_EQ(m->signature, 0x50434302u);
    EXPECT_EQ(m->command, 0x1234);
    EXPECT_EQ(m->status, kStatusCommandComplete);
    EXPECT_EQ(Bytes(m->space.begin(), m->space.end()), hex("de ad be ef"));
    EXPECT_EQ(encode_generic(0x50434302, 0x1234, 0x0005, hex("01")),
              hex("02 43 43 50 34 12 05 00 01"));
    EXPECT_FALSE(decode_generic(hex("02 43 43 50 34 12 01")));
    EXPECT_FALSE(decode_generic(hex("02 43 43 00 34 12 01 00")));
    auto legacy = decode_generic(hex("02 43 42 50 34 12 01 00"), SignatureCheck::none);
    ASSERT_TRUE(legacy);
    EXPECT_EQ(legacy->signature, 0x50424302u);
    EXPECT_EQ(bad_signature_text(0x50424302), "bad signature 0x50424302");
}

// qemu/docs/system/devices/pcc.rst: magic "PCC3", length, channel u16, kind,
// layout, id u64, reference u64.
TEST(SocketFrame, EncodesTheWireLayout) {
    Frame f{3, FrameKind::response, Layout::generic, 0x0102030405060708ULL, 0x1122, hex("aa bb")};
    EXPECT_EQ(encode_frame(f), hex("50 43 43 33  02 00 00 00  03 00  02  01"
                                   "08 07 06 05 04 03 02 01  22 11 00 00 00 00 00 00  aa bb"));
    // A done: kind 5, layout 0, the request's id as reference, no payload.
    Frame done{0, FrameKind::done, Layout::extended, 9, 0x2a, {}};
    EXPECT_EQ(encode_frame(done), hex("50 43 43 33  00 00 00 00  00 00  05  00"
                                      "09 00 00 00 00 00 00 00  2a 00 00 00 00 00 00 00"));
    EXPECT_STREQ(frame_kind_name(FrameKind::done), "done");
    EXPECT_FALSE(message_kind(FrameKind::done));
    Frame hello{4, FrameKind::hello, Layout::extended, 1, 0, hex("70")};
    EXPECT_EQ(encode_frame(hello), hex("50 43 43 33  01 00 00 00  04 00  04  00"
                                       "01 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  70"));
}

TEST(SocketFrame, DecodesAcrossArbitraryReads) {
    const Bytes stream =
        hex("50 43 43 33 03 00 00 00 05 00 01 00  2a 00 00 00 00 00 00 00"
            "00 00 00 00 00 00 00 00  01 02 03"
            "50 43 43 33 00 00 00 00 07 00 03 01  2b 00 00 00 00 00 00 00"
            "2a 00 00 00 00 00 00 80"
            "50 43 43 33 02 00 00 00 07 00 04 00  01 00 00 00 00 00 00 00"
            "00 00 00 00 00 00 00 00  68 69"
            "50 43 43 33 00 00 00 00 07 00 05 00  2c 00 00 00 00 00 00 00"
            "2a 00 00 00 00 00 00 00");
    FrameDecoder d;
    std::vector<Frame> frames;
    for (std::uint8_t b : stream) {  // one byte per read
        d.feed(ByteView(&b, 1));
        while (auto f = d.next()) {
            frames.push_back(*f);
        }
    }
    ASSERT_EQ(frames.size(), 4u);
    EXPECT_EQ(frames[0].channel, 5);
    EXPECT_EQ(frames[0].kind, FrameKind::request);
    EXPECT_EQ(frames[0].layout, Layout::extended);
    EXPECT_EQ(frames[0].id, 42u);
    EXPECT_EQ(frames[0].reference, 0u);
    EXPECT_EQ(frames[0].payload, hex("01 02 03"));
    EXPECT_EQ(frames[1].channel, 7);
    EXPECT_EQ(frames[1].kind, FrameKind::notification);
    EXPECT_EQ(frames[1].layout, Layout::generic);
    EXPECT_EQ(frames[1].id, 43u);
    EXPECT_EQ(frames[1].reference, 0x800000000000002aULL);
    EXPECT_TRUE(frames[1].payload.empty());
    EXPECT_EQ(frames[2].kind, FrameKind::hello);
    EXPECT_EQ(frames[2].payload, hex("68 69"));
    EXPECT_EQ(frames[3].kind, FrameKind::done);
    EXPECT_EQ(frames[3].id, 44u);
    EXPECT_EQ(frames[3].reference, 42u);
    EXPECT_TRUE(frames[3].payload.empty());
    EXPECT_FALSE(d.failed());
}

TEST(SocketFrame, FramingErrors) {
    constexpr const char* kIds = " 00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00";
    struct Case {
        std::string bytes;
        const char* reason;
    } cases[] = {
        {"51 43 43 32 00 00 00 00 00 00 01 00", "bad magic"},
        {"50 43 43 78 00 00 00 00 00 00 01 00", "bad magic"},       // "PCCx": not a version
        {"50 43 43 33 01 00 01 00 00 00 01 00", "over the limit"},  // 65537
        {"50 43 43 33 00 00 00 00 00 00 06 00", "unknown kind"},
        {"50 43 43 33 00 00 00 00 00 00 00 00", "unknown kind"},
        {"50 43 43 33 00 00 00 00 00 00 01 02", "unknown layout"},
    };
    for (const auto& c : cases) {
        FrameDecoder d;
        d.feed(hex(c.bytes + kIds));
        EXPECT_FALSE(d.next());
        EXPECT_TRUE(d.failed()) << c.bytes;
        EXPECT_EQ(d.error_kind(), FrameDecoder::Error::framing) << c.bytes;
        EXPECT_NE(d.error().find(c.reason), std::string::npos) << d.error();
    }
    // The maximum is allowed.
    FrameDecoder ok;
    ok.feed(hex(std::string("50 43 43 33 00 00 01 00 00 00 01 00") + kIds));
    EXPECT_FALSE(ok.next());
    EXPECT_FALSE(ok.failed());
}

// An older peer's frame ("PCC2", or PCC1's 12-byte header) is a version
// mismatch as soon as its magic is there, naming both versions.
TEST(SocketFrame, OtherFramingVersionIsNamed) {
    for (const char* magic : {"50 43 43 32", "50 43 43 31", "50 43 43 34", "50 43 43 30"}) {
        FrameDecoder d;
        d.feed(hex(magic));
        EXPECT_FALSE(d.next());
        ASSERT_EQ(d.error_kind(), FrameDecoder::Error::version) << magic;
        const char version = static_cast<char>(hex(magic)[3]);
        EXPECT_NE(d.error().find(std::string("version ") + version + " (\"PCC" + version),
                  std::string::npos)
            << d.error();
        EXPECT_NE(d.error().find("pccd speaks version 3 (\"PCC3\")"), std::string::npos)
            << d.error();
    }
    FrameDecoder partial;
    partial.feed(hex("50 43 43"));
    EXPECT_FALSE(partial.next());
    EXPECT_FALSE(partial.failed());  // three bytes say nothing yet
}

// The hello's last line: `session S`, 16 hex digits (pcc.rst, "Sockets").
TEST(SocketFrame, HelloSession) {
    const std::string description =
        "pcc-device 1\nclass pcc-mctp\nchannel 0\nsubspace 0 type 3 role initiator shmem 4096\n";
    auto ok = parse_hello_session(description + "session 0123456789abcdef\n");
    ASSERT_TRUE(ok.session) << ok.error;
    EXPECT_EQ(*ok.session, 0x0123456789abcdefULL);
    EXPECT_EQ(parse_hello_session(description + "session FFFFFFFFFFFFFFFF").session,
              0xffffffffffffffffULL);  // no newline at the end, capitals
    EXPECT_EQ(parse_hello_session("session 0000000000000000\r\n" + description).session, 0u);
    struct Case {
        std::string text;
        const char* reason;
    } bad[] = {
        {description, "no 'session' line"},
        {description + "session 0123456789abcde\n", "16 hex digits"},     // 15 digits
        {description + "session 0123456789abcdef0\n", "16 hex digits"},   // 17
        {description + "session 0123456789abcdeg\n", "16 hex digits"},    // not hex
        {description + "session -123456789abcdef\n", "16 hex digits"},    // a sign
        {description + "session 0123456789abcdef x\n", "16 hex digits"},  // trailing word
        {description + "session\n", "16 hex digits"},
        {description + "session 0123456789abcdef\nsession 0123456789abcdef\n", "more than one"},
    };
    for (const auto& c : bad) {
        auto parsed = parse_hello_session(c.text);
        EXPECT_FALSE(parsed.session) << c.text;
        EXPECT_NE(parsed.error.find(c.reason), std::string::npos) << parsed.error;
    }
}

// The description parser reads a hello with its session line as the same
// description: `session` is a statement it does not need.
TEST(SocketFrame, DescriptionParserIgnoresTheSessionLine) {
    const std::string description =
        "pcc-device 1\nclass pcc-mctp\nchannel 0\nsubspace 0 type 3 role initiator shmem 4096\n"
        "subspace 1 type 4 role responder shmem 4096\n";
    const ParsedDescription plain = parse_device_description(description);
    const ParsedDescription hello =
        parse_device_description(description + "session 8f2e0c6a1b3d5e7f\n");
    ASSERT_TRUE(plain.device);
    ASSERT_TRUE(hello.device) << hello.error;
    EXPECT_EQ(*hello.device, *plain.device);
    EXPECT_TRUE(hello.problems.empty());
}

TEST(SpoolName, FormatsAndParses) {
    SpoolName n{1764083412345678ULL, 7, MessageKind::request, Layout::extended};
    EXPECT_EQ(format_spool_name(n), "00001764083412345678-c007-req.ext");
    EXPECT_EQ(format_spool_name({42, 255, MessageKind::notification, Layout::generic}),
              "00000000000000000042-c255-ntf.gen");
    auto p = parse_spool_name("00001764083412345678-c000-rsp.ext");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->sequence, 1764083412345678ULL);
    EXPECT_EQ(p->channel, 0u);
    EXPECT_EQ(p->kind, MessageKind::response);
    EXPECT_EQ(p->layout, Layout::extended);
    EXPECT_FALSE(p->request);
    auto max = parse_spool_name("18446744073709551615-c001-ntf.gen");
    ASSERT_TRUE(max);
    EXPECT_EQ(max->sequence, 18446744073709551615ULL);
}

// A response names its request: <seq>-c<ch>-rsp-r<request seq>.<layout>.
TEST(SpoolName, ResponsesNameTheirRequest) {
    SpoolName rsp{1764083412345679ULL, 4, MessageKind::response, Layout::generic, 42};
    EXPECT_EQ(format_spool_name(rsp), "00001764083412345679-c004-rsp-r00000000000000000042.gen");
    auto p = parse_spool_name("00001764083412345679-c004-rsp-r00000000000000000042.gen");
    ASSERT_TRUE(p);
    EXPECT_EQ(*p, rsp);
    EXPECT_EQ(p->request, 42u);
    auto max = parse_spool_name("00000000000000000001-c000-rsp-r18446744073709551615.ext");
    ASSERT_TRUE(max);
    EXPECT_EQ(max->request, 18446744073709551615ULL);
    // Only responses carry -r: a request or notification name never has it.
    EXPECT_EQ(format_spool_name({5, 0, MessageKind::request, Layout::extended, 4}),
              "00000000000000000005-c000-req.ext");
    for (const char* bad : {"00001764083412345679-c004-req-r00000000000000000042.gen",
                            "00001764083412345679-c004-ntf-r00000000000000000042.gen",
                            "00001764083412345679-c004-rsp-r0000000000000000042.gen",
                            "00001764083412345679-c004-rsp-x00000000000000000042.gen",
                            "00001764083412345679-c004-rsp-r0000000000000000004x.gen",
                            "00001764083412345679-c004-rsp-r18446744073709551616.gen",
                            "00001764083412345679-c004-rsp-r00000000000000000042.txt",
                            "00001764083412345679-c004-rsp-r00000000000000000042-gen"}) {
        EXPECT_FALSE(parse_spool_name(bad)) << bad;
    }
}

TEST(SpoolName, RejectsOtherNames) {
    for (const char* bad :
         {"", "junk", "0001764083412345678-c000-req.ext", "00001764083412345678-c00-req.ext",
          "00001764083412345678-c000-req.txt", "00001764083412345678-c000-foo.ext",
          "00001764083412345678_c000-req.ext", "0000176408341234567x-c000-req.ext",
          "18446744073709551616-c000-req.ext", "00001764083412345678-c000-req.ext.part",
          ".00001764083412345678-c000-req.ex"}) {
        EXPECT_FALSE(parse_spool_name(bad)) << bad;
    }
}

TEST(SpoolName, SequenceIsStrictlyIncreasing) {
    SpoolSequencer s;
    s.observe(~0ULL - 10);  // something far in the future was seen
    const auto a = s.next();
    const auto b = s.next();
    EXPECT_EQ(a, ~0ULL - 9);
    EXPECT_EQ(b, a + 1);
    SpoolSequencer fresh;
    EXPECT_GT(fresh.next(), 1700000000000000000ULL);  // now, in ns
}

// DSP0236 8.1: hdr version, dest, src, SOM EOM seq(2) TO tag(3).
TEST(MctpTransport, DecodesAndEncodes) {
    const Bytes packet = hex("01 08 09 cb  00 81 02");
    auto p = mctp::decode_packet(packet);
    ASSERT_TRUE(p) << p.error();
    EXPECT_EQ(p->header.dest, 8);
    EXPECT_EQ(p->header.src, 9);
    EXPECT_TRUE(p->header.som);
    EXPECT_TRUE(p->header.eom);
    EXPECT_EQ(p->header.seq, 0);
    EXPECT_TRUE(p->header.tag_owner);
    EXPECT_EQ(p->header.tag, 3);
    EXPECT_EQ(Bytes(p->message.begin(), p->message.end()), hex("00 81 02"));

    auto r = mctp::response_header(p->header);
    EXPECT_EQ(mctp::encode_packet(r, hex("00 01 02 00")), hex("01 09 08 c3 00 01 02 00"));

    mctp::TransportHeader mid;
    mid.som = false;
    mid.eom = true;
    mid.seq = 2;
    mid.tag_owner = false;
    mid.tag = 7;
    EXPECT_EQ(mctp::encode_packet(mid, {}), hex("01 00 00 67"));

    EXPECT_FALSE(mctp::decode_packet(hex("01 08 09")));        // short
    EXPECT_FALSE(mctp::decode_packet(hex("02 08 09 c8 00")));  // header version 2
    EXPECT_FALSE(mctp::decode_packet(hex("01 08 09 c8")));     // SOM without type
}

// DSP0236 table 11: IC|type, Rq D rsvd instance, command; response adds CC.
TEST(MctpControl, HeaderLayout) {
    auto h = mctp::control::decode_header(hex("00 9f 05"));
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->rq);
    EXPECT_FALSE(h->datagram);
    EXPECT_EQ(h->instance, 0x1f);
    EXPECT_EQ(h->command, 5);
    EXPECT_EQ(mctp::control::response(*h, 0x05), hex("00 1f 05 05"));
    EXPECT_FALSE(mctp::control::decode_header(hex("00 80")));
}

// DSP0240 table 2: Rq D rsvd instance, hdr ver(2) type(6), command, [CC].
TEST(Pldm, HeaderLayout) {
    auto h = pldm::decode_header(hex("01 83 00 04"));
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->rq);
    EXPECT_EQ(h->instance, 3);
    EXPECT_EQ(h->header_version, 0);
    EXPECT_EQ(h->type, 0);
    EXPECT_EQ(h->command, 4);
    EXPECT_EQ(pldm::response(*h, 0, hex("aa")), hex("01 03 00 04 00 aa"));
    auto t = pldm::decode_header(hex("01 80 42 11"));  // hdr ver 1, type 2
    EXPECT_EQ(t->header_version, 1);
    EXPECT_EQ(t->type, 2);
    EXPECT_FALSE(pldm::decode_header(hex("01 80 00")));
}

TEST(Pldm, Crc32IsIso3309) {
    const std::string check = "123456789";
    EXPECT_EQ(pldm::crc32(ByteView(reinterpret_cast<const std::uint8_t*>(check.data()), 9)),
              0xcbf43926u);
    EXPECT_EQ(pldm::crc32(hex("00 f0 f1 f1")), 0x539dbebau);
}

// pcapng (draft-ietf-opsawg-pcapng): SHB, IDB, EPB; all little-endian here.
TEST(Pcapng, SectionHeaderBlock) {
    EXPECT_EQ(pcapng_section_header(), hex("0a 0d 0d 0a  1c 00 00 00  4d 3c 2b 1a  01 00  00 00"
                                           "ff ff ff ff ff ff ff ff  1c 00 00 00"));
}

TEST(Pcapng, InterfaceDescriptionBlock) {
    EXPECT_EQ(pcapng_interface_description(kLinktypeLinuxSll2, 262144),
              hex("01 00 00 00  14 00 00 00  14 01  00 00  00 00 04 00  14 00 00 00"));
}

TEST(Pcapng, EnhancedPacketBlockPadsTo32Bits) {
    EXPECT_EQ(pcapng_enhanced_packet(0, 0x0000000100000002ULL, hex("aa bb cc")),
              hex("06 00 00 00  24 00 00 00  00 00 00 00  01 00 00 00  02 00 00 00"
                  "03 00 00 00  03 00 00 00  aa bb cc 00  24 00 00 00"));
}

// opt_comment (1), its length, the text padded to 32 bits, opt_endofopt.
TEST(Pcapng, EnhancedPacketBlockWithComment) {
    EXPECT_EQ(pcapng_enhanced_packet(0, 0x0000000100000002ULL, hex("aa bb cc"), "c004 rx"),
              hex("06 00 00 00  34 00 00 00  00 00 00 00  01 00 00 00  02 00 00 00"
                  "03 00 00 00  03 00 00 00  aa bb cc 00"
                  "01 00 07 00  63 30 30 34  20 72 78 00  00 00 00 00  34 00 00 00"));
}

// LINKTYPE_LINUX_SLL2: protocol, reserved, ifindex, ARPHRD, pkttype, halen, addr[8].
TEST(Pcapng, Sll2Header) {
    EXPECT_EQ(sll2_header(mctp::kEthPMctp, 2, mctp::kArphrdMctp, kPacketOutgoing),
              hex("00 fa  00 00  00 00 00 02  01 22  04  00  00 00 00 00 00 00 00 00"));
}

}  // namespace
}  // namespace pccd
