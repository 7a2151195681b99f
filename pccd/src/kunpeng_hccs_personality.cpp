// SPDX-License-Identifier: GPL-2.0-or-later
// HiSilicon Kunpeng HCCS, the links between chips (QEMU's pcc-kunpeng-hccs,
// Linux's drivers/soc/hisilicon/kunpeng_hccs.c): the firmware that knows the
// chips, dies and ports and answers the driver's commands in place, in the
// 64-byte region of one subspace used as a mailbox. Two variants (the
// description's `property variant`), one protocol (kunpeng_hccs_protocol.hpp):
//
//   b1  HISI04B1: a type 0 subspace, generic layout: the 8-byte header
//       (command = the sub-command), then a 56-byte area
//   b2  HISI04B2: a type 3 subspace, extended layout: the 16-byte header
//       (flags 1, length 64 - which claims more than the region holds, and
//       is accepted - command = the sub-command), then a 48-byte area
//
// Commands 1-13: the chip count, a chip's die count, a die's id, port count
// and port id range (by index), its ports' attributes (8 bytes each, as many
// as fit, from start_id on; next_id names the first one left, max port id + 1
// when none is), the capabilities (bit 0: lane power management), a port's
// link status, CRC errors and idle state, a die's "all linked", "linked
// ports in full lane" and CRC error sum, and the lane power management of
// all ports of one type: PM_DEC_LANE halves their lanes, PM_INC_LANE
// prepares (option 1), reports the adaptation result (option 2, the setting
// hccs.pm.adapt_result, 0 = done) and retrains them to full width (option 3).
// Lane changes are written into the ports' settings as they arrive, logged
// and counted (hccs.pm.*).
//
// A bad request is answered with a non-zero retStatus (the driver: -EIO),
// logged with its reason and counted.
#include <algorithm>
#include <string>

#include "kunpeng_hccs_protocol.hpp"
#include "log.hpp"
#include "personality.hpp"

namespace pccd {

namespace {

using namespace hccs;

// What one command answers.
struct Reply {
    RetStatus status = RetStatus::ok;
    Bytes data;
    std::uint8_t next_id = 0;
};

Reply failure(RetStatus status) {
    return Reply{status, {}, 0};
}

class KunpengHccs final : public Personality {
  public:
    explicit KunpengHccs(ChannelContext& c) : Personality(c), settings_(c.state()) { publish(); }

    Result<bool> decode(DecodedMessage& m) override {
        m.fields.command = command_of(m);
        if (m.kind != MessageKind::request) {
            if (const ByteView area = area_of(m); !area.empty()) {
                m.fields.completion = area[0];
            }
        }
        return true;
    }

    std::string describe(const DecodedMessage& m) const override {
        return m.kind == MessageKind::request ? describe_request(command_of(m), area_of(m))
                                              : describe_answer(area_of(m));
    }

    std::optional<Bytes> answer(const DecodedMessage& m) override {
        Reply reply = handle(m);
        if (reply.status != RetStatus::ok) {
            counters().bump("hccs.errors");
        }
        counters().bump("hccs.requests");
        publish();  // what the request changed, for `pccd get`
        return encode(m, reply);
    }

    // A rule's `error CODE`: the firmware's retStatus.
    std::optional<Bytes> error_answer(const DecodedMessage& m, std::uint8_t code) override {
        return encode(m, failure(static_cast<RetStatus>(code)));
    }

    void setting_changed(std::string_view key, std::string_view) override {
        if (key.rfind("hccs.", 0) == 0) {
            publish();
        }
    }

  private:
    PlatformState& state() const { return context().state(); }
    std::string where() const { return context().where(); }

    static std::uint32_t command_of(const DecodedMessage& m) {
        return m.generic ? m.generic->command & kGenericCommandMask : m.ext->command;
    }
    // The area after the PCC header: b1's communication space, b2's payload.
    static ByteView area_of(const DecodedMessage& m) {
        return m.generic ? m.generic->space : m.ext->payload;
    }
    static std::size_t header_size(const DecodedMessage& m) {
        return m.generic ? kGenericHeaderSize : kExtHeaderSize;
    }
    // Data bytes an answer holds: 44 (b1), 36 (b2).
    static std::size_t data_capacity(const DecodedMessage& m) {
        return kRegionSize - header_size(m) - kDataOffset;
    }

