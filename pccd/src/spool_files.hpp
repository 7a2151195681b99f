// SPDX-License-Identifier: GPL-2.0-or-later
// File system helpers of the spool transport, also used without a daemon
// (`pccd send --spool`): directories opened without following symlinks and
// used through their fds, listings in name order, the device description.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bytes.hpp"
#include "pcc_message.hpp"
#include "result.hpp"
#include "unique_fd.hpp"

namespace pccd {

// Lists the entries of a directory fd (not "." and "..") with their type, in
// byte-wise name order. Symlinks are reported as such, never followed.
struct DirEntry {
    std::string name;
    bool regular = false;
    bool directory = false;
    bool symlink = false;
};
std::vector<DirEntry> list_directory(int dir_fd);

// mkdirat (0700, existing is fine) + open without following a symlink.
// Like the root, it must belong to this user and be writable by no one
// else.
Result<pcc::UniqueFd> open_subdir(int parent, const std::string& parent_path, const char* name);
// The spool directory itself: created 0700 if missing, never a symlink,
// this user's and not writable by group or others.
Result<pcc::UniqueFd> open_spool_root(const std::string& dir, bool create);

bool rename_noreplace(int from_dir, const std::string& from, int to_dir, const std::string& to);

// Reads a regular file (no symlink) of at most `limit` bytes below `dir_fd`;
// nullopt when it does not exist.
Result<std::optional<std::string>> read_small_file(int dir_fd, const char* name, std::size_t limit);

// `<spool>/device` (the device description QEMU writes), if there is one.
constexpr const char* kDeviceFile = "device";
Result<std::optional<std::string>> read_spool_device(const std::string& spool);

// Writes `bytes` into `spool`/inbox as a notification, for `pccd send
// --spool` (no daemon needed). Returns the file name.
Result<std::string> write_spool_notification(const std::string& spool, unsigned channel,
                                             Layout layout, ByteView bytes);

}  // namespace pccd
