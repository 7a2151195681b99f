// SPDX-License-Identifier: GPL-2.0-or-later
// A QMP client for host steps (`on NAME = qmp COMMAND [ARGUMENTS] [=>
// EXPECTED]`, docs/lab.md): one connection per run to QEMU's
// `-qmp unix:RUN/qmp.sock,server=on,wait=off`, the greeting and the
// qmp_capabilities handshake, then commands with an id each; events that
// arrive meanwhile are logged and skipped. Non-blocking: the runner polls
// fd() with the console and calls read_available().
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json.hpp"
#include "unique_fd.hpp"

namespace lab {

// What QEMU answered to one command.
struct QmpReply {
    std::uint64_t id = 0;
    bool ok = false;
    json::Value value;                // "return" when ok
    std::string error;                // "CLASS: desc" when not ok
    std::vector<std::string> events;  // names of the events that arrived while it waited
};

class QmpClient {
  public:
    // Talks QMP over `fd`, a connected stream socket; every message in and
    // out goes to `log_path` (appended) with "-> "/"<- ".
    QmpClient(pcc::UniqueFd fd, const std::string& log_path);
    // Connects to QEMU's QMP socket. Throws std::runtime_error with errno's
    // words.
    static QmpClient connect(const std::string& socket_path, const std::string& log_path);

    // Queues `command` with `arguments` (an object, or none); sent once the
    // handshake is done. Returns the id its reply will carry.
    std::uint64_t send(std::string_view command, const std::optional<json::Value>& arguments);
    // Reads what QEMU has sent (never blocks) and returns the replies that
    // arrived. When the connection breaks or the handshake fails, every
    // command waiting gets a failed reply saying why, and so does every
    // later one.
    std::vector<QmpReply> read_available();

    int fd() const { return fd_.get(); }
    bool waiting() const { return !pending_.empty(); }

  private:
    void on_message(std::string_view line, std::vector<QmpReply>& out);
    void write_message(const std::string& text);
    void flush_queue();
    void fail_all(const std::string& why, std::vector<QmpReply>& out);

    struct Pending {
        std::uint64_t id;
        std::string text;  // the message to send
        bool sent = false;
        std::vector<std::string> events;
    };

    pcc::UniqueFd fd_;
    std::ofstream log_;
    std::string in_;
    enum class State { greeting, capabilities, ready, broken } state_ = State::greeting;
    std::string broken_why_;
    std::uint64_t next_id_ = 1;
    std::vector<Pending> pending_;
};

// QEMU's QMP socket of a run (`@socket:qmp`), given to QEMU when the
// scenario has a QMP host step.
std::string qmp_socket_path(const std::string& run_dir);
// Whether an `on` command is a QMP step: its first word is `qmp`.
bool is_qmp_command(std::string_view command);

// The command of a QMP host step: "qmp COMMAND [ARGUMENTS]".
struct QmpStep {
    std::string command;
    std::optional<json::Value> arguments;  // a JSON object
};
// nullopt when `text` (an `on` command, placeholders expanded) is no QMP
// step (its first word is not `qmp`). Throws std::invalid_argument when it
// is one but malformed: no command, arguments that are no JSON object.
std::optional<QmpStep> parse_qmp_step(std::string_view text);

// What a QMP host step's `=> EXPECTED` asks for: `error [WORDS]` (the
// command fails, its "CLASS: desc" holding WORDS), or a JSON value that the
// return must contain (json::contains).
struct QmpExpectation {
    bool error = false;
    std::string error_words;
    json::Value value;
};
// Throws std::invalid_argument for an EXPECTED that is neither.
QmpExpectation parse_qmp_expectation(std::string_view expected);
// "" when `reply` meets `expected` (nullopt: the command must succeed),
// else why not.
std::string qmp_verdict(const QmpReply& reply, const std::optional<QmpExpectation>& expected);

}  // namespace lab
