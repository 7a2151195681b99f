// SPDX-License-Identifier: GPL-2.0-or-later
#include "qmp.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "text.hpp"

namespace lab {

namespace {

constexpr std::size_t kMaxLine = 16 * 1024 * 1024;  // query-pcc of 256 subspaces is ~150 KiB

std::string words_of(std::string_view s) {
    std::string out;
    for (const auto w : pcc::split_words(s)) {
        out += (out.empty() ? "" : " ") + std::string(w);
    }
    return out;
}

}  // namespace

QmpClient::QmpClient(pcc::UniqueFd fd, const std::string& log_path)
    : fd_(std::move(fd)), log_(log_path, std::ios::app) {
    const int flags = ::fcntl(fd_.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd_.get(), F_SETFL, flags | O_NONBLOCK) < 0) {
        throw std::runtime_error("QMP socket: " + pcc::errno_text());
    }
}

QmpClient QmpClient::connect(const std::string& socket_path, const std::string& log_path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof(addr.sun_path)) {
        throw std::runtime_error(socket_path + ": path too long for a socket");
    }
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    pcc::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        throw std::runtime_error("socket: " + pcc::errno_text());
    }
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
        throw std::runtime_error("connect to QEMU's QMP socket " + socket_path + ": " +
                                 pcc::errno_text());
    }
    return QmpClient(std::move(fd), log_path);
}

std::uint64_t QmpClient::send(std::string_view command,
                              const std::optional<json::Value>& arguments) {
    json::Object msg{{"execute", json::Value{std::string(command)}}};
    if (arguments) {
        msg.push_back(json::Member{"arguments", *arguments});
    }
    const std::uint64_t id = next_id_++;
    msg.push_back(json::Member{"id", json::Value{json::Number{id}}});
    pending_.push_back({id, json::dump(json::Value{std::move(msg)}), false, {}});
    if (state_ == State::ready) {
        flush_queue();
    }
    return id;
}

void QmpClient::write_message(const std::string& text) {
    log_ << "-> " << text << '\n' << std::flush;
    const std::string line = text + "\n";
    std::size_t off = 0;
    while (off < line.size()) {
        const ssize_t n = ::write(fd_.get(), line.data() + off, line.size() - off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            // A command is a few hundred bytes, the socket holds far more:
            // QEMU is not reading at all. Say so rather than spin.
            throw std::runtime_error("QMP socket full: QEMU does not read it");
        }
        if (n < 0) {
            throw std::runtime_error("QMP write: " + pcc::errno_text());
        }
        off += static_cast<std::size_t>(n);
    }
}

void QmpClient::flush_queue() {
    for (auto& p : pending_) {
        if (!p.sent) {
            write_message(p.text);
            p.sent = true;
        }
    }
}

void QmpClient::fail_all(const std::string& why, std::vector<QmpReply>& out) {
    state_ = State::broken;
    broken_why_ = why;
    for (auto& p : pending_) {
        out.push_back({p.id, false, {}, why, std::move(p.events)});
    }
    pending_.clear();
}

std::vector<QmpReply> QmpClient::read_available() {
    std::vector<QmpReply> out;
    if (state_ == State::broken) {
        fail_all(broken_why_, out);
        return out;
    }
    for (;;) {
        char buf[65536];
        const ssize_t n = ::read(fd_.get(), buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        }
        if (n <= 0) {
            // a reset is a close with our last command still unread
            fail_all(n == 0 || errno == ECONNRESET ? "QEMU closed the QMP connection"
                                                   : "QMP read: " + pcc::errno_text(),
                     out);
            return out;
        }
        in_.append(buf, static_cast<std::size_t>(n));
        for (std::size_t nl; (nl = in_.find('\n')) != std::string::npos;) {
            const std::string line = in_.substr(0, nl);
            in_.erase(0, nl + 1);
            try {
                on_message(line, out);
            } catch (const std::exception& e) {
                fail_all(e.what(), out);
                return out;
            }
            if (state_ == State::broken) {
                return out;
            }
        }
        if (in_.size() > kMaxLine) {
            fail_all("QMP: a message of over 16 MiB", out);
            return out;
        }
    }
    return out;
}

