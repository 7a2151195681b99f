// SPDX-License-Identifier: GPL-2.0-or-later
// Small text helpers shared by pccd, the lab, the bench and the tests.
#pragma once

#include <cerrno>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pcc {

// strerror(err) as a std::string (thread-safe).
std::string errno_text(int err = errno);

// The words of a line of text, split at spaces, tabs, carriage returns and
// newlines. The views point into `line`.
std::vector<std::string_view> split_words(std::string_view line);

// The fields of `text` between `separator`s ("1,,2" gives "1", "", "2"; ""
// gives none). The views point into `text`.
std::vector<std::string_view> split_at(std::string_view text, char separator);

// `text` without leading and trailing white space.
std::string_view trim(std::string_view text);

// The KEY=VALUE lines of `text` (a script's report), split at the first
// '='; other lines are skipped, a later KEY wins.
std::map<std::string, std::string> parse_key_values(std::string_view text);

// `text` quoted for a POSIX shell: 'it'\''s'.
std::string shell_quote(std::string_view text);

}  // namespace pcc
