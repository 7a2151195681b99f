// SPDX-License-Identifier: GPL-2.0-or-later
// The guest's side of the lab protocol: one line per check on stdout,
//   PCC-RESULT ok|fail|skip <name> <message>
//   PCC-INFO <name> <text>
//   PCC-SUMMARY ok=<n> fail=<n> skip=<n>
// Every line goes out in one write() so that kernel console output does not
// split it.
#pragma once

#include <string>
#include <string_view>

namespace lab {

class Reporter {
  public:
    void ok(std::string_view name, std::string_view msg) { emit("ok", name, msg), ++ok_; }
    void fail(std::string_view name, std::string_view msg) { emit("fail", name, msg), ++fail_; }
    void skip(std::string_view name, std::string_view msg) { emit("skip", name, msg), ++skip_; }
    void check(bool good, std::string_view name, std::string_view msg) {
        good ? ok(name, msg) : fail(name, msg);
    }
    void info(std::string_view name, std::string_view text);
    void summary();
    int failures() const { return fail_; }

  private:
    void emit(std::string_view status, std::string_view name, std::string_view msg);
    int ok_ = 0, fail_ = 0, skip_ = 0;
};

void write_line(std::string line);

}  // namespace lab
