// SPDX-License-Identifier: GPL-2.0-or-later
// PLDM base (DSP0240, PLDM type 0) over MCTP message type 1: SetTID, GetTID,
// GetPLDMVersion, GetPLDMTypes, GetPLDMCommands.
#include <cstdio>

#include "log.hpp"
#include "mctp_personality.hpp"
#include "pldm.hpp"

namespace pccd {

namespace {

using namespace pldm;

class PldmBaseHandler final : public MctpTypeHandler {
  public:
    explicit PldmBaseHandler(ChannelContext& c) : MctpTypeHandler(c), state_(c.state()) {}

    void decode(ByteView msg, MessageFields& f) const override {
        auto header = decode_header(msg);
        if (!header) {
            return;
        }
        f.request = header->rq;
        f.instance = header->instance;
        f.subtype = header->type;
        f.command = header->command;
        if (!header->rq && msg.size() > 1 + kHeaderSize) {
            f.completion = msg[4];
        }
    }

    const char* command_name(const MessageFields& f) const override {
        return pldm::command_name(f.subtype.value_or(0xff),
                                  static_cast<std::uint8_t>(f.command.value_or(0xff)));
    }

    std::string describe(const MessageFields& f) const override {
        char buf[32] = "";
        if (f.subtype) {
            std::snprintf(buf, sizeof buf, " pldm-type=%u", *f.subtype);
        }
        return buf + MctpTypeHandler::describe(f);
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
            reject("pldm", "channel " + std::to_string(m.channel), header.error());
            return std::nullopt;
        }
        if (!header->rq) {
            counters().bump("pldm.responses_from_guest");
            logf(LogLevel::info, "c%03u: PLDM response (Rq=0) from the guest consumed", m.channel);
            return std::nullopt;
        }
        if (header->header_version != 0) {
            return response(*header, kErrorInvalidData);
        }
        if (header->type != kTypeBase) {
            counters().bump("pldm.unsupported_type");
            return response(*header, kErrorInvalidPldmType);
        }
        const ByteView data = msg.subspan(1 + kHeaderSize);
        switch (header->command) {
            case kSetTid:
                return set_tid(*header, data);
            case kGetTid: {
                const std::uint8_t out[1] = {state_.tid};
                return response(*header, kSuccess, out);
            }
            case kGetPldmVersion:
                return get_version(*header, data);
            case kGetPldmTypes: {
                Bytes out(8, 0);  // bitfield8[8]: bit n of the 64 = PLDM type n
                out[0] = 0x01;    // type 0 only
                return response(*header, kSuccess, out);
            }
            case kGetPldmCommands:
                return get_commands(*header, data);
            default:
                counters().bump("pldm.unsupported_cmd");
                return response(*header, kErrorUnsupportedPldmCmd);
        }
    }

  private:
    Bytes set_tid(const Header& h, ByteView data) {
        if (data.size() < 1) {
            return response(h, kErrorInvalidLength);
        }
        if (data[0] == 0x00 || data[0] == 0xff) {
            return response(h, kErrorInvalidData);
        }
        state_.tid = data[0];
        logf(LogLevel::info, "PLDM TID is now %u (SetTID)", state_.tid);
        return response(h, kSuccess);
    }

    Bytes get_version(const Header& h, ByteView data) {
        // DataTransferHandle (u32), TransferOperationFlag (u8), PLDMType (u8)
        if (data.size() < 6) {
            return response(h, kErrorInvalidLength);
        }
        const std::uint32_t handle = load_le32(data, 0);
        const std::uint8_t operation = data[4];
        const std::uint8_t type = data[5];
        if (operation != kGetFirstPart && operation != kGetNextPart) {
            return response(h, kInvalidTransferOperationFlag);
        }
        if (operation == kGetNextPart || handle != 0) {
            // The whole version data fits one part; there is no next part.
            return response(h, kInvalidDataTransferHandle);
        }
        if (type != kTypeBase) {
            return response(h, kInvalidPldmTypeInRequestData);
        }
        Bytes version;
        append_le32(version, kBaseVersion);
        Bytes out;
        append_le32(out, 0);  // NextDataTransferHandle
        out.push_back(kTransferStartAndEnd);
        append(out, version);
        append_le32(out, crc32(version));
        return response(h, kSuccess, out);
    }

    Bytes get_commands(const Header& h, ByteView data) {
        // PLDMType (u8), Version (ver32)
        if (data.size() < 5) {
            return response(h, kErrorInvalidLength);
        }
        if (data[0] != kTypeBase) {
            return response(h, kInvalidPldmTypeInRequestData);
        }
        if (load_le32(data, 1) != kBaseVersion) {
            return response(h, kInvalidPldmVersionInRequestData);
        }
        Bytes out(32, 0);  // bitfield8[32]: bit n of the 256 = command n
        for (std::uint8_t command :
             {kSetTid, kGetTid, kGetPldmVersion, kGetPldmTypes, kGetPldmCommands}) {
            out[command / 8] = static_cast<std::uint8_t>(out[command / 8] | (1U << (command % 8)));
        }
        return response(h, kSuccess, out);
    }

    PlatformState& state_;
};

const MctpTypeRegistrar<PldmBaseHandler> kRegisterPldm(mctp::kTypePldm, "PLDM base");

}  // namespace

}  // namespace pccd
