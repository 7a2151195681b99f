// SPDX-License-Identifier: GPL-2.0-or-later
#include "transcript_diff.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <regex>

namespace lab {

namespace {

std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        out.emplace_back(text.substr(0, nl));
        if (nl == std::string_view::npos) {
            break;
        }
        text.remove_prefix(nl + 1);
    }
    return out;
}

enum class SectionKind { header, messages, registers, results, other };

struct Section {
    std::string title;  // "== messages channel 4"; "" for the lines before the first
    std::vector<std::string> lines;
};

SectionKind kind_of(const std::string& title) {
    if (title.empty()) {
        return SectionKind::header;
    }
    if (title.starts_with("== messages")) {
        return SectionKind::messages;
    }
    if (title.starts_with("== registers")) {
        return SectionKind::registers;
    }
    if (title.starts_with("== results")) {
        return SectionKind::results;
    }
    return SectionKind::other;
}

std::vector<Section> sections_of(std::string_view text) {
    std::vector<Section> out{{}};
    for (auto& l : lines_of(text)) {
        if (l.starts_with("== ")) {
            out.push_back({l, {}});
        } else if (!l.empty()) {
            out.back().lines.push_back(std::move(l));
        }
    }
    return out;
}

// What pairs a removed entry with an added one as "the same entry, changed":
// a message's direction and decoded summary (before the bytes) without the
// values of its fields ("value=0x2f" as "value="), a register access without
// its value, a result's check name.
std::string key_of(SectionKind kind, const std::string& line) {
    static const std::regex kFieldValue("=[0-9A-Za-z]+");
    switch (kind) {
        case SectionKind::messages:
            return std::regex_replace(line.substr(0, line.find(" | ")), kFieldValue, "=");
        case SectionKind::registers: {
            const auto arrow = std::min(line.find(" -> "), line.find(" <- "));
            return line.substr(0, arrow);
        }
        case SectionKind::results: {
            const auto sp = line.find(' ');
            const auto colon = line.find(':', sp == std::string::npos ? 0 : sp);
            return sp == std::string::npos ? line : line.substr(sp + 1, colon - sp - 1);
        }
        default:
            return line;
    }
}

std::string first_words(const std::string& line, int n) {
    std::size_t at = 0;
    for (int i = 0; i < n && at != std::string::npos; ++i) {
        at = line.find(' ', at + 1);
    }
    return line.substr(0, at);
}

class Reporter {
  public:
    explicit Reporter(TranscriptDiff& d) : d_(d) {}

    void section(const Section* a, const Section* b) {
        static const std::vector<std::string> kNone;
        const auto& la = a ? a->lines : kNone;
        const auto& lb = b ? b->lines : kNone;
        const std::string& title = a ? a->title : b->title;
        const SectionKind kind = kind_of(title);
        const auto edits = lcs_edits(la, lb);
        if (std::all_of(edits.begin(), edits.end(),
                        [](const Edit& e) { return e.kind == Edit::Kind::keep; }) &&
            a && b) {
            return;
        }
        out(title.empty() ? std::string("== (header)") : title);
        if (!a) {
            out("  (only in B)");
        } else if (!b) {
            out("  (only in A)");
        }
        // the entries removed and added in the whole section, for moves
        std::multimap<std::string, bool> removed_lines, added_lines;
        for (const Edit& e : edits) {
            if (e.kind == Edit::Kind::remove) {
                removed_lines.emplace(la[e.a], false);
            } else if (e.kind == Edit::Kind::add) {
                added_lines.emplace(lb[e.b], false);
            }
        }
        for (std::size_t i = 0; i < edits.size();) {
            if (edits[i].kind == Edit::Kind::keep) {
                ++i;
                continue;
            }
            std::size_t j = i;
            while (j < edits.size() && edits[j].kind != Edit::Kind::keep) {
                ++j;
            }
            hunk(kind, la, lb, edits, i, j, removed_lines, added_lines);
            i = j;
        }
    }

  private:
    void out(const std::string& line) { d_.report += line + "\n"; }

