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

namespace pccd {

namespace {

std::string errno_text() {
    return std::strerror(errno);
}

}  // namespace

SocketTransport::SocketTransport(std::string path, Engine& engine, EventLoop& loop,
                                 std::size_t queue_limit)
    : path_(std::move(path)),
      name_("socket:" + path_),
      engine_(engine),
      loop_(loop),
      queue_limit_(queue_limit) {}

SocketTransport::~SocketTransport() {
    for (auto id : timers_) {
        loop_.cancel_timer(id);
    }
    for (auto& [id, c] : connections_) {
        loop_.remove_fd(c->fd.get());
    }
    if (listener_.fd() >= 0) {
        loop_.remove_fd(listener_.fd());
    }
}

Result<std::unique_ptr<SocketTransport>> SocketTransport::listen(const std::string& path,
                                                                 Engine& engine, EventLoop& loop,
                                                                 std::size_t queue_limit) {
    auto transport = std::make_unique<SocketTransport>(path, engine, loop, queue_limit);
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
        UniqueFd fd(::accept4(listener_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                logf(LogLevel::warn, "%s: accept: %s", name_.c_str(), errno_text().c_str());
            }
            return;
        }
        adopt(std::move(fd));
    }
}

void SocketTransport::adopt(UniqueFd fd) {
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
    if (frame.kind != MessageKind::request) {
        reject("socket_kind", name_,
               std::string("frame of kind ") + kind_name(frame.kind) +
                   " from QEMU (only requests go this way) dropped");
        return;
    }
    const unsigned channel = frame.channel;
    channels_seen_.insert(channel);
    if (channel_owner_[channel] != c.id) {
        channel_owner_[channel] = c.id;
        flush_queue(channel, c.id);
    }
    Outcome outcome = engine_.handle_request(channel, frame.layout, frame.payload, name_);
    if (!outcome.answer) {
        return;
    }
    Frame answer{frame.channel, MessageKind::response, frame.layout, std::move(*outcome.answer)};
    if (outcome.delay_ms == 0) {
        deliver(std::move(answer));
        return;
    }
    ++delayed_;
    auto id = std::make_shared<EventLoop::TimerId>(0);
    auto pending = std::make_shared<Frame>(std::move(answer));
    *id = loop_.add_timer(std::chrono::milliseconds(outcome.delay_ms), [this, id, pending] {
        timers_.erase(*id);
        --delayed_;
        deliver(std::move(*pending));
    });
    timers_.insert(*id);
}

void SocketTransport::send_notification(unsigned channel, Layout layout, Bytes message) {
    deliver(Frame{static_cast<std::uint16_t>(channel), MessageKind::notification, layout,
                  std::move(message)});
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

void SocketTransport::enqueue(Connection& c, Frame frame) {
    engine_.record_sent(frame.channel, frame.layout, frame.kind, frame.payload, name_);
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
    logf(LogLevel::info, "%s: connection %llu closed: %s (%zu unsent frames queued again)",
         name_.c_str(), static_cast<unsigned long long>(id), reason.c_str(), c->outgoing.size());
    // A partly written frame is resent whole: the peer discards the torn one
    // with the dead connection.
    for (Frame& frame : c->outgoing) {
        queue_for_later(std::move(frame));
    }
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
