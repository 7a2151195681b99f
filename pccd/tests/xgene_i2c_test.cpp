// SPDX-License-Identifier: GPL-2.0-or-later
// The X-Gene SLIMpro I2C personality through the engine: QEMU's pcc-xgene-i2c
// (type 2 mailbox, generic layout) and the messages Linux's
// i2c-xgene-slimpro writes (docs: /work/notes/drivers.md section 6): the
// header with command 0x8000, msg0..msg2, and for block writes the buffer's
// bytes that QEMU appends. The target is the 24c02-like EEPROM at 0x50.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <memory>

#include "engine.hpp"
#include "log.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

using test::hex;

constexpr const char* kDevice =
    "pcc-device 1\nclass pcc-xgene-i2c\nchannel 7\nsubspace 7 type 2 role mailbox shmem 4096\n";

// msg0 for chip 0x50 on bus 1: type 0, subtype 4, bus 1, chip 0x50 << 13.
constexpr std::uint32_t kChip50 = 0x048a0000;
constexpr std::uint32_t kWrite = 1u << 12;
constexpr std::uint32_t kSmbus = 1u << 11;
constexpr std::uint32_t kAddrlen1 = 1u << 8;
constexpr std::uint32_t kBufaddr = 0x80000000;
constexpr std::uint32_t kWithLength = 0x40000000;
// Buffer 0x1_2345_6780: bits 41:32 in msg1 29:20, bits 31:0 in msg2.
constexpr std::uint32_t kUpperBuffer = 0x00100000;
constexpr std::uint32_t kLowBuffer = 0x23456780;

Bytes words(std::uint32_t signature, std::uint32_t w0, std::uint32_t w1, std::uint32_t w2,
            std::uint16_t status, const Bytes& data) {
    Bytes m;
    append_le32(m, signature);
    append_le16(m, 0x8000);
    append_le16(m, status);
    append_le32(m, w0);
    append_le32(m, w1);
    append_le32(m, w2);
    append(m, data);
    return m;
}
Bytes request(std::uint32_t w0, std::uint32_t w1, std::uint32_t w2, const Bytes& data = {}) {
    return words(0x50434307, w0, w1, w2, 0, data);
}
// The answer: msg0 echoed, msg1 the result, msg2 0, status command complete.
Bytes answer(std::uint32_t w0, std::uint32_t w1, const Bytes& data = {}) {
    return words(0x50434307, w0, w1, 0, 1, data);
}
Bytes sequence(std::uint8_t first, std::size_t n) {
    Bytes b;
    for (std::size_t i = 0; i < n; ++i) {
        b.push_back(static_cast<std::uint8_t>(first + i));
    }
    return b;
}

class I2cTest : public ::testing::Test {
  protected:
    I2cTest() {
        set_log_level(LogLevel::error);
        counters().clear();
        EXPECT_TRUE(engine_.bindings().load_description(kDevice, "test"));
    }
    std::optional<Bytes> ask(const Bytes& m) {
        return engine_.handle_request(7, Layout::generic, m, "test").answer;
    }
    std::string get(const std::string& key) {
        return engine_.state().setting(key).value_or("(unset)");
    }
    // Byte data write and read of register `reg`.
    void write_byte(std::uint8_t reg, std::uint8_t value) {
        EXPECT_EQ(ask(request(kChip50 | kWrite | kSmbus | kAddrlen1 | 1, reg, value)),
                  answer(kChip50 | kWrite | kSmbus | kAddrlen1 | 1, 0));
    }
    std::optional<std::uint32_t> read_byte(std::uint8_t reg) {
        auto a = ask(request(kChip50 | kSmbus | kAddrlen1 | 1, reg, 0));
        if (!a || a->size() != 20) {
            return std::nullopt;
        }
        return load_le32(*a, 12);
    }
    Engine engine_;
};

