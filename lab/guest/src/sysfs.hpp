// SPDX-License-Identifier: GPL-2.0-or-later
// Reading what the guest's kernel shows in /sys and /proc, for the checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lab {

inline constexpr const char* kAcpiTables = "/sys/firmware/acpi/tables";

// The whole file; nullopt (strerror in *err) when it cannot be read.
std::optional<std::vector<std::uint8_t>> read_file(const std::string& path,
                                                   std::string* err = nullptr);
// The file as text without surrounding blanks; nullopt when unreadable.
std::optional<std::string> read_text(const std::string& path);
// The one file a glob pattern matches (e.g. a driver's attribute below a
// device whose name the guest chose); "" and why in *why when none or several.
std::string glob_one(const std::string& pattern, std::string* why);
// The entries of a directory (no "." and ".."), sorted; none when missing.
std::vector<std::string> list_dir(const std::string& path);
// The last component of a symlink's target ("" when no link), e.g. the
// driver of a device: link_target_name(".../driver").
std::string link_target_name(const std::string& path);

struct AcpiTable {
    std::string name;  // e.g. SSDT1
    std::vector<std::uint8_t> bytes;
};
// Every readable table whose name starts with `prefix` (e.g. "SSDT").
std::vector<AcpiTable> read_acpi_tables(const std::string& prefix);

// The guest's MCTP stack: the mctppcc* network links (mctp-pcc driver), in
// name order, and why socket(AF_MCTP) fails ("" when it works), e.g.
// "socket(AF_MCTP) failed with EAFNOSUPPORT" (no CONFIG_MCTP).
std::vector<std::string> mctp_pcc_links();
std::string mctp_socket_problem();

// "ETIMEDOUT (Connection timed out)": the name says what a driver returned.
std::string errno_described(int err);

// One read() of a sysfs attribute holding a decimal number: the number, or
// why not. A driver's error comes back as the read's errno (err).
struct NumberRead {
    std::optional<long long> value;
    int err = 0;        // errno of a failed open or read, else 0
    std::string error;  // "read failed with ENODEV (No such device)", "not a number: 'x'"
};
NumberRead read_number(const std::string& path);

// Writes `text` to a sysfs attribute in one write(); "" when it worked,
// else "write of 'TEXT' failed with ERRNO (...)".
std::string write_text(const std::string& path, const std::string& text);

}  // namespace lab
