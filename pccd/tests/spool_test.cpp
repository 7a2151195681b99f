// SPDX-License-Identifier: GPL-2.0-or-later
// Spool transport in temp directories: backlog, order, inotify, answers that
// name their request, restart safety at every commit step, garbage, symlinks,
// the device description (also one that appears later).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "device_description.hpp"
#include "log.hpp"
#include "spool_transport.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

namespace fs = std::filesystem;
using test::hex;
using test::names_in;
using test::read_file;
using test::write_file;

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
        auto spool = SpoolTransport::open(dir_.str(), responder_, loop_);
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
    Responder responder_{engine_, loop_};
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
    std::vector<std::uint64_t> requests;
    for (const auto& n : names) {
        auto parsed = parse_spool_name(n);
        ASSERT_TRUE(parsed) << n;
        EXPECT_EQ(parsed->kind, MessageKind::response);
        EXPECT_EQ(parsed->channel, 0u);
        ASSERT_TRUE(parsed->request) << n;  // -r<request sequence>
        requests.push_back(*parsed->request);
    }
    EXPECT_EQ(requests, (std::vector<std::uint64_t>{100, 200, 300}));
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
    EXPECT_FALSE(
        SpoolTransport::open((elsewhere.path() / "spool-link").string(), responder_, loop_));
    test::TempDir other;
    fs::create_directory_symlink(elsewhere.path(), other.path() / "inbox");
    auto refused = SpoolTransport::open(other.str(), responder_, loop_);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("symlink"), std::string::npos);
}

TEST_F(SpoolTest, FifoInTheOutboxIsQuarantinedWithoutBlocking) {
    // a FIFO named like a request: opening it for reading must not wait
    // for a writer, and it is no message
    fs::create_directories(outbox());
    const fs::path fifo =
        outbox() / format_spool_name({1, 0, MessageKind::request, Layout::extended});
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    put_request(2, get_eid(2));
    const auto before = counters().get("bad.spool_file");
    auto spool = open_spool();
    spool->scan();
    EXPECT_EQ(answers(), std::vector<Bytes>{get_eid_answer(2)});
    EXPECT_EQ(counters().get("bad.spool_file"), before + 1);
    EXPECT_FALSE(fs::exists(fs::symlink_status(fifo)));
    EXPECT_TRUE(fs::is_fifo(dir_.path() / "pccd" / "rejected" / fifo.filename()));
}

// What the error of opening a spool whose `dir` was prepared by `prepare`.
std::string open_error(const std::function<void(const fs::path&)>& prepare,
                       Responder& responder, EventLoop& loop) {
    test::TempDir spool;
    prepare(spool.path());
    auto opened = SpoolTransport::open(spool.str(), responder, loop);
    return opened ? std::string("(opened)") : opened.error();
}