TEST_F(I2cTest, SettingsAreThereBeforeTheFirstMessage) {
    EXPECT_EQ(get("i2c.eeprom.addr"), "0x50");
    EXPECT_EQ(get("i2c.eeprom.fill"), "0xff");
    EXPECT_EQ(get("i2c.eeprom.0x00"), "0xff");
    EXPECT_EQ(get("i2c.eeprom.0xff"), "0xff");
    EXPECT_EQ(get("i2c.eeprom.pointer"), "0x00");
}

// Byte data, as laid out by hand from the driver: write 0x42 to register
// 0x10 (msg0 0x048a1901), read it back (0x048a0901).
TEST_F(I2cTest, ByteData) {
    EXPECT_EQ(ask(hex("07 43 43 50  00 80  00 00  01 19 8a 04  10 00 00 00  42 00 00 00")),
              hex("07 43 43 50  00 80  01 00  01 19 8a 04  00 00 00 00  00 00 00 00"));
    EXPECT_EQ(get("i2c.eeprom.0x10"), "0x42");
    EXPECT_EQ(ask(hex("07 43 43 50  00 80  00 00  01 09 8a 04  10 00 00 00  00 00 00 00")),
              hex("07 43 43 50  00 80  01 00  01 09 8a 04  42 00 00 00  00 00 00 00"));
    EXPECT_EQ(get("i2c.eeprom.pointer"), "0x11");
    EXPECT_EQ(read_byte(0x11), 0xffu);
    EXPECT_EQ(counters().get("i2c.writes"), 1u);
    EXPECT_EQ(counters().get("i2c.reads"), 2u);
}

// Send byte (0x048a1900: the register alone) sets the pointer; receive byte
// (0x048a0801, no register) reads at it and advances, wrapping at 256.
TEST_F(I2cTest, SendAndReceiveByteFollowThePointer) {
    write_byte(0x20, 0xaa);
    write_byte(0x21, 0xbb);
    write_byte(0x00, 0x11);
    const std::uint32_t send = kChip50 | kWrite | kSmbus | kAddrlen1;
    const std::uint32_t receive = kChip50 | kSmbus | 1;
    EXPECT_EQ(ask(request(send, 0x20, 0)), answer(send, 0));
    EXPECT_EQ(get("i2c.eeprom.pointer"), "0x20");
    EXPECT_EQ(ask(request(receive, 0, 0)), answer(receive, 0xaa));
    EXPECT_EQ(ask(request(receive, 0, 0)), answer(receive, 0xbb));
    EXPECT_EQ(ask(request(send, 0xff, 0)), answer(send, 0));
    EXPECT_EQ(ask(request(receive, 0, 0)), answer(receive, 0xff));
    EXPECT_EQ(ask(request(receive, 0, 0)), answer(receive, 0x11));  // wrapped to 0x00
    EXPECT_EQ(get("i2c.eeprom.0x20"), "0xaa");                      // a send byte writes nothing
}

TEST_F(I2cTest, WordDataIsLittleEndian) {
    const std::uint32_t word = kSmbus | kAddrlen1 | 2;
    EXPECT_EQ(ask(request(kChip50 | kWrite | word, 0x30, 0x1234)),
              answer(kChip50 | kWrite | word, 0));
    EXPECT_EQ(get("i2c.eeprom.0x30"), "0x34");
    EXPECT_EQ(get("i2c.eeprom.0x31"), "0x12");
    EXPECT_EQ(ask(request(kChip50 | word, 0x30, 0)), answer(kChip50 | word, 0x1234));
    // Two consecutive bytes, wrapping at 256.
    EXPECT_EQ(ask(request(kChip50 | kWrite | word, 0xff, 0xabcd)),
              answer(kChip50 | kWrite | word, 0));
    EXPECT_EQ(get("i2c.eeprom.0x00"), "0xab");
    EXPECT_EQ(ask(request(kChip50 | word, 0xff, 0)), answer(kChip50 | word, 0xabcd));
}

