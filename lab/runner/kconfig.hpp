// SPDX-License-Identifier: GPL-2.0-or-later
// Kernel configurations: .config files and fragments, the symbols a
// tree's Kconfig defines, and what a scenario requires of the kernel it
// boots (`kernel = ...`, `requires-config = ...`, docs/lab.md).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

// CONFIG_X -> its value: "y", "m", "n" (from "# CONFIG_X is not set"), or
// the text after '=' for strings and numbers (quotes kept).
using KernelConfig = std::map<std::string, std::string>;

KernelConfig parse_kernel_config(std::string_view text);
// Throws std::runtime_error when the file cannot be read.
KernelConfig load_kernel_config(const std::string& path);

// "KUNPENG_HCCS" or "CONFIG_KUNPENG_HCCS" -> "CONFIG_KUNPENG_HCCS"; throws
// std::invalid_argument for anything that is not a symbol name.
std::string config_symbol(std::string_view name);

// The symbols (as "CONFIG_X") that the `config X` and `menuconfig X`
// lines of one Kconfig file define.
std::set<std::string> kconfig_symbols(std::string_view kconfig_text);
// The same over a kernel tree's Kconfig files (of arch/ only arm64's and
// arch/Kconfig: what an arm64 build can see).
std::set<std::string> tree_kconfig_symbols(const std::string& tree);

// A symbol of a fragment that did not end up in the .config as asked.
struct FragmentIssue {
    enum class Kind {
        not_in_tree,  // no Kconfig of the tree defines it (e.g. a newer driver)
        not_applied,  // defined, but the config step did not set it (dependencies)
    };
    Kind kind;
    std::string symbol, wanted;
    std::string got;  // the .config's value, "" when the symbol is absent
};
std::vector<FragmentIssue> check_fragment(const KernelConfig& fragment, const KernelConfig& config,
                                          const std::set<std::string>& defined);
std::string describe(const FragmentIssue& issue);

// ---- what a scenario requires of its kernel -------------------------------

// kernel = any (default) | stock (Debian's pinned kernel) | lab (the lab
// kernel: built from Debian's source or a --kernel-tree with the fragment)
enum class KernelKind { any, stock, lab };
// Throws std::invalid_argument naming the accepted words.
KernelKind parse_kernel_kind(std::string_view word);

// requires-config = CONFIG_X (y or m), CONFIG_X=y, CONFIG_X=m, CONFIG_X=n
struct ConfigRequirement {
    std::string symbol;  // "CONFIG_X"
    std::string value;   // "" = y or m; else exactly this ("n": unset too)
};
// Throws std::invalid_argument for a malformed word.
ConfigRequirement parse_config_requirement(std::string_view word);
std::string describe(const ConfigRequirement& r);

// A kernel release's leading numbers: "6.1.176", "7.3.0-rc7",
// "6.1.0-50-arm64" (Debian's ABI name) -> 6.1.176, 7.3.0, 6.1.0.
struct KernelVersion {
    int major = 0, minor = 0, patch = 0;
    auto operator<=>(const KernelVersion&) const = default;
};
// nullopt unless the text starts with MAJOR.MINOR (digits).
std::optional<KernelVersion> parse_kernel_version(std::string_view text);
std::string describe(const KernelVersion& v);  // "6.1.176"
// The version in a .config's header ("# Linux/arm64 6.1.176 Kernel
// Configuration"); nullopt when there is none.
std::optional<KernelVersion> config_kernel_version(std::string_view config_text);

// requires-version = X.Y[.Z]: at least this version. Throws
// std::invalid_argument for anything else.
KernelVersion parse_version_requirement(std::string_view word);

struct KernelRequirements {
    KernelKind kind = KernelKind::any;
    std::vector<ConfigRequirement> configs;
    std::optional<KernelVersion> min_version;  // requires-version
    // requires-module = NAME ...: a module of the modules tree or built in
    // (modules.builtin); names normalised ('-' -> '_')
    std::vector<std::string> modules;
};

// Where the kernel of a run comes from.
enum class KernelOrigin {
    stock,  // the pinned Debian kernel (lab/fetch.sh)
    lab,    // the lab kernel from Debian's source (pcc-lab kernel)
    tree,   // the lab fragment over the user's tree (--kernel-tree)
    image,  // the user's --kernel IMAGE
};
std::string describe(KernelOrigin origin);

struct RequirementVerdict {
    enum class State {
        met,
        unmet,    // the scenario is skipped with `reason`
        unknown,  // the kernel's config is unknown: runs, `reason` says what was not checked
    };
    State state = State::met;
    std::string reason;
};

// `config` is the booted kernel's configuration (nullopt: unknown),
// `config_path` where it came from (for messages). A --kernel IMAGE
// satisfies `kernel = lab` (an explicit choice wins; requires-config
// still applies).
RequirementVerdict check_requirements(const KernelRequirements& req, KernelOrigin origin,
                                      const std::optional<KernelConfig>& config,
                                      const std::string& config_path);

// The same with the configuration read from `config_path` ("" or an
// unreadable file: unknown).
RequirementVerdict check_requirements(const KernelRequirements& req, KernelOrigin origin,
                                      const std::string& config_path);

// What is known of the kernel a run boots, for every kind of requirement.
struct KernelFacts {
    KernelOrigin origin = KernelOrigin::stock;
    std::optional<KernelConfig> config;  // nullopt: unknown
    std::string config_path;
    std::optional<KernelVersion> version;  // nullopt: unknown
    // the modules that can be loaded or are built in (normalised names);
    // nullopt: unknown (no modules tree)
    std::optional<std::set<std::string>> modules;
    std::string modules_path;
};

// Reads what `req` needs (only that): the configuration and its version
// header from `config_path`, the version else from the modules tree's name
// (lib/modules/RELEASE), the modules of `modules_dir` and of the
// modules.builtin files in it and next to the configuration (Debian's
// linux-base). Unreadable or "" paths leave the facts unknown.
KernelFacts load_kernel_facts(const KernelRequirements& req, KernelOrigin origin,
                              const std::string& config_path, const std::string& modules_dir);

// kernel = ..., requires-config, requires-version, requires-module: unmet
// when one is known to be missing (the reason names all of them), unknown
// when something could not be checked, else met.
RequirementVerdict check_requirements(const KernelRequirements& req, const KernelFacts& kernel);

// The configuration that belongs to a --kernel IMAGE (and --modules DIR),
// if one is where builds put it: IMAGE's tree (arch/arm64/boot/Image ->
// .config), DIR/config (Debian's layout), DIR/build/.config. "" if none.
std::string guess_kernel_config(const std::string& image, const std::string& modules);

}  // namespace lab
