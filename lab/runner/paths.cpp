// SPDX-License-Identifier: GPL-2.0-or-later
#include "paths.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#ifndef PCC_SOURCE_ROOT
#error "PCC_SOURCE_ROOT must name the checkout (set by lab/meson.build)"
#endif

namespace lab {

std::string source_root() {
    return PCC_SOURCE_ROOT;
}

std::string cache_root() {
    if (const char* c = std::getenv("QEMU_PCC_CACHE"); c && *c) {
        return c;
    }
    const char* home = std::getenv("HOME");
    return std::string(home ? home : "/tmp") + "/.cache/qemu-pcc";
}

std::string self_dir() {
    std::error_code ec;
    const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string(".") : p.parent_path().string();
}

bool is_executable(const std::string& path) {
    return !path.empty() && ::access(path.c_str(), X_OK) == 0;
}

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string fmt_s(double seconds) {
    char b[32];
    std::snprintf(b, sizeof(b), "%.1f s", seconds);
    return b;
}

}  // namespace lab
