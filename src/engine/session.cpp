#include <sio/core/log.hpp>
#include <sio/engine/payload.hpp>
#include <sio/engine/session.hpp>

#include <boost/asio/post.hpp>

#include <cassert>
#include <engine/deadline_list.hpp>
#include <engine/http_connection.hpp>
#include <engine/server_core.hpp>
#include <engine/ws_transport.hpp>

namespace sio::engine {

namespace {
shared_bytes const& probe_bytes() {
    static shared_bytes const bytes{std::string{"probe"}};
    return bytes;
}
} // namespace

std::string_view to_string(transport_kind t) noexcept {
    return t == transport_kind::polling ? "polling" : "websocket";
}

session::session(
    detail::server_core& server,
    std::size_t shard,
    std::string_view sid,
    std::shared_ptr<request_info const> request,
    transport_kind transport)
    : server_(server)
    , request_(std::move(request))
    , shard_(static_cast<std::uint8_t>(shard)) {
    assert(sid.size() == sid_size);
    sid.copy(sid_, sid_size);
    if (transport == transport_kind::polling)
        poll_ = std::make_unique<polling_state>(*this);
}

session::~session() {
    detail::deadline_list::disarm(heartbeat());
}

session::polling_state::~polling_state() {
    detail::deadline_list::disarm(*this);
}

net::io_context::executor_type session::get_executor() const noexcept {
    return server_.pool.get(shard_).get_executor();
}

std::size_t session::buffered_bytes() const noexcept {
    return queued_bytes_ + (ws_ ? ws_->buffered_bytes() : 0);
}

bool session::is_writable() const noexcept {
    // Something queued in this turn is what Node would already be writing: its first packet
    // makes the transport unwritable until the write completes (WebSocket) or the next GET.
    if (state_ != state::open || !queue_.empty())
        return false;
    if (poll_)
        return poll_->pending_get != nullptr;
    return ws_ && ws_->buffered_bytes() == 0;
}

void session::open(std::shared_ptr<detail::ws_transport> ws) {
    if (ws) {
        ws_ = std::move(ws);
        ws_->attach(this, false);
    }
    queue(packet_type::open, shared_bytes{server_.open_packet(sid(), transport())}, false);
    server_.app_handler.on_open(*this);
    // The ping timer starts as the handshake leaves (the official suites time from it).
    arm_ping();
    if (ws_)
        flush();
}

void session::send(shared_bytes data, bool binary, bool compress) {
    if (state_ != state::open)
        return;
    queue(packet_type::message, std::move(data), binary, compress);
}

void session::queue(packet_type type, shared_bytes data, bool binary, bool compress) {
    queued_bytes_ += data.size() + 1;
    queue_.push_back({type, std::move(data), binary, compress});
    schedule_flush();
}

void session::schedule_flush() {
    if (flush_scheduled_)
        return;
    flush_scheduled_ = true;
    // Everything queued in this event-loop turn goes out together.
    net::post(get_executor(), [self = shared_from_this()] { self->flush(); });
}

void session::flush() {
    flush_scheduled_ = false;
    if (state_ == state::closed)
        return;
    if (!poll_) {
        if (!queue_.empty()) {
            ws_->send(queue_);
            queue_.clear();
            queued_bytes_ = 0;
        }
        if (state_ == state::closing)
            finish(close_reason_);
        return;
    }
    if (!poll_ || !poll_->pending_get)
        return;
    if (queue_.empty()) {
        if (poll_->probed)
            respond_poll("6"); // EIO v4: release the GET so the client can pause polling
        return;
    }
    // With a close queued behind other packets, those go in this answer and the close in the
    // next one, as Node does: clients handle what the payload carried before the transport
    // closes (socket.io-client would otherwise see "transport close", not the DISCONNECTs).
    bool const close_queued = poll_->close_queued;
    bool const close_now = close_queued && queue_.size() == 1;
    std::size_t const count = close_queued && !close_now ? queue_.size() - 1 : queue_.size();
    std::string payload;
    bool compress = false; // as Node: compressed when any packet allows it
    for (std::size_t i = 0; i < count; ++i) {
        auto const& p = queue_[i];
        append_payload_packet({p.type, p.data.view(), p.binary}, payload);
        compress = compress || p.compress;
    }
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(count));
    queued_bytes_ = 0;
    for (auto const& p : queue_)
        queued_bytes_ += p.data.size() + 1;
    respond_poll(std::move(payload), compress);
    if (close_now)
        finish(close_reason_);
}

void session::respond_poll(std::string body, bool compress) {
    auto conn = std::move(poll_->pending_get);
    poll_->pending_get.reset();
    conn->respond_poll(std::move(body), compress);
}

void session::arm_ping() {
    awaiting_pong_ = false;
    server_.shard(shard_).ping_due.arm(heartbeat());
}

void session::on_ping_due(detail::deadline_hook& h) {
    auto& self = static_cast<session&>(h);
    if (self.state_ != state::open)
        return;
    self.queue(packet_type::ping, {}, false);
    self.arm_pong_deadline();
}

void session::arm_pong_deadline() {
    awaiting_pong_ = true;
    pong_deadline_extended_ = false;
    wait_for_pong();
}

void session::wait_for_pong() {
    server_.shard(shard_).pong_overdue.arm(heartbeat());
}

void session::on_pong_overdue(detail::deadline_hook& h) {
    auto& self = static_cast<session&>(h);
    if (self.state_ == state::open)
        self.finish(close_reason::ping_timeout);
}

