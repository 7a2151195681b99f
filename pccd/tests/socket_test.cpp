// SPDX-License-Identifier: GPL-2.0-or-later
// Socket transport over a real unix socket: answers, fragmentation, framing
// errors, unknown channels, the queue while QEMU is away.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "log.hpp"
#include "socket_transport.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

namespace fs = std::filesystem;
using test::hex;

const Bytes kGetEid = hex("00 43 43 50 01 00 00 00 0b 00 00 00 4d 43 54 50 01 08 09 c8 00 80 02");
const Bytes kGetEidAnswer =
    hex("01 43 43 50 01 00 00 00 0f 00 00 00 4d 43 54 50 01 09 08 c0 00 00 02 00 08 02 00");

// A request frame for channel 0, written out per qemu/docs/system/devices/pcc.rst.
Bytes request_frame(const char* channel = "00 00") {
    Bytes f = hex(std::string("50 43 43 31 17 00 00 00 ") + channel + " 01 00");
    append(f, kGetEid);
    return f;
}
Bytes answer_frame() {
    Bytes f = hex("50 43 43 31 1b 00 00 00 00 00 02 00");
    append(f, kGetEidAnswer);
    return f;
}

class SocketTest : public ::testing::Test {
  protected:
    SocketTest() {
        set_log_level(LogLevel::error);
        path_ = dir_.str() + "/pccd.sock";
        auto t = SocketTransport::listen(path_, engine_, loop_, 4);
        EXPECT_TRUE(t) << (t ? "" : t.error());
        transport_ = std::move(*t);
    }

    UniqueFd connect_client() {
        auto fd = connect_unix(path_);
        EXPECT_TRUE(fd) << (fd ? "" : fd.error());
        pump(20);
        return fd ? std::move(*fd) : UniqueFd();
    }

    void pump(int ms) {
        const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        while (std::chrono::steady_clock::now() < end) {
            loop_.run_once(5);
        }
    }

    // Reads what the client has received, running the loop meanwhile, until
    // `want` bytes or EOF or a timeout. Sets eof_ on EOF.
    Bytes receive(int fd, std::size_t want, int max_ms = 2000) {
        Bytes got;
        eof_ = false;
        const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_ms);
        while (got.size() < want && std::chrono::steady_clock::now() < end) {
            loop_.run_once(5);
            std::uint8_t buf[4096];
            const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n == 0) {
                eof_ = true;
                break;
            }
            if (n > 0) {
                got.insert(got.end(), buf, buf + n);
            }
        }
        return got;
    }

    void send_all(int fd, const Bytes& bytes) {
        ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(bytes.size()));
    }

    test::TempDir dir_;
    std::string path_;
    EventLoop loop_;
    Engine engine_;
    std::unique_ptr<SocketTransport> transport_;
    bool eof_ = false;
};

TEST_F(SocketTest, SocketFileIsPrivate) {
    struct stat st {};
    ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SocketTest, AnswersARequest) {
    UniqueFd c = connect_client();
    send_all(c.get(), request_frame());
    EXPECT_EQ(receive(c.get(), answer_frame().size()), answer_frame());
}

TEST_F(SocketTest, RequestSplitAcrossManyWrites) {
    UniqueFd c = connect_client();
    Bytes two = request_frame();
    append(two, request_frame());
    for (std::uint8_t b : two) {
        send_all(c.get(), Bytes{b});
        loop_.run_once(0);
    }
    Bytes want = answer_frame();
    append(want, answer_frame());
    EXPECT_EQ(receive(c.get(), want.size()), want);
}

TEST_F(SocketTest, FramingErrorsCloseTheConnection) {
    for (const char* head : {"50 43 43 30 00 00 00 00 00 00 01 00",     // bad magic
                             "50 43 43 31 01 00 01 00 00 00 01 00",     // 65537 bytes
                             "50 43 43 31 00 00 00 00 00 00 09 00"}) {  // kind 9
        const auto before = counters().get("bad.socket_frame");
        UniqueFd c = connect_client();
        send_all(c.get(), hex(head));
        receive(c.get(), 1);
        EXPECT_TRUE(eof_) << head;
        EXPECT_EQ(counters().get("bad.socket_frame"), before + 1);
    }
    // The listener still works.
    UniqueFd c = connect_client();
    send_all(c.get(), request_frame());
    EXPECT_EQ(receive(c.get(), answer_frame().size()), answer_frame());
}

