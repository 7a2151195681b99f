// SPDX-License-Identifier: GPL-2.0-or-later
#include "transcript.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "paths.hpp"
#include "pcapng_format.hpp"
#include "text.hpp"
#include "transcript_diff.hpp"

namespace fs = std::filesystem;

namespace lab {

namespace {

constexpr std::uint16_t kEthPMctp = 0x00fa;
constexpr std::string_view kHeader = "# pcc-lab transcript 1: scenario ";

std::string read_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        throw std::runtime_error(path + ": cannot be read");
    }
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// The bytes in hex up to the last non-zero one, then how many zero bytes
// follow (a generic layout's whole communication space is mostly zeros).
std::string hex_bytes(const std::vector<std::uint8_t>& bytes) {
    std::size_t end = bytes.size();
    while (end > 0 && bytes[end - 1] == 0) {
        --end;
    }
    std::string s;
    char buf[4];
    for (std::size_t i = 0; i < end; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", bytes[i]);
        s += (i ? " " : "") + std::string(buf);
    }
    if (end < bytes.size()) {
        s += (end ? " " : "") + std::string("+") + std::to_string(bytes.size() - end) + "x00";
    }
    return s;
}

// Renumbers ids in order of appearance: the first one seen becomes 0.
class Renumber {
  public:
    unsigned operator()(unsigned original) {
        return ids_.try_emplace(original, static_cast<unsigned>(ids_.size())).first->second;
    }

  private:
    std::map<unsigned, unsigned> ids_;
};

// "KEY=N" in `text` with N renumbered by `r`.
std::string renumber_field(const std::string& text, const std::string& key, Renumber& r) {
    const std::regex re("(^| )" + key + "=([0-9]+)");
    std::string out;
    auto it = std::sregex_iterator(text.begin(), text.end(), re);
    std::size_t last = 0;
    for (; it != std::sregex_iterator(); ++it) {
        const auto& m = *it;
        out += text.substr(last, static_cast<std::size_t>(m.position(0)) - last);
        out +=
            m.str(1) + key + "=" + std::to_string(r(static_cast<unsigned>(std::stoul(m.str(2)))));
        last = static_cast<std::size_t>(m.position(0) + m.length(0));
    }
    return out + text.substr(last);
}

// A channel's renumbering: MCTP tags and instance ids (control and PLDM).
struct ChannelIds {
    Renumber tags, iids;

    std::string entry(const TranscriptMessage& m) {
        std::vector<std::uint8_t> bytes = m.bytes;
        std::string summary = m.summary.empty() ? "(no summary)" : m.summary;
        if (m.protocol == kEthPMctp && bytes.size() >= 4) {
            // DSP0236: byte 3 SOM EOM seq(2) TO tag(3); byte 4 IC type;
            // control (0) and PLDM (1): byte 5 Rq D rsvd instance(5)
            bytes[3] =
                static_cast<std::uint8_t>((bytes[3] & ~0x07u) | (tags(bytes[3] & 0x07u) & 0x07u));
            const bool som = bytes[3] & 0x80u;
            if (som && bytes.size() >= 6 && (bytes[4] & 0x7fu) <= 1) {
                bytes[5] = static_cast<std::uint8_t>((bytes[5] & ~0x1fu) |
                                                     (iids(bytes[5] & 0x1fu) & 0x1fu));
            }
        }
        // X-Gene SLIMpro I2C block transfers (pccd's xgene_slimpro_i2c):
        // the guest buffer's address (msg1 bits 29:20, msg2) is kmalloc's,
        // another one every boot: zeroed
        if (!m.to_guest && summary.find(" i2c chip=") != std::string::npos &&
            summary.find(" block ") != std::string::npos && bytes.size() >= 20) {
            bytes[14] &= 0x0f;  // msg1 bits 23:20
            bytes[15] &= 0xc0;  // msg1 bits 29:24
            std::fill(bytes.begin() + 16, bytes.begin() + 20, 0);
        }
        summary = renumber_field(summary, "tag", tags);
        summary = renumber_field(summary, "iid", iids);
        return std::string(m.to_guest ? "< " : "> ") + summary + " | " + hex_bytes(bytes);
    }
};

// Consecutive equal groups collapsed to the first, its first line marked.
std::vector<std::string> collapse(const std::vector<std::vector<std::string>>& groups,
                                  const char* mark) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < groups.size();) {
        std::size_t j = i + 1;
        while (j < groups.size() && groups[j] == groups[i]) {
            ++j;
        }
        for (std::size_t k = 0; k < groups[i].size(); ++k) {
            out.push_back(groups[i][k] + (k == 0 && j - i > 1 ? mark : ""));
        }
        i = j;
    }
    return out;
}