    // The answer in place: the request's header (b2: signature, flags, the
    // length as the driver wrote it, command), then the response area.
    Bytes encode(const DecodedMessage& m, const Reply& reply) const {
        Bytes area(kRegionSize - header_size(m), 0);
        area[0] = static_cast<std::uint8_t>(reply.status);
        area[kDataLenOffset] = static_cast<std::uint8_t>(reply.data.size());
        area[kNextIdOffset] = reply.next_id;
        std::copy(reply.data.begin(), reply.data.end(), area.begin() + kDataOffset);
        if (m.generic) {
            return context().generic_answer(m, kStatusCommandComplete, area);
        }
        Bytes out(m.raw.begin(), m.raw.begin() + kExtHeaderSize);
        append(out, area);
        return out;
    }

    Reply refuse(RetStatus status, const char* counter, const std::string& reason) const {
        counters().bump(counter);
        logf(LogLevel::warn, "%s: HCCS request refused (retStatus %u): %s", where().c_str(),
             static_cast<unsigned>(status), reason.c_str());
        return failure(status);
    }

    Reply handle(const DecodedMessage& m) {
        const ByteView area = area_of(m);
        const std::uint32_t command = command_of(m);
        if (area.size() < kRequestHeadSize) {
            return refuse(RetStatus::truncated, "hccs.truncated",
                          "an area of " + std::to_string(area.size()) +
                              " bytes has no room for the 4-byte request head");
        }
        if (area[0] != kModuleCodeSerdes) {
            return refuse(RetStatus::bad_module_code, "hccs.bad_module_code",
                          "module code " + hex_byte(area[0]) + " (serdes is 0x32)");
        }
        const CommandInfo* info = find_command(command);
        if (info == nullptr) {
            return refuse(RetStatus::unknown_command, "hccs.unknown_command",
                          "command " + std::to_string(command) + " unknown (1 to 13)");
        }
        if (area.size() < kRequestHeadSize + info->parameters) {
            return refuse(RetStatus::truncated, "hccs.truncated",
                          std::string(info->name) + " needs " +
                              std::to_string(kRequestHeadSize + info->parameters) +
                              " bytes of request, the area has " + std::to_string(area.size()));
        }
        const ByteView p = area.subspan(kParametersOffset);
        const Topology topology = settings_.read();
        switch (command) {
            case kGetChipNum:
                return Reply{RetStatus::ok, {static_cast<std::uint8_t>(topology.size())}, 0};
            case kGetDieNum: {
                if (p[0] >= topology.size()) {
                    return bad_chip(topology, p[0]);
                }
                return Reply{RetStatus::ok, {static_cast<std::uint8_t>(topology[p[0]].size())}, 0};
            }
            case kGetDieInfo:
                return die_info(topology, p[0], p[1]);
            case kGetDiePortInfo:
                return port_info(topology, p[0], p[1], area[kStartIdOffset], data_capacity(m));
            case kGetDevCap: {
                Bytes data;
                append_le64(data, caps());
                return Reply{RetStatus::ok, data, 0};
            }
            case kGetPortLinkStatus:
            case kGetPortCrcErrCnt:
            case kGetPortIdleStatus:
                return port_status(topology, command, p[0], p[1], p[2]);
            case kGetDiePortsLaneSta:
            case kGetDiePortsLinkSta:
            case kGetDiePortsCrcErrCnt:
                return die_status(topology, command, p[0], p[1]);
            case kPmDecLane:
                return decrease_lanes(topology, p[0]);
            case kPmIncLane:
                return increase_lanes(topology, p[0], p[1]);
            default:
                return failure(RetStatus::unknown_command);  // not reached: find_command
        }
    }

    Reply bad_chip(const Topology& topology, unsigned chip) const {
        return refuse(RetStatus::bad_id, "hccs.bad_id",
                      "chip " + std::to_string(chip) + " (there are " +
                          std::to_string(topology.size()) + ")");
    }

    // The die with hardware id `die` on `chip`, or nullptr (logged, counted).
    const Die* find_die(const Topology& topology, unsigned chip, unsigned die, Reply& error) const {
        if (chip >= topology.size()) {
            error = bad_chip(topology, chip);
            return nullptr;
        }
        for (const Die& d : topology[chip]) {
            if (d.id == die) {
                return &d;
            }
        }
        error = refuse(RetStatus::bad_id, "hccs.bad_id",
                       "chip " + std::to_string(chip) + " has no die " + std::to_string(die));
        return nullptr;
    }

