// SPDX-License-Identifier: GPL-2.0-or-later
#include "daemon.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <variant>

#include "bytes.hpp"
#include "log.hpp"
#include "socket_transport.hpp"
#include "text.hpp"

namespace pccd {

Daemon::Daemon(DaemonOptions options)
    : options_(std::move(options)), engine_(options_.state), responder_(engine_, loop_) {}

Daemon::~Daemon() {
    stop_timed_rules();
    for (auto& [fd, client] : control_clients_) {
        loop_.remove_fd(fd);
    }
    if (control_.fd() >= 0) {
        loop_.remove_fd(control_.fd());
    }
    if (signal_fd_) {
        loop_.remove_fd(signal_fd_.get());
    }
}

Result<bool> Daemon::setup() {
    for (const auto& [key, value] : options_.settings) {
        engine_.set_setting(key, value);
    }
    for (const auto& [channel, name] : options_.binds) {
        if (auto bound = engine_.bind(channel, name); !bound) {
            return fail("--bind " + std::to_string(channel) + "=" + name + ": " + bound.error());
        }
    }
    if (!options_.rules_path.empty()) {
        auto rules = load_rules_file(options_.rules_path);
        if (!rules) {
            return fail("rules: " + rules.error());
        }
        logf(LogLevel::info, "rules: %zu match rules, %zu timed rules from %s", rules->rules.size(),
             rules->timed.size(), options_.rules_path.c_str());
        engine_.set_rules(std::move(*rules));
    }
    if (!options_.pcap_path.empty()) {
        auto pcap = PcapngWriter::create(options_.pcap_path);
        if (!pcap) {
            return fail("pcap: " + pcap.error());
        }
        engine_.set_pcap(std::move(*pcap));
    }
    for (const std::string& dir : options_.spools) {
        auto spool = SpoolTransport::open(dir, responder_, loop_);
        if (!spool) {
            return fail("spool: " + spool.error());
        }
        spools_.push_back(spool->get());
        transports_.push_back(std::move(*spool));
        logf(LogLevel::info, "spool %s ready", dir.c_str());
    }
    for (const std::string& path : options_.sockets) {
        auto socket = SocketTransport::listen(path, responder_, loop_, options_.queue_limit);
        if (!socket) {
            return fail("socket: " + socket.error());
        }
        transports_.push_back(std::move(*socket));
        logf(LogLevel::info, "listening on %s", path.c_str());
    }
    if (!options_.control_path.empty()) {
        auto control = UnixListener::listen(options_.control_path);
        if (!control) {
            return fail("control: " + control.error());
        }
        control_ = std::move(*control);
        loop_.add_fd(control_.fd(), EPOLLIN, [this](std::uint32_t) { accept_control(); });
        logf(LogLevel::info, "control socket %s", options_.control_path.c_str());
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);
    signal_fd_.reset(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!signal_fd_) {
        return fail("signalfd: " + pcc::errno_text());
    }
    loop_.add_fd(signal_fd_.get(), EPOLLIN, [this](std::uint32_t) { on_signal(); });
    return true;
}

int Daemon::run() {
    try {
        if (auto ok = setup(); !ok) {
            logf(LogLevel::error, "%s", ok.error().c_str());
            return kExitFailure;
        }
    } catch (const std::exception& e) {
        logf(LogLevel::error, "setup: %s", e.what());
        return kExitFailure;
    }
    for (SpoolTransport* spool : spools_) {
        spool->scan();  // what arrived while pccd was down
    }
    if (options_.once) {
        while (responder_.delayed() > 0 && !loop_.stopped()) {
            loop_.run_once(100);
        }
    } else {
        start_timed_rules();
        loop_.run();
    }
    logf(LogLevel::info, "exiting; counters: %s", counters().summary().c_str());
    return kExitOk;
}

void Daemon::on_signal() {
    signalfd_siginfo info{};
    while (::read(signal_fd_.get(), &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGHUP) {
            logf(LogLevel::info, "SIGHUP: reloading rules");
            reload_rules();
        } else {
            logf(LogLevel::info, "signal %u: stopping", info.ssi_signo);
            loop_.stop();
        }
    }
}

bool Daemon::reload_rules(const std::string& path) {
    const std::string file = path.empty() ? options_.rules_path : path;
    if (file.empty()) {
        logf(LogLevel::warn, "reload: no --rules file was given");
        return false;
    }
    auto rules = load_rules_file(file);
    if (!rules) {
        counters().bump("rules.reload_failures");
        logf(LogLevel::error, "reload failed, keeping the old rules: %s", rules.error().c_str());
        return false;
    }
    stop_timed_rules();
    options_.rules_path = file;
    logf(LogLevel::info, "rules reloaded: %zu match rules, %zu timed rules from %s",
         rules->rules.size(), rules->timed.size(), file.c_str());
    engine_.set_rules(std::move(*rules));
    start_timed_rules();
    return true;
}

void Daemon::start_timed_rules() {
    for (std::size_t i = 0; i < engine_.rules().timed.size(); ++i) {
        schedule_timed_rule(i, engine_.rules().timed[i].interval_ms);
    }
}

void Daemon::schedule_timed_rule(std::size_t index, std::uint32_t delay_ms) {
    // The callback finds the rule by index: a reload cancels every timer first.
    timed_[index] = loop_.add_timer(std::chrono::milliseconds(delay_ms), [this, index] {
        timed_.erase(index);
        const TimedRule& rule = engine_.rules().timed[index];
        counters().bump("rules.timed_fired");
        logf(LogLevel::debug, "timed rule at line %d fires", rule.line);
        auto message = engine_.make_notification(rule.channel, rule.layout, rule.bytes, rule.raw,
                                                 rule.dest_eid);
        if (message) {
            inject(rule.channel, rule.layout, std::move(*message));
        } else {
            logf(LogLevel::warn, "timed rule at line %d: %s", rule.line, message.error().c_str());
        }
        if (rule.repeat) {
            schedule_timed_rule(index, rule.interval_ms);
        }
    });
}

void Daemon::stop_timed_rules() {
    for (const auto& [index, id] : timed_) {
        loop_.cancel_timer(id);
    }
    timed_.clear();
}

ControlReply Daemon::inject(unsigned channel, Layout layout, Bytes message) {
    std::vector<Transport*> targets;
    for (const auto& t : transports_) {
        if (t->has_seen(channel)) {
            targets.push_back(t.get());
        }
    }
    if (targets.empty()) {
        for (const auto& t : transports_) {
            targets.push_back(t.get());
        }
    }
    if (targets.empty()) {
        return ControlReply::failure("no transport");
    }
    std::string via;
    for (Transport* t : targets) {
        t->send_notification(channel, layout, message);
        via += " " + t->name();
    }
    return ControlReply::success("sent " + std::to_string(message.size()) + " bytes via" + via);
}

std::string Daemon::control_command(std::string_view line) {
    auto command = parse_control_line(line);
    if (!command) {
        return format_control_reply(ControlReply::failure(command.error()));
    }
    return format_control_reply(execute(*command));
}

ControlReply Daemon::execute(const ControlCommand& command) {
    if (std::holds_alternative<StatsCommand>(command)) {
        return ControlReply::success(counters().summary());
    }
    if (const auto* reload = std::get_if<ReloadCommand>(&command)) {
        return reload_rules(reload->path)
                   ? ControlReply::success("rules reloaded")
                   : ControlReply::failure("reload failed, old rules kept (see log)");
    }
    if (const auto* set = std::get_if<SetCommand>(&command)) {
        engine_.set_setting(set->key, set->value);
        return ControlReply::success();
    }
    if (const auto* get = std::get_if<GetCommand>(&command)) {
        auto value = engine_.state().setting(get->key);
        return value ? ControlReply::success(*value)
                     : ControlReply::failure("no setting " + get->key);
    }
    const auto& send = std::get<SendCommand>(command);
    auto message = engine_.make_notification(send.channel, send.layout, send.bytes, send.raw,
                                             send.destination);
    if (!message) {
        return ControlReply::failure(message.error());
    }
    return inject(send.channel, send.layout, std::move(*message));
}

void Daemon::accept_control() {
    for (;;) {
        pcc::UniqueFd fd(::accept4(control_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) {
            return;
        }
        const int raw = fd.get();
        control_clients_[raw] = {std::move(fd), std::string()};
        loop_.add_fd(raw, EPOLLIN | EPOLLRDHUP,
                     [this, raw](std::uint32_t) { control_readable(raw); });
    }
}

void Daemon::control_readable(int fd) {
    auto it = control_clients_.find(fd);
    if (it == control_clients_.end()) {
        return;
    }
    std::string& buffer = it->second.second;
    char chunk[4096];
    bool closed = false;
    for (;;) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n > 0) {
            buffer.append(chunk, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            closed = true;
        }
        break;
    }
    const auto nl = buffer.find('\n');
    std::string reply;
    if (nl != std::string::npos) {
        reply = control_command(std::string_view(buffer).substr(0, nl));
    } else if (buffer.size() > kMaxControlLine) {
        reply = format_control_reply(ControlReply::failure("line too long"));
    } else if (!closed) {
        return;  // wait for the rest of the line
    } else if (!buffer.empty()) {
        reply = control_command(buffer);
    }
    if (!reply.empty()) {
        reply.push_back('\n');
        ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    }
    loop_.remove_fd(fd);
    control_clients_.erase(fd);
}

}  // namespace pccd
