// SPDX-License-Identifier: GPL-2.0-or-later
#include "socket_transport.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "log.hpp"
#include "text.hpp"

namespace pccd {

using pcc::errno_text;

SocketTransport::SocketTransport(std::string path, Responder& responder, EventLoop& loop,
                                 std::size_t queue_limit)
    : path_(std::move(path)),
      name_("socket:" + path_),
      responder_(responder),
      loop_(loop),
      queue_limit_(queue_limit) {}

SocketTransport::~SocketTransport() {
    responder_.cancel(this);
    for (auto& [id, c] : connections_) {
        loop_.remove_fd(c->fd.get());
    }
    if (listener_.fd() >= 0) {
        loop_.remove_fd(listener_.fd());
    }
}

Result<std::unique_ptr<SocketTransport>> SocketTransport::listen(const std::string& path,
                                                                 Responder& responder,
                                                                 EventLoop& loop,
                                                                 std::size_t queue_limit) {
    auto transport = std::make_unique<SocketTransport>(path, responder, loop, queue_limit);
    auto listener = UnixListener::listen(path);
    if (!listener) {
        return fail(listener.error());
    }
    transport->listener_ = std::move(*listener);
    SocketTransport* self = transport.get();
    loop.add_fd(transport->listener_.fd(), EPOLLIN,
                [self](std::uint32_t) { self->accept_ready(); });
    return transport;
}

void SocketTransport::accept_ready() {
    for (;;) {
        pcc::UniqueFd fd(::accept4(listener_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                logf(LogLevel::warn, "%s: accept: %s", name_.c_str(), errno_text().c_str());
            }
            return;
        }
        adopt(std::move(fd));
    }
}

void SocketTransport::adopt(pcc::UniqueFd fd) {
    const int flags = ::fcntl(fd.get(), F_GETFL);
    ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK);
    auto c = std::make_unique<Connection>();
    c->id = next_id_++;
    c->fd = std::move(fd);
    const std::uint64_t id = c->id;
    loop_.add_fd(c->fd.get(), EPOLLIN | EPOLLRDHUP,
                 [this, id](std::uint32_t ev) { on_events(id, ev); });
    connections_.emplace(id, std::move(c));
    counters().bump("socket.connections");
    logf(LogLevel::info, "%s: peer connected (connection %llu, %zu open)", name_.c_str(),
         static_cast<unsigned long long>(id), connections_.size());
    if (connections_.size() == 1) {
        flush_all_queues(id);
    }
}

void SocketTransport::on_events(std::uint64_t id, std::uint32_t events) {
    auto it = connections_.find(id);
    if (it == connections_.end()) {
        return;
    }
    Connection& c = *it->second;
    if (events & EPOLLOUT) {
        if (!flush(c)) {
            close_connection(id, "write failed: " + errno_text());
            return;
        }
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        read_ready(c);
    }
}

void SocketTransport::read_ready(Connection& c) {
    const std::uint64_t id = c.id;
    std::uint8_t buf[16384];
    for (;;) {
        const ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return;
            }
            close_connection(id, "read failed: " + errno_text());
            return;
        }
        if (n == 0) {
            close_connection(id, "peer closed the connection");
            return;
        }
        c.decoder.feed(ByteView(buf, static_cast<std::size_t>(n)));
        while (auto frame = c.decoder.next()) {
            handle_frame(c, std::move(*frame));
            if (!connections_.count(id)) {
                return;
            }
        }
        if (c.decoder.error_kind() == FrameDecoder::Error::version) {
            counters().bump("bad.socket_version");
            logf(LogLevel::error, "%s: connection %llu: %s; closing the connection", name_.c_str(),
                 static_cast<unsigned long long>(id), c.decoder.error().c_str());
            close_connection(id, "framing version mismatch");
            return;
        }
        if (c.decoder.failed()) {
            reject("socket_frame", name_, c.decoder.error() + "; closing the connection");
            close_connection(id, "framing error");
            return;
        }
    }
}

void SocketTransport::handle_frame(Connection& c, Frame frame) {
    if (frame.channel > kMaxChannel) {
        reject("socket_channel", name_,
               "frame for unknown channel " + std::to_string(frame.channel) + " dropped");
        return;
    }
    if (frame.kind == FrameKind::hello) {
        handle_hello(c, frame);
        return;
    }
    if (frame.kind != FrameKind::request) {
        reject("socket_kind", name_,
               std::string("frame of kind ") + frame_kind_name(frame.kind) +
                   " from QEMU (only requests and hellos go this way) dropped");
        return;
    }
    handle_request(c, std::move(frame));
}