void session::on_close_overdue(detail::deadline_hook& h) {
    auto& self = static_cast<session&>(h);
    self.finish(self.close_reason_);
}

void session::on_upgrade_overdue(detail::deadline_hook& h) {
    static_cast<polling_state&>(h).owner->drop_probe();
}

void session::on_packet(packet_view p) {
    if (state_ != state::open)
        return;
    if (awaiting_pong_ && !pong_deadline_extended_ && p.type != packet_type::pong) {
        // engine.io 6.6: traffic while a pong is awaited shows the peer is alive; the deadline
        // moves once per ping.
        pong_deadline_extended_ = true;
        wait_for_pong();
    }
    switch (p.type) {
    case packet_type::pong:
        if (awaiting_pong_)
            arm_ping();
        break;
    case packet_type::message:
        server_.app_handler.on_message(*this, p.data, p.binary);
        break;
    case packet_type::close:
        finish(close_reason::transport_close, true);
        break;
    case packet_type::ping:
        // EIO v4: only the server pings ("invalid heartbeat direction" in Node).
        finish(close_reason::transport_error);
        break;
    case packet_type::open:
    case packet_type::upgrade:
    case packet_type::noop:
        break;
    }
}

void session::on_poll(std::shared_ptr<detail::http_connection> conn) {
    if (!poll_ || poll_->pending_get) {
        // EIO v4: a second concurrent GET is a protocol error; the session ends.
        conn->respond(server_.error_response(error::bad_request, conn->current_request()));
        finish(close_reason::transport_error);
        return;
    }
    poll_->pending_get = std::move(conn);
    poll_->pending_get->park(weak_from_this());
    if (!queue_.empty() || poll_->probed)
        schedule_flush();
}

void session::on_poll_aborted(detail::http_connection const& conn) {
    if (!poll_ || poll_->pending_get.get() != &conn)
        return;
    poll_->pending_get.reset();
    // Node: "poll connection closed prematurely".
    finish(close_reason::transport_error);
}

void session::on_post(detail::http_connection& conn, std::string_view body) {
    auto packets = decode_payload(body);
    if (!packets) {
        conn.respond(server_.error_response(error::bad_request, conn.current_request()));
        finish(close_reason::parse_error);
        return;
    }
    auto self = shared_from_this();
    for (auto const& p : *packets) {
        if (state_ != state::open)
            break;
        on_packet(p);
    }
    conn.respond_ok();
}

void session::begin_upgrade(std::shared_ptr<detail::ws_transport> ws) {
    poll_->probe = std::move(ws);
    poll_->probe->attach(this, true);
    server_.shard(shard_).upgrade_overdue.arm(*poll_);
}

void session::on_probe_packet(detail::ws_transport& ws, packet_view p) {
    if (!poll_ || poll_->probe.get() != &ws)
        return;
    if (p.type == packet_type::ping && p.data == "probe" && !p.binary) {
        poll_->probe->send({packet_type::pong, probe_bytes(), false});
        poll_->probed = true;
        if (poll_->pending_get && queue_.empty())
            respond_poll("6");
        return;
    }
    if (p.type == packet_type::upgrade && state_ != state::closed) {
        // Whatever the last GET did not carry now goes over the WebSocket, in order.
        if (poll_->pending_get)
            respond_poll("6");
        ws_ = std::move(poll_->probe);
        poll_.reset(); // disarms the upgrade deadline
        ws_->promote();
        flush_scheduled_ = false;
        flush();
        return;
    }
    drop_probe();
}

void session::drop_probe() {
    if (!poll_)
        return;
    poll_->probed = false;
    detail::deadline_list::disarm(*poll_);
    if (auto probe = std::move(poll_->probe)) {
        poll_->probe.reset();
        probe->detach();
        probe->close();
    }
}

void session::on_transport_closed(detail::ws_transport const& ws, close_reason reason) {
    if (poll_ && poll_->probe.get() == &ws) {
        poll_->probe->detach();
        poll_->probe.reset();
        drop_probe();
        return;
    }
    if (ws_.get() == &ws) {
        ws_->detach();
        finish(reason, true);
    }
}

void session::close() {
    begin_close(close_reason::forced_close);
}

void session::begin_close(close_reason reason) {
    if (state_ != state::open)
        return;
    if (!poll_) {
        // Queued packets leave first, then the close frame.
        close_reason_ = reason;
        state_ = state::closing;
        schedule_flush();
        return;
    }
    // Polling: the close packet rides on the next GET after what is queued (Node's shouldClose).
    state_ = state::closing;
    close_reason_ = reason;
    poll_->close_queued = true;
    queued_bytes_ += 1;
    queue_.push_back({packet_type::close, {}, false});
    schedule_flush();
    server_.shard(shard_).close_overdue.arm(heartbeat());
}

void session::finish(close_reason reason, bool by_peer) {
    if (state_ == state::closed)
        return;
    auto self = shared_from_this();
    state_ = state::closed;
    detail::deadline_list::disarm(heartbeat());
    drop_probe();
    if (poll_ && poll_->pending_get)
        respond_poll(by_peer ? "6" : "1");
    if (auto ws = std::move(ws_)) {
        ws_.reset();
        ws->detach();
        if (!by_peer) {
            if (!queue_.empty())
                ws->send(queue_);
            // A close packet first, for clients that read it; then the close frame.
            ws->send({packet_type::close, {}, false});
        }
        ws->close(1000); // no-op when the peer already closed it
    }
    queue_.clear();
    queued_bytes_ = 0;
    server_.remove(*this);
    server_.app_handler.on_close(*this, reason);
}

} // namespace sio::engine
