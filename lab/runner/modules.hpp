// SPDX-License-Identifier: GPL-2.0-or-later
// Kernel modules for the initramfs: find them in a modules tree
// (lib/modules/VERSION, .ko, .ko.xz, .ko.gz or .ko.zst), resolve their
// dependencies from the modules' own "depends=" modinfo (no modules.dep
// or depmod needed) and return them decompressed in load order.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

struct Module {
    std::string name;                // normalised: '-' -> '_'
    std::string path;                // the file in the tree
    std::vector<std::uint8_t> data;  // uncompressed .ko
    std::vector<std::string> depends;
};

struct ModuleSet {
    std::vector<Module> load_order;    // dependencies first
    std::vector<std::string> missing;  // requested or needed, not found
    std::vector<std::string> builtin;  // of those, listed in the tree's modules.builtin
};

// Throws std::runtime_error when a module cannot be decompressed.
ModuleSet resolve_modules(const std::string& tree, const std::vector<std::string>& wanted);

// The module names (normalised) of a modules.builtin file
// ("kernel/drivers/hwmon/xgene-hwmon.ko" -> "xgene_hwmon").
std::set<std::string> builtin_modules(std::string_view modules_builtin);

// The names (normalised) of the modules files (.ko, .ko.xz, ...) under
// `tree`; throws std::runtime_error when it cannot be read.
std::set<std::string> tree_modules(const std::string& tree);

// The "depends=" value of a .ko's .modinfo (split at ',').
std::vector<std::string> module_depends(const std::vector<std::uint8_t>& ko);

}  // namespace lab
