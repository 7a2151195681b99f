// SPDX-License-Identifier: GPL-2.0-or-later
// The raw scenarios' pcap comparison (lab/runner/pcap_check.hpp): pcapng
// blocks written out by hand (draft-ietf-opsawg-pcapng: SHB, IDB with
// LINKTYPE_LINUX_SLL2, EPB), the guest's lines made by the guest's own code
// (raw_model.hpp), and every way they can disagree.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pcap_check.hpp"
#include "raw_model.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

void le32(std::string& s, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        s += static_cast<char>(v >> (8 * i));
    }
}

std::string block(std::uint32_t type, const std::string& body) {
    std::string padded = body;
    padded.resize((padded.size() + 3) / 4 * 4, '\0');
    std::string b;
    le32(b, type);
    le32(b, static_cast<std::uint32_t>(12 + padded.size()));
    b += padded;
    le32(b, static_cast<std::uint32_t>(12 + padded.size()));
    return b;
}

std::string header() {
    std::string shb;
    le32(shb, 0x1a2b3c4d);
    shb += std::string("\x01\x00\x00\x00", 4);             // version 1.0
    shb += std::string(8, '\xff');                         // section length unknown
    std::string idb = std::string("\x14\x01\x00\x00", 4);  // 276, reserved
    le32(idb, 262144);
    return block(0x0a0d0d0a, shb) + block(1, idb);
}

// An EPB with an SLL2 header: protocol, ifindex = channel, ARPHRD_NONE,
// packet type 0 (to pccd) or 4 (from pccd).
std::string packet(unsigned channel, bool outgoing, const Bytes& bytes,
                   std::uint16_t protocol = 0x88b5, const std::string& comment = "") {
    std::string sll;
    sll += static_cast<char>(protocol >> 8);
    sll += static_cast<char>(protocol);
    sll += std::string(2, '\0');
    sll += std::string(3, '\0');
    sll += static_cast<char>(channel);
    sll += std::string("\xff\xfe", 2);
    sll += static_cast<char>(outgoing ? 4 : 0);
    sll += std::string(9, '\0');
    sll.append(bytes.begin(), bytes.end());
    std::string epb;
    le32(epb, 0);  // interface
    le32(epb, 0);
    le32(epb, 1);  // timestamp
    le32(epb, static_cast<std::uint32_t>(sll.size()));
    le32(epb, static_cast<std::uint32_t>(sll.size()));
    if (!comment.empty()) {  // opt_comment, padded; opt_endofopt
        sll.resize((sll.size() + 3) / 4 * 4, '\0');
        sll += std::string("\x01\x00", 2) + static_cast<char>(comment.size()) + '\0' + comment;
        sll.resize((sll.size() + 3) / 4 * 4, '\0');
        sll += std::string(4, '\0');
    }
    return block(6, epb + sll);
}

const Bytes kRequest = lab::raw::generic_message(2, 0x101, Bytes{1, 2, 3, 4});
const Bytes kAnswer{0x02, 0x43, 0x43, 0x50, 0x01, 0x01, 0x01, 0x00, 0xfe, 0xfd, 0xfc, 0xfb};

lab::PcapExpectations guest_lines(const std::vector<std::string>& lines) {
    lab::PcapExpectations e;
    for (const auto& l : lines) {
        e.feed("[   3.2] ignored kernel line");
        e.feed("PCC-INFO raw-pcap " + l);
    }
    return e;
}

lab::PcapExpectations one_exchange() {
    return guest_lines(
        {lab::raw::pcap_line(2, true, kRequest, 0), lab::raw::pcap_line(2, false, kAnswer, 8)});
}

TEST(PcapCheck, ParsesTheBlocks) {
    const auto msgs = lab::parse_pcapng(header() + packet(2, false, kRequest) +
                                        packet(2, true, kAnswer) + packet(7, true, {9}, 0x00fa));
    ASSERT_EQ(msgs.size(), 3u);
    EXPECT_EQ(msgs[0].protocol, 0x88b5);
    EXPECT_EQ(msgs[0].ifindex, 2u);
    EXPECT_FALSE(msgs[0].outgoing);
    EXPECT_EQ(msgs[0].bytes, kRequest);
    EXPECT_TRUE(msgs[1].outgoing);
    EXPECT_EQ(msgs[2].protocol, 0x00fa);
}

