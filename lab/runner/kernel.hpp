// SPDX-License-Identifier: GPL-2.0-or-later
// The lab kernel (`pcc-lab kernel`, docs/lab.md): Debian's linux-source
// (lab/kernel/fetch-source.sh) or the user's tree (--kernel-tree), with
// lab/kernel/pcc-lab.config over allnoconfig, cross-built for arm64 into
// the cache with the project's guest module lab/kmod (lab/kernel/build.sh
// does the make steps). A build of Debian's source is cached by a key of
// its inputs; a user's tree is always handed to make, which knows best.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

// FNV-1a, 64 bits: a stable digest for cache keys (not for security).
class Digest {
  public:
    Digest& add(std::string_view bytes);
    // a field: its length first, so that ("ab","c") != ("a","bc")
    Digest& field(std::string_view bytes);
    std::uint64_t value() const { return h_; }
    std::string hex() const;  // 16 lower-case hex digits

  private:
    std::uint64_t h_ = 0xcbf29ce484222325ull;
};

// The inputs that decide whether a build is still good.
struct KernelKeyInputs {
    std::string source;    // "linux-source-7.3 7.3.4-1~bpo13+1"
    std::string fragment;  // its bytes
    std::string script;    // lab/kernel/build.sh's bytes
    std::string compiler;  // `aarch64-linux-gnu-gcc --version`, first line
    // lab/kmod: (file name, bytes), any order
    std::vector<std::pair<std::string, std::string>> kmod;
};
// The key of the kernel (Image, modules) and the one of the guest module
// on top of it (changes with the kernel's key and with lab/kmod).
std::string kernel_key(const KernelKeyInputs& in);
std::string kmod_key(const KernelKeyInputs& in);

// A file or directory name made of [A-Za-z0-9._-] only.
std::string safe_name(std::string_view s);
// The build directory of a --kernel-tree: NAME-HASH of its canonical path.
std::string tree_build_name(const std::string& canonical_tree);

struct LabKernel {
    std::string image;    // arch/arm64/boot/Image
    std::string modules;  // install/lib/modules/RELEASE (pcc_raw.ko in extra/)
    std::string config;   // the build's .config
    std::string build_dir;
    std::string release;
    bool rebuilt = false;  // something was built this time
    double seconds = 0;
};

// Builds what is out of date and returns the paths. `tree` empty: Debian's
// source (pinned in config/versions.env). make's output goes to
// BUILD/make.log (and to stderr with `verbose`). Throws std::runtime_error
// when a step fails or a symbol of the fragment did not stick.
LabKernel build_lab_kernel(const std::string& tree, bool verbose);

}  // namespace lab
