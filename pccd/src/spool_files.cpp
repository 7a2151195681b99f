// SPDX-License-Identifier: GPL-2.0-or-later
#include "spool_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>

#include "spool_name.hpp"
#include "text.hpp"

namespace pccd {

using pcc::errno_text;
using pcc::UniqueFd;

std::vector<DirEntry> list_directory(int dir_fd) {
    std::vector<DirEntry> entries;
    const int copy = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (copy < 0) {
        return entries;
    }
    DIR* dir = ::fdopendir(copy);
    if (dir == nullptr) {
        ::close(copy);
        return entries;
    }
    while (dirent* d = ::readdir(dir)) {
        const std::string name = d->d_name;
        if (name == "." || name == "..") {
            continue;
        }
        DirEntry e;
        e.name = name;
        unsigned char type = d->d_type;
        if (type == DT_UNKNOWN) {
            struct stat st {};
            if (::fstatat(dir_fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                type = S_ISREG(st.st_mode)   ? DT_REG
                       : S_ISDIR(st.st_mode) ? DT_DIR
                       : S_ISLNK(st.st_mode) ? DT_LNK
                                             : DT_UNKNOWN;
            }
        }
        e.regular = type == DT_REG;
        e.directory = type == DT_DIR;
        e.symlink = type == DT_LNK;
        entries.push_back(std::move(e));
    }
    ::closedir(dir);
    std::sort(entries.begin(), entries.end(),
              [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    return entries;
}

namespace {

// A spool directory another user could fill or swap files in is refused:
// it must be this user's and writable by nobody else (QEMU insists on the
// same, pcc-spool-dir.c).
Result<UniqueFd> checked_spool_dir(UniqueFd fd, const std::string& path) {
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return fail(path + ": fstat: " + errno_text());
    }
    if (st.st_uid != ::geteuid()) {
        return fail(path + ": owned by uid " + std::to_string(st.st_uid) + ", not by this user (" +
                    std::to_string(::geteuid()) + "); refusing it");
    }
    if ((st.st_mode & 0022) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return fail(path + ": writable by group or others (mode " + mode + "); refusing it");
    }
    return fd;
}

}  // namespace

Result<UniqueFd> open_subdir(int parent, const std::string& parent_path, const char* name) {
    const std::string path = parent_path + "/" + name;
    if (::mkdirat(parent, name, 0700) != 0 && errno != EEXIST) {
        return fail(path + ": mkdir: " + errno_text());
    }
    UniqueFd fd(::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        if (errno == ELOOP || errno == ENOTDIR) {
            return fail(path + ": is a symlink or not a directory; refusing it");
        }
        return fail(path + ": " + errno_text());
    }
    return checked_spool_dir(std::move(fd), path);
}

Result<UniqueFd> open_spool_root(const std::string& dir, bool create) {
    if (create && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return fail(dir + ": mkdir: " + errno_text());
    }
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        if (errno == ELOOP || errno == ENOTDIR) {
            return fail(dir + ": is a symlink or not a directory; refusing it");
        }
        return fail(dir + ": " + errno_text());
    }
    return checked_spool_dir(std::move(fd), dir);
}

bool rename_noreplace(int from_dir, const std::string& from, int to_dir, const std::string& to) {
    return ::renameat2(from_dir, from.c_str(), to_dir, to.c_str(), RENAME_NOREPLACE) == 0;
}

Result<std::optional<std::string>> read_small_file(int dir_fd, const char* name,
                                                   std::size_t limit) {
    UniqueFd fd(::openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) {
            return std::optional<std::string>();
        }
        if (errno == ELOOP) {
            return fail(std::string(name) + " is a symlink; refusing it");
        }
        return fail(std::string(name) + ": " + errno_text());
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return fail(std::string(name) + " is not a regular file");
    }
    if (static_cast<std::size_t>(st.st_size) > limit) {
        return fail(std::string(name) + " has " + std::to_string(st.st_size) +
                    " bytes, over the limit of " + std::to_string(limit));
    }
    std::string text;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return fail(std::string(name) + ": " + errno_text());
        }
        if (n == 0) {
            break;
        }
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > limit) {
            return fail(std::string(name) + " grew over the limit of " + std::to_string(limit));
        }
    }
    return std::optional<std::string>(std::move(text));
}

Result<std::optional<std::string>> read_spool_device(const std::string& spool) {
    auto root = open_spool_root(spool, false);
    if (!root) {
        return fail(root.error());
    }
    auto text = read_small_file(root->get(), kDeviceFile, 65536);
    if (!text) {
        return fail(spool + "/" + text.error());
    }
    return *text;
}

Result<std::string> write_spool_notification(const std::string& spool, unsigned channel,
                                             Layout layout, ByteView bytes) {
    auto root = open_spool_root(spool, false);
    if (!root) {
        return fail(root.error());
    }
    auto inbox = open_subdir(root->get(), spool, "inbox");
    if (!inbox) {
        return fail(inbox.error());
    }
    auto tmp = open_subdir(inbox->get(), spool + "/inbox", "tmp");
    if (!tmp) {
        return fail(tmp.error());
    }
    SpoolSequencer sequencer;
    for (const DirEntry& e : list_directory(inbox->get())) {
        if (auto parsed = parse_spool_name(e.name)) {
            sequencer.observe(parsed->sequence);
        }
    }
    const std::string file =
        format_spool_name({sequencer.next(), channel, MessageKind::notification, layout});
    UniqueFd fd(::openat(tmp->get(), file.c_str(),
                         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) {
        return fail(spool + "/inbox/tmp/" + file + ": " + errno_text());
    }
    if (::write(fd.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
        ::unlinkat(tmp->get(), file.c_str(), 0);
        return fail(spool + "/inbox/tmp/" + file + ": short write");
    }
    fd.reset();
    if (!rename_noreplace(tmp->get(), file, inbox->get(), file)) {
        ::unlinkat(tmp->get(), file.c_str(), 0);
        return fail(spool + "/inbox/" + file + ": " + errno_text());
    }
    return file;
}

}  // namespace pccd
