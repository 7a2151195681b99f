// SPDX-License-Identifier: GPL-2.0-or-later
#include "netlink.hpp"

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <cstring>

namespace lab::netlink {
namespace {

// A message under construction: header first, lengths fixed in finish().
class Message {
  public:
    Message(std::uint16_t type, std::uint16_t flags, std::uint32_t seq) {
        nlmsghdr h{};
        h.nlmsg_type = type;
        h.nlmsg_flags = static_cast<std::uint16_t>(flags | NLM_F_REQUEST | NLM_F_ACK);
        h.nlmsg_seq = seq;
        put(&h, sizeof(h));
    }
    template <typename T>
    void body(const T& t) {
        put(&t, sizeof(t));
        align();
    }
    void attr(std::uint16_t type, const void* data, std::size_t len) {
        nlattr a{};
        a.nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + len);
        a.nla_type = type;
        put(&a, sizeof(a));
        put(data, len);
        align();
    }
    // A nested attribute: begin returns its offset, end fixes its length.
    std::size_t begin_nest(std::uint16_t type) {
        const std::size_t at = b_.size();
        nlattr a{};
        a.nla_type = static_cast<std::uint16_t>(type | NLA_F_NESTED);
        put(&a, sizeof(a));
        return at;
    }
    void end_nest(std::size_t at) {
        const auto len = static_cast<std::uint16_t>(b_.size() - at);
        std::memcpy(b_.data() + at, &len, sizeof(len));
    }
    Bytes finish() {
        const auto len = static_cast<std::uint32_t>(b_.size());
        std::memcpy(b_.data(), &len, sizeof(len));
        return std::move(b_);
    }

  private:
    void put(const void* p, std::size_t n) {
        // resize + memcpy: GCC 12's -Wstringop-overflow misfires on insert()
        const std::size_t at = b_.size();
        b_.resize(at + n);
        if (n) {
            std::memcpy(b_.data() + at, p, n);
        }
    }
    void align() { b_.resize(NLMSG_ALIGN(b_.size()), 0); }
    Bytes b_;
};

}  // namespace

Bytes link_up(std::uint32_t seq, int ifindex, std::optional<std::uint32_t> mctp_net) {
    Message m(RTM_NEWLINK, 0, seq);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex;
    ifi.ifi_flags = IFF_UP;
    ifi.ifi_change = IFF_UP;
    m.body(ifi);
    if (mctp_net) {
        const auto spec = m.begin_nest(IFLA_AF_SPEC);
        const auto af = m.begin_nest(kAfMctp);
        m.attr(IFLA_MCTP_NET, &*mctp_net, sizeof(*mctp_net));
        m.end_nest(af);
        m.end_nest(spec);
    }
    return m.finish();
}

Bytes mctp_add_address(std::uint32_t seq, int ifindex, std::uint8_t eid) {
    Message m(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, seq);
    ifaddrmsg ifa{};
    ifa.ifa_family = kAfMctp;
    ifa.ifa_index = static_cast<std::uint32_t>(ifindex);
    m.body(ifa);
    m.attr(IFA_LOCAL, &eid, 1);
    return m.finish();
}

Bytes mctp_add_route(std::uint32_t seq, int ifindex, std::uint8_t peer_eid) {
    Message m(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, seq);
    rtmsg rtm{};
    rtm.rtm_family = kAfMctp;
    rtm.rtm_dst_len = 0;  // a single EID, not a range
    rtm.rtm_table = RT_TABLE_DEFAULT;
    rtm.rtm_protocol = RTPROT_STATIC;
    rtm.rtm_scope = RT_SCOPE_LINK;
    rtm.rtm_type = RTN_UNICAST;
    m.body(rtm);
    m.attr(RTA_DST, &peer_eid, 1);
    const auto oif = static_cast<std::uint32_t>(ifindex);
    m.attr(RTA_OIF, &oif, sizeof(oif));
    return m.finish();
}

std::optional<int> parse_ack(std::span<const std::uint8_t> reply, std::uint32_t seq,
                             std::string* error) {
    std::size_t off = 0;
    while (off + sizeof(nlmsghdr) <= reply.size()) {
        nlmsghdr h;
        std::memcpy(&h, reply.data() + off, sizeof(h));
        if (h.nlmsg_len < sizeof(h) || off + h.nlmsg_len > reply.size()) {
            if (error) {
                *error = "truncated netlink message (length " + std::to_string(h.nlmsg_len) +
                         " at offset " + std::to_string(off) + " of " +
                         std::to_string(reply.size()) + ")";
            }
            return std::nullopt;
        }
        if (h.nlmsg_type == NLMSG_ERROR && h.nlmsg_seq == seq) {
            if (h.nlmsg_len < sizeof(h) + sizeof(int)) {
                if (error) {
                    *error = "NLMSG_ERROR without an error code";
                }
                return std::nullopt;
            }
            int code = 0;
            std::memcpy(&code, reply.data() + off + sizeof(h), sizeof(code));
            return code;
        }
        off += NLMSG_ALIGN(h.nlmsg_len);
    }
    if (error) {
        *error = "no acknowledgement for request " + std::to_string(seq);
    }
    return std::nullopt;
}

}  // namespace lab::netlink
