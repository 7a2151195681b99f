// SPDX-License-Identifier: GPL-2.0-or-later
// APM X-Gene SLIMpro I2C (QEMU's pcc-xgene-i2c, Linux's
// drivers/i2c/busses/i2c-xgene-slimpro.c): a type 2 subspace, generic layout,
// used as a mailbox. The communication space holds the SLIMpro words
// msg[0..2] (xgene_slimpro.hpp: also the legacy signature rule):
//
//   msg0: type 31:28 (0 debug), subtype 27:24 (4 I2C), bus 23, chip 22:13,
//         rw 12 (1 write), proto 11 (1 SMBus, 0 I2C), addrlen 10:8,
//         datalen 7:0
//   msg1: BUFADDR 31 (a block transfer through a guest buffer), with data
//         length 30, buffer address bits 41:32 in 29:20, register 19:0
//   msg2: the data of a simple write, or the buffer address bits 31:0
//
// QEMU plays the SLIMpro's DMA engine: a block write's request carries the
// datalen bytes of the buffer after msg2; a block read's answer carries
// datalen bytes after msg2, which QEMU writes to the buffer. Every other
// answer is the header and msg0 echoed, msg1 = the result (read data, 0 for
// a write), msg2 = 0: 20 bytes.
//
// The one target is a 24c02-like EEPROM (i2c_eeprom.hpp) at the 7-bit
// address i2c.eeprom.addr (0x50); any other chip reads msg1 = 0xffffffff,
// which the driver turns into ENODEV (i2c.nack). A request that makes no
// sense (not an I2C message, datalen over 33, a block write whose data is not
// datalen bytes, a block read without BUFADDR, ...) is logged, counted in
// i2c.bad_request and answered with msg1 = 0xffffffff too, so that the
// driver fails at once instead of waiting a second for its timeout.
#include <cstdio>
#include <string>

#include "i2c_eeprom.hpp"
#include "log.hpp"
#include "setting_reader.hpp"
#include "xgene_slimpro.hpp"

namespace pccd {

namespace {

constexpr std::uint32_t kTypeDebug = 0;
constexpr std::uint32_t kSubtypeI2c = 4;
constexpr unsigned kMaxDataLength = 33;  // SMBus block: count and 32 bytes
constexpr std::uint32_t kFailure = 0xffffffff;
constexpr std::uint64_t kDefaultAddress = 0x50;

// One SLIMpro I2C message.
struct Transfer {
    std::uint32_t msg0 = 0;
    std::uint32_t msg1 = 0;
    std::uint32_t msg2 = 0;