// SMBus block read (datalen 33, with data length): the answer carries the
// count, 32, and 32 bytes from the register, for QEMU to copy to the buffer.
TEST_F(I2cTest, SmbusBlockRead) {
    for (unsigned i = 0; i < 32; ++i) {
        write_byte(static_cast<std::uint8_t>(0x40 + i), static_cast<std::uint8_t>(i));
    }
    const std::uint32_t w0 = kChip50 | kSmbus | kAddrlen1 | 33;
    Bytes data{32};
    append(data, sequence(0, 32));
    EXPECT_EQ(ask(request(w0, kBufaddr | kWithLength | kUpperBuffer | 0x40, kLowBuffer)),
              answer(w0, 0, data));
    EXPECT_EQ(get("i2c.eeprom.pointer"), "0x60");
}

// I2C block read (proto I2C, datalen 32): 32 bytes, no count; wraps at 256.
TEST_F(I2cTest, I2cBlockReadWraps) {
    write_byte(0xf0, 0x5a);
    write_byte(0x0f, 0xa5);
    const std::uint32_t w0 = kChip50 | kAddrlen1 | 32;
    auto a = ask(request(w0, kBufaddr | 0xf0, kLowBuffer));
    ASSERT_TRUE(a);
    ASSERT_EQ(a->size(), 20u + 32u);
    EXPECT_EQ(Bytes(a->begin(), a->begin() + 20), answer(w0, 0));
    EXPECT_EQ(a->at(20), 0x5a);
    EXPECT_EQ(a->at(20 + 31), 0xa5);  // address 0x0f
    EXPECT_EQ(counters().get("i2c.reads"), 1u);
}

// Block writes: QEMU appends the buffer's datalen bytes; the answer is 20.
TEST_F(I2cTest, BlockWrites) {
    const std::uint32_t smbus = kChip50 | kWrite | kSmbus | kAddrlen1 | 4;
    EXPECT_EQ(ask(request(smbus, kBufaddr | kUpperBuffer | 0x80, kLowBuffer, hex("03 de ad be"))),
              answer(smbus, 0));
    EXPECT_EQ(get("i2c.eeprom.0x80"), "0xde");
    EXPECT_EQ(get("i2c.eeprom.0x82"), "0xbe");
    EXPECT_EQ(get("i2c.eeprom.0x83"), "0xff");
    const std::uint32_t i2c = kChip50 | kWrite | kAddrlen1 | 3;
    EXPECT_EQ(ask(request(i2c, kBufaddr | 0xfe, kLowBuffer, hex("01 02 03"))), answer(i2c, 0));
    EXPECT_EQ(get("i2c.eeprom.0xfe"), "0x01");
    EXPECT_EQ(get("i2c.eeprom.0xff"), "0x02");
    EXPECT_EQ(get("i2c.eeprom.0x00"), "0x03");
    EXPECT_EQ(get("i2c.eeprom.pointer"), "0x01");
    EXPECT_EQ(counters().get("i2c.writes"), 2u);
}

TEST_F(I2cTest, AbsentAddressesNack) {
    const std::uint32_t chip51 = 0x048a2000;  // 0x51 << 13 | bus | type/subtype
    const std::uint32_t read = chip51 | kSmbus | kAddrlen1 | 1;
    EXPECT_EQ(ask(request(read, 0x10, 0)), answer(read, 0xffffffff));
    // A block read of an absent chip answers 20 bytes: no data to copy.
    const std::uint32_t block = chip51 | kAddrlen1 | 32;
    EXPECT_EQ(ask(request(block, kBufaddr, kLowBuffer)), answer(block, 0xffffffff));
    EXPECT_EQ(counters().get("i2c.nack"), 2u);
    // The hwmon's sensor read is an I2C read of chip 0x3ff: absent here.
    EXPECT_EQ(ask(request(0x04ffe902, 0x10, 0)), answer(0x04ffe902, 0xffffffff));
    // Move the EEPROM at run time.
    engine_.set_setting("i2c.eeprom.addr", "0x51");
    EXPECT_EQ(ask(request(read, 0x10, 0)), answer(read, 0xff));
    EXPECT_EQ(read_byte(0x10), 0xffffffffu);
    engine_.set_setting("i2c.eeprom.addr", "0x80");  // not 7-bit: the default
    EXPECT_EQ(read_byte(0x10), 0xffu);
    EXPECT_EQ(counters().get("i2c.bad_settings"), 1u);
    EXPECT_EQ(counters().get("i2c.nack"), 4u);
}

