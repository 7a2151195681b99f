// SPDX-License-Identifier: GPL-2.0-or-later
#include "unix_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "log.hpp"
#include "text.hpp"

namespace pccd {

namespace {

Result<sockaddr_un> unix_address(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof addr.sun_path) {
        return fail(path + ": socket path must be 1 to " +
                    std::to_string(sizeof addr.sun_path - 1) + " bytes");
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    return addr;
}

}  // namespace

UnixListener& UnixListener::operator=(UnixListener&& other) noexcept {
    if (this != &other) {
        remove_file();
        path_ = std::move(other.path_);
        fd_ = std::move(other.fd_);
        dev_ = other.dev_;
        ino_ = other.ino_;
    }
    return *this;
}

UnixListener::~UnixListener() {
    remove_file();
}

void UnixListener::remove_file() {
    if (!fd_) {
        return;
    }
    struct stat st {};
    if (::lstat(path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_) {
        ::unlink(path_.c_str());
    }
    fd_.reset();
}

Result<UnixListener> UnixListener::listen(const std::string& path) {
    auto addr = unix_address(path);
    if (!addr) {
        return fail(addr.error());
    }
    const auto slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) {
        const std::string parent = path.substr(0, slash);
        struct stat st {};
        if (::lstat(parent.c_str(), &st) != 0) {
            if (::mkdir(parent.c_str(), 0700) != 0) {
                return fail(parent + ": mkdir: " + pcc::errno_text());
            }
        } else if (S_ISLNK(st.st_mode)) {
            return fail(parent + ": is a symlink; refusing it");
        } else if (!S_ISDIR(st.st_mode)) {
            return fail(parent + ": not a directory");
        }
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            return fail(path + ": exists and is not a socket (symlinks are refused)");
        }
        pcc::UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) == 0) {
            return fail(path + ": another process is listening on it");
        }
        if (::unlink(path.c_str()) != 0) {
            return fail(path + ": cannot remove the stale socket: " + pcc::errno_text());
        }
        logf(LogLevel::info, "%s: removed a stale socket", path.c_str());
    }
    UnixListener listener;
    listener.path_ = path;
    listener.fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!listener.fd_) {
        return fail("socket: " + pcc::errno_text());
    }
    const mode_t old_umask = ::umask(0177);  // the socket file: 0600
    const int rc =
        ::bind(listener.fd_.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr);
    ::umask(old_umask);
    if (rc != 0) {
        return fail(path + ": bind: " + pcc::errno_text());
    }
    if (::lstat(path.c_str(), &st) == 0) {
        listener.dev_ = st.st_dev;
        listener.ino_ = st.st_ino;
    }
    if (::listen(listener.fd_.get(), 16) != 0) {
        return fail(path + ": listen: " + pcc::errno_text());
    }
    return listener;
}

Result<pcc::UniqueFd> connect_unix(const std::string& path) {
    auto addr = unix_address(path);
    if (!addr) {
        return fail(addr.error());
    }
    pcc::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        return fail("socket: " + pcc::errno_text());
    }
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0) {
        return fail(path + ": connect: " + pcc::errno_text());
    }
    return fd;
}

}  // namespace pccd
