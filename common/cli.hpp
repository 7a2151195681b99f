// SPDX-License-Identifier: GPL-2.0-or-later
// Command lines with CLI11 (header-only; link pcc_cli11_dep): one way for
// every program to end after --help, --version or a usage error.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "version.hpp"

namespace pcc {

// --version prints the project's version.
inline void add_version_flag(CLI::App& app) {
    app.set_version_flag("--version", kVersion);
}

// An option that may be given many times, one value each time: `each`
// gets every value, in order (after parsing; it may throw
// CLI::ValidationError).
inline CLI::Option* add_repeatable_option(CLI::App& app, const std::string& name,
                                          std::function<void(const std::string&)> each,
                                          const std::string& help) {
    return app
        .add_option_function<std::vector<std::string>>(
            name,
            [each = std::move(each)](const std::vector<std::string>& values) {
                for (const auto& v : values) {
                    each(v);
                }
            },
            help)
        ->expected(1)
        ->take_all()
        ->allow_extra_args(false);
}

// A usage error: "PROGRAM: MESSAGE" and a pointer to --help on stderr;
// returns 2, the exit status for it.
inline int usage_error(const CLI::App& app, const std::string& message) {
    std::cerr << app.get_name() << ": " << message << "\nRun with --help for more information.\n";
    return 2;
}

// Parses the command line. nullopt: go on. Otherwise the program's exit
// status: 0 after --help or --version (printed on stdout), 2 after a usage
// error (said on stderr, with a pointer to --help).
inline std::optional<int> parse_command_line(CLI::App& app, int argc, const char* const* argv) {
    try {
        app.parse(argc, argv);
        return std::nullopt;
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) {
            return app.exit(e);  // --help, --version
        }
        return usage_error(app, e.what());
    }
}

}  // namespace pcc
