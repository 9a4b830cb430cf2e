#include <sio/core/guarded.hpp>
#include <sio/core/log.hpp>
#include <sio/parser/encode.hpp>
#include <sio/parser/packet.hpp>
#include <sio/server/broadcast.hpp>
#include <sio/server/error.hpp>
#include <sio/server/nsp.hpp>
#include <sio/server/server.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <mutex>

namespace sio {

namespace {

constexpr auto default_broadcast_ack_timeout = std::chrono::seconds(5);

std::shared_ptr<encoded_packet const> encode_event(
    std::string const& nsp_name,
    message m,
    std::optional<std::uint64_t> id,
    std::string offset = {}) {
    parser::packet p;
    p.type = parser::packet_type::event;
    p.nsp = nsp_name;
    p.id = id;
    parser::set_payload(p, std::move(m));
    auto encoded = parser::encode(p);
    return std::make_shared<encoded_packet const>(encoded_packet{
        shared_bytes{std::move(encoded.text)}, std::move(encoded.attachments), std::move(offset)});
}

bool valid_event(message const& m) {
    auto const event = m.front_string();
    if (!event)
        return false;
    if (parser::is_reserved_event(*event)) {
        log(log_level::error, "broadcast of reserved event '" + std::string{*event} + "' ignored");
        return false;
    }
    return true;
}

} // namespace

broadcast_operator broadcast_operator::to(std::string room) const {
    auto copy = *this;
    copy.opts_.rooms.push_back(std::move(room));
    return copy;
}

broadcast_operator broadcast_operator::except(std::string room) const {
    auto copy = *this;
    copy.opts_.except.push_back(std::move(room));
    return copy;
}

broadcast_operator broadcast_operator::local() const {
    auto copy = *this;
    copy.opts_.local = true;
    return copy;
}

broadcast_operator broadcast_operator::volatile_() const {
    auto copy = *this;
    copy.opts_.is_volatile = true;
    return copy;
}

broadcast_operator broadcast_operator::compress(bool on) const {
    auto copy = *this;
    copy.opts_.compress = on;
    return copy;
}

broadcast_operator broadcast_operator::timeout(std::chrono::milliseconds t) const {
    auto copy = *this;
    copy.timeout_ = t;
    return copy;
}

void broadcast_operator::emit_message(message m) const {
    if (!valid_event(m))
        return;
    std::string offset;
    if (nsp_->server().options().connection_state_recovery && !opts_.is_volatile) {
        // socket.io 4.6: the offset rides as the last argument; the client sends it back when
        // it reconnects, and the packets after it are replayed.
        offset = nsp_->server().make_offset();
        m.args().emplace_back(offset);
    }
    // Encoded once here; every recipient on every shard queues these same bytes.
    nsp_->adapter().broadcast(
        encode_event(nsp_->name(), std::move(m), std::nullopt, std::move(offset)), opts_);
}

std::string broadcast_operator::describe_ack::operator()() const {
    return "broadcast ack completion of '" + event + "' in " + owner->name();
}

net::io_context::executor_type broadcast_operator::home_executor() const {
    return nsp_->server().pool().get(nsp_->current_shard().value_or(0)).get_executor();
}

void broadcast_operator::start_ack(
    std::string_view event,
    message args,
    broadcast_ack_handler handler,
    net::io_context::executor_type ex) const {
    message m;
    m.args().emplace_back(event);
    m.append(std::move(args));
    // The user's completion, by whatever path it comes: a throw is logged and contained (Node:
    // an uncaught exception); every socket goes on.
    auto const complete =
        [nsp = nsp_, name = std::string{event}](
            broadcast_ack_handler h, boost::system::error_code ec, std::vector<message> responses) {
            guarded(
                [&] { std::move(h)(ec, std::move(responses)); },
                [&] { return "broadcast ack completion of '" + name + "' in " + nsp->name(); });
        };
    if (!valid_event(m)) {
        // Posted: a completion never runs inside its initiation.
        net::post(ex, [complete, h = std::move(handler)]() mutable {
            complete(std::move(h), make_error_code(error::invalid_event), {});
        });
        return;
    }
    struct collector {
        std::mutex mutex;
        std::optional<std::size_t> expected;
        std::vector<message> responses;
        bool finished = false;
        // Emplaced and moved out by construction: Boost 1.81's any_completion_handler move
        // assignment wraps the handler in itself until the stack overflows.
        std::optional<broadcast_ack_handler> done;
        std::unique_ptr<net::steady_timer> timer;

        // Called with the lock held: whether every expected ack is in (then the caller takes
        // `done` and completes it outside the lock).
        bool complete() {
            if (finished || !expected || responses.size() < *expected)
                return false;
            finished = true; // the timer fires later and finds it done (it lives on another shard)
            return true;
        }
    };
    auto c = std::make_shared<collector>();
    c->done.emplace(std::move(handler));
    c->timer =
        std::make_unique<net::steady_timer>(ex, timeout_.value_or(default_broadcast_ack_timeout));
    c->timer->async_wait([c, complete](boost::system::error_code ec) {
        if (ec)
            return;
        std::optional<broadcast_ack_handler> h;
        std::vector<message> partial;
        {
            std::lock_guard lock{c->mutex};
            if (c->finished)
                return;
            c->finished = true;
            h.emplace(std::move(*c->done));
            partial = std::move(c->responses);
        }
        complete(std::move(*h), make_error_code(error::ack_timeout), std::move(partial));
    });
    // Every expected ack is in: completes with them, outside the lock.
    auto const finish = [complete](collector& c, std::unique_lock<std::mutex>& lock) {
        broadcast_ack_handler h{std::move(*c.done)};
        auto r = std::move(c.responses);
        lock.unlock();
        complete(std::move(h), {}, std::move(r));
    };
    auto const id = nsp_->next_broadcast_ack_id();
    nsp_->adapter().broadcast_with_ack(
        encode_event(nsp_->name(), std::move(m), id),
        id,
        opts_,
        [c, finish](std::size_t reached) {
            std::unique_lock lock{c->mutex};
            c->expected = reached;
            if (c->complete())
                finish(*c, lock);
        },
        [c, finish](message reply) {
            std::unique_lock lock{c->mutex};
            if (c->finished)
                return;
            c->responses.push_back(std::move(reply));
            if (c->complete())
                finish(*c, lock);
        });
}

void broadcast_operator::fetch_sockets(std::function<void(std::vector<socket_info>)> done) const {
    // A throw from `done` is logged and contained (Node: an uncaught exception).
    nsp_->adapter().fetch_sockets(
        opts_, [nsp = nsp_, done = std::move(done)](std::vector<socket_info> sockets) {
            for (auto& s : sockets)
                s.nsp = nsp;
            guarded(
                [&] { done(std::move(sockets)); },
                [&] { return "fetch_sockets completion in " + nsp->name(); });
        });
}

void broadcast_operator::sockets_join(std::vector<std::string> rooms) const {
    nsp_->adapter().add_sockets(opts_, std::move(rooms));
}

void broadcast_operator::sockets_leave(std::vector<std::string> rooms) const {
    nsp_->adapter().del_sockets(opts_, std::move(rooms));
}

void broadcast_operator::disconnect_sockets(bool close) const {
    nsp_->adapter().disconnect_sockets(opts_, close);
}

// RemoteSocket's operations: to the socket's own room, as Node's BroadcastOperator(adapter,
// {id}).
void socket_info::emit_message(message m) const {
    if (nsp)
        broadcast_operator{*nsp}.to(id).emit_message(std::move(m));
}

void socket_info::join(std::string room) const {
    join(std::vector<std::string>{std::move(room)});
}

void socket_info::join(std::vector<std::string> rooms) const {
    if (nsp)
        broadcast_operator{*nsp}.in(id).sockets_join(std::move(rooms));
}

void socket_info::leave(std::string room) const {
    if (nsp)
        broadcast_operator{*nsp}.in(id).sockets_leave({std::move(room)});
}

void socket_info::disconnect(bool close) const {
    if (nsp)
        broadcast_operator{*nsp}.in(id).disconnect_sockets(close);
}

} // namespace sio
