// SPDX-License-Identifier: GPL-2.0-or-later
// QMP host steps: the JSON they speak, the `qmp COMMAND ARGUMENTS` and
// `=> EXPECTED` syntax, and the client against a peer that plays QEMU's
// side of the protocol as docs/interop/qmp-spec.rst describes it (greeting,
// capabilities negotiation, asynchronous events between the replies, "id"
// echoed), over a socketpair.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "host_steps.hpp"
#include "json.hpp"
#include "qemu_command.hpp"
#include "qmp.hpp"
#include "scenario.hpp"
#include "temp_dir.hpp"

namespace {

using lab::json::parse;

TEST(Json, ParsesWhatQmpSends) {
    const auto v = parse(
        R"( {"return": [{"index": 0, "gsi": 208, "big": 18446744073709551615, "neg": -3,)"
        R"( "r": 1.5e3, "ok": true, "no": false, "n": null, "s": "a\"b\\c\n\u00e9\ud83d\ude00"}]} )");
    const auto* ret = v.find("return");
    ASSERT_NE(ret, nullptr);
    const auto& a = std::get<lab::json::Array>(ret->v);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(*a[0].find("gsi"), (lab::json::Value{lab::json::Number{std::uint64_t{208}}}));
    EXPECT_EQ(std::get<lab::json::Number>(a[0].find("big")->v).v,
              (decltype(lab::json::Number::v){std::uint64_t{18446744073709551615u}}));
    EXPECT_EQ(std::get<lab::json::Number>(a[0].find("neg")->v).v,
              (decltype(lab::json::Number::v){std::int64_t{-3}}));
    EXPECT_EQ(*a[0].find("r"), parse("1500"));  // 1.5e3 is 1500
    EXPECT_EQ(*a[0].find("ok"), lab::json::Value{true});
    EXPECT_EQ(*a[0].find("n"), lab::json::Value{nullptr});
    // UTF-8 of U+00E9 and of the surrogate pair U+1F600
    EXPECT_EQ(*a[0].find("s")->string(), "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80");
    EXPECT_EQ(a[0].find("missing"), nullptr);
}

TEST(Json, RefusesWhatIsNoJson) {
    for (const char* bad :
         {"", "{", "{\"a\" 1}", "{\"a\": 1,}", "[1 2]", "01", "1.", "-", "\"open", "tru",
          "{\"a\": 1} x", "\"\\q\"", "\"\\ud800\"", "{1: 2}", "\"tab\there\""}) {
        EXPECT_THROW(parse(bad), std::invalid_argument) << bad;
    }
    std::string deep(100, '[');
    EXPECT_THROW(parse(deep + std::string(100, ']')), std::invalid_argument);
}

TEST(Json, WritesItBackInOrder) {
    const std::string text =
        R"({"execute": "pcc-inject-fault", "arguments": {"index": 4, "fault": "late-completion", )"
        R"("delay-ms": 200, "f": [true, null, -1, "q\"\n"]}})";
    EXPECT_EQ(lab::json::dump(parse(text)), text);
    EXPECT_EQ(parse(lab::json::dump(parse(text))), parse(text));
}

TEST(Json, ContainsWhatIsExpected) {
    const auto actual = parse(
        R"([{"index": 0, "counters": {"errors": 0, "faults-fired": 2}, "faults": []},)"
        R"( {"index": 1, "counters": {"errors": 3, "faults-fired": 0}, "faults": [{"fault": "stuck-irq"}]}])");
    using lab::json::contains;
    EXPECT_TRUE(contains(actual, parse(R"([{"index": 1, "counters": {"errors": 3}}])")));
    EXPECT_TRUE(contains(actual, parse(R"([{"index": 0}, {"index": 1}])")));
    EXPECT_TRUE(contains(actual, parse("[]")));
    EXPECT_TRUE(contains(actual, parse(R"([{"faults": [{"fault": "stuck-irq"}]}])")));
    EXPECT_TRUE(contains(parse("{}"), parse("{}")));
    EXPECT_TRUE(contains(parse("2"), parse("2.0")));
    // in order, each element once
    EXPECT_FALSE(contains(actual, parse(R"([{"index": 1}, {"index": 0}])")));
    EXPECT_FALSE(contains(actual, parse(R"([{"index": 1}, {"index": 1}])")));
    EXPECT_FALSE(contains(actual, parse(R"([{"index": 0, "counters": {"errors": 1}}])")));
    EXPECT_FALSE(contains(actual, parse(R"([{"index": 0, "nope": 0}])")));
    EXPECT_FALSE(contains(actual, parse(R"({"index": 0})")));
    EXPECT_FALSE(contains(parse("1"), parse("\"1\"")));
    EXPECT_FALSE(contains(parse("-1"), parse("18446744073709551615")));
}

