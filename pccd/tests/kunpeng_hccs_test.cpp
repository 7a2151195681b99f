// SPDX-License-Identifier: GPL-2.0-or-later
// The Kunpeng HCCS personality through the engine, as QEMU's
// pcc-kunpeng-hccs describes its device (64 bytes of shared memory, property
// variant b1|b2) and as Linux's kunpeng_hccs lays out its messages
// (drivers/soc/hisilicon/kunpeng_hccs.h): struct hccs_req_head {u8
// module_code = 0x32, u8 start_id, u8 rsv[2]} and the parameters; struct
// hccs_fw_inner_head {u8 retStatus, u8 rsv[7]}, struct hccs_rsp_head {u8
// data_len, u8 next_id, u8 rsv[2]} and the data. The bytes are written out
// here by hand.
#include <gtest/gtest.h>

#include <string>

#include "engine.hpp"
#include "log.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

using test::hex;

constexpr const char* kB1Device =
    "pcc-device 1\nclass pcc-kunpeng-hccs\nchannel 5\n"
    "subspace 5 type 0 role mailbox shmem 64\nproperty variant b1\n";
constexpr const char* kB2Device =
    "pcc-device 1\nclass pcc-kunpeng-hccs\nchannel 6\n"
    "subspace 6 type 3 role mailbox shmem 64\nproperty variant b2\n";

// `text` as bytes, zero-padded to `size`.
Bytes padded(const std::string& text, std::size_t size) {
    Bytes b = hex(text);
    EXPECT_LE(b.size(), size);
    b.resize(size, 0);
    return b;
}

// HISI04B1: the generic header {signature 0x50434305, u16 command, u16
// status 0}, then 56 bytes of request: module code 0x32 and `rest`.
Bytes b1_request(std::uint8_t command, const std::string& rest) {
    Bytes m = hex("05 43 43 50  00 00  00 00");
    m[4] = command;
    append(m, padded("32 " + rest, 56));
    return m;
}
// The answer: the header with status 1 (command complete), then 56 bytes:
// retStatus, rsv[7], then `rest` (data_len, next_id, rsv[2], data).
Bytes b1_answer(std::uint8_t command, const std::string& ret_and_rest) {
    Bytes m = hex("05 43 43 50  00 00  01 00");
    m[4] = command;
    append(m, padded(ret_and_rest, 56));
    return m;
}

// HISI04B2: {signature 0x50434306, flags 1, length 64, u32 command}, then 48
// bytes of request.
Bytes b2_request(std::uint8_t command, const std::string& rest) {
    Bytes m = hex("06 43 43 50  01 00 00 00  40 00 00 00  00 00 00 00");
    m[12] = command;
    append(m, padded("32 " + rest, 48));
    return m;
}
// The answer: the request's header as it was (length 64 too), 48 bytes.
Bytes b2_answer(std::uint8_t command, const std::string& ret_and_rest) {
    Bytes m = hex("06 43 43 50  01 00 00 00  40 00 00 00  00 00 00 00");
    m[12] = command;
    append(m, padded(ret_and_rest, 48));
    return m;
}

// The answer area's fields (offsets in the whole message).
std::uint8_t ret_status(const Bytes& answer, std::size_t header) {
    return answer.at(header);
}
std::uint8_t data_len(const Bytes& answer, std::size_t header) {
    return answer.at(header + 8);
}
std::uint8_t next_id(const Bytes& answer, std::size_t header) {
    return answer.at(header + 9);
}

class HccsTest : public ::testing::Test {
  protected:
    HccsTest() {
        set_log_level(LogLevel::error);
        counters().clear();
        // two devices, two origins (an origin describes one channel)
        EXPECT_TRUE(engine_.bindings().load_description(kB1Device, "spool:/b1/device"));
        EXPECT_TRUE(engine_.bindings().load_description(kB2Device, "spool:/b2/device"));
    }
    Bytes b1(std::uint8_t command, const std::string& rest) {
        auto a =
            engine_.handle_request(5, Layout::generic, b1_request(command, rest), "test").answer;
        EXPECT_TRUE(a) << "b1 command " << int(command);
        return a.value_or(Bytes(64));
    }
    Bytes b2(std::uint8_t command, const std::string& rest) {
        auto a =
            engine_.handle_request(6, Layout::extended, b2_request(command, rest), "test").answer;
        EXPECT_TRUE(a) << "b2 command " << int(command);
        return a.value_or(Bytes(64));
    }
    std::string get(const std::string& key) {
        return engine_.state().setting(key).value_or("(unset)");
    }
    Engine engine_;
};

