// SPDX-License-Identifier: GPL-2.0-or-later
// MCTP control messages (message type 0, DSP0236 section 12): the endpoint
// side of Set/Get Endpoint ID, Get Endpoint UUID, Get MCTP Version Support,
// Get Message Type Support and Get Vendor Defined Message Support. Every other
// command is answered with ERROR_UNSUPPORTED_CMD.
#include <string>

#include "log.hpp"
#include "mctp_personality.hpp"
#include "text.hpp"

namespace pccd {

namespace {

using namespace mctp::control;

// Version number entries (DSP0236 table 17): major, minor, update, alpha;
// BCD digits with an Fh high nibble, alpha 00h = none.
constexpr std::uint8_t kVersion131[4] = {0xf1, 0xf3, 0xf1, 0x00};  // DSP0236 1.3.1
constexpr std::uint8_t kVersion100[4] = {0xf1, 0xf0, 0xf0, 0x00};  // DSP0241 1.0.0

// Set Endpoint ID operations (request byte 1, bits 1:0).
constexpr std::uint8_t kOpSetEid = 0;
constexpr std::uint8_t kOpForceEid = 1;
constexpr std::uint8_t kOpResetEid = 2;
constexpr std::uint8_t kOpSetDiscoveredFlag = 3;

class MctpControlHandler final : public MctpTypeHandler {
  public:
    explicit MctpControlHandler(ChannelContext& c) : MctpTypeHandler(c), state_(c.state()) {}

    void decode(ByteView msg, MessageFields& f) const override {
        auto header = decode_header(msg);
        if (!header) {
            return;
        }
        f.request = header->rq;
        f.instance = header->instance;
        f.command = header->command;
        if (!header->rq && msg.size() > kHeaderSize) {
            f.completion = msg[3];
        }
    }

    const char* command_name(const MessageFields& f) const override {
        return mctp::control::command_name(static_cast<std::uint8_t>(f.command.value_or(0xff)));
    }

    std::optional<Bytes> error_response(ByteView msg, std::uint8_t code) const override {
        auto header = decode_header(msg);
        if (!header) {
            return std::nullopt;
        }
        return response(*header, code);
    }

    std::optional<Bytes> answer(const DecodedMessage& m) override {
        const ByteView msg = m.body();
        auto header = decode_header(msg);
        if (!header) {
            reject("mctp_control", "channel " + std::to_string(m.channel), header.error());
            return std::nullopt;
        }
        if (!header->rq) {
            counters().bump("mctp.control_responses_from_guest");
            logf(LogLevel::info, "c%03u: control response (Rq=0) from the guest consumed",
                 m.channel);
            return std::nullopt;
        }
        const ByteView data = msg.subspan(kHeaderSize);
        switch (header->command) {
            case kSetEndpointId:
                return set_endpoint_id(*header, data);
            case kGetEndpointId:
                return get_endpoint_id(*header);
            case kGetEndpointUuid:
                return response(*header, kSuccess, state_.uuid);
            case kGetVersionSupport:
                return get_version_support(*header, data);
            case kGetMessageTypeSupport:
                return get_message_type_support(*header);
            case kGetVendorMessageSupport:
                return get_vendor_message_support(*header, data);
            default:
                counters().bump("mctp.control_unsupported_cmd");
                return response(*header, kErrorUnsupportedCmd);
        }
    }

  private:
    Bytes set_endpoint_id(const Header& h, ByteView data) {
        if (data.size() < 2) {
            return response(h, kErrorInvalidLength);
        }
        const std::uint8_t operation = data[0] & 0x3;
        const std::uint8_t eid = data[1];
        switch (operation) {
            case kOpSetEid:
            case kOpForceEid:
                if (eid == mctp::kNullEid || eid == mctp::kBroadcastEid) {
                    return response(h, kErrorInvalidData);
                }
                state_.eid = eid;
                break;
            case kOpResetEid:
                state_.eid = state_.static_eid;
                break;
            case kOpSetDiscoveredFlag:
            default:
                // PCC has no endpoint discovery.
                return response(h, kErrorInvalidData);
        }
        logf(LogLevel::info, "EID is now 0x%02x (Set Endpoint ID)", state_.eid);
        // byte 1: [5:4] assignment accepted (00b), [1:0] no EID pool (00b);
        // byte 2: EID setting; byte 3: EID pool size.
        const std::uint8_t out[3] = {0x00, state_.eid, 0x00};
        return response(h, kSuccess, out);
    }

    Bytes get_endpoint_id(const Header& h) {
        // Endpoint type byte: [5:4] 00b simple endpoint, [1:0] 10b static EID
        // and the present EID matches it, 11b static EID that does not match.
        const std::uint8_t id_type = state_.eid == state_.static_eid ? 0x2 : 0x3;
        const std::uint8_t out[3] = {state_.eid, id_type, 0x00 /* medium-specific */};
        return response(h, kSuccess, out);
    }

    Bytes get_version_support(const Header& h, ByteView data) {
        if (data.empty()) {
            return response(h, kErrorInvalidLength);
        }
        const std::uint8_t type = data[0];
        const std::uint8_t* entry = nullptr;
        if (type == 0xff || type == mctp::kTypeControl) {
            entry = kVersion131;  // base specification / control protocol
        } else if (type == mctp::kTypePldm && mctp_type_registry().count(mctp::kTypePldm) != 0) {
            entry = kVersion100;  // PLDM over MCTP binding (DSP0241)
        } else {
            return response(h, kMessageTypeNotSupported);
        }
        Bytes out{1};
        out.insert(out.end(), entry, entry + 4);
        return response(h, kSuccess, out);
    }

    Bytes get_message_type_support(const Header& h) {
        // Types other than control: the registered personalities plus the
        // types listed in the setting "mctp.extra-types" (e.g. for types a
        // rules file answers), comma separated.
        Bytes types;
        for (const auto& [type, entry] : mctp_type_registry()) {
            if (type != mctp::kTypeControl) {
                types.push_back(type);
            }
        }
        if (auto extra = state_.setting("mctp.extra-types")) {
            for (const std::string_view item : pcc::split_at(*extra, ',')) {
                if (auto value = parse_uint(item, 0x7f)) {
                    types.push_back(static_cast<std::uint8_t>(*value));
                }
            }
        }
        Bytes out{static_cast<std::uint8_t>(types.size())};
        append(out, types);
        return response(h, kSuccess, out);
    }

    Bytes get_vendor_message_support(const Header& h, ByteView data) {
        if (data.empty()) {
            return response(h, kErrorInvalidLength);
        }
        const std::size_t selector = data[0];
        if (selector >= state_.vendor_sets.size()) {
            return response(h, kErrorInvalidData);
        }
        const VendorMessageSet& set = state_.vendor_sets[selector];
        const bool last = selector + 1 == state_.vendor_sets.size();
        // next selector (FFh: no more), vendor id format, vendor id (MSB
        // first), command set type/version (MSB first).
        Bytes out{static_cast<std::uint8_t>(last ? 0xff : selector + 1),
                  static_cast<std::uint8_t>(set.iana ? 0x01 : 0x00)};
        if (set.iana) {
            append_be32(out, set.vendor);
        } else {
            append_be16(out, static_cast<std::uint16_t>(set.vendor));
        }
        append_be16(out, set.command_set);
        return response(h, kSuccess, out);
    }

    PlatformState& state_;
};

const MctpTypeRegistrar<MctpControlHandler> kRegisterControl(mctp::kTypeControl, "control");

}  // namespace

}  // namespace pccd
