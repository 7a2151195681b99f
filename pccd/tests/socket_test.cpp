// SPDX-License-Identifier: GPL-2.0-or-later
// Socket transport over a real unix socket: answers, fragmentation, framing
// errors, an older framing version, the hello, unknown channels, the queue
// while QEMU is away.
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

#include <cstdio>

namespace pccd {
namespace {

namespace fs = std::filesystem;
using test::hex;

const Bytes kGetEid = hex("00 43 43 50 01 00 00 00 0b 00 00 00 4d 43 54 50 01 08 09 c8 00 80 02");
const Bytes kGetEidAnswer =
    hex("01 43 43 50 01 00 00 00 0f 00 00 00 4d 43 54 50 01 09 08 c0 00 00 02 00 08 02 00");

// 8 little-endian bytes of a frame's id or reference.
std::string le64(std::uint64_t v) {
    std::string out;
    for (int i = 0; i < 8; ++i) {
        char buf[4];
        std::snprintf(buf, sizeof buf, " %02x", static_cast<unsigned>((v >> (8 * i)) & 0xff));
        out += buf;
    }
    return out;
}

// A request frame (id `id`) for channel 0, written out per
// qemu/docs/system/devices/pcc.rst: "PCC3", length, channel, kind 1, layout 0,
// id, reference 0.
Bytes request_frame(const char* channel = "00 00", std::uint64_t id = 0x100) {
    Bytes f =
        hex(std::string("50 43 43 33 17 00 00 00 ") + channel + " 01 00" + le64(id) + le64(0));
    append(f, kGetEid);
    return f;
}
// pccd's answer: its own frame id `id`, the request's id as reference.
Bytes answer_frame(std::uint64_t id = 1, std::uint64_t reference = 0x100) {
    Bytes f = hex("50 43 43 33 1b 00 00 00 00 00 02 00" + le64(id) + le64(reference));
    append(f, kGetEidAnswer);
    return f;
}
// QEMU's hello for pcc-mctp channel 0: its description and session line.
constexpr std::string_view kMctpDescription =
    "pcc-device 1\nclass pcc-mctp\nchannel 0\n"
    "subspace 0 type 3 role initiator shmem 4096\nsubspace 1 type 4 role responder shmem 4096\n";
std::string with_session(std::string_view description, std::string_view session) {
    return std::string(description) + "session " + std::string(session) + "\n";
}
// pccd's done for request `reference`: kind 5, layout 0, no payload.
Bytes done_frame(std::uint64_t id, std::uint64_t reference, const char* channel = "00 00") {
    return hex(std::string("50 43 43 33 00 00 00 00 ") + channel + " 05 00" + le64(id) +
               le64(reference));
}
Bytes hello_frame(const char* channel, std::string_view description) {
    Bytes f = hex("50 43 43 33 00 00 00 00");
    f[4] = static_cast<std::uint8_t>(description.size());
    f[5] = static_cast<std::uint8_t>(description.size() >> 8);
    append(f, hex(std::string(channel) + " 04 00" + le64(7) + le64(0)));
    f.insert(f.end(), description.begin(), description.end());
    return f;
}

class SocketTest : public ::testing::Test {
  protected:
    SocketTest() {
        set_log_level(LogLevel::error);
        path_ = dir_.str() + "/pccd.sock";
        auto t = SocketTransport::listen(path_, responder_, loop_, 4);
        EXPECT_TRUE(t) << (t ? "" : t.error());
        transport_ = std::move(*t);
    }