// The probe in the driver's order (GET_DEV_CAP, GET_CHIP_NUM, GET_DIE_NUM per
// chip, GET_DIE_INFO per die), byte for byte, b1.
TEST_F(HccsTest, ProbeAnswersB1) {
    // caps: b1's firmware has no lane power management by default
    EXPECT_EQ(b1(5, "00 00 00"),
              b1_answer(5, "00 00000000000000  08 00 0000  00 00 00 00 00 00 00 00"));
    EXPECT_EQ(b1(1, "00 00 00"), b1_answer(1, "00 00000000000000  01 00 0000  02"));
    EXPECT_EQ(b1(2, "00 00 00  00"), b1_answer(2, "00 00000000000000  01 00 0000  02"));
    EXPECT_EQ(b1(2, "00 00 00  01"), b1_answer(2, "00 00000000000000  01 00 0000  02"));
    // die index -> die id, port count, min and max port id
    EXPECT_EQ(b1(3, "00 00 00  00 00"), b1_answer(3, "00 00000000000000  04 00 0000  01 06 02 0d"));
    EXPECT_EQ(b1(3, "00 00 00  00 01"), b1_answer(3, "00 00000000000000  04 00 0000  03 02 04 07"));
    EXPECT_EQ(b1(3, "00 00 00  01 00"), b1_answer(3, "00 00000000000000  04 00 0000  02 02 03 06"));
    EXPECT_EQ(b1(3, "00 00 00  01 01"), b1_answer(3, "00 00000000000000  04 00 0000  04 02 05 08"));
    EXPECT_EQ(counters().get("hccs.requests"), 8u);
    EXPECT_EQ(counters().get("hccs.errors"), 0u);
}

// GET_DIE_PORT_INFO pages: struct hccs_port_attr {u8 port_id, port_type,
// max_lane_num, enable:1; u16 rsv[2]} = 8 bytes; b1 holds 44 data bytes (5
// attributes), b2 36 (4). next_id names the first port left, max + 1 at the
// end.
TEST_F(HccsTest, PortInfoPages) {
    const std::string p2 = "02 02 08 01 00 00 00 00 ";
    const std::string p5 = "05 02 08 01 00 00 00 00 ";
    const std::string p6 = "06 02 08 01 00 00 00 00 ";
    const std::string p9 = "09 02 08 01 00 00 00 00 ";
    const std::string p10 = "0a 02 08 01 00 00 00 00 ";
    const std::string p13 = "0d 02 08 01 00 00 00 00 ";
    // start_id is byte 1 of the request head; chip 0, die id 1
    EXPECT_EQ(b1(4, "02 00 00  00 01"),
              b1_answer(4, "00 00000000000000  28 0d 0000 " + p2 + p5 + p6 + p9 + p10));
    EXPECT_EQ(b1(4, "0d 00 00  00 01"), b1_answer(4, "00 00000000000000  08 0e 0000 " + p13));
    EXPECT_EQ(b2(4, "02 00 00  00 01"),
              b2_answer(4, "00 00000000000000  20 0a 0000 " + p2 + p5 + p6 + p9));
    EXPECT_EQ(b2(4, "0a 00 00  00 01"), b2_answer(4, "00 00000000000000  10 0e 0000 " + p10 + p13));
    // A start between two ports begins with the next one.
    EXPECT_EQ(b2(4, "07 00 00  00 01"),
              b2_answer(4, "00 00000000000000  18 0e 0000 " + p9 + p10 + p13));
    // chip 1, die 4: ports 5 and 8 in one page
    EXPECT_EQ(b2(4, "05 00 00  01 04"),
              b2_answer(4,
                        "00 00000000000000  10 09 0000  05 02 08 01 00 00 00 00  "
                        "08 02 08 01 00 00 00 00"));
    EXPECT_EQ(counters().get("hccs.port_info_pages"), 6u);
}

// The driver's loop (hccs_get_all_port_attr): from min_port_id while start
// <= max_port_id, next_id > start, port_num * 8 bytes in all; over every die
// of the default topology, in both variants.
TEST_F(HccsTest, DriverPagingLoopGetsEveryPort) {
    for (const bool b2_variant : {false, true}) {
        const std::size_t header = b2_variant ? 16 : 8;
        auto ask = [&](std::uint8_t command, const std::string& rest) {
            return b2_variant ? b2(command, rest) : b1(command, rest);
        };
        std::vector<std::string> seen;
        for (unsigned chip = 0; chip < 2; ++chip) {
            for (unsigned index = 0; index < 2; ++index) {
                char req[32];
                std::snprintf(req, sizeof req, "00 00 00  %02x %02x", chip, index);
                const Bytes info = ask(3, req);
                const unsigned die = info[header + 12], ports = info[header + 13];
                const unsigned min = info[header + 14], max = info[header + 15];
                std::size_t total = 0;
                unsigned pages = 0;
                for (unsigned start = min; start <= max; ++pages) {
                    std::snprintf(req, sizeof req, "%02x 00 00  %02x %02x", start, chip, die);
                    const Bytes page = ask(4, req);
                    ASSERT_EQ(ret_status(page, header), 0);
                    for (std::size_t off = 0; off < data_len(page, header); off += 8) {
                        seen.push_back(std::to_string(chip) + "/" + std::to_string(die) + "/" +
                                       std::to_string(page[header + 12 + off]));
                    }
                    total += data_len(page, header);
                    ASSERT_GT(next_id(page, header), start);
                    start = next_id(page, header);
                }
                EXPECT_EQ(total, ports * 8u);
                EXPECT_EQ(pages, chip == 0 && index == 0 ? 2u : 1u);
            }
        }
        EXPECT_EQ(seen,
                  (std::vector<std::string>{"0/1/2", "0/1/5", "0/1/6", "0/1/9", "0/1/10", "0/1/13",
                                            "0/3/4", "0/3/7", "1/2/3", "1/2/6", "1/4/5", "1/4/8"}));
    }
}

