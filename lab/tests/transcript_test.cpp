// SPDX-License-Identifier: GPL-2.0-or-later
// Transcripts (lab/runner/transcript.hpp) and their diff
// (transcript_diff.hpp): the normalisation (ids renumbered, polling and
// repeated exchanges collapsed, durations masked), the LCS edit script, each
// kind of change reported, equal inputs equal, and `pcc-lab diff`'s exit
// statuses and --update.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "temp_dir.hpp"
#include "transcript.hpp"
#include "transcript_diff.hpp"

namespace {

namespace fs = std::filesystem;
using lab::RegisterAccess;
using lab::Result;
using lab::Status;
using lab::TranscriptMessage;

TranscriptMessage msg(unsigned channel, bool to_guest, std::string summary,
                      std::vector<std::uint8_t> bytes, std::uint16_t protocol = 0x88b5) {
    return {channel, to_guest, protocol, std::move(summary), std::move(bytes)};
}

RegisterAccess reg(unsigned subspace, bool write, std::string name, std::uint64_t addr,
                   std::uint64_t value) {
    return {subspace, write, std::move(name), addr, value};
}

// An X-Gene-like exchange: request and answer on channel 4.
std::vector<TranscriptMessage> xgene_messages(std::uint8_t temp = 0x2f) {
    return {
        msg(4, false, "c004 req gen cmd=0x0000 status=0x0000 12B", {0x04, 0x43, 0, 0, 1, 2}),
        msg(4, true, "c004 rsp gen cmd=0x0000 status=0x0001 12B", {0x04, 0x43, 0, 0, 1, 0, temp})};
}

// pcc.c's sequence for one command with an interrupt: doorbell, then ack.
std::vector<RegisterAccess> xgene_registers() {
    return {reg(4, true, "doorbell", 0x0, 1), reg(4, false, "cmd-complete", 0x8, 0),
            reg(4, false, "cmd-complete", 0x8, 0), reg(4, false, "cmd-complete", 0x8, 1),
            reg(4, true, "cmd-complete", 0x8, 0)};
}

std::vector<Result> results() {
    return {{Status::ok, "boot", "guest booted and ran 2 command(s) in 5.1 s"},
            {Status::ok, "hwmon-apm_xgene-temp1_input", "temp1_input 47000"}};
}

std::string transcript(const std::vector<TranscriptMessage>& m = xgene_messages(),
                       const std::vector<RegisterAccess>& r = xgene_registers(),
                       const std::vector<Result>& res = results()) {
    return lab::make_transcript(m, r, res, "xgene-hwmon");
}

TEST(Transcript, Sections) {
    const std::string t = transcript();
    EXPECT_EQ(t,
              "# pcc-lab transcript 1: scenario xgene-hwmon\n"
              "== messages channel 4\n"
              "> c004 req gen cmd=0x0000 status=0x0000 12B | 04 43 00 00 01 02\n"
              "< c004 rsp gen cmd=0x0000 status=0x0001 12B | 04 43 00 00 01 00 2f\n"
              "== registers subspace 4\n"
              "write doorbell [0x0] <- 0x1\n"
              "read cmd-complete [0x8] -> 0x0 (polled)\n"
              "read cmd-complete [0x8] -> 0x1\n"
              "write cmd-complete [0x8] <- 0x0\n"
              "== results\n"
              "ok boot: guest booted and ran 2 command(s) in <time>\n"
              "ok hwmon-apm_xgene-temp1_input: temp1_input 47000\n");
}

TEST(Transcript, TrailingZerosCounted) {
    const std::string t = transcript({msg(1, false, "c001 req gen 16B", {1, 2, 0, 0, 3, 0, 0, 0})});
    EXPECT_NE(t.find("| 01 02 00 00 03 +3x00\n"), std::string::npos) << t;
    EXPECT_NE(transcript({msg(1, false, "c001 req gen 4B", {0, 0, 0, 0})}).find("| +4x00\n"),
              std::string::npos);
}

TEST(Transcript, RepeatedExchangesCollapse) {
    auto m = xgene_messages();
    for (const auto& e : xgene_messages()) {
        m.push_back(e);
    }
    for (const auto& e : xgene_messages()) {
        m.push_back(e);
    }
    for (const auto& e : xgene_messages(0xf9)) {  // the new value: not a repeat
        m.push_back(e);
    }
    const std::string t = transcript(m, {});
    EXPECT_NE(t.find("12B | 04 43 00 00 01 02 (repeated)\n< c004 rsp gen cmd=0x0000 "
                     "status=0x0001 12B | 04 43 00 00 01 00 2f\n> c004"),
              std::string::npos)
        << t;
    EXPECT_NE(t.find("01 00 f9\n"), std::string::npos) << t;
    // three exchanges collapse like two
    auto m2 = xgene_messages();
    for (const auto& e : xgene_messages()) {
        m2.push_back(e);
    }
    for (const auto& e : xgene_messages(0xf9)) {
        m2.push_back(e);
    }
    EXPECT_EQ(transcript(m, {}), transcript(m2, {}));
}

TEST(Transcript, MctpTagsAndInstanceIdsRenumbered) {
    // Get Endpoint ID: tag 5, iid 9; then tag 2, iid 17; then tag 5 again
    auto req = [](std::uint8_t tag, std::uint8_t iid) {
        return std::vector<std::uint8_t>{0x01, 0x08,
                                         0x09, static_cast<std::uint8_t>(0xc8 | tag),
                                         0x00, static_cast<std::uint8_t>(0x80 | iid),
                                         0x02};
    };
    auto line = [](int tag, int iid) {
        return "c000 req ext MCTP 09->08 TO=1 tag=" + std::to_string(tag) +
               " type=0(control) rq iid=" + std::to_string(iid) + " cmd=0x02(Get Endpoint ID) 23B";
    };
    const std::string t = transcript({msg(0, false, line(5, 9), req(5, 9), 0x00fa),
                                      msg(0, false, line(2, 17), req(2, 17), 0x00fa),
                                      msg(0, false, line(5, 9), req(5, 9), 0x00fa)},
                                     {});
    EXPECT_NE(t.find("tag=0 type=0(control) rq iid=0 cmd=0x02(Get Endpoint ID) 23B | 01 08 09 c8 "
                     "00 80 02\n"),
              std::string::npos)
        << t;
    EXPECT_NE(t.find("tag=1 type=0(control) rq iid=1 cmd=0x02(Get Endpoint ID) 23B | 01 08 09 c9 "
                     "00 81 02\n"),
              std::string::npos)
        << t;
    // the same traffic with other ids gives the same transcript
    EXPECT_EQ(t, transcript({msg(0, false, line(3, 1), req(3, 1), 0x00fa),
                             msg(0, false, line(7, 30), req(7, 30), 0x00fa),
                             msg(0, false, line(3, 1), req(3, 1), 0x00fa)},
                            {}));
}

// The guest buffer address of a SLIMpro I2C block transfer differs per boot.
TEST(Transcript, I2cBlockBufferAddressZeroed) {
    const std::vector<std::uint8_t> req{0x01, 0x43, 0x43, 0x50, 0x00, 0x80, 0x00, 0x00, 0x20, 0x41,
                                        0x8a, 0x04, 0x20, 0x00, 0xf0, 0xbf, 0x48, 0xf5, 0xcb, 0x41};
    const std::string t = transcript(
        {msg(1, false,
             "c001 req gen cmd=0x8000 status=0x0000 i2c chip=0x52 read i2c block reg=0x20 "
             "addrlen=1 len=32 20B",
             req)},
        {});
    EXPECT_NE(t.find("| 01 43 43 50 00 80 00 00 20 41 8a 04 20 00 00 80 +4x00\n"),
              std::string::npos)
        << t;
}

// Host steps report when they end: results are listed by name.
TEST(Transcript, ResultsByName) {
    EXPECT_EQ(transcript({}, {}, {{Status::ok, "host-b", ""}, {Status::fail, "host-a", "x"}}),
              transcript({}, {}, {{Status::fail, "host-a", "x"}, {Status::ok, "host-b", ""}}));
}

TEST(Transcript, RegisterTraceOfTheLogBackend) {
    const auto r = lab::parse_register_trace(
        "1234@1700000000.000001:pcc_channel_reg_write subspace 4 doorbell [0x0] <- 0x1\n"
        "pcc_channel_irq subspace 4 interrupt pending 1\n"
        "1234@1700000000.000002:pcc_channel_reg_read subspace 4 cmd-complete [0x8] -> 0x1\n"
        "pcc_channel_reg_read garbage\n"
        "pcc_channel_reg_read subspace 12 id [0x20] -> 0xdeadbeef");
    ASSERT_EQ(r.size(), 3u);
    EXPECT_TRUE(r[0].write);
    EXPECT_EQ(r[0].reg, "doorbell");
    EXPECT_EQ(r[1].addr, 0x8u);
    EXPECT_EQ(r[1].value, 1u);
    EXPECT_EQ(r[2].subspace, 12u);
    EXPECT_EQ(r[2].value, 0xdeadbeefu);
}

TEST(TranscriptDiff, LcsEdits) {
    using K = lab::Edit::Kind;
    const std::vector<std::string> a{"a", "b", "c", "d"}, b{"a", "c", "x", "d"};
    const auto e = lab::lcs_edits(a, b);
    std::string s;
    for (const auto& x : e) {
        s += x.kind == K::keep ? "=" : x.kind == K::remove ? "-" : "+";
    }
    EXPECT_EQ(s, "=-=+=");
    EXPECT_EQ(lab::lcs_edits(a, a).size(), 4u);
    // over the cell limit the middle is replaced whole
    const auto big = lab::lcs_edits(a, b, 4);
    EXPECT_EQ(big.size(), 6u);
}

TEST(TranscriptDiff, EqualInputsAreEqual) {
    const auto d = lab::diff_transcripts(transcript(), transcript());
    EXPECT_TRUE(d.equal());
    EXPECT_EQ(d.summary(), "no difference");
}

TEST(TranscriptDiff, MessageAddedAndRemoved) {
    auto more = xgene_messages();
    more.push_back(msg(4, false, "c004 req gen cmd=0x0007 status=0x0000 12B", {7}));
    auto d = lab::diff_transcripts(transcript(), transcript(more));
    EXPECT_EQ(d.messages_added, 1u);
    EXPECT_EQ(d.summary(), "1 message(s) added");
    EXPECT_NE(d.report.find("+ > c004 req gen cmd=0x0007"), std::string::npos) << d.report;
    d = lab::diff_transcripts(transcript(more), transcript());
    EXPECT_EQ(d.messages_removed, 1u);
    EXPECT_FALSE(d.equal());
}

TEST(TranscriptDiff, DifferentBytes) {
    const auto d = lab::diff_transcripts(transcript(), transcript(xgene_messages(0x30)));
    EXPECT_EQ(d.messages_bytes, 1u);
    EXPECT_EQ(d.messages_added + d.messages_removed, 0u);
    EXPECT_NE(d.report.find("! different bytes: < c004 rsp gen"), std::string::npos) << d.report;
}

TEST(TranscriptDiff, ExtraReadModifyWrite) {
    auto r = xgene_registers();
    r.insert(r.begin(), {reg(4, false, "doorbell", 0x0, 0)});
    const auto d = lab::diff_transcripts(transcript(), transcript(xgene_messages(), r));
    EXPECT_EQ(d.registers_added, 1u);
    EXPECT_NE(d.report.find("+ read doorbell [0x0] -> 0x0"), std::string::npos) << d.report;
    EXPECT_NE(d.report.find("== registers subspace 4"), std::string::npos);
}

TEST(TranscriptDiff, AckThatMoved) {
    // the ack before the last status read instead of after it
    auto r = xgene_registers();
    std::swap(r[3], r[4]);
    const auto d = lab::diff_transcripts(transcript(), transcript(xgene_messages(), r));
    EXPECT_EQ(d.registers_added, 1u);
    EXPECT_EQ(d.registers_removed, 1u);
    EXPECT_NE(d.report.find("register access moved"), std::string::npos) << d.report;
}

TEST(TranscriptDiff, RegisterValueChanged) {
    auto r = xgene_registers();
    r[0].value = 3;
    const auto d = lab::diff_transcripts(transcript(), transcript(xgene_messages(), r));
    EXPECT_EQ(d.registers_changed, 1u);
    EXPECT_NE(d.report.find("register access changed: write doorbell [0x0] <- 0x1 became write "
                            "doorbell [0x0] <- 0x3"),
              std::string::npos)
        << d.report;
}

TEST(TranscriptDiff, UserVisibleResult) {
    auto res = results();
    res[1] = {Status::fail, "hwmon-apm_xgene-temp1_input", "read timed out (ETIMEDOUT)"};
    res.push_back({Status::skip, "pccd", "not built"});
    const auto d =
        lab::diff_transcripts(transcript(), transcript(xgene_messages(), xgene_registers(), res));
    EXPECT_EQ(d.results_changed, 1u);
    EXPECT_EQ(d.results_added, 1u);
    EXPECT_NE(d.report.find("! result changed: ok hwmon-apm_xgene-temp1_input"), std::string::npos)
        << d.report;
}

TEST(TranscriptDiff, SectionOnlyOnOneSide) {
    auto m = xgene_messages();
    m.push_back(msg(5, false, "c005 req gen 4B", {1}));
    const auto d = lab::diff_transcripts(transcript(), transcript(m));
    EXPECT_EQ(d.messages_added, 1u);
    EXPECT_NE(d.report.find("== messages channel 5\n  (only in B)"), std::string::npos) << d.report;
}

std::string read(const std::string& p) {
    std::ifstream f(p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

TEST(TranscriptDiff, DiffCommandExitStatusAndUpdate) {
    pcc::TempDir dir("pcc-lab-test");
    const std::string a = dir.path() + "/a.txt", b = dir.path() + "/b.txt";
    std::ofstream(a) << transcript();
    std::ofstream(b) << transcript(xgene_messages(0x30));
    std::ostringstream out, err;
    EXPECT_EQ(lab::diff_command(a, a, false, out, err), 0);
    EXPECT_EQ(lab::diff_command(a, b, false, out, err), 1);
    EXPECT_NE(out.str().find("summary: 1 message(s) with different bytes"), std::string::npos);
    EXPECT_EQ(lab::diff_command(a, dir.path() + "/none.txt", false, out, err), 2);
    std::ofstream(dir.path() + "/junk.txt") << "hello\n";
    EXPECT_EQ(lab::diff_command(a, dir.path() + "/junk.txt", false, out, err), 2);
    // a run's log dir stands for its transcript.txt
    fs::create_directories(dir.path() + "/run");
    std::ofstream(dir.path() + "/run/transcript.txt") << transcript();
    EXPECT_EQ(lab::diff_command(a, dir.path() + "/run", false, out, err), 0);
    // --update: the golden file becomes the run's, then they are equal
    EXPECT_EQ(lab::diff_command(a, b, true, out, err), 0);
    EXPECT_EQ(read(a), read(b));
    EXPECT_EQ(lab::diff_command(a, b, false, out, err), 0);
    // --update of a golden file that does not exist yet creates it
    const std::string fresh = dir.path() + "/golden/new.sid.txt";
    EXPECT_EQ(lab::diff_command(fresh, b, true, out, err), 0);
    EXPECT_EQ(read(fresh), read(b));
}

TEST(TranscriptDiff, CheckGoldenSkipsWithoutGoldenFile) {
    pcc::TempDir dir("pcc-lab-test");
    const std::string t = dir.path() + "/transcript.txt";
    std::ofstream(t) << transcript();
    const Result r = lab::check_golden("no-such-scenario", "sid", t);
    EXPECT_EQ(r.status, Status::skip);
    EXPECT_EQ(r.name, "golden");
    EXPECT_NE(r.message.find("lab/golden/no-such-scenario.sid.txt"), std::string::npos);
}

// The committed golden transcript of xgene-hwmon (a real run): equal to
// itself; with pccd's io power one milliwatt higher in the answer (what a
// changed platform gives) the check fails, names the change and writes the
// whole diff next to the transcript.
TEST(TranscriptDiff, CheckGoldenOnARealTranscript) {
    const std::string golden = lab::golden_path("xgene-hwmon", "sid");
    ASSERT_TRUE(fs::exists(golden)) << golden;
    pcc::TempDir dir("pcc-lab-test");
    const std::string t = dir.path() + "/transcript.txt";
    fs::copy_file(golden, t);
    Result r = lab::check_golden("xgene-hwmon", "sid", t);
    EXPECT_EQ(r.status, Status::ok) << r.message;
    std::string text = read(t);
    const std::string answer = "value=0x59 20B | 04 43 43 50 00 80 01 00 02 e9 ff 04 59";
    const auto at = text.find(answer);
    ASSERT_NE(at, std::string::npos);
    text.replace(at, answer.size(), "value=0x5a 20B | 04 43 43 50 00 80 01 00 02 e9 ff 04 5a");
    std::ofstream(t, std::ios::trunc) << text;
    r = lab::check_golden("xgene-hwmon", "sid", t);
    EXPECT_EQ(r.status, Status::fail);
    EXPECT_NE(r.message.find(": 1 message(s) with different bytes ("), std::string::npos)
        << r.message;
    EXPECT_NE(read(dir.path() + "/golden.diff").find("value=0x5a"), std::string::npos);
}

}  // namespace
