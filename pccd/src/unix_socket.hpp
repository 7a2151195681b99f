// SPDX-License-Identifier: GPL-2.0-or-later
// A listening unix stream socket at a path: parent directory created 0700 if
// missing and never a symlink, an existing path refused unless it is a stale
// socket, the socket file 0600, removed again on destruction if still ours.
#pragma once

#include <sys/types.h>

#include <string>

#include "result.hpp"
#include "unique_fd.hpp"

namespace pccd {

class UnixListener {
  public:
    static Result<UnixListener> listen(const std::string& path);
    UnixListener() = default;
    UnixListener(UnixListener&&) noexcept = default;
    UnixListener& operator=(UnixListener&&) noexcept;
    ~UnixListener();

    int fd() const { return fd_.get(); }
    const std::string& path() const { return path_; }

  private:
    void remove_file();
    std::string path_;
    pcc::UniqueFd fd_;
    dev_t dev_ = 0;
    ino_t ino_ = 0;
};

// A blocking client connection to a unix stream socket.
Result<pcc::UniqueFd> connect_unix(const std::string& path);

}  // namespace pccd
