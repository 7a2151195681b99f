// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "kconfig.hpp"
#include "paths.hpp"
#include "process.hpp"
#include "text.hpp"
#include "unique_fd.hpp"

namespace fs = std::filesystem;

namespace lab {

Digest& Digest::add(std::string_view bytes) {
    for (const char c : bytes) {
        h_ = (h_ ^ static_cast<std::uint8_t>(c)) * 0x100000001b3ull;
    }
    return *this;
}

Digest& Digest::field(std::string_view bytes) {
    return add(std::to_string(bytes.size()) + ":").add(bytes);
}

std::string Digest::hex() const {
    char b[17];
    std::snprintf(b, sizeof(b), "%016llx", static_cast<unsigned long long>(h_));
    return b;
}

std::string kernel_key(const KernelKeyInputs& in) {
    return Digest()
        .field("pcc-lab kernel 1")
        .field(in.source)
        .field(in.fragment)
        .field(in.script)
        .field(in.compiler)
        .hex();
}

std::string kmod_key(const KernelKeyInputs& in) {
    auto files = in.kmod;
    std::sort(files.begin(), files.end());
    Digest d;
    d.field("pcc-lab kmod 1").field(kernel_key(in));
    for (const auto& [name, bytes] : files) {
        d.field(name).field(bytes);
    }
    return d.hex();
}

std::string safe_name(std::string_view s) {
    std::string out;
    for (const char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
        out += ok ? c : '_';
    }
    return out.empty() ? std::string("_") : out;
}

std::string tree_build_name(const std::string& canonical_tree) {
    const std::string base = fs::path(canonical_tree).filename().string();
    return safe_name(base) + "-" + Digest().add(canonical_tree).hex();
}

namespace {

std::string read_file(const std::string& path) {
    std::ifstream f(path);
    if (!f) {
        return {};
    }
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::trunc);
    f << text;
    if (!f.flush()) {
        throw std::runtime_error(path + ": cannot write");
    }
}

// Runs a helper of lab/kernel; its KEY=VALUE lines.
std::map<std::string, std::string> run_step(std::vector<std::string> argv, bool verbose) {
    argv.insert(argv.begin(), {"env", std::string("PCC_KERNEL_VERBOSE=") + (verbose ? "1" : "")});
    int status = 0;
    const std::string out = pcc::run_capture(argv, &status);
    pcc::check_interrupted();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::string cmd;
        for (std::size_t i = 2; i < argv.size(); ++i) {
            cmd += (i > 2 ? " " : "") + argv[i];
        }
        throw std::runtime_error(cmd + " " + pcc::describe_status(status));
    }
    return pcc::parse_key_values(out);
}

std::string first_line_of(const std::vector<std::string>& argv) {
    try {
        int status = 0;
        const std::string out = pcc::run_capture(argv, &status);
        return out.substr(0, out.find('\n'));
    } catch (const std::exception&) {
        return {};  // build.sh names what is missing
    }
}

std::vector<std::pair<std::string, std::string>> kmod_files(const std::string& dir) {
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string n = e.path().filename().string();
        if (e.is_regular_file() && (n == "Kbuild" || n.ends_with(".c") || n.ends_with(".h"))) {
            files.emplace_back(n, read_file(e.path().string()));
        }
    }
    return files;
}

// The fragment against the .config that the config step wrote.
void check_config(const std::string& fragment, const std::string& config, const std::string& tree) {
    const KernelConfig want = load_kernel_config(fragment);
    const KernelConfig got = load_kernel_config(config);
    auto issues = check_fragment(want, got, {});
    if (issues.empty()) {
        return;
    }
    issues = check_fragment(want, got, tree_kconfig_symbols(tree));
    std::string failed;
    for (const auto& i : issues) {
        if (i.kind == FragmentIssue::Kind::not_in_tree) {
            std::cerr << "pcc-lab: kernel config: " << describe(i) << "\n";
        } else {
            failed += "\n  " + describe(i);
        }
    }
    if (!failed.empty()) {
        throw std::runtime_error("the kernel configuration (" + config + ") lacks symbols of " +
                                 fragment + ":" + failed);
    }
}

