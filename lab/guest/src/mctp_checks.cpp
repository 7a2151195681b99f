// SPDX-License-Identifier: GPL-2.0-or-later
// MCTP over PCC: per --expect-mctp channel C the PCCT's subspaces C (type
// 3) and C+1 (type 4) and an SSDT DMT0001 device whose _CRS names them
// (mctp-cC-*, mctp-ssdt-devices); with --mctp-stack the guest's MCTP stack
// and its mctppcc* links (mctp-kernel, mctp-pcc-link). The traffic itself
// is pcc-guest-mctp's.
#include <set>

#include "check_family.hpp"
#include "sysfs.hpp"

namespace lab::checks {

namespace {

constexpr const char* kMctpHid = "DMT0001";

class MctpChecks : public CheckFamily {
  public:
    void add_options(Options& options, Context&) override {
        options.value(
            "--expect-mctp", "C,C...|none",
            [this](const std::string& v) {
                channels_ = v == "none" ? std::vector<unsigned>() : channel_list(v);
            },
            "per channel C: PCCT subspaces C (type 3) and C+1 (type 4), an SSDT DMT0001 "
            "device whose _CRS names them; no DMT0001 device for other channels");
        options.flag(
            "--mctp-stack", [this] { stack_ = true; },
            "AF_MCTP socket, MCTP in /proc/net/protocols, mctppcc* links (skips with the "
            "reason when absent)");
    }

    bool examines_pcc_devices(const Context&) const override { return channels_.has_value(); }

    void run(Context& ctx) override {
        if (channels_) {
            check_devices(ctx.report, *channels_, ctx.pcct);
        }
        if (stack_) {
            check_stack(ctx.report);
        }
    }

  private:
    static std::vector<acpi::AmlDevice> ssdt_devices(Reporter& r) {
        std::vector<acpi::AmlDevice> found;
        std::string all;
        const auto ssdts = read_acpi_tables("SSDT");
        for (const auto& t : ssdts) {
            auto devs = acpi::find_devices(t.bytes, kMctpHid);
            const auto hdr = acpi::parse_header(t.bytes);
            all += " " + t.name + "(" + (hdr ? hdr->oem_table_id : "?") +
                   "):" + std::to_string(devs.size());
            for (auto& d : devs) {
                std::string res;
                for (const auto& p : d.pcc) {
                    res += " pcc " + std::to_string(p.subspace);
                }
                r.info("ssdt-device", t.name + " " + d.name + " _HID " + kMctpHid + " _UID " +
                                          (d.uid ? std::to_string(*d.uid) : std::string("none")) +
                                          " _CRS" + (res.empty() ? " (no PCC descriptors)" : res));
                found.push_back(std::move(d));
            }
        }
        r.info("ssdt-tables", ssdts.empty() ? "no SSDT" : "DMT0001 devices per SSDT:" + all);
        return found;
    }

    // PCCT: outbox type 3 at c, inbox type 4 at c+1, both with a GSI
    static void check_subspaces(Reporter& r, unsigned c, const std::optional<acpi::Pcct>& pcct) {
        const std::string name = "mctp-c" + std::to_string(c) + "-pcct";
        if (!pcct) {
            r.fail(name, "no usable PCCT to check subspaces " + std::to_string(c) + "/" +
                             std::to_string(c + 1) + " against");
            return;
        }
        auto sub = [&](unsigned idx) -> const acpi::PccSubspace* {
            return idx < pcct->subspaces.size() ? &pcct->subspaces[idx] : nullptr;
        };
        const auto *out = sub(c), *in = sub(c + 1);
        std::string why;
        if (!out || out->type != 3) {
            why += " subspace " + std::to_string(c) + " is " +
                   (out ? "type " + std::to_string(out->type) : std::string("missing")) +
                   ", expected type 3 (outbox);";
        }
        if (!in || in->type != 4) {
            why += " subspace " + std::to_string(c + 1) + " is " +
                   (in ? "type " + std::to_string(in->type) : std::string("missing")) +
                   ", expected type 4 (inbox);";
        }
        if (out && in && why.empty() &&
            (!out->gsi || !in->gsi || *out->gsi == 0 || *in->gsi == 0)) {
            why += " no platform interrupt (GSI 0);";
        }
        r.check(why.empty(), name,
                why.empty() ? "PCCT subspace " + std::to_string(c) + " type 3, " +
                                  std::to_string(c + 1) + " type 4"
                            : reasons(why));
    }

