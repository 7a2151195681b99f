// SPDX-License-Identifier: GPL-2.0-or-later
// A PCC OperationRegion behind an ACPI thermal zone (QEMU's pcc-opregion,
// Linux's drivers/acpi/acpi_pcc.c): one type 3 subspace, extended layout,
// used as a mailbox: the answer goes back into the same shared memory. The
// region (`property region-length 20`) is the extended communication region
// from its signature on, little-endian:
//
//   0 signature  4 flags  8 length (8)  12 command  16 data
//
// Command 1 reads the temperature: the answer is the same 20 bytes with data
// = the setting opregion.temp_dk (tenths of a kelvin, default 3032 = 30.0 C;
// Linux's thermal zone shows dk * 100 - 273200 millidegrees C). Any other
// command: data = 0xffffffff. A length other than 8 or a message shorter than
// the region is rejected (bad.opregion, no answer).
//
// The signature is not judged: kernels up to 7.3 copy the region's first
// bytes, the AML's SIGN field, over the platform's signature. Linux 7.4
// copies the region to shared memory + 4 instead, for AML whose region
// starts after the signature; the shared memory then holds the same bytes at
// the same offsets (with the platform's signature kept), so both are served
// alike. What is not served: a region copied to the other kernel's offset
// (see docs/pccd.md, "PCC OperationRegion").
#include <cstdio>
#include <string>

#include "log.hpp"
#include "personality.hpp"
#include "setting_reader.hpp"

namespace pccd {

namespace {

constexpr std::size_t kRegionLength = 20;
constexpr std::uint32_t kPayloadLength = 8;  // command and data
constexpr std::size_t kDataOffset = 16;
constexpr std::uint32_t kCommandReadTemperature = 1;
constexpr std::uint32_t kUnknownCommandData = 0xffffffff;
constexpr std::uint64_t kDefaultTempDk = 3032;

class OpRegion final : public Personality {
  public:
    explicit OpRegion(ChannelContext& c)
        : Personality(c), reader_(c.state(), "opregion.bad_settings") {
        c.state().settings.try_emplace("opregion.temp_dk", std::to_string(kDefaultTempDk));
    }

    Result<bool> check_signature(const DecodedMessage& m) override {
        if (!has_pcc_prefix(m.signature()) && m.kind == MessageKind::request) {
            logf(LogLevel::debug,
                 "%s: signature 0x%08x is not the PCC one (the AML's SIGN field); accepted",
                 context().where().c_str(), m.signature());
        }
        return true;
    }

    Result<bool> decode(DecodedMessage& m) override {
        m.fields.command = m.ext->command;  // rules: cmd=1
        return true;
    }

    std::string describe(const DecodedMessage& m) const override {
        if (m.raw.size() < kRegionLength) {
            return " opregion short";
        }
        const std::uint32_t data = load_le32(m.raw, kDataOffset);
        char buf[64];
        if (m.ext->command == kCommandReadTemperature) {
            std::snprintf(buf, sizeof buf, " opregion read-temperature data=%u", data);
        } else {
            std::snprintf(buf, sizeof buf, " opregion command %u data=0x%x", m.ext->command, data);
        }
        return buf;
    }

    std::optional<Bytes> answer(const DecodedMessage& m) override {
        const std::string where = context().where();
        if (auto length = context().property("region-length");
            length && parse_uint(*length, kRegionLength) != kRegionLength) {
            reject("opregion", where,
                   "property region-length '" + *length + "'; this platform serves a " +
                       std::to_string(kRegionLength) + "-byte region");
            return std::nullopt;
        }
        if (m.raw.size() < kRegionLength) {
            reject("opregion", where,
                   "message of " + std::to_string(m.raw.size()) + " bytes; the region is " +
                       std::to_string(kRegionLength));
            return std::nullopt;
        }
        if (m.ext->length != kPayloadLength) {
            reject("opregion", where,
                   "length field " + std::to_string(m.ext->length) + "; the region's is " +
                       std::to_string(kPayloadLength) + " (command and data)");
            return std::nullopt;
        }
        Bytes out(m.raw.begin(), m.raw.begin() + kRegionLength);
        std::uint32_t data = kUnknownCommandData;
        if (m.ext->command == kCommandReadTemperature) {
            data = temperature();
            counters().bump("opregion.reads");
        } else {
            counters().bump("opregion.unknown_command");
            logf(LogLevel::warn, "%s: OperationRegion command %u unknown (1: read temperature)",
                 where.c_str(), m.ext->command);
        }
        store_le32(out, kDataOffset, data);
        return out;  // the request's signature, flags, length and command
    }

  private:
    std::uint32_t temperature() {
        return static_cast<std::uint32_t>(
            reader_.get("opregion.temp_dk", 0, 0xffffffffULL, "tenths of a kelvin, 0 to 4294967295")
                .value_or(kDefaultTempDk));
    }

    SettingReader reader_;
};

const PersonalityRegistrar<OpRegion> kRegister(
    PersonalityInfo("opregion", "PCC OperationRegion of a thermal zone: the temperature")
        .serves("pcc-opregion")
        .subspace(0, 3, SubspaceRole::mailbox));

}  // namespace

}  // namespace pccd
