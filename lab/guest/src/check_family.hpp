// SPDX-License-Identifier: GPL-2.0-or-later
// pcc-guest-check's check families. A family adds its options to the
// command line and runs the checks they ask for; pcc-guest-check.cpp
// registers the families and runs them in order. A new family is a file
// with a factory declared below and one registration line in main.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "acpi.hpp"
#include "report.hpp"

namespace lab::checks {

// What the families share: expectations that several of them read, and
// what earlier families found.
struct Context {
    Reporter report;
    // --expect-subspaces N, --expect-no-pcc (the kernel log and the PCCT)
    std::optional<unsigned> subspaces;
    bool expect_no_pcc = false;
    // --no-platform: no pccd is attached to the run
    bool have_platform = true;
    // Some family examines the PCC devices: the kernel log and the PCCT
    // are checked first.
    bool pcc_world = false;
    // The PCCT as the ACPI table checks parsed it (nullopt: none usable).
    std::optional<acpi::Pcct> pcct;
    // --host-step NAME...: the steps between run() and after_host_steps()
    std::vector<std::string> host_steps;
};

// Where a family declares its command-line options (pcc-guest-check.cpp
// puts CLI11 behind it). The callbacks run after parsing, those of a
// repeated option in the order of the command line; one that finds a value
// wrong throws OptionError(what): the program ends with "OPTION: WHAT" and
// exit status 2.
class Options {
  public:
    using Callback = std::function<void(const std::string&)>;
    virtual ~Options() = default;
    virtual void flag(const std::string& name, std::function<void()> on_set,
                      const std::string& help) = 0;
    // An option with a value; given twice, the last one counts.
    virtual void value(const std::string& name, const std::string& value_name, Callback on_value,
                       const std::string& help) = 0;
    // An option that may be given many times, one value each time.
    virtual void repeatable(const std::string& name, const std::string& value_name, Callback each,
                            const std::string& help) = 0;
};

struct OptionError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class CheckFamily {
  public:
    virtual ~CheckFamily() = default;
    // Declares the family's options; their values land in the family or in
    // ctx.
    virtual void add_options(Options& options, Context& ctx) = 0;
    // After parsing: whether the options ask about PCC devices.
    virtual bool examines_pcc_devices(const Context&) const { return false; }
    // The checks the options asked for, in order of registration.
    virtual void run(Context& ctx) = 0;
    // After the host steps (--host-step): checks that wait for the effect.
    virtual void after_host_steps(Context&) {}
};

// The families, in the order pcc-guest-check runs them.
std::unique_ptr<CheckFamily> kernel_log_checks();   // kernel_log_checks.cpp
std::unique_ptr<CheckFamily> acpi_table_checks();   // acpi_table_checks.cpp
std::unique_ptr<CheckFamily> mctp_checks();         // mctp_checks.cpp
std::unique_ptr<CheckFamily> xgene_hwmon_checks();  // xgene_hwmon_checks.cpp
std::unique_ptr<CheckFamily> xgene_i2c_checks();    // xgene_i2c_checks.cpp
std::unique_ptr<CheckFamily> cppc_checks();         // cppc_checks.cpp
std::unique_ptr<CheckFamily> thermal_checks();      // thermal_checks.cpp
std::unique_ptr<CheckFamily> fault_checks();        // fault_checks.cpp
std::unique_ptr<CheckFamily> hccs_checks();         // hccs_checks.cpp
std::unique_ptr<CheckFamily> uncore_checks();       // uncore_checks.cpp
std::unique_ptr<CheckFamily> raw_checks();          // raw_checks.cpp
std::unique_ptr<CheckFamily> snapshot_checks();     // snapshot_checks.cpp

// --- helpers for the families

// An unsigned option value (strtoul, base 0); throws OptionError(what)
// when `text` is not one.
unsigned number_value(const std::string& text, const std::string& what);
// "C,C,...": channel numbers; throws OptionError("bad channel 'X'").
std::vector<unsigned> channel_list(const std::string& text);
// `text` split at every `sep`.
std::vector<std::string> split(const std::string& text, char sep);

// "0,2", or "none" for no channel.
std::string join_channels(const std::vector<unsigned>& channels);
// "0x1f"
std::string hex(std::uint64_t value);
// " a; b;" -> "a; b": reasons collected as " reason;" pieces.
std::string reasons(const std::string& collected);

// The name of a check that waits for the effect of the host steps:
// "BASE-after-STEP" ("BASE-after-A+B" for several), "BASE-changed" without.
std::string after_steps_name(const std::string& base, const Context& ctx);

// Seconds on the monotonic clock; "0.25 s", or "299.6 ms" where a bound in
// milliseconds is checked.
double now_s();
std::string fmt_s(double seconds);
std::string fmt_ms(double seconds);

// Polling for an effect with a deadline (no sleep stands in for it): calls
// `attempt` until it returns true, every 50 ms, at most `seconds`.
struct Polled {
    bool done = false;  // attempt returned true
    int attempts = 0;
    double seconds = 0;  // from the first attempt to the last
};
Polled poll_until(double seconds, const std::function<bool()>& attempt);

}  // namespace lab::checks
