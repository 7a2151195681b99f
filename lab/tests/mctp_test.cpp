// SPDX-License-Identifier: GPL-2.0-or-later
// pcc-guest-mctp's codecs, built for the host: MCTP control and PLDM base
// messages (lab/guest/src/mctp.cpp) and the rtnetlink requests
// (lab/guest/src/netlink.cpp), against bytes written out by hand.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "mctp.hpp"
#include "netlink.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;
namespace m = lab::mctp;

// MCTP control and PLDM base, byte for byte (DSP0236 tables 12-21, DSP0240)
TEST(Mctp, ControlRequests) {
    EXPECT_EQ(m::control_request(3, m::kGetEndpointId), (Bytes{0x83, 0x02}));
    const std::uint8_t base = 0xff;
    EXPECT_EQ(m::control_request(33, m::kGetVersionSupport, std::span(&base, 1)),
              (Bytes{0x81, 0x04, 0xff}));
    EXPECT_EQ(m::control_request(0, m::kGetMessageTypeSupport), (Bytes{0x80, 0x05}));
}

TEST(Mctp, GetEndpointIdResponse) {
    std::string err;
    // Get Endpoint ID as pccd answers it: EID 8, simple endpoint, static EID in use
    auto r = m::parse_control_response(Bytes{0x03, 0x02, 0x00, 0x08, 0x02, 0x00}, 3,
                                       m::kGetEndpointId, &err);
    ASSERT_TRUE(r.has_value()) << err;
    auto e = m::parse_get_endpoint_id(*r, &err);
    EXPECT_TRUE(e && e->eid == 8 && e->endpoint_type == 0 && e->eid_type == 2);
    // a completion code other than 0 is reported, not parsed
    r = m::parse_control_response(Bytes{0x03, 0x02, 0x05}, 3, m::kGetEndpointId, &err);
    EXPECT_TRUE(r && !m::parse_get_endpoint_id(*r, &err) && err.find("0x05") != std::string::npos);
    // not an answer to what was asked
    EXPECT_FALSE(m::parse_control_response(Bytes{0x03, 0x04, 0x00}, 3, m::kGetEndpointId, &err));
    EXPECT_NE(err.find("command 0x04"), std::string::npos) << err;
    EXPECT_FALSE(m::parse_control_response(Bytes{0x04, 0x02, 0x00}, 3, m::kGetEndpointId, &err));
    EXPECT_NE(err.find("instance ID 4"), std::string::npos) << err;
    EXPECT_FALSE(m::parse_control_response(Bytes{0x83, 0x02, 0x00}, 3, m::kGetEndpointId, &err));
    EXPECT_FALSE(m::parse_control_response(Bytes{0x03, 0x02}, 3, m::kGetEndpointId, &err));
}

TEST(Mctp, VersionAndMessageTypeSupport) {
    std::string err;
    // Get MCTP Version Support: one entry, 1.3.1
    auto r = m::parse_control_response(Bytes{0x01, 0x04, 0x00, 0x01, 0xf1, 0xf3, 0xf1, 0x00}, 1,
                                       m::kGetVersionSupport, &err);
    ASSERT_TRUE(r.has_value()) << err;
    auto v = m::parse_version_support(*r, &err);
    EXPECT_TRUE(v && v->size() == 1 && (*v)[0] == 0xf1f3f100u);
    EXPECT_TRUE(v && m::version_text((*v)[0]) == "1.3.1");
    EXPECT_EQ(m::version_text(0xf1f0ff00u), "1.0");
    m::ControlResponse bad;
    bad.data = {0x02, 0xf1, 0xf3, 0xf1, 0x00};  // two announced, one there
    EXPECT_FALSE(m::parse_version_support(bad, &err));

    // Get Message Type Support: PLDM (01) and a vendor type
    r = m::parse_control_response(Bytes{0x02, 0x05, 0x00, 0x02, 0x01, 0x7e}, 2,
                                  m::kGetMessageTypeSupport, &err);
    ASSERT_TRUE(r.has_value()) << err;
    auto t = m::parse_message_types(*r, &err);
    EXPECT_TRUE(t && *t == (Bytes{0x01, 0x7e}));
    r = m::parse_control_response(Bytes{0x02, 0x05, 0x00, 0x03, 0x01}, 2, m::kGetMessageTypeSupport,
                                  &err);
    EXPECT_TRUE(r && !m::parse_message_types(*r, &err));
}