TEST(QmpStep, SyntaxOfTheCommand) {
    EXPECT_FALSE(lab::parse_qmp_step("@pccd get x"));
    EXPECT_FALSE(lab::parse_qmp_step("qmpx a"));
    const auto plain = lab::parse_qmp_step("qmp query-pcc");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->command, "query-pcc");
    EXPECT_FALSE(plain->arguments);
    const auto args = lab::parse_qmp_step(
        "  qmp pcc-inject-fault { \"index\": 4, \"fault\": \"no-completion\", \"persistent\": true "
        "} ");
    ASSERT_TRUE(args);
    EXPECT_EQ(args->command, "pcc-inject-fault");
    EXPECT_EQ(*args->arguments,
              parse(R"({"index": 4, "fault": "no-completion", "persistent": true})"));
    EXPECT_THROW(lab::parse_qmp_step("qmp"), std::invalid_argument);
    EXPECT_THROW(lab::parse_qmp_step("qmp {\"index\": 0}"), std::invalid_argument);
    EXPECT_THROW(lab::parse_qmp_step("qmp pcc-notify [1]"), std::invalid_argument);
    EXPECT_THROW(lab::parse_qmp_step("qmp pcc-notify {\"index\": }"), std::invalid_argument);
}

TEST(QmpStep, VerdictsOfTheExpectation) {
    const lab::QmpReply ret{
        1, true, parse(R"([{"index": 4, "counters": {"faults-fired": 1}}])"), "", {}};
    const lab::QmpReply err{2, false, {}, "GenericError: PCC subspace 7 does not exist", {}};
    EXPECT_EQ(lab::qmp_verdict(ret, std::nullopt), "");
    EXPECT_EQ(lab::qmp_verdict(err, std::nullopt),
              "failed: GenericError: PCC subspace 7 does not exist");
    const auto fired =
        lab::parse_qmp_expectation(R"([{"index": 4, "counters": {"faults-fired": 1}}])");
    EXPECT_EQ(lab::qmp_verdict(ret, fired), "");
    EXPECT_NE(lab::qmp_verdict(ret, lab::parse_qmp_expectation(R"([{"index": 5}])"))
                  .find("does not contain [{\"index\": 5}]"),
              std::string::npos);
    EXPECT_NE(lab::qmp_verdict(err, fired).find("failed: GenericError"), std::string::npos);
    const auto any_error = lab::parse_qmp_expectation("error");
    EXPECT_TRUE(any_error.error);
    EXPECT_EQ(lab::qmp_verdict(err, any_error), "");
    EXPECT_EQ(lab::qmp_verdict(err, lab::parse_qmp_expectation("error  does not\texist")), "");
    EXPECT_EQ(lab::qmp_verdict(err, lab::parse_qmp_expectation("error GenericError: PCC")), "");
    EXPECT_NE(lab::qmp_verdict(err, lab::parse_qmp_expectation("error does not fit")), "");
    EXPECT_NE(lab::qmp_verdict(ret, any_error).find("expected an error"), std::string::npos);
    EXPECT_THROW(lab::parse_qmp_expectation("ok 150"), std::invalid_argument);
}

