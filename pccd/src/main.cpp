// SPDX-License-Identifier: GPL-2.0-or-later
// pccd command line (CLI11): the daemon, and the client commands that talk to
// a running daemon's control socket (or write into a spool directly).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "control.hpp"
#include "daemon.hpp"
#include "log.hpp"
#include "spool_files.hpp"
#include "unix_socket.hpp"

#ifndef PCCD_VERSION
#error "PCCD_VERSION comes from meson (the project version)"
#endif

namespace {

using namespace pccd;

constexpr const char* kDefaultUuid = "70636364-0000-4000-8000-000000000000";

struct UsageError {
    std::string text;
};

[[noreturn]] void usage_error(const std::string& text) {
    throw UsageError{text};
}

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

// KEY=VALUE (--set) or CHANNEL=NAME (--bind).
std::pair<std::string, std::string> split_pair(std::string_view option, const std::string& text,
                                               const char* want) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
        usage_error(std::string(option) + ": want " + want);
    }
    return {text.substr(0, eq), text.substr(eq + 1)};
}

Layout parse_layout(const std::string& text) {
    if (text != "ext" && text != "gen") {
        usage_error("--layout: ext or gen");
    }
    return text == "ext" ? Layout::extended : Layout::generic;
}

// What CLI11 collects; checked and converted by the run_* functions.
struct DaemonArgs {
    std::vector<std::string> spools, sockets, vendors, binds, sets;
    std::string control, rules, pcap, eid, uuid = kDefaultUuid, tid, queue_limit;
    bool once = false, verbose = false, quiet = false;
};

struct ClientArgs {
    std::string control, spool, channel, layout = "ext", dest, eid = "8", rules;
    bool raw = false;
    std::vector<std::string> words;  // send: HEXBYTES; set: KEY VALUE; get: KEY
};

void add_daemon_options(CLI::App& app, DaemonArgs& a) {
    const std::string transports = "Transports (at least one)";
    const std::string platform = "Platform";
    const std::string identity = "MCTP and PLDM identity";
    const std::string misc = "Other";
    app.add_option("--spool", a.spools, "serve a spool directory (repeatable)")
        ->type_name("DIR")
        ->allow_extra_args(false)
        ->group(transports);
    app.add_option("--socket", a.sockets,
                   "listen for QEMU's chardevs on a unix socket (repeatable)")
        ->type_name("PATH")
        ->allow_extra_args(false)
        ->group(transports);
    app.add_option("--control", a.control, "control socket for pccd send/set/get/stats/reload")
        ->type_name("PATH")
        ->group(platform);
    app.add_option("--rules", a.rules, "rules file, read at start-up and on SIGHUP")
        ->type_name("FILE")
        ->group(platform);
    app.add_option("--pcap", a.pcap, "write the MCTP packets of both directions as pcapng")
        ->type_name("FILE")
        ->group(platform);
    app.add_option("--bind", a.binds,
                   "serve CHANNEL with personality NAME, whatever QEMU's device description "
                   "says (repeatable)")
        ->type_name("CHANNEL=NAME")
        ->allow_extra_args(false)
        ->group(platform);
    app.add_option("--set", a.sets, "an initial setting (repeatable; like `set` in a rules file)")
        ->type_name("KEY=VALUE")
        ->allow_extra_args(false)
        ->group(platform);
    app.add_option("--eid", a.eid, "MCTP endpoint ID, also the static EID (default 8)")
        ->type_name("N")
        ->group(identity);
    app.add_option("--uuid", a.uuid,
                   "Get Endpoint UUID answer (default " + std::string(kDefaultUuid) + ")")
        ->type_name("UUID")
        ->group(identity);
    app.add_option("--tid", a.tid, "PLDM terminus ID (default 1)")->type_name("N")->group(identity);
    app.add_option("--vendor", a.vendors,
                   "a Get Vendor Defined Message Support entry: pci:VVVV:SSSS or "
                   "iana:NNNNNNNN:SSSS, hex (repeatable)")
        ->type_name("SPEC")
        ->allow_extra_args(false)
        ->group(identity);
    app.add_option("--queue-limit", a.queue_limit,
                   "per-channel socket queue while QEMU is away (default 64)")
        ->type_name("N")
        ->group(misc);
    app.add_flag("--once", a.once, "spool only: handle the backlog (and its delays), then exit")
        ->group(misc);
    app.add_flag("-v,--verbose", a.verbose, "debug log")->group(misc);
    app.add_flag("-q,--quiet", a.quiet, "warnings and errors only")->group(misc);
}

