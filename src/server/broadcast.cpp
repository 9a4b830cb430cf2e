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

void broadcast_operator::emit_with_ack(
    std::string_view event,
    message args,
    std::function<void(boost::system::error_code, std::vector<message>)> done) const {
    message m;
    m.args().emplace_back(event);
    m.append(std::move(args));
    if (!valid_event(m)) {
        done(make_error_code(error::invalid_event), {});
        return;
    }
    struct collector {
        std::mutex mutex;
        std::optional<std::size_t> expected;
        std::vector<message> responses;
        bool finished = false;
        std::function<void(boost::system::error_code, std::vector<message>)> done;
        std::unique_ptr<net::steady_timer> timer;

        // Called with the lock held; returns the callback to run outside it.
        std::function<void()> check() {
            if (finished || !expected || responses.size() < *expected)
                return {};
            finished = true; // the timer fires later and finds it done (it lives on another shard)
            return [cb = std::move(done), r = std::move(responses)]() mutable {
                cb({}, std::move(r));
            };
        }
    };
    auto c = std::make_shared<collector>();
    c->done = std::move(done);
    auto const shard = nsp_->current_shard().value_or(0);
    c->timer = std::make_unique<net::steady_timer>(
        nsp_->server().pool().get(shard), timeout_.value_or(default_broadcast_ack_timeout));
    c->timer->async_wait([c](boost::system::error_code ec) {
        if (ec)
            return;
        std::function<void(boost::system::error_code, std::vector<message>)> cb;
        std::vector<message> partial;
        {
            std::lock_guard lock{c->mutex};
            if (c->finished)
                return;
            c->finished = true;
            cb = std::move(c->done);
            partial = std::move(c->responses);
        }
        cb(make_error_code(error::ack_timeout), std::move(partial));
    });
    auto const id = nsp_->next_broadcast_ack_id();
    nsp_->adapter().broadcast_with_ack(
        encode_event(nsp_->name(), std::move(m), id),
        id,
        opts_,
        [c](std::size_t reached) {
            std::function<void()> run;
            {
                std::lock_guard lock{c->mutex};
                c->expected = reached;
                run = c->check();
            }
            if (run)
                run();
        },
        [c](message reply) {
            std::function<void()> run;
            {
                std::lock_guard lock{c->mutex};
                if (c->finished)
                    return;
                c->responses.push_back(std::move(reply));
                run = c->check();
            }
            if (run)
                run();
        });
}

void broadcast_operator::fetch_sockets(std::function<void(std::vector<socket_info>)> done) const {
    nsp_->adapter().fetch_sockets(
        opts_, [n = nsp_, done = std::move(done)](std::vector<socket_info> sockets) {
            for (auto& s : sockets)
                s.nsp = n;
            done(std::move(sockets));
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
