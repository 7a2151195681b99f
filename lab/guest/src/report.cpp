// SPDX-License-Identifier: GPL-2.0-or-later
#include "report.hpp"

#include <unistd.h>

#include <cerrno>

namespace lab {

namespace console = pcc::console;

void write_line(std::string line) {
    for (auto& c : line) {
        if (c == '\n' || c == '\r') {
            c = ' ';
        }
    }
    line += '\n';
    std::string_view rest = line;
    while (!rest.empty()) {
        const ssize_t n = ::write(STDOUT_FILENO, rest.data(), rest.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

void Reporter::emit(Status status, std::string_view name, std::string_view msg) {
    write_line(console::result_line(status, name, msg));
    counts_.count(status);
}

void Reporter::info(std::string_view name, std::string_view text) {
    write_line(console::info_line(name, text));
}

void Reporter::host_step(std::string_view step) {
    write_line(console::host_step_line(step));
}

void Reporter::summary() {
    write_line(console::summary_line(counts_));
}

}  // namespace lab