// Port and die status with the defaults: struct hccs_link_status {u8
// lane_mask; u8 link_fsm:3, lane_num:5}, u64 CRC counts, u8 flags.
TEST_F(HccsTest, PortAndDieStatus) {
    // lane mask 0xff, link-up (4) with 8 lanes: 4 | 8 << 3 = 0x44
    EXPECT_EQ(b1(6, "00 00 00  00 01 02"), b1_answer(6, "00 00000000000000  02 00 0000  ff 44"));
    // CRC errors: chip * 1000 + die * 100 + port by default
    EXPECT_EQ(b1(7, "00 00 00  00 01 02"),
              b1_answer(7, "00 00000000000000  08 00 0000  66 00 00 00 00 00 00 00"));
    EXPECT_EQ(b2(7, "00 00 00  01 04 08"),
              b2_answer(7, "00 00000000000000  08 00 0000  80 05 00 00 00 00 00 00"));
    EXPECT_EQ(b2(11, "00 00 00  01 02 06"), b2_answer(11, "00 00000000000000  01 00 0000  01"));
    EXPECT_EQ(b1(8, "00 00 00  00 03"), b1_answer(8, "00 00000000000000  01 00 0000  01"));
    EXPECT_EQ(b1(9, "00 00 00  00 03"), b1_answer(9, "00 00000000000000  01 00 0000  01"));
    // the sum over die 1's ports: 6 * 100 + 2 + 5 + 6 + 9 + 10 + 13 = 645
    EXPECT_EQ(b2(10, "00 00 00  00 01"),
              b2_answer(10, "00 00000000000000  08 00 0000  85 02 00 00 00 00 00 00"));
}

// What the driver's sysfs tree shows is readable with `pccd get`, under the
// same names, from the start.
TEST_F(HccsTest, TheTopologyIsPublished) {
    EXPECT_EQ(get("hccs.chip_num"), "2");
    EXPECT_EQ(get("hccs.chip0.die_ids"), "1,3");
    EXPECT_EQ(get("hccs.chip1.die_ids"), "2,4");
    EXPECT_EQ(get("hccs.chip0.die1.port_ids"), "2,5,6,9,10,13");
    EXPECT_EQ(get("hccs.chip1.die4.port_ids"), "5,8");
    EXPECT_EQ(get("hccs.dies"), "chip0/die1 chip0/die3 chip1/die2 chip1/die4");
    EXPECT_EQ(get("hccs.ports"),
              "chip0/die1/hccs2 chip0/die1/hccs5 chip0/die1/hccs6 chip0/die1/hccs9 "
              "chip0/die1/hccs10 chip0/die1/hccs13 chip0/die3/hccs4 chip0/die3/hccs7 "
              "chip1/die2/hccs3 chip1/die2/hccs6 chip1/die4/hccs5 chip1/die4/hccs8");
    EXPECT_EQ(get("hccs.used_types"), "HCCS-v2");
    EXPECT_EQ(get("hccs.chip0.die1.hccs2.type"), "2");
    EXPECT_EQ(get("hccs.chip0.die1.hccs2.lane_mode"), "8");
    EXPECT_EQ(get("hccs.chip0.die1.hccs2.enable"), "1");
    EXPECT_EQ(get("hccs.chip0.die1.hccs2.cur_lane_num"), "8");
    EXPECT_EQ(get("hccs.chip0.die1.hccs2.link_fsm"), "4");
    EXPECT_EQ(get("hccs.chip0.die1.hccs2.lane_mask"), "0xff");
    EXPECT_EQ(get("hccs.chip0.die1.hccs2.crc_err_cnt"), "102");
    EXPECT_EQ(get("hccs.chip0.die1.hccs2.idle"), "1");
    EXPECT_EQ(get("hccs.chip0.die1.all_linked"), "1");
    EXPECT_EQ(get("hccs.chip0.die1.linked_full_lane"), "1");
    EXPECT_EQ(get("hccs.chip0.die1.crc_err_cnt"), "645");
    EXPECT_EQ(get("hccs.chip0.crc_err_cnt"), "1256");  // 645 + 304 + 307
    EXPECT_EQ(get("hccs.chip1.crc_err_cnt"), std::to_string(1203 + 1206 + 1405 + 1408));
    EXPECT_EQ(get("hccs.chip1.all_linked"), "1");
    // Both devices are b1 and b2 in one engine: the setting follows the
    // description that came first (b1); a b2-only pccd has 1.
    EXPECT_EQ(get("hccs.caps"), "0");
    Engine b2_only;
    ASSERT_TRUE(b2_only.bindings().load_description(kB2Device, "test"));
    EXPECT_EQ(b2_only.state().setting("hccs.caps"), "1");
    EXPECT_EQ(b2_only.state().setting("hccs.pm.adapt_result"), "0");
}