int run_daemon(const DaemonArgs& a) {
    DaemonOptions options;
    options.spools = a.spools;
    options.sockets = a.sockets;
    options.control_path = a.control;
    options.rules_path = a.rules;
    options.pcap_path = a.pcap;
    options.state.uuid = parse_uuid(a.uuid);
    if (!a.eid.empty()) {
        const auto eid = number("--eid", a.eid, 0xfe);
        if (eid == 0) {
            usage_error("--eid: 0 is the null EID");
        }
        options.state.eid = options.state.static_eid = static_cast<std::uint8_t>(eid);
    }
    if (!a.tid.empty()) {
        options.state.tid = static_cast<std::uint8_t>(number("--tid", a.tid, 0xfe));
    }
    for (const std::string& v : a.vendors) {
        options.state.vendor_sets.push_back(parse_vendor(v));
    }
    for (const std::string& b : a.binds) {
        auto [channel, name] = split_pair("--bind", b, "CHANNEL=NAME");
        options.binds.emplace_back(static_cast<unsigned>(number("--bind", channel, kMaxChannel)),
                                   name);
    }
    for (const std::string& s : a.sets) {
        options.settings.push_back(split_pair("--set", s, "KEY=VALUE"));
    }
    if (!a.queue_limit.empty()) {
        options.queue_limit = number("--queue-limit", a.queue_limit, 1 << 20);
    }
    options.once = a.once;
    if (a.verbose) {
        set_log_level(LogLevel::debug);
    } else if (a.quiet) {
        set_log_level(LogLevel::warn);
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
int control_request(const std::string& path, const ControlCommand& command) {
    auto line = format_control_line(command);
    if (!line) {
        usage_error(line.error());
    }
    auto fd = connect_unix(path);
    if (!fd) {
        std::fprintf(stderr, "pccd: %s\n", fd.error().c_str());
        return kExitFailure;
    }
    const std::string text = *line + "\n";
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
    const auto parsed = parse_control_reply(reply);
    return parsed && parsed->ok ? kExitOk : kExitFailure;
}

int send_to_spool(const ClientArgs& a, const SendCommand& send) {
    set_log_level(LogLevel::warn);
    PlatformState state;
    state.eid = state.static_eid = static_cast<std::uint8_t>(number("--eid", a.eid, 0xfe));
    Engine engine(state);
    // The spool's device description says where the notification goes.
    auto device = read_spool_device(a.spool);
    if (!device) {
        std::fprintf(stderr, "pccd: %s\n", device.error().c_str());
        return kExitFailure;
    }
    if (*device) {
        engine.bindings().load_description(**device, "spool:" + a.spool + "/device");
    }
    auto message =
        engine.make_notification(send.channel, send.layout, send.bytes, send.raw, send.destination);
    if (!message) {
        std::fprintf(stderr, "pccd: %s\n", message.error().c_str());
        return kExitFailure;
    }
    auto file = write_spool_notification(a.spool, send.channel, send.layout, *message);
    if (!file) {
        std::fprintf(stderr, "pccd: %s\n", file.error().c_str());
        return kExitFailure;
    }
    std::printf("ok %s/inbox/%s\n", a.spool.c_str(), file->c_str());
    return kExitOk;
}

int run_client(const std::string& verb, const ClientArgs& a) {
    if (verb == "send") {
        if (a.control.empty() == a.spool.empty()) {
            usage_error("pccd send needs exactly one of --control PATH and --spool DIR");
        }
        if (a.channel.empty()) {
            usage_error("pccd send needs --channel N");
        }
        SendCommand send;
        send.channel = static_cast<unsigned>(number("--channel", a.channel, kMaxChannel));
        send.layout = parse_layout(a.layout);
        send.raw = a.raw;
        if (!a.dest.empty()) {
            send.destination = static_cast<std::uint8_t>(number("--dest", a.dest, 0xff));
        }
        for (const std::string& w : a.words) {
            auto part = parse_hex(w);
            if (!part) {
                usage_error("pccd send: bad hex '" + w + "'");
            }
            append(send.bytes, *part);
        }
        if (send.bytes.empty()) {
            usage_error("pccd send needs HEXBYTES");
        }
        return a.spool.empty() ? control_request(a.control, send) : send_to_spool(a, send);
    }
    if (a.control.empty()) {
        usage_error("pccd " + verb + " needs --control PATH");
    }
    const std::size_t want = verb == "set" ? 2 : verb == "get" ? 1 : 0;
    if (a.words.size() != want) {
        usage_error("pccd " + verb + " takes " + std::to_string(want) + " arguments");
    }
    if (verb == "set") {
        return control_request(a.control, SetCommand{a.words[0], a.words[1]});
    }
    if (verb == "get") {
        return control_request(a.control, GetCommand{a.words[0]});
    }
    if (verb == "stats") {
        return control_request(a.control, StatsCommand{});
    }
    // relative to where the client runs, not the daemon
    return control_request(
        a.control, ReloadCommand{a.rules.empty() ? std::string()
                                                 : std::filesystem::absolute(a.rules).string()});
}

CLI::App* add_client(CLI::App& app, const char* verb, const char* summary, ClientArgs& a) {
    CLI::App* sub = app.add_subcommand(verb, summary);
    sub->add_option("--control", a.control, "the daemon's control socket")->type_name("PATH");
    return sub;
}

std::string personalities_text() {
    std::string out =
        "Personalities (a channel gets the one that serves the device class in QEMU's device\n"
        "description; --bind overrides; without either, extended messages go by PCC command):\n";
    for (const auto& [name, entry] : personalities()) {
        std::string classes;
        for (const std::string& c : entry.info.device_classes) {
            classes += (classes.empty() ? "" : ", ") + c;
        }
        out += "  " + name + ": " + entry.info.summary + " [" + classes + "]\n";
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"pccd " PCCD_VERSION
                 ": the platform side of qemu-pcc's PCC channels (docs/pccd.md).\n"
                 "Without a subcommand, runs the daemon.",
                 "pccd"};
    app.set_version_flag("--version", "pccd " PCCD_VERSION);
    app.require_subcommand(0, 1);
    DaemonArgs daemon;
    add_daemon_options(app, daemon);
    app.footer(personalities_text() +
               "\nExit status: 0 success, 1 runtime or setup error, 2 usage error.\n"
               "Signals: SIGTERM/SIGINT stop cleanly, SIGHUP re-reads the rules file.");

    ClientArgs client;
    CLI::App* send = add_client(app, "send", "send an unsolicited message to the guest", client);
    send->add_option("--spool", client.spool, "write into this spool's inbox (no daemon needed)")
        ->type_name("DIR");
    send->add_option("--channel", client.channel, "the channel (0-255)")->type_name("N");
    send->add_option("--layout", client.layout, "ext (default) or gen")->type_name("ext|gen");
    send->add_flag("--raw", client.raw, "HEXBYTES are the whole PCC message");
    send->add_option("--dest", client.dest, "destination EID (MCTP)")->type_name("EID");
    send->add_option("--eid", client.eid, "source EID with --spool (default 8)")->type_name("EID");
    send->add_option("hexbytes", client.words, "the bytes, in hex")->type_name("HEXBYTES");
    send->footer(
        "Without --raw the channel's personality wraps HEXBYTES: on an MCTP channel they are an\n"
        "MCTP message (from its type byte) that gets MCTP and PCC headers (src = the daemon's "
        "EID,\n"
        "or --eid with --spool; dest = --dest, else the channel's last requester, else 0); on a\n"
        "generic channel they are the communication space.");
    add_client(app, "set", "change a setting of a running daemon", client)
        ->add_option("words", client.words, "KEY VALUE")
        ->type_name("KEY VALUE");
    add_client(app, "get", "read a setting", client)
        ->add_option("words", client.words, "KEY")
        ->type_name("KEY");
    add_client(app, "stats", "print the daemon's counters", client);
    add_client(app, "reload", "re-read the rules file (like SIGHUP)", client)
        ->add_option("--rules", client.rules,
                     "read the rules from FILE instead, from now on (SIGHUP too)")
        ->type_name("FILE");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "pccd: %s\n(pccd --help for usage)\n", e.what());
        return kExitUsage;
    }
    try {
        const auto subcommands = app.get_subcommands();
        if (subcommands.empty()) {
            return run_daemon(daemon);
        }
        for (const CLI::Option* option : app.get_options()) {
            if (option->count() > 0 && option->get_name() != "--help") {
                usage_error(option->get_name() + " is a daemon option; it does not go with pccd " +
                            subcommands.front()->get_name());
            }
        }
        return run_client(subcommands.front()->get_name(), client);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "pccd: %s\n(pccd --help for usage)\n", e.text.c_str());
        return kExitUsage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pccd: %s\n", e.what());
        return kExitFailure;
    }
}
