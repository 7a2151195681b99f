// SPDX-License-Identifier: GPL-2.0-or-later
#include "daemon.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "bytes.hpp"
#include "log.hpp"
#include "socket_transport.hpp"

namespace pccd {

namespace {

constexpr std::size_t kMaxControlLine = 256 * 1024;

}  // namespace

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)), engine_(options_.state) {}

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
        if (auto bound = engine_.bind_generic(channel, name); !bound) {
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
        auto spool = SpoolTransport::open(dir, engine_, loop_);
        if (!spool) {
            return fail("spool: " + spool.error());
        }
        spools_.push_back(spool->get());
        transports_.push_back(std::move(*spool));
        logf(LogLevel::info, "spool %s ready", dir.c_str());
    }
    for (const std::string& path : options_.sockets) {
        auto socket = SocketTransport::listen(path, engine_, loop_, options_.queue_limit);
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
        return fail(std::string("signalfd: ") + std::strerror(errno));
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
        auto busy = [this] {
            for (const auto& t : transports_) {
                if (t->delayed() > 0) {
                    return true;
                }
            }
            return false;
        };
        while (busy() && !loop_.stopped()) {
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

bool Daemon::reload_rules() {
    if (options_.rules_path.empty()) {
        logf(LogLevel::warn, "reload: no --rules file was given");
        return false;
    }
    auto rules = load_rules_file(options_.rules_path);
    if (!rules) {
        counters().bump("rules.reload_failures");
        logf(LogLevel::error, "reload failed, keeping the old rules: %s", rules.error().c_str());
        return false;
    }
    stop_timed_rules();
    logf(LogLevel::info, "rules reloaded: %zu match rules, %zu timed rules", rules->rules.size(),
         rules->timed.size());
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
        inject(rule.channel, rule.layout,
               engine_.make_notification(rule.channel, rule.layout, rule.bytes, rule.raw,
                                         rule.dest_eid));
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

std::string Daemon::inject(unsigned channel, Layout layout, Bytes message) {
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
        return "error no transport";
    }
    std::string via;
    for (Transport* t : targets) {
        t->send_notification(channel, layout, message);
        via += " " + t->name();
    }
    return "ok sent " + std::to_string(message.size()) + " bytes via" + via;
}

std::string Daemon::control_command(std::string_view line) {
    const auto words = split_words(line);
    if (words.empty()) {
        return "error empty command";
    }
    const std::string_view verb = words[0];
    if (verb == "stats") {
        return "ok " + counters().summary();
    }
    if (verb == "reload") {
        return reload_rules() ? "ok rules reloaded"
                              : "error reload failed, old rules kept (see log)";
    }
    if (verb == "set" && words.size() == 3) {
        engine_.set_setting(std::string(words[1]), std::string(words[2]));
        return "ok";
    }
    if (verb == "get" && words.size() == 2) {
        auto value = engine_.state().setting(words[1]);
        return value ? "ok " + *value : "error no setting " + std::string(words[1]);
    }
    if (verb == "send" && words.size() >= 5) {
        // send CHANNEL ext|gen wrap|raw [dest=EID] HEX...
        auto channel = parse_uint(words[1], kMaxChannel);
        if (!channel) {
            return "error bad channel";
        }
        if (words[2] != "ext" && words[2] != "gen") {
            return "error layout must be ext or gen";
        }
        const Layout layout = words[2] == "ext" ? Layout::extended : Layout::generic;
        if (words[3] != "wrap" && words[3] != "raw") {
            return "error mode must be wrap or raw";
        }
        std::size_t i = 4;
        std::optional<std::uint8_t> dest;
        if (words[i].substr(0, 5) == "dest=") {
            auto v = parse_uint(words[i].substr(5), 0xff);
            if (!v) {
                return "error bad dest";
            }
            dest = static_cast<std::uint8_t>(*v);
            ++i;
        }
        Bytes bytes;
        for (; i < words.size(); ++i) {
            auto part = parse_hex(words[i]);
            if (!part) {
                return "error bad hex " + std::string(words[i]);
            }
            append(bytes, *part);
        }
        if (bytes.empty()) {
            return "error no bytes";
        }
        return inject(static_cast<unsigned>(*channel), layout,
                      engine_.make_notification(static_cast<unsigned>(*channel), layout, bytes,
                                                words[3] == "raw", dest));
    }
    return "error unknown command (send, set, get, stats, reload)";
}

void Daemon::accept_control() {
    for (;;) {
        UniqueFd fd(::accept4(control_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
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
        reply = "error line too long";
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
