// SPDX-License-Identifier: GPL-2.0-or-later
// pccd-fuzz-seeds DIR RULES_EXAMPLE [--stamp FILE]: writes the seed corpora of pccd's fuzz targets,
// DIR/<target>/<name>, built with pccd's own encoders (the build runs it;
// scripts/fuzz.sh copies them into the working corpora in the cache). The
// requests are those of the unit tests, moved to the fuzz targets' channel.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "bytes.hpp"
#include "control.hpp"
#include "device_description.hpp"
#include "mctp.hpp"
#include "pcc_message.hpp"
#include "personality.hpp"
#include "pldm.hpp"
#include "socket_frame.hpp"
#include "spool_name.hpp"

using namespace pccd;
namespace fs = std::filesystem;

namespace {

fs::path g_root;
bool g_failed = false;

void write_seed(const char* target, const std::string& name, ByteView bytes) {
    const fs::path dir = g_root / target;
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) {
        std::fprintf(stderr, "pccd-fuzz-seeds: cannot write %s/%s\n", target, name.c_str());
        g_failed = true;
    }
}
void write_seed(const char* target, const std::string& name, std::string_view text) {
    write_seed(target, name,
               ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}
Bytes hex(std::string_view text) {
    auto bytes = parse_hex(text);
    if (!bytes) {
        std::fprintf(stderr, "pccd-fuzz-seeds: bad hex %.*s\n", static_cast<int>(text.size()),
                     text.data());
        g_failed = true;
    }
    return bytes.value_or(Bytes{});
}
Bytes cat(Bytes a, ByteView b) {
    append(a, b);
    return a;
}

Bytes mctp_packet(ByteView message) {
    mctp::TransportHeader h;
    h.dest = 8;
    h.src = 9;
    h.tag = 1;
    return mctp::encode_packet(h, message);
}
Bytes mctp_over_pcc(unsigned subspace, ByteView message) {
    return encode_ext(pcc_signature(subspace), kExtFlagNotifyOnCompletion, mctp::kPccCommandMctp,
                      mctp_packet(message));
}

void pcc_message_seeds() {
    const Bytes get_eid = mctp_over_pcc(0, hex("00 80 02"));
    write_seed("fuzz_pcc_message", "ext-mctp", cat({0}, get_eid));
    write_seed(
        "fuzz_pcc_message", "gen-xgene",
        cat({3}, encode_generic(pcc_signature(3), 0x8000, 0, hex("02 e9 ff 04 10 00 00 00"))));
    // kunpeng_hccs: length 64 in a 64-byte region (clipped)
    write_seed("fuzz_pcc_message", "ext-overlong",
               cat({6}, hex("06 43 43 50  01 00 00 00  40 00 00 00  00 00 00 00")));
}

void mctp_seeds() {
    const struct {
        const char* name;
        const char* message;
    } seeds[] = {
        {"set-eid", "00 80 01 00 0a"},
        {"get-eid", "00 80 02"},
        {"get-uuid", "00 80 03"},
        {"get-version-control", "00 80 04 00"},
        {"get-version-pldm", "00 80 04 01"},
        {"get-message-types", "00 80 05"},
        {"get-vendor-sets", "00 80 06 00"},
        {"pldm-get-tid", "01 80 00 02"},
        {"vendor-pci", "7e 80 01"},
        {"response", "00 00 02 00 08 00 00"},
    };
    for (const auto& s : seeds) {
        write_seed("fuzz_mctp", s.name, mctp_packet(hex(s.message)));
    }
    mctp::TransportHeader middle;
    middle.som = false;
    middle.seq = 1;
    write_seed("fuzz_mctp", "not-som", mctp::encode_packet(middle, hex("01 02")));
}

void pldm_seeds() {
    // After the MCTP type byte: Rq|instance, header version|type, command, data.
    const struct {
        const char* name;
        const char* message;
    } seeds[] = {
        {"set-tid", "80 00 01 05"},
        {"get-tid", "80 00 02"},
        {"get-version-first", "80 00 03 00 00 00 00 01 00"},
        {"get-version-next", "80 00 03 01 00 00 00 00 00"},
        {"get-types", "80 00 04"},
        {"get-commands", "80 00 05 00 00 f0 f1 f1"},
        {"other-type", "80 02 01"},
    };
    for (const auto& s : seeds) {
        write_seed("fuzz_pldm", s.name, hex(s.message));
    }
}

// The selector byte of fuzz_personality for `name` (its index among the
// personalities other than mctp, in the registry's order) and the mailbox
// type for the personalities that take their layout from the description.
std::uint8_t personality_selector(std::string_view name, unsigned mailbox_type = 0) {
    unsigned index = 0;
    for (const auto& [n, entry] : personalities()) {
        if (n == "mctp") {
            continue;
        }
        if (n == name) {
            return static_cast<std::uint8_t>(index | (mailbox_type << 4));
        }
        ++index;
    }
    std::fprintf(stderr, "pccd-fuzz-seeds: no personality %.*s\n", static_cast<int>(name.size()),
                 name.data());
    g_failed = true;
    return 0;
}

void personality_seed(const std::string& name, std::uint8_t selector, std::string_view extra_lines,
                      const Bytes& request) {
    Bytes input{selector};
    append(input,
           ByteView(reinterpret_cast<const std::uint8_t*>(extra_lines.data()), extra_lines.size()));
    input.push_back(0);
    append(input, request);
    write_seed("fuzz_personality", name, input);
}

void personality_seeds() {
    // Channel 2 (fuzz_personality's): signature 0x50434302.
    const std::string sig = "02 43 43 50  ";
    const std::string space64(56 * 3, ' ');
    personality_seed("cppc-read", personality_selector("cppc"),
                     "property cpus 2\nproperty cpu-block 64\n",
                     cat(hex(sig + "00 00  00 00"), Bytes(128, 0)));
    personality_seed("cppc-write", personality_selector("cppc"), "property cpus 1\n",
                     cat(hex(sig + "01 00  00 00"), Bytes(64, 0x11)));
    personality_seed("echo-generic", personality_selector("echo", 2), "",
                     hex(sig + "02 01  00 00  00 11 ff 5a"));
    personality_seed("echo-extended", personality_selector("echo", 3), "",
                     hex(sig + "00 00 00 00  07 00 00 00  01 00 cd ab  01 02 03"));
    personality_seed("hisi-uncore-get-freq", personality_selector("hisi-uncore"), "",
                     hex(sig + "01 00  00 00  aa bb cc dd  00 00 00 00"));
    personality_seed("hisi-uncore-set-freq", personality_selector("hisi-uncore"), "",
                     hex(sig + "02 00  00 00  aa bb cc dd  e8 03 00 00"));
    Bytes b1 = cat(hex(sig + "01 00  00 00  32"), Bytes(55, 0));
    personality_seed("kunpeng-hccs-b1", personality_selector("kunpeng-hccs", 0),
                     "property variant b1\n", b1);
    Bytes b2 = cat(hex(sig + "01 00 00 00  40 00 00 00  01 00 00 00  32"), Bytes(47, 0));
    personality_seed("kunpeng-hccs-b2", personality_selector("kunpeng-hccs", 3),
                     "property variant b2\n", b2);
    personality_seed("opregion-read", personality_selector("opregion"), "",
                     hex(sig + "01 00 00 00  08 00 00 00  01 00 00 00  00 00 00 00"));
    personality_seed("xgene-sensor-read", personality_selector("xgene-slimpro"), "",
                     hex(sig + "00 80  00 00  02 e9 ff 04  10 00 00 00  00 00 00 00"));
    personality_seed("xgene-tpc-alarm", personality_selector("xgene-slimpro"), "",
                     hex(sig + "09 80  00 00  00 00 03 91  00 00 00 00  00 00 00 00"));
    personality_seed("xgene-i2c-write", personality_selector("xgene-slimpro-i2c"), "",
                     hex(sig + "00 80  00 00  01 19 8a 04  10 00 00 00  42 00 00 00"));
    personality_seed("xgene-i2c-read", personality_selector("xgene-slimpro-i2c"), "",
                     hex(sig + "00 80  00 00  01 09 8a 04  10 00 00 00  00 00 00 00"));
}

void socket_frame_seeds() {
    DeviceDescription mctp;
    mctp.device_class = "pcc-mctp";
    mctp.channel = 0;
    mctp.subspaces = {{0, 3, SubspaceRole::initiator, 4096}, {1, 4, SubspaceRole::responder, 4096}};
    const std::string hello_text = format_device_description(mctp) + "session 0123456789abcdef\n";
    Frame hello{
        0, FrameKind::hello, Layout::extended, 1, 0, Bytes(hello_text.begin(), hello_text.end())};
    Frame request{0, FrameKind::request, Layout::extended, 2, 0, mctp_over_pcc(0, hex("00 80 02"))};
    Frame generic{3,
                  FrameKind::request,
                  Layout::generic,
                  3,
                  0,
                  encode_generic(pcc_signature(3), 0x8000, 0, hex("02 e9 ff 04 10 00 00 00"))};
    const Bytes stream =
        cat(cat(encode_frame(hello), encode_frame(request)), encode_frame(generic));
    write_seed("fuzz_socket_frame", "hello-request-whole", cat({0}, stream));
    write_seed("fuzz_socket_frame", "hello-request-pieces", cat({7}, stream));
    Frame response{0, FrameKind::response, Layout::extended, 4, 2, Bytes(20, 0)};
    write_seed("fuzz_socket_frame", "response", cat({0}, encode_frame(response)));
    Bytes v2 = encode_frame(request);
    v2[3] = '2';
    write_seed("fuzz_socket_frame", "version-2", cat({0}, v2));
}

void spool_name_seeds() {
    write_seed(
        "fuzz_spool_name", "request",
        format_spool_name({1700000000000000000ULL, 4, MessageKind::request, Layout::extended}));
    write_seed("fuzz_spool_name", "response",
               format_spool_name({1700000000000000001ULL, 2, MessageKind::response, Layout::generic,
                                  1700000000000000000ULL}));
    write_seed("fuzz_spool_name", "notification",
               format_spool_name(
                   {18446744073709551615ULL, 999, MessageKind::notification, Layout::extended}));
    write_seed("fuzz_spool_name", "temp",
               std::string_view(".tmp-00000000000000000001-c000-req.ext"));
}

void device_description_seeds() {
    for (const auto& [name, entry] : personalities()) {
        std::string text = format_device_description(entry.info.default_device(name.size()));
        if (name == "cppc") {
            text += "property cpus 4\nproperty cpu-block 64\n";
        }
        write_seed("fuzz_device_description", name, text);
    }
    write_seed("fuzz_device_description", "bad-lines",
               std::string_view("pcc-device 1\nclass pcc-raw\nchannel 7\nsubspace 7 type 9 role "
                                "mailbox\nsubspace x\nproperty\nunknown statement\n"));
}

void control_line_seeds() {
    const ControlCommand commands[] = {
        SendCommand{0, Layout::extended, false, 9, hex("00 80 02")},
        SendCommand{3, Layout::generic, true, std::nullopt, hex("03 43 43 50 00 00 08 00")},
        SetCommand{"xgene.temp_c", "71"},
        GetCommand{"mctp.eid"},
        StatsCommand{},
        ReloadCommand{"/path/to/rules"},
        ReloadCommand{},
    };
    int i = 0;
    for (const ControlCommand& c : commands) {
        auto line = format_control_line(c);
        if (!line) {
            std::fprintf(stderr, "pccd-fuzz-seeds: %s\n", line.error().c_str());
            g_failed = true;
            continue;
        }
        write_seed("fuzz_control_line", "command" + std::to_string(i++), *line);
    }
    write_seed("fuzz_control_line", "reply-ok", format_control_reply(ControlReply::success("42")));
    write_seed("fuzz_control_line", "reply-error",
               format_control_reply(ControlReply::failure("bad channel")));
}

void rules_seeds(const char* example) {
    std::ifstream in(example, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.empty()) {
        std::fprintf(stderr, "pccd-fuzz-seeds: cannot read %s\n", example);
        g_failed = true;
    }
    write_seed("fuzz_rules", "rules.example", text);
    write_seed("fuzz_rules", "generic",
               std::string_view("match channel=2 layout=gen cmd=0x8000 => reply $0 $1 ff\n"
                                "match channel=1 @16=44/ff => error 0x05\n"
                                "match layout=ext => delay 10 reply-raw 01 43 43 50\n"
                                "set xgene.temp_c 40\n"));
    // Settings the personalities read, with values in and out of range.
    write_seed("fuzz_rules", "settings",
               std::string_view("set xgene.temp_c -5\nset xgene.cpu_power_mw 65432\n"
                                "set cppc.cpu0.desired_perf 150\nset cppc.counter_step 0x10\n"
                                "set opregion.temp_dk 3032\nset i2c.eeprom.addr 0x51\n"
                                "set hccs.chip_num 2\nset hccs.chip0.die_ids 1,2\n"
                                "set hccs.chip0.die1.port_ids 0,1\n"
                                "set uncore.frequencies 1000,2000\nset uncore.mode 1\n"
                                "set echo.xor 0x5a\nset pcc.flags 0\nset mctp.extra-types 0x7e\n"));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3 && !(argc == 5 && std::string_view(argv[3]) == "--stamp")) {
        std::fprintf(stderr, "usage: pccd-fuzz-seeds DIR RULES_EXAMPLE [--stamp FILE]\n");
        return 2;
    }
    g_root = argv[1];
    std::error_code ec;
    fs::remove_all(g_root, ec);  // no stale seeds of an older generator
    pcc_message_seeds();
    mctp_seeds();
    pldm_seeds();
    personality_seeds();
    socket_frame_seeds();
    spool_name_seeds();
    device_description_seeds();
    control_line_seeds();
    rules_seeds(argv[2]);
    if (argc == 5 && !g_failed) {
        std::ofstream(argv[4], std::ios::trunc) << "seeds in " << g_root.string() << "\n";
    }
    return g_failed ? 1 : 0;
}
