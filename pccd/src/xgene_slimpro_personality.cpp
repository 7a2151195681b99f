// SPDX-License-Identifier: GPL-2.0-or-later
// APM X-Gene SLIMpro hardware monitor (QEMU's pcc-xgene-hwmon, Linux's
// drivers/hwmon/xgene-hwmon.c): a generic-layout (type 2) subspace whose
// communication space holds three little-endian words msg[0..2]. Serves the
// device class pcc-xgene-hwmon; `--bind CHANNEL=xgene-slimpro` without a
// description. (pcc-xgene-i2c is xgene_slimpro_i2c_personality.cpp's.)
//
//  * Signature: the PCC one or the legacy SLIMpro one (xgene_slimpro.hpp,
//    shared with the I2C personality).
//
//  * Sensor read: msg[0] = SENSOR_RD_MSG (type DBG 0, subtype SENSOR_READ 4),
//    msg[1] = register. The answer echoes msg[0], msg[1] = the value (bit 15:
//    invalid data), msg[2] = 0. Registers: SOC_TEMP_REG 0x10 (degrees C, 9-bit
//    two's complement), PMD_PWR_REG 0x20 / PMD_PWR_MW_REG 0x26 (CPU power,
//    whole watts / the milliwatts beyond them), SOC_PWR_REG 0x21 /
//    SOC_PWR_MW_REG 0x27 (IO power, likewise). Other registers: invalid data.
//  * TPC_GET_ALARM (type PWRMGMT 9, subtype TPC 1, command 3): answered as a
//    TPC_ALARM message (command 2), which is what the driver's receive path
//    accepts as the answer; msg[2] = the alarm (setting xgene.alarm, 0).
//  * Anything else: an error message (type ERR 7), which the driver turns
//    into -EINVAL.
//
// Values come from settings, changeable at run time (`pccd set`):
// xgene.temp_c (default 35), xgene.temp_invalid (0), xgene.cpu_power_mw
// (default 12500), xgene.io_power_mw (default 4250), xgene.alarm (0).
#include <cstdio>
#include <string>

#include "log.hpp"
#include "xgene_slimpro.hpp"

namespace pccd {

namespace {

constexpr std::uint32_t kMsgTypeDbg = 0;
constexpr std::uint32_t kMsgTypeErr = 7;
constexpr std::uint32_t kMsgTypePwrMgmt = 9;
constexpr std::uint32_t kDbgSubtypeSensorRead = 4;
constexpr std::uint32_t kPwrMgmtSubtypeTpc = 1;
constexpr std::uint32_t kTpcAlarm = 2;
constexpr std::uint32_t kTpcGetAlarm = 3;

constexpr std::uint32_t kSocTempReg = 0x10;
constexpr std::uint32_t kPmdPwrReg = 0x20;
constexpr std::uint32_t kSocPwrReg = 0x21;
constexpr std::uint32_t kPmdPwrMwReg = 0x26;
constexpr std::uint32_t kSocPwrMwReg = 0x27;
constexpr std::uint32_t kSensorInvalidData = 1U << 15;

constexpr std::uint32_t tpc_cmd(std::uint32_t v) {
    return (v >> 16) & 0xff;
}
constexpr std::uint32_t sensor_address(std::uint32_t v) {
    return v & 0x000fffff;
}
constexpr bool is_sensor_read(std::uint32_t msg0) {
    return slimpro_msg_type(msg0) == kMsgTypeDbg &&
           slimpro_msg_subtype(msg0) == kDbgSubtypeSensorRead;
}
constexpr bool is_tpc(std::uint32_t msg0, std::uint32_t command) {
    return slimpro_msg_type(msg0) == kMsgTypePwrMgmt &&
           slimpro_msg_subtype(msg0) == kPwrMgmtSubtypeTpc && tpc_cmd(msg0) == command;
}

class XgeneSlimpro final : public SlimproPersonality {
  public:
    using SlimproPersonality::SlimproPersonality;

    std::string describe(const DecodedMessage& m) const override {
        const ByteView space = m.generic->space;
        if (space.size() < kSlimproMessageSize) {
            return " slimpro short";
        }
        const std::uint32_t msg0 = load_le32(space, 0);
        const std::uint32_t msg1 = load_le32(space, 4);
        const std::uint32_t msg2 = load_le32(space, 8);
        const bool answer = m.kind != MessageKind::request;
        char buf[96];
        if (is_sensor_read(msg0)) {
            std::snprintf(
                buf, sizeof buf,
                answer ? " slimpro sensor-read value=0x%x" : " slimpro sensor-read reg=0x%x",
                answer ? msg1 : sensor_address(msg1));
        } else if (is_tpc(msg0, kTpcGetAlarm)) {
            std::snprintf(buf, sizeof buf, " slimpro tpc-get-alarm");
        } else if (is_tpc(msg0, kTpcAlarm)) {
            std::snprintf(buf, sizeof buf, " slimpro tpc-alarm alarm=%u", msg2);
        } else {
            std::snprintf(buf, sizeof buf, " slimpro msg0=0x%08x (type %u)", msg0,
                          slimpro_msg_type(msg0));
        }
        return std::string(buf) + signature_note(m);
    }