// Requests that make no sense: logged, counted, answered msg1 = 0xffffffff
// (the driver fails at once); the EEPROM is unchanged and the next request
// is served.
TEST_F(I2cTest, BadRequestsFailFast) {
    const std::uint32_t rd = kChip50 | kSmbus | kAddrlen1;
    const std::uint32_t wr = kChip50 | kWrite | kSmbus | kAddrlen1;
    const struct {
        const char* what;
        Bytes request;
        std::uint32_t msg0;
    } cases[] = {
        {"datalen 34", request(rd | 34, kBufaddr | kWithLength, 0), rd | 34},
        {"datalen 0xff", request(wr | 0xff, kBufaddr, 0, Bytes(255, 0)), wr | 0xff},
        {"block write, data short", request(wr | 3, kBufaddr | 0x10, 0, hex("02 01")), wr | 3},
        {"block write, data long", request(wr | 2, kBufaddr | 0x10, 0, hex("01 05 06")), wr | 2},
        {"SMBus block count", request(wr | 3, kBufaddr | 0x10, 0, hex("05 01 02")), wr | 3},
        {"block read without BUFADDR", request(rd | 33, 0x10, 0), rd | 33},
        {"block write without BUFADDR", request(wr | 3, 0x10, 0, hex("02 01 02")), wr | 3},
        {"block of 0 bytes", request(rd, kBufaddr | 0x10, 0), rd},
        {"not I2C: TPC get alarm", request(0x91030000, 0, 0), 0x91030000},
        {"not I2C: debug subtype 5", request(0x058a0901, 0x10, 0), 0x058a0901},
        {"addrlen 2", request(kChip50 | kSmbus | (2u << 8) | 1, 0x10, 0),
         kChip50 | kSmbus | (2u << 8) | 1},
        {"register over 0xff", request(rd | 1, 0x100, 0), rd | 1},
        {"read of 0 bytes", request(rd, 0x10, 0), rd},
        {"write without register", request(kChip50 | kWrite | kSmbus | 1, 0, 0x42),
         kChip50 | kWrite | kSmbus | 1},
    };
    std::uint64_t n = 0;
    for (const auto& c : cases) {
        EXPECT_EQ(ask(c.request), answer(c.msg0, 0xffffffff)) << c.what;
        EXPECT_EQ(counters().get("i2c.bad_request"), ++n) << c.what;
        EXPECT_EQ(read_byte(0x10), 0xffu) << c.what;
    }
    // Too short for msg0..msg2: answered all the same.
    EXPECT_EQ(ask(hex("07 43 43 50  00 80  00 00  01 09 8a 04")), answer(0x048a0901, 0xffffffff));
    EXPECT_EQ(ask(hex("07 43 43 50  00 80  00 00")), answer(0, 0xffffffff));
    EXPECT_EQ(counters().get("i2c.bad_request"), n + 2);
    EXPECT_EQ(counters().get("i2c.writes"), 0u);
    EXPECT_EQ(counters().get("i2c.nack"), 0u);
}

