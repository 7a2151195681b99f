// SPDX-License-Identifier: GPL-2.0-or-later
// Kernel log: drivers/mailbox/pcc.c probed the expected number of
// subspaces and registered as a mailbox controller; no PCC warnings or
// errors (kmsg-*). Runs whenever the guest's PCC world is examined.
#include <cstdlib>

#include "check_family.hpp"
#include "kmsg.hpp"

namespace lab::checks {

namespace {

// Error lines of drivers/mailbox/pcc.c that do not say "PCC" themselves.
constexpr const char* kPccErrorsWithoutPcc[] = {
    "Cannot access register of",
    "Platform Interrupt flag must be set",
    "Channel not found for idx",
};

// Warnings that name a PCC module but are no PCC problem: the lab's own
// pcc_raw is built out of tree, which the kernel notes once.
constexpr const char* kNotPccProblems[] = {
    "loading out-of-tree module taints kernel",
};

bool contains(const std::string& s, const char* what) {
    return s.find(what) != std::string::npos;
}

class KernelLogChecks : public CheckFamily {
  public:
    void add_options(Options&, Context&) override {}

    void run(Context& ctx) override {
        if (ctx.pcc_world) {
            check(ctx);
        }
    }

  private:
    static void check(Context& ctx) {
        Reporter& r = ctx.report;
        std::string source, error;
        const auto log = read_kernel_log(&source, &error);
        if (log.empty()) {
            r.fail("kmsg-read", "cannot read the kernel log: " + error);
            return;
        }
        r.info("kmsg-read", std::to_string(log.size()) + " records from " + source);

        std::optional<int> detected;
        bool registered = false;
        std::vector<std::string> errors;
        for (const auto& rec : log) {
            const auto& t = rec.text;
            if (contains(t, "PCC") || contains(t, "pcc") || contains(t, "PCCT")) {
                r.info("kmsg", "<" + std::to_string(rec.level) + ">" + t);
            }
            if (auto p = t.find("Detected ");
                p != std::string::npos && contains(t, " PCC Subspaces")) {
                detected = std::atoi(t.c_str() + p + 9);
            }
            if (contains(t, "Registering PCC driver as Mailbox controller")) {
                registered = true;
            }
            if (rec.level <= 4) {
                bool pcc = contains(t, "PCC") || contains(t, "pcc");
                for (auto* e : kPccErrorsWithoutPcc) {
                    pcc = pcc || contains(t, e);
                }
                for (auto* e : kNotPccProblems) {
                    pcc = pcc && !contains(t, e);
                }
                if (pcc) {
                    errors.push_back("<" + std::to_string(rec.level) + ">" + t);
                }
            }
        }

        if (ctx.expect_no_pcc) {
            r.check(!detected && !registered, "kmsg-no-pcc",
                    detected ? "pcc.c probed " + std::to_string(*detected) +
                                   " subspaces, expected no PCCT"
                             : "pcc.c did not probe (no PCCT), as expected");
        } else if (ctx.subspaces) {
            if (!detected) {
                r.fail("kmsg-detected",
                       "no \"Detected N PCC Subspaces\" line: pcc.c did not probe "
                       "(PCCT missing or rejected, or kernel without CONFIG_PCC)");
            } else {
                r.check(*detected == static_cast<int>(*ctx.subspaces), "kmsg-detected",
                        "pcc.c: Detected " + std::to_string(*detected) +
                            " PCC Subspaces (expected " + std::to_string(*ctx.subspaces) + ")");
            }
            r.check(registered, "kmsg-mailbox",
                    registered ? "pcc.c registered as mailbox controller"
                               : "no \"Registering PCC driver as Mailbox controller\" line");
        }
        std::string joined;
        for (const auto& e : errors) {
            joined += (joined.empty() ? "" : " | ") + e;
        }
        r.check(errors.empty(), "kmsg-pcc-errors",
                errors.empty()
                    ? "no PCC warnings or errors in the kernel log"
                    : std::to_string(errors.size()) + " PCC warning/error line(s): " + joined);
    }
};

}  // namespace

std::unique_ptr<CheckFamily> kernel_log_checks() {
    return std::make_unique<KernelLogChecks>();
}

}  // namespace lab::checks