// A host step changes a port while the guest runs: the next read shows it,
// and so do the derived values.
TEST_F(HccsTest, SettingsChangeAtRunTime) {
    engine_.set_setting("hccs.chip0.die3.hccs7.crc_err_cnt", "123456789012");
    EXPECT_EQ(b1(7, "00 00 00  00 03 07"),
              b1_answer(7, "00 00000000000000  08 00 0000  14 1a 99 be 1c 00 00 00"));
    EXPECT_EQ(get("hccs.chip0.die3.crc_err_cnt"), std::to_string(123456789012ULL + 304));
    engine_.set_setting("hccs.chip0.die3.hccs4.link_fsm", "2");  // setup
    engine_.set_setting("hccs.chip0.die3.hccs4.cur_lane_num", "3");
    engine_.set_setting("hccs.chip0.die3.hccs4.lane_mask", "0x07");
    EXPECT_EQ(b1(6, "00 00 00  00 03 04"),
              b1_answer(6, "00 00000000000000  02 00 0000  07 1a"));  // 2 | 3 << 3
    EXPECT_EQ(b1(9, "00 00 00  00 03"), b1_answer(9, "00 00000000000000  01 00 0000  00"));
    EXPECT_EQ(get("hccs.chip0.die3.all_linked"), "0");
    EXPECT_EQ(get("hccs.chip0.all_linked"), "0");
    EXPECT_EQ(get("hccs.chip1.all_linked"), "1");
    // A disabled port need not be linked.
    engine_.set_setting("hccs.chip0.die3.hccs4.enable", "0");
    EXPECT_EQ(b1(9, "00 00 00  00 03"), b1_answer(9, "00 00000000000000  01 00 0000  01"));
    // A linked port with fewer lanes than its lane mode is not full lane.
    engine_.set_setting("hccs.chip1.die2.hccs6.cur_lane_num", "4");
    EXPECT_EQ(b2(8, "00 00 00  01 02"), b2_answer(8, "00 00000000000000  01 00 0000  00"));
    EXPECT_EQ(get("hccs.chip1.linked_full_lane"), "0");
    // Type, lane mode, enable and idle
    engine_.set_setting("hccs.chip1.die2.hccs3.type", "1");
    engine_.set_setting("hccs.chip1.die2.hccs3.lane_mode", "16");
    engine_.set_setting("hccs.chip1.die2.hccs3.idle", "0");
    EXPECT_EQ(b2(4, "03 00 00  01 02"),
              b2_answer(4,
                        "00 00000000000000  10 07 0000  03 01 10 01 00 00 00 00  "
                        "06 02 08 01 00 00 00 00"));
    EXPECT_EQ(b2(11, "00 00 00  01 02 03"), b2_answer(11, "00 00000000000000  01 00 0000  00"));
    EXPECT_EQ(get("hccs.used_types"), "HCCS-v1 HCCS-v2");
}

// Another topology: chip count, die ids and port ids (given in any order,
// answered in ascending order), published for the new parts at once.
TEST_F(HccsTest, TopologyFromSettings) {
    engine_.set_setting("hccs.chip_num", "3");
    engine_.set_setting("hccs.chip2.die_ids", "200");
    engine_.set_setting("hccs.chip2.die200.port_ids", "254,0,17");
    EXPECT_EQ(b1(1, "00 00 00"), b1_answer(1, "00 00000000000000  01 00 0000  03"));
    EXPECT_EQ(b1(2, "00 00 00  02"), b1_answer(2, "00 00000000000000  01 00 0000  01"));
    EXPECT_EQ(b1(3, "00 00 00  02 00"), b1_answer(3, "00 00000000000000  04 00 0000  c8 03 00 fe"));
    EXPECT_EQ(b1(4, "00 00 00  02 c8"),
              b1_answer(4,
                        "00 00000000000000  18 ff 0000  00 02 08 01 00 00 00 00  "
                        "11 02 08 01 00 00 00 00  fe 02 08 01 00 00 00 00"));
    EXPECT_EQ(get("hccs.chip2.die200.hccs254.crc_err_cnt"), std::to_string(2000 + 20000 + 254));
    EXPECT_EQ(get("hccs.dies"), "chip0/die1 chip0/die3 chip1/die2 chip1/die4 chip2/die200");
    // A die without ports and a chip without dies
    engine_.set_setting("hccs.chip2.die200.port_ids", "none");
    EXPECT_EQ(b1(3, "00 00 00  02 00"), b1_answer(3, "00 00000000000000  04 00 0000  c8 00 00 00"));
    engine_.set_setting("hccs.chip1.die_ids", "none");
    EXPECT_EQ(b1(2, "00 00 00  01"), b1_answer(2, "00 00000000000000  01 00 0000  00"));
    EXPECT_EQ(get("hccs.dies"), "chip0/die1 chip0/die3 chip2/die200");
    EXPECT_EQ(counters().get("hccs.bad_settings"), 0u);
}