    void hunk(SectionKind kind, const std::vector<std::string>& la,
              const std::vector<std::string>& lb, const std::vector<Edit>& edits, std::size_t from,
              std::size_t to, const std::multimap<std::string, bool>& removed_lines,
              const std::multimap<std::string, bool>& added_lines) {
        const std::size_t a_at = edits[from].a + 1, b_at = edits[from].b + 1;
        out("@@ A entry " + std::to_string(a_at) + ", B entry " + std::to_string(b_at));
        if (from > 0) {
            const Edit& c = edits[from - 1];
            out("  " + la[c.a]);
        }
        std::vector<std::string> rem, add;
        for (std::size_t k = from; k < to; ++k) {
            if (edits[k].kind == Edit::Kind::remove) {
                rem.push_back(la[edits[k].a]);
                out("- " + rem.back());
            } else {
                add.push_back(lb[edits[k].b]);
                out("+ " + add.back());
            }
        }
        if (to < edits.size()) {
            out("  " + la[edits[to].a]);
        }
        classify(kind, rem, add, removed_lines, added_lines);
    }

    void note(const std::string& what) { out("  ! " + what); }

    void classify(SectionKind kind, std::vector<std::string> rem, std::vector<std::string> add,
                  const std::multimap<std::string, bool>& removed_lines,
                  const std::multimap<std::string, bool>& added_lines) {
        // pairs: a removed and an added entry with the same key
        std::vector<bool> add_used(add.size(), false);
        std::vector<std::string> lone_rem;
        for (const auto& r : rem) {
            std::optional<std::size_t> match;
            for (std::size_t k = 0; k < add.size() && !match; ++k) {
                if (!add_used[k] && key_of(kind, add[k]) == key_of(kind, r)) {
                    match = k;
                }
            }
            // a message of the same direction, channel, kind and layout in
            // the same place ("> c004 req gen"): changed, whatever its summary
            for (std::size_t k = 0; k < add.size() && !match && kind == SectionKind::messages;
                 ++k) {
                if (!add_used[k] && first_words(add[k], 4) == first_words(r, 4)) {
                    match = k;
                }
            }
            if (!match) {
                lone_rem.push_back(r);
                continue;
            }
            add_used[*match] = true;
            switch (kind) {
                case SectionKind::messages:
                    ++d_.messages_bytes;
                    {
                        const std::string was = r.substr(0, r.find(" | ")),
                                          now = add[*match].substr(0, add[*match].find(" | "));
                        note("different bytes: " + was + (was == now ? "" : " became " + now));
                    }
                    break;
                case SectionKind::registers:
                    ++d_.registers_changed;
                    note("register access changed: " + r + " became " + add[*match]);
                    break;
                case SectionKind::results:
                    ++d_.results_changed;
                    note("result changed: " + r + " became " + add[*match]);
                    break;
                default:
                    ++d_.other;
                    break;
            }
        }
        for (const auto& r : lone_rem) {
            const bool moved = added_lines.count(r) > 0;
            switch (kind) {
                case SectionKind::messages:
                    ++d_.messages_removed;
                    note(std::string(moved ? "message moved (removed here): "
                                           : "message removed: ") +
                         key_of(kind, r));
                    break;
                case SectionKind::registers:
                    ++d_.registers_removed;
                    note(std::string(moved ? "register access moved (removed here): "
                                           : "register access removed: ") +
                         r);
                    break;
                case SectionKind::results:
                    ++d_.results_removed;
                    note("result removed: " + r);
                    break;
                default:
                    ++d_.other;
                    break;
            }
        }
        for (std::size_t k = 0; k < add.size(); ++k) {
            if (add_used[k]) {
                continue;
            }
            const bool moved = removed_lines.count(add[k]) > 0;
            switch (kind) {
                case SectionKind::messages:
                    ++d_.messages_added;
                    note(std::string(moved ? "message moved (added here): " : "message added: ") +
                         key_of(kind, add[k]));
                    break;
                case SectionKind::registers:
                    ++d_.registers_added;
                    note(std::string(moved ? "register access moved (added here): "
                                           : "register access added: ") +
                         add[k]);
                    break;
                case SectionKind::results:
                    ++d_.results_added;
                    note("result added: " + add[k]);
                    break;
                default:
                    ++d_.other;
                    break;
            }
        }
    }