TEST_F(I2cTest, SettingsPokeAndRefill) {
    engine_.set_setting("i2c.eeprom.0x05", "0x99");
    EXPECT_EQ(read_byte(0x05), 0x99u);
    engine_.set_setting("i2c.eeprom.0x06", "zz");
    EXPECT_EQ(read_byte(0x06), 0xffu);  // the fill value
    EXPECT_EQ(counters().get("i2c.bad_settings"), 1u);
    engine_.set_setting("i2c.eeprom.fill", "0x00");  // no file: every byte refilled
    EXPECT_EQ(read_byte(0x05), 0x00u);
    EXPECT_EQ(get("i2c.eeprom.0xff"), "0x00");
}

TEST_F(I2cTest, LegacySignatureLikeTheHwmon) {
    const std::uint32_t w0 = kChip50 | kSmbus | kAddrlen1 | 1;
    EXPECT_EQ(ask(words(0x50424307, w0, 0x10, 0, 0, {})), words(0x50424307, w0, 0xff, 0, 1, {}));
    EXPECT_EQ(counters().get("xgene.legacy_signature"), 1u);
    engine_.set_setting("xgene.strict_signature", "1");
    EXPECT_FALSE(ask(words(0x50424307, w0, 0x10, 0, 0, {})));
    EXPECT_EQ(counters().get("xgene.legacy_signature_rejected"), 1u);
    EXPECT_FALSE(ask(words(0x50414307, w0, 0x10, 0, 0, {})));  // neither PCC nor legacy
    EXPECT_EQ(counters().get("bad.message"), 2u);
}

// Random transfers: never a crash; answers are 20 bytes, or 20 + datalen for
// a block read that succeeded.
TEST_F(I2cTest, RandomInputNeverCrashes) {
    std::uint32_t seed = 2024;
    auto next = [&seed] {
        seed = seed * 1103515245u + 12345u;
        return seed >> 16;
    };
    for (int i = 0; i < 5000; ++i) {
        std::uint32_t w0 = (next() << 16) | next();
        if (i % 4 != 0) {
            w0 = (w0 & 0x00ffffff) | 0x04000000;  // mostly I2C
        }
        if (i % 3 != 0) {
            w0 = (w0 & ~0x007fe000U) | (0x50u << 13);  // mostly the EEPROM
        }
        const std::uint32_t w1 = (next() << 16) | next();
        Bytes data(next() % 3 == 0 ? next() % 40 : 0);
        for (auto& b : data) {
            b = static_cast<std::uint8_t>(next());
        }
        Bytes m = request(w0, w1, next(), data);
        m.resize(next() % 10 == 0 ? next() % m.size() : m.size());
        auto a = ask(m);
        ASSERT_EQ(a.has_value(), m.size() >= 8);  // shorter: no PCC header
        if (!a) {
            continue;
        }
        const bool block_read = (w0 & kWrite) == 0 && (w1 & kBufaddr) != 0;
        if (a->size() != 20) {
            EXPECT_TRUE(block_read);
            EXPECT_EQ(a->size(), 20u + (w0 & 0xff));
            EXPECT_EQ(load_le32(*a, 12), 0u);
        }
    }
    EXPECT_EQ(read_byte(0x10).has_value(), true);
}

class I2cFileTest : public ::testing::Test {
  protected:
    I2cFileTest() {
        set_log_level(LogLevel::error);
        counters().clear();
    }
    // An engine whose EEPROM file is `path` from the start (--set).
    std::unique_ptr<Engine> start(const std::filesystem::path& path) {
        PlatformState state;
        state.settings["i2c.eeprom.file"] = path.string();
        auto engine = std::make_unique<Engine>(state);
        EXPECT_TRUE(engine->bindings().load_description(kDevice, "test"));
        return engine;
    }
    static std::string get(Engine& e, const std::string& key) {
        return e.state().setting(key).value_or("(unset)");
    }
    static void write_byte(Engine& e, std::uint8_t reg, std::uint8_t value) {
        const std::uint32_t w0 = kChip50 | kWrite | kSmbus | kAddrlen1 | 1;
        EXPECT_EQ(e.handle_request(7, Layout::generic, request(w0, reg, value), "test").answer,
                  answer(w0, 0));
    }
    test::TempDir dir_;
};

