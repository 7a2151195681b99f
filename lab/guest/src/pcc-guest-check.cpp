// SPDX-License-Identifier: GPL-2.0-or-later
// pcc-guest-check: runs inside the lab's guest and checks, from Linux's
// point of view, what QEMU's PCC devices should have produced. The checks
// come in families (check_family.hpp), one file each; this registers them,
// runs them in order, then the host steps (--host-step: the runner acts on
// the host, e.g. changes a value in pccd), then what waits for the effect.
// Results go to stdout as "PCC-RESULT ok|fail|skip <name> <message>"
// (common/console_protocol.hpp). Exit status: 0 when nothing failed, 2 on
// a usage error.
#include <algorithm>
#include <memory>
#include <vector>

#include "check_family.hpp"
#include "cli.hpp"
#include "host_step_sync.hpp"

namespace {

namespace checks = lab::checks;

// The runner gives a host step 20 s (lab/runner/host_steps.hpp).
constexpr double kHostStepAckSeconds = 30;

// The families' options as CLI11 options.
class CliOptions : public checks::Options {
  public:
    explicit CliOptions(CLI::App& app) : app_(app) {}

    void flag(const std::string& name, std::function<void()> on_set,
              const std::string& help) override {
        app_.add_flag_callback(name, std::move(on_set), help);
    }

    void value(const std::string& name, const std::string& value_name, Callback on_value,
               const std::string& help) override {
        app_.add_option_function<std::string>(name, reporting(name, std::move(on_value)), help)
            ->type_name(value_name)
            ->take_last();
    }

    void repeatable(const std::string& name, const std::string& value_name, Callback each,
                    const std::string& help) override {
        pcc::add_repeatable_option(app_, name, reporting(name, std::move(each)), help)
            ->type_name(value_name);
    }

  private:
    // OptionError("what") as CLI11's "NAME: what"
    static Callback reporting(const std::string& name, Callback f) {
        return [name, f = std::move(f)](const std::string& v) {
            try {
                f(v);
            } catch (const checks::OptionError& e) {
                throw CLI::ValidationError(name, e.what());
            }
        };
    }

    CLI::App& app_;
};

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::unique_ptr<checks::CheckFamily>> families;
    families.push_back(checks::kernel_log_checks());
    families.push_back(checks::acpi_table_checks());
    families.push_back(checks::mctp_checks());
    families.push_back(checks::xgene_hwmon_checks());
    families.push_back(checks::xgene_i2c_checks());
    families.push_back(checks::cppc_checks());
    families.push_back(checks::thermal_checks());
    families.push_back(checks::fault_checks());
    families.push_back(checks::hccs_checks());
    families.push_back(checks::uncore_checks());
    families.push_back(checks::raw_checks());
    families.push_back(checks::snapshot_checks());

    checks::Context ctx;
    CLI::App app{"Checks inside the lab's guest what Linux sees of the PCC devices.",
                 "pcc-guest-check"};
    pcc::add_version_flag(app);
    CliOptions options(app);
    options.flag(
        "--no-platform", [&ctx] { ctx.have_platform = false; },
        "no pccd is attached to this run (the runner's @platform)");
    options.repeatable(
        "--host-step", "NAME", [&ctx](const std::string& s) { ctx.host_steps.push_back(s); },
        "after the checks: PCC-LAB-HOST NAME, the runner runs the scenario's `on NAME = ...`");
    bool sync_steps = false;
    options.flag(
        "--sync-host-steps", [&sync_steps] { sync_steps = true; },
        "wait until the runner says each host step ended (PCC-LAB-STEP-DONE on the console's "
        "input) before the next, and before the checks that follow them");
    for (auto& f : families) {
        f->add_options(options, ctx);
    }
    if (auto status = pcc::parse_command_line(app, argc, argv)) {
        return *status;
    }

    ctx.pcc_world = std::any_of(families.begin(), families.end(),
                                [&ctx](const auto& f) { return f->examines_pcc_devices(ctx); });
    for (auto& f : families) {
        f->run(ctx);
    }
    for (const auto& step : ctx.host_steps) {
        if (!sync_steps) {
            ctx.report.host_step(step);
            continue;
        }
        lab::ConsoleInput input;  // before asking: the answer must not be missed
        ctx.report.host_step(step);
        const auto ack = input.wait(step, kHostStepAckSeconds);
        if (!ack.status) {
            ctx.report.fail("host-step-" + step + "-ack",
                            "the runner did not say that host step " + step + " ended within " +
                                checks::fmt_s(ack.seconds) + ": " + ack.problem);
        } else {
            ctx.report.info("host-step", step + " ended (" +
                                             std::string(pcc::console::status_word(*ack.status)) +
                                             ") after " + checks::fmt_s(ack.seconds));
        }
    }
    for (auto& f : families) {
        f->after_host_steps(ctx);
    }
    ctx.report.summary();
    return ctx.report.failures() ? 1 : 0;
}
