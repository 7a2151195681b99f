// SPDX-License-Identifier: GPL-2.0-or-later
#include "matrix_report.hpp"

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "files.hpp"

namespace lab {

namespace {

// "12.3" (seconds, one decimal), for XML attributes and the tables.
std::string seconds(double s) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", s < 0 ? 0.0 : s);
    return b;
}

std::string hex_escape(unsigned char c) {
    char b[8];
    std::snprintf(b, sizeof b, "\\x%02x", c);
    return b;
}

void write_text(const std::string& path, const std::string& text) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
    write_bytes_atomic(path, std::span<const std::uint8_t>(p, text.size()));
}

// The cell's text in a table: "PASS 12.3 s" (no time for a cell that never
// booted).
std::string cell_text(const MatrixCell& c) {
    std::string t = cell_word(c.verdict);
    if (c.outcome.total_s > 0) {
        t += " " + seconds(c.outcome.total_s) + " s";
    }
    return t;
}

std::string column_title(const MatrixColumn& k) {
    return k.release.empty() ? k.label : k.label + " " + k.release;
}

struct Totals {
    int pass = 0, fail = 0, skip = 0;
};

Totals totals(const MatrixReport& r) {
    Totals t;
    for (const auto& c : r.cells) {
        switch (c.verdict.kind) {
            case ScenarioVerdict::Kind::pass:
                ++t.pass;
                break;
            case ScenarioVerdict::Kind::fail:
                ++t.fail;
                break;
            case ScenarioVerdict::Kind::skip:
                ++t.skip;
                break;
        }
    }
    return t;
}

std::string totals_text(const MatrixReport& r) {
    const Totals t = totals(r);
    return std::to_string(r.cells.size()) + " cells: " + std::to_string(t.pass) + " passed, " +
           std::to_string(t.fail) + " failed, " + std::to_string(t.skip) +
           " skipped; total wall time " + seconds(r.wall_s) + " s";
}

}  // namespace

const MatrixCell* MatrixReport::find(const std::string& kernel, const std::string& scenario) const {
    for (const auto& c : cells) {
        if (c.kernel == kernel && c.scenario == scenario) {
            return &c;
        }
    }
    return nullptr;
}

std::string cell_word(const ScenarioVerdict& v) {
    switch (v.kind) {
        case ScenarioVerdict::Kind::pass:
            return "PASS";
        case ScenarioVerdict::Kind::fail:
            return "FAIL";
        case ScenarioVerdict::Kind::skip:
            return "SKIP";
    }
    return "?";
}

std::string cell_reason(const MatrixCell& c) {
    switch (c.verdict.kind) {
        case ScenarioVerdict::Kind::pass:
            return {};
        case ScenarioVerdict::Kind::skip:
            return c.verdict.reason.empty() ? std::string("no check passed") : c.verdict.reason;
        case ScenarioVerdict::Kind::fail:
            break;
    }
    std::string why;
    for (const auto& r : c.outcome.results) {
        if (r.status == Status::fail) {
            why += (why.empty() ? "" : "; ") + r.name + ": " + r.message;
        }
    }
    return why;
}

std::string xml_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (ch) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                if ((c < 0x20 && ch != '\t' && ch != '\n') || c == 0x7f) {
                    out += hex_escape(c);
                } else {
                    out += ch;
                }
        }
    }
    return out;
}

std::string markdown_escape(std::string_view s) {
    std::string out;
    for (const char ch : s) {
        switch (ch) {
            case '|':
                out += "\\|";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
            case '\r':
                out += ' ';
                break;
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out += ch;
        }
    }
    return out;
}

std::string junit_xml(const MatrixReport& r) {
    std::ostringstream x;
    int tests = 0, failures = 0, skipped = 0;
    for (const auto& c : r.cells) {
        tests += static_cast<int>(c.outcome.results.size());
        failures += c.verdict.counts.fail;
        skipped += c.verdict.counts.skip;
    }
    x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"pcc-lab matrix\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" errors=\"0\" skipped=\"" << skipped << "\" time=\"" << seconds(r.wall_s) << "\">\n";
    for (const auto& c : r.cells) {
        const std::string suite = c.kernel + "/" + c.scenario;
        x << "  <testsuite name=\"" << xml_escape(suite) << "\" tests=\""
          << c.outcome.results.size() << "\" failures=\"" << c.verdict.counts.fail
          << "\" errors=\"0\" skipped=\"" << c.verdict.counts.skip << "\" time=\""
          << seconds(c.outcome.total_s) << "\">\n"
          << "    <properties>\n"
          << "      <property name=\"kernel\" value=\"" << xml_escape(c.kernel) << "\"/>\n"
          << "      <property name=\"scenario\" value=\"" << xml_escape(c.scenario) << "\"/>\n"
          << "      <property name=\"verdict\" value=\"" << xml_escape(cell_word(c.verdict))
          << "\"/>\n";
        if (const std::string why = cell_reason(c); !why.empty()) {
            x << "      <property name=\"reason\" value=\"" << xml_escape(why) << "\"/>\n";
        }
        if (!c.outcome.log_dir.empty()) {
            x << "      <property name=\"logs\" value=\"" << xml_escape(c.outcome.log_dir)
              << "\"/>\n";
        }
        x << "    </properties>\n";
        const std::string classname = c.kernel + "." + c.scenario;
        for (const auto& res : c.outcome.results) {
            x << "    <testcase classname=\"" << xml_escape(classname) << "\" name=\""
              << xml_escape(res.name) << "\" time=\"0\"";
            switch (res.status) {
                case Status::ok:
                    x << "/>\n";
                    break;
                case Status::skip:
                    x << ">\n      <skipped message=\"" << xml_escape(res.message) << "\"/>\n"
                      << "    </testcase>\n";
                    break;
                case Status::fail:
                    x << ">\n      <failure message=\"" << xml_escape(res.message) << "\">"
                      << xml_escape(res.message) << "</failure>\n"
                      << "    </testcase>\n";
                    break;
            }
        }
        x << "  </testsuite>\n";
    }
    x << "</testsuites>\n";
    return x.str();
}

