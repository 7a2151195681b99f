// SPDX-License-Identifier: GPL-2.0-or-later
// The kernel matrix's reports (docs/lab.md "Kernel matrix"): JUnit XML (one
// <testsuite> per kernel x scenario, a <testcase> per check), a Markdown
// table and one self-contained HTML page (rows scenarios, columns kernels,
// each cell's verdict, time and a link to its logs), with the total wall
// time. The TAP on stdout is tap_report.hpp's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "outcome.hpp"
#include "tap_report.hpp"

namespace lab {

// One column: a kernel of --kernels.
struct MatrixColumn {
    std::string label;    // "bookworm", "lab", "image", ...
    std::string release;  // what was booted, e.g. "6.1.176 (6.1.0-50-arm64)"; "" unknown
};

// One cell: a scenario on a kernel.
struct MatrixCell {
    std::string kernel;    // MatrixColumn::label
    std::string scenario;  // the scenario's name
    ScenarioOutcome outcome;
    ScenarioVerdict verdict;
    // the cell's log directory relative to the report's directory ("" none:
    // the cell never booted)
    std::string log_link;
};

struct MatrixReport {
    std::vector<MatrixColumn> kernels;  // in the order they ran
    std::vector<std::string> scenarios;
    std::vector<MatrixCell> cells;
    double wall_s = 0;  // the whole matrix, kernels and scenarios

    // nullptr if the cell is not there
    const MatrixCell* find(const std::string& kernel, const std::string& scenario) const;
};

// "PASS", "FAIL", "SKIP" of a verdict (the matrix's words).
std::string cell_word(const ScenarioVerdict& v);
// Why a cell did not pass: the skip reason or the failed checks ("" for a PASS).
std::string cell_reason(const MatrixCell& c);

// Text for XML/HTML: & < > " ' as entities; control characters other than
// tab and newline (not allowed in XML 1.0) as "\xNN".
std::string xml_escape(std::string_view s);
// Text for a Markdown table cell: HTML's entities, '|' and '\' escaped,
// line breaks as blanks.
std::string markdown_escape(std::string_view s);

std::string junit_xml(const MatrixReport& r);
std::string matrix_markdown(const MatrixReport& r);
std::string matrix_html(const MatrixReport& r);

// Writes DIR/junit.xml, DIR/matrix.md and DIR/matrix.html (atomically);
// throws std::runtime_error when one cannot be written.
void write_matrix_reports(const MatrixReport& r, const std::string& dir);

}  // namespace lab
