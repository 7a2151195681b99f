// SPDX-License-Identifier: GPL-2.0-or-later
// The kernel log as a list of records: /dev/kmsg, else klogctl().
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lab {

struct KmsgRecord {
    int level = 6;  // syslog priority (0 emerg .. 7 debug)
    std::string text;
};

// Reads the whole log buffer. `source` says where it came from.
std::vector<KmsgRecord> read_kernel_log(std::string* source, std::string* error);

// Parses one /dev/kmsg record ("6,339,5140900,-;text\n SUBSYSTEM=...").
bool parse_kmsg_record(std::string_view rec, KmsgRecord* out);

// Parses klogctl's text ("<6>text\n<4>text\n").
std::vector<KmsgRecord> parse_syslog_text(std::string_view text);

}  // namespace lab