TEST(QmpStep, InAScenarioAndOnQemusCommandLine) {
    const auto sc = lab::parse_scenario(
        "guest = g\non inject = qmp pcc-inject-fault {\"index\": 0, \"fault\": \"spurious-irq\"}\n"
        "on fired = qmp query-pcc => [{\"index\": 0, \"counters\": {\"faults-fired\": 1}}]\n",
        "q.conf");
    ASSERT_EQ(sc.on.size(), 2u);
    EXPECT_EQ(sc.on[1].command, "qmp query-pcc");
    EXPECT_EQ(sc.on[1].expected, "[{\"index\": 0, \"counters\": {\"faults-fired\": 1}}]");
    pcc::TempDir run("lab-unit");
    const lab::Places places{run.path(), true, "", "/here"};
    lab::Artefacts a;
    const auto argv = lab::qemu_command(a, sc, "initrd.cpio", places);
    const auto at = std::find(argv.begin(), argv.end(), "-qmp");
    ASSERT_NE(at, argv.end());
    ASSERT_NE(at + 1, argv.end());
    EXPECT_EQ(*(at + 1), "unix:" + run.path() + "/qmp.sock,server=on,wait=off");
    // the same path as @socket:qmp
    EXPECT_EQ(lab::expand("@socket:qmp", places), run.path() + "/qmp.sock");
    const auto none = lab::parse_scenario("guest = g\non set = @pccd set x 1\n", "n.conf");
    const auto plain = lab::qemu_command(a, none, "initrd.cpio", places);
    EXPECT_EQ(std::find(plain.begin(), plain.end(), "-qmp"), plain.end());
}

// QEMU's side of a QMP connection: the test writes its messages and reads
// the client's.
class FakeQemu {
  public:
    FakeQemu() {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
            throw std::runtime_error("socketpair");
        }
        ours_.reset(sv[0]);
        theirs_.reset(sv[1]);
    }
    pcc::UniqueFd client_end() { return std::move(theirs_); }
    void say(const std::string& line) { say_raw(line + "\r\n"); }  // QEMU ends them so
    void say_raw(const std::string& bytes) {
        ASSERT_EQ(::write(ours_.get(), bytes.data(), bytes.size()),
                  static_cast<ssize_t>(bytes.size()));
    }
    // The client's messages so far (it has written them before returning).
    std::vector<lab::json::Value> heard() {
        std::vector<lab::json::Value> out;
        char buf[4096];
        for (;;) {
            const ssize_t n = ::recv(ours_.get(), buf, sizeof(buf), MSG_DONTWAIT);
            if (n <= 0) {
                break;
            }
            in_.append(buf, static_cast<std::size_t>(n));
        }
        for (std::size_t nl; (nl = in_.find('\n')) != std::string::npos;) {
            out.push_back(parse(in_.substr(0, nl)));
            in_.erase(0, nl + 1);
        }
        return out;
    }
    void hang_up() { ours_.reset(); }

  private:
    pcc::UniqueFd ours_, theirs_;
    std::string in_;
};

constexpr const char* kGreeting =
    R"({"QMP": {"version": {"qemu": {"micro": 13, "minor": 0, "major": 10}, "package": ""}, "capabilities": ["oob"]}})";

