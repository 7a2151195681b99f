// SPDX-License-Identifier: GPL-2.0-or-later
#include "kconfig.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "modules.hpp"
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

std::optional<KernelVersion> parse_kernel_version(std::string_view t) {
    KernelVersion v;
    int* parts[] = {&v.major, &v.minor, &v.patch};
    std::size_t i = 0;
    int n = 0;
    for (; n < 3; ++n) {
        std::size_t j = i;
        long value = 0;
        while (j < t.size() && t[j] >= '0' && t[j] <= '9' && j - i < 6) {
            value = value * 10 + (t[j] - '0');
            ++j;
        }
        if (j == i) {
            break;
        }
        *parts[n] = static_cast<int>(value);
        i = j;
        if (i >= t.size() || t[i] != '.') {
            ++n;
            break;
        }
        ++i;
    }
    if (n < 2) {
        return std::nullopt;
    }
    return v;
}

std::string describe(const KernelVersion& v) {
    return std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch);
}

std::optional<KernelVersion> config_kernel_version(std::string_view text) {
    // "# Linux/arm64 6.1.176 Kernel Configuration", within the first lines
    for (int lines = 0; !text.empty() && lines < 10; ++lines) {
        const auto nl = text.find('\n');
        std::string_view line = pcc::trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        constexpr std::string_view head = "# Linux/";
        constexpr std::string_view tail = " Kernel Configuration";
        if (line.starts_with(head) && line.ends_with(tail)) {
            const auto sp = line.find(' ', head.size());
            if (sp != std::string_view::npos) {
                return parse_kernel_version(line.substr(sp + 1));
            }
        }
    }
    return std::nullopt;
}

KernelVersion parse_version_requirement(std::string_view word) {
    const auto v = parse_kernel_version(word);
    const bool plain = std::all_of(word.begin(), word.end(),
                                   [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
    if (!v || !plain || word.back() == '.' || std::count(word.begin(), word.end(), '.') > 2) {
        throw std::invalid_argument(
            "requires-version: a kernel version MAJOR.MINOR[.PATCH], not '" + std::string(word) +
            "'");
    }
    return *v;
}

namespace {

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) {
        s += (s.empty() ? "" : ", ") + x;
    }
    return s;
}

}  // namespace

RequirementVerdict check_requirements(const KernelRequirements& req, const KernelFacts& k) {
    using State = RequirementVerdict::State;
    if (req.kind == KernelKind::stock && k.origin != KernelOrigin::stock) {
        return {State::unmet,
                "needs the stock Debian kernel (kernel = stock), not " + describe(k.origin)};
    }
    if (req.kind == KernelKind::lab && k.origin == KernelOrigin::stock) {
        return {State::unmet,
                "needs the lab kernel (kernel = lab), not the stock Debian kernel: run it "
                "without --kernel, or with --lab-kernel or --kernel-tree DIR"};
    }
    std::vector<std::string> missing, unknown;
    if (!req.configs.empty()) {
        if (!k.config) {
            std::vector<std::string> names;
            for (const auto& r : req.configs) {
                names.push_back(describe(r));
            }
            unknown.push_back("the configuration of " + describe(k.origin) +
                              " is unknown (--kernel-config FILE): not checked: " + join(names));
        } else {
            std::vector<std::string> lacks;
            for (const auto& r : req.configs) {
                const auto f = k.config->find(r.symbol);
                const std::string got = f == k.config->end() ? std::string() : f->second;
                const bool ok = r.value.empty()  ? (got == "y" || got == "m")
                                : r.value == "n" ? (got.empty() || got == "n")
                                                 : got == r.value;
                if (!ok) {
                    lacks.push_back(describe(r) + " (" +
                                    (got.empty() ? std::string("not set") : got) + ")");
                }
            }
            if (!lacks.empty()) {
                missing.push_back(join(lacks) + ", which " + describe(k.origin) + " lacks (" +
                                  k.config_path + ")");
            }
        }
    }
    if (req.min_version) {
        const std::string want = "Linux >= " + describe(*req.min_version);
        if (!k.version) {
            unknown.push_back("the version of " + describe(k.origin) +
                              " is unknown: not checked: " + want);
        } else if (*k.version < *req.min_version) {
            missing.push_back(want + " (requires-version), not " + describe(*k.version));
        }
    }
    if (!req.modules.empty()) {
        if (!k.modules) {
            unknown.push_back("the modules of " + describe(k.origin) +
                              " are unknown (--modules DIR): not checked: " + join(req.modules));
        } else {
            std::vector<std::string> absent;
            for (const auto& m : req.modules) {
                if (!k.modules->count(m)) {
                    absent.push_back(m);
                }
            }
            if (!absent.empty()) {
                missing.push_back("the module(s) " + join(absent) +
                                  " (requires-module), neither in " + k.modules_path +
                                  " nor built in");
            }
        }
    }
    if (!missing.empty()) {
        return {State::unmet, "needs " + join(missing)};
    }
    if (!unknown.empty()) {
        return {State::unknown, join(unknown)};
    }
    return {};
}

RequirementVerdict check_requirements(const KernelRequirements& req, KernelOrigin origin,
                                      const std::optional<KernelConfig>& config,
                                      const std::string& config_path) {
    KernelFacts k;
    k.origin = origin;
    k.config = config;
    k.config_path = config_path;
    return check_requirements(req, k);
}

RequirementVerdict check_requirements(const KernelRequirements& req, KernelOrigin origin,
                                      const std::string& config_path) {
    return check_requirements(req, load_kernel_facts(req, origin, config_path, ""));
}

KernelFacts load_kernel_facts(const KernelRequirements& req, KernelOrigin origin,
                              const std::string& config_path, const std::string& modules_dir) {
    KernelFacts k;
    k.origin = origin;
    k.config_path = config_path;
    k.modules_path = modules_dir;
    std::error_code ec;
    const bool have_config = !config_path.empty() && fs::is_regular_file(config_path, ec);
    if ((!req.configs.empty() || req.min_version) && have_config) {
        try {
            const std::string text = read_text(config_path);
            k.config = parse_kernel_config(text);
            k.version = config_kernel_version(text);
        } catch (const std::runtime_error&) {
            k.config.reset();  // unknown: reported as such
        }
    }
    if (req.min_version && !k.version && !modules_dir.empty()) {
        // lib/modules/RELEASE
        k.version = parse_kernel_version(fs::path(modules_dir).filename().string());
    }
    if (!req.modules.empty() && !modules_dir.empty() && fs::is_directory(modules_dir, ec)) {
        try {
            std::set<std::string> names = tree_modules(modules_dir);
            std::vector<std::string> builtin_lists{modules_dir + "/modules.builtin"};
            if (have_config) {
                builtin_lists.push_back(
                    (fs::path(config_path).parent_path() / "modules.builtin").string());
            }
            for (const auto& f : builtin_lists) {
                if (fs::is_regular_file(f, ec)) {
                    const auto b = builtin_modules(read_text(f));
                    names.insert(b.begin(), b.end());
                }
            }
            k.modules = std::move(names);
        } catch (const std::runtime_error&) {
            k.modules.reset();
        }
    }
    return k;
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
