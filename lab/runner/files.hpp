// SPDX-License-Identifier: GPL-2.0-or-later
// Files the runner reads and writes: inputs of the initramfs, logs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "unique_fd.hpp"

namespace lab {

// The whole file; throws std::runtime_error when it cannot be read.
std::vector<std::uint8_t> read_bytes(const std::string& path);
// `a` then `b` into `path`, by a rename: readers never see half a file.
void write_bytes_atomic(const std::string& path, std::span<const std::uint8_t> a,
                        std::span<const std::uint8_t> b = {});
// The last `lines` lines of a text file, joined by " | "; "" if none.
std::string tail_of_file(const std::string& path, std::size_t lines);
// A log file for a child's output, created (0644) or emptied; throws
// std::runtime_error when it cannot be opened.
pcc::UniqueFd open_log(const std::string& path);

}  // namespace lab
