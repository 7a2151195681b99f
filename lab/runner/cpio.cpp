// SPDX-License-Identifier: GPL-2.0-or-later
#include "cpio.hpp"

#include <sys/stat.h>
#include <cstdio>

namespace lab {
namespace {

void pad4(std::vector<std::uint8_t>& out) {
    while (out.size() % 4) {
        out.push_back(0);
    }
}

}  // namespace

void CpioWriter::entry(const std::string& path, unsigned mode, std::span<const std::uint8_t> data,
                       unsigned rmajor, unsigned rminor) {
    // newc: "070701" then 13 fields of 8 hex digits, name (NUL terminated),
    // padding to 4, data, padding to 4.
    const std::string name = path.starts_with("/") ? path.substr(1) : path;
    char hdr[6 + 13 * 8 + 1];
    std::snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                  ino_++, mode, 0u /* uid */, 0u /* gid */, 1u /* nlink */, 0u /* mtime */,
                  static_cast<unsigned>(data.size()), 0u, 0u, rmajor, rminor,
                  static_cast<unsigned>(name.size() + 1), 0u /* check */);
    out_.insert(out_.end(), hdr, hdr + 6 + 13 * 8);
    out_.insert(out_.end(), name.begin(), name.end());
    out_.push_back(0);
    pad4(out_);
    out_.insert(out_.end(), data.begin(), data.end());
    pad4(out_);
}

void CpioWriter::directory(const std::string& path, unsigned mode) {
    entry(path, S_IFDIR | mode, {});
}

void CpioWriter::file(const std::string& path, std::span<const std::uint8_t> data, unsigned mode) {
    entry(path, S_IFREG | mode, data);
}

void CpioWriter::file(const std::string& path, const std::string& text, unsigned mode) {
    file(path, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), mode);
}

void CpioWriter::symlink(const std::string& path, const std::string& target) {
    entry(path, S_IFLNK | 0777,
          std::span(reinterpret_cast<const std::uint8_t*>(target.data()), target.size()));
}

void CpioWriter::char_device(const std::string& path, unsigned major, unsigned minor,
                             unsigned mode) {
    entry(path, S_IFCHR | mode, {}, major, minor);
}

void CpioWriter::finish() {
    entry("TRAILER!!!", 0, {});
}

}  // namespace lab
