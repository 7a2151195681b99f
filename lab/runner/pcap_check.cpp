// SPDX-License-Identifier: GPL-2.0-or-later
#include "pcap_check.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "kernel.hpp"
#include "pcapng_format.hpp"
#include "text.hpp"

namespace lab {

namespace {

namespace pcapng = pcc::pcapng;
constexpr std::string_view kTag = "PCC-INFO raw-pcap ";

std::uint32_t le32(std::string_view b, std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[at])) |
           static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[at + 1])) << 8 |
           static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[at + 2])) << 16 |
           static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[at + 3])) << 24;
}

std::uint16_t le16(std::string_view b, std::size_t at) {
    return static_cast<std::uint16_t>(static_cast<std::uint8_t>(b[at]) |
                                      static_cast<std::uint8_t>(b[at + 1]) << 8);
}

std::uint32_t be(std::string_view b, std::size_t at, int n) {
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i) {
        v = v << 8 | static_cast<std::uint8_t>(b[at + i]);
    }
    return v;
}

std::optional<std::size_t> number(std::string_view w) {
    if (w.empty() || w.size() > 9 || w.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
    }
    return std::stoul(std::string(w));
}

std::string digest_of(const std::vector<std::uint8_t>& bytes, std::size_t from) {
    const std::string_view all(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return Digest().add(all.substr(std::min(from, all.size()))).hex();
}

std::string what(const GuestMessage& g) {
    return g.unseen        ? "an answer it could not read"
           : g.to_platform ? std::to_string(g.length) + " bytes it wrote"
                           : std::to_string(g.length) + " bytes it read";
}

// One channel: the guest's messages against the captured ones, in order.
Result compare(unsigned channel, const std::vector<GuestMessage>& guest,
               const std::vector<const CapturedMessage*>& captured) {
    const std::string name = "pcap-c" + std::to_string(channel);
    std::size_t in = 0, out = 0, unseen = 0;
    for (std::size_t i = 0; i < guest.size(); ++i) {
        const GuestMessage& g = guest[i];
        const std::string where = "message " + std::to_string(i + 1) + " (" + what(g) + ")";
        if (i >= captured.size()) {
            return {Status::fail, name,
                    where + ": pccd's pcap has only " + std::to_string(captured.size()) +
                        " messages on the channel"};
        }
        const CapturedMessage& c = *captured[i];
        if (c.outgoing == g.to_platform) {
            return {Status::fail, name,
                    where + ": the pcap's message goes the other way (" +
                        (c.outgoing ? "from pccd" : "to pccd") + ", " +
                        std::to_string(c.bytes.size()) + " bytes)"};
        }
        if (g.unseen) {
            ++unseen;
            continue;
        }
        if (c.bytes.size() != g.length) {
            return {Status::fail, name,
                    where + ": the pcap's has " + std::to_string(c.bytes.size()) + " bytes"};
        }
        if (const std::string d = digest_of(c.bytes, g.from); d != g.fnv) {
            return {Status::fail, name,
                    where + ": bytes " + std::to_string(g.from) + ".." + std::to_string(g.length) +
                        " differ from the pcap's (FNV-1a " + g.fnv + " in the guest, " + d +
                        " in the pcap)"};
        }
        ++(g.to_platform ? in : out);
    }
    if (captured.size() > guest.size()) {
        return {Status::fail, name,
                "pccd's pcap has " + std::to_string(captured.size() - guest.size()) +
                    " messages more on the channel than the guest wrote and read (" +
                    std::to_string(guest.size()) + ")"};
    }
    std::string msg = std::to_string(in) + " messages written and " + std::to_string(out) +
                      " read by the guest equal pccd's pcap byte for byte (FNV-1a 64)";
    if (unseen) {
        msg += "; " + std::to_string(unseen) + " answer(s) in the pcap the guest could not read";
    }
    return {Status::ok, name, msg};
}

}  // namespace

