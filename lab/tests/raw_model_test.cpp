// SPDX-License-Identifier: GPL-2.0-or-later
// The raw checks' pure part (lab/guest/src/raw_model.hpp): message layouts
// written out by hand from ACPI 6.5, 14.2, the echo's answer as docs/pccd.md
// describes it, FNV-1a 64 against its published test vectors.
#include <gtest/gtest.h>

#include <string>

#include "raw_model.hpp"

namespace {

using lab::raw::Bytes;
namespace raw = lab::raw;

Bytes bytes(std::string_view s) {
    return Bytes(s.begin(), s.end());
}

TEST(RawModel, Fnv1a64TestVectors) {
    EXPECT_EQ(raw::fnv_hex(Bytes{}), "cbf29ce484222325");
    EXPECT_EQ(raw::fnv_hex(bytes("a")), "af63dc4c8601ec8c");
    EXPECT_EQ(raw::fnv1a64(bytes("foobar")), 0x85944171f73967e8ull);
}

TEST(RawModel, PatternFollowsItsFormula) {
    const Bytes p = raw::pattern(3, 1, 258);
    // 3 * 0x35 + 1 * 0x11 = 0xb0, then 7 more per byte and 1 more per 256
    EXPECT_EQ(p[0], 0xb0);
    EXPECT_EQ(p[1], 0xb7);
    EXPECT_EQ(p[255], static_cast<std::uint8_t>(0xb0 + 255 * 7));
    EXPECT_EQ(p[256], static_cast<std::uint8_t>(0xb0 + 256 * 7 + 1));
    EXPECT_NE(raw::pattern(3, 2, 4), raw::pattern(3, 1, 4));
    EXPECT_NE(raw::pattern(4, 1, 4), raw::pattern(3, 1, 4));
}

TEST(RawModel, MessageLayouts) {
    EXPECT_EQ(raw::generic_message(5, 0x0102, Bytes{0xaa}),
              (Bytes{0x05, 0x43, 0x43, 0x50, 0x02, 0x01, 0x00, 0x00, 0xaa}));
    EXPECT_EQ(raw::ext_message(0x13, 1, 0x52415701, Bytes{0xaa, 0xbb}),
              (Bytes{0x13, 0x43, 0x43, 0x50, 0x01, 0, 0, 0, 0x06, 0, 0, 0, 0x01, 0x57, 0x41, 0x52,
                     0xaa, 0xbb}));
}

TEST(RawModel, GenericShmemAndTheEchosAnswer) {
    raw::GenericShmem shm(12);
    shm.write(raw::generic_message(2, 7, Bytes{1, 2, 3, 4}));
    // a shorter message leaves the rest as it was
    shm.write(raw::generic_message(2, 8, Bytes{9}));
    EXPECT_EQ(shm.bytes(), (Bytes{0x02, 0x43, 0x43, 0x50, 8, 0, 0, 0, 9, 2, 3, 4}));
    // status "command complete", the space inverted
    EXPECT_EQ(shm.expected_answer(0xff, false),
              (Bytes{0x02, 0x43, 0x43, 0x50, 8, 0, 1, 0, 0xf6, 0xfd, 0xfc, 0xfb}));
    // the error answer: complete + error, the space unchanged
    EXPECT_EQ(shm.expected_answer(0xff, true),
              (Bytes{0x02, 0x43, 0x43, 0x50, 8, 0, 5, 0, 9, 2, 3, 4}));
}

TEST(RawModel, DifferencesNameTheByte) {
    EXPECT_EQ(raw::difference(Bytes{1, 2, 3}, Bytes{1, 2, 3}), "");
    EXPECT_EQ(raw::difference(Bytes{1, 2, 3}, Bytes{1, 9, 3}), "byte 1 is 0x09, not 0x02");
    EXPECT_EQ(raw::difference(Bytes{1, 2, 3}, Bytes{1, 2}), "2 bytes, not 3");
    // the SCI doorbell bit of the status word may differ, nothing else
    const Bytes want{0, 0, 0, 0, 0, 0, 1, 0, 7};
    EXPECT_EQ(raw::generic_answer_difference(want, Bytes{0, 0, 0, 0, 0, 0, 3, 0, 7}), "");
    EXPECT_NE(raw::generic_answer_difference(want, Bytes{0, 0, 0, 0, 0, 0, 5, 0, 7}), "");
}

TEST(RawModel, PcapLines) {
    EXPECT_EQ(raw::pcap_line(4, true, bytes("xa"), 1), "c4 in 2 1 af63dc4c8601ec8c");
    EXPECT_EQ(raw::pcap_line(4, false, bytes("a"), 0), "c4 out 1 0 af63dc4c8601ec8c");
    EXPECT_EQ(raw::pcap_unseen_line(3), "c3 out-unseen");
}

TEST(RawModel, PercentileIsTheNearestRank) {
    std::vector<double> v{10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    EXPECT_EQ(raw::percentile(v, 50), 5);
    EXPECT_EQ(raw::percentile(v, 99), 10);
    EXPECT_EQ(raw::percentile(v, 0), 1);
    std::vector<double> none;
    EXPECT_EQ(raw::percentile(none, 50), 0);
}

}  // namespace
