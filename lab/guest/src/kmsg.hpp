// SPDX-License-Identifier: GPL-2.0-or-later
// The kernel log as a list of records: /dev/kmsg, else klogctl().
#pragma once

#include <initializer_list>
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

// The last `max` records of `log` that mention any of `words` (warnings
// and errors when there are such, else any level), quoted for a failure
// message: "; kernel log: <3>text | <4>text"; "" when none does.
std::string quote_kernel_log(const std::vector<KmsgRecord>& log,
                             std::initializer_list<std::string_view> words, std::size_t max = 2);
// The same over the kernel log as it is now.
std::string quote_kernel_log(std::initializer_list<std::string_view> words, std::size_t max = 2);

}  // namespace lab