TEST_F(SpoolTest, DirectoriesOthersCanWriteOrOwnAreRefused) {
    const auto contains = [](const std::string& text, const char* what) {
        return text.find(what) != std::string::npos;
    };
    // the spool itself writable by everyone
    EXPECT_PRED2(contains, open_error([](const fs::path& d) { fs::permissions(d, fs::perms::all); },
                                      responder_, loop_),
                 "writable by group or others (mode 0777)");
    // its outbox writable by the group
    EXPECT_PRED2(contains,
                 open_error(
                     [](const fs::path& d) {
                         fs::create_directory(d / "outbox");
                         fs::permissions(d / "outbox", fs::perms::owner_all | fs::perms::group_all);
                     },
                     responder_, loop_),
                 "outbox: writable by group or others (mode 0770)");
    // a directory that is only readable by others is fine
    EXPECT_EQ(open_error(
                  [](const fs::path& d) {
                      fs::permissions(d, fs::perms::owner_all | fs::perms::group_read |
                                             fs::perms::group_exec | fs::perms::others_read |
                                             fs::perms::others_exec);
                  },
                  responder_, loop_),
              "(opened)");
    if (::geteuid() != 0) {
        GTEST_SKIP() << "a directory of another owner needs root to make";
    }
    // an inbox that belongs to someone else (nobody)
    EXPECT_PRED2(contains,
                 open_error(
                     [](const fs::path& d) {
                         fs::create_directory(d / "inbox");
                         ASSERT_EQ(::chown((d / "inbox").c_str(), 65534, 65534), 0);
                     },
                     responder_, loop_),
                 "inbox: owned by uid 65534, not by this user (0); refusing it");
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
    EXPECT_EQ(responder_.delayed(spool.get()), 1u);
    spool->scan();  // a rescan does not handle it twice
    EXPECT_EQ(responder_.delayed(), 1u);
    run_until([&] { return !answers().empty(); });
    EXPECT_EQ(answers(), std::vector<Bytes>{get_eid_answer(1)});
    EXPECT_TRUE(names_in(outbox()).empty());
    EXPECT_EQ(responder_.delayed(), 0u);
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

// A SLIMpro sensor read (SOC_TEMP_REG) on channel 4, generic layout.
Bytes sensor_read() {
    return hex("04 43 43 50  00 80  00 00  02 e9 ff 04  10 00 00 00  00 00 00 00");
}
constexpr const char* kHwmonDevice =
    "pcc-device 1\nclass pcc-xgene-hwmon\nchannel 4\n"
    "subspace 4 type 2 role mailbox shmem 4096\nproperty sensors 5\n";

// `pccd --spool DIR` alone serves a pcc-xgene-hwmon whose spool has a device
// file: the description binds the channel, no --bind needed.
TEST_F(SpoolTest, DeviceFileBindsTheChannel) {
    write_file(dir_.path() / "device", std::string_view(kHwmonDevice));
    fs::create_directories(outbox());
    write_file(outbox() / format_spool_name({7, 4, MessageKind::request, Layout::generic}),
               sensor_read());
    auto spool = open_spool();
    spool->scan();
    const auto names = names_in(inbox());
    ASSERT_EQ(names.size(), 1u);
    EXPECT_EQ(names[0].substr(20), "-c004-rsp-r00000000000000000007.gen");
    EXPECT_EQ(read_file(inbox() / names[0]),
              hex("04 43 43 50  00 80  01 00  02 e9 ff 04  23 00 00 00  00 00 00 00"));
    EXPECT_TRUE(spool->has_seen(4));
    ASSERT_NE(engine_.bindings().description(4), nullptr);
    EXPECT_EQ(engine_.bindings().description(4)->property("sensors"), "5");
}

// QEMU may start after pccd: the device file appears later (through a
// temporary file and a rename, as QEMU writes it) and is picked up through
// inotify before the requests that follow it.
TEST_F(SpoolTest, DeviceFileThatAppearsLater) {
    auto spool = open_spool();
    spool->scan();
    EXPECT_EQ(engine_.bindings().description(4), nullptr);
    write_file(dir_.path() / ".device.tmp", std::string_view(kHwmonDevice));
    fs::rename(dir_.path() / ".device.tmp", dir_.path() / "device");
    run_until([&] { return engine_.bindings().description(4) != nullptr; });
    ASSERT_NE(engine_.bindings().description(4), nullptr);
    fs::create_directories(outbox() / "tmp");
    const std::string name = format_spool_name({9, 4, MessageKind::request, Layout::generic});
    write_file(outbox() / "tmp" / name, sensor_read());
    fs::rename(outbox() / "tmp" / name, outbox() / name);
    run_until([&] { return !names_in(inbox()).empty(); });
    ASSERT_EQ(answers().size(), 1u);
    EXPECT_EQ(answers()[0][12], 0x23);  // 35 degrees
    // A rewritten description replaces the old one.
    write_file(dir_.path() / ".device.tmp",
               std::string_view("pcc-device 1\nclass pcc-xgene-hwmon\nchannel 4\n"
                                "subspace 4 type 2 role mailbox\nproperty sensors 7\n"));
    fs::rename(dir_.path() / ".device.tmp", dir_.path() / "device");
    run_until([&] { return engine_.bindings().description(4)->property("sensors") == "7"; });
    EXPECT_EQ(engine_.bindings().description(4)->property("sensors"), "7");
}

// A device file that is a symlink, too big or no description is refused with
// a reason; requests are still answered.
TEST_F(SpoolTest, BadDeviceFilesAreRejected) {
    const auto before = counters().get("bad.device_description");
    test::TempDir elsewhere;
    write_file(elsewhere.path() / "device", std::string_view(kHwmonDevice));
    fs::create_symlink(elsewhere.path() / "device", dir_.path() / "device");
    put_request(100, get_eid(1));
    {
        auto spool = open_spool();
        spool->scan();
        EXPECT_EQ(engine_.bindings().description(4), nullptr);
        EXPECT_EQ(answers(), std::vector<Bytes>{get_eid_answer(1)});
    }
    EXPECT_EQ(counters().get("bad.device_description"), before + 1);
    fs::remove(dir_.path() / "device");
    write_file(dir_.path() / "device", std::string(kMaxDescriptionSize + 1, 'x'));
    open_spool();
    write_file(dir_.path() / "device", std::string_view("class pcc-mctp\nchannel 0\n"));
    open_spool();
    EXPECT_EQ(counters().get("bad.device_description"), before + 3);
    EXPECT_EQ(engine_.bindings().description(0), nullptr);
}

}  // namespace
}  // namespace pccd
