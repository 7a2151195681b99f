// SPDX-License-Identifier: GPL-2.0-or-later
// pcc-guest-mctp: MCTP traffic from the guest's MCTP stack through the
// mctp-pcc links (DMT0001 devices) to the platform (pccd). For kernels with
// CONFIG_MCTP and CONFIG_MCTP_TRANSPORT_PCC; on others it reports skips
// with the reason.
//
// Per mctppcc* link, in name order (link k gets MCTP network k+1, so that
// the same peer EID can sit behind every link):
//   1. rtnetlink: link up + network, local EID (RTM_NEWADDR, AF_MCTP),
//      route to the peer EID (RTM_NEWROUTE, RTA_DST/RTA_OIF)
//   2. AF_MCTP datagram requests (tag owner) to the peer, answers checked:
//      MCTP control Get Endpoint ID, Get MCTP Version Support, Get Message
//      Type Support; PLDM base GetTID, GetPLDMTypes
// Results: mctp-<link>-setup, mctp-<link>-get-eid, -version, -types,
// pldm-<link>-get-tid, -types, and mctp-traffic (all of them).
// --bench N: then N Get Endpoint ID round trips per link, timed one by
// one: PCC-INFO mctp-bench "LINK n N p50_us P p99_us Q msgs_per_s R" and
// mctp-<link>-bench (pcc-lab bench).
#include <linux/mctp.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "mctp.hpp"
#include "netlink.hpp"
#include "raw_model.hpp"
#include "report.hpp"
#include "sysfs.hpp"
#include "text.hpp"
#include "unique_fd.hpp"

namespace {

using lab::Reporter;
using pcc::errno_text;
using pcc::UniqueFd;
namespace mctp = lab::mctp;
namespace nl = lab::netlink;

struct Options {
    unsigned peer_eid = 8;   // pccd --eid (default 8)
    unsigned local_eid = 9;  // the guest's EID on every link
    unsigned tid = 1;        // pccd --tid (default 1)
    int timeout_ms = 2000;   // per request
    bool have_platform = true;
    unsigned bench = 0;  // --bench N: Get Endpoint ID round trips per link
};

int ifindex_of(const std::string& link) {
    const auto text = lab::read_text("/sys/class/net/" + link + "/ifindex");
    return text ? std::atoi(text->c_str()) : -1;
}

// One rtnetlink request; "" on success (EEXIST counts: already set up).
std::string netlink_request(const nl::Bytes& req, std::uint32_t seq) {
    const UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!fd) {
        return "socket(AF_NETLINK): " + errno_text();
    }
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd.get(), req.data(), req.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof(kernel)) < 0) {
        return "sendto: " + errno_text();
    }
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0) {
        return "no netlink answer within 2 s";
    }
    std::uint8_t buf[8192];
    ssize_t n = ::recv(fd.get(), buf, sizeof(buf), 0);
    if (n < 0) {
        return "recv: " + errno_text();
    }
    std::string why;
    auto code =
        nl::parse_ack(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)), seq, &why);
    if (!code) {
        return why;
    }
    if (*code == 0 || *code == -EEXIST) {
        return {};
    }
    return errno_text(-*code);
}

