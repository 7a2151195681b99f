// SPDX-License-Identifier: GPL-2.0-or-later
// HiSilicon uncore frequency scaling (QEMU's pcc-hisi-uncore, Linux's
// drivers/devfreq/hisi_uncore_freq.c): one type 2 subspace, generic layout,
// used as a mailbox. A message is 16 bytes, little-endian:
//
//   0 signature  4 command (u16)  6 status (u16)  8 u16 status, u16 rsv
//   (the driver leaves them uninitialised: echoed, never read)  12 u32 data
//
// The datum carries the argument and the answer:
//
//   0 GET_CAP             -> bit 0: platform-controlled mode (uncore.cap)
//   1 GET_FREQ            -> the current frequency in MHz (uncore.cur_freq,
//                         by default the table's highest)
//   2 SET_FREQ  MHz       recorded (uncore.set_freq); the current frequency
//                         follows it in OS mode, the platform keeps its own
//                         in platform mode; one not in the table is refused
//   3 GET_MODE            -> 0 platform, 1 OS (uncore.mode)
//   4 SET_MODE  0 | 1     recorded in uncore.mode
//   5 GET_PLAT_FREQ_NUM   -> the table's size (uncore.frequencies)
//   6 GET_PLAT_FREQ_BY_IDX index -> MHz
//
// A refused request (an unknown command, an index past the table, a mode or
// frequency the platform does not have, a message shorter than 16 bytes) is
// answered with the error bit (the driver: EIO), the datum unchanged, logged
// and counted.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "log.hpp"
#include "personality.hpp"
#include "setting_reader.hpp"

namespace pccd {

namespace {

constexpr std::size_t kMessageSize = 16;
constexpr std::size_t kDataOffset = 12;         // in the message
constexpr std::size_t kSpaceDataOffset = 4;     // in the space after the header
constexpr std::uint32_t kCommandMask = 0x7fff;  // bit 15: doorbell interrupt
constexpr std::uint64_t kMaxMhz = 1000000;
constexpr std::size_t kMaxFrequencies = 64;
constexpr std::uint32_t kModePlatform = 0;
constexpr std::uint32_t kModeOs = 1;
constexpr const char* kDefaultFrequencies = "800,1200,1600,2000";
constexpr std::uint32_t kDefaultCap = 1;

enum Command : std::uint32_t {
    kGetCap = 0,
    kGetFreq,
    kSetFreq,
    kGetMode,
    kSetMode,
    kGetPlatFreqNum,
    kGetPlatFreqByIdx,
    kCommandCount
};

constexpr const char* kCommandNames[kCommandCount] = {"GET_CAP",
                                                      "GET_FREQ",
                                                      "SET_FREQ",
                                                      "GET_MODE",
                                                      "SET_MODE",
                                                      "GET_PLAT_FREQ_NUM",
                                                      "GET_PLAT_FREQ_BY_IDX"};

std::uint64_t highest(const std::vector<std::uint64_t>& table) {
    return table.empty() ? 0 : *std::max_element(table.begin(), table.end());
}

class HisiUncore final : public Personality {
  public:
    explicit HisiUncore(ChannelContext& c)
        : Personality(c), reader_(c.state(), "uncore.bad_settings") {
        auto& settings = c.state().settings;
        settings.try_emplace("uncore.frequencies", kDefaultFrequencies);
        settings.try_emplace("uncore.cap", std::to_string(kDefaultCap));
        settings.try_emplace("uncore.mode", std::to_string(kModePlatform));
        settings.try_emplace("uncore.set_freq", "none");
        settings.try_emplace("uncore.cur_freq", std::to_string(highest(frequencies())));
    }

    Result<bool> decode(DecodedMessage& m) override {
        m.fields.command = m.generic->command & kCommandMask;
        return true;
    }

    std::string describe(const DecodedMessage& m) const override {
        const std::uint32_t command = m.generic->command & kCommandMask;
        char buf[80];
        const char* name = command < kCommandCount ? kCommandNames[command] : "unknown";
        if (m.raw.size() < kMessageSize) {
            std::snprintf(buf, sizeof buf, " uncore %s (short)", name);
        } else {
            std::snprintf(buf, sizeof buf, " uncore %s data=%u", name,
                          load_le32(m.raw, kDataOffset));
        }
        return buf;
    }