// pccd's decoded log line of each message rides as the packet's opt_comment.
TEST(PcapCheck, ReadsThePacketComment) {
    const auto msgs = lab::parse_pcapng(header() + packet(2, false, {1, 2, 3}, 0x88b5, "c002 rx") +
                                        packet(2, true, kAnswer));
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_EQ(msgs[0].comment, "c002 rx");
    EXPECT_EQ(msgs[0].bytes, (Bytes{1, 2, 3}));
    EXPECT_EQ(msgs[1].comment, "");
}

TEST(PcapCheck, RefusesBrokenFiles) {
    EXPECT_THROW(lab::parse_pcapng(header().substr(0, 30)), std::runtime_error);
    std::string bad = header() + packet(2, false, kRequest);
    bad[bad.size() - 4] = 0x7f;  // trailing length differs
    EXPECT_THROW(lab::parse_pcapng(bad), std::runtime_error);
    // a packet before any interface
    EXPECT_THROW(lab::parse_pcapng(header().substr(0, 28) + packet(2, false, kRequest)),
                 std::runtime_error);
}

TEST(PcapCheck, AgreeingMessagesPass) {
    const auto msgs = lab::parse_pcapng(header() + packet(2, false, kRequest) +
                                        packet(2, true, kAnswer) + packet(7, true, {9}, 0x00fa));
    const auto r = lab::check_pcap(one_exchange(), msgs);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].status, lab::Status::ok) << r[0].message;
    EXPECT_EQ(r[0].name, "pcap-c2");
}

TEST(PcapCheck, EveryDisagreementFails) {
    Bytes changed = kAnswer;
    changed[11] ^= 1;
    Bytes header_only = kAnswer;
    header_only[6] = 3;  // a byte before FROM is not compared
    const std::vector<std::pair<std::string, std::string>> cases{
        {"a changed byte", packet(2, false, kRequest) + packet(2, true, changed)},
        {"a missing answer", packet(2, false, kRequest)},
        {"an extra message",
         packet(2, false, kRequest) + packet(2, true, kAnswer) + packet(2, true, kAnswer)},
        {"the wrong direction", packet(2, false, kRequest) + packet(2, false, kAnswer)},
        {"another channel", packet(3, false, kRequest) + packet(3, true, kAnswer)},
        {"another length",
         packet(2, false, kRequest) + packet(2, true, Bytes(kAnswer.begin(), kAnswer.end() - 1))},
    };
    for (const auto& [what, packets] : cases) {
        const auto r = lab::check_pcap(one_exchange(), lab::parse_pcapng(header() + packets));
        ASSERT_EQ(r.size(), 1u) << what;
        EXPECT_EQ(r[0].status, lab::Status::fail) << what << ": " << r[0].message;
    }
    const auto r = lab::check_pcap(
        one_exchange(),
        lab::parse_pcapng(header() + packet(2, false, kRequest) + packet(2, true, header_only)));
    EXPECT_EQ(r[0].status, lab::Status::ok) << r[0].message;
}

TEST(PcapCheck, UnseenAnswersOnlyNeedTheirDirection) {
    const auto e =
        guest_lines({lab::raw::pcap_line(2, true, kRequest, 0), lab::raw::pcap_unseen_line(2)});
    auto r = lab::check_pcap(
        e, lab::parse_pcapng(header() + packet(2, false, kRequest) + packet(2, true, {1, 2})));
    EXPECT_EQ(r[0].status, lab::Status::ok) << r[0].message;
    r = lab::check_pcap(e, lab::parse_pcapng(header() + packet(2, false, kRequest)));
    EXPECT_EQ(r[0].status, lab::Status::fail);
}

TEST(PcapCheck, GarbledLinesAndNoLinesFail) {
    auto e = guest_lines({"c2 in 12 0 nothex"});
    auto r = lab::check_pcap(e, lab::parse_pcapng(header()));
    ASSERT_FALSE(r.empty());
    EXPECT_EQ(r[0].status, lab::Status::fail);
    r = lab::check_pcap(lab::PcapExpectations{}, lab::parse_pcapng(header()));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].status, lab::Status::fail);
    r = lab::check_pcap(one_exchange(), std::string("/nonexistent/raw.pcapng"));
    EXPECT_EQ(r[0].status, lab::Status::fail);
    EXPECT_EQ(r[0].name, "pcap");
}

}  // namespace