    // SSDT: a DMT0001 device whose _CRS names c then c+1; its index in
    // `found`, if any.
    static std::optional<std::size_t> check_device(Reporter& r, unsigned c,
                                                   const std::vector<acpi::AmlDevice>& found) {
        const std::string name = "mctp-c" + std::to_string(c) + "-ssdt";
        std::optional<std::size_t> hit;
        for (std::size_t i = 0; i < found.size(); ++i) {
            if (!found[i].pcc.empty() && found[i].pcc[0].subspace == c) {
                hit = i;
                break;
            }
        }
        if (!hit) {
            r.fail(name, "no DMT0001 device whose _CRS starts with PCC subspace " +
                             std::to_string(c) + " in any SSDT (found " +
                             std::to_string(found.size()) + " DMT0001 device(s))");
            return std::nullopt;
        }
        const auto& d = found[*hit];
        std::string why;
        if (d.pcc.size() != 2) {
            why += " _CRS has " + std::to_string(d.pcc.size()) + " PCC descriptors, expected 2;";
        } else if (d.pcc[1].subspace != c + 1) {
            why += " second PCC descriptor names subspace " + std::to_string(d.pcc[1].subspace) +
                   ", expected " + std::to_string(c + 1) + ";";
        }
        if (d.uid && *d.uid != c) {
            why += " _UID " + std::to_string(*d.uid) + ", expected " + std::to_string(c) + ";";
        }
        r.check(why.empty(), name,
                why.empty() ? "device " + d.name + " (DMT0001) _CRS: PCC " + std::to_string(c) +
                                  ", PCC " + std::to_string(c + 1)
                            : "device " + d.name + ": " + reasons(why));
        return hit;
    }

    static void check_devices(Reporter& r, const std::vector<unsigned>& want,
                              const std::optional<acpi::Pcct>& pcct) {
        const auto found = ssdt_devices(r);
        std::set<std::size_t> matched;
        for (unsigned c : want) {
            check_subspaces(r, c, pcct);
            if (auto hit = check_device(r, c, found)) {
                matched.insert(*hit);
            }
        }
        std::string extra;
        for (std::size_t i = 0; i < found.size(); ++i) {
            if (!matched.count(i)) {
                extra += " " + found[i].name +
                         (found[i].pcc.empty()
                              ? std::string("(no PCC resources)")
                              : "(PCC " + std::to_string(found[i].pcc[0].subspace) + ")");
            }
        }
        r.check(extra.empty(), "mctp-ssdt-devices",
                extra.empty() ? std::to_string(found.size()) + " DMT0001 device(s), channels " +
                                    join_channels(want)
                              : "unexpected DMT0001 device(s):" + extra + " (expected channels " +
                                    join_channels(want) + ")");
    }

    void check_stack(Reporter& r) const {
        bool proto = false;
        if (auto p = read_file("/proc/net/protocols")) {
            const std::string s(p->begin(), p->end());
            proto = s.find("\nMCTP ") != std::string::npos || s.rfind("MCTP ", 0) == 0;
        }
        if (const std::string why = mctp_socket_problem(); !why.empty()) {
            r.skip("mctp-kernel", "kernel has no MCTP stack: " + why +
                                      (proto ? "" : ", MCTP not in /proc/net/protocols") +
                                      " (needs CONFIG_MCTP)");
            r.skip("mctp-pcc-link",
                   "needs CONFIG_MCTP and CONFIG_MCTP_TRANSPORT_PCC (mctp-pcc driver)");
            return;
        }
        r.ok("mctp-kernel", "socket(AF_MCTP) works");
        const auto links = mctp_pcc_links();
        if (links.empty()) {
            r.skip("mctp-pcc-link",
                   "no mctppcc* network link: kernel without the mctp-pcc driver "
                   "(CONFIG_MCTP_TRANSPORT_PCC) or it did not bind to DMT0001");
            return;
        }
        std::string all;
        for (const auto& l : links) {
            all += " " + l;
        }
        if (channels_ && links.size() != channels_->size()) {
            r.fail("mctp-pcc-link",
                   "links:" + all + ", expected one per channel " + join_channels(*channels_));
        } else {
            r.ok("mctp-pcc-link", "links:" + all);
        }
    }

    std::optional<std::vector<unsigned>> channels_;  // --expect-mctp
    bool stack_ = false;                             // --mctp-stack
};

}  // namespace

std::unique_ptr<CheckFamily> mctp_checks() {
    return std::make_unique<MctpChecks>();
}

}  // namespace lab::checks
