// SPDX-License-Identifier: GPL-2.0-or-later
#include "tap_report.hpp"

#include <algorithm>

#include "paths.hpp"

namespace lab {

std::string tap_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '#') {
            out += "\\#";
        } else if (c != '\n' && c != '\r') {
            out += c;
        }
    }
    return out;
}

TapReport::TapReport(std::ostream& out) : out_(out) {
    out_ << "TAP version 13\n";
}

void TapReport::add(const ScenarioOutcome& oc, const std::vector<std::string>& require) {
    for (const auto& r : oc.results) {
        ++n_;
        checks_.count(r.status);
        const std::string desc = tap_escape(oc.name + ": " + r.name + ": " + r.message);
        switch (r.status) {
            case Status::ok:
                out_ << "ok " << n_ << " - " << desc << "\n";
                break;
            case Status::skip:
                out_ << "ok " << n_ << " - " << tap_escape(oc.name + ": " + r.name) << " # SKIP "
                     << tap_escape(r.message) << "\n";
                break;
            case Status::fail:
                out_ << "not ok " << n_ << " - " << desc << "\n";
                break;
        }
    }
    out_.flush();
    scenarios_.push_back({oc, require});
}

ScenarioVerdict scenario_verdict(const ScenarioOutcome& oc,
                                 const std::vector<std::string>& require) {
    ScenarioVerdict v;
    for (const auto& r : oc.results) {
        v.counts.count(r.status);
    }
    // A scenario is about its required checks: if one of them was skipped,
    // the scenario is SKIPPED, whatever else passed.
    const auto skipped_req = std::find_if(oc.results.begin(), oc.results.end(), [&](const auto& r) {
        return r.status == Status::skip &&
               (r.name == "scenario" ||
                std::find(require.begin(), require.end(), r.name) != require.end());
    });
    if (v.counts.fail) {
        v.kind = ScenarioVerdict::Kind::fail;
        v.text = "FAIL";
    } else if (skipped_req != oc.results.end() || !v.counts.ok) {
        v.kind = ScenarioVerdict::Kind::skip;
        v.text = "SKIPPED";
        if (skipped_req != oc.results.end()) {
            v.reason = skipped_req->name + ": " + skipped_req->message;
        }
    } else {
        v.text = v.counts.skip ? "PASS (with skips)" : "PASS";
    }
    return v;
}

void TapReport::summarise(const Scenario& s) {
    const ScenarioOutcome& oc = s.outcome;
    const ScenarioVerdict v = scenario_verdict(oc, s.require);
    const pcc::console::Counts& c = v.counts;
    const std::string& verdict = v.text;
    switch (v.kind) {
        case ScenarioVerdict::Kind::fail:
            ++scen_fail_;
            break;
        case ScenarioVerdict::Kind::skip:
            ++scen_skip_;
            break;
        case ScenarioVerdict::Kind::pass:
            ++scen_pass_;
            break;
    }
    out_ << "# " << oc.name << ": " << verdict << " - " << c.ok << " passed, " << c.fail
         << " failed, " << c.skip << " skipped";
    if (oc.total_s > 0) {
        out_ << " (initramfs " << fmt_s(oc.initramfs_s) << ", boot to done "
             << (oc.boot_s > 0 ? fmt_s(oc.boot_s) : std::string("-")) << ", scenario "
             << fmt_s(oc.total_s) << ")";
    }
    out_ << "\n";
    if (!v.reason.empty()) {
        out_ << "#   reason: " << v.reason << "\n";
    }
    for (const auto& r : oc.results) {
        if (r.status == Status::fail) {
            out_ << "#   FAILED  " << r.name << ": " << r.message << "\n";
        }
    }
    for (const auto& r : oc.results) {
        if (r.status == Status::skip) {
            out_ << "#   SKIPPED " << r.name << ": " << r.message << "\n";
        }
    }
    if (!oc.log_dir.empty()) {
        out_ << "#   logs: " << oc.log_dir << "/{console,qemu,pccd}.log\n";
    }
}

int TapReport::finish(bool fail_on_skip) {
    out_ << "1.." << n_ << "\n";
    out_ << "# ---- pcc-lab summary ----\n";
    for (const auto& s : scenarios_) {
        summarise(s);
    }
    out_ << "# total: scenarios " << scen_pass_ << " passed, " << scen_fail_ << " failed, "
         << scen_skip_ << " skipped; checks " << checks_.ok << " passed, " << checks_.fail
         << " failed, " << checks_.skip << " skipped\n";
    if (scen_fail_ || (fail_on_skip && checks_.skip)) {
        return 1;
    }
    return scen_pass_ ? 0 : kExitAllSkipped;
}

}  // namespace lab
