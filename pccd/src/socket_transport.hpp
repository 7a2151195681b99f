// SPDX-License-Identifier: GPL-2.0-or-later
// Socket transport (qemu/docs/system/devices/pcc.rst): pccd listens on a unix stream
// socket, QEMU's chardevs connect (one connection per device, reconnecting).
// Framing version 3: each connection starts with QEMU's hello (the device
// description, handed to the bindings, and the device's session); a peer
// speaking another framing version ("PCC2") is told so in the log
// (bad.socket_version) and closed. Requests go through the Responder; the
// response frame's reference is the request's id, and a request handled
// without an answer is settled by a done frame.
//
// Exactly once: QEMU sends every unsettled request again on each new
// connection. Per channel and session the RequestCache remembers the
// requests handled (and being handled): a request sent again gets its stored
// response or done again (socket.resent_requests), one still being handled
// is left to finish, and the personality never sees either. A response or
// done goes to the connection that carries its session; with none, it waits
// in the cache for QEMU to ask again (it is not queued).
//
// Routing of what pccd sends otherwise (notifications; answers to a peer
// whose hello had no session): a channel belongs to the connection that last
// sent a frame (hello or request) for it. With no such connection the message goes to the only
// connection if there is exactly one, else it is queued per channel (bounded;
// a full queue drops new messages and says so once). Queues are flushed when
// a connection claims the channel, or when a connection arrives and is the
// only one. Frames a connection had not fully written when it closed are
// queued again (answers with a session excepted: QEMU asks for them again).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "event_loop.hpp"
#include "request_cache.hpp"
#include "responder.hpp"
#include "socket_frame.hpp"
#include "transport.hpp"
#include "unique_fd.hpp"
#include "unix_socket.hpp"

namespace pccd {

constexpr std::size_t kDefaultQueueLimit = 64;
constexpr std::size_t kMaxConnectionBacklog = 4 << 20;  // unsent bytes before we give up

class SocketTransport final : public Transport {
  public:
    static Result<std::unique_ptr<SocketTransport>> listen(
        const std::string& path, Responder& responder, EventLoop& loop,
        std::size_t queue_limit = kDefaultQueueLimit);
    SocketTransport(std::string path, Responder& responder, EventLoop& loop,
                    std::size_t queue_limit);
    ~SocketTransport() override;

    // Takes an already connected stream (tests: one end of a socketpair).
    void adopt(pcc::UniqueFd fd);

    const std::string& name() const override { return name_; }
    void send_notification(unsigned channel, Layout layout, Bytes message) override;
    bool has_seen(unsigned channel) const override { return channels_seen_.count(channel) != 0; }

    std::size_t connections() const { return connections_.size(); }
    std::size_t queued(unsigned channel) const;
    const RequestCache& requests() const { return cache_; }

  private:
    struct Connection {
        std::uint64_t id = 0;
        pcc::UniqueFd fd;
        FrameDecoder decoder;
        std::deque<Frame> outgoing;  // front may be partly written
        Bytes front_bytes;           // encoded front frame
        std::size_t front_written = 0;
        std::size_t pending_bytes = 0;
        bool want_write = false;
        bool hello = false;                          // the peer has sent its hello
        std::map<unsigned, std::uint64_t> sessions;  // channel -> session of its hello
    };

    void accept_ready();
    void on_events(std::uint64_t id, std::uint32_t events);
    void read_ready(Connection& c);
    void handle_frame(Connection& c, Frame frame);
    void handle_hello(Connection& c, const Frame& frame);
    void handle_request(Connection& c, Frame frame);
    void settle(unsigned channel, std::optional<std::uint64_t> session, std::uint64_t request,
                Settlement settlement);
    Frame settlement_frame(unsigned channel, std::uint64_t request, const Settlement& settlement);
    Connection* connection_of(unsigned channel, std::uint64_t session);
    void claim(Connection& c, unsigned channel);
    void deliver(Frame frame);
    // `record`: log the frame as sent and capture it (not when sent again).
    void enqueue(Connection& c, Frame frame, bool record = true);
    bool flush(Connection& c);  // false: connection failed
    void update_interest(Connection& c);
    void close_connection(std::uint64_t id, const std::string& reason);
    void queue_for_later(Frame frame);
    void flush_queue(unsigned channel, std::uint64_t id);
    void flush_all_queues(std::uint64_t id);

    std::string path_;
    std::string name_;
    Responder& responder_;
    EventLoop& loop_;
    std::size_t queue_limit_;
    UnixListener listener_;
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, std::unique_ptr<Connection>> connections_;
    std::map<unsigned, std::uint64_t> channel_owner_;
    std::map<unsigned, std::deque<Frame>> queues_;
    std::set<unsigned> queue_full_reported_;
    std::set<unsigned> channels_seen_;
    RequestCache cache_;
    std::uint64_t next_frame_id_ = 1;  // ids of the frames pccd sends
};

}  // namespace pccd
