// SPDX-License-Identifier: GPL-2.0-or-later
// TempDir: a private (0700, mkdtemp(3)) directory, removed with its contents
// when it goes out of scope unless keep() was called.
#pragma once

#include <string>

namespace pcc {

class TempDir {
  public:
    // PREFIX.XXXXXX in `parent`, or in $TMPDIR (else /tmp) when empty.
    // Throws std::system_error on failure.
    explicit TempDir(const std::string& prefix = "pcc", const std::string& parent = "");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }
    void keep() { keep_ = true; }
    bool kept() const { return keep_; }

  private:
    std::string path_;
    bool keep_ = false;
};

}  // namespace pcc