std::string matrix_markdown(const MatrixReport& r) {
    std::ostringstream m;
    m << "# pcc-lab matrix\n\n| scenario |";
    for (const auto& k : r.kernels) {
        m << " " << markdown_escape(column_title(k)) << " |";
    }
    m << "\n|---|";
    for (std::size_t i = 0; i < r.kernels.size(); ++i) {
        m << "---|";
    }
    m << "\n";
    for (const auto& s : r.scenarios) {
        m << "| " << markdown_escape(s) << " |";
        for (const auto& k : r.kernels) {
            const MatrixCell* c = r.find(k.label, s);
            if (!c) {
                m << " - |";
            } else if (c->log_link.empty()) {
                m << " " << cell_text(*c) << " |";
            } else {
                // the link's text and target: safe names (labels, scenarios)
                m << " [" << cell_text(*c) << "](" << markdown_escape(c->log_link) << ") |";
            }
        }
        m << "\n";
    }
    m << "\n" << totals_text(r) << ".\n";
    bool header = false;
    for (const auto& c : r.cells) {
        const std::string why = cell_reason(c);
        if (why.empty()) {
            continue;
        }
        if (!header) {
            m << "\n## Not passed\n\n";
            header = true;
        }
        m << "- " << markdown_escape(c.kernel + " / " + c.scenario) << ": " << cell_word(c.verdict)
          << ": " << markdown_escape(why) << "\n";
    }
    return m.str();
}

std::string matrix_html(const MatrixReport& r) {
    std::ostringstream h;
    h << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<title>pcc-lab matrix</title>\n<style>\n"
      << "body { font-family: sans-serif; margin: 1.5em; }\n"
      << "table { border-collapse: collapse; }\n"
      << "th, td { border: 1px solid #999; padding: 0.3em 0.7em; text-align: left; }\n"
      << "td.PASS { background: #cfc; } td.FAIL { background: #f99; } td.SKIP { background: "
         "#eee; }\n"
      << "</style>\n</head>\n<body>\n<h1>pcc-lab matrix</h1>\n<table>\n<tr><th>scenario</th>";
    for (const auto& k : r.kernels) {
        h << "<th>" << xml_escape(column_title(k)) << "</th>";
    }
    h << "</tr>\n";
    for (const auto& s : r.scenarios) {
        h << "<tr><th>" << xml_escape(s) << "</th>";
        for (const auto& k : r.kernels) {
            const MatrixCell* c = r.find(k.label, s);
            if (!c) {
                h << "<td>-</td>";
                continue;
            }
            const std::string word = cell_word(c->verdict);
            h << "<td class=\"" << word << "\"";
            if (const std::string why = cell_reason(*c); !why.empty()) {
                h << " title=\"" << xml_escape(why) << "\"";
            }
            h << ">";
            if (c->log_link.empty()) {
                h << xml_escape(cell_text(*c));
            } else {
                h << "<a href=\"" << xml_escape(c->log_link) << "\">" << xml_escape(cell_text(*c))
                  << "</a>";
            }
            h << "</td>";
        }
        h << "</tr>\n";
    }
    h << "</table>\n<p>" << xml_escape(totals_text(r)) << ".</p>\n";
    bool header = false;
    for (const auto& c : r.cells) {
        const std::string why = cell_reason(c);
        if (why.empty()) {
            continue;
        }
        if (!header) {
            h << "<h2>Not passed</h2>\n<ul>\n";
            header = true;
        }
        h << "<li>" << xml_escape(c.kernel + " / " + c.scenario) << ": "
          << xml_escape(cell_word(c.verdict)) << ": " << xml_escape(why) << "</li>\n";
    }
    if (header) {
        h << "</ul>\n";
    }
    h << "</body>\n</html>\n";
    return h.str();
}

void write_matrix_reports(const MatrixReport& r, const std::string& dir) {
    std::filesystem::create_directories(dir);
    write_text(dir + "/junit.xml", junit_xml(r));
    write_text(dir + "/matrix.md", matrix_markdown(r));
    write_text(dir + "/matrix.html", matrix_html(r));
}

}  // namespace lab