    std::optional<Bytes> answer(const DecodedMessage& m) override {
        const std::uint32_t command = m.generic->command & kCommandMask;
        if (m.raw.size() < kMessageSize) {
            return refuse(m, "uncore.bad_request",
                          "a message of " + std::to_string(m.raw.size()) + " bytes (16 expected)");
        }
        const std::uint32_t data = load_le32(m.raw, kDataOffset);
        counters().bump("uncore.requests");
        switch (command) {
            case kGetCap:
                return data_answer(
                    m, static_cast<std::uint32_t>(
                           reader_.get("uncore.cap", 0, 0xffffffffULL, "a 32-bit number")
                               .value_or(kDefaultCap)));
            case kGetFreq:
                return data_answer(m, current_frequency());
            case kSetFreq:
                return set_frequency(m, data);
            case kGetMode:
                return data_answer(m, mode());
            case kSetMode:
                return set_mode(m, data);
            case kGetPlatFreqNum:
                return data_answer(m, static_cast<std::uint32_t>(frequencies().size()));
            case kGetPlatFreqByIdx: {
                const auto table = frequencies();
                if (data >= table.size()) {
                    return refuse(m, "uncore.bad_index",
                                  "frequency index " + std::to_string(data) + " (the table has " +
                                      std::to_string(table.size()) + ")");
                }
                return data_answer(m, table[data]);
            }
            default:
                return refuse(m, "uncore.unknown_command",
                              "command " + std::to_string(command) + " unknown (0 to 6)");
        }
    }

  private:
    PlatformState& state() const { return context().state(); }

    // The request's 16 bytes with `data` and "command complete".
    Bytes data_answer(const DecodedMessage& m, std::uint32_t data, std::uint16_t status = 0) const {
        Bytes space(m.generic->space.begin(), m.generic->space.end());
        space.resize(kMessageSize - kGenericHeaderSize, 0);
        store_le32(space, kSpaceDataOffset, data);
        return context().generic_answer(m, kStatusCommandComplete | status, space);
    }

    std::optional<Bytes> refuse(const DecodedMessage& m, const char* counter,
                                const std::string& why) const {
        counters().bump(counter);
        logf(LogLevel::warn, "%s: uncore request refused (error bit): %s",
             context().where().c_str(), why.c_str());
        const std::uint32_t data = m.raw.size() >= kMessageSize ? load_le32(m.raw, kDataOffset) : 0;
        return data_answer(m, data, kStatusError);
    }

    std::vector<std::uint64_t> frequencies() {
        return reader_
            .get_list("uncore.frequencies", {1, kMaxMhz, kMaxFrequencies, true},
                      "up to 64 different frequencies in MHz, 1 to 1000000, comma separated")
            .value_or(std::vector<std::uint64_t>{800, 1200, 1600, 2000});
    }

    std::uint32_t current_frequency() {
        return static_cast<std::uint32_t>(
            reader_.get("uncore.cur_freq", 0, kMaxMhz, "MHz, 0 to 1000000")
                .value_or(highest(frequencies())));
    }

    std::uint32_t mode() {
        return static_cast<std::uint32_t>(
            reader_.get("uncore.mode", 0, 1, "0 (platform) or 1 (OS)").value_or(kModePlatform));
    }

    std::optional<Bytes> set_frequency(const DecodedMessage& m, std::uint32_t mhz) {
        const auto table = frequencies();
        if (std::find(table.begin(), table.end(), mhz) == table.end()) {
            return refuse(m, "uncore.bad_frequency",
                          "SET_FREQ " + std::to_string(mhz) + " MHz is not in uncore.frequencies");
        }
        counters().bump("uncore.set_freq");
        state().settings["uncore.set_freq"] = std::to_string(mhz);
        const std::uint32_t before = current_frequency();
        if (mode() == kModeOs) {
            state().settings["uncore.cur_freq"] = std::to_string(mhz);
            logf(LogLevel::info, "%s: uncore SET_FREQ %u MHz: cur_freq %u -> %u",
                 context().where().c_str(), mhz, before, mhz);
        } else {
            logf(LogLevel::info,
                 "%s: uncore SET_FREQ %u MHz in platform mode: recorded, cur_freq stays %u",
                 context().where().c_str(), mhz, before);
        }
        return data_answer(m, mhz);
    }

    std::optional<Bytes> set_mode(const DecodedMessage& m, std::uint32_t mode_wanted) {
        if (mode_wanted != kModePlatform && mode_wanted != kModeOs) {
            return refuse(m, "uncore.bad_mode",
                          "SET_MODE " + std::to_string(mode_wanted) + " (0 platform, 1 OS)");
        }
        counters().bump("uncore.set_mode");
        const std::uint32_t before = mode();
        state().settings["uncore.mode"] = std::to_string(mode_wanted);
        logf(LogLevel::info, "%s: uncore SET_MODE %s -> %s", context().where().c_str(),
             before == kModeOs ? "OS" : "platform", mode_wanted == kModeOs ? "OS" : "platform");
        return data_answer(m, mode_wanted);
    }

    SettingReader reader_;
};

const PersonalityRegistrar<HisiUncore> kRegister(
    PersonalityInfo("hisi-uncore",
                    "HiSilicon uncore frequency scaling: frequency table, frequency, mode")
        .serves("pcc-hisi-uncore")
        .subspace(0, 2, SubspaceRole::mailbox));

}  // namespace

}  // namespace pccd
