// SPDX-License-Identifier: GPL-2.0-or-later
// The pccd daemon: event loop, engine, responder, transports, rules file and
// timed rules, the control socket (control.hpp parses its lines), signals.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "control.hpp"
#include "engine.hpp"
#include "event_loop.hpp"
#include "responder.hpp"
#include "spool_transport.hpp"
#include "transport.hpp"
#include "unix_socket.hpp"

namespace pccd {

struct DaemonOptions {
    std::vector<std::string> spools;
    std::vector<std::string> sockets;
    std::string control_path;
    std::string rules_path;
    std::string pcap_path;
    PlatformState state;
    std::vector<std::pair<unsigned, std::string>> binds;  // --bind: personality overrides
    std::vector<std::pair<std::string, std::string>> settings;
    bool once = false;  // spool backlog only, then exit
    std::size_t queue_limit = 64;
};

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

class Daemon {
  public:
    explicit Daemon(DaemonOptions options);
    ~Daemon();
    // Sets everything up and runs until SIGTERM/SIGINT (or, with --once, the
    // backlog is handled). Returns the exit code.
    int run();

    // A control socket command line; the answer starts with "ok" or "error".
    std::string control_command(std::string_view line);
    ControlReply execute(const ControlCommand& command);
    // Sends an unsolicited message to the transports serving `channel` (all
    // of them if none has seen it yet).
    ControlReply inject(unsigned channel, Layout layout, Bytes message);
    // Re-reads the rules file; with a `path`, reads that one and keeps it as
    // the rules file. A file that does not load leaves rules and file as
    // they were.
    bool reload_rules(const std::string& path = {});

    Engine& engine() { return engine_; }
    Responder& responder() { return responder_; }
    EventLoop& loop() { return loop_; }

  private:
    Result<bool> setup();
    void start_timed_rules();
    void stop_timed_rules();
    void schedule_timed_rule(std::size_t index, std::uint32_t delay_ms);
    void on_signal();
    void accept_control();
    void control_readable(int fd);

    DaemonOptions options_;
    EventLoop loop_;  // first: outlives everything that registers with it
    Engine engine_;
    Responder responder_;  // before the transports, which cancel their delayed answers
    std::vector<std::unique_ptr<Transport>> transports_;
    std::vector<SpoolTransport*> spools_;
    std::map<std::size_t, EventLoop::TimerId> timed_;  // timed rule index -> timer
    pcc::UniqueFd signal_fd_;
    UnixListener control_;
    std::map<int, std::pair<pcc::UniqueFd, std::string>> control_clients_;
};

}  // namespace pccd
