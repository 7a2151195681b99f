// SPDX-License-Identifier: GPL-2.0-or-later
// A "newc" cpio archive writer, enough for a Linux initramfs: directories,
// regular files, symlinks and device nodes, all owned by root. Written by
// hand so that no host tool (and no root) is needed for /dev/console.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lab {

class CpioWriter {
  public:
    void directory(const std::string& path, unsigned mode = 0755);
    void file(const std::string& path, std::span<const std::uint8_t> data, unsigned mode = 0644);
    void file(const std::string& path, const std::string& text, unsigned mode = 0644);
    void symlink(const std::string& path, const std::string& target);
    void char_device(const std::string& path, unsigned major, unsigned minor, unsigned mode = 0600);
    // Appends the TRAILER!!! entry; the archive is complete afterwards.
    void finish();
    const std::vector<std::uint8_t>& bytes() const { return out_; }

  private:
    void entry(const std::string& path, unsigned mode, std::span<const std::uint8_t> data,
               unsigned rmajor = 0, unsigned rminor = 0);
    std::vector<std::uint8_t> out_;
    unsigned ino_ = 1;
};

}  // namespace lab
