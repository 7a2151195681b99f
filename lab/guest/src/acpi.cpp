// SPDX-License-Identifier: GPL-2.0-or-later
#include "acpi.hpp"

#include <algorithm>

namespace lab::acpi {
namespace {

std::uint64_t le(std::span<const std::uint8_t> b, std::size_t off, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        v |= std::uint64_t{b[off + i]} << (8 * i);
    }
    return v;
}

std::string chars(std::span<const std::uint8_t> b, std::size_t off, std::size_t n) {
    std::string s(reinterpret_cast<const char*>(b.data() + off), n);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) {
        s.pop_back();
    }
    return s;
}

// AML PkgLength at `pos`: {value, bytes used}; nullopt past the end.
std::optional<std::pair<std::size_t, std::size_t>> pkg_length(std::span<const std::uint8_t> b,
                                                              std::size_t pos) {
    if (pos >= b.size()) {
        return std::nullopt;
    }
    const unsigned lead = b[pos];
    const unsigned follow = lead >> 6;
    if (pos + follow >= b.size()) {
        return std::nullopt;
    }
    if (follow == 0) {
        return std::pair{std::size_t{lead & 0x3fu}, std::size_t{1}};
    }
    std::size_t v = lead & 0x0fu;
    for (unsigned i = 0; i < follow; ++i) {
        v |= std::size_t{b[pos + 1 + i]} << (4 + 8 * i);
    }
    return std::pair{v, std::size_t{1 + follow}};
}

std::optional<std::size_t> find(std::span<const std::uint8_t> hay,
                                std::span<const std::uint8_t> needle, std::size_t from,
                                std::size_t to) {
    to = std::min(to, hay.size());
    if (needle.empty() || from >= to || to - from < needle.size()) {
        return std::nullopt;
    }
    auto first = hay.begin() + static_cast<std::ptrdiff_t>(from);
    auto last = hay.begin() + static_cast<std::ptrdiff_t>(to);
    auto it = std::search(first, last, needle.begin(), needle.end());
    if (it == last) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(it - hay.begin());
}

// AML integer data object at `pos` (ZeroOp, OneOp, BytePrefix ...).
std::optional<std::uint64_t> aml_integer(std::span<const std::uint8_t> b, std::size_t pos) {
    if (pos >= b.size()) {
        return std::nullopt;
    }
    auto sized = [&](std::size_t n) -> std::optional<std::uint64_t> {
        if (pos + 1 + n > b.size()) {
            return std::nullopt;
        }
        return le(b, pos + 1, n);
    };
    switch (b[pos]) {
        case 0x00:
            return 0;
        case 0x01:
            return 1;
        case 0xff:
            return ~std::uint64_t{0};
        case 0x0a:
            return sized(1);
        case 0x0b:
            return sized(2);
        case 0x0c:
            return sized(4);
        case 0x0e:
            return sized(8);
        default:
            return std::nullopt;
    }
}

}  // namespace

std::optional<Header> parse_header(std::span<const std::uint8_t> t) {
    if (t.size() < kHeaderSize) {
        return std::nullopt;
    }
    Header h;
    h.signature = std::string(reinterpret_cast<const char*>(t.data()), 4);
    h.length = static_cast<std::uint32_t>(le(t, 4, 4));
    h.revision = t[8];
    h.oem_table_id = chars(t, 16, 8);
    return h;
}

bool checksum_ok(std::span<const std::uint8_t> t) {
    std::uint8_t sum = 0;
    for (auto b : t) {
        sum = static_cast<std::uint8_t>(sum + b);
    }
    return sum == 0;
}

unsigned pcct_subtable_length(std::uint8_t type) {
    switch (type) {
        case 0:
        case 1:
            return 62;
        case 2:
            return 90;
        case 3:
        case 4:
            return 164;
        case 5:
            return 48;
        default:
            return 0;
    }
}

std::optional<Pcct> parse_pcct(std::span<const std::uint8_t> t, std::string* error) {
    auto fail = [&](std::string why) -> std::optional<Pcct> {
        if (error) {
            *error = std::move(why);
        }
        return std::nullopt;
    };
    auto h = parse_header(t);
    if (!h) {
        return fail("table shorter than an ACPI header");
    }
    if (h->signature != "PCCT") {
        return fail("signature is '" + h->signature + "', not 'PCCT'");
    }
    if (h->length != t.size()) {
        return fail("header length " + std::to_string(h->length) + " but " +
                    std::to_string(t.size()) + " bytes");
    }
    if (t.size() < kHeaderSize + 12) {
        return fail("no room for the PCCT flags");
    }
    Pcct p;
    p.flags = static_cast<std::uint32_t>(le(t, kHeaderSize, 4));
    std::size_t off = kHeaderSize + 12;
    unsigned index = 0;
    while (off < t.size()) {
        if (off + 2 > t.size()) {
            return fail("truncated subtable header at offset " + std::to_string(off));
        }
        PccSubspace s;
        s.index = index;
        s.type = t[off];
        s.length = t[off + 1];
        if (s.length < 2 || off + s.length > t.size()) {
            return fail("subspace " + std::to_string(index) + ": length " +
                        std::to_string(s.length) + " does not fit the table");
        }
        const unsigned want = pcct_subtable_length(s.type);
        if (want == 0) {
            return fail("subspace " + std::to_string(index) + ": unknown type " +
                        std::to_string(s.type));
        }
        if (s.length != want) {
            return fail("subspace " + std::to_string(index) + " (type " + std::to_string(s.type) +
                        "): length " + std::to_string(s.length) + ", expected " +
                        std::to_string(want));
        }
        auto sub = t.subspan(off, s.length);
        if (s.type <= 4) {
            if (s.type != 0) {
                s.gsi = static_cast<std::uint32_t>(le(sub, 2, 4));
                s.irq_flags = sub[6];
            }
            s.base = le(sub, 8, 8);
            s.size = s.type >= 3 ? le(sub, 16, 4) : le(sub, 16, 8);
            s.latency_us = static_cast<std::uint32_t>(le(sub, s.type >= 3 ? 48 : 52, 4));
        }
        p.subspaces.push_back(s);
        off += s.length;
        ++index;
    }
    return p;
}

