// SPDX-License-Identifier: GPL-2.0-or-later
#include "host_steps.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <iostream>

#include "files.hpp"
#include "text.hpp"

namespace lab {

namespace {

constexpr std::size_t kMaxOutput = 64 * 1024;  // read of a step's log

std::string read_output(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::string text(kMaxOutput, '\0');
    f.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(f.gcount()));
    return text;
}

}  // namespace

bool output_matches(std::string_view output, std::string_view expected) {
    return pcc::split_words(output) == pcc::split_words(expected);
}

std::string output_words(std::string_view output, std::size_t max) {
    std::string out;
    for (const auto w : pcc::split_words(output)) {
        out += (out.empty() ? "" : " ") + std::string(w);
        if (out.size() > max) {
            out.resize(max);
            return out + "...";
        }
    }
    return out;
}

void HostSteps::start(const std::string& name) {
    const auto it = std::find_if(scenario_.on.begin(), scenario_.on.end(),
                                 [&](const auto& step) { return step.name == name; });
    if (it == scenario_.on.end()) {
        results_.push_back({Status::fail, "host-" + name,
                            "the guest asked for host step '" + name +
                                "' but the scenario has no `on " + name + " = COMMAND`"});
        return;
    }
    Step st;
    st.name = name;
    try {
        st.command = expand(it->command, places_);
        if (it->expected) {
            st.expected = expand(*it->expected, places_);
        }
    } catch (const std::exception& e) {
        results_.push_back({Status::fail, "host-" + name, e.what()});
        return;
    }
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
        if (!st.expected) {
            results_.push_back(
                {Status::ok, "host-" + st.name, "`" + st.command + "` done in " + took + said});
            return;
        }
        const std::string output = read_output(st.log);
        const bool good = output_matches(output, *st.expected);
        results_.push_back(
            {good ? Status::ok : Status::fail, "host-" + st.name,
             "`" + st.command + "` " +
                 (good ? "printed '" + output_words(output) + "' as expected, in " + took
                       : "printed '" + output_words(output) + "', expected '" +
                             output_words(*st.expected) + "'")});
    } else {
        results_.push_back({Status::fail, "host-" + st.name,
                            "`" + st.command + "` " +
                                (killed ? "still running after " + took + ", killed"
                                        : pcc::describe_status(status)) +
                                said});
    }
}

}  // namespace lab