void SocketTransport::handle_hello(Connection& c, const Frame& frame) {
    c.hello = true;
    const std::string origin =
        name_ + " connection " + std::to_string(static_cast<unsigned long long>(c.id));
    const std::string_view text(reinterpret_cast<const char*>(frame.payload.data()),
                                frame.payload.size());
    auto described = responder_.engine().bindings().load_description(text, origin, frame.channel);
    const HelloSession hello = parse_hello_session(text);
    if (hello.session) {
        c.sessions[frame.channel] = *hello.session;
    } else {
        c.sessions.erase(frame.channel);
        reject("socket_session", origin,
               "hello for channel " + std::to_string(frame.channel) + ": " + hello.error +
                   "; requests sent again after a reconnection will be handled again");
    }
    logf(LogLevel::info, "%s: hello for channel %u, session %016llx%s", origin.c_str(),
         frame.channel, static_cast<unsigned long long>(hello.session.value_or(0)),
         described ? "" : " with an unusable device description");
    claim(c, frame.channel);
}

void SocketTransport::handle_request(Connection& c, Frame frame) {
    const unsigned channel = frame.channel;
    const std::uint64_t request_id = frame.id;
    const Layout layout = frame.layout;
    claim(c, channel);
    std::optional<std::uint64_t> session;
    if (auto it = c.sessions.find(channel); it != c.sessions.end()) {
        session = it->second;
    } else {
        logf(LogLevel::debug,
             "%s: connection %llu: request %llu for channel %u without a session (no hello)",
             name_.c_str(), static_cast<unsigned long long>(c.id),
             static_cast<unsigned long long>(request_id), channel);
    }
    if (session) {
        const RequestCache::Seen seen = cache_.begin(channel, *session, request_id);
        if (seen.state != RequestCache::State::fresh) {
            counters().bump("socket.resent_requests");
            const bool settled = seen.state == RequestCache::State::settled;
            logf(LogLevel::debug, "%s: connection %llu: request %llu of channel %u again: %s",
                 name_.c_str(), static_cast<unsigned long long>(c.id),
                 static_cast<unsigned long long>(request_id), channel,
                 !settled                  ? "still being handled, its answer follows"
                 : seen.settlement->answer ? "its response sent again"
                                           : "its done sent again");
            if (settled) {
                enqueue(c, settlement_frame(channel, request_id, *seen.settlement), false);
            }
            return;
        }
    }
    const Responder::Submitted submitted = responder_.submit(
        this, channel, layout, frame.payload, name_,
        [this, channel, layout, request_id, session](std::optional<Bytes> answer) {
            settle(channel, session, request_id, Settlement{layout, std::move(answer)});
        });
    if (submitted.status == Responder::Status::rejected) {
        // Malformed (the engine logged and counted it): handled, no answer.
        settle(channel, session, request_id, Settlement{layout, std::nullopt});
    }
}

Frame SocketTransport::settlement_frame(unsigned channel, std::uint64_t request,
                                        const Settlement& settlement) {
    if (settlement.answer) {
        return Frame{static_cast<std::uint16_t>(channel),
                     FrameKind::response,
                     settlement.layout,
                     next_frame_id_++,
                     request,
                     *settlement.answer};
    }
    return Frame{static_cast<std::uint16_t>(channel),
                 FrameKind::done,
                 Layout::extended,
                 next_frame_id_++,
                 request,
                 {}};
}

void SocketTransport::settle(unsigned channel, std::optional<std::uint64_t> session,
                             std::uint64_t request, Settlement settlement) {
    Frame frame = settlement_frame(channel, request, settlement);
    if (frame.kind == FrameKind::done) {
        counters().bump("socket.done_frames");
        logf(LogLevel::debug, "%s: request %llu of channel %u handled without an answer: done",
             name_.c_str(), static_cast<unsigned long long>(request), channel);
    }
    if (!session) {
        deliver(std::move(frame));
        return;
    }
    cache_.settle(channel, *session, request, std::move(settlement));
    if (Connection* target = connection_of(channel, *session)) {
        enqueue(*target, std::move(frame));
        return;
    }
    logf(LogLevel::debug,
         "%s: no connection for session %016llx of channel %u: the %s for request %llu waits "
         "until QEMU sends the request again",
         name_.c_str(), static_cast<unsigned long long>(*session), channel,
         frame_kind_name(frame.kind), static_cast<unsigned long long>(request));
}

SocketTransport::Connection* SocketTransport::connection_of(unsigned channel,
                                                            std::uint64_t session) {
    auto carries = [&](const Connection& c) {
        auto it = c.sessions.find(channel);
        return it != c.sessions.end() && it->second == session;
    };
    if (auto owner = channel_owner_.find(channel); owner != channel_owner_.end()) {
        if (auto it = connections_.find(owner->second);
            it != connections_.end() && carries(*it->second)) {
            return it->second.get();
        }
    }
    for (auto& [id, c] : connections_) {
        if (carries(*c)) {
            return c.get();
        }
    }
    return nullptr;
}

void SocketTransport::claim(Connection& c, unsigned channel) {
    channels_seen_.insert(channel);
    if (channel_owner_[channel] != c.id) {
        channel_owner_[channel] = c.id;
        flush_queue(channel, c.id);
    }
}

void SocketTransport::send_notification(unsigned channel, Layout layout, Bytes message) {
    deliver(Frame{static_cast<std::uint16_t>(channel), FrameKind::notification, layout,
                  next_frame_id_++, 0, std::move(message)});
}

