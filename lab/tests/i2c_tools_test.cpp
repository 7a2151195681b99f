// SPDX-License-Identifier: GPL-2.0-or-later
// Reading busybox's i2c tools (lab/guest/src/i2c_tools.cpp), built for the
// host, against output copied from the lab's guest (busybox 1.37 on the
// X-Gene SLIMpro I2C bus with pccd's EEPROM at 0x50).
#include <gtest/gtest.h>

#include <cerrno>

#include "i2c_tools.hpp"
#include "text.hpp"

namespace {

namespace i2c = lab::i2c;

constexpr const char* kDetect =
    "     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f\n"
    "00:          -- -- -- -- -- -- -- -- -- -- -- -- -- \n"
    "10: -- -- -- -- -- -- -- -- -- -- -- -- -- -- -- -- \n"
    "20: -- -- -- -- -- -- -- -- -- -- -- -- -- -- -- -- \n"
    "30: -- -- -- -- -- -- -- -- -- -- -- -- -- -- UU -- \n"
    "40: -- -- -- -- -- -- -- -- -- -- -- -- -- -- -- -- \n"
    "50: 50 -- -- -- -- -- -- -- -- -- -- -- -- -- -- -- \n"
    "60: -- -- -- -- -- -- -- -- -- -- -- -- -- -- -- -- \n"
    "70: -- -- -- -- -- -- -- --                         \n";

TEST(I2cDetect, ReadsTheGrid) {
    std::string err;
    const auto d = i2c::parse_i2cdetect(kDetect, &err);
    ASSERT_TRUE(d) << err;
    EXPECT_EQ(d->present, (std::vector<unsigned>{0x50}));
    EXPECT_EQ(d->busy, (std::vector<unsigned>{0x3e}));
    // 0x03..0x77 probed: 117 addresses, two of them answered
    EXPECT_EQ(d->absent.size(), 115u);
    EXPECT_EQ(d->absent.front(), 0x03u);
    EXPECT_EQ(d->absent.back(), 0x77u);
}

TEST(I2cDetect, RejectsWhatIsNoGrid) {
    std::string err;
    EXPECT_FALSE(i2c::parse_i2cdetect("Error: Could not open file `/dev/i2c-0'\n", &err));
    EXPECT_NE(err.find("0 of 8 rows"), std::string::npos) << err;
    std::string wrong = kDetect;
    wrong.replace(wrong.find("50: 50"), 6, "50: 51");  // an address in another's cell
    EXPECT_FALSE(i2c::parse_i2cdetect(wrong, &err));
    EXPECT_NE(err.find("0x50"), std::string::npos) << err;
}

std::string dump_text(const std::string& row10) {
    std::string t = "     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f    0123456789abcdef\n";
    const char* rows = "0123456789abcdef";
    for (int r = 0; r < 16; ++r) {
        t += std::string(1, rows[r]) + "0: ";
        if (r == 1) {
            t += row10;
        } else {
            for (int i = 0; i < 16; ++i) {
                t += "a5 ";
            }
            t += "   ????????????????";
        }
        t += "\n";
    }
    return t;
}

TEST(I2cDump, ReadsEveryRegister) {
    std::string err;
    const auto d = i2c::parse_i2cdump(
        dump_text("5a a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 XX    Z??????????????X"), &err);
    ASSERT_TRUE(d) << err;
    EXPECT_EQ((*d)[0x00], 0xa5);
    EXPECT_EQ((*d)[0x10], 0x5a);
    EXPECT_EQ((*d)[0x11], 0xa5);
    EXPECT_FALSE((*d)[0x1f]);  // XX: the read failed
    EXPECT_EQ((*d)[0xff], 0xa5);
    EXPECT_FALSE(i2c::parse_i2cdump("No size specified (using byte-data access)\n", &err));
    EXPECT_FALSE(i2c::parse_i2cdump(dump_text("zz"), &err));
    EXPECT_NE(err.find("0x10"), std::string::npos) << err;
}

TEST(I2cGet, ReadsTheByte) {
    EXPECT_EQ(i2c::parse_i2cget("0x5a\n"), 0x5a);
    EXPECT_EQ(i2c::parse_i2cget("0xa5"), 0xa5);
    EXPECT_FALSE(i2c::parse_i2cget("i2cget: read failed: No such device\n"));
    EXPECT_FALSE(i2c::parse_i2cget("0x1234"));
}

TEST(I2cErrors, NamesTheErrnoOfAToolsMessage) {
    const std::string msg = "i2cget: read failed: " + pcc::errno_text(ENODEV) + "\n";
    EXPECT_EQ(i2c::message_errno(msg, {ETIMEDOUT, ENODEV}), ENODEV);
    EXPECT_FALSE(i2c::message_errno(msg, {ETIMEDOUT, EIO}));
    EXPECT_FALSE(i2c::message_errno("0x5a", {ENODEV}));
    EXPECT_EQ(i2c::address_text(0x5), "0x05");
}

}  // namespace
