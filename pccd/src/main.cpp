// SPDX-License-Identifier: GPL-2.0-or-later
// pccd command line: the daemon, and the client commands that talk to a
// running daemon's control socket (or write into a spool directly).
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "daemon.hpp"
#include "log.hpp"
#include "spool_transport.hpp"
#include "unix_socket.hpp"

namespace {

using namespace pccd;

constexpr const char* kVersion = "0.1.0";

constexpr const char* kUsage = R"(Usage:
  pccd [OPTIONS]                       run the platform daemon
  pccd send (--control PATH | --spool DIR) --channel N [--layout ext|gen]
            [--raw] [--dest EID] [--eid EID] HEXBYTES...
                                       send an unsolicited message to the guest
  pccd set --control PATH KEY VALUE    change a setting of a running daemon
  pccd get --control PATH KEY          read a setting
  pccd stats --control PATH            print the daemon's counters
  pccd reload --control PATH           re-read the rules file (like SIGHUP)

Daemon options:
  --spool DIR          serve a spool directory (repeatable)
  --socket PATH        listen for QEMU on a unix socket (repeatable)
  --control PATH       listen for pccd send/set/get/stats/reload
  --rules FILE         rules file, re-read on SIGHUP (docs/pccd.md)
  --pcap FILE          write MCTP packets as pcapng (LINKTYPE_LINUX_SLL2)
  --eid N              MCTP endpoint ID (default 8)
  --uuid UUID          Get Endpoint UUID answer (default 70636364-0000-4000-8000-000000000000)
  --tid N              PLDM terminus ID (default 1)
  --vendor pci:VVVV:SSSS | iana:NNNNNNNN:SSSS
                       a Get Vendor Defined Message Support entry (repeatable)
  --bind CHANNEL=NAME  route generic-layout messages of CHANNEL to personality NAME
  --set KEY=VALUE      initial setting (repeatable; also `set` in the rules file)
  --queue-limit N      per-channel socket queue while QEMU is away (default 64)
  --once               handle the spool backlog (and its delays), then exit
  -v, --verbose        debug log;  -q, --quiet: warnings and errors only
  -h, --help           this text;  --version

send: without --raw, HEXBYTES for an extended channel are an MCTP message
(from its type byte) that pccd wraps in MCTP and PCC headers (src = the
daemon's EID, or --eid with --spool; dest = --dest, else the channel's last
requester, else 0); for a generic channel they are the communication space.
With --raw they are the whole PCC message.

Exit status: 0 success, 1 runtime or setup error, 2 usage error.
)";

struct UsageError {
    std::string text;
};

[[noreturn]] void usage_error(const std::string& text) {
    throw UsageError{text};
}

class Args {
  public:
    Args(int argc, char** argv, int first) {
        for (int i = first; i < argc; ++i) {
            args_.emplace_back(argv[i]);
        }
    }
    bool done() const { return pos_ >= args_.size(); }
    std::string_view peek() const { return args_[pos_]; }
    std::string next() { return args_[pos_++]; }
    std::string value(std::string_view option) {
        if (done()) {
            usage_error(std::string(option) + " needs a value");
        }
        return next();
    }

  private:
    std::vector<std::string> args_;
    std::size_t pos_ = 0;
};

std::uint64_t number(std::string_view option, std::string_view text, std::uint64_t max) {
    auto v = parse_uint(text, max);
    if (!v) {
        usage_error(std::string(option) + ": bad number '" + std::string(text) + "' (0 to " +
                    std::to_string(max) + ")");
    }
    return *v;
}

std::array<std::uint8_t, 16> parse_uuid(std::string_view text) {
    std::string hex;
    for (char c : text) {
        if (c != '-') {
            hex.push_back(c);
        }
    }
    auto bytes = parse_hex(hex);
    if (!bytes || bytes->size() != 16) {
        usage_error("--uuid: want 32 hex digits (dashes allowed)");
    }
    std::array<std::uint8_t, 16> uuid{};
    std::copy(bytes->begin(), bytes->end(), uuid.begin());
    return uuid;
}