TEST(Mctp, PldmBase) {
    std::string err;
    // PLDM base: GetTID and GetPLDMTypes
    EXPECT_EQ(m::pldm_request(4, m::kPldmTypeBase, m::kPldmGetTid), (Bytes{0x84, 0x00, 0x02}));
    EXPECT_EQ(m::pldm_request(37, m::kPldmTypeBase, m::kPldmGetTypes), (Bytes{0x85, 0x00, 0x04}));
    auto p =
        m::parse_pldm_response(Bytes{0x04, 0x00, 0x02, 0x00, 0x01}, 4, 0, m::kPldmGetTid, &err);
    EXPECT_TRUE(p && p->completion == 0 && p->data == Bytes{0x01});
    p = m::parse_pldm_response(Bytes{0x05, 0x00, 0x04, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0x80}, 5, 0,
                               m::kPldmGetTypes, &err);
    ASSERT_TRUE(p.has_value()) << err;
    auto t = m::parse_pldm_types(*p, &err);
    EXPECT_TRUE(t && *t == (std::vector<unsigned>{0, 2, 63}));
    EXPECT_FALSE(m::parse_pldm_response(Bytes{0x04, 0x40, 0x02, 0x00, 0x01}, 4, 0, m::kPldmGetTid,
                                        &err));  // hdr ver 1
    EXPECT_FALSE(m::parse_pldm_response(Bytes{0x04, 0x00, 0x04, 0x00}, 4, 0, m::kPldmGetTid, &err));
    EXPECT_FALSE(m::parse_pldm_response(Bytes{0x84, 0x00, 0x02, 0x00}, 4, 0, m::kPldmGetTid, &err));
    p = m::parse_pldm_response(Bytes{0x05, 0x00, 0x04, 0x20}, 5, 0, m::kPldmGetTypes, &err);
    EXPECT_TRUE(p && !m::parse_pldm_types(*p, &err) && err.find("0x20") != std::string::npos);
}

// rtnetlink requests, byte for byte (little-endian host, as the guest)
TEST(Netlink, MctpLinkSetupRequests) {
    namespace n = lab::netlink;
    const Bytes up{
        0x30, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // RTM_NEWLINK
        0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // ifindex 3, IFF_UP
        0x10, 0x00, 0x1a, 0x80, 0x0c, 0x00, 0x2d, 0x80,
        0x08, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00,  // AF_SPEC{MCTP{NET 2}}
    };
    EXPECT_EQ(n::link_up(1, 3, 2u), up);
    Bytes plain(up.begin(), up.begin() + 32);
    plain[0] = 0x20;
    EXPECT_EQ(n::link_up(1, 3, std::nullopt), plain);
    const Bytes addr{
        0x20, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x06,
        0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // RTM_NEWADDR
        0x2d, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,  // AF_MCTP, ifindex 3
        0x05, 0x00, 0x02, 0x00, 0x09, 0x00, 0x00, 0x00,  // IFA_LOCAL 9
    };
    EXPECT_EQ(n::mctp_add_address(2, 3, 9), addr);
    const Bytes route{
        0x2c, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x06,
        0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // RTM_NEWROUTE
        0x2d, 0x00, 0x00, 0x00, 0xfd, 0x04, 0xfd, 0x01,  // AF_MCTP, table/proto/scope/unicast
        0x00, 0x00, 0x00, 0x00,                          // (rtm_flags)
        0x05, 0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00,  // RTA_DST 8
        0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,  // RTA_OIF 3
    };
    EXPECT_EQ(n::mctp_add_route(3, 3, 8), route);

    // NLMSG_ERROR for seq 7 with -EEXIST (capped: only the request's header follows)
    Bytes ack{0x24, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x07, 0x00,
              0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xef, 0xff, 0xff, 0xff};
    ack.insert(ack.end(), route.begin(), route.begin() + 16);
    std::string err;
    EXPECT_EQ(n::parse_ack(ack, 7, &err), -17);
    EXPECT_TRUE(!n::parse_ack(ack, 8, &err) && err.find("no acknowledgement") != std::string::npos);
    Bytes ok = ack;
    std::memset(ok.data() + 16, 0, 4);
    EXPECT_EQ(n::parse_ack(ok, 7, &err), 0);
    EXPECT_TRUE(!n::parse_ack(Bytes(ack.begin(), ack.begin() + 20), 7, &err) &&
                err.find("truncated") != std::string::npos);
}

}  // namespace