TEST(QmpClient, NegotiatesThenSendsAndSkipsEvents) {
    pcc::TempDir dir("lab-unit");
    FakeQemu qemu;
    lab::QmpClient client(qemu.client_end(), dir.path() + "/qmp.log");
    // a command before the greeting waits for the negotiation
    const auto id = client.send("query-pcc", std::nullopt);
    EXPECT_TRUE(client.waiting());
    EXPECT_TRUE(client.read_available().empty());
    EXPECT_TRUE(qemu.heard().empty());
    qemu.say(kGreeting);
    EXPECT_TRUE(client.read_available().empty());
    auto heard = qemu.heard();
    ASSERT_EQ(heard.size(), 1u);  // capabilities only: the command waits for its return
    EXPECT_TRUE(lab::json::contains(heard[0], parse(R"({"execute": "qmp_capabilities"})")));
    EXPECT_EQ(heard[0].find("arguments"), nullptr);
    qemu.say(R"({"return": {}, "id": 0})");
    EXPECT_TRUE(client.read_available().empty());
    heard = qemu.heard();
    ASSERT_EQ(heard.size(), 1u);
    EXPECT_TRUE(lab::json::contains(heard[0], parse(R"({"execute": "query-pcc"})")));
    EXPECT_EQ(heard[0].find("arguments"), nullptr);
    ASSERT_NE(heard[0].find("id"), nullptr);
    const std::string echoed = lab::json::dump(*heard[0].find("id"));
    // an event first, and the reply split across two writes
    qemu.say(R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "PCC_FAULT_FIRED", )"
             R"("data": {"index": 0, "fault": "spurious-irq"}})");
    const std::string reply = R"({"return": [{"index": 0}], "id": )" + echoed + "}";
    qemu.say_raw(reply.substr(0, 10));  // no line end yet
    auto replies = client.read_available();
    EXPECT_TRUE(replies.empty());
    qemu.say(reply.substr(10));
    replies = client.read_available();
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].id, id);
    EXPECT_TRUE(replies[0].ok);
    EXPECT_EQ(replies[0].value, parse(R"([{"index": 0}])"));
    EXPECT_EQ(replies[0].events, (std::vector<std::string>{"PCC_FAULT_FIRED"}));
    EXPECT_FALSE(client.waiting());

    // once negotiated, a command goes out at once, with its arguments
    const auto id2 =
        client.send("pcc-inject-fault", parse(R"({"index": 7, "fault": "stuck-irq"})"));
    heard = qemu.heard();
    ASSERT_EQ(heard.size(), 1u);
    EXPECT_EQ(*heard[0].find("arguments"), parse(R"({"index": 7, "fault": "stuck-irq"})"));
    qemu.say(
        R"({"error": {"class": "GenericError", "desc": "PCC subspace 7 does not exist"}, "id": )" +
        lab::json::dump(*heard[0].find("id")) + "}");
    replies = client.read_available();
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].id, id2);
    EXPECT_FALSE(replies[0].ok);
    EXPECT_EQ(replies[0].error, "GenericError: PCC subspace 7 does not exist");

    // QEMU goes away: what waits fails, and so does what comes later
    client.send("query-pcc", std::nullopt);
    qemu.hang_up();
    replies = client.read_available();
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].error, "QEMU closed the QMP connection");
    client.send("query-pcc", std::nullopt);
    replies = client.read_available();
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_FALSE(replies[0].ok);
}

TEST(QmpClient, ABadPeerFailsTheCommandsWithWhy) {
    pcc::TempDir dir("lab-unit");
    {
        FakeQemu qemu;
        lab::QmpClient client(qemu.client_end(), dir.path() + "/qmp.log");
        client.send("query-pcc", std::nullopt);
        qemu.say(R"({"hello": 1})");
        const auto replies = client.read_available();
        ASSERT_EQ(replies.size(), 1u);
        EXPECT_NE(replies[0].error.find("QMP greeting expected"), std::string::npos);
    }
    {
        FakeQemu qemu;
        lab::QmpClient client(qemu.client_end(), dir.path() + "/qmp.log");
        client.send("query-pcc", std::nullopt);
        qemu.say(kGreeting);
        qemu.say(R"({"error": {"class": "CommandNotFound", "desc": "nope"}, "id": 0})");
        const auto replies = client.read_available();
        ASSERT_EQ(replies.size(), 1u);
        EXPECT_EQ(replies[0].error, "qmp_capabilities failed: CommandNotFound: nope");
    }
    {
        FakeQemu qemu;
        lab::QmpClient client(qemu.client_end(), dir.path() + "/qmp.log");
        client.send("query-pcc", std::nullopt);
        qemu.say("not json");
        const auto replies = client.read_available();
        ASSERT_EQ(replies.size(), 1u);
        EXPECT_NE(replies[0].error.find("QEMU sent no JSON"), std::string::npos);
    }
    EXPECT_THROW(lab::QmpClient::connect(dir.path() + "/absent.sock", dir.path() + "/qmp.log"),
                 std::runtime_error);
}

}  // namespace
