// SPDX-License-Identifier: GPL-2.0-or-later
#include "modules.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>

#include "files.hpp"
#include "process.hpp"

namespace fs = std::filesystem;

namespace lab {
namespace {

std::string normalise(std::string n) {
    std::replace(n.begin(), n.end(), '-', '_');
    return n;
}

// "drivers/hwmon/xgene-hwmon.ko.xz" -> "xgene_hwmon"; "" if not a module
std::string module_name(const fs::path& p) {
    std::string f = p.filename().string();
    for (const char* ext : {".ko.xz", ".ko.gz", ".ko.zst", ".ko"}) {
        if (f.ends_with(ext)) {
            return normalise(f.substr(0, f.size() - std::string(ext).size()));
        }
    }
    return {};
}

std::string read_bytes_or_empty(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        return {};
    }
    const auto b = read_bytes(path);
    return std::string(b.begin(), b.end());
}

std::vector<std::uint8_t> load_module(const std::string& path) {
    const char* tool = nullptr;
    if (path.ends_with(".xz")) {
        tool = "xz";
    } else if (path.ends_with(".gz")) {
        tool = "gzip";
    } else if (path.ends_with(".zst")) {
        tool = "zstd";
    }
    if (!tool) {
        return read_bytes(path);
    }
    int status = 0;
    std::string out = pcc::run_capture({tool, "-dc", "--", path}, &status);
    if (status != 0 || out.empty()) {
        throw std::runtime_error(std::string(tool) + " -dc " + path + ": " +
                                 pcc::describe_status(status));
    }
    return std::vector<std::uint8_t>(out.begin(), out.end());
}

}  // namespace

std::set<std::string> builtin_modules(std::string_view text) {
    std::set<std::string> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (auto n = module_name(fs::path(std::string(line))); !n.empty()) {
            out.insert(n);
        }
    }
    return out;
}

std::vector<std::string> module_depends(const std::vector<std::uint8_t>& ko) {
    static const std::string key = "depends=";
    std::vector<std::string> out;
    auto it = ko.begin();
    while ((it = std::search(it, ko.end(), key.begin(), key.end())) != ko.end()) {
        // a modinfo string starts after a NUL
        if (it != ko.begin() && *(it - 1) != 0) {
            ++it;
            continue;
        }
        auto start = it + static_cast<std::ptrdiff_t>(key.size());
        auto end = std::find(start, ko.end(), std::uint8_t{0});
        std::string v(start, end);
        std::size_t b = 0;
        while (b < v.size()) {
            auto c = v.find(',', b);
            std::string d = v.substr(b, c == std::string::npos ? std::string::npos : c - b);
            if (!d.empty()) {
                out.push_back(normalise(d));
            }
            if (c == std::string::npos) {
                break;
            }
            b = c + 1;
        }
        break;
    }
    return out;
}

std::set<std::string> tree_modules(const std::string& tree) {
    std::set<std::string> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(tree, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec)) {
            if (auto n = module_name(it->path()); !n.empty()) {
                out.insert(std::move(n));
            }
        }
    }
    if (ec) {
        throw std::runtime_error(tree + ": " + ec.message());
    }
    return out;
}

ModuleSet resolve_modules(const std::string& tree, const std::vector<std::string>& wanted) {
    ModuleSet set;
    if (wanted.empty()) {
        return set;
    }
    std::map<std::string, std::string> index;  // name -> path
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(tree, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec)) {
            if (auto n = module_name(it->path()); !n.empty()) {
                index.emplace(n, it->path().string());
            }
        }
    }
    if (ec) {
        throw std::runtime_error(tree + ": " + ec.message());
    }
    std::set<std::string> done, visiting;
    std::function<void(const std::string&)> visit = [&](const std::string& raw) {
        const std::string n = normalise(raw);
        if (done.count(n) || visiting.count(n)) {
            return;
        }
        auto found = index.find(n);
        if (found == index.end()) {
            set.missing.push_back(n);
            done.insert(n);
            return;
        }
        visiting.insert(n);
        Module m;
        m.name = n;
        m.path = found->second;
        m.data = load_module(m.path);
        m.depends = module_depends(m.data);
        for (const auto& d : m.depends) {
            visit(d);
        }
        visiting.erase(n);
        done.insert(n);
        set.load_order.push_back(std::move(m));
    };
    for (const auto& w : wanted) {
        visit(w);
    }
    if (!set.missing.empty()) {
        std::vector<std::string> still;
        const std::string listed(read_bytes_or_empty(tree + "/modules.builtin"));
        const auto builtin = builtin_modules(listed);
        for (const auto& m : set.missing) {
            (builtin.count(m) ? set.builtin : still).push_back(m);
        }
        set.missing = std::move(still);
    }
    return set;
}

}  // namespace lab