TEST_F(I2cFileTest, ContentsComeFromTheFileAndGoBack) {
    const auto path = dir_.path() / "eeprom.bin";
    test::write_file(path, sequence(0, 256));
    auto engine = start(path);
    EXPECT_EQ(get(*engine, "i2c.eeprom.0x00"), "0x00");
    EXPECT_EQ(get(*engine, "i2c.eeprom.0xab"), "0xab");
    write_byte(*engine, 0x10, 0xee);
    Bytes want = sequence(0, 256);
    want[0x10] = 0xee;
    EXPECT_EQ(test::read_file(path), want);
    // Another file, set at run time, is read at once.
    const auto other = dir_.path() / "other.bin";
    test::write_file(other, Bytes(256, 0x3c));
    engine->set_setting("i2c.eeprom.file", other.string());
    EXPECT_EQ(get(*engine, "i2c.eeprom.0x10"), "0x3c");
    write_byte(*engine, 0x00, 0x01);
    EXPECT_EQ(test::read_file(other)[0], 0x01);
    EXPECT_EQ(test::read_file(path), want);  // the first file is left alone
    EXPECT_EQ(counters().get("i2c.eeprom.file_errors"), 0u);
}

TEST_F(I2cFileTest, AMissingFileIsCreatedByTheFirstWrite) {
    const auto path = dir_.path() / "new.bin";
    auto engine = start(path);
    EXPECT_EQ(get(*engine, "i2c.eeprom.0x00"), "0xff");
    EXPECT_FALSE(std::filesystem::exists(path));
    write_byte(*engine, 0x01, 0x00);
    Bytes want(256, 0xff);
    want[1] = 0x00;
    EXPECT_EQ(test::read_file(path), want);
    EXPECT_EQ(counters().get("i2c.eeprom.file_errors"), 0u);
}

TEST_F(I2cFileTest, AFileOfAnotherSizeIsMade256Bytes) {
    const auto path = dir_.path() / "short.bin";
    test::write_file(path, hex("01 02 03"));
    auto engine = start(path);
    EXPECT_EQ(get(*engine, "i2c.eeprom.0x02"), "0x03");
    EXPECT_EQ(get(*engine, "i2c.eeprom.0x03"), "0xff");
    EXPECT_EQ(counters().get("i2c.eeprom.file_errors"), 1u);
    write_byte(*engine, 0x03, 0x04);
    Bytes want(256, 0xff);
    want[0] = 1, want[1] = 2, want[2] = 3, want[3] = 4;
    EXPECT_EQ(test::read_file(path), want);
    test::write_file(path, Bytes(300, 0x77));
    engine->set_setting("i2c.eeprom.file", path.string());
    EXPECT_EQ(get(*engine, "i2c.eeprom.0xff"), "0x77");
    write_byte(*engine, 0x00, 0x00);
    EXPECT_EQ(test::read_file(path).size(), 256u);
}

// A symlink is neither read nor written through (O_NOFOLLOW).
TEST_F(I2cFileTest, SymlinksAreRefused) {
    const auto target = dir_.path() / "target.bin";
    const auto link = dir_.path() / "link.bin";
    test::write_file(target, Bytes(256, 0x11));
    ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
    auto engine = start(link);
    EXPECT_EQ(get(*engine, "i2c.eeprom.0x00"), "0xff");
    write_byte(*engine, 0x00, 0x22);
    EXPECT_EQ(test::read_file(target), Bytes(256, 0x11));
    EXPECT_EQ(counters().get("i2c.eeprom.file_errors"), 2u);  // the load and the write
    EXPECT_EQ(get(*engine, "i2c.eeprom.0x00"), "0x22");       // served all the same
    engine->set_setting("i2c.eeprom.file", dir_.str());       // a directory
    EXPECT_EQ(counters().get("i2c.eeprom.file_errors"), 3u);
}

}  // namespace
}  // namespace pccd