// Sends one request of MCTP type `type` to `peer` in network `net` and
// waits for the answer; nullopt and *error on failure.
std::optional<mctp::Bytes> exchange(unsigned net, unsigned peer, std::uint8_t type,
                                    const mctp::Bytes& req, int timeout_ms, std::string* error) {
    const UniqueFd fd(::socket(AF_MCTP, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        *error = "socket(AF_MCTP): " + errno_text();
        return std::nullopt;
    }
    sockaddr_mctp to{};
    to.smctp_family = AF_MCTP;
    to.smctp_network = net;
    to.smctp_addr.s_addr = static_cast<mctp_eid_t>(peer);
    to.smctp_type = type;
    to.smctp_tag = MCTP_TAG_OWNER;
    if (::sendto(fd.get(), req.data(), req.size(), 0, reinterpret_cast<sockaddr*>(&to),
                 sizeof(to)) < 0) {
        *error = std::string("sendto EID ") + std::to_string(peer) + " net " + std::to_string(net) +
                 ": " + errno_text();
        return std::nullopt;
    }
    pollfd p{fd.get(), POLLIN, 0};
    int pr = ::poll(&p, 1, timeout_ms);
    if (pr <= 0) {
        *error = "no answer within " + std::to_string(timeout_ms) + " ms (request " +
                 mctp::hex_bytes(req) + ")";
        return std::nullopt;
    }
    std::uint8_t buf[1024];
    sockaddr_mctp from{};
    socklen_t fl = sizeof(from);
    ssize_t n = ::recvfrom(fd.get(), buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &fl);
    if (n < 0) {
        *error = "recvfrom: " + errno_text();
        return std::nullopt;
    }
    if (from.smctp_addr.s_addr != peer || from.smctp_type != type) {
        *error = "answer from EID " + std::to_string(from.smctp_addr.s_addr) + " type " +
                 std::to_string(from.smctp_type) + ", expected EID " + std::to_string(peer) +
                 " type " + std::to_string(type);
        return std::nullopt;
    }
    return mctp::Bytes(buf, buf + n);
}

class LinkChecks {
  public:
    LinkChecks(Reporter& r, const Options& o, std::string link, unsigned net)
        : r_(r), o_(o), link_(std::move(link)), net_(net) {}

    bool run() {
        if (!setup()) {
            return false;
        }
        bool good = true;
        good &= get_eid();
        good &= versions();
        good &= message_types();
        good &= pldm_tid();
        good &= pldm_types();
        if (good && o_.bench) {
            good &= bench();
        }
        return good;
    }

  private:
    bool setup() {
        const std::string name = "mctp-" + link_ + "-setup";
        const int ifindex = ifindex_of(link_);
        if (ifindex <= 0) {
            r_.fail(name, "no ifindex for " + link_);
            return false;
        }
        struct Step {
            const char* what;
            nl::Bytes req;
        };
        const Step steps[] = {
            {"link up (RTM_NEWLINK IFF_UP, MCTP net)", nl::link_up(++seq_, ifindex, net_)},
            {"local EID (RTM_NEWADDR)",
             nl::mctp_add_address(++seq_, ifindex, static_cast<std::uint8_t>(o_.local_eid))},
            {"route to the peer (RTM_NEWROUTE)",
             nl::mctp_add_route(++seq_, ifindex, static_cast<std::uint8_t>(o_.peer_eid))},
        };
        std::uint32_t seq = seq_ - 2;
        for (const auto& s : steps) {
            if (auto why = netlink_request(s.req, seq++); !why.empty()) {
                r_.fail(name, link_ + ": " + s.what + " failed: " + why);
                return false;
            }
        }
        r_.ok(name, link_ + " (ifindex " + std::to_string(ifindex) + ") up in MCTP net " +
                        std::to_string(net_) + ", local EID " + std::to_string(o_.local_eid) +
                        ", route to EID " + std::to_string(o_.peer_eid));
        return true;
    }

    std::optional<mctp::ControlResponse> control(const std::string& name, std::uint8_t cmd,
                                                 std::span<const std::uint8_t> data = {}) {
        const std::uint8_t inst = next_instance();
        std::string why;
        auto raw = exchange(net_, o_.peer_eid, mctp::kTypeControl,
                            mctp::control_request(inst, cmd, data), o_.timeout_ms, &why);
        if (!raw) {
            r_.fail(name, why);
            return std::nullopt;
        }
        auto resp = mctp::parse_control_response(*raw, inst, cmd, &why);
        if (!resp) {
            r_.fail(name, why);
        }
        return resp;
    }

    std::optional<mctp::PldmResponse> pldm(const std::string& name, std::uint8_t cmd) {
        const std::uint8_t inst = next_instance();
        std::string why;
        auto raw =
            exchange(net_, o_.peer_eid, mctp::kTypePldm,
                     mctp::pldm_request(inst, mctp::kPldmTypeBase, cmd), o_.timeout_ms, &why);
        if (!raw) {
            r_.fail(name, why);
            return std::nullopt;
        }
        auto resp = mctp::parse_pldm_response(*raw, inst, mctp::kPldmTypeBase, cmd, &why);
        if (!resp) {
            r_.fail(name, why);
        }
        return resp;
    }

    // The content of a response through `parse` (an mctp::parse_*); when
    // there is no response or it does not parse, check `name` has failed.
    template <class Response, class Parse>
    auto parsed(const std::string& name, const char* what, const std::optional<Response>& resp,
                Parse parse) -> decltype(parse(*resp, nullptr)) {
        if (!resp) {
            return std::nullopt;
        }
        std::string why;
        auto content = parse(*resp, &why);
        if (!content) {
            r_.fail(name, std::string(what) + ": " + why);
        }
        return content;
    }

    bool get_eid() {
        const std::string name = "mctp-" + link_ + "-get-eid";
        const auto e = parsed(name, "Get Endpoint ID", control(name, mctp::kGetEndpointId),
                              mctp::parse_get_endpoint_id);
        if (!e) {
            return false;
        }
        const bool good = e->eid == o_.peer_eid && e->endpoint_type == 0 && e->eid_type == 2;
        r_.check(good, name,
                 "Get Endpoint ID: EID " + std::to_string(e->eid) + " (expected " +
                     std::to_string(o_.peer_eid) + "), endpoint type " +
                     std::to_string(e->endpoint_type) + " (expected 0, simple), EID type " +
                     std::to_string(e->eid_type) + " (expected 2, static and in use)");
        return good;
    }

    bool versions() {
        const std::string name = "mctp-" + link_ + "-version";
        const std::uint8_t base = 0xff;  // the base specification
        const auto v = parsed(name, "Get MCTP Version Support",
                              control(name, mctp::kGetVersionSupport, std::span(&base, 1)),
                              mctp::parse_version_support);
        if (!v) {
            return false;
        }
        std::string all;
        bool v1 = false;
        for (auto e : *v) {
            all += (all.empty() ? "" : ", ") + mctp::version_text(e);
            v1 = v1 || (e >> 24) == 0xf1;
        }
        r_.check(v1, name,
                 "Get MCTP Version Support (base): " + all + (v1 ? "" : " (expected a 1.x entry)"));
        return v1;
    }

    bool message_types() {
        const std::string name = "mctp-" + link_ + "-types";
        const auto t =
            parsed(name, "Get Message Type Support", control(name, mctp::kGetMessageTypeSupport),
                   mctp::parse_message_types);
        if (!t) {
            return false;
        }
        const bool pldm = std::find(t->begin(), t->end(), mctp::kTypePldm) != t->end();
        r_.check(pldm, name,
                 "Get Message Type Support: " +
                     (t->empty() ? std::string("none") : mctp::hex_bytes(*t)) +
                     (pldm ? " (PLDM listed)" : " (expected PLDM, type 01)"));
        return pldm;
    }

    bool pldm_tid() {
        const std::string name = "pldm-" + link_ + "-get-tid";
        auto resp = pldm(name, mctp::kPldmGetTid);
        if (!resp) {
            return false;
        }
        const bool good =
            resp->completion == 0 && resp->data.size() == 1 && resp->data[0] == o_.tid;
        r_.check(good, name,
                 "GetTID: completion " + std::to_string(resp->completion) + ", data " +
                     mctp::hex_bytes(resp->data) + " (expected TID " + std::to_string(o_.tid) +
                     ")");
        return good;
    }

    bool pldm_types() {
        const std::string name = "pldm-" + link_ + "-types";
        const auto t =
            parsed(name, "GetPLDMTypes", pldm(name, mctp::kPldmGetTypes), mctp::parse_pldm_types);
        if (!t) {
            return false;
        }
        std::string all;
        for (auto x : *t) {
            all += (all.empty() ? "" : ",") + std::to_string(x);
        }
        const bool base = !t->empty() && t->front() == 0;
        r_.check(base, name,
                 "GetPLDMTypes: " + (all.empty() ? std::string("none") : all) +
                     (base ? " (base listed)" : " (expected type 0, base)"));
        return base;
    }

    // o_.bench Get Endpoint ID round trips, each timed from send to answer.
    bool bench() {
        const std::string name = "mctp-" + link_ + "-bench";
        std::vector<double> us;
        us.reserve(o_.bench);
        const double t0 = lab::raw::seconds_now();
        for (unsigned i = 0; i < o_.bench; ++i) {
            const std::uint8_t inst = next_instance();
            std::string why;
            const double t = lab::raw::seconds_now();
            auto raw =
                exchange(net_, o_.peer_eid, mctp::kTypeControl,
                         mctp::control_request(inst, mctp::kGetEndpointId), o_.timeout_ms, &why);
            us.push_back((lab::raw::seconds_now() - t) * 1e6);
            if (!raw || !mctp::parse_control_response(*raw, inst, mctp::kGetEndpointId, &why)) {
                r_.fail(name, "round trip " + std::to_string(i + 1) + ": " + why);
                return false;
            }
        }
        const double total = lab::raw::seconds_now() - t0;
        char line[160];
        std::snprintf(line, sizeof(line), "%s n %u p50_us %.1f p99_us %.1f msgs_per_s %.0f",
                      link_.c_str(), o_.bench, lab::raw::percentile(us, 50),
                      lab::raw::percentile(us, 99), total > 0 ? o_.bench / total : 0.0);
        r_.info("mctp-bench", line);
        r_.ok(name, line);
        return true;
    }

    std::uint8_t next_instance() { return static_cast<std::uint8_t>(instance_++ & 0x1f); }

    Reporter& r_;
    const Options& o_;
    std::string link_;
    unsigned net_;
    std::uint32_t seq_ = 0;
    unsigned instance_ = 0;
};

// An EID, TID or time option: strtoul (base 0), at most `max`.
CLI::Option* add_number(CLI::App& app, const std::string& name, unsigned max, unsigned* out,
                        const std::string& help) {
    return app
        .add_option_function<std::string>(
            name,
            [name, max, out](const std::string& s) {
                char* end = nullptr;
                errno = 0;
                const unsigned long v = std::strtoul(s.c_str(), &end, 0);
                if (s.empty() || *end || errno || v > max) {
                    throw CLI::ValidationError(name, "bad number '" + s + "'");
                }
                *out = static_cast<unsigned>(v);
            },
            help + " (default " + std::to_string(*out) + ")")
        ->type_name("N")
        ->take_last();
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    unsigned timeout_ms = static_cast<unsigned>(o.timeout_ms);
    CLI::App app{"MCTP control and PLDM base traffic from the guest's MCTP stack to pccd.",
                 "pcc-guest-mctp"};
    pcc::add_version_flag(app);
    add_number(app, "--peer-eid", 0xfe, &o.peer_eid, "pccd's EID (its --eid)");
    add_number(app, "--local-eid", 0xfe, &o.local_eid, "the guest's EID on every link");
    add_number(app, "--tid", 0xfe, &o.tid, "pccd's PLDM terminus ID (its --tid)");
    add_number(app, "--timeout-ms", 600000, &timeout_ms, "per request")->type_name("MS");
    add_number(app, "--bench", 1000000, &o.bench,
               "after the checks, N timed Get Endpoint ID round trips per link");
    app.add_flag_callback(
        "--no-platform", [&o] { o.have_platform = false; },
        "no pccd is attached to this run: the traffic is skipped");
    if (auto status = pcc::parse_command_line(app, argc, argv)) {
        return *status;
    }
    o.timeout_ms = static_cast<int>(timeout_ms);
    if (o.peer_eid == o.local_eid) {
        return pcc::usage_error(app, "--peer-eid and --local-eid must differ");
    }
    Reporter r;
    if (const std::string why = lab::mctp_socket_problem(); !why.empty()) {
        r.skip("mctp-traffic", "kernel has no MCTP stack: " + why + " (needs CONFIG_MCTP)");
        r.summary();
        return 0;
    }
    const auto links = lab::mctp_pcc_links();
    if (links.empty()) {
        r.skip("mctp-traffic",
               "no mctppcc* link: kernel without the mctp-pcc driver "
               "(CONFIG_MCTP_TRANSPORT_PCC) or it did not bind to DMT0001");
    } else if (!o.have_platform) {
        r.skip("mctp-traffic", "no platform (pccd) attached to this run: nobody would answer");
    } else {
        std::string bad;
        for (std::size_t k = 0; k < links.size(); ++k) {
            LinkChecks c(r, o, links[k], static_cast<unsigned>(k + 1));
            if (!c.run()) {
                bad += " " + links[k];
            }
        }
        r.check(bad.empty(), "mctp-traffic",
                bad.empty()
                    ? "MCTP control and PLDM base answered by EID " + std::to_string(o.peer_eid) +
                          " on " + std::to_string(links.size()) + " link(s)"
                    : "failed on:" + bad + " (see the mctp-*/pldm-* checks)");
    }
    r.summary();
    return r.failures() ? 1 : 0;
}
