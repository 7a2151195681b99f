// SPDX-License-Identifier: GPL-2.0-or-later
#include "kconfig.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "text.hpp"

namespace fs = std::filesystem;

namespace lab {

namespace {

constexpr std::string_view kPrefix = "CONFIG_";

bool symbol_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_symbol(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), symbol_char);
}

std::string read_text(const std::string& path) {
    std::ifstream f(path);
    if (!f) {
        throw std::runtime_error(path + ": cannot read");
    }
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

}  // namespace

KernelConfig parse_kernel_config(std::string_view text) {
    KernelConfig c;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = pcc::trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (line.starts_with("# CONFIG_") && line.ends_with(" is not set")) {
            const std::string_view sym = line.substr(2, line.size() - 2 - 11);
            if (is_symbol(sym)) {
                c[std::string(sym)] = "n";
            }
            continue;
        }
        if (!line.starts_with(kPrefix)) {
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string_view::npos || !is_symbol(line.substr(0, eq))) {
            continue;
        }
        c[std::string(line.substr(0, eq))] = std::string(pcc::trim(line.substr(eq + 1)));
    }
    return c;
}

KernelConfig load_kernel_config(const std::string& path) {
    return parse_kernel_config(read_text(path));
}

std::string config_symbol(std::string_view name) {
    std::string_view bare = name.starts_with(kPrefix) ? name.substr(kPrefix.size()) : name;
    if (!is_symbol(bare)) {
        throw std::invalid_argument("'" + std::string(name) +
                                    "' is not a kernel config symbol (CONFIG_NAME)");
    }
    return std::string(kPrefix) + std::string(bare);
}

std::set<std::string> kconfig_symbols(std::string_view text) {
    std::set<std::string> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = pcc::trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        for (std::string_view kw : {"config", "menuconfig"}) {
            if (line.size() > kw.size() && line.starts_with(kw) &&
                (line[kw.size()] == ' ' || line[kw.size()] == '\t')) {
                const std::string_view sym = pcc::trim(line.substr(kw.size()));
                if (is_symbol(sym)) {
                    out.insert(std::string(kPrefix) + std::string(sym));
                }
            }
        }
    }
    return out;
}

std::set<std::string> tree_kconfig_symbols(const std::string& tree) {
    std::set<std::string> out;
    std::error_code ec;
    const fs::path root(tree);
    auto it =
        fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const fs::path& p = it->path();
        if (it->is_directory(ec)) {
            const fs::path rel = p.lexically_relative(root);
            const std::string top = rel.begin()->string();
            // other architectures, and what kbuild never reads
            const bool other_arch = top == "arch" && std::distance(rel.begin(), rel.end()) == 2 &&
                                    rel.filename() != "arm64";
            if (other_arch || top == "Documentation" || top == "tools" || top == ".git" ||
                p.filename().string().starts_with(".")) {
                it.disable_recursion_pending();
            }
            continue;
        }
        if (p.filename().string().starts_with("Kconfig") && it->is_regular_file(ec)) {
            const auto syms = kconfig_symbols(read_text(p.string()));
            out.insert(syms.begin(), syms.end());
        }
    }
    if (ec) {
        throw std::runtime_error(tree + ": " + ec.message());
    }
    return out;
}

std::vector<FragmentIssue> check_fragment(const KernelConfig& fragment, const KernelConfig& config,
                                          const std::set<std::string>& defined) {
    std::vector<FragmentIssue> issues;
    for (const auto& [sym, wanted] : fragment) {
        const auto found = config.find(sym);
        const std::string got = found == config.end() ? std::string() : found->second;
        const bool applied = got == wanted || (wanted == "n" && got.empty());
        if (applied) {
            continue;
        }
        issues.push_back({defined.count(sym) ? FragmentIssue::Kind::not_applied
                                             : FragmentIssue::Kind::not_in_tree,
                          sym, wanted, got});
    }
    return issues;
}

std::string describe(const FragmentIssue& i) {
    if (i.kind == FragmentIssue::Kind::not_in_tree) {
        return i.symbol + "=" + i.wanted + ": no Kconfig of this tree defines it (skipped)";
    }
    return i.symbol + "=" + i.wanted + " did not stick (" +
           (i.got.empty() ? std::string("absent from .config") : "the .config has " + i.got) +
           "): a dependency is not met; add it to the fragment";
}