    std::optional<Bytes> answer(const DecodedMessage& m) override {
        const ByteView space = m.generic->space;
        if (space.size() < kSlimproMessageSize) {
            reject("xgene", "channel " + std::to_string(m.channel),
                   "communication space of " + std::to_string(space.size()) +
                       " bytes; a SLIMpro message needs 12");
            return std::nullopt;
        }
        const std::uint32_t msg0 = load_le32(space, 0);
        const std::uint32_t msg1 = load_le32(space, 4);
        if (is_sensor_read(msg0)) {
            counters().bump("xgene.sensor_reads");
            return reply_words(m, msg0, sensor(m.channel, sensor_address(msg1)), 0);
        }
        if (is_tpc(msg0, kTpcGetAlarm)) {
            counters().bump("xgene.alarm_reads");
            const std::uint32_t alarm = number("xgene.alarm", 0).value_or(0) != 0 ? 1 : 0;
            const std::uint32_t out0 = (msg0 & 0xff00ffffU) | (kTpcAlarm << 16);
            return reply_words(m, out0, 0, alarm);
        }
        counters().bump("xgene.unsupported");
        logf(LogLevel::warn, "c%03u: SLIMpro message 0x%08x (type %u subtype %u) not supported",
             m.channel, msg0, slimpro_msg_type(msg0), slimpro_msg_subtype(msg0));
        return reply_words(m, (kMsgTypeErr << 28) | (msg0 & 0x0fffffffU), 0, 0);
    }

  private:
    Bytes reply_words(const DecodedMessage& m, std::uint32_t w0, std::uint32_t w1,
                      std::uint32_t w2) const {
        Bytes space;
        append_le32(space, w0);
        append_le32(space, w1);
        append_le32(space, w2);
        // Whatever followed the three words stays as the guest wrote it.
        append(space, m.generic->space.subspan(kSlimproMessageSize));
        // Same signature (also a legacy one) and command, "command complete".
        return context().generic_answer(m, kStatusCommandComplete, space);
    }

    // A signed integer setting, or nullopt (with a warning) when it does not
    // parse: the sensor then reads as invalid data.
    std::optional<long long> number(std::string_view key, long long fallback) const {
        return context().state().number(key, fallback);
    }

    std::uint32_t power(std::string_view key, long long fallback, bool whole_watts) const {
        const auto mw = number(key, fallback);
        if (!mw || *mw < 0 || *mw > 0x7fff * 1000LL) {
            return kSensorInvalidData;
        }
        return static_cast<std::uint32_t>(whole_watts ? *mw / 1000 : *mw % 1000);
    }

    std::uint32_t sensor(unsigned channel, std::uint32_t reg) const {
        switch (reg) {
            case kSocTempReg: {
                if (number("xgene.temp_invalid", 0).value_or(1) != 0) {
                    return kSensorInvalidData;
                }
                const auto c = number("xgene.temp_c", 35);
                if (!c || *c < -256 || *c > 255) {
                    return kSensorInvalidData;
                }
                return static_cast<std::uint32_t>(*c) & 0x1ff;  // 9-bit two's complement
            }
            case kPmdPwrReg:
                return power("xgene.cpu_power_mw", 12500, true);
            case kPmdPwrMwReg:
                return power("xgene.cpu_power_mw", 12500, false);
            case kSocPwrReg:
                return power("xgene.io_power_mw", 4250, true);
            case kSocPwrMwReg:
                return power("xgene.io_power_mw", 4250, false);
            default:
                counters().bump("xgene.unknown_register");
                logf(LogLevel::warn, "c%03u: SLIMpro sensor register 0x%x unknown; invalid data",
                     channel, reg);
                return kSensorInvalidData;
        }
    }
};

const PersonalityRegistrar<XgeneSlimpro> kRegister(
    PersonalityInfo("xgene-slimpro", "APM X-Gene SLIMpro mailbox: hwmon sensors, TPC alarm")
        .serves("pcc-xgene-hwmon")
        .subspace(0, 2, SubspaceRole::mailbox));

}  // namespace

}  // namespace pccd