void QmpClient::on_message(std::string_view line, std::vector<QmpReply>& out) {
    if (pcc::trim(line).empty()) {
        return;
    }
    log_ << "<- " << pcc::trim(line) << '\n' << std::flush;
    json::Value msg;
    try {
        msg = json::parse(line);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(std::string("QEMU sent no JSON (") + e.what() + ")");
    }
    if (state_ == State::greeting) {
        if (!msg.find("QMP")) {
            throw std::runtime_error("QMP greeting expected, QEMU sent " + json::dump(msg));
        }
        write_message(R"({"execute": "qmp_capabilities", "id": 0})");
        state_ = State::capabilities;
        return;
    }
    if (const json::Value* ev = msg.find("event")) {
        const std::string name = ev->string() ? *ev->string() : json::dump(*ev);
        for (auto& p : pending_) {
            if (p.sent) {
                p.events.push_back(name);
            }
        }
        return;
    }
    const json::Value* ret = msg.find("return");
    const json::Value* err = msg.find("error");
    const json::Value* id = msg.find("id");
    if (!ret && !err) {
        throw std::runtime_error("QEMU sent neither return, error nor event: " + json::dump(msg));
    }
    std::string why;
    if (err) {
        const json::Value* cls = err->find("class");
        const json::Value* desc = err->find("desc");
        why = (cls && cls->string() ? *cls->string() : std::string("error")) + ": " +
              (desc && desc->string() ? *desc->string() : json::dump(*err));
    }
    if (state_ == State::capabilities) {
        if (err) {
            throw std::runtime_error("qmp_capabilities failed: " + why);
        }
        state_ = State::ready;
        flush_queue();
        return;
    }
    const auto* num = id ? std::get_if<json::Number>(&id->v) : nullptr;
    const auto* uid = num ? std::get_if<std::uint64_t>(&num->v) : nullptr;
    const auto it = std::find_if(pending_.begin(), pending_.end(),
                                 [&](const Pending& p) { return uid && p.id == *uid; });
    if (it == pending_.end()) {
        // an error without id: QEMU could not even parse the command
        if (err && !id && !pending_.empty()) {
            QmpReply r{pending_.front().id, false, {}, why, std::move(pending_.front().events)};
            pending_.erase(pending_.begin());
            out.push_back(std::move(r));
            return;
        }
        throw std::runtime_error("QEMU answered a command nobody sent: " + json::dump(msg));
    }
    QmpReply r{it->id, !err, ret ? *ret : json::Value{}, why, std::move(it->events)};
    pending_.erase(it);
    out.push_back(std::move(r));
}

std::string qmp_socket_path(const std::string& run_dir) {
    return run_dir + "/qmp.sock";
}

bool is_qmp_command(std::string_view command) {
    const auto words = pcc::split_words(command);
    return !words.empty() && words[0] == "qmp";
}

std::optional<QmpStep> parse_qmp_step(std::string_view text) {
    const std::string_view t = pcc::trim(text);
    if (!is_qmp_command(t)) {
        return std::nullopt;
    }
    const auto words = pcc::split_words(t);
    if (words.size() < 2) {
        throw std::invalid_argument("qmp: no command (qmp COMMAND [ARGUMENTS])");
    }
    QmpStep step{std::string(words[1]), std::nullopt};
    if (step.command.front() == '{') {
        throw std::invalid_argument("qmp: the command comes first, its arguments after it");
    }
    const auto rest_at = static_cast<std::size_t>(words[1].data() - t.data()) + words[1].size();
    const std::string_view rest = pcc::trim(t.substr(rest_at));
    if (!rest.empty()) {
        try {
            step.arguments = json::parse(rest);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("qmp " + step.command + ": arguments: " + e.what());
        }
        if (!step.arguments->is_object()) {
            throw std::invalid_argument("qmp " + step.command +
                                        ": arguments must be a JSON object");
        }
    }
    return step;
}

QmpExpectation parse_qmp_expectation(std::string_view expected) {
    const std::string_view t = pcc::trim(expected);
    QmpExpectation e;
    const auto words = pcc::split_words(t);
    if (!words.empty() && words[0] == "error") {
        e.error = true;
        e.error_words = words_of(t.substr(5));
        return e;
    }
    try {
        e.value = json::parse(t);
    } catch (const std::invalid_argument& ex) {
        throw std::invalid_argument(std::string("=> expects 'error [WORDS]' or JSON: ") +
                                    ex.what());
    }
    return e;
}

std::string qmp_verdict(const QmpReply& reply, const std::optional<QmpExpectation>& expected) {
    if (!expected || !expected->error) {
        if (!reply.ok) {
            return "failed: " + reply.error;
        }
        if (expected && !json::contains(reply.value, expected->value)) {
            return "returned " + json::dump(reply.value) + ", which does not contain " +
                   json::dump(expected->value);
        }
        return "";
    }
    if (reply.ok) {
        return "returned " + json::dump(reply.value) + ", expected an error" +
               (expected->error_words.empty() ? "" : " with '" + expected->error_words + "'");
    }
    if (words_of(reply.error).find(expected->error_words) == std::string::npos) {
        return "failed with '" + reply.error + "', expected '" + expected->error_words + "'";
    }
    return "";
}

}  // namespace lab
