// SPDX-License-Identifier: GPL-2.0-or-later
// Test helpers: hex literals for hand-written byte layouts, temp dirs.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "bytes.hpp"

namespace pccd::test {

// The expected bytes in the tests are written out by hand from the specs;
// this only turns "01 02 ff" into bytes (parse_hex has its own tests).
inline Bytes hex(std::string_view text) {
    auto bytes = parse_hex(text);
    EXPECT_TRUE(bytes.has_value()) << "bad hex in test: " << text;
    return bytes.value_or(Bytes{});
}

class TempDir {
  public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "pccd-test-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }
    std::string str() const { return path_.string(); }

  private:
    std::filesystem::path path_;
};

}  // namespace pccd::test