    pcc::UniqueFd connect_client() {
        auto fd = connect_unix(path_);
        EXPECT_TRUE(fd) << (fd ? "" : fd.error());
        pump(20);
        return fd ? std::move(*fd) : pcc::UniqueFd();
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
    Responder responder_{engine_, loop_};
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
    pcc::UniqueFd c = connect_client();
    send_all(c.get(), request_frame());
    EXPECT_EQ(receive(c.get(), answer_frame().size()), answer_frame());
}

TEST_F(SocketTest, RequestSplitAcrossManyWrites) {
    pcc::UniqueFd c = connect_client();
    Bytes two = request_frame("00 00", 0x100);
    append(two, request_frame("00 00", 0x101));
    for (std::uint8_t b : two) {
        send_all(c.get(), Bytes{b});
        loop_.run_once(0);
    }
    Bytes want = answer_frame(1, 0x100);
    append(want, answer_frame(2, 0x101));
    EXPECT_EQ(receive(c.get(), want.size()), want);
}

TEST_F(SocketTest, FramingErrorsCloseTheConnection) {
    const std::string ids = le64(0) + le64(0);
    for (const char* head : {"51 43 43 32 00 00 00 00 00 00 01 00",     // bad magic
                             "50 43 43 33 01 00 01 00 00 00 01 00",     // 65537 bytes
                             "50 43 43 33 00 00 00 00 00 00 09 00"}) {  // kind 9
        const auto before = counters().get("bad.socket_frame");
        pcc::UniqueFd c = connect_client();
        send_all(c.get(), hex(head + ids));
        receive(c.get(), 1);
        EXPECT_TRUE(eof_) << head;
        EXPECT_EQ(counters().get("bad.socket_frame"), before + 1);
    }
    // The listener still works.
    pcc::UniqueFd c = connect_client();
    send_all(c.get(), request_frame());
    EXPECT_EQ(receive(c.get(), answer_frame().size()), answer_frame());
}

// An older QEMU speaks framing version 2 (or 1): logged as an error naming
// both versions, counted, the connection closed; no answer.
TEST_F(SocketTest, OlderFramingVersionIsClosed) {
    Bytes v2 = hex("50 43 43 32 17 00 00 00 00 00 01 00" + le64(0x100) + le64(0));
    append(v2, kGetEid);
    Bytes v1 = hex("50 43 43 31 17 00 00 00 00 00 01 00");
    append(v1, kGetEid);
    for (const Bytes& older : {v2, v1}) {
        const auto before = counters().get("bad.socket_version");
        const auto frames_before = counters().get("bad.socket_frame");
        const auto rx_before = counters().get("rx.messages");
        pcc::UniqueFd c = connect_client();
        send_all(c.get(), older);
        EXPECT_TRUE(receive(c.get(), 1).empty());
        EXPECT_TRUE(eof_);
        EXPECT_EQ(counters().get("bad.socket_version"), before + 1);
        EXPECT_EQ(counters().get("bad.socket_frame"), frames_before);
        EXPECT_EQ(counters().get("rx.messages"), rx_before);
        EXPECT_EQ(transport_->connections(), 0u);
    }
}

// The hello carries the device description: the channel is bound by it (here
// a SLIMpro hwmon without --bind) and belongs to the connection at once.
TEST_F(SocketTest, HelloDescribesTheDevice) {
    pcc::UniqueFd a = connect_client();
    pcc::UniqueFd b = connect_client();
    send_all(b.get(), hello_frame("04 00",
                                  "pcc-device 1\nclass pcc-xgene-hwmon\nchannel 4\n"
                                  "subspace 4 type 2 role mailbox shmem 4096\n"));
    pump(20);
    ASSERT_NE(engine_.bindings().description(4), nullptr);
    EXPECT_EQ(engine_.bindings().description(4)->device_class, "pcc-xgene-hwmon");
    EXPECT_TRUE(transport_->has_seen(4));
    // A sensor read of SOC_TEMP_REG: the default 35 degrees.
    Bytes req = hex("50 43 43 33 14 00 00 00 04 00 01 01" + le64(9) + le64(0));
    append(req, hex("04 43 43 50  00 80  00 00  02 e9 ff 04  10 00 00 00  00 00 00 00"));
    send_all(b.get(), req);
    Bytes want = hex("50 43 43 33 14 00 00 00 04 00 02 01" + le64(1) + le64(9));
    append(want, hex("04 43 43 50  00 80  01 00  02 e9 ff 04  23 00 00 00  00 00 00 00"));
    EXPECT_EQ(receive(b.get(), want.size()), want);
    EXPECT_TRUE(receive(a.get(), 1, 50).empty());
    // A hello whose description is for another channel is rejected.
    const auto before = counters().get("bad.device_description");
    send_all(a.get(), hello_frame("05 00", "pcc-device 1\nclass pcc-mctp\nchannel 6\n"));
    pump(20);
    EXPECT_EQ(counters().get("bad.device_description"), before + 1);
    EXPECT_EQ(engine_.bindings().description(6), nullptr);
    EXPECT_EQ(transport_->connections(), 2u);  // the connection stays
}

TEST_F(SocketTest, UnknownChannelIsDroppedConnectionStays) {
    pcc::UniqueFd c = connect_client();
    const auto before = counters().get("bad.socket_channel");
    send_all(c.get(), request_frame("00 01"));  // channel 256
    send_all(c.get(), request_frame());
    EXPECT_EQ(receive(c.get(), answer_frame().size()), answer_frame());
    EXPECT_EQ(counters().get("bad.socket_channel"), before + 1);
    // A malformed message inside a good frame: logged, no answer, connection stays
    // (framing version 3: settled by a done)
    send_all(c.get(), hex("50 43 43 33 03 00 00 00 00 00 01 00" + le64(5) + le64(0) + " 00 43 43"));
    send_all(c.get(), request_frame());
    Bytes want = done_frame(2, 5);
    append(want, answer_frame(3, 0x100));
    EXPECT_EQ(receive(c.get(), want.size()), want);
}

TEST_F(SocketTest, QueuesWhileNobodyIsConnectedBounded) {
    const auto before = counters().get("socket.queue_full_drops");
    for (int i = 0; i < 6; ++i) {
        transport_->send_notification(0, Layout::extended, Bytes{static_cast<std::uint8_t>(i)});
    }
    EXPECT_EQ(transport_->queued(0), 4u);  // limit 4
    EXPECT_EQ(counters().get("socket.queue_full_drops"), before + 2);
    pcc::UniqueFd c = connect_client();
    Bytes want;
    for (std::uint8_t i = 0; i < 4; ++i) {
        // Notifications: pccd's frame ids 1.. (the two dropped ones took 5 and 6), reference 0.
        append(want, hex("50 43 43 33 01 00 00 00 00 00 03 00" + le64(i + 1u) + le64(0)));
        want.push_back(i);
    }
    EXPECT_EQ(receive(c.get(), want.size()), want);
    EXPECT_EQ(transport_->queued(0), 0u);
}

TEST_F(SocketTest, DelayedAnswerSurvivesAReconnect) {
    auto rules = parse_rules("match type=0 => delay 100\n");
    engine_.set_rules(*rules);
    {
        pcc::UniqueFd c = connect_client();
        send_all(c.get(), request_frame());
        pump(20);
    }  // QEMU goes away before the answer
    EXPECT_EQ(responder_.delayed(), 1u);
    pump(150);
    EXPECT_EQ(responder_.delayed(), 0u);
    EXPECT_EQ(transport_->queued(0), 1u);
    pcc::UniqueFd again = connect_client();
    EXPECT_EQ(receive(again.get(), answer_frame().size()), answer_frame());
}

// QEMU sends every unsettled request again on a new connection, with its
// id: one handled already gets the stored answer again, and the personality
// does not see it again.
TEST_F(SocketTest, RequestSentAgainGetsTheStoredAnswer) {
    const std::string hello = with_session(kMctpDescription, "00000000deadbeef");
    {
        pcc::UniqueFd c = connect_client();
        send_all(c.get(), hello_frame("00 00", hello));
        send_all(c.get(), request_frame("00 00", 0x100));
        EXPECT_EQ(receive(c.get(), answer_frame().size()), answer_frame(1, 0x100));
    }  // QEMU goes away: say the answer did not reach it
    const auto rx = counters().get("rx.messages");
    const auto tx = counters().get("tx.responses");
    const auto resent = counters().get("socket.resent_requests");
    pcc::UniqueFd again = connect_client();
    send_all(again.get(), hello_frame("00 00", hello));
    send_all(again.get(), request_frame("00 00", 0x100));
    EXPECT_EQ(receive(again.get(), answer_frame().size()), answer_frame(2, 0x100));
    EXPECT_EQ(counters().get("socket.resent_requests"), resent + 1);
    EXPECT_EQ(counters().get("rx.messages"), rx);  // the engine did not see it
    EXPECT_EQ(counters().get("tx.responses"), tx);
    // Nothing else follows; a new request is handled as usual.
    EXPECT_TRUE(receive(again.get(), 1, 50).empty());
    send_all(again.get(), request_frame("00 00", 0x101));
    EXPECT_EQ(receive(again.get(), answer_frame().size()), answer_frame(3, 0x101));
    EXPECT_EQ(counters().get("rx.messages"), rx + 1);
}

// A request still being handled (a delayed answer) when QEMU sends it again
// is left to finish: one answer, on the connection that carries the session.
TEST_F(SocketTest, RequestSentAgainWhileDelayedIsAnsweredOnce) {
    // Long enough that the answer cannot come before the request is sent
    // again, however slow a loaded machine runs this thread.
    auto rules = parse_rules("match type=0 => delay 1000\n");
    engine_.set_rules(*rules);
    const std::string hello = with_session(kMctpDescription, "0123456789abcdef");
    pcc::UniqueFd first = connect_client();
    send_all(first.get(), hello_frame("00 00", hello));
    send_all(first.get(), request_frame("00 00", 0x100));
    pump(20);
    EXPECT_EQ(responder_.delayed(), 1u);
    first.reset();  // QEMU reconnects before the answer
    const auto rx = counters().get("rx.messages");
    const auto resent = counters().get("socket.resent_requests");
    pcc::UniqueFd again = connect_client();
    send_all(again.get(), hello_frame("00 00", hello));
    send_all(again.get(), request_frame("00 00", 0x100));
    EXPECT_TRUE(receive(again.get(), 1, 40).empty());  // still delayed: nothing yet
    EXPECT_EQ(counters().get("socket.resent_requests"), resent + 1);
    EXPECT_EQ(responder_.delayed(), 1u);  // no second delay
    EXPECT_EQ(receive(again.get(), answer_frame().size()), answer_frame(1, 0x100));
    EXPECT_TRUE(receive(again.get(), 1, 150).empty());  // exactly one answer
    EXPECT_EQ(counters().get("rx.messages"), rx);
    EXPECT_EQ(transport_->queued(0), 0u);  // answers wait in the cache, not the queue
}

// The answer of a delayed request whose connection is gone waits in the
// cache (not the queue) until QEMU sends the request again.
TEST_F(SocketTest, DelayedAnswerWaitsForTheRequestAgain) {
    auto rules = parse_rules("match type=0 => delay 30\n");
    engine_.set_rules(*rules);
    const std::string hello = with_session(kMctpDescription, "0123456789abcdef");
    {
        pcc::UniqueFd c = connect_client();
        send_all(c.get(), hello_frame("00 00", hello));
        send_all(c.get(), request_frame("00 00", 0x100));
        pump(10);
    }
    pump(80);
    EXPECT_EQ(responder_.delayed(), 0u);
    EXPECT_EQ(transport_->queued(0), 0u);
    EXPECT_EQ(transport_->requests().settled(0), 1u);
    pcc::UniqueFd again = connect_client();
    send_all(again.get(), hello_frame("00 00", hello));
    EXPECT_TRUE(receive(again.get(), 1, 40).empty());  // not sent unasked
    send_all(again.get(), request_frame("00 00", 0x100));
    // Frame id 1 went with the answer to the dead connection's session.
    EXPECT_EQ(receive(again.get(), answer_frame().size()), answer_frame(2, 0x100));
    EXPECT_TRUE(receive(again.get(), 1, 50).empty());
}

// A restarted QEMU has a new session and numbers its requests anew: the same
// id is a new request.
TEST_F(SocketTest, SameIdInANewSessionIsHandledAnew) {
    pcc::UniqueFd a = connect_client();
    send_all(a.get(), hello_frame("00 00", with_session(kMctpDescription, "1111111111111111")));
    send_all(a.get(), request_frame("00 00", 0x100));
    EXPECT_EQ(receive(a.get(), answer_frame().size()), answer_frame(1, 0x100));
    a.reset();
    const auto rx = counters().get("rx.messages");
    const auto resent = counters().get("socket.resent_requests");
    pcc::UniqueFd b = connect_client();
    send_all(b.get(), hello_frame("00 00", with_session(kMctpDescription, "2222222222222222")));
    send_all(b.get(), request_frame("00 00", 0x100));
    EXPECT_EQ(receive(b.get(), answer_frame().size()), answer_frame(2, 0x100));
    EXPECT_EQ(counters().get("rx.messages"), rx + 1);
    EXPECT_EQ(counters().get("socket.resent_requests"), resent);
}

// A request handled without an answer is settled by a done (kind 5, the
// request's id as reference, no payload): the guest's MCTP response to a
// message of pccd's (TO=0), a request a rule drops, a malformed message.
// Sent again, it gets the done again.
TEST_F(SocketTest, RequestsWithoutAnswerGetADone) {
    pcc::UniqueFd c = connect_client();
    const std::string hello = with_session(kMctpDescription, "0123456789abcdef");
    send_all(c.get(), hello_frame("00 00", hello));
    const auto dones = counters().get("socket.done_frames");
    // Get Endpoint ID response from the guest: TO=0, Rq=0.
    Bytes guest_response = hex("50 43 43 33 18 00 00 00 00 00 01 00" + le64(0x200) + le64(0));
    append(guest_response,
           hex("00 43 43 50 01 00 00 00 0c 00 00 00 4d 43 54 50 01 08 09 c0 00 00 02 00"));
    send_all(c.get(), guest_response);
    EXPECT_EQ(receive(c.get(), 28), done_frame(1, 0x200));
    // Malformed: a header cut short.
    send_all(c.get(),
             hex("50 43 43 33 03 00 00 00 00 00 01 00" + le64(0x201) + le64(0) + " 00 43 43"));
    EXPECT_EQ(receive(c.get(), 28), done_frame(2, 0x201));
    // Dropped by a rule.
    auto rules = parse_rules("match type=0 => drop\n");
    engine_.set_rules(*rules);
    send_all(c.get(), request_frame("00 00", 0x202));
    EXPECT_EQ(receive(c.get(), 28), done_frame(3, 0x202));
    EXPECT_EQ(counters().get("socket.done_frames"), dones + 3);
    // Sent again after a reconnection: done again, nothing handled.
    c.reset();
    const auto rx = counters().get("rx.messages");
    pcc::UniqueFd again = connect_client();
    send_all(again.get(), hello_frame("00 00", hello));
    send_all(again.get(), guest_response);
    send_all(again.get(), request_frame("00 00", 0x202));
    Bytes want = done_frame(4, 0x200);
    append(want, done_frame(5, 0x202));
    EXPECT_EQ(receive(again.get(), want.size()), want);
    EXPECT_EQ(counters().get("rx.messages"), rx);
    EXPECT_EQ(counters().get("socket.done_frames"), dones + 3);
}

// Memory stays bounded: the transport keeps the last 128 settled requests of
// a channel (pcc.rst: at least 64), and handles older ids anew.
TEST_F(SocketTest, RemembersABoundedNumberOfRequests) {
    pcc::UniqueFd c = connect_client();
    send_all(c.get(), hello_frame("00 00", with_session(kMctpDescription, "0123456789abcdef")));
    const std::size_t n = RequestCache::kDefaultCapacity + 72;
    for (std::uint64_t id = 1; id <= n; ++id) {
        send_all(c.get(), request_frame("00 00", id));
    }
    EXPECT_EQ(receive(c.get(), n * answer_frame().size()).size(), n * answer_frame().size());
    EXPECT_EQ(transport_->requests().settled(0), RequestCache::kDefaultCapacity);
    EXPECT_EQ(transport_->requests().in_flight(0), 0u);
    const auto rx = counters().get("rx.messages");
    send_all(c.get(), request_frame("00 00", n - RequestCache::kDefaultCapacity + 1));  // kept
    send_all(c.get(), request_frame("00 00", 1));                                       // evicted
    EXPECT_EQ(receive(c.get(), 2 * answer_frame().size()).size(), 2 * answer_frame().size());
    EXPECT_EQ(counters().get("rx.messages"), rx + 1);
    EXPECT_EQ(transport_->requests().settled(0), RequestCache::kDefaultCapacity);
}

// A hello without a usable session line is counted and logged; its
// requests are answered, but each time they come.
TEST_F(SocketTest, HelloWithoutSessionIsCounted) {
    const auto before = counters().get("bad.socket_session");
    pcc::UniqueFd c = connect_client();
    send_all(c.get(), hello_frame("00 00", kMctpDescription));
    send_all(c.get(), hello_frame("00 00", with_session(kMctpDescription, "12345")));
    pump(20);
    EXPECT_EQ(counters().get("bad.socket_session"), before + 2);
    const auto rx = counters().get("rx.messages");
    send_all(c.get(), request_frame("00 00", 0x100));
    send_all(c.get(), request_frame("00 00", 0x100));
    Bytes want = answer_frame(1, 0x100);
    append(want, answer_frame(2, 0x100));
    EXPECT_EQ(receive(c.get(), want.size()), want);
    EXPECT_EQ(counters().get("rx.messages"), rx + 2);
    EXPECT_NE(engine_.bindings().description(0), nullptr);  // the description stands
}

TEST_F(SocketTest, ChannelsGoToTheConnectionThatUsesThem) {
    pcc::UniqueFd a = connect_client();
    pcc::UniqueFd b = connect_client();
    send_all(b.get(), request_frame("05 00"));
    Bytes answer = receive(b.get(), 28);
    ASSERT_GE(answer.size(), 28u);
    transport_->send_notification(5, Layout::extended, hex("ab"));
    EXPECT_EQ(receive(b.get(), 29),
              hex("50 43 43 33 01 00 00 00 05 00 03 00" + le64(2) + le64(0) + " ab"));
    EXPECT_TRUE(receive(a.get(), 1, 50).empty());
}

TEST(SocketPath, StaleSocketIsReplacedOthersRefused) {
    set_log_level(LogLevel::error);
    test::TempDir dir;
    EventLoop loop;
    Engine engine;
    Responder responder(engine, loop);
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
        pcc::UniqueFd s(::socket(AF_UNIX, SOCK_STREAM, 0));
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strcpy(addr.sun_path, path.c_str());
        ASSERT_EQ(::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    }
    EXPECT_TRUE(SocketTransport::listen(path, responder, loop));
    std::ofstream(dir.str() + "/file") << "x";
    EXPECT_FALSE(SocketTransport::listen(dir.str() + "/file", responder, loop));
    fs::create_symlink(dir.str() + "/file", dir.str() + "/link");
    EXPECT_FALSE(SocketTransport::listen(dir.str() + "/link", responder, loop));
    EXPECT_TRUE(fs::exists(dir.str() + "/file"));
}

}  // namespace
}  // namespace pccd
