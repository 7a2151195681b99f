// SPDX-License-Identifier: GPL-2.0-or-later
#include "kunpeng_hccs_protocol.hpp"

#include <algorithm>
#include <cstdio>

namespace pccd::hccs {

namespace {

constexpr std::uint64_t kMaxPortId = 254;  // the driver's HCCS_DIE_MAX_PORT_ID
constexpr std::uint64_t kMaxLanes = 31;    // lane_num is 5 bits in the link status
constexpr std::uint64_t kMaxChips = 32;
constexpr std::size_t kMaxDiesPerChip = 16;
constexpr std::size_t kMaxPortsPerDie = 32;
constexpr std::uint64_t kDefaultChips = 2;

// Indexed by command - 1.
constexpr std::array<CommandInfo, 13> kCommands{{
    {"GET_CHIP_NUM", 0},
    {"GET_DIE_NUM", 1},                // chip
    {"GET_DIE_INFO", 2},               // chip, die index
    {"GET_DIE_PORT_INFO", 2},          // chip, die id; start_id in the head
    {"GET_DEV_CAP", 0},                //
    {"GET_PORT_LINK_STATUS", 3},       // chip, die id, port id
    {"GET_PORT_CRC_ERR_CNT", 3},       // chip, die id, port id
    {"GET_DIE_PORTS_LANE_STA", 2},     // chip, die id
    {"GET_DIE_PORTS_LINK_STA", 2},     // chip, die id
    {"GET_DIE_PORTS_CRC_ERR_CNT", 2},  // chip, die id
    {"GET_PORT_IDLE_STATUS", 3},       // chip, die id, port id
    {"PM_DEC_LANE", 1},                // port type
    {"PM_INC_LANE", 2},                // port type, option
}};

// The defaults: hardware die and port ids that are not 0..n-1, and one die
// whose ports take two pages of GET_DIE_PORT_INFO in both variants.
std::vector<std::uint64_t> default_die_ids(unsigned chip) {
    return {chip + 1ULL, chip + 3ULL};
}
std::vector<std::uint64_t> default_port_ids(unsigned chip, unsigned die) {
    if (chip == 0 && die == 1) {
        return {2, 5, 6, 9, 10, 13};
    }
    return {die % 100 + 1ULL, die % 100 + 4ULL};
}
std::uint64_t default_crc_err_cnt(unsigned chip, unsigned die, unsigned port) {
    return chip * 1000ULL + die * 100ULL + port;
}

void join(std::string& list, std::string_view separator, const std::string& item) {
    if (!list.empty()) {
        list += separator;
    }
    list += item;
}

}  // namespace

const CommandInfo* find_command(std::uint32_t command) {
    return command >= 1 && command <= kCommands.size() ? &kCommands[command - 1] : nullptr;
}

Bytes Port::link_status() const {
    return {lane_mask, static_cast<std::uint8_t>((link_fsm & 0x7) | (cur_lane_num << 3))};
}

Bytes Port::attributes() const {
    Bytes out{id, type, lane_mode, static_cast<std::uint8_t>(enable ? 1 : 0)};
    out.resize(kPortAttrSize, 0);
    return out;
}

bool Die::all_linked() const {
    return std::all_of(ports.begin(), ports.end(),
                       [](const Port& p) { return !p.enable || p.link_fsm == kLinkUp; });
}

bool Die::linked_full_lane() const {
    return std::all_of(ports.begin(), ports.end(), [](const Port& p) {
        return !p.enable || p.link_fsm != kLinkUp || p.cur_lane_num == p.lane_mode;
    });
}

std::uint64_t Die::crc_err_cnt() const {
    std::uint64_t sum = 0;
    for (const Port& p : ports) {
        sum += p.crc_err_cnt;
    }
    return sum;
}

std::string chip_key(unsigned chip) {
    return "hccs.chip" + std::to_string(chip);
}
std::string die_key(unsigned chip, unsigned die) {
    return chip_key(chip) + ".die" + std::to_string(die);
}
std::string port_key(unsigned chip, unsigned die, unsigned port, std::string_view field) {
    return die_key(chip, die) + ".hccs" + std::to_string(port) + "." + std::string(field);
}
std::string die_path(unsigned chip, unsigned die) {
    return "chip" + std::to_string(chip) + "/die" + std::to_string(die);
}
std::string hex_byte(unsigned value) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%x", value & 0xffU);
    return buf;
}
std::uint8_t full_lane_mask(unsigned lanes) {
    return lanes >= 8 ? 0xff : static_cast<std::uint8_t>((1U << lanes) - 1);
}