VendorMessageSet parse_vendor(std::string_view text) {
    // pci:VVVV:SSSS or iana:NNNNNNNN:SSSS (hex)
    const auto first = text.find(':');
    const auto second = text.rfind(':');
    if (first == std::string_view::npos || second == first) {
        usage_error("--vendor: want pci:VVVV:SSSS or iana:NNNNNNNN:SSSS");
    }
    VendorMessageSet set;
    const auto kind = text.substr(0, first);
    if (kind != "pci" && kind != "iana") {
        usage_error("--vendor: format must be pci or iana");
    }
    set.iana = kind == "iana";
    set.vendor = static_cast<std::uint32_t>(
        number("--vendor", "0x" + std::string(text.substr(first + 1, second - first - 1)),
               set.iana ? 0xffffffffULL : 0xffffULL));
    set.command_set = static_cast<std::uint16_t>(
        number("--vendor", "0x" + std::string(text.substr(second + 1)), 0xffff));
    return set;
}

int run_daemon(Args& args) {
    DaemonOptions options;
    options.state.uuid = parse_uuid("70636364-0000-4000-8000-000000000000");
    while (!args.done()) {
        const std::string arg = args.next();
        if (arg == "--spool") {
            options.spools.push_back(args.value(arg));
        } else if (arg == "--socket") {
            options.sockets.push_back(args.value(arg));
        } else if (arg == "--control") {
            options.control_path = args.value(arg);
        } else if (arg == "--rules") {
            options.rules_path = args.value(arg);
        } else if (arg == "--pcap") {
            options.pcap_path = args.value(arg);
        } else if (arg == "--eid") {
            const auto eid = number(arg, args.value(arg), 0xfe);
            if (eid == 0) {
                usage_error("--eid: 0 is the null EID");
            }
            options.state.eid = options.state.static_eid = static_cast<std::uint8_t>(eid);
        } else if (arg == "--uuid") {
            options.state.uuid = parse_uuid(args.value(arg));
        } else if (arg == "--tid") {
            options.state.tid = static_cast<std::uint8_t>(number(arg, args.value(arg), 0xfe));
        } else if (arg == "--vendor") {
            options.state.vendor_sets.push_back(parse_vendor(args.value(arg)));
        } else if (arg == "--bind") {
            const std::string v = args.value(arg);
            const auto eq = v.find('=');
            if (eq == std::string::npos) {
                usage_error("--bind: want CHANNEL=NAME");
            }
            options.binds.emplace_back(
                static_cast<unsigned>(number(arg, v.substr(0, eq), kMaxChannel)), v.substr(eq + 1));
        } else if (arg == "--set") {
            const std::string v = args.value(arg);
            const auto eq = v.find('=');
            if (eq == std::string::npos || eq == 0) {
                usage_error("--set: want KEY=VALUE");
            }
            options.settings.emplace_back(v.substr(0, eq), v.substr(eq + 1));
        } else if (arg == "--queue-limit") {
            options.queue_limit = number(arg, args.value(arg), 1 << 20);
        } else if (arg == "--once") {
            options.once = true;
        } else if (arg == "-v" || arg == "--verbose") {
            set_log_level(LogLevel::debug);
        } else if (arg == "-q" || arg == "--quiet") {
            set_log_level(LogLevel::warn);
        } else {
            usage_error("unknown option '" + arg + "'");
        }
    }
    if (options.spools.empty() && options.sockets.empty()) {
        usage_error("give at least one --spool DIR or --socket PATH");
    }
    if (options.once && !options.sockets.empty()) {
        usage_error("--once works with --spool only");
    }
    Daemon daemon(std::move(options));
    return daemon.run();
}

// Sends one line to the control socket and prints the answer.
int control_request(const std::string& path, const std::string& line) {
    auto fd = connect_unix(path);
    if (!fd) {
        std::fprintf(stderr, "pccd: %s\n", fd.error().c_str());
        return kExitFailure;
    }
    const std::string text = line + "\n";
    if (::write(fd->get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        std::fprintf(stderr, "pccd: %s: write failed\n", path.c_str());
        return kExitFailure;
    }
    std::string reply;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd->get(), buf, sizeof buf)) > 0) {
        reply.append(buf, static_cast<std::size_t>(n));
    }
    std::fputs(reply.c_str(), stdout);
    return reply.rfind("ok", 0) == 0 ? kExitOk : kExitFailure;
}

