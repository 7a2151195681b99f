// SPDX-License-Identifier: GPL-2.0-or-later
// The guest's side of the lab's console protocol (common/console_protocol.hpp):
// one PCC-RESULT line per check on stdout, PCC-INFO lines for the console
// log, a PCC-SUMMARY line at the end. Every line goes out in one write() so
// that kernel console output does not split it.
#pragma once

#include <string>
#include <string_view>

#include "console_protocol.hpp"

namespace lab {

class Reporter {
  public:
    void ok(std::string_view name, std::string_view msg) { emit(Status::ok, name, msg); }
    void fail(std::string_view name, std::string_view msg) { emit(Status::fail, name, msg); }
    void skip(std::string_view name, std::string_view msg) { emit(Status::skip, name, msg); }
    void check(bool good, std::string_view name, std::string_view msg) {
        emit(good ? Status::ok : Status::fail, name, msg);
    }
    void info(std::string_view name, std::string_view text);
    // PCC-LAB-HOST: asks the runner for the scenario's host step `step`.
    void host_step(std::string_view step);
    void summary();
    int failures() const { return counts_.fail; }

  private:
    using Status = pcc::console::Status;
    void emit(Status status, std::string_view name, std::string_view msg);
    pcc::console::Counts counts_;
};

// One line on stdout in one write(); newlines in it become blanks.
void write_line(std::string line);

}  // namespace lab
