// SPDX-License-Identifier: GPL-2.0-or-later
#include "scenario.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace lab {
namespace {

std::string strip(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) {
        return {};
    }
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

std::vector<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;) {
        out.push_back(w);
    }
    return out;
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
            for (auto& w : words(value)) {
                s.qemu_args.push_back(w);
            }
        } else if (key == "append") {
            s.append += (s.append.empty() ? "" : " ") + value;
        } else if (key == "modules") {
            for (auto& w : words(value)) {
                s.modules.push_back(w);
            }
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
            for (auto& w : words(value)) {
                s.require.push_back(w);
            }
        } else if (key.rfind("on ", 0) == 0) {
            const std::string name = strip(key.substr(3));
            if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                                       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
                                    std::string::npos) {
                fail("on NAME = COMMAND: NAME is letters, digits, '-' and '_'");
            }
            if (value.empty()) {
                fail("on " + name + ": empty command");
            }
            for (const auto& [n, c] : s.on) {
                if (n == name) {
                    fail("on " + name + ": given twice");
                }
            }
            s.on.emplace_back(name, value);
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

}  // namespace lab