    unsigned chip() const { return (msg0 >> 13) & 0x3ff; }
    bool write() const { return ((msg0 >> 12) & 1) != 0; }
    bool smbus() const { return ((msg0 >> 11) & 1) != 0; }
    unsigned addrlen() const { return (msg0 >> 8) & 0x7; }
    unsigned datalen() const { return msg0 & 0xff; }
    bool block() const { return (msg1 >> 31) != 0; }
    bool with_length() const { return ((msg1 >> 30) & 1) != 0; }
    std::uint32_t reg() const { return msg1 & 0xfffff; }
};

std::string hex32(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

// Why a transfer cannot be served, or "" when it can. `data`: the bytes after
// msg2 (a block write's).
std::string problem(const Transfer& t, ByteView data) {
    if (slimpro_msg_type(t.msg0) != kTypeDebug || slimpro_msg_subtype(t.msg0) != kSubtypeI2c) {
        return "msg0 " + hex32(t.msg0) + " is type " + std::to_string(slimpro_msg_type(t.msg0)) +
               " subtype " + std::to_string(slimpro_msg_subtype(t.msg0)) +
               ", not an I2C transfer (type 0 subtype 4)";
    }
    const unsigned len = t.datalen();
    if (len > kMaxDataLength) {
        return "datalen " + std::to_string(len) + " is over 33";
    }
    if (t.addrlen() > 1) {
        return "addrlen " + std::to_string(t.addrlen()) + "; the EEPROM takes a 1-byte address";
    }
    if (t.addrlen() == 1 && t.reg() > 0xff) {
        return "register " + hex32(t.reg()) + " does not fit a 1-byte address";
    }
    if (t.block()) {
        if (t.addrlen() != 1) {
            return "a block transfer without its register byte (addrlen 0)";
        }
        if (len == 0) {
            return "a block transfer of 0 bytes";
        }
        if (t.write() && data.size() != len) {
            return "a block write of datalen " + std::to_string(len) + " carries " +
                   std::to_string(data.size()) + " bytes of data";
        }
        if (t.write() && t.smbus() && data[0] != len - 1) {
            return "an SMBus block write of datalen " + std::to_string(len) + " counts " +
                   std::to_string(data[0]) + " bytes (want datalen - 1)";
        }
        return {};
    }
    if (len > 2) {
        return std::string("a block ") + (t.write() ? "write" : "read") + " (datalen " +
               std::to_string(len) + ") that does not set BUFADDR in msg1";
    }
    if (!t.write() && len == 0) {
        return "a read of 0 bytes (SMBus quick is not supported)";
    }
    if (t.write() && t.addrlen() == 0) {
        return "a write without a register byte (addrlen 0)";
    }
    return {};
}

class XgeneSlimproI2c final : public SlimproPersonality {
  public:
    explicit XgeneSlimproI2c(ChannelContext& c)
        : SlimproPersonality(c),
          reader_(c.state(), "i2c.bad_settings"),
          eeprom_(c.state(), reader_, "i2c.eeprom") {
        c.state().settings.try_emplace("i2c.eeprom.addr", "0x50");
        eeprom_.start();
    }

    void setting_changed(std::string_view key, std::string_view value) override {
        eeprom_.setting_changed(key, value);
    }

    std::string describe(const DecodedMessage& m) const override {
        const ByteView space = m.generic->space;
        if (space.size() < kSlimproMessageSize) {
            return " i2c short";
        }
        const Transfer t{load_le32(space, 0), load_le32(space, 4), load_le32(space, 8)};
        char buf[128];
        if (m.kind != MessageKind::request) {
            std::snprintf(buf, sizeof buf, " i2c result=0x%x data=%zuB", t.msg1,
                          space.size() - kSlimproMessageSize);
        } else if (slimpro_msg_type(t.msg0) != kTypeDebug ||
                   slimpro_msg_subtype(t.msg0) != kSubtypeI2c) {
            std::snprintf(buf, sizeof buf, " i2c msg0=0x%08x (not I2C)", t.msg0);
        } else {
            std::snprintf(buf, sizeof buf, " i2c chip=0x%02x %s %s%s reg=0x%x addrlen=%u len=%u",
                          t.chip(), t.write() ? "write" : "read", t.smbus() ? "smbus" : "i2c",
                          t.block() ? " block" : "", t.reg(), t.addrlen(), t.datalen());
        }
        return std::string(buf) + signature_note(m);
    }

    std::optional<Bytes> answer(const DecodedMessage& m) override {
        const ByteView space = m.generic->space;
        if (space.size() < kSlimproMessageSize) {
            const std::uint32_t msg0 = space.size() >= 4 ? load_le32(space, 0) : 0;
            return bad(m, {msg0, 0, 0},
                       "communication space of " + std::to_string(space.size()) +
                           " bytes; a SLIMpro message needs 12");
        }
        const Transfer t{load_le32(space, 0), load_le32(space, 4), load_le32(space, 8)};
        const ByteView data = space.subspan(kSlimproMessageSize);
        if (std::string why = problem(t, data); !why.empty()) {
            return bad(m, t, why);
        }
        if (!t.block() && !data.empty()) {
            logf(LogLevel::debug, "%s: %zu bytes after msg2 ignored", context().where().c_str(),
                 data.size());
        }
        if (t.chip() != address()) {
            counters().bump("i2c.nack");
            logf(LogLevel::debug, "%s: no I2C device at 0x%02x (%s)", context().where().c_str(),
                 t.chip(), t.write() ? "write" : "read");
            return result(m, t, kFailure);
        }
        if (t.addrlen() == 1) {
            eeprom_.set_pointer(static_cast<std::uint8_t>(t.reg()));
        }
        return t.write() ? write(m, t, data) : read(m, t);
    }

  private:
    unsigned address() {
        return static_cast<unsigned>(
            reader_.get("i2c.eeprom.addr", 0, 0x7f, "a 7-bit I2C address, 0 to 0x7f")
                .value_or(kDefaultAddress));
    }

    // The answer: header, msg0 echoed, msg1 = `value`, msg2 = 0, then `data`.
    Bytes result(const DecodedMessage& m, const Transfer& t, std::uint32_t value,
                 ByteView data = {}) const {
        Bytes space;
        append_le32(space, t.msg0);
        append_le32(space, value);
        append_le32(space, 0);
        append(space, data);
        // Exactly this size (QEMU takes 20 bytes, or 20 + datalen for a
        // block read), the request's signature and command.
        return encode_generic(m.generic->signature, m.generic->command, kStatusCommandComplete,
                              space);
    }

    Bytes bad(const DecodedMessage& m, const Transfer& t, const std::string& why) const {
        counters().bump("i2c.bad_request");
        logf(LogLevel::warn, "%s: bad SLIMpro I2C request: %s; answered with msg1 = 0xffffffff",
             context().where().c_str(), why.c_str());
        return result(m, t, kFailure);
    }

    Bytes read(const DecodedMessage& m, const Transfer& t) {
        counters().bump("i2c.reads");
        const unsigned len = t.datalen();
        const unsigned start = eeprom_.pointer();
        if (!t.block()) {
            std::uint32_t value = eeprom_.read();
            if (len == 2) {
                value |= static_cast<std::uint32_t>(eeprom_.read()) << 8;  // little-endian
            }
            logf(LogLevel::debug, "%s: eeprom read 0x%02x: 0x%x", context().where().c_str(), start,
                 value);
            return result(m, t, value);
        }
        Bytes data;
        if (t.with_length()) {
            data.push_back(static_cast<std::uint8_t>(len - 1));  // SMBus block: the count
        }
        while (data.size() < len) {
            data.push_back(eeprom_.read());
        }
        logf(LogLevel::debug, "%s: eeprom block read 0x%02x, %u bytes", context().where().c_str(),
             start, len);
        return result(m, t, 0, data);
    }

    Bytes write(const DecodedMessage& m, const Transfer& t, ByteView appended) {
        counters().bump("i2c.writes");
        Bytes data;
        if (t.block()) {
            // SMBus block: [count, bytes...]; I2C block: the bytes.
            const ByteView bytes = t.smbus() ? appended.subspan(1) : appended;
            data.assign(bytes.begin(), bytes.end());
        } else if (t.datalen() >= 1) {
            data.push_back(static_cast<std::uint8_t>(t.msg2));
            if (t.datalen() == 2) {
                data.push_back(static_cast<std::uint8_t>(t.msg2 >> 8));  // little-endian
            }
        }
        const unsigned start = eeprom_.pointer();
        if (data.empty()) {
            logf(LogLevel::info, "%s: eeprom pointer 0x%02x", context().where().c_str(), start);
        } else {
            logf(LogLevel::info, "%s: eeprom write 0x%02x, %zu bytes: %s",
                 context().where().c_str(), start, data.size(), to_hex(data).c_str());
            eeprom_.write(data);
        }
        return result(m, t, 0);
    }

    SettingReader reader_;
    I2cEeprom eeprom_;
};

const PersonalityRegistrar<XgeneSlimproI2c> kRegister(
    PersonalityInfo("xgene-slimpro-i2c", "APM X-Gene SLIMpro I2C bus: a 24c02 EEPROM")
        .serves("pcc-xgene-i2c")
        .subspace(0, 2, SubspaceRole::mailbox));

}  // namespace

}  // namespace pccd