// A channel's messages as exchanges (a message to pccd and the messages
// from pccd that follow it), equal consecutive exchanges collapsed.
std::vector<std::string> message_entries(const std::vector<const TranscriptMessage*>& msgs) {
    ChannelIds ids;
    std::vector<std::vector<std::string>> exchanges;
    for (const TranscriptMessage* m : msgs) {
        if (!m->to_guest || exchanges.empty()) {
            exchanges.emplace_back();
        }
        exchanges.back().push_back(ids.entry(*m));
    }
    return collapse(exchanges, " (repeated)");
}

std::string register_entry(const RegisterAccess& r) {
    return std::string(r.write ? "write " : "read ") + r.reg + " [" + hex(r.addr) + "]" +
           (r.write ? " <- " : " -> ") + hex(r.value);
}

// A subspace's accesses, equal consecutive reads collapsed (writes never).
std::vector<std::string> register_entries(const std::vector<const RegisterAccess*>& regs) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < regs.size();) {
        const std::string entry = register_entry(*regs[i]);
        std::size_t j = i + 1;
        while (!regs[i]->write && j < regs.size() && register_entry(*regs[j]) == entry) {
            ++j;
        }
        out.push_back(entry + (j - i > 1 ? " (polled)" : ""));
        i = j;
    }
    return out;
}

// A result without what differs from run to run: durations ("5.1 s",
// "120 ms") become "<time>".
std::string result_entry(const Result& r) {
    static const std::regex kDuration(R"([0-9]+(\.[0-9]+)? ?(ms|us|s)\b)");
    std::string line = std::string(pcc::console::status_word(r.status)) + " " + r.name;
    if (!r.message.empty()) {
        line += ": " + std::regex_replace(r.message, kDuration, "<time>");
    }
    return line;
}

std::optional<std::string> kernel_suite(const std::string& versions_env) {
    std::ifstream f(versions_env);
    if (!f) {
        return std::nullopt;
    }
    std::stringstream ss;
    ss << f.rdbuf();
    const auto kv = pcc::parse_key_values(ss.str());
    const auto it = kv.find("KERNEL_SUITE");
    if (it == kv.end() || it->second.empty()) {
        return std::nullopt;
    }
    return it->second;
}

}  // namespace

std::vector<RegisterAccess> parse_register_trace(std::string_view log) {
    std::vector<RegisterAccess> out;
    static const std::regex kLine(
        R"(pcc_channel_reg_(read|write) subspace ([0-9]+) (\S+) \[0x([0-9a-fA-F]+)\] (->|<-) 0x([0-9a-fA-F]+))");
    std::size_t at = 0;
    while (at < log.size()) {
        const auto nl = log.find('\n', at);
        const std::string line(log.substr(at, nl == std::string_view::npos ? nl : nl - at));
        at = nl == std::string_view::npos ? log.size() : nl + 1;
        std::smatch m;
        if (!std::regex_search(line, m, kLine)) {
            continue;
        }
        RegisterAccess r;
        r.write = m.str(1) == "write";
        r.subspace = static_cast<unsigned>(std::stoul(m.str(2)));
        r.reg = m.str(3);
        r.addr = std::stoull(m.str(4), nullptr, 16);
        r.value = std::stoull(m.str(6), nullptr, 16);
        out.push_back(std::move(r));
    }
    return out;
}

std::string make_transcript(const std::vector<TranscriptMessage>& messages,
                            const std::vector<RegisterAccess>& registers,
                            const std::vector<Result>& results, const std::string& scenario) {
    std::string out = std::string(kHeader) + scenario + "\n";
    std::map<unsigned, std::vector<const TranscriptMessage*>> by_channel;
    for (const auto& m : messages) {
        by_channel[m.channel].push_back(&m);
    }
    for (const auto& [channel, msgs] : by_channel) {
        out += "== messages channel " + std::to_string(channel) + "\n";
        for (const auto& e : message_entries(msgs)) {
            out += e + "\n";
        }
    }
    std::map<unsigned, std::vector<const RegisterAccess*>> by_subspace;
    for (const auto& r : registers) {
        by_subspace[r.subspace].push_back(&r);
    }
    for (const auto& [subspace, regs] : by_subspace) {
        out += "== registers subspace " + std::to_string(subspace) + "\n";
        for (const auto& e : register_entries(regs)) {
            out += e + "\n";
        }
    }
    // by name: host steps report when they end, which is not in step with
    // the guest's own results
    std::vector<std::string> entries;
    for (const auto& r : results) {
        entries.push_back(result_entry(r));
    }
    std::sort(entries.begin(), entries.end(), [](const std::string& a, const std::string& b) {
        return a.substr(a.find(' ') + 1) < b.substr(b.find(' ') + 1);
    });
    out += "== results\n";
    for (const auto& e : entries) {
        out += e + "\n";
    }
    return out;
}

