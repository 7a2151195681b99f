// SPDX-License-Identifier: GPL-2.0-or-later
// pcapng capture: one Section Header Block, one Interface Description Block
// with LINKTYPE_LINUX_SLL2 (276), and an Enhanced Packet Block per packet.
// Each packet gets a 20-byte SLL2 header carrying the protocol (ethertype) and
// ARPHRD type that the personality names (MCTP: ETH_P_MCTP 0x00FA and
// ARPHRD_MCTP 290, which Wireshark's MCTP dissector is registered for); the
// SLL2 interface index is the channel.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bytes.hpp"
#include "pcapng_format.hpp"
#include "result.hpp"
#include "unique_fd.hpp"

namespace pccd {

using pcc::pcapng::kLinktypeLinuxSll2;
using pcc::pcapng::kPacketHost;
using pcc::pcapng::kPacketOutgoing;
constexpr std::uint32_t kPcapSnapLen = 262144;

Bytes pcapng_section_header();
Bytes pcapng_interface_description(std::uint16_t linktype, std::uint32_t snaplen);
// Timestamp in microseconds (the default if_tsresol). A non-empty `comment`
// becomes the packet's opt_comment (pccd's decoded log line of the message).
Bytes pcapng_enhanced_packet(std::uint32_t interface, std::uint64_t timestamp_us, ByteView data,
                             std::string_view comment = {});
// The SLL2 header: protocol, reserved, interface index, ARPHRD type, packet
// type, address length, 8 address bytes. Integers big-endian.
Bytes sll2_header(std::uint16_t protocol, std::uint32_t ifindex, std::uint16_t arphrd,
                  std::uint8_t packet_type);

// A packet a personality wants recorded (Personality::capture).
struct CapturedPacket {
    std::uint16_t protocol = 0;  // SLL2 protocol (ethertype)
    std::uint16_t arphrd = 0;    // SLL2 ARPHRD type
    ByteView bytes;
};

class PcapngWriter {
  public:
    static Result<std::unique_ptr<PcapngWriter>> create(const std::string& path);
    // The channel is the SLL2 interface index; outgoing = platform -> guest.
    void write_packet(unsigned channel, bool outgoing, const CapturedPacket& packet,
                      std::string_view comment = {});
    void write_packet_at(unsigned channel, bool outgoing, const CapturedPacket& packet,
                         std::uint64_t timestamp_us, std::string_view comment = {});

    explicit PcapngWriter(pcc::UniqueFd fd) : fd_(std::move(fd)) {}

  private:
    bool write_all(ByteView bytes);
    pcc::UniqueFd fd_;
    bool failed_ = false;
};

}  // namespace pccd