// Values that are not what they should be are logged once, counted, and the
// default is used (one channel here: each channel's instance reports once).
TEST(Hccs, BadSettingsFallBack) {
    set_log_level(LogLevel::error);
    counters().clear();
    Engine engine;
    ASSERT_TRUE(engine.bindings().load_description(kB1Device, "test"));
    auto b1 = [&](std::uint8_t command, const std::string& rest) {
        return engine.handle_request(5, Layout::generic, b1_request(command, rest), "test")
            .answer.value_or(Bytes{});
    };
    engine.set_setting("hccs.chip_num", "0");
    engine.set_setting("hccs.chip0.die_ids", "1,1");                // twice
    engine.set_setting("hccs.chip1.die2.port_ids", "255");          // over 254
    engine.set_setting("hccs.chip1.die4.port_ids", "1,,2");         // empty item
    engine.set_setting("hccs.chip0.die3.hccs4.link_fsm", "8");      // 3 bits
    engine.set_setting("hccs.chip0.die3.hccs4.cur_lane_num", "x");  // not a number
    EXPECT_EQ(b1(1, "00 00 00"), b1_answer(1, "00 00000000000000  01 00 0000  02"));
    EXPECT_EQ(b1(3, "00 00 00  00 00"), b1_answer(3, "00 00000000000000  04 00 0000  01 06 02 0d"));
    EXPECT_EQ(b1(3, "00 00 00  01 00"), b1_answer(3, "00 00000000000000  04 00 0000  02 02 03 06"));
    EXPECT_EQ(b1(3, "00 00 00  01 01"), b1_answer(3, "00 00000000000000  04 00 0000  04 02 05 08"));
    EXPECT_EQ(b1(6, "00 00 00  00 03 04"), b1_answer(6, "00 00000000000000  02 00 0000  ff 44"));
    const auto bad = counters().get("hccs.bad_settings");
    EXPECT_EQ(bad, 6u);
    b1(6, "00 00 00  00 03 04");
    EXPECT_EQ(counters().get("hccs.bad_settings"), bad);  // reported once each
}