    Reply die_info(const Topology& topology, unsigned chip, unsigned index) const {
        if (chip >= topology.size()) {
            return bad_chip(topology, chip);
        }
        if (index >= topology[chip].size()) {
            return refuse(RetStatus::bad_id, "hccs.bad_id",
                          "die index " + std::to_string(index) + " on chip " +
                              std::to_string(chip) + " (it has " +
                              std::to_string(topology[chip].size()) + " dies)");
        }
        const Die& d = topology[chip][index];
        return Reply{
            RetStatus::ok,
            {d.id, static_cast<std::uint8_t>(d.ports.size()), d.min_port_id(), d.max_port_id()},
            0};
    }

    Reply port_info(const Topology& topology, unsigned chip, unsigned die, unsigned start_id,
                    std::size_t capacity) const {
        Reply error;
        const Die* d = find_die(topology, chip, die, error);
        if (d == nullptr) {
            return error;
        }
        if (d->ports.empty() || start_id > d->max_port_id()) {
            return refuse(
                RetStatus::bad_start_id, "hccs.bad_start_id",
                "GET_DIE_PORT_INFO from port " + std::to_string(start_id) + " on " +
                    die_path(chip, die) + ", whose last port is " +
                    (d->ports.empty() ? std::string("none") : std::to_string(d->max_port_id())));
        }
        Reply reply;
        reply.next_id = static_cast<std::uint8_t>(d->max_port_id() + 1);
        for (const Port& port : d->ports) {
            if (port.id < start_id) {
                continue;
            }
            if (reply.data.size() + kPortAttrSize > capacity) {
                reply.next_id = port.id;
                break;
            }
            append(reply.data, port.attributes());
        }
        counters().bump("hccs.port_info_pages");
        return reply;
    }

    Reply port_status(const Topology& topology, std::uint32_t command, unsigned chip, unsigned die,
                      unsigned port) const {
        Reply error;
        const Die* d = find_die(topology, chip, die, error);
        if (d == nullptr) {
            return error;
        }
        const auto it = std::find_if(d->ports.begin(), d->ports.end(),
                                     [port](const Port& p) { return p.id == port; });
        if (it == d->ports.end()) {
            return refuse(RetStatus::bad_id, "hccs.bad_id",
                          die_path(chip, die) + " has no port " + std::to_string(port));
        }
        Reply reply;
        if (command == kGetPortLinkStatus) {
            reply.data = it->link_status();
        } else if (command == kGetPortCrcErrCnt) {
            append_le64(reply.data, it->crc_err_cnt);
        } else {
            reply.data = {it->idle};
        }
        return reply;
    }

    Reply die_status(const Topology& topology, std::uint32_t command, unsigned chip,
                     unsigned die) const {
        Reply error;
        const Die* d = find_die(topology, chip, die, error);
        if (d == nullptr) {
            return error;
        }
        Reply reply;
        if (command == kGetDiePortsLaneSta) {
            reply.data = {static_cast<std::uint8_t>(d->linked_full_lane() ? 1 : 0)};
        } else if (command == kGetDiePortsLinkSta) {
            reply.data = {static_cast<std::uint8_t>(d->all_linked() ? 1 : 0)};
        } else {
            append_le64(reply.data, d->crc_err_cnt());
        }
        return reply;
    }

    // Lane management applies to HCCS-v2 ports, with the capability.
    std::optional<Reply> check_lane_management(const Topology& topology, const char* command,
                                               unsigned type) {
        if ((caps() & kCapLanePowerManagement) == 0) {
            return refuse(RetStatus::unsupported, "hccs.unsupported",
                          std::string(command) +
                              " without the lane power management capability (hccs.caps bit 0)");
        }
        if (type != kHccsV2) {
            return refuse(RetStatus::unsupported, "hccs.unsupported",
                          std::string(command) + " for HCCS-v" + std::to_string(type) +
                              "; only HCCS-v2 ports manage their lanes");
        }
        for (const auto& dies : topology) {
            for (const Die& d : dies) {
                for (const Port& port : d.ports) {
                    if (port.type == type) {
                        return std::nullopt;
                    }
                }
            }
        }
        return refuse(RetStatus::unsupported, "hccs.unsupported",
                      std::string(command) + ": no port is of type HCCS-v" + std::to_string(type));
    }

