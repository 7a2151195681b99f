// SPDX-License-Identifier: GPL-2.0-or-later
// Unit tests of the lab's pure parts: the guest's PCCT/SSDT/kmsg parsers,
// MCTP/PLDM codecs and rtnetlink builders (built for the host here), the runner's cpio writer,
// scenario parser and modinfo reader. No googletest needed: a failing CHECK prints and counts.
#include "acpi.hpp"
#include "cpio.hpp"
#include "kmsg.hpp"
#include "mctp.hpp"
#include "modules.hpp"
#include "netlink.hpp"
#include "scenario.hpp"

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace {

int g_failures = 0, g_checks = 0;

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        ++g_checks;                                                                       \
        if (!(cond)) {                                                                    \
            ++g_failures;                                                                 \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                                 \
    } while (0)

using Bytes = std::vector<std::uint8_t>;

void put(Bytes& b, std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
        b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
}

void put_str(Bytes& b, const std::string& s) {
    b.insert(b.end(), s.begin(), s.end());
}

// An ACPI header for `sig` over `body`, checksum fixed.
Bytes table(const std::string& sig, const Bytes& body) {
    Bytes t;
    put_str(t, sig);
    put(t, 36 + body.size(), 4);
    t.push_back(2);  // revision
    t.push_back(0);  // checksum, fixed below
    put_str(t, "BOCHS ");
    put_str(t, "PCC-SSDT");
    put(t, 1, 4);
    put_str(t, "BXPC");
    put(t, 1, 4);
    t.insert(t.end(), body.begin(), body.end());
    std::uint8_t sum = 0;
    for (auto x : t) {
        sum = static_cast<std::uint8_t>(sum + x);
    }
    t[9] = static_cast<std::uint8_t>(0x100 - sum);
    return t;
}

Bytes ext_subspace(std::uint8_t type, std::uint32_t gsi, std::uint64_t base) {
    Bytes s{type, 164};
    put(s, gsi, 4);
    s.push_back(0);
    s.push_back(0);
    put(s, base, 8);
    put(s, 0x1000, 4);
    s.resize(164, 0);
    return s;
}

Bytes generic_subspace(std::uint64_t base) {
    Bytes s{0, 62};
    put(s, 0, 6);
    put(s, base, 8);
    put(s, 0x1000, 8);
    s.resize(62, 0);
    return s;
}

void test_pcct() {
    Bytes body;
    put(body, 1, 4);  // flags: platform interrupt
    put(body, 0, 8);
    for (auto& s :
         {ext_subspace(3, 40, 0x10000), ext_subspace(4, 41, 0x11000), generic_subspace(0x12000)}) {
        body.insert(body.end(), s.begin(), s.end());
    }
    Bytes t = table("PCCT", body);
    CHECK(lab::acpi::checksum_ok(t));
    std::string err;
    auto p = lab::acpi::parse_pcct(t, &err);
    CHECK(p.has_value());
    if (p) {
        CHECK(p->flags == 1);
        CHECK(p->subspaces.size() == 3);
        CHECK(p->subspaces[0].type == 3 && p->subspaces[0].gsi == 40u &&
              p->subspaces[0].base == 0x10000);
        CHECK(p->subspaces[1].type == 4 && p->subspaces[1].size == 0x1000);
        CHECK(p->subspaces[2].type == 0 && !p->subspaces[2].gsi && p->subspaces[2].base == 0x12000);
    }
    // a subtable with the wrong length is reported with its index
    Bytes bad = body;
    bad[12 + 164 + 1] = 160;
    auto q = lab::acpi::parse_pcct(table("PCCT", bad), &err);
    CHECK(!q.has_value());
    CHECK(err.find("subspace 1") != std::string::npos);
    t[40] ^= 1;
    CHECK(!lab::acpi::checksum_ok(t));
    CHECK(!lab::acpi::parse_pcct(table("APIC", body), &err).has_value());
}

// PkgLength encoding for AML
void pkg(Bytes& b, std::size_t content_len) {
    std::size_t total = content_len + 1;
    if (total < 0x40) {
        b.push_back(static_cast<std::uint8_t>(total));
        return;
    }
    total = content_len + 2;
    b.push_back(static_cast<std::uint8_t>(0x40 | (total & 0x0f)));
    b.push_back(static_cast<std::uint8_t>(total >> 4));
}

Bytes dword_pcc(std::uint32_t subspace) {
    Bytes d{0x87, 23, 0, 0x0a, 0x0c, 0};
    put(d, 0, 4);         // granularity
    put(d, subspace, 4);  // min
    put(d, subspace, 4);  // max
    put(d, 0, 4);         // translation
    put(d, 1, 4);         // length
    return d;
}

Bytes device(const std::string& name, unsigned uid, std::vector<std::uint32_t> pcc) {
    Bytes crs;
    for (auto p : pcc) {
        Bytes d = dword_pcc(p);
        crs.insert(crs.end(), d.begin(), d.end());
    }
    crs.push_back(0x79);
    crs.push_back(0);
    Bytes buf{0x0a, static_cast<std::uint8_t>(crs.size())};
    buf.insert(buf.end(), crs.begin(), crs.end());
    Bytes content;
    put_str(content, name);
    content.push_back(0x08);
    put_str(content, "_HID");
    content.push_back(0x0d);
    put_str(content, "DMT0001");
    content.push_back(0);
    content.push_back(0x08);
    put_str(content, "_UID");
    content.push_back(0x0a);
    content.push_back(static_cast<std::uint8_t>(uid));
    content.push_back(0x08);
    put_str(content, "_CRS");
    content.push_back(0x11);
    pkg(content, buf.size());
    content.insert(content.end(), buf.begin(), buf.end());
    Bytes dev{0x5b, 0x82};
    pkg(dev, content.size());
    dev.insert(dev.end(), content.begin(), content.end());
    return dev;
}

void test_ssdt() {
    Bytes scope_content;
    put_str(scope_content, "_SB_");
    for (auto& d : {device("MC00", 0, {0, 1}), device("MC02", 2, {2, 3}), device("MCXX", 9, {})}) {
        scope_content.insert(scope_content.end(), d.begin(), d.end());
    }
    Bytes body{0x10};
    pkg(body, scope_content.size());
    body.insert(body.end(), scope_content.begin(), scope_content.end());
    auto devs = lab::acpi::find_devices(table("SSDT", body), "DMT0001");
    CHECK(devs.size() == 3);
    if (devs.size() == 3) {
        CHECK(devs[0].name == "MC00" && devs[0].uid == 0u);
        CHECK(devs[0].pcc.size() == 2 && devs[0].pcc[0].subspace == 0 &&
              devs[0].pcc[1].subspace == 1);
        CHECK(devs[1].name == "MC02" && devs[1].uid == 2u);
        CHECK(devs[1].pcc.size() == 2 && devs[1].pcc[0].subspace == 2 &&
              devs[1].pcc[1].subspace == 3);
        CHECK(devs[2].name == "MCXX" && devs[2].pcc.empty());
    }
    CHECK(lab::acpi::find_devices(table("SSDT", body), "PNP0C02").empty());
}

// The SSDT of QEMU's pcc-xgene-hwmon,channel=4 as the guest saw it
// (hexdump of /sys/firmware/acpi/tables/SSDT): Device (XH04) { _HID
// "APMC0D29", _UID 4, _DSD { ToUUID (daffd814-...), { { "pcc-channel", 4 } } } }
const Bytes kXgeneSsdt{
    0x53, 0x53, 0x44, 0x54, 0x7b, 0x00, 0x00, 0x00, 0x02, 0x23, 0x42, 0x4f, 0x43, 0x48, 0x53, 0x20,
    0x50, 0x43, 0x43, 0x2d, 0x53, 0x53, 0x44, 0x54, 0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43,
    0x01, 0x00, 0x00, 0x00, 0x10, 0x46, 0x05, 0x5c, 0x5f, 0x53, 0x42, 0x5f, 0x5b, 0x82, 0x4d, 0x04,
    0x58, 0x48, 0x30, 0x34, 0x08, 0x5f, 0x48, 0x49, 0x44, 0x0d, 0x41, 0x50, 0x4d, 0x43, 0x30, 0x44,
    0x32, 0x39, 0x00, 0x08, 0x5f, 0x55, 0x49, 0x44, 0x0a, 0x04, 0x08, 0x5f, 0x44, 0x53, 0x44, 0x12,
    0x2b, 0x02, 0x11, 0x13, 0x0a, 0x10, 0x14, 0xd8, 0xff, 0xda, 0xba, 0x6e, 0x8c, 0x4d, 0x8a, 0x91,
    0xbc, 0x9b, 0xbf, 0x4a, 0xa3, 0x01, 0x12, 0x14, 0x01, 0x12, 0x11, 0x02, 0x0d, 0x70, 0x63, 0x63,
    0x2d, 0x63, 0x68, 0x61, 0x6e, 0x6e, 0x65, 0x6c, 0x00, 0x0a, 0x04,
};

void test_ssdt_dsd() {
    CHECK(lab::acpi::checksum_ok(kXgeneSsdt));
    auto devs = lab::acpi::find_devices(kXgeneSsdt, "APMC0D29");
    CHECK(devs.size() == 1);
    if (devs.size() == 1) {
        CHECK(devs[0].name == "XH04" && devs[0].uid == 4u && devs[0].pcc.empty());
        CHECK(devs[0].properties.size() == 1);
        CHECK(devs[0].property("pcc-channel") == 4u);
        CHECK(!devs[0].property("pcc-channels"));
    }
    CHECK(lab::acpi::find_devices(kXgeneSsdt, "DMT0001").empty());
    // channel 0 is ZeroOp, 1 OneOp; a 16-bit channel uses WordPrefix
    for (auto [op, bytes, want] : {std::tuple{std::uint8_t{0x00}, 0, 0u},
                                   {std::uint8_t{0x01}, 0, 1u},
                                   {std::uint8_t{0x0b}, 2, 0x1234u}}) {
        Bytes t(kXgeneSsdt.begin(), kXgeneSsdt.end() - 2);
        t.push_back(op);
        for (int i = 0; i < bytes; ++i) {
            t.push_back(static_cast<std::uint8_t>(0x1234 >> (8 * i)));
        }
        const int grow = bytes - 1;
        t[4] = static_cast<std::uint8_t>(t.size());
        t[0x2e] = static_cast<std::uint8_t>(t[0x2e] + grow);  // Device PkgLength (low nibble)
        t[0x26] = static_cast<std::uint8_t>(t[0x26] + grow);  // Scope PkgLength
        t[0x50] = static_cast<std::uint8_t>(t[0x50] + grow);  // _DSD package
        t[0x67] = static_cast<std::uint8_t>(t[0x67] + grow);  // properties package
        t[0x6a] = static_cast<std::uint8_t>(t[0x6a] + grow);  // the property
        auto d = lab::acpi::find_devices(t, "APMC0D29");
        CHECK(d.size() == 1 && d[0].property("pcc-channel") == want);
    }
}

void test_kmsg() {
    lab::KmsgRecord r;
    CHECK(
        lab::parse_kmsg_record("6,339,5140900,-;Detected 4 PCC Subspaces\n SUBSYSTEM=acpi\n", &r));
    CHECK(r.level == 6 && r.text == "Detected 4 PCC Subspaces");
    CHECK(lab::parse_kmsg_record("12,1,2,-;user message\n", &r) && r.level == 4);
    CHECK(!lab::parse_kmsg_record("garbage", &r));
    auto v = lab::parse_syslog_text("<6>one\n<3>two\nthree\n");
    CHECK(v.size() == 3 && v[1].level == 3 && v[1].text == "two" && v[2].text == "three");
}

void test_cpio() {
    lab::CpioWriter w;
    w.directory("/bin");
    w.file("/bin/x", std::string("hello"), 0755);
    w.char_device("/dev/console", 5, 1);
    w.finish();
    const auto& b = w.bytes();
    CHECK(b.size() % 4 == 0);
    CHECK(std::memcmp(b.data(), "070701", 6) == 0);
    std::string s(b.begin(), b.end());
    CHECK(s.find("bin/x") != std::string::npos && s.find("/bin/x") == std::string::npos);
    CHECK(s.find("hello") != std::string::npos);
    CHECK(s.find("TRAILER!!!") != std::string::npos);
    // every header starts 4-aligned
    for (auto at = s.find("070701", 1); at != std::string::npos; at = s.find("070701", at + 1)) {
        CHECK(at % 4 == 0);
    }
    // mode of /bin/x: S_IFREG|0755 = 0x81ed
    CHECK(s.find("000081ED") != std::string::npos);
}

void test_scenario() {
    auto s = lab::parse_scenario(
        "# c\ndescription = d\ntimeout = 12\ndevice = pcc-mctp,channel=0\n"
        "modules = a b-c\nguest = x --y\nguest = z\npccd = --spool @spool:c0\n"
        "pccd-missing = continue\nrequire = r1 r2\n",
        "dir/name.conf");
    CHECK(s.name == "name" && s.description == "d" && s.timeout_s == 12);
    CHECK(s.devices.size() == 1 && s.modules.size() == 2 && s.guest.size() == 2);
    CHECK(s.pccd && *s.pccd == "--spool @spool:c0" && !s.pccd_required);
    CHECK(s.require.size() == 2);
    bool threw = false;
    try {
        lab::parse_scenario("guest = x\nbogus = 1\n", "f.conf");
    } catch (const std::runtime_error& e) {
        threw = std::string(e.what()).find("f.conf:2") != std::string::npos;
    }
    CHECK(threw);
    threw = false;
    try {
        lab::parse_scenario("device = x\n", "f.conf");
    } catch (const std::runtime_error&) {
        threw = true;
    }
    CHECK(threw);
}

void test_modinfo() {
    std::string ko = std::string(
                         "\x7f"
                         "ELF junk",
                         9) +
                     std::string("\0license=GPL\0depends=hwmon,i2c-core\0name=x\0", 42);
    auto d = lab::module_depends(Bytes(ko.begin(), ko.end()));
    CHECK(d.size() == 2 && d[0] == "hwmon" && d[1] == "i2c_core");
    std::string none = std::string("\0depends=\0", 10);
    CHECK(lab::module_depends(Bytes(none.begin(), none.end())).empty());
}

// MCTP control and PLDM base, byte for byte (DSP0236 tables 12-21, DSP0240)
void test_mctp() {
    namespace m = lab::mctp;
    std::string err;
    CHECK(m::control_request(3, m::kGetEndpointId) == (Bytes{0x83, 0x02}));
    const std::uint8_t base = 0xff;
    CHECK(m::control_request(33, m::kGetVersionSupport, std::span(&base, 1)) ==
          (Bytes{0x81, 0x04, 0xff}));
    CHECK(m::control_request(0, m::kGetMessageTypeSupport) == (Bytes{0x80, 0x05}));

    // Get Endpoint ID as pccd answers it: EID 8, simple endpoint, static EID in use
    auto r = m::parse_control_response(Bytes{0x03, 0x02, 0x00, 0x08, 0x02, 0x00}, 3,
                                       m::kGetEndpointId, &err);
    CHECK(r.has_value());
    if (r) {
        auto e = m::parse_get_endpoint_id(*r, &err);
        CHECK(e && e->eid == 8 && e->endpoint_type == 0 && e->eid_type == 2);
    }
    // a completion code other than 0 is reported, not parsed
    r = m::parse_control_response(Bytes{0x03, 0x02, 0x05}, 3, m::kGetEndpointId, &err);
    CHECK(r && !m::parse_get_endpoint_id(*r, &err) && err.find("0x05") != std::string::npos);
    // not an answer to what was asked
    CHECK(!m::parse_control_response(Bytes{0x03, 0x04, 0x00}, 3, m::kGetEndpointId, &err));
    CHECK(err.find("command 0x04") != std::string::npos);
    CHECK(!m::parse_control_response(Bytes{0x04, 0x02, 0x00}, 3, m::kGetEndpointId, &err));
    CHECK(err.find("instance ID 4") != std::string::npos);
    CHECK(!m::parse_control_response(Bytes{0x83, 0x02, 0x00}, 3, m::kGetEndpointId, &err));
    CHECK(!m::parse_control_response(Bytes{0x03, 0x02}, 3, m::kGetEndpointId, &err));

    // Get MCTP Version Support: one entry, 1.3.1
    r = m::parse_control_response(Bytes{0x01, 0x04, 0x00, 0x01, 0xf1, 0xf3, 0xf1, 0x00}, 1,
                                  m::kGetVersionSupport, &err);
    CHECK(r.has_value());
    if (r) {
        auto v = m::parse_version_support(*r, &err);
        CHECK(v && v->size() == 1 && (*v)[0] == 0xf1f3f100u);
        CHECK(v && m::version_text((*v)[0]) == "1.3.1");
    }
    CHECK(m::version_text(0xf1f0ff00u) == "1.0");
    {
        m::ControlResponse bad;
        bad.data = {0x02, 0xf1, 0xf3, 0xf1, 0x00};  // two announced, one there
        CHECK(!m::parse_version_support(bad, &err));
    }
    // Get Message Type Support: PLDM (01) and a vendor type
    r = m::parse_control_response(Bytes{0x02, 0x05, 0x00, 0x02, 0x01, 0x7e}, 2,
                                  m::kGetMessageTypeSupport, &err);
    CHECK(r.has_value());
    if (r) {
        auto t = m::parse_message_types(*r, &err);
        CHECK(t && *t == (Bytes{0x01, 0x7e}));
    }
    r = m::parse_control_response(Bytes{0x02, 0x05, 0x00, 0x03, 0x01}, 2, m::kGetMessageTypeSupport,
                                  &err);
    CHECK(r && !m::parse_message_types(*r, &err));

    // PLDM base: GetTID and GetPLDMTypes
    CHECK(m::pldm_request(4, m::kPldmTypeBase, m::kPldmGetTid) == (Bytes{0x84, 0x00, 0x02}));
    CHECK(m::pldm_request(37, m::kPldmTypeBase, m::kPldmGetTypes) == (Bytes{0x85, 0x00, 0x04}));
    auto p =
        m::parse_pldm_response(Bytes{0x04, 0x00, 0x02, 0x00, 0x01}, 4, 0, m::kPldmGetTid, &err);
    CHECK(p && p->completion == 0 && p->data == Bytes{0x01});
    p = m::parse_pldm_response(Bytes{0x05, 0x00, 0x04, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0x80}, 5, 0,
                               m::kPldmGetTypes, &err);
    CHECK(p.has_value());
    if (p) {
        auto t = m::parse_pldm_types(*p, &err);
        CHECK(t && *t == (std::vector<unsigned>{0, 2, 63}));
    }
    CHECK(!m::parse_pldm_response(Bytes{0x04, 0x40, 0x02, 0x00, 0x01}, 4, 0, m::kPldmGetTid,
                                  &err));  // hdr ver 1
    CHECK(!m::parse_pldm_response(Bytes{0x04, 0x00, 0x04, 0x00}, 4, 0, m::kPldmGetTid, &err));
    CHECK(!m::parse_pldm_response(Bytes{0x84, 0x00, 0x02, 0x00}, 4, 0, m::kPldmGetTid, &err));
    p = m::parse_pldm_response(Bytes{0x05, 0x00, 0x04, 0x20}, 5, 0, m::kPldmGetTypes, &err);
    CHECK(p && !m::parse_pldm_types(*p, &err) && err.find("0x20") != std::string::npos);
}

// rtnetlink requests, byte for byte (little-endian host, as the guest)
void test_netlink() {
    namespace n = lab::netlink;
    const Bytes up{
        0x30, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // RTM_NEWLINK
        0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // ifindex 3, IFF_UP
        0x10, 0x00, 0x1a, 0x80, 0x0c, 0x00, 0x2d, 0x80,
        0x08, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00,  // AF_SPEC{MCTP{NET 2}}
    };
    CHECK(n::link_up(1, 3, 2u) == up);
    Bytes plain(up.begin(), up.begin() + 32);
    plain[0] = 0x20;
    CHECK(n::link_up(1, 3, std::nullopt) == plain);
    const Bytes addr{
        0x20, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x06,
        0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // RTM_NEWADDR
        0x2d, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,  // AF_MCTP, ifindex 3
        0x05, 0x00, 0x02, 0x00, 0x09, 0x00, 0x00, 0x00,  // IFA_LOCAL 9
    };
    CHECK(n::mctp_add_address(2, 3, 9) == addr);
    const Bytes route{
        0x2c, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x06, 0x03, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00,                                                        // RTM_NEWROUTE
        0x2d, 0x00, 0x00, 0x00, 0xfd, 0x04, 0xfd, 0x01, 0x00, 0x00, 0x00, 0x00,  // AF_MCTP,
                                                                                 // table/proto/scope/unicast
        0x05, 0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00,  // RTA_DST 8
        0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,  // RTA_OIF 3
    };
    CHECK(n::mctp_add_route(3, 3, 8) == route);

    // NLMSG_ERROR for seq 7 with -EEXIST (capped: only the request's header follows)
    Bytes ack{0x24, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x07, 0x00,
              0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xef, 0xff, 0xff, 0xff};
    ack.insert(ack.end(), route.begin(), route.begin() + 16);
    std::string err;
    CHECK(n::parse_ack(ack, 7, &err) == -17);
    CHECK(!n::parse_ack(ack, 8, &err) && err.find("no acknowledgement") != std::string::npos);
    Bytes ok = ack;
    std::memset(ok.data() + 16, 0, 4);
    CHECK(n::parse_ack(ok, 7, &err) == 0);
    CHECK(!n::parse_ack(Bytes(ack.begin(), ack.begin() + 20), 7, &err) &&
          err.find("truncated") != std::string::npos);
}

}  // namespace

int main() {
    test_pcct();
    test_ssdt();
    test_ssdt_dsd();
    test_kmsg();
    test_cpio();
    test_scenario();
    test_modinfo();
    test_mctp();
    test_netlink();
    std::printf("%d checks, %d failed\n", g_checks, g_failures);
    return g_failures ? 1 : 0;
}