void SocketTransport::deliver(Frame frame) {
    Connection* target = nullptr;
    if (auto owner = channel_owner_.find(frame.channel); owner != channel_owner_.end()) {
        if (auto it = connections_.find(owner->second); it != connections_.end()) {
            target = it->second.get();
        }
    }
    if (target == nullptr && connections_.size() == 1) {
        target = connections_.begin()->second.get();
    }
    if (target == nullptr) {
        queue_for_later(std::move(frame));
        return;
    }
    enqueue(*target, std::move(frame));
}

void SocketTransport::enqueue(Connection& c, Frame frame, bool record) {
    if (auto kind = message_kind(frame.kind); kind && record) {
        responder_.engine().record_sent(frame.channel, frame.layout, *kind, frame.payload, name_);
    }
    c.pending_bytes += kFrameHeaderSize + frame.payload.size();
    c.outgoing.push_back(std::move(frame));
    if (!flush(c)) {
        close_connection(c.id, "write failed: " + errno_text());
        return;
    }
    if (c.pending_bytes > kMaxConnectionBacklog) {
        close_connection(c.id, "peer does not read (more than 4 MiB unsent)");
    }
}

bool SocketTransport::flush(Connection& c) {
    while (!c.outgoing.empty()) {
        if (c.front_bytes.empty()) {
            c.front_bytes = encode_frame(c.outgoing.front());
            c.front_written = 0;
        }
        const ssize_t n = ::send(c.fd.get(), c.front_bytes.data() + c.front_written,
                                 c.front_bytes.size() - c.front_written, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            }
            return false;
        }
        c.front_written += static_cast<std::size_t>(n);
        if (c.front_written == c.front_bytes.size()) {
            c.pending_bytes -= c.front_bytes.size();
            c.outgoing.pop_front();
            c.front_bytes.clear();
            c.front_written = 0;
        }
    }
    update_interest(c);
    return true;
}

void SocketTransport::update_interest(Connection& c) {
    const bool want = !c.outgoing.empty();
    if (want != c.want_write) {
        c.want_write = want;
        loop_.modify_fd(c.fd.get(),
                        EPOLLIN | EPOLLRDHUP | (want ? static_cast<std::uint32_t>(EPOLLOUT) : 0U));
    }
}

void SocketTransport::close_connection(std::uint64_t id, const std::string& reason) {
    auto it = connections_.find(id);
    if (it == connections_.end()) {
        return;
    }
    std::unique_ptr<Connection> c = std::move(it->second);
    connections_.erase(it);
    loop_.remove_fd(c->fd.get());
    for (auto owner = channel_owner_.begin(); owner != channel_owner_.end();) {
        owner = owner->second == id ? channel_owner_.erase(owner) : std::next(owner);
    }
    // A partly written frame is resent whole: the peer discards the torn one
    // with the dead connection. Answers to requests with a session are not:
    // they are in the cache, and QEMU sends their requests again.
    std::size_t requeued = 0;
    for (Frame& frame : c->outgoing) {
        const bool answer = frame.kind == FrameKind::response || frame.kind == FrameKind::done;
        if (!answer || c->sessions.count(frame.channel) == 0) {
            queue_for_later(std::move(frame));
            ++requeued;
        }
    }
    logf(LogLevel::info,
         "%s: connection %llu closed: %s (%zu unsent frames queued again, %zu answers left "
         "for QEMU to ask again)",
         name_.c_str(), static_cast<unsigned long long>(id), reason.c_str(), requeued,
         c->outgoing.size() - requeued);
    // Another connection may be the only one left: hand it the queues.
    if (connections_.size() == 1) {
        flush_all_queues(connections_.begin()->first);
    }
}

void SocketTransport::queue_for_later(Frame frame) {
    auto& queue = queues_[frame.channel];
    if (queue.size() >= queue_limit_) {
        counters().bump("socket.queue_full_drops");
        if (queue_full_reported_.insert(frame.channel).second) {
            logf(LogLevel::warn,
                 "%s: no peer for channel %u and its queue is full (%zu messages): dropping "
                 "new messages until a peer connects",
                 name_.c_str(), frame.channel, queue_limit_);
        }
        return;
    }
    queue.push_back(std::move(frame));
}

void SocketTransport::flush_queue(unsigned channel, std::uint64_t id) {
    auto it = queues_.find(channel);
    if (it == queues_.end()) {
        return;
    }
    std::deque<Frame> frames = std::move(it->second);
    queues_.erase(it);
    queue_full_reported_.erase(channel);
    for (Frame& frame : frames) {
        auto live = connections_.find(id);
        if (live == connections_.end()) {
            queue_for_later(std::move(frame));
            continue;
        }
        enqueue(*live->second, std::move(frame));
    }
}

void SocketTransport::flush_all_queues(std::uint64_t id) {
    std::vector<unsigned> channels;
    for (const auto& [channel, queue] : queues_) {
        channels.push_back(channel);
    }
    for (unsigned channel : channels) {
        flush_queue(channel, id);
    }
}

std::size_t SocketTransport::queued(unsigned channel) const {
    auto it = queues_.find(channel);
    return it == queues_.end() ? 0 : it->second.size();
}

}  // namespace pccd