void check_tree(const std::string& tree) {
    if (!fs::is_regular_file(tree + "/Makefile") || !fs::is_directory(tree + "/arch/arm64")) {
        throw std::runtime_error("--kernel-tree " + tree +
                                 ": not a kernel tree (no Makefile, arch/arm64)");
    }
    if (fs::exists(tree + "/.config") || fs::exists(tree + "/include/config")) {
        throw std::runtime_error("--kernel-tree " + tree +
                                 " has an in-tree build (.config): kbuild builds it out of tree "
                                 "(O=) only when it is clean; `make mrproper` there, or use a "
                                 "clean worktree (git worktree add)");
    }
}

}  // namespace

LabKernel build_lab_kernel(const std::string& tree_arg, bool verbose) {
    const auto t0 = Clock::now();
    const std::string root = source_root();
    const std::string fragment = root + "/lab/kernel/pcc-lab.config";
    const std::string script = root + "/lab/kernel/build.sh";
    const std::string kmod = root + "/lab/kmod";

    std::string src, build;
    KernelKeyInputs in;
    if (tree_arg.empty()) {
        auto kv = run_step({root + "/lab/kernel/fetch-source.sh"}, verbose);
        src = kv["LAB_KSRC"];
        in.source = kv["LAB_KSRC_PACKAGE"] + " " + kv["LAB_KSRC_VERSION"];
        if (src.empty()) {
            throw std::runtime_error("lab/kernel/fetch-source.sh printed no LAB_KSRC");
        }
        build = cache_root() + "/kernel/build/" +
                safe_name(kv["LAB_KSRC_PACKAGE"] + "_" + kv["LAB_KSRC_VERSION"]);
    } else {
        std::error_code ec;
        src = fs::canonical(tree_arg, ec).string();
        if (ec) {
            throw std::runtime_error("--kernel-tree " + tree_arg + ": " + ec.message());
        }
        check_tree(src);
        build = cache_root() + "/kernel/tree/" + tree_build_name(src);
    }
    fs::create_directories(build);
    // one build per directory at a time (several runs, or helpers, may ask)
    const pcc::UniqueFd lock(
        ::open((build + "/.pcc-lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (lock && ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
        std::cerr << "pcc-lab: waiting for another pcc-lab's kernel build in " << build << "\n";
        while (::flock(lock.get(), LOCK_EX) != 0 && errno == EINTR) {
            pcc::check_interrupted();
        }
    }
    in.fragment = read_file(fragment);
    in.script = read_file(script);
    in.compiler = first_line_of({"aarch64-linux-gnu-gcc", "--version"});
    in.kmod = kmod_files(kmod);

    LabKernel k;
    k.build_dir = build;
    k.image = build + "/obj/arch/arm64/boot/Image";
    k.config = build + "/obj/.config";
    const std::string kstamp = build + "/.pcc-kernel-key", mstamp = build + "/.pcc-kmod-key";
    const std::string kkey = kernel_key(in), mkey = kmod_key(in);
    // A user's tree changes behind our back: make decides there.
    const bool cached = tree_arg.empty();

    if (!cached || read_file(kstamp) != kkey || !fs::exists(k.image)) {
        fs::remove(kstamp);
        fs::remove(mstamp);
        std::cerr << "pcc-lab: building the lab kernel from " << src << " in " << build
                  << " (log: " << build << "/make.log)\n";
        run_step({script, "config", src, build, fragment}, verbose);
        check_config(fragment, k.config, src);
        run_step({script, "kernel", src, build}, verbose);
        if (cached) {
            write_file(kstamp, kkey);
        }
        k.rebuilt = true;
    }
    k.release = std::string(pcc::trim(read_file(build + "/obj/include/config/kernel.release")));
    if (k.release.empty()) {
        throw std::runtime_error(build + "/obj: no include/config/kernel.release");
    }
    k.modules = build + "/install/lib/modules/" + k.release;
    if (!cached || read_file(mstamp) != mkey || !fs::exists(k.modules + "/extra/pcc_raw.ko")) {
        run_step({script, "kmod", src, build, kmod}, verbose);
        if (cached) {
            write_file(mstamp, mkey);
        }
        k.rebuilt = true;
    }
    for (const auto& p : {k.image, k.config, k.modules}) {
        if (!fs::exists(p)) {
            throw std::runtime_error("the lab kernel build left no " + p);
        }
    }
    k.seconds = seconds_since(t0);
    return k;
}

}  // namespace lab
