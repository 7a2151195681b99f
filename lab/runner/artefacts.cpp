// SPDX-License-Identifier: GPL-2.0-or-later
#include "artefacts.hpp"

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include "matrix.hpp"
#include "paths.hpp"
#include "process.hpp"
#include "text.hpp"

namespace fs = std::filesystem;

namespace lab {

namespace {

// The KEY=VALUE lines that a helper script of lab/ prints.
std::map<std::string, std::string> run_helper(const std::string& script,
                                              const std::vector<std::string>& args = {}) {
    int status = 0;
    std::vector<std::string> argv{source_root() + "/lab/" + script};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string out = pcc::run_capture(argv, &status);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("lab/" + script + " " + pcc::describe_status(status));
    }
    return pcc::parse_key_values(out);
}

std::string find_qemu() {
    if (const char* e = std::getenv("PCC_LAB_QEMU"); e && *e) {
        return e;
    }
    for (const auto& c : {source_root() + "/build/qemu-system-aarch64",
                          cache_root() + "/build-dev/qemu-system-aarch64"}) {
        if (is_executable(c)) {
            return c;
        }
    }
    return {};
}

std::string find_pccd() {
    for (const auto& c : {source_root() + "/build/pccd", self_dir() + "/../pccd/pccd",
                          cache_root() + "/cpp-build/pccd/pccd"}) {
        if (is_executable(c)) {
            return fs::weakly_canonical(c).string();
        }
    }
    return {};
}

}  // namespace

std::string pccd_search_path() {
    return "build/pccd, " + self_dir() + "/../pccd/pccd, $QEMU_PCC_CACHE/cpp-build/pccd/pccd";
}

Artefacts prepare(const Options& o) {
    const auto t0 = Clock::now();
    Artefacts a;
    a.kernel = o.kernel;
    a.modules = o.modules;
    a.bios = o.bios;
    {
        // busybox always comes from the cache, so fetch.sh always runs
        // (it is idempotent and offline when everything is there)
        auto kv = o.kernel_suite.empty() || !o.kernel.empty()
                      ? run_helper("fetch.sh")
                      : run_helper("fetch.sh", {"--kernel-suite", o.kernel_suite});
        if (a.kernel.empty()) {
            a.kernel = kv["LAB_KERNEL"];
            a.kconfig = kv["LAB_KCONFIG"];
            if (a.modules.empty()) {
                a.modules = kv["LAB_MODULES"];
            }
        } else {
            a.origin = KernelOrigin::image;
            a.kconfig = o.kernel_config.empty() ? guess_kernel_config(a.kernel, a.modules)
                                                : o.kernel_config;
        }
        if (a.bios.empty()) {
            a.bios = kv["LAB_EFI"];
        }
        a.busybox = kv["LAB_BUSYBOX"];
    }
    a.kernel_label = kernel_label(o);
    a.guest_bin = o.guest_bin.empty() ? run_helper("build-guest.sh")["LAB_GUEST_BIN"] : o.guest_bin;
    a.qemu = o.qemu.empty() ? find_qemu() : o.qemu;
    a.pccd = o.pccd.empty() ? find_pccd() : o.pccd;
    for (const auto& [what, path] :
         {std::pair{"kernel", a.kernel}, {"UEFI firmware", a.bios}, {"busybox", a.busybox}}) {
        if (path.empty() || !fs::exists(path)) {
            throw std::runtime_error(std::string("no ") + what + " ('" + path + "')");
        }
    }
    if (!is_executable(a.qemu)) {
        throw std::runtime_error(
            "no qemu-system-aarch64 with the PCC devices: build it "
            "(scripts/build-qemu.sh) or pass --qemu PATH");
    }
    a.prepare_s = seconds_since(t0);
    return a;
}

}  // namespace lab