TEST_F(SocketTest, UnknownChannelIsDroppedConnectionStays) {
    UniqueFd c = connect_client();
    const auto before = counters().get("bad.socket_channel");
    send_all(c.get(), request_frame("00 01"));  // channel 256
    send_all(c.get(), request_frame());
    EXPECT_EQ(receive(c.get(), answer_frame().size()), answer_frame());
    EXPECT_EQ(counters().get("bad.socket_channel"), before + 1);
    // A malformed message inside a good frame: logged, no answer, connection stays.
    send_all(c.get(), hex("50 43 43 31 03 00 00 00 00 00 01 00 00 43 43"));
    send_all(c.get(), request_frame());
    EXPECT_EQ(receive(c.get(), answer_frame().size()), answer_frame());
}

TEST_F(SocketTest, QueuesWhileNobodyIsConnectedBounded) {
    const auto before = counters().get("socket.queue_full_drops");
    for (int i = 0; i < 6; ++i) {
        transport_->send_notification(0, Layout::extended, Bytes{static_cast<std::uint8_t>(i)});
    }
    EXPECT_EQ(transport_->queued(0), 4u);  // limit 4
    EXPECT_EQ(counters().get("socket.queue_full_drops"), before + 2);
    UniqueFd c = connect_client();
    Bytes want;
    for (std::uint8_t i = 0; i < 4; ++i) {
        append(want, hex("50 43 43 31 01 00 00 00 00 00 03 00"));
        want.push_back(i);
    }
    EXPECT_EQ(receive(c.get(), want.size()), want);
    EXPECT_EQ(transport_->queued(0), 0u);
}

TEST_F(SocketTest, DelayedAnswerSurvivesAReconnect) {
    auto rules = parse_rules("match type=0 => delay 100\n");
    engine_.set_rules(*rules);
    {
        UniqueFd c = connect_client();
        send_all(c.get(), request_frame());
        pump(20);
    }  // QEMU goes away before the answer
    pump(150);
    EXPECT_EQ(transport_->queued(0), 1u);
    UniqueFd again = connect_client();
    EXPECT_EQ(receive(again.get(), answer_frame().size()), answer_frame());
}

TEST_F(SocketTest, ChannelsGoToTheConnectionThatUsesThem) {
    UniqueFd a = connect_client();
    UniqueFd b = connect_client();
    send_all(b.get(), request_frame("05 00"));
    Bytes answer = receive(b.get(), 12);
    ASSERT_GE(answer.size(), 12u);
    transport_->send_notification(5, Layout::extended, hex("ab"));
    EXPECT_EQ(receive(b.get(), 13), hex("50 43 43 31 01 00 00 00 05 00 03 00 ab"));
    EXPECT_TRUE(receive(a.get(), 1, 50).empty());
}

TEST(SocketPath, StaleSocketIsReplacedOthersRefused) {
    set_log_level(LogLevel::error);
    test::TempDir dir;
    EventLoop loop;
    Engine engine;
    const std::string path = dir.str() + "/s";
    {
        auto first = UnixListener::listen(path);
        ASSERT_TRUE(first);
        // In use: refused.
        EXPECT_FALSE(UnixListener::listen(path));
    }
    EXPECT_FALSE(fs::exists(path));  // removed with its listener
    {
        // stale socket file: create one without a listener
        UniqueFd s(::socket(AF_UNIX, SOCK_STREAM, 0));
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strcpy(addr.sun_path, path.c_str());
        ASSERT_EQ(::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    }
    EXPECT_TRUE(SocketTransport::listen(path, engine, loop));
    std::ofstream(dir.str() + "/file") << "x";
    EXPECT_FALSE(SocketTransport::listen(dir.str() + "/file", engine, loop));
    fs::create_symlink(dir.str() + "/file", dir.str() + "/link");
    EXPECT_FALSE(SocketTransport::listen(dir.str() + "/link", engine, loop));
    EXPECT_TRUE(fs::exists(dir.str() + "/file"));
}

}  // namespace
}  // namespace pccd
