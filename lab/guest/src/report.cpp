// SPDX-License-Identifier: GPL-2.0-or-later
#include "report.hpp"

#include <unistd.h>
#include <cerrno>

namespace lab {

void write_line(std::string line) {
    for (auto& c : line) {
        if (c == '\n' || c == '\r') {
            c = ' ';
        }
    }
    line += '\n';
    std::string_view rest = line;
    while (!rest.empty()) {
        ssize_t n = ::write(STDOUT_FILENO, rest.data(), rest.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

void Reporter::emit(std::string_view status, std::string_view name, std::string_view msg) {
    write_line("PCC-RESULT " + std::string(status) + " " + std::string(name) + " " +
               std::string(msg));
}

void Reporter::info(std::string_view name, std::string_view text) {
    write_line("PCC-INFO " + std::string(name) + " " + std::string(text));
}

void Reporter::summary() {
    write_line("PCC-SUMMARY ok=" + std::to_string(ok_) + " fail=" + std::to_string(fail_) +
               " skip=" + std::to_string(skip_));
}

}  // namespace lab