int run_client(const std::string& verb, Args& args) {
    std::string control;
    std::string spool;
    std::optional<unsigned> channel;
    Layout layout = Layout::extended;
    bool raw = false;
    std::optional<std::uint8_t> dest;
    std::uint8_t eid = 8;
    std::vector<std::string> rest;
    while (!args.done()) {
        const std::string arg = args.next();
        if (arg == "--control") {
            control = args.value(arg);
        } else if (arg == "--spool" && verb == "send") {
            spool = args.value(arg);
        } else if (arg == "--channel" && verb == "send") {
            channel = static_cast<unsigned>(number(arg, args.value(arg), kMaxChannel));
        } else if (arg == "--layout" && verb == "send") {
            const std::string v = args.value(arg);
            if (v != "ext" && v != "gen") {
                usage_error("--layout: ext or gen");
            }
            layout = v == "ext" ? Layout::extended : Layout::generic;
        } else if (arg == "--raw" && verb == "send") {
            raw = true;
        } else if (arg == "--dest" && verb == "send") {
            dest = static_cast<std::uint8_t>(number(arg, args.value(arg), 0xff));
        } else if (arg == "--eid" && verb == "send") {
            eid = static_cast<std::uint8_t>(number(arg, args.value(arg), 0xfe));
        } else if (arg.size() > 1 && arg[0] == '-' && arg[1] == '-') {
            usage_error("pccd " + verb + ": unknown option '" + arg + "'");
        } else {
            rest.push_back(arg);
        }
    }
    if (verb != "send") {
        if (control.empty()) {
            usage_error("pccd " + verb + " needs --control PATH");
        }
        std::string line = verb;
        const std::size_t want = verb == "set" ? 2 : verb == "get" ? 1 : 0;
        if (rest.size() != want) {
            usage_error("pccd " + verb + " takes " + std::to_string(want) + " arguments");
        }
        for (const auto& r : rest) {
            line += " " + r;
        }
        return control_request(control, line);
    }
    if (control.empty() == spool.empty()) {
        usage_error("pccd send needs exactly one of --control PATH and --spool DIR");
    }
    if (!channel) {
        usage_error("pccd send needs --channel N");
    }
    Bytes bytes;
    std::string hex;
    for (const auto& r : rest) {
        auto part = parse_hex(r);
        if (!part) {
            usage_error("pccd send: bad hex '" + r + "'");
        }
        append(bytes, *part);
        hex += " " + r;
    }
    if (bytes.empty()) {
        usage_error("pccd send needs HEXBYTES");
    }
    if (!control.empty()) {
        std::string line = "send " + std::to_string(*channel) + " " + layout_name(layout) +
                           (raw ? " raw" : " wrap");
        if (dest) {
            line += " dest=" + std::to_string(*dest);
        }
        return control_request(control, line + hex);
    }
    PlatformState state;
    state.eid = eid;
    Engine engine(state);
    const Bytes message = engine.make_notification(*channel, layout, bytes, raw, dest);
    auto file = write_spool_notification(spool, *channel, layout, message);
    if (!file) {
        std::fprintf(stderr, "pccd: %s\n", file.error().c_str());
        return kExitFailure;
    }
    std::printf("ok %s/inbox/%s\n", spool.c_str(), file->c_str());
    return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc >= 2) {
            const std::string_view first = argv[1];
            if (first == "-h" || first == "--help") {
                std::fputs(kUsage, stdout);
                return kExitOk;
            }
            if (first == "--version") {
                std::printf("pccd %s\n", kVersion);
                return kExitOk;
            }
            if (first == "send" || first == "set" || first == "get" || first == "stats" ||
                first == "reload") {
                Args args(argc, argv, 2);
                return run_client(std::string(first), args);
            }
        }
        Args args(argc, argv, 1);
        return run_daemon(args);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "pccd: %s\n(pccd --help for usage)\n", e.text.c_str());
        return kExitUsage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pccd: %s\n", e.what());
        return kExitFailure;
    }
}