// Lane power management (b2 has the capability by default): PM_DEC_LANE
// halves the lanes of every HCCS-v2 port, PM_INC_LANE's three steps bring
// them back, as the driver's dec_lane_of_type / inc_lane_of_type do it.
TEST_F(HccsTest, LanePowerManagement) {
    // Here b1 was described first and its default (0) stands: b2 as alone.
    engine_.set_setting("hccs.caps", "1");
    EXPECT_EQ(b2(5, "00 00 00"),
              b2_answer(5, "00 00000000000000  08 00 0000  01 00 00 00 00 00 00 00"));
    // the driver checks idle first (11), then decreases (12, port type 2)
    EXPECT_EQ(b2(12, "00 00 00  02"), b2_answer(12, "00 00000000000000  00 00 0000"));
    EXPECT_EQ(counters().get("hccs.pm.dec_lane"), 1u);
    // 4 lanes, mask 0x0f, link-up: 4 | 4 << 3 = 0x24
    EXPECT_EQ(b2(6, "00 00 00  00 01 0d"), b2_answer(6, "00 00000000000000  02 00 0000  0f 24"));
    EXPECT_EQ(b1(6, "00 00 00  01 04 08"), b1_answer(6, "00 00000000000000  02 00 0000  0f 24"));
    EXPECT_EQ(get("hccs.chip1.die4.hccs8.cur_lane_num"), "4");
    EXPECT_EQ(get("hccs.chip1.die4.hccs8.lane_mask"), "0xf");
    EXPECT_EQ(get("hccs.chip0.die1.linked_full_lane"), "0");
    EXPECT_EQ(b2(8, "00 00 00  00 01"), b2_answer(8, "00 00000000000000  01 00 0000  00"));
    // increase: prepare, adaptation result (0 = done), retraining
    EXPECT_EQ(b2(13, "00 00 00  02 01"), b2_answer(13, "00 00000000000000  00 00 0000"));
    EXPECT_EQ(b2(13, "00 00 00  02 02"), b2_answer(13, "00 00000000000000  01 00 0000  00"));
    EXPECT_EQ(get("hccs.chip1.die4.hccs8.cur_lane_num"), "4");  // not yet
    EXPECT_EQ(b2(13, "00 00 00  02 03"), b2_answer(13, "00 00000000000000  00 00 0000"));
    EXPECT_EQ(b2(6, "00 00 00  00 01 0d"), b2_answer(6, "00 00000000000000  02 00 0000  ff 44"));
    EXPECT_EQ(get("hccs.chip1.die4.hccs8.cur_lane_num"), "8");
    EXPECT_EQ(get("hccs.chip1.die4.hccs8.lane_mask"), "0xff");
    EXPECT_EQ(get("hccs.chip0.die1.linked_full_lane"), "1");
    EXPECT_EQ(counters().get("hccs.pm.inc_prepare"), 1u);
    EXPECT_EQ(counters().get("hccs.pm.inc_adapt_query"), 1u);
    EXPECT_EQ(counters().get("hccs.pm.inc_retrain"), 1u);
    // An adaptation that is not done yet (the driver asks again, 10 times)
    engine_.set_setting("hccs.pm.adapt_result", "1");
    EXPECT_EQ(b2(13, "00 00 00  02 02"), b2_answer(13, "00 00000000000000  01 00 0000  01"));
    // Only ports of the type change; odd lane modes round down, at least 1.
    engine_.set_setting("hccs.chip0.die3.hccs4.type", "1");
    engine_.set_setting("hccs.chip0.die3.hccs7.lane_mode", "1");
    engine_.set_setting("hccs.chip0.die3.hccs7.cur_lane_num", "1");
    engine_.set_setting("hccs.chip1.die2.hccs3.lane_mode", "5");
    engine_.set_setting("hccs.chip1.die2.hccs3.cur_lane_num", "5");
    EXPECT_EQ(ret_status(b2(12, "00 00 00  02"), 16), 0);
    EXPECT_EQ(get("hccs.chip0.die3.hccs4.cur_lane_num"), "8");
    EXPECT_EQ(get("hccs.chip0.die3.hccs7.cur_lane_num"), "1");
    EXPECT_EQ(get("hccs.chip1.die2.hccs3.cur_lane_num"), "2");
    EXPECT_EQ(get("hccs.chip1.die2.hccs3.lane_mask"), "0x3");
}

TEST_F(HccsTest, LaneManagementRefusals) {
    // b1's firmware has no capability by default: refused with retStatus 6
    EXPECT_EQ(b1(12, "00 00 00  02"), b1_answer(12, "06"));
    engine_.set_setting("hccs.caps", "1");
    // another type, another option
    EXPECT_EQ(b1(12, "00 00 00  01"), b1_answer(12, "06"));
    EXPECT_EQ(b1(13, "00 00 00  01 01"), b1_answer(13, "06"));
    EXPECT_EQ(b1(13, "00 00 00  02 04"), b1_answer(13, "06"));
    EXPECT_EQ(b1(13, "00 00 00  02 00"), b1_answer(13, "06"));
    EXPECT_EQ(counters().get("hccs.unsupported"), 5u);
    // a busy port: retStatus 7, nothing changes
    engine_.set_setting("hccs.chip1.die2.hccs6.idle", "0");
    EXPECT_EQ(b1(12, "00 00 00  02"), b1_answer(12, "07"));
    EXPECT_EQ(counters().get("hccs.busy"), 1u);
    EXPECT_EQ(get("hccs.chip0.die1.hccs2.cur_lane_num"), "8");
    engine_.set_setting("hccs.chip1.die2.hccs6.idle", "1");
    EXPECT_EQ(b1(12, "00 00 00  02"), b1_answer(12, "00"));
    EXPECT_EQ(get("hccs.chip0.die1.hccs2.cur_lane_num"), "4");
    // no port of the type left
    engine_.set_setting("hccs.chip_num", "1");
    engine_.set_setting("hccs.chip0.die_ids", "3");
    engine_.set_setting("hccs.chip0.die3.hccs4.type", "1");
    engine_.set_setting("hccs.chip0.die3.hccs7.type", "1");
    EXPECT_EQ(b1(13, "00 00 00  02 03"), b1_answer(13, "06"));
    EXPECT_EQ(counters().get("hccs.pm.dec_lane"), 1u);
    EXPECT_EQ(counters().get("hccs.pm.inc_retrain"), 0u);
}

