// SPDX-License-Identifier: GPL-2.0-or-later
// The guest's ACPI readers (lab/guest/src/acpi.cpp), built for the host:
// PCCT, the DMT0001 devices of an SSDT, and the _DSD of the APMC0D29
// device from the bytes QEMU built.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "acpi.hpp"

namespace {

namespace acpi = lab::acpi;
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
    s.resize(48, 0);
    put(s, 2000 + type, 4);  // nominal latency (us)
    s.resize(164, 0);
    return s;
}

Bytes generic_subspace(std::uint64_t base) {
    Bytes s{0, 62};
    put(s, 0, 6);
    put(s, base, 8);
    put(s, 0x1000, 8);
    s.resize(52, 0);
    put(s, 1000, 4);  // nominal latency (us)
    s.resize(62, 0);
    return s;
}

TEST(Pcct, ParsesSubspacesOfEveryLayout) {
    Bytes body;
    put(body, 1, 4);  // flags: platform interrupt
    put(body, 0, 8);
    for (auto& s :
         {ext_subspace(3, 40, 0x10000), ext_subspace(4, 41, 0x11000), generic_subspace(0x12000)}) {
        body.insert(body.end(), s.begin(), s.end());
    }
    Bytes t = table("PCCT", body);
    EXPECT_TRUE(acpi::checksum_ok(t));
    std::string err;
    auto p = acpi::parse_pcct(t, &err);
    ASSERT_TRUE(p.has_value()) << err;
    EXPECT_EQ(p->flags, 1u);
    ASSERT_EQ(p->subspaces.size(), 3u);
    EXPECT_TRUE(p->subspaces[0].type == 3 && p->subspaces[0].gsi == 40u &&
                p->subspaces[0].base == 0x10000);
    EXPECT_TRUE(p->subspaces[1].type == 4 && p->subspaces[1].size == 0x1000);
    EXPECT_TRUE(p->subspaces[2].type == 0 && !p->subspaces[2].gsi &&
                p->subspaces[2].base == 0x12000);
    EXPECT_EQ(p->subspaces[0].latency_us, 2003u);
    EXPECT_EQ(p->subspaces[1].latency_us, 2004u);
    EXPECT_EQ(p->subspaces[2].latency_us, 1000u);

    // a subtable with the wrong length is reported with its index
    Bytes bad = body;
    bad[12 + 164 + 1] = 160;
    auto q = acpi::parse_pcct(table("PCCT", bad), &err);
    EXPECT_FALSE(q.has_value());
    EXPECT_NE(err.find("subspace 1"), std::string::npos) << err;
    t[40] ^= 1;
    EXPECT_FALSE(acpi::checksum_ok(t));
    EXPECT_FALSE(acpi::parse_pcct(table("APIC", body), &err).has_value());
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

TEST(Ssdt, FindsDmt0001DevicesAndTheirPccResources) {
    Bytes scope_content;
    put_str(scope_content, "_SB_");
    for (auto& d : {device("MC00", 0, {0, 1}), device("MC02", 2, {2, 3}), device("MCXX", 9, {})}) {
        scope_content.insert(scope_content.end(), d.begin(), d.end());
    }
    Bytes body{0x10};
    pkg(body, scope_content.size());
    body.insert(body.end(), scope_content.begin(), scope_content.end());
    auto devs = acpi::find_devices(table("SSDT", body), "DMT0001");
    ASSERT_EQ(devs.size(), 3u);
    EXPECT_TRUE(devs[0].name == "MC00" && devs[0].uid == 0u);
    EXPECT_TRUE(devs[0].pcc.size() == 2 && devs[0].pcc[0].subspace == 0 &&
                devs[0].pcc[1].subspace == 1);
    EXPECT_TRUE(devs[1].name == "MC02" && devs[1].uid == 2u);
    EXPECT_TRUE(devs[1].pcc.size() == 2 && devs[1].pcc[0].subspace == 2 &&
                devs[1].pcc[1].subspace == 3);
    EXPECT_TRUE(devs[2].name == "MCXX" && devs[2].pcc.empty());
    EXPECT_TRUE(acpi::find_devices(table("SSDT", body), "PNP0C02").empty());
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

TEST(Ssdt, ReadsTheDsdOfQemusXgeneDevice) {
    EXPECT_TRUE(acpi::checksum_ok(kXgeneSsdt));
    auto devs = acpi::find_devices(kXgeneSsdt, "APMC0D29");
    ASSERT_EQ(devs.size(), 1u);
    EXPECT_TRUE(devs[0].name == "XH04" && devs[0].uid == 4u && devs[0].pcc.empty());
    EXPECT_EQ(devs[0].properties.size(), 1u);
    EXPECT_EQ(devs[0].property("pcc-channel"), 4u);
    EXPECT_FALSE(devs[0].property("pcc-channels"));
    EXPECT_TRUE(acpi::find_devices(kXgeneSsdt, "DMT0001").empty());
}

TEST(Ssdt, ReadsEveryIntegerEncodingOfTheChannel) {
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
        auto d = acpi::find_devices(t, "APMC0D29");
        EXPECT_TRUE(d.size() == 1 && d[0].property("pcc-channel") == want) << "op " << int{op};
    }
}

}  // namespace
