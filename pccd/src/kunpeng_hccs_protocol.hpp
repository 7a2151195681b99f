// SPDX-License-Identifier: GPL-2.0-or-later
// HiSilicon Kunpeng HCCS (Linux's drivers/soc/hisilicon/kunpeng_hccs.{c,h}):
// the firmware protocol's byte layout and commands, the chip/die/port model
// the firmware answers from, and how that model maps to pccd's settings
// (read at each request, published for `pccd get`). The personality that
// answers the commands is kunpeng_hccs_personality.cpp.
//
// The area after the PCC header (b1: the generic 8-byte header, 56 bytes;
// b2: the extended 16-byte header, 48 bytes) holds the request: module_code
// 0x32 (serdes), start_id, 2 reserved bytes, then the command's parameters.
// The answer replaces it: retStatus (0 ok), 7 reserved bytes, then data_len,
// next_id, 2 reserved bytes, then the data (44 bytes for b1, 36 for b2).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bytes.hpp"
#include "personality.hpp"
#include "setting_reader.hpp"

namespace pccd::hccs {

// The driver's region (HCCS_PCC_SHARE_MEM_BYTES), header included.
constexpr std::size_t kRegionSize = 64;
// The request head: module_code, start_id, 2 reserved bytes.
constexpr std::size_t kRequestHeadSize = 4;
constexpr std::size_t kParametersOffset = 4;
constexpr std::size_t kStartIdOffset = 1;
constexpr std::uint8_t kModuleCodeSerdes = 0x32;
// The answer: retStatus, 7 reserved; data_len, next_id, 2 reserved; data.
constexpr std::size_t kDataLenOffset = 8;
constexpr std::size_t kNextIdOffset = 9;
constexpr std::size_t kDataOffset = 12;
// struct hccs_port_attr: port_id, port_type, max_lane_num, enable (bit 0), u16 rsv[2]
constexpr std::size_t kPortAttrSize = 8;
// The generic command's bit 15 asks for a doorbell interrupt; not part of it.
constexpr std::uint32_t kGenericCommandMask = 0x7fff;

constexpr std::uint64_t kCapLanePowerManagement = 1;  // HCCS_CAPS_HCCS_V2_PM
constexpr std::uint8_t kHccsV2 = 2;                   // the only type with lane power management
constexpr std::uint8_t kLinkUp = 4;  // link_fsm: 1 reset, 2 setup, 3 config, 4 link-up

enum Command : std::uint32_t {
    kGetChipNum = 1,
    kGetDieNum,
    kGetDieInfo,
    kGetDiePortInfo,
    kGetDevCap,
    kGetPortLinkStatus,
    kGetPortCrcErrCnt,
    kGetDiePortsLaneSta,
    kGetDiePortsLinkSta,
    kGetDiePortsCrcErrCnt,
    kGetPortIdleStatus,
    kPmDecLane,
    kPmIncLane,
};

struct CommandInfo {
    const char* name;
    std::size_t parameters;  // bytes after the request head
};
// nullptr for a command that is not one of 1 to 13.
const CommandInfo* find_command(std::uint32_t command);

// PM_INC_LANE's options.
constexpr std::uint8_t kIncPrepare = 1;
constexpr std::uint8_t kIncGetAdaptResult = 2;
constexpr std::uint8_t kIncStartRetraining = 3;

// retStatus of an answer; the driver logs a non-zero one and fails with EIO.
enum class RetStatus : std::uint8_t {
    ok = 0,
    unknown_command = 1,
    bad_module_code = 2,
    truncated = 3,
    bad_id = 4,        // chip, die index, die id or port id
    bad_start_id = 5,  // GET_DIE_PORT_INFO past the die's last port
    unsupported = 6,   // lane management without the capability, another type, an option
    busy = 7,          // PM_DEC_LANE while a port is not idle
};

constexpr std::uint8_t kDefaultLaneMode = 8;

struct Port {
    std::uint8_t id = 0;
    std::uint8_t type = kHccsV2;
    std::uint8_t lane_mode = kDefaultLaneMode;  // max lanes
    bool enable = true;
    std::uint8_t cur_lane_num = kDefaultLaneMode;
    std::uint8_t link_fsm = kLinkUp;
    std::uint8_t lane_mask = 0xff;
    std::uint64_t crc_err_cnt = 0;
    std::uint8_t idle = 1;

    // struct hccs_link_status: lane_mask; link_fsm in bits 2:0, lane_num in 7:3.
    Bytes link_status() const;
    // struct hccs_port_attr
    Bytes attributes() const;
};

struct Die {
    std::uint8_t id = 0;
    std::vector<Port> ports;  // ascending ids

    std::uint8_t min_port_id() const { return ports.empty() ? 0 : ports.front().id; }
    std::uint8_t max_port_id() const { return ports.empty() ? 0 : ports.back().id; }
    // The firmware's view (commands 9, 8, 10): every enabled port is linked;
    // every linked port has all its lanes; the sum of the ports' CRC errors.
    bool all_linked() const;
    bool linked_full_lane() const;
    std::uint64_t crc_err_cnt() const;
};

// Chip ids are the indices (the driver numbers them so).
using Topology = std::vector<std::vector<Die>>;

// Setting keys: hccs.chipC, hccs.chipC.dieD, hccs.chipC.dieD.hccsP.FIELD;
// the driver's sysfs path chipC/dieD.
std::string chip_key(unsigned chip);
std::string die_key(unsigned chip, unsigned die);
std::string port_key(unsigned chip, unsigned die, unsigned port, std::string_view field);
std::string die_path(unsigned chip, unsigned die);
// The lanes' mask as the settings write it: "0xff".
std::string hex_byte(unsigned value);
// The lowest `lanes` bits (all 8 from 8 lanes on).
std::uint8_t full_lane_mask(unsigned lanes);

// The protocol part of the log line: the command and its parameters of a
// request, retStatus, data_len and next_id of an answer.
std::string describe_request(std::uint32_t command, ByteView area);
std::string describe_answer(ByteView area);

// The model in the settings (docs/pccd.md, "Kunpeng HCCS"): hccs.chip_num,
// hccs.chipC.die_ids, hccs.chipC.dieD.port_ids and one setting per port
// field, each with a default; what the driver's sysfs tree derives from it
// (hccs.ports, hccs.chipC.dieD.all_linked, ...) is published next to it.
class TopologySettings {
  public:
    explicit TopologySettings(PlatformState& state) : state_(state), reader_(state, kCounter) {}

    Topology read();
    // Publishes the defaults of what is not set (so that `pccd get` shows
    // every value the guest is answered from) and the derived values.
    void publish();
    SettingReader& reader() { return reader_; }

    static constexpr const char* kCounter = "hccs.bad_settings";

  private:
    Port read_port(unsigned chip, unsigned die, std::uint8_t id);
    std::uint64_t port_value(unsigned chip, unsigned die, unsigned port, std::string_view field,
                             std::uint64_t max, std::uint64_t fallback);
    void publish_default(const std::string& key, std::string value);
    void publish_port(unsigned chip, unsigned die, const Port& p);

    PlatformState& state_;
    SettingReader reader_;
};

}  // namespace pccd::hccs
