// SPDX-License-Identifier: GPL-2.0-or-later
// Test helpers: hex literals for hand-written byte layouts, files.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "bytes.hpp"
#include "temp_dir.hpp"

namespace pccd::test {

// The expected bytes in the tests are written out by hand from the specs;
// this only turns "01 02 ff" into bytes (parse_hex has its own tests).
inline Bytes hex(std::string_view text) {
    auto bytes = parse_hex(text);
    EXPECT_TRUE(bytes.has_value()) << "bad hex in test: " << text;
    return bytes.value_or(Bytes{});
}

inline Bytes read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::filesystem::path& p, std::string_view bytes) {
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline void write_file(const std::filesystem::path& p, const Bytes& bytes) {
    write_file(p, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

// The regular files (no directories) in `dir`, sorted.
inline std::vector<std::string> names_in(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (!e.is_directory()) {
            names.push_back(e.path().filename().string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

// A private temp dir (common/temp_dir.hpp) as a std::filesystem::path.
class TempDir {
  public:
    TempDir() : dir_("pccd-test") {}
    std::filesystem::path path() const { return dir_.path(); }
    std::string str() const { return dir_.path(); }

  private:
    pcc::TempDir dir_;
};

}  // namespace pccd::test
