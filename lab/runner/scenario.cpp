// SPDX-License-Identifier: GPL-2.0-or-later
#include "scenario.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "text.hpp"

namespace lab {
namespace {

std::string strip(const std::string& s) {
    return std::string(pcc::trim(s));
}

void append_words(std::vector<std::string>& to, const std::string& text) {
    for (const auto w : pcc::split_words(text)) {
        to.emplace_back(w);
    }
}

std::string basename_conf(const std::string& path) {
    auto slash = path.find_last_of('/');
    std::string b = slash == std::string::npos ? path : path.substr(slash + 1);
    if (b.size() > 5 && b.ends_with(".conf")) {
        b.resize(b.size() - 5);
    }
    return b;
}

}  // namespace

HostStepSpec parse_host_step(const std::string& name, const std::string& value) {
    HostStepSpec step{name, value, std::nullopt};
    const auto words = pcc::split_words(value);
    const auto arrow = std::find(words.begin(), words.end(), "=>");
    if (arrow != words.end()) {
        // the views point into `value`: cut it at the arrow
        const auto at = static_cast<std::size_t>(arrow->data() - value.data());
        step.command = strip(value.substr(0, at));
        step.expected = strip(value.substr(at + 2));
    }
    if (step.command.empty()) {
        throw std::runtime_error("on " + name + ": empty command");
    }
    return step;
}

Scenario parse_scenario(const std::string& text, const std::string& origin) {
    Scenario s;
    s.name = basename_conf(origin);
    s.path = origin;
    std::istringstream in(text);
    std::string line;
    int lineno = 0;
    auto fail = [&](const std::string& why) {
        throw std::runtime_error(origin + ":" + std::to_string(lineno) + ": " + why);
    };
    while (std::getline(in, line)) {
        ++lineno;
        const std::string t = strip(line);
        if (t.empty() || t[0] == '#') {
            continue;
        }
        const auto eq = t.find('=');
        if (eq == std::string::npos) {
            fail("expected 'key = value'");
        }
        const std::string key = strip(t.substr(0, eq));
        const std::string value = strip(t.substr(eq + 1));
        if (key == "description") {
            s.description = value;
        } else if (key == "timeout") {
            try {
                std::size_t used = 0;
                s.timeout_s = std::stoi(value, &used);
                if (used != value.size() || s.timeout_s <= 0) {
                    fail("timeout: a positive number of seconds");
                }
            } catch (const std::logic_error&) {
                fail("timeout: a positive number of seconds");
            }
        } else if (key == "device") {
            if (value.empty()) {
                fail("device: empty");
            }
            s.devices.push_back(value);
        } else if (key == "qemu") {
            append_words(s.qemu_args, value);
        } else if (key == "append") {
            s.append += (s.append.empty() ? "" : " ") + value;
        } else if (key == "modules") {
            append_words(s.modules, value);
        } else if (key == "guest") {
            if (value.empty()) {
                fail("guest: empty command");
            }
            s.guest.push_back(value);
        } else if (key == "pccd") {
            s.pccd = value;
        } else if (key == "pccd-missing") {
            if (value == "skip") {
                s.pccd_required = true;
            } else if (value == "continue") {
                s.pccd_required = false;
            } else {
                fail("pccd-missing: 'skip' or 'continue'");
            }
        } else if (key == "require") {
            append_words(s.require, value);
        } else if (key.rfind("on ", 0) == 0) {
            const std::string name = strip(key.substr(3));
            if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                                       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
                                    std::string::npos) {
                fail("on NAME = COMMAND: NAME is letters, digits, '-' and '_'");
            }
            for (const auto& step : s.on) {
                if (step.name == name) {
                    fail("on " + name + ": given twice");
                }
            }
            try {
                s.on.push_back(parse_host_step(name, value));
            } catch (const std::runtime_error& e) {
                fail(e.what());
            }
        } else if (key == "kernel") {
            try {
                s.kernel.kind = parse_kernel_kind(value);
            } catch (const std::invalid_argument& e) {
                fail(e.what());
            }
        } else if (key == "requires-config") {
            if (value.empty()) {
                fail("requires-config: empty");
            }
            try {
                for (const auto w : pcc::split_words(value)) {
                    s.kernel.configs.push_back(parse_config_requirement(w));
                }
            } catch (const std::invalid_argument& e) {
                fail(e.what());
            }
        } else if (key == "requires-version") {
            if (s.kernel.min_version) {
                fail("requires-version: given twice");
            }
            try {
                s.kernel.min_version = parse_version_requirement(value);
            } catch (const std::invalid_argument& e) {
                fail(e.what());
            }
        } else if (key == "requires-module") {
            if (value.empty()) {
                fail("requires-module: empty");
            }
            for (const auto w : pcc::split_words(value)) {
                std::string m(w);
                if (m.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789-_") != std::string::npos) {
                    fail("requires-module: '" + m + "' is not a module name");
                }
                std::replace(m.begin(), m.end(), '-', '_');
                s.kernel.modules.push_back(std::move(m));
            }
        } else if (key == "pcap") {
            if (value.empty()) {
                fail("pcap: empty (the FILE pccd's --pcap writes)");
            }
            s.pcap = value;
        } else if (key == "skip") {
            s.skip = value.empty() ? std::string("skipped by the scenario") : value;
        } else {
            fail("unknown key '" + key + "'");
        }
    }
    if (s.guest.empty() && !s.skip) {
        lineno = 0;
        fail("no 'guest =' command: the scenario would check nothing");
    }
    return s;
}

Scenario load_scenario(const std::string& path) {
    std::ifstream f(path);
    if (!f) {
        throw std::runtime_error(path + ": cannot read");
    }
    std::stringstream ss;
    ss << f.rdbuf();
    return parse_scenario(ss.str(), path);
}

std::string find_scenario(const std::string& arg, const std::string& dir) {
    if (arg.find('/') != std::string::npos || arg.ends_with(".conf")) {
        return arg;
    }
    return dir + "/" + arg + ".conf";
}

std::vector<std::string> scenario_files(const std::string& dir) {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() == ".conf") {
            files.push_back(e.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace lab