    TranscriptDiff& d_;
};

std::string count_of(std::size_t n, const char* what) {
    return std::to_string(n) + " " + what;
}

}  // namespace

std::vector<Edit> lcs_edits(const std::vector<std::string>& a, const std::vector<std::string>& b,
                            std::size_t max_cells) {
    std::vector<Edit> out;
    std::size_t pre = 0;
    while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) {
        out.push_back({Edit::Kind::keep, pre, pre});
        ++pre;
    }
    std::size_t suf = 0;
    while (suf < a.size() - pre && suf < b.size() - pre &&
           a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) {
        ++suf;
    }
    const std::size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
    if (n > 0 && m > 0 && (n + 1) * (m + 1) <= max_cells) {
        // len[i][j]: the LCS of a[pre+i..] and b[pre+j..]
        std::vector<std::uint32_t> len((n + 1) * (m + 1), 0);
        auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& {
            return len[i * (m + 1) + j];
        };
        for (std::size_t i = n; i-- > 0;) {
            for (std::size_t j = m; j-- > 0;) {
                at(i, j) = a[pre + i] == b[pre + j] ? at(i + 1, j + 1) + 1
                                                    : std::max(at(i + 1, j), at(i, j + 1));
            }
        }
        std::size_t i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a[pre + i] == b[pre + j]) {
                out.push_back({Edit::Kind::keep, pre + i, pre + j});
                ++i;
                ++j;
            } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
                out.push_back({Edit::Kind::remove, pre + i, pre + j});  // removals first
                ++i;
            } else {
                out.push_back({Edit::Kind::add, pre + i, pre + j});
                ++j;
            }
        }
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            out.push_back({Edit::Kind::remove, pre + i, pre});
        }
        for (std::size_t j = 0; j < m; ++j) {
            out.push_back({Edit::Kind::add, pre + n, pre + j});
        }
    }
    for (std::size_t k = 0; k < suf; ++k) {
        out.push_back({Edit::Kind::keep, pre + n + k, pre + m + k});
    }
    return out;
}

bool TranscriptDiff::equal() const {
    return messages_added + messages_removed + messages_bytes + registers_added +
               registers_removed + registers_changed + results_added + results_removed +
               results_changed + other ==
           0;
}

std::string TranscriptDiff::summary() const {
    if (equal()) {
        return "no difference";
    }
    std::vector<std::string> parts;
    auto add = [&parts](std::size_t n, const char* what) {
        if (n) {
            parts.push_back(count_of(n, what));
        }
    };
    add(messages_added, "message(s) added");
    add(messages_removed, "message(s) removed");
    add(messages_bytes, "message(s) with different bytes");
    add(registers_added, "register access(es) added");
    add(registers_removed, "register access(es) removed");
    add(registers_changed, "register access(es) changed");
    add(results_added, "result(s) added");
    add(results_removed, "result(s) removed");
    add(results_changed, "result(s) changed");
    add(other, "other line(s) differ");
    std::string s;
    for (const auto& p : parts) {
        s += (s.empty() ? "" : ", ") + p;
    }
    return s;
}

TranscriptDiff diff_transcripts(std::string_view a, std::string_view b, const std::string& label_a,
                                const std::string& label_b) {
    TranscriptDiff d;
    d.report = "--- A: " + label_a + "\n+++ B: " + label_b + "\n";
    const auto sa = sections_of(a), sb = sections_of(b);
    std::vector<std::string> ta, tb;
    for (const auto& s : sa) {
        ta.push_back(s.title);
    }
    for (const auto& s : sb) {
        tb.push_back(s.title);
    }
    Reporter r(d);
    for (const Edit& e : lcs_edits(ta, tb)) {
        switch (e.kind) {
            case Edit::Kind::keep:
                r.section(&sa[e.a], &sb[e.b]);
                break;
            case Edit::Kind::remove:
                r.section(&sa[e.a], nullptr);
                break;
            case Edit::Kind::add:
                r.section(nullptr, &sb[e.b]);
                break;
        }
    }
    d.report += "summary: " + d.summary() + "\n";
    return d;
}

}  // namespace lab
