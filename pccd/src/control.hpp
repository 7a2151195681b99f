// SPDX-License-Identifier: GPL-2.0-or-later
// The control protocol (`--control PATH`, docs/pccd.md "Control socket"):
// one line per connection, one reply line starting with "ok" or "error".
// Parsed into a typed command here; the daemon executes it and main.cpp's
// client commands build their lines with format_control_line.
//
//   send CHANNEL ext|gen wrap|raw [dest=EID] HEX...
//   set KEY VALUE
//   get KEY
//   stats
//   reload [FILE]
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "bytes.hpp"
#include "pcc_message.hpp"
#include "result.hpp"

namespace pccd {

constexpr std::size_t kMaxControlLine = 256 * 1024;

struct SendCommand {
    unsigned channel = 0;
    Layout layout = Layout::extended;
    bool raw = false;                         // the bytes are the whole message
    std::optional<std::uint8_t> destination;  // dest=EID
    Bytes bytes;

    bool operator==(const SendCommand&) const = default;
};
struct SetCommand {
    std::string key;
    std::string value;

    bool operator==(const SetCommand&) const = default;
};
struct GetCommand {
    std::string key;

    bool operator==(const GetCommand&) const = default;
};
struct StatsCommand {
    bool operator==(const StatsCommand&) const = default;
};
struct ReloadCommand {
    // reload FILE: read the rules from FILE, from now on (SIGHUP too); an
    // empty path re-reads the current rules file
    std::string path;

    bool operator==(const ReloadCommand&) const = default;
};

using ControlCommand =
    std::variant<SendCommand, SetCommand, GetCommand, StatsCommand, ReloadCommand>;

// The error text (without "error ") names what is wrong: "bad channel",
// "unknown command (send, set, get, stats, reload)", ...
Result<ControlCommand> parse_control_line(std::string_view line);
// The line (without newline); fails for what cannot be sent as one line (a
// key or value with blanks, no bytes to send).
Result<std::string> format_control_line(const ControlCommand& command);

struct ControlReply {
    bool ok = false;
    std::string text;  // after "ok " / "error "

    static ControlReply success(std::string text = {}) { return {true, std::move(text)}; }
    static ControlReply failure(std::string text) { return {false, std::move(text)}; }
};
std::string format_control_reply(const ControlReply& reply);  // "ok", "ok TEXT", "error TEXT"
std::optional<ControlReply> parse_control_reply(std::string_view line);

}  // namespace pccd
