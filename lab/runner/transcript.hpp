// SPDX-License-Identifier: GPL-2.0-or-later
// A scenario run's transcript (docs/lab.md "Transcripts and golden files"):
// what went over the PCC wire, normalised so that two runs of one scenario on
// one kernel give the same text:
// - every message both ways, per channel, from pccd's --pcap (pccd's own
//   decoded summary, the packet's comment, and the bytes in hex);
// - the guest's register accesses, per subspace, from QEMU's trace events
//   pcc_channel_reg_read/pcc_channel_reg_write;
// - the run's check results (the TAP verdicts).
// No timestamps or pids; MCTP tags and instance ids renumbered in order of
// appearance; runs of identical register reads and of identical
// request/answer exchanges collapsed to one entry. Golden transcripts
// (lab/golden/SCENARIO.KERNEL.txt) are compared with transcript_diff.hpp.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "outcome.hpp"
#include "pcap_check.hpp"

namespace lab {

// What a run leaves for its transcript.
struct TranscriptInputs {
    std::string scenario;
    std::string pcap_file;   // pccd's --pcap ("" or missing: no pccd, no messages)
    std::string trace_file;  // QEMU's -trace log ("" or missing: no register section)
    std::vector<Result> results;
    // spelled "@run" and "@pccd" in the results (host steps quote their commands)
    std::string run_dir, pccd;
};

// One message of pccd's pcap with the summary pccd wrote as its comment.
struct TranscriptMessage {
    unsigned channel = 0;
    bool to_guest = false;  // pccd sent it
    std::uint16_t protocol = 0;
    std::string summary;  // pccd's decoded line ("c004 req gen cmd=..."), "" if none
    std::vector<std::uint8_t> bytes;
};

// One register access of QEMU's trace.
struct RegisterAccess {
    unsigned subspace = 0;
    bool write = false;
    std::string reg;  // "doorbell", "cmd-complete", ... (pcc-channel.c's names)
    std::uint64_t addr = 0, value = 0;
};

// The pcc_channel_reg_* lines of a QEMU trace log (any prefix, e.g. the log
// backend's "PID@SECONDS:", is ignored; other lines are skipped).
std::vector<RegisterAccess> parse_register_trace(std::string_view log);

// The normalised transcript text (every line an entry; sections start with
// "== "). Throws std::runtime_error for a pcap that does not parse.
std::string make_transcript(const std::vector<TranscriptMessage>& messages,
                            const std::vector<RegisterAccess>& registers,
                            const std::vector<Result>& results, const std::string& scenario);
// Reads the inputs' files and writes LOG_DIR/transcript.txt; returns its path.
std::string write_transcript(const TranscriptInputs& in, const std::string& log_dir);

// lab/golden/SCENARIO.KERNEL.txt of the checkout.
std::string golden_path(const std::string& scenario, const std::string& kernel_label);
// The suite label of the stock kernel (KERNEL_SUITE of config/versions.env, "sid").
std::string stock_kernel_label();

// The check `golden`: ok when `transcript_file` equals the golden transcript
// of `scenario` on `kernel_label`; fail with a short summary of the
// differences and the path of the whole diff (written next to
// transcript_file as golden.diff); skip when there is no golden file.
Result check_golden(const std::string& scenario, const std::string& kernel_label,
                    const std::string& transcript_file);

// `pcc-lab diff [--update] A B` (A, B: transcript files or run log dirs,
// whose transcript.txt counts): the diff on `out`; 0 equal, 1 different, 2 a
// file that cannot be read. With `update`, A is the golden file to rewrite:
// B's transcript is copied over it (the diff is printed first), 0 unless B
// cannot be read.
int diff_command(const std::string& a, const std::string& b, bool update, std::ostream& out,
                 std::ostream& err);

}  // namespace lab