std::string describe_answer(ByteView area) {
    if (area.size() < kDataOffset) {
        return " hccs short answer";
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, " hccs ret=%u len=%u next=%u", area[0], area[kDataLenOffset],
                  area[kNextIdOffset]);
    return buf;
}

std::string describe_request(std::uint32_t command, ByteView area) {
    char buf[64];
    const CommandInfo* info = find_command(command);
    if (info == nullptr) {
        std::snprintf(buf, sizeof buf, " hccs command %u (unknown)", command);
        return buf;
    }
    std::string out = std::string(" hccs ") + info->name;
    if (area.size() < kRequestHeadSize + info->parameters) {
        return out + " (short)";
    }
    const ByteView p = area.subspan(kParametersOffset);
    switch (command) {
        case kGetDieNum:
            std::snprintf(buf, sizeof buf, " chip=%u", p[0]);
            break;
        case kGetDieInfo:
            std::snprintf(buf, sizeof buf, " chip=%u die_idx=%u", p[0], p[1]);
            break;
        case kGetDiePortInfo:
            std::snprintf(buf, sizeof buf, " chip=%u die=%u start=%u", p[0], p[1],
                          area[kStartIdOffset]);
            break;
        case kGetPortLinkStatus:
        case kGetPortCrcErrCnt:
        case kGetPortIdleStatus:
            std::snprintf(buf, sizeof buf, " chip=%u die=%u port=%u", p[0], p[1], p[2]);
            break;
        case kGetDiePortsLaneSta:
        case kGetDiePortsLinkSta:
        case kGetDiePortsCrcErrCnt:
            std::snprintf(buf, sizeof buf, " chip=%u die=%u", p[0], p[1]);
            break;
        case kPmDecLane:
            std::snprintf(buf, sizeof buf, " type=%u", p[0]);
            break;
        case kPmIncLane:
            std::snprintf(buf, sizeof buf, " type=%u opt=%u", p[0], p[1]);
            break;
        default:
            buf[0] = '\0';
            break;
    }
    return out + buf;
}

std::uint64_t TopologySettings::port_value(unsigned chip, unsigned die, unsigned port,
                                           std::string_view field, std::uint64_t max,
                                           std::uint64_t fallback) {
    const std::string want = "0 to " + std::to_string(max);
    return reader_.get(port_key(chip, die, port, field), 0, max, want).value_or(fallback);
}

Port TopologySettings::read_port(unsigned chip, unsigned die, std::uint8_t id) {
    Port p;
    p.id = id;
    p.type = static_cast<std::uint8_t>(port_value(chip, die, id, "type", 0xff, kHccsV2));
    p.lane_mode = static_cast<std::uint8_t>(
        port_value(chip, die, id, "lane_mode", kMaxLanes, kDefaultLaneMode));
    p.enable = port_value(chip, die, id, "enable", 1, 1) != 0;
    p.cur_lane_num = static_cast<std::uint8_t>(
        port_value(chip, die, id, "cur_lane_num", kMaxLanes, p.lane_mode));
    p.link_fsm = static_cast<std::uint8_t>(port_value(chip, die, id, "link_fsm", 7, kLinkUp));
    p.lane_mask = static_cast<std::uint8_t>(
        port_value(chip, die, id, "lane_mask", 0xff, full_lane_mask(p.cur_lane_num)));
    p.crc_err_cnt =
        port_value(chip, die, id, "crc_err_cnt", ~0ULL, default_crc_err_cnt(chip, die, id));
    p.idle = static_cast<std::uint8_t>(port_value(chip, die, id, "idle", 0xff, 1));
    return p;
}

