// SPDX-License-Identifier: GPL-2.0-or-later
#include "host_steps.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <iostream>

#include "files.hpp"

namespace lab {

void HostSteps::start(const std::string& name) {
    const auto it = std::find_if(scenario_.on.begin(), scenario_.on.end(),
                                 [&](const auto& p) { return p.first == name; });
    if (it == scenario_.on.end()) {
        results_.push_back({Status::fail, "host-" + name,
                            "the guest asked for host step '" + name +
                                "' but the scenario has no `on " + name + " = COMMAND`"});
        return;
    }
    Step st;
    st.name = name;
    st.command = expand(it->second, places_);
    st.log = log_dir_ + "/host-" + name + ".log";
    st.started = Clock::now();
    try {
        const pcc::UniqueFd log = open_log(st.log);
        st.child = pcc::Child::spawn(argv_words(st.command), -1, log.get(), log.get());
    } catch (const std::exception& e) {
        results_.push_back({Status::fail, "host-" + name, "`" + st.command + "`: " + e.what()});
        return;
    }
    if (!quiet_) {
        std::cerr << "pcc-lab: host step " << name << ": " << st.command << "\n";
    }
    steps_.push_back(std::move(st));
}

void HostSteps::poll(bool final) {
    for (auto& st : steps_) {
        if (st.done) {
            continue;
        }
        if (st.child.poll_exit()) {
            finish(st, false);
        } else if (final || Clock::now() - st.started > kHostStepTimeout) {
            st.child.kill_group();
            finish(st, true);
        }
    }
}

void HostSteps::finish(Step& st, bool killed) {
    st.done = true;
    const int status = st.child.status();
    const std::string out = tail_of_file(st.log, 3);
    const std::string took = fmt_s(seconds_since(st.started));
    const std::string said = out.empty() ? "" : ": " + out;
    if (!killed && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        results_.push_back(
            {Status::ok, "host-" + st.name, "`" + st.command + "` done in " + took + said});
    } else {
        results_.push_back({Status::fail, "host-" + st.name,
                            "`" + st.command + "` " +
                                (killed ? "still running after " + took + ", killed"
                                        : pcc::describe_status(status)) +
                                said});
    }
}

}  // namespace lab