KernelKind parse_kernel_kind(std::string_view w) {
    if (w == "any") {
        return KernelKind::any;
    }
    if (w == "stock") {
        return KernelKind::stock;
    }
    if (w == "lab") {
        return KernelKind::lab;
    }
    throw std::invalid_argument("kernel: 'any', 'stock' or 'lab', not '" + std::string(w) + "'");
}

ConfigRequirement parse_config_requirement(std::string_view word) {
    ConfigRequirement r;
    const auto eq = word.find('=');
    r.symbol = config_symbol(word.substr(0, eq));
    if (eq != std::string_view::npos) {
        r.value = std::string(word.substr(eq + 1));
        if (r.value != "y" && r.value != "m" && r.value != "n") {
            throw std::invalid_argument("requires-config " + std::string(word) +
                                        ": the value is y, m or n (none: y or m)");
        }
    }
    return r;
}

std::string describe(const ConfigRequirement& r) {
    return r.value.empty() ? r.symbol + " (y or m)" : r.symbol + "=" + r.value;
}

std::string describe(KernelOrigin o) {
    switch (o) {
        case KernelOrigin::stock:
            return "the stock Debian kernel";
        case KernelOrigin::lab:
            return "the lab kernel";
        case KernelOrigin::tree:
            return "the lab build of --kernel-tree";
        case KernelOrigin::image:
            return "the --kernel image";
    }
    return "?";
}

RequirementVerdict check_requirements(const KernelRequirements& req, KernelOrigin origin,
                                      const std::optional<KernelConfig>& config,
                                      const std::string& config_path) {
    using State = RequirementVerdict::State;
    if (req.kind == KernelKind::stock && origin != KernelOrigin::stock) {
        return {State::unmet,
                "needs the stock Debian kernel (kernel = stock), not " + describe(origin)};
    }
    if (req.kind == KernelKind::lab && origin == KernelOrigin::stock) {
        return {State::unmet,
                "needs the lab kernel (kernel = lab), not the stock Debian kernel: run it "
                "without --kernel, or with --lab-kernel or --kernel-tree DIR"};
    }
    if (req.configs.empty()) {
        return {};
    }
    std::vector<std::string> names;
    for (const auto& r : req.configs) {
        names.push_back(describe(r));
    }
    auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v) {
            s += (s.empty() ? "" : ", ") + x;
        }
        return s;
    };
    if (!config) {
        return {State::unknown,
                "the configuration of " + describe(origin) +
                    " is unknown (--kernel-config FILE): not checked: " + join(names)};
    }
    std::vector<std::string> missing;
    for (const auto& r : req.configs) {
        const auto f = config->find(r.symbol);
        const std::string got = f == config->end() ? std::string() : f->second;
        const bool ok = r.value.empty()  ? (got == "y" || got == "m")
                        : r.value == "n" ? (got.empty() || got == "n")
                                         : got == r.value;
        if (!ok) {
            missing.push_back(describe(r) + " (" + (got.empty() ? std::string("not set") : got) +
                              ")");
        }
    }
    if (missing.empty()) {
        return {};
    }
    return {State::unmet, "needs " + join(missing) + ", which " + describe(origin) + " lacks (" +
                              config_path + ")"};
}

RequirementVerdict check_requirements(const KernelRequirements& req, KernelOrigin origin,
                                      const std::string& config_path) {
    std::optional<KernelConfig> config;
    if (!req.configs.empty() && !config_path.empty()) {
        try {
            config = load_kernel_config(config_path);
        } catch (const std::runtime_error&) {
            // unknown: reported as such
        }
    }
    return check_requirements(req, origin, config, config_path);
}

std::string guess_kernel_config(const std::string& image, const std::string& modules) {
    std::vector<fs::path> candidates;
    if (!image.empty()) {
        // BUILD/arch/arm64/boot/Image -> BUILD/.config
        const fs::path img(image);
        candidates.push_back(img.parent_path() / "../../../.config");
    }
    if (!modules.empty()) {
        candidates.push_back(fs::path(modules) / "config");
        candidates.push_back(fs::path(modules) / "build/.config");
    }
    for (const auto& c : candidates) {
        std::error_code ec;
        if (fs::is_regular_file(c, ec)) {
            return fs::weakly_canonical(c, ec).string();
        }
    }
    return {};
}

}  // namespace lab
