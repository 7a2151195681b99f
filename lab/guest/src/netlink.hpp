// SPDX-License-Identifier: GPL-2.0-or-later
// rtnetlink requests that set up an MCTP link the way mctp(8) does, built
// as bytes (pure, unit-tested on the host), and the parser of the kernel's
// acknowledgements:
//   * RTM_NEWLINK: IFF_UP, and the link's MCTP network
//     (IFLA_AF_SPEC { AF_MCTP { IFLA_MCTP_NET u32 } })
//   * RTM_NEWADDR: family AF_MCTP, IFA_LOCAL = the local EID (u8)
//   * RTM_NEWROUTE: family AF_MCTP, unicast, RTA_DST = peer EID (u8),
//     RTA_OIF = the link
// Every request asks for an ACK (NLM_F_ACK).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace lab::netlink {

using Bytes = std::vector<std::uint8_t>;

inline constexpr int kAfMctp = 45;  // AF_MCTP (linux/socket.h)

Bytes link_up(std::uint32_t seq, int ifindex, std::optional<std::uint32_t> mctp_net);
Bytes mctp_add_address(std::uint32_t seq, int ifindex, std::uint8_t eid);
Bytes mctp_add_route(std::uint32_t seq, int ifindex, std::uint8_t peer_eid);

// The outcome of a request in a netlink reply buffer: 0 (ACK) or a
// negative errno from NLMSG_ERROR for sequence `seq`; nullopt when the
// buffer holds no answer for it (then *error may say why).
std::optional<int> parse_ack(std::span<const std::uint8_t> reply, std::uint32_t seq,
                             std::string* error);

}  // namespace lab::netlink
