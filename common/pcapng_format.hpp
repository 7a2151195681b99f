// SPDX-License-Identifier: GPL-2.0-or-later
// The pcapng numbers that pccd's capture writer (pccd/src/pcapng.cpp) and the
// lab's capture reader (lab/runner/pcap_check.cpp) share: block types, the
// byte-order magic, LINKTYPE_LINUX_SLL2 and its header, the SLL2 packet types
// and the ethertype of pccd's protocol-less (echo) captures.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pcc::pcapng {

inline constexpr std::uint32_t kBlockSectionHeader = 0x0a0d0d0a;
inline constexpr std::uint32_t kBlockInterfaceDescription = 0x00000001;
inline constexpr std::uint32_t kBlockEnhancedPacket = 0x00000006;
inline constexpr std::uint32_t kByteOrderMagic = 0x1a2b3c4d;
// Options (of any block): opt_endofopt, opt_comment (UTF-8, not terminated).
inline constexpr std::uint16_t kOptionEndOfOptions = 0;
inline constexpr std::uint16_t kOptionComment = 1;

inline constexpr std::uint16_t kLinktypeLinuxSll2 = 276;
inline constexpr std::size_t kSll2HeaderSize = 20;
inline constexpr std::uint8_t kPacketHost = 0;      // received (guest -> platform)
inline constexpr std::uint8_t kPacketOutgoing = 4;  // sent (platform -> guest)

// IEEE 802 "local experimental" ethertype: pccd's echo personality captures.
inline constexpr std::uint16_t kEthertypeLocalExperimental = 0x88b5;

}  // namespace pcc::pcapng