// Bad requests get a non-zero retStatus (the driver logs it and fails with
// EIO), a log line and a counter; the next request is served.
TEST_F(HccsTest, BadRequestsGetAnErrorStatus) {
    EXPECT_EQ(b1(0, "00 00 00"), b1_answer(0, "01"));
    EXPECT_EQ(b1(14, "00 00 00"), b1_answer(14, "01"));
    Bytes big = b2_request(1, "00 00 00");
    big[13] = 0x01;  // command 0x101: the extended command is 32 bits
    EXPECT_EQ(engine_.handle_request(6, Layout::extended, big, "test").answer, [&] {
        Bytes want = b2_answer(1, "01");
        want[13] = 0x01;
        return want;
    }());
    EXPECT_EQ(counters().get("hccs.unknown_command"), 3u);
    // The generic command's bit 15 (doorbell interrupt) is not part of it.
    Bytes with_bit15 = b1_request(1, "00 00 00");
    with_bit15[5] = 0x80;
    Bytes want_bit15 = b1_answer(1, "00 00000000000000  01 00 0000  02");
    want_bit15[5] = 0x80;
    EXPECT_EQ(engine_.handle_request(5, Layout::generic, with_bit15, "test").answer, want_bit15);
    // Another module than serdes (0x32)
    Bytes other_module = b1_request(1, "00 00 00");
    other_module[8] = 0x33;
    EXPECT_EQ(engine_.handle_request(5, Layout::generic, other_module, "test").answer,
              b1_answer(1, "02"));
    EXPECT_EQ(counters().get("hccs.bad_module_code"), 1u);
    // Ids that are not there
    EXPECT_EQ(b1(2, "00 00 00  02"), b1_answer(2, "04"));        // chip 2
    EXPECT_EQ(b1(3, "00 00 00  00 02"), b1_answer(3, "04"));     // die index 2
    EXPECT_EQ(b1(3, "00 00 00  05 00"), b1_answer(3, "04"));     // chip 5
    EXPECT_EQ(b1(4, "02 00 00  00 00"), b1_answer(4, "04"));     // die id 0 (index 0 is 1)
    EXPECT_EQ(b1(6, "00 00 00  00 01 03"), b1_answer(6, "04"));  // port 3 is not on die 1
    EXPECT_EQ(b2(7, "00 00 00  01 02 02"), b2_answer(7, "04"));
    EXPECT_EQ(b2(11, "00 00 00  00 04 04"), b2_answer(11, "04"));  // die 4 is chip 1's
    EXPECT_EQ(b2(9, "00 00 00  02 01"), b2_answer(9, "04"));
    EXPECT_EQ(b2(8, "00 00 00  00 02"), b2_answer(8, "04"));
    EXPECT_EQ(b2(10, "00 00 00  01 03"), b2_answer(10, "04"));
    EXPECT_EQ(counters().get("hccs.bad_id"), 10u);
    // start_id past the die's last port
    EXPECT_EQ(b1(4, "0e 00 00  00 01"), b1_answer(4, "05"));
    EXPECT_EQ(b2(4, "ff 00 00  01 04"), b2_answer(4, "05"));
    engine_.set_setting("hccs.chip1.die4.port_ids", "none");
    EXPECT_EQ(b2(4, "00 00 00  01 04"), b2_answer(4, "05"));
    EXPECT_EQ(counters().get("hccs.bad_start_id"), 3u);
    EXPECT_EQ(counters().get("hccs.errors"), 17u);
    // and the next request is served
    EXPECT_EQ(b1(1, "00 00 00"), b1_answer(1, "00 00000000000000  01 00 0000  02"));
}

// A request shorter than its head or its parameters (QEMU always sends the
// whole region, a rules file or a hand-written spool file may not): answered
// with retStatus 3 in a whole area.
TEST_F(HccsTest, TruncatedRequests) {
    const Bytes short_b1 = hex("05 43 43 50  06 00 00 00  32 00 00 00  00 01");  // no port
    EXPECT_EQ(engine_.handle_request(5, Layout::generic, short_b1, "test").answer,
              b1_answer(6, "03"));
    const Bytes no_head = hex("05 43 43 50  01 00 00 00  32 00");
    EXPECT_EQ(engine_.handle_request(5, Layout::generic, no_head, "test").answer,
              b1_answer(1, "03"));
    const Bytes header_only = hex("05 43 43 50  01 00 00 00");
    EXPECT_EQ(engine_.handle_request(5, Layout::generic, header_only, "test").answer,
              b1_answer(1, "03"));
    // b2 with a length that fits: command and the 4-byte head, no parameters
    const Bytes short_b2 = hex("06 43 43 50  01 00 00 00  08 00 00 00  02 00 00 00  32 00 00 00");
    EXPECT_EQ(engine_.handle_request(6, Layout::extended, short_b2, "test").answer, [] {
        Bytes want = hex("06 43 43 50  01 00 00 00  08 00 00 00  02 00 00 00  03");
        want.resize(64, 0);
        return want;
    }());
    EXPECT_EQ(counters().get("hccs.truncated"), 4u);
    // Shorter than the extended header: the PCC layout refuses it.
    EXPECT_FALSE(
        engine_.handle_request(6, Layout::extended, hex("06 43 43 50 01 00 00 00 40"), "test")
            .answer);
    EXPECT_EQ(counters().get("bad.message"), 1u);
}

