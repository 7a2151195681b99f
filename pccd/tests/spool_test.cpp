// SPDX-License-Identifier: GPL-2.0-or-later
// Spool transport in temp directories: backlog, order, inotify, restart
// safety at every commit step, garbage, symlinks.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "log.hpp"
#include "spool_transport.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

namespace fs = std::filesystem;
using test::hex;

// Get Endpoint ID from EID 9 with instance id `iid`.
Bytes get_eid(std::uint8_t iid) {
    Bytes b = hex("00 43 43 50 01 00 00 00 0b 00 00 00 4d 43 54 50 01 08 09 c8 00 80 02");
    b[21] = static_cast<std::uint8_t>(0x80 | iid);
    return b;
}
// Its answer, as written out in engine_test.
Bytes get_eid_answer(std::uint8_t iid) {
    Bytes b =
        hex("01 43 43 50 01 00 00 00 0f 00 00 00 4d 43 54 50 01 09 08 c0 00 00 02 00 08 02 00");
    b[21] = iid;
    return b;
}

Bytes read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& p, const Bytes& bytes) {
    std::ofstream out(p, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (!e.is_directory()) {
            names.push_back(e.path().filename().string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

class SpoolTest : public ::testing::Test {
  protected:
    SpoolTest() { set_log_level(LogLevel::error); }

    fs::path outbox() const { return dir_.path() / "outbox"; }
    fs::path inbox() const { return dir_.path() / "inbox"; }

    void put_request(std::uint64_t seq, const Bytes& bytes, unsigned channel = 0) {
        fs::create_directories(outbox() / "tmp");
        const std::string name =
            format_spool_name({seq, channel, MessageKind::request, Layout::extended});
        write_file(outbox() / "tmp" / name, bytes);
        fs::rename(outbox() / "tmp" / name, outbox() / name);
    }

    std::unique_ptr<SpoolTransport> open_spool() {
        auto spool = SpoolTransport::open(dir_.str(), engine_, loop_);
        EXPECT_TRUE(spool) << (spool ? "" : spool.error());
        return spool ? std::move(*spool) : nullptr;
    }

    std::vector<Bytes> answers() {
        std::vector<Bytes> out;
        for (const auto& name : names_in(inbox())) {
            out.push_back(read_file(inbox() / name));
        }
        return out;
    }

    void run_until(const std::function<bool()>& done, int max_ms = 3000) {
        const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_ms);
        while (!done() && std::chrono::steady_clock::now() < end) {
            loop_.run_once(20);
        }
    }

    test::TempDir dir_;
    EventLoop loop_;
    Engine engine_;
};

TEST_F(SpoolTest, CreatesPrivateDirectories) {
    auto spool = open_spool();
    for (const char* sub :
         {"", "outbox", "outbox/tmp", "inbox", "inbox/tmp", "pccd", "pccd/claimed"}) {
        struct stat st {};
        ASSERT_EQ(::stat((dir_.path() / sub).c_str(), &st), 0) << sub;
        if (std::string(sub).empty()) {
            continue;  // mkdtemp made it
        }
        EXPECT_EQ(st.st_mode & 0777, 0700u) << sub;
    }
}

TEST_F(SpoolTest, BacklogIsAnsweredInNameOrder) {
    put_request(300, get_eid(3));
    put_request(100, get_eid(1));
    put_request(200, get_eid(2));
    auto spool = open_spool();
    spool->scan();
    EXPECT_TRUE(names_in(outbox()).empty());
    const auto names = names_in(inbox());
    ASSERT_EQ(names.size(), 3u);
    for (const auto& n : names) {
        auto parsed = parse_spool_name(n);
        ASSERT_TRUE(parsed) << n;
        EXPECT_EQ(parsed->kind, MessageKind::response);
        EXPECT_EQ(parsed->channel, 0u);
    }
    // Answer sequence order follows request name order.
    EXPECT_EQ(answers(),
              (std::vector<Bytes>{get_eid_answer(1), get_eid_answer(2), get_eid_answer(3)}));
    EXPECT_TRUE(names_in(dir_.path() / "pccd" / "claimed").empty());
    EXPECT_TRUE(names_in(inbox() / "tmp").empty());
}

TEST_F(SpoolTest, NewRequestsAreSeenThroughInotify) {
    auto spool = open_spool();
    spool->scan();
    put_request(500, get_eid(5));
    run_until([&] { return !names_in(inbox()).empty(); });
    EXPECT_EQ(answers(), std::vector<Bytes>{get_eid_answer(5)});
    // A file written in place (IN_CLOSE_WRITE) works too.
    write_file(outbox() / format_spool_name({600, 0, MessageKind::request, Layout::extended}),
               get_eid(6));
    run_until([&] { return names_in(inbox()).size() == 2; });
    EXPECT_EQ(answers().size(), 2u);
}

// A crash after each commit step, then a restart: exactly one answer, and the
// request is gone.
class SpoolCrashTest : public SpoolTest, public ::testing::WithParamInterface<int> {};

TEST_P(SpoolCrashTest, RestartNeitherLosesNorDuplicates) {
    put_request(100, get_eid(1));
    {
        auto spool = open_spool();
        spool->crash_after_step_for_test(GetParam());
        spool->scan();
    }
    auto restarted = open_spool();
    restarted->scan();
    EXPECT_EQ(answers(), std::vector<Bytes>{get_eid_answer(1)});
    EXPECT_TRUE(names_in(outbox()).empty());
    EXPECT_TRUE(names_in(inbox() / "tmp").empty());
    EXPECT_TRUE(names_in(dir_.path() / "pccd" / "claimed").empty());
}

INSTANTIATE_TEST_SUITE_P(AfterStep, SpoolCrashTest, ::testing::Values(1, 2, 3));

TEST_F(SpoolTest, RestartAfterQemuConsumedTheAnswerDoesNotAnswerAgain) {
    put_request(100, get_eid(1));
    {
        auto spool = open_spool();
        spool->crash_after_step_for_test(3);  // published, claim not yet removed
        spool->scan();
    }
    for (const auto& name : names_in(inbox())) {
        fs::remove(inbox() / name);  // QEMU delivered it to the guest
    }
    auto restarted = open_spool();
    restarted->scan();
    EXPECT_TRUE(answers().empty());
    EXPECT_TRUE(names_in(outbox()).empty());
}

TEST_F(SpoolTest, GarbageIsQuarantinedAndOthersStillAnswered) {
    fs::create_directories(outbox());
    write_file(outbox() / "junk", hex("01 02"));
    write_file(outbox() / format_spool_name({1, 0, MessageKind::response, Layout::extended}),
               get_eid(1));
    write_file(outbox() / format_spool_name({2, 0, MessageKind::request, Layout::extended}),
               hex("00 43 43"));
    write_file(outbox() / format_spool_name({3, 999, MessageKind::request, Layout::extended}),
               get_eid(3));
    write_file(outbox() / format_spool_name({4, 0, MessageKind::request, Layout::extended}),
               Bytes(kMaxMessageSize + 1, 0));
    write_file(outbox() / ".hidden", hex("01"));
    put_request(5, get_eid(5));
    const auto before = counters().get("bad.spool_file");
    auto spool = open_spool();
    spool->scan();
    EXPECT_EQ(answers(), std::vector<Bytes>{get_eid_answer(5)});
    EXPECT_EQ(counters().get("bad.spool_file"), before + 5);
    EXPECT_EQ(names_in(dir_.path() / "pccd" / "rejected").size(), 5u);
    EXPECT_EQ(names_in(outbox()), std::vector<std::string>{".hidden"});
}

TEST_F(SpoolTest, SymlinksAreRefused) {
    // a symlink in the outbox is quarantined, its target not read
    test::TempDir elsewhere;
    write_file(elsewhere.path() / "secret", get_eid(1));
    fs::create_directories(outbox());
    fs::create_symlink(
        elsewhere.path() / "secret",
        outbox() / format_spool_name({1, 0, MessageKind::request, Layout::extended}));
    {
        auto spool = open_spool();
        spool->scan();
        EXPECT_TRUE(answers().empty());
        EXPECT_TRUE(fs::exists(elsewhere.path() / "secret"));
    }
    // the spool itself, or a subdirectory, as a symlink
    fs::create_directory_symlink(dir_.path(), elsewhere.path() / "spool-link");
    EXPECT_FALSE(SpoolTransport::open((elsewhere.path() / "spool-link").string(), engine_, loop_));
    test::TempDir other;
    fs::create_directory_symlink(elsewhere.path(), other.path() / "inbox");
    auto refused = SpoolTransport::open(other.str(), engine_, loop_);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("symlink"), std::string::npos);
}

TEST_F(SpoolTest, DelayedAnswerKeepsTheRequestUntilSent) {
    auto rules = parse_rules("match type=0 => delay 80\n");
    ASSERT_TRUE(rules);
    engine_.set_rules(*rules);
    put_request(100, get_eid(1));
    auto spool = open_spool();
    spool->scan();
    EXPECT_TRUE(answers().empty());
    EXPECT_EQ(names_in(outbox()).size(), 1u);
    EXPECT_EQ(spool->delayed(), 1u);
    spool->scan();  // a rescan does not handle it twice
    run_until([&] { return !answers().empty(); });
    EXPECT_EQ(answers(), std::vector<Bytes>{get_eid_answer(1)});
    EXPECT_TRUE(names_in(outbox()).empty());
}

TEST_F(SpoolTest, DroppedRequestsAreRemovedWithoutAnswer) {
    auto rules = parse_rules("match type=0 => drop\n");
    engine_.set_rules(*rules);
    put_request(100, get_eid(1));
    auto spool = open_spool();
    spool->scan();
    EXPECT_TRUE(answers().empty());
    EXPECT_TRUE(names_in(outbox()).empty());
}

TEST_F(SpoolTest, NotificationsAndSequenceAfterExistingFiles) {
    fs::create_directories(inbox());
    // An unconsumed answer with a sequence far in the future.
    write_file(inbox() / "10000000000000000000-c000-rsp.ext", get_eid_answer(1));
    auto spool = open_spool();
    spool->send_notification(0, Layout::extended, hex("aa"));
    const auto names = names_in(inbox());
    ASSERT_EQ(names.size(), 2u);
    EXPECT_EQ(names[1], "10000000000000000001-c000-ntf.ext");
    EXPECT_EQ(read_file(inbox() / names[1]), hex("aa"));
    auto file = write_spool_notification(dir_.str(), 3, Layout::generic, hex("bb"));
    ASSERT_TRUE(file) << file.error();
    EXPECT_EQ(*file, "10000000000000000002-c003-ntf.gen");
}

}  // namespace
}  // namespace pccd
