// SPDX-License-Identifier: GPL-2.0-or-later
// `pcc-lab diff A B`: what changed between two transcripts (transcript.hpp).
// Both are split into their sections ("== messages channel 4", "== registers
// subspace 4", "== results"); each section pair is compared by the longest
// common subsequence of its lines (entries), and what is not common is
// reported by kind: messages added or removed, messages whose decoded summary
// is the same but whose bytes differ, register accesses added, removed or
// changed (an extra read-modify-write, an ack that moved), results added,
// removed or changed (a check's verdict or message).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

// One step of an edit script from `a` to `b`.
struct Edit {
    enum class Kind { keep, remove, add } kind = Kind::keep;
    std::size_t a = 0, b = 0;  // index into a (keep, remove) and b (keep, add)
};

// A shortest edit script by LCS (common prefix and suffix first; the rest by
// dynamic programming, at most `max_cells` cells, beyond that the middle is
// removed and added whole).
std::vector<Edit> lcs_edits(const std::vector<std::string>& a, const std::vector<std::string>& b,
                            std::size_t max_cells = 64u << 20);

struct TranscriptDiff {
    std::size_t messages_added = 0, messages_removed = 0, messages_bytes = 0;
    std::size_t registers_added = 0, registers_removed = 0, registers_changed = 0;
    std::size_t results_added = 0, results_removed = 0, results_changed = 0;
    std::size_t other = 0;  // lines of other sections (header, unknown)
    std::string report;     // the whole diff, for a terminal or a file

    bool equal() const;
    // One line: "2 messages added, 1 with different bytes; ..." ("no
    // difference" when equal).
    std::string summary() const;
};

// `label_a`/`label_b` name the sides in the report's header.
TranscriptDiff diff_transcripts(std::string_view a, std::string_view b,
                                const std::string& label_a = "A", const std::string& label_b = "B");

}  // namespace lab
