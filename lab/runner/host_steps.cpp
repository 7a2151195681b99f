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

void HostSteps::report(Result result) {
    const std::string step = result.name.substr(5);  // "host-NAME"
    const Status status = result.status;
    results_.push_back(std::move(result));
    if (on_done_) {
        on_done_(step, status);
    }
}

void HostSteps::start(const std::string& name) {
    const auto it = std::find_if(scenario_.on.begin(), scenario_.on.end(),
                                 [&](const auto& step) { return step.name == name; });
    if (it == scenario_.on.end()) {
        report({Status::fail, "host-" + name,
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
        report({Status::fail, "host-" + name, e.what()});
        return;
    }
    st.log = log_dir_ + "/host-" + name + ".log";
    st.started = Clock::now();
    try {
        if (const auto qmp = parse_qmp_step(st.command)) {
            start_qmp(st, *qmp);
            return;
        }
    } catch (const std::exception& e) {
        report({Status::fail, "host-" + name, "`" + st.command + "`: " + e.what()});
        return;
    }
    try {
        const pcc::UniqueFd log = open_log(st.log);
        st.child = pcc::Child::spawn(argv_words(st.command), -1, log.get(), log.get());
    } catch (const std::exception& e) {
        report({Status::fail, "host-" + name, "`" + st.command + "`: " + e.what()});
        return;
    }
    if (!quiet_) {
        std::cerr << "pcc-lab: host step " << name << ": " << st.command << "\n";
    }
    steps_.push_back(std::move(st));
}

void HostSteps::start_qmp(Step& st, const QmpStep& qmp) {
    if (st.expected) {
        st.qmp_expected = parse_qmp_expectation(*st.expected);
    }
    // the step's own log holds its exchange; qmp.log the whole connection's
    std::ofstream(st.log, std::ios::trunc)
        << "qmp " << qmp.command << " " << (qmp.arguments ? json::dump(*qmp.arguments) : "")
        << "\n";
    if (!qmp_) {
        qmp_.emplace(QmpClient::connect(qmp_socket_path(places_.run), log_dir_ + "/qmp.log"));
    }
    st.qmp_id = qmp_->send(qmp.command, qmp.arguments);
    if (!quiet_) {
        std::cerr << "pcc-lab: host step " << st.name << ": " << st.command << "\n";
    }
    steps_.push_back(std::move(st));
}

void HostSteps::poll_qmp(bool final) {
    if (!qmp_) {
        return;
    }
    for (const QmpReply& reply : qmp_->read_available()) {
        for (auto& st : steps_) {
            if (!st.done && st.qmp_id == reply.id) {
                finish_qmp(st, reply);
            }
        }
    }
    for (auto& st : steps_) {
        if (!st.done && st.qmp_id && (final || Clock::now() - st.started > kHostStepTimeout)) {
            st.done = true;
            report({Status::fail, "host-" + st.name,
                                "`" + st.command + "`: QEMU did not answer in " +
                                    fmt_s(seconds_since(st.started))});
        }
    }
}

void HostSteps::finish_qmp(Step& st, const QmpReply& reply) {
    st.done = true;
    const std::string took = fmt_s(seconds_since(st.started));
    std::string events;
    for (const auto& e : reply.events) {
        events += (events.empty() ? "" : ", ") + e;
    }
    const std::string answer = reply.ok ? "returned " + json::dump(reply.value) : reply.error;
    std::ofstream(st.log, std::ios::app)
        << answer << "\n"
        << (events.empty() ? "" : "events meanwhile: " + events + "\n");
    const std::string why = qmp_verdict(reply, st.qmp_expected);
    std::string message = "`" + st.command + "` ";
    if (why.empty() && reply.ok) {
        message += "returned " + output_words(json::dump(reply.value)) +
                   (st.qmp_expected ? " (as expected: it has " +
                                          output_words(json::dump(st.qmp_expected->value)) + ")"
                                    : "") +
                   " in " + took;
    } else if (why.empty()) {
        message += "failed as expected: " + output_words(reply.error) + ", in " + took;
    } else {
        message += output_words(why, 400);
    }
    if (!events.empty()) {
        message += " (events meanwhile: " + events + ")";
    }
    report({why.empty() ? Status::ok : Status::fail, "host-" + st.name, message});
}

void HostSteps::poll(bool final) {
    poll_qmp(final);
    for (auto& st : steps_) {
        if (st.done || st.qmp_id) {
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
            report(
                {Status::ok, "host-" + st.name, "`" + st.command + "` done in " + took + said});
            return;
        }
        const std::string output = read_output(st.log);
        const bool good = output_matches(output, *st.expected);
        report(
            {good ? Status::ok : Status::fail, "host-" + st.name,
             "`" + st.command + "` " +
                 (good ? "printed '" + output_words(output) + "' as expected, in " + took
                       : "printed '" + output_words(output) + "', expected '" +
                             output_words(*st.expected) + "'")});
    } else {
        report({Status::fail, "host-" + st.name,
                            "`" + st.command + "` " +
                                (killed ? "still running after " + took + ", killed"
                                        : pcc::describe_status(status)) +
                                said});
    }
}

}  // namespace lab
