// SPDX-License-Identifier: GPL-2.0-or-later
// ACPI tables: the PCCT is present (or, with --expect-no-pcc, absent), has
// a good checksum, parses, holds --expect-subspaces N subspaces, each with
// its own shared memory (pcct-*). Runs whenever the guest's PCC world is
// examined and leaves the parsed PCCT to the device families.
#include "check_family.hpp"
#include "sysfs.hpp"

namespace lab::checks {

namespace {

class AcpiTableChecks : public CheckFamily {
  public:
    void add_options(Options& options, Context& ctx) override {
        options.value(
            "--expect-subspaces", "N",
            [&ctx](const std::string& v) { ctx.subspaces = number_value(v, "not a number"); },
            "kernel log: pcc.c detected N subspaces; the PCCT holds N, each with its own "
            "shared memory");
        options.flag(
            "--expect-no-pcc", [&ctx] { ctx.expect_no_pcc = true; },
            "no PCCT, pcc.c did not probe");
    }

    bool examines_pcc_devices(const Context& ctx) const override {
        return ctx.subspaces || ctx.expect_no_pcc;
    }

    void run(Context& ctx) override {
        if (ctx.pcc_world) {
            ctx.pcct = check_pcct(ctx);
        }
    }

  private:
    static std::optional<acpi::Pcct> check_pcct(Context& ctx) {
        Reporter& r = ctx.report;
        std::string err;
        const std::string path = std::string(kAcpiTables) + "/PCCT";
        const auto table = read_file(path, &err);
        if (ctx.expect_no_pcc) {
            r.check(!table, "pcct-absent",
                    table ? "a PCCT exists although no PCC device was configured"
                          : "no PCCT, as expected");
            return std::nullopt;
        }
        if (!table) {
            r.fail("pcct-present",
                   path + ": " + err +
                       " (QEMU built no PCCT: no PCC device, or ACPI not in use; acpi=force?)");
            return std::nullopt;
        }
        const auto hdr = acpi::parse_header(*table);
        r.ok("pcct-present", "PCCT, " + std::to_string(table->size()) + " bytes, revision " +
                                 std::to_string(hdr ? hdr->revision : 0));
        r.check(acpi::checksum_ok(*table), "pcct-checksum",
                acpi::checksum_ok(*table) ? "checksum ok" : "bad checksum");
        std::string why;
        auto pcct = acpi::parse_pcct(*table, &why);
        if (!pcct) {
            r.fail("pcct-parse", "malformed PCCT: " + why);
            return std::nullopt;
        }
        r.ok("pcct-parse",
             std::to_string(pcct->subspaces.size()) + " subspaces, flags " + hex(pcct->flags));
        for (const auto& s : pcct->subspaces) {
            std::string line = "index " + std::to_string(s.index) + " type " +
                               std::to_string(s.type) + " length " + std::to_string(s.length) +
                               " base " + hex(s.base) + " size " + hex(s.size);
            if (s.gsi) {
                line += " gsi " + std::to_string(*s.gsi) + " irqflags " + hex(s.irq_flags);
            }
            r.info("pcct-subspace", line);
        }
        if (ctx.subspaces) {
            r.check(pcct->subspaces.size() == *ctx.subspaces, "pcct-subspaces",
                    std::to_string(pcct->subspaces.size()) + " subspaces in the PCCT (expected " +
                        std::to_string(*ctx.subspaces) + ")");
        }
        const std::string overlap = overlaps(*pcct);
        r.check(overlap.empty(), "pcct-shmem",
                overlap.empty() ? "every subspace has its own shared memory" : reasons(overlap));
        return pcct;
    }

    // Each subspace needs its own shared memory: what is wrong, as reasons.
    static std::string overlaps(const acpi::Pcct& pcct) {
        std::string why;
        for (std::size_t i = 0; i < pcct.subspaces.size(); ++i) {
            const auto& a = pcct.subspaces[i];
            if (a.base == 0 || a.size == 0) {
                why += " subspace " + std::to_string(i) + " has no shared memory;";
            }
            for (std::size_t j = i + 1; j < pcct.subspaces.size(); ++j) {
                const auto& b = pcct.subspaces[j];
                if (a.base < b.base + b.size && b.base < a.base + a.size) {
                    why += " subspaces " + std::to_string(i) + " and " + std::to_string(j) +
                           " overlap;";
                }
            }
        }
        return why;
    }
};

}  // namespace

std::unique_ptr<CheckFamily> acpi_table_checks() {
    return std::make_unique<AcpiTableChecks>();
}

}  // namespace lab::checks