Topology TopologySettings::read() {
    const auto chips =
        reader_.get("hccs.chip_num", 1, kMaxChips, "1 to 32").value_or(kDefaultChips);
    Topology topology(chips);
    for (unsigned chip = 0; chip < chips; ++chip) {
        const auto die_ids =
            reader_
                .get_list(chip_key(chip) + ".die_ids", {0, 0xff, kMaxDiesPerChip, true},
                          "up to 16 different die ids 0 to 255, comma separated, or none")
                .value_or(default_die_ids(chip));
        for (const std::uint64_t die : die_ids) {
            Die d;
            d.id = static_cast<std::uint8_t>(die);
            auto port_ids =
                reader_
                    .get_list(die_key(chip, d.id) + ".port_ids",
                              {0, kMaxPortId, kMaxPortsPerDie, true},
                              "up to 32 different port ids 0 to 254, comma separated, or none")
                    .value_or(default_port_ids(chip, d.id));
            std::sort(port_ids.begin(), port_ids.end());
            for (const std::uint64_t port : port_ids) {
                d.ports.push_back(read_port(chip, d.id, static_cast<std::uint8_t>(port)));
            }
            topology[chip].push_back(std::move(d));
        }
    }
    return topology;
}

void TopologySettings::publish_default(const std::string& key, std::string value) {
    state_.settings.try_emplace(key, std::move(value));
}

void TopologySettings::publish_port(unsigned chip, unsigned die, const Port& p) {
    publish_default(port_key(chip, die, p.id, "type"), std::to_string(p.type));
    publish_default(port_key(chip, die, p.id, "lane_mode"), std::to_string(p.lane_mode));
    publish_default(port_key(chip, die, p.id, "enable"), p.enable ? "1" : "0");
    publish_default(port_key(chip, die, p.id, "cur_lane_num"), std::to_string(p.cur_lane_num));
    publish_default(port_key(chip, die, p.id, "link_fsm"), std::to_string(p.link_fsm));
    publish_default(port_key(chip, die, p.id, "lane_mask"), hex_byte(p.lane_mask));
    publish_default(port_key(chip, die, p.id, "crc_err_cnt"), std::to_string(p.crc_err_cnt));
    publish_default(port_key(chip, die, p.id, "idle"), std::to_string(p.idle));
}

void TopologySettings::publish() {
    auto& settings = state_.settings;
    publish_default("hccs.chip_num", std::to_string(kDefaultChips));
    const Topology topology = read();
    std::string dies;
    std::string ports;
    std::vector<unsigned> types;
    for (unsigned chip = 0; chip < topology.size(); ++chip) {
        std::string die_ids;
        bool all_linked = true;
        bool full_lane = true;
        std::uint64_t crc = 0;
        for (const Die& d : topology[chip]) {
            join(die_ids, ",", std::to_string(d.id));
            join(dies, " ", die_path(chip, d.id));
            std::string port_ids;
            for (const Port& p : d.ports) {
                join(port_ids, ",", std::to_string(p.id));
                join(ports, " ", die_path(chip, d.id) + "/hccs" + std::to_string(p.id));
                publish_port(chip, d.id, p);
                if (std::find(types.begin(), types.end(), p.type) == types.end()) {
                    types.push_back(p.type);
                }
            }
            const std::string key = die_key(chip, d.id);
            publish_default(key + ".port_ids", port_ids.empty() ? "none" : port_ids);
            settings[key + ".all_linked"] = d.all_linked() ? "1" : "0";
            settings[key + ".linked_full_lane"] = d.linked_full_lane() ? "1" : "0";
            settings[key + ".crc_err_cnt"] = std::to_string(d.crc_err_cnt());
            all_linked = all_linked && d.all_linked();
            full_lane = full_lane && d.linked_full_lane();
            crc += d.crc_err_cnt();
        }
        publish_default(chip_key(chip) + ".die_ids", die_ids.empty() ? "none" : die_ids);
        settings[chip_key(chip) + ".all_linked"] = all_linked ? "1" : "0";
        settings[chip_key(chip) + ".linked_full_lane"] = full_lane ? "1" : "0";
        settings[chip_key(chip) + ".crc_err_cnt"] = std::to_string(crc);
    }
    std::sort(types.begin(), types.end());
    std::string used_types;
    for (const unsigned type : types) {
        join(used_types, " ", "HCCS-v" + std::to_string(type));
    }
    settings["hccs.dies"] = dies;
    settings["hccs.ports"] = ports;
    settings["hccs.used_types"] = used_types;
}

}  // namespace pccd::hccs