std::vector<CapturedMessage> parse_pcapng(std::string_view f) {
    std::vector<CapturedMessage> out;
    std::vector<std::uint16_t> linktypes;  // of the current section's interfaces
    for (std::size_t at = 0; at < f.size();) {
        if (f.size() - at < 12) {
            throw std::runtime_error("a truncated block at offset " + std::to_string(at));
        }
        const std::uint32_t type = le32(f, at), len = le32(f, at + 4);
        if (len < 12 || len % 4 != 0 || len > f.size() - at || le32(f, at + len - 4) != len) {
            throw std::runtime_error("a bad block length " + std::to_string(len) + " at offset " +
                                     std::to_string(at));
        }
        const std::string_view body = f.substr(at + 8, len - 12);
        if (type == pcapng::kBlockSectionHeader) {
            if (body.size() < 4 || le32(body, 0) != pcapng::kByteOrderMagic) {
                throw std::runtime_error("not a little-endian pcapng section");
            }
            linktypes.clear();
        } else if (type == pcapng::kBlockInterfaceDescription) {
            if (body.size() < 8) {
                throw std::runtime_error("a short interface description block");
            }
            linktypes.push_back(le16(body, 0));
        } else if (type == pcapng::kBlockEnhancedPacket) {
            if (body.size() < 20) {
                throw std::runtime_error("a short enhanced packet block");
            }
            const std::uint32_t iface = le32(body, 0), caplen = le32(body, 12);
            if (iface >= linktypes.size() || linktypes[iface] != pcapng::kLinktypeLinuxSll2) {
                throw std::runtime_error("a packet on an interface that is not LINUX_SLL2");
            }
            if (caplen > body.size() - 20 || caplen < pcapng::kSll2HeaderSize) {
                throw std::runtime_error("a packet whose length does not fit its block");
            }
            const std::string_view p = body.substr(20, caplen);
            CapturedMessage m;
            m.protocol = static_cast<std::uint16_t>(be(p, 0, 2));
            m.ifindex = be(p, 4, 4);
            m.outgoing = static_cast<std::uint8_t>(p[10]) == pcapng::kPacketOutgoing;
            m.bytes.assign(p.begin() + pcapng::kSll2HeaderSize, p.end());
            // options after the packet data, padded to 32 bits
            for (std::size_t o = 20 + (caplen + 3) / 4 * 4; o + 4 <= body.size();) {
                const std::uint16_t code = le16(body, o), olen = le16(body, o + 2);
                if (code == pcapng::kOptionEndOfOptions || olen > body.size() - o - 4) {
                    break;
                }
                if (code == pcapng::kOptionComment) {
                    m.comment = std::string(body.substr(o + 4, olen));
                }
                o += 4 + (olen + 3u) / 4 * 4;
            }
            out.push_back(std::move(m));
        }
        at += len;
    }
    return out;
}

std::optional<GuestMessage> parse_guest_message(std::string_view text) {
    const auto w = pcc::split_words(text);
    if (w.size() < 2 || w[0].size() < 2 || w[0][0] != 'c') {
        return std::nullopt;
    }
    const auto ch = number(w[0].substr(1));
    if (!ch || *ch > 255) {
        return std::nullopt;
    }
    GuestMessage g;
    g.channel = static_cast<unsigned>(*ch);
    if (w[1] == "out-unseen" && w.size() == 2) {
        g.unseen = true;
        return g;
    }
    if (w.size() != 5 || (w[1] != "in" && w[1] != "out")) {
        return std::nullopt;
    }
    const auto len = number(w[2]), from = number(w[3]);
    if (!len || !from || *from > *len || w[4].size() != 16 ||
        w[4].find_first_not_of("0123456789abcdef") != std::string_view::npos) {
        return std::nullopt;
    }
    g.to_platform = w[1] == "in";
    g.length = *len;
    g.from = *from;
    g.fnv = std::string(w[4]);
    return g;
}

void PcapExpectations::feed(std::string_view line) {
    const auto at = line.find(kTag);
    if (at == std::string_view::npos) {
        return;
    }
    if (auto g = parse_guest_message(line.substr(at + kTag.size()))) {
        channels_[g->channel].push_back(std::move(*g));
    } else {
        ++malformed_;
    }
}

std::vector<Result> check_pcap(const PcapExpectations& guest,
                               const std::vector<CapturedMessage>& captured) {
    std::vector<Result> results;
    if (guest.malformed()) {
        results.push_back({Status::fail, "pcap",
                           std::to_string(guest.malformed()) +
                               " raw-pcap line(s) of the guest did not parse (garbled console?)"});
    }
    for (const auto& [channel, messages] : guest.channels()) {
        std::vector<const CapturedMessage*> mine;
        for (const auto& c : captured) {
            if (c.protocol == pcapng::kEthertypeLocalExperimental && c.ifindex == channel) {
                mine.push_back(&c);
            }
        }
        results.push_back(compare(channel, messages, mine));
    }
    if (guest.channels().empty()) {
        results.push_back({Status::fail, "pcap", "the guest reported no raw-pcap messages"});
    }
    return results;
}

std::vector<Result> check_pcap(const PcapExpectations& guest, const std::string& pcap_path) {
    std::ifstream f(pcap_path, std::ios::binary);
    if (!f) {
        return {{Status::fail, "pcap", pcap_path + ": pccd wrote no pcap file (--pcap?)"}};
    }
    std::stringstream ss;
    ss << f.rdbuf();
    try {
        return check_pcap(guest, parse_pcapng(ss.str()));
    } catch (const std::runtime_error& e) {
        return {{Status::fail, "pcap", pcap_path + ": " + e.what()}};
    }
}

}  // namespace lab