// The driver's length 64 claims 76 bytes of a 64-byte region; the personality
// accepts it (the payload ends with the message), every other refuses such a
// length.
TEST_F(HccsTest, OverlongLengthIsAcceptedOnlyHere) {
    EXPECT_EQ(b2(1, "00 00 00"), b2_answer(1, "00 00000000000000  01 00 0000  02"));
    EXPECT_EQ(counters().get("bad.message"), 0u);
    // The same message on an MCTP channel is malformed.
    ASSERT_TRUE(engine_.bindings().load_description(
        "pcc-device 1\nclass pcc-mctp\nchannel 0\nsubspace 0 type 3 role initiator\n"
        "subspace 1 type 4 role responder\n",
        "test"));
    Bytes mctp = b2_request(1, "00 00 00");
    mctp[0] = 0x00;
    EXPECT_FALSE(engine_.handle_request(0, Layout::extended, mctp, "test").answer);
    EXPECT_EQ(counters().get("bad.message"), 1u);
    // A generic message on the b2 channel is not the personality's.
    EXPECT_FALSE(
        engine_.handle_request(6, Layout::generic, b1_request(1, "00 00 00"), "test").answer);
    EXPECT_EQ(counters().get("unhandled.generic_channel"), 1u);
}

// Rules see the sub-command as cmd= in both variants; `error CODE` is the
// firmware's retStatus.
TEST_F(HccsTest, RulesSeeTheCommandAndGiveRetStatus) {
    auto rules =
        parse_rules("match channel=6 cmd=7 => error 9\nmatch channel=5 cmd=7 => error 8\n");
    ASSERT_TRUE(rules);
    engine_.set_rules(*rules);
    EXPECT_EQ(b2(7, "00 00 00  00 01 02"), b2_answer(7, "09"));
    EXPECT_EQ(b1(7, "00 00 00  00 01 02"), b1_answer(7, "08"));
    EXPECT_EQ(ret_status(b2(6, "00 00 00  00 01 02"), 16), 0);
    EXPECT_EQ(counters().get("rules.hits"), 2u);
}

TEST(Hccs, ServesItsClassWithoutBind) {
    ASSERT_NE(personality_for_class("pcc-kunpeng-hccs"), nullptr);
    EXPECT_EQ(personality_for_class("pcc-kunpeng-hccs")->info.name, "kunpeng-hccs");
    // --bind without a description: b1's layout.
    set_log_level(LogLevel::error);
    Engine engine;
    ASSERT_TRUE(engine.bind(5, "kunpeng-hccs"));
    EXPECT_EQ(engine.handle_request(5, Layout::generic, b1_request(1, "00 00 00"), "test").answer,
              b1_answer(1, "00 00000000000000  01 00 0000  02"));
    EXPECT_EQ(engine.state().setting("hccs.caps"), "0");
}

// Random requests and settings: never a crash, always a 64-byte answer or
// a counted rejection.
TEST_F(HccsTest, RandomInputNeverCrashes) {
    std::uint32_t seed = 4711;
    auto next = [&seed] {
        seed = seed * 1103515245u + 12345u;
        return seed >> 16;
    };
    const char* keys[] = {"hccs.chip_num",
                          "hccs.chip0.die_ids",
                          "hccs.chip0.die1.port_ids",
                          "hccs.chip0.die1.hccs2.cur_lane_num",
                          "hccs.caps",
                          "hccs.chip1.die2.hccs3.idle"};
    const char* values[] = {"0", "1", "3", "none", "1,2,3", "254", "x", "0xffffffffffffffff", ""};
    for (int i = 0; i < 3000; ++i) {
        if (i % 40 == 0) {
            engine_.set_setting(keys[next() % std::size(keys)], values[next() % std::size(values)]);
        }
        const bool extended = next() % 2 == 0;
        Bytes m = extended ? b2_request(static_cast<std::uint8_t>(next() % 16), "")
                           : b1_request(static_cast<std::uint8_t>(next() % 16), "");
        for (std::size_t k = extended ? 16 : 8; k < m.size(); ++k) {
            m[k] = static_cast<std::uint8_t>(next() % 4 == 0 ? next() : next() % 16);
        }
        m[extended ? 16 : 8] = next() % 8 == 0 ? 0x31 : 0x32;
        m.resize(next() % 5 == 0 ? next() % 80 : m.size());
        const auto rejected = counters().get("bad.message");
        auto a = engine_.handle_request(extended ? 6 : 5,
                                        extended ? Layout::extended : Layout::generic, m, "test");
        if (a.answer) {
            // b1 keeps a longer space's size; b2 answers its 64-byte region
            EXPECT_EQ(a.answer->size(), extended ? 64 : std::max<std::size_t>(64, m.size()));
        } else {
            EXPECT_GT(counters().get("bad.message"), rejected);
        }
    }
}

}  // namespace
}  // namespace pccd