std::string write_transcript(const TranscriptInputs& in, const std::string& log_dir) {
    std::vector<TranscriptMessage> messages;
    std::string notes;
    if (!in.pcap_file.empty() && fs::exists(in.pcap_file)) {
        try {
            for (auto& c : parse_pcapng(read_text(in.pcap_file))) {
                TranscriptMessage m;
                m.channel = c.ifindex;
                m.to_guest = c.outgoing;
                m.protocol = c.protocol;
                m.summary = std::move(c.comment);
                m.bytes = std::move(c.bytes);
                messages.push_back(std::move(m));
            }
        } catch (const std::runtime_error& e) {
            notes += "# pccd's pcap does not parse: " + std::string(e.what()) + "\n";
        }
    }
    std::vector<RegisterAccess> registers;
    if (!in.trace_file.empty() && fs::exists(in.trace_file)) {
        registers = parse_register_trace(read_text(in.trace_file));
    }
    std::vector<Result> results = in.results;
    for (auto& r : results) {
        for (const auto& [from, to] :
             {std::pair{in.run_dir, "@run"}, std::pair{in.pccd, "@pccd"}}) {
            for (std::size_t at;
                 !from.empty() && (at = r.message.find(from)) != std::string::npos;) {
                r.message.replace(at, from.size(), to);
            }
        }
    }
    std::string text = make_transcript(messages, registers, results, in.scenario);
    if (!notes.empty()) {
        text.insert(text.find('\n') + 1, notes);
    }
    const std::string path = log_dir + "/transcript.txt";
    std::ofstream(path, std::ios::trunc) << text;
    return path;
}

std::string golden_path(const std::string& scenario, const std::string& kernel_label) {
    return source_root() + "/lab/golden/" + scenario + "." + kernel_label + ".txt";
}

std::string stock_kernel_label() {
    return kernel_suite(source_root() + "/config/versions.env").value_or("sid");
}

Result check_golden(const std::string& scenario, const std::string& kernel_label,
                    const std::string& transcript_file) {
    const std::string golden = golden_path(scenario, kernel_label);
    if (!fs::exists(golden)) {
        return {
            Status::skip, "golden",
            "no golden transcript for " + scenario + " on " + kernel_label + " (" + golden + ")"};
    }
    std::string want, got;
    try {
        want = read_text(golden);
        got = read_text(transcript_file);
    } catch (const std::runtime_error& e) {
        return {Status::fail, "golden", e.what()};
    }
    const TranscriptDiff d = diff_transcripts(want, got, golden, transcript_file);
    const std::string diff_file = fs::path(transcript_file).parent_path().string() + "/golden.diff";
    if (d.equal()) {
        fs::remove(diff_file);
        return {Status::ok, "golden",
                "the transcript equals " + fs::relative(golden, source_root()).string()};
    }
    std::ofstream(diff_file, std::ios::trunc) << d.report;
    return {Status::fail, "golden",
            "the transcript differs from " + fs::relative(golden, source_root()).string() + ": " +
                d.summary() + " (diff: " + diff_file + "; pcc-lab diff --update " + golden + " " +
                transcript_file + " accepts it)"};
}

int diff_command(const std::string& a, const std::string& b, bool update, std::ostream& out,
                 std::ostream& err) {
    auto file_of = [](const std::string& p) {
        return fs::is_directory(p) ? p + "/transcript.txt" : p;
    };
    const std::string fa = file_of(a), fb = file_of(b);
    std::string ta, tb;
    try {
        tb = read_text(fb);
        if (!update || fs::exists(fa)) {
            ta = read_text(fa);
        }
    } catch (const std::runtime_error& e) {
        err << "pcc-lab diff: " << e.what() << "\n";
        return 2;
    }
    if (!tb.starts_with(kHeader) || (!ta.empty() && !ta.starts_with(kHeader))) {
        err << "pcc-lab diff: " << (tb.starts_with(kHeader) ? fa : fb)
            << ": not a pcc-lab transcript\n";
        return 2;
    }
    const TranscriptDiff d = diff_transcripts(ta, tb, fa, fb);
    if (!update) {
        out << d.report;
        return d.equal() ? 0 : 1;
    }
    if (d.equal()) {
        out << fa << ": unchanged\n";
        return 0;
    }
    out << d.report;
    fs::create_directories(fs::absolute(fa).parent_path());
    const std::string tmp = fa + ".tmp";
    std::ofstream(tmp, std::ios::trunc | std::ios::binary) << tb;
    fs::rename(tmp, fa);
    out << fa << ": updated from " << fb << "\n";
    return 0;
}

}  // namespace lab