std::vector<AmlDevice> find_devices(std::span<const std::uint8_t> t, const std::string& hid) {
    std::vector<AmlDevice> out;
    if (t.size() <= kHeaderSize) {
        return out;
    }
    // Name (_HID, "hid"): 08 '_HID' 0D <hid> 00
    std::vector<std::uint8_t> needle{0x08, '_', 'H', 'I', 'D', 0x0d};
    needle.insert(needle.end(), hid.begin(), hid.end());
    needle.push_back(0x00);

    std::size_t from = kHeaderSize;
    while (auto at = find(t, needle, from, t.size())) {
        from = *at + needle.size();
        AmlDevice dev;
        dev.hid = hid;
        // The innermost enclosing Device(): DeviceOp 5B 82 PkgLength NameSeg
        std::size_t body_begin = *at, body_end = t.size();
        for (std::size_t p = *at; p-- > kHeaderSize;) {
            if (t[p] != 0x5b || p + 2 >= t.size() || t[p + 1] != 0x82) {
                continue;
            }
            auto pl = pkg_length(t, p + 2);
            if (!pl || p + 2 + pl->first <= *at) {
                continue;
            }
            const std::size_t name_at = p + 2 + pl->second;
            if (name_at + 4 <= t.size()) {
                dev.name = chars(t, name_at, 4);
            }
            body_begin = name_at;
            body_end = std::min(t.size(), p + 2 + pl->first);
            break;
        }
        static const std::uint8_t uid_name[] = {0x08, '_', 'U', 'I', 'D'};
        if (auto u = find(t, uid_name, body_begin, body_end)) {
            dev.uid = aml_integer(t, *u + sizeof(uid_name));
        }
        // DWord Address Space Descriptor: 87 len16 type=0A ...
        for (std::size_t p = body_begin; p + 26 <= body_end; ++p) {
            if (t[p] != 0x87 || le(t, p + 1, 2) < 23 || t[p + 3] != 0x0a) {
                continue;
            }
            PccResource r;
            r.subspace = static_cast<std::uint32_t>(le(t, p + 10, 4));
            r.max = static_cast<std::uint32_t>(le(t, p + 14, 4));
            r.length = static_cast<std::uint32_t>(le(t, p + 22, 4));
            dev.pcc.push_back(r);
            p += 2 + le(t, p + 1, 2);  // skip the descriptor (loop adds 1)
        }
        // _DSD: Name (_DSD, Package () { ToUUID (...), Package () {
        // Package () { "key", value }, ... } }): every string followed by an
        // integer inside the _DSD's package is a property
        static const std::uint8_t dsd_name[] = {0x08, '_', 'D', 'S', 'D', 0x12};
        if (auto d = find(t, dsd_name, body_begin, body_end)) {
            const std::size_t pkg_at = *d + sizeof(dsd_name);
            auto pl = pkg_length(t, pkg_at);
            const std::size_t dsd_end = pl ? std::min(body_end, pkg_at + pl->first) : body_end;
            // after PkgLength and NumElements: the UUID, a Buffer (11h) to skip,
            // then the properties package
            std::size_t first = pkg_at + (pl ? pl->second : 0) + 1;
            if (first < dsd_end && t[first] == 0x11) {
                if (auto bl = pkg_length(t, first + 1)) {
                    first += 1 + bl->first;
                }
            }
            for (std::size_t p = first; p < dsd_end; ++p) {
                if (t[p] != 0x0d) {
                    continue;
                }
                std::size_t e = p + 1;
                while (e < dsd_end && t[e] >= 0x20 && t[e] < 0x7f) {
                    ++e;
                }
                if (e == p + 1 || e >= dsd_end || t[e] != 0) {
                    continue;
                }
                if (auto v = aml_integer(t, e + 1)) {
                    dev.properties.emplace_back(chars(t, p + 1, e - p - 1), *v);
                }
                p = e;
            }
        }
        out.push_back(std::move(dev));
    }
    return out;
}

std::optional<std::uint64_t> AmlDevice::property(const std::string& key) const {
    for (const auto& [k, v] : properties) {
        if (k == key) {
            return v;
        }
    }
    return std::nullopt;
}

}  // namespace lab::acpi