    // Sets the lanes of every port of `type`, as settings, and logs each change.
    void set_lanes(const Topology& topology, unsigned type, const char* why, bool full) {
        for (unsigned chip = 0; chip < topology.size(); ++chip) {
            for (const Die& d : topology[chip]) {
                for (const Port& port : d.ports) {
                    if (port.type != type) {
                        continue;
                    }
                    const unsigned lanes =
                        full ? port.lane_mode : std::max(1U, port.lane_mode / 2U);
                    state().settings[port_key(chip, d.id, port.id, "cur_lane_num")] =
                        std::to_string(lanes);
                    state().settings[port_key(chip, d.id, port.id, "lane_mask")] =
                        hex_byte(full_lane_mask(lanes));
                    logf(LogLevel::info, "%s: %s: %s/hccs%u lanes %u -> %u", where().c_str(), why,
                         die_path(chip, d.id).c_str(), port.id, port.cur_lane_num, lanes);
                }
            }
        }
    }

    Reply decrease_lanes(const Topology& topology, unsigned type) {
        if (auto refused = check_lane_management(topology, "PM_DEC_LANE", type)) {
            return *refused;
        }
        for (unsigned chip = 0; chip < topology.size(); ++chip) {
            for (const Die& d : topology[chip]) {
                for (const Port& port : d.ports) {
                    if (port.type == type && port.idle == 0) {
                        return refuse(RetStatus::busy, "hccs.busy",
                                      "PM_DEC_LANE while " + die_path(chip, d.id) + "/hccs" +
                                          std::to_string(port.id) + " is busy (idle 0)");
                    }
                }
            }
        }
        counters().bump("hccs.pm.dec_lane");
        set_lanes(topology, type, "PM_DEC_LANE", false);
        return Reply{};
    }

    Reply increase_lanes(const Topology& topology, unsigned type, unsigned option) {
        if (auto refused = check_lane_management(topology, "PM_INC_LANE", type)) {
            return *refused;
        }
        switch (option) {
            case kIncPrepare:
                counters().bump("hccs.pm.inc_prepare");
                logf(LogLevel::info, "%s: PM_INC_LANE HCCS-v%u: prepared", where().c_str(), type);
                return Reply{};
            case kIncGetAdaptResult: {
                counters().bump("hccs.pm.inc_adapt_query");
                const auto result = settings_.reader()
                                        .get("hccs.pm.adapt_result", 0, 0xff, "0 (done) to 255")
                                        .value_or(0);
                logf(LogLevel::info, "%s: PM_INC_LANE HCCS-v%u: adaptation result %u",
                     where().c_str(), type, static_cast<unsigned>(result));
                return Reply{RetStatus::ok, {static_cast<std::uint8_t>(result)}, 0};
            }
            case kIncStartRetraining:
                counters().bump("hccs.pm.inc_retrain");
                set_lanes(topology, type, "PM_INC_LANE retraining", true);
                return Reply{};
            default:
                return refuse(RetStatus::unsupported, "hccs.unsupported",
                              "PM_INC_LANE option " + std::to_string(option) +
                                  " (1 prepare, 2 adaptation result, 3 retraining)");
        }
    }

    // b2's firmware has the capability by default, b1's not.
    std::string default_caps() const {
        const auto variant = context().property("variant");
        const bool b2 =
            variant ? *variant == "b2" : context().device().layout() == Layout::extended;
        return b2 ? "1" : "0";
    }

    std::uint64_t caps() {
        return settings_.reader()
            .get("hccs.caps", 0, ~0ULL, "a 64-bit number")
            .value_or(default_caps() == "1" ? kCapLanePowerManagement : 0);
    }

    // What the driver is answered from, for `pccd get`: the capability
    // (following the variant while nobody set it), then the topology.
    void publish() {
        auto& settings = state().settings;
        const std::string caps_default = default_caps();
        if (const auto it = settings.find("hccs.caps");
            it == settings.end() || it->second == published_caps_) {
            settings["hccs.caps"] = caps_default;  // ours: follows the variant
            published_caps_ = caps_default;
        }
        settings.try_emplace("hccs.pm.adapt_result", "0");
        settings_.publish();
    }

    TopologySettings settings_;
    std::string published_caps_;
};

const PersonalityRegistrar<KunpengHccs> kRegister(
    PersonalityInfo("kunpeng-hccs",
                    "HiSilicon Kunpeng HCCS firmware: chips, dies, ports, lane power management")
        .serves("pcc-kunpeng-hccs")
        .subspace(0, 0, SubspaceRole::mailbox)
        .layout_from_description()
        .accepts_overlong_length());

}  // namespace

}  // namespace pccd
