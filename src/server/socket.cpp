#include <sio/core/guarded.hpp>
#include <sio/core/log.hpp>
#include <sio/parser/decode.hpp>
#include <sio/parser/encode.hpp>
#include <sio/parser/json.hpp>
#include <sio/parser/packet.hpp>
#include <sio/server/nsp.hpp>
#include <sio/server/socket.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <exception>
#include <memory>
#include <new>
#include <server/client.hpp>
#include <server/server_state.hpp>
#include <span>
#include <stdexcept>
#include <utility>

namespace sio {

namespace {

// Every call into user code on a socket's behalf (event, any, outgoing, disconnect and error
// handlers, packet middlewares, ack completions): a throw, of any type, is logged with the shard,
// the socket and the event, and the event loop, the connection and every other socket go on.
// Node would treat it as an uncaught exception (a listener's throw ends the process unless the
// application catches it); we keep the process and the socket, and the call that threw is over.
template <class F>
std::optional<std::string> guarded(socket const& s, std::string_view what, F&& f) {
    return sio::guarded(std::forward<F>(f), [&] {
        return "handler for '" + std::string{what} + "' of socket " + s.id() + " on shard " +
               std::to_string(s.shard());
    });
}

bool reserved(std::string_view event) {
    return parser::is_reserved_event(event);
}

} // namespace

boost::json::object handshake::to_json() const {
    boost::json::object headers;
    for (auto const [name, value] : request->headers()) {
        auto [it, fresh] = headers.emplace(name, value);
        if (!fresh) {
            auto& joined = it->value().as_string();
            joined.append(", ");
            joined.append(value);
        }
    }
    boost::json::object query;
    for (auto const [name, value] : request->query())
        query[name] = value;
    auto const issued = std::chrono::system_clock::to_time_t(time());
    std::tm utc{};
    gmtime_r(&issued, &utc);
    char date[80];
    auto const size = std::strftime(
        date, sizeof date, "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)", &utc);
    bool const xdomain = header("origin").has_value();
    return boost::json::object{
        {"headers", std::move(headers)},
        {"time", std::string_view{date, size}},
        {"address", address()},
        {"xdomain", xdomain},
        {"secure", secure()},
        {"issued",
         std::chrono::duration_cast<std::chrono::milliseconds>(time().time_since_epoch()).count()},
        {"url", request->target()},
        {"query", std::move(query)},
        {"auth", auth}};
}

struct ack::state {
    std::weak_ptr<socket> owner;
    net::io_context::executor_type executor;
    std::uint64_t id;
    bool used = false;
};

struct socket::pending_ack {
    ack_handler handler;                          // emit_with_ack
    std::function<void(message)> broadcast_reply; // a broadcast's ack
    std::unique_ptr<net::steady_timer> timer;
};

struct socket::extras {
    std::any data;
    boost::json::value json_data;
    std::string pid; // private session id for connection state recovery
    std::vector<std::string> rooms_to_restore;
    std::vector<any_handler> any;
    std::vector<any_handler> any_outgoing;
    // The ids of `any` and `any_outgoing`, index for index, and the last one given.
    std::vector<listener_id> any_ids;
    std::vector<listener_id> any_outgoing_ids;
    std::uint32_t last_any_id = 0;
    std::vector<disconnect_handler> on_disconnecting;
    std::vector<disconnect_handler> on_disconnect;
    std::vector<packet_middleware> middlewares;
    std::vector<std::function<void(socket&, std::string const&)>> on_error;
    std::unordered_map<std::uint64_t, pending_ack> acks;
};

socket::extras& socket::more() {
    if (!extras_)
        extras_ = std::make_unique<extras>();
    return *extras_;
}

std::any& socket::data() noexcept {
    return more().data;
}

boost::json::value& socket::json_data() noexcept {
    return more().json_data;
}

socket::socket(
    detail::client& client, sio::nsp& n, std::string id, sio::handshake hs, std::size_t shard)
    : client_(&client)
    , nsp_(&n)
    , id_(std::move(id))
    , handshake_(std::move(hs))
    , shard_(static_cast<std::uint32_t>(shard)) {}

socket::~socket() = default;

net::io_context::executor_type socket::get_executor() const noexcept {
    return nsp_->server().pool().get(shard_).get_executor();
}

void socket::join(std::string room) {
    nsp_->adapter().add_all(*this, {std::move(room)});
}

void socket::join(std::vector<std::string> const& rooms) {
    nsp_->adapter().add_all(*this, rooms);
}

void socket::leave(std::string const& room) {
    nsp_->adapter().del(*this, room);
}

std::vector<std::string> socket::rooms() const {
    return nsp_->adapter().socket_rooms(*this);
}

struct socket::handler_list::block {
    std::uint32_t refs;
    std::uint32_t size;
    std::uint32_t last_id;
};

struct socket::handler_list::slot {
    event_handler fn;
    std::uint32_t name_offset;    // from the block's start
    std::uint32_t name_size_once; // the name's size; the top bit: once
    listener_id id;
};

namespace {
constexpr std::size_t slots_offset = 16;
constexpr std::uint32_t once_bit = std::uint32_t{1} << 31;
} // namespace

socket::handler_list::handler_list(std::span<handler_entry> entries, std::uint32_t last_id) {
    static_assert(sizeof(block) <= slots_offset && slots_offset % alignof(slot) == 0);
    if (entries.empty() && last_id == 0)
        return; // with no handler left, the block stays for last_id: no id is given twice
    std::size_t names = 0;
    for (auto const& e : entries)
        names += e.event.size();
    std::size_t const names_offset = slots_offset + entries.size() * sizeof(slot);
    if (names_offset + names >= once_bit)
        throw std::length_error("sio: event names too long");
    auto* mem = static_cast<char*>(::operator new(names_offset + names));
    block_ = ::new (mem) block{1, static_cast<std::uint32_t>(entries.size()), last_id};
    auto* out = slots();
    std::size_t at = names_offset;
    for (auto& e : entries) {
        ::new (out++) slot{
            std::move(e.fn),
            static_cast<std::uint32_t>(at),
            static_cast<std::uint32_t>(e.event.size()) | (e.once ? once_bit : 0),
            e.id};
        if (!e.event.empty())
            std::memcpy(mem + at, e.event.data(), e.event.size());
        at += e.event.size();
    }
}

socket::handler_list::handler_list(handler_list const& other) noexcept
    : block_(other.block_) {
    if (block_)
        ++block_->refs;
}

socket::handler_list::handler_list(handler_list&& other) noexcept
    : block_(std::exchange(other.block_, nullptr)) {}

socket::handler_list& socket::handler_list::operator=(handler_list other) noexcept {
    std::swap(block_, other.block_);
    return *this;
}

socket::handler_list::~handler_list() {
    if (!block_ || --block_->refs > 0)
        return;
    std::destroy_n(slots(), block_->size);
    ::operator delete(block_);
}

socket::handler_list::slot* socket::handler_list::slots() const noexcept {
    return reinterpret_cast<slot*>(reinterpret_cast<char*>(block_) + slots_offset);
}

std::size_t socket::handler_list::size() const noexcept {
    return block_ ? block_->size : 0;
}

std::string_view socket::handler_list::event(std::size_t i) const noexcept {
    auto const& s = slots()[i];
    return {reinterpret_cast<char const*>(block_) + s.name_offset, s.name_size_once & ~once_bit};
}

bool socket::handler_list::once(std::size_t i) const noexcept {
    return (slots()[i].name_size_once & once_bit) != 0;
}

event_handler const& socket::handler_list::fn(std::size_t i) const noexcept {
    return slots()[i].fn;
}

listener_id socket::handler_list::id(std::size_t i) const noexcept {
    return slots()[i].id;
}

std::uint32_t socket::handler_list::last_id() const noexcept {
    return block_ ? block_->last_id : 0;
}

listener_id socket::add_handler(std::string event, event_handler h, bool once) {
    std::vector<handler_entry> all;
    all.reserve(handlers_.size() + 1);
    for (std::size_t i = 0; i < handlers_.size(); ++i)
        all.push_back({handlers_.event(i), handlers_.fn(i), handlers_.once(i), handlers_.id(i)});
    auto const id = handlers_.last_id() + 1;
    all.push_back({event, std::move(h), once, listener_id{id}});
    handlers_ = handler_list{all, id};
    return listener_id{id};
}

template <class Pred> void socket::remove_handlers(Pred pred) {
    std::vector<handler_entry> kept;
    bool removed = false;
    for (std::size_t i = 0; i < handlers_.size(); ++i) {
        if (pred(handlers_.event(i), handlers_.once(i), handlers_.id(i)))
            removed = true;
        else
            kept.push_back(
                {handlers_.event(i), handlers_.fn(i), handlers_.once(i), handlers_.id(i)});
    }
    if (removed)
        handlers_ = handler_list{kept, handlers_.last_id()};
}

socket& socket::off(std::string_view event) {
    remove_handlers([event](std::string_view e, bool, listener_id) { return e == event; });
    return *this;
}

socket& socket::off(std::string_view event, listener_id id) {
    remove_handlers(
        [event, id](std::string_view e, bool, listener_id i) { return e == event && i == id; });
    return *this;
}

listener_id socket::add_any(
    std::vector<any_handler>& all,
    std::vector<listener_id>& ids,
    std::uint32_t& last,
    any_handler h,
    bool first) {
    listener_id const id{++last};
    all.insert(first ? all.begin() : all.end(), std::move(h));
    ids.insert(first ? ids.begin() : ids.end(), id);
    return id;
}

void socket::remove_any(
    std::vector<any_handler>& all, std::vector<listener_id>& ids, std::optional<listener_id> id) {
    if (!id) {
        all.clear();
        ids.clear();
        return;
    }
    auto const it = std::find(ids.begin(), ids.end(), *id);
    if (it == ids.end())
        return;
    all.erase(all.begin() + (it - ids.begin()));
    ids.erase(it);
}

listener_id socket::on_any(any_handler h) {
    auto& m = more();
    return add_any(m.any, m.any_ids, m.last_any_id, std::move(h), false);
}

listener_id socket::prepend_any(any_handler h) {
    auto& m = more();
    return add_any(m.any, m.any_ids, m.last_any_id, std::move(h), true);
}

socket& socket::off_any() {
    if (extras_)
        remove_any(extras_->any, extras_->any_ids, std::nullopt);
    return *this;
}

socket& socket::off_any(listener_id id) {
    if (extras_)
        remove_any(extras_->any, extras_->any_ids, id);
    return *this;
}

listener_id socket::on_any_outgoing(any_handler h) {
    auto& m = more();
    return add_any(m.any_outgoing, m.any_outgoing_ids, m.last_any_id, std::move(h), false);
}

listener_id socket::prepend_any_outgoing(any_handler h) {
    auto& m = more();
    return add_any(m.any_outgoing, m.any_outgoing_ids, m.last_any_id, std::move(h), true);
}

socket& socket::off_any_outgoing() {
    if (extras_)
        remove_any(extras_->any_outgoing, extras_->any_outgoing_ids, std::nullopt);
    return *this;
}

socket& socket::off_any_outgoing(listener_id id) {
    if (extras_)
        remove_any(extras_->any_outgoing, extras_->any_outgoing_ids, id);
    return *this;
}

socket& socket::on_disconnecting(disconnect_handler h) {
    more().on_disconnecting.push_back(std::move(h));
    return *this;
}

socket& socket::on_disconnect(disconnect_handler h) {
    more().on_disconnect.push_back(std::move(h));
    return *this;
}

socket& socket::use(packet_middleware m) {
    more().middlewares.push_back(std::move(m));
    return *this;
}

socket& socket::on_error(std::function<void(socket&, std::string const&)> h) {
    more().on_error.push_back(std::move(h));
    return *this;
}

socket_emitter socket::volatile_() {
    return {*this, true, std::nullopt};
}

socket_emitter socket::compress(bool on) {
    return {*this, false, std::nullopt, on};
}

socket_emitter socket::timeout(std::chrono::milliseconds t) {
    return {*this, false, t};
}

broadcast_operator socket::broadcast() const {
    broadcast_options opts;
    opts.except.push_back(id_);
    return broadcast_operator{*nsp_, std::move(opts)};
}

broadcast_operator socket::to(std::string room) const {
    return broadcast().to(std::move(room));
}

broadcast_operator socket::except(std::string room) const {
    return broadcast().except(std::move(room));
}

send_status socket::emit_message(message m, bool is_volatile, bool compress) {
    auto const name = m.front_string();
    if (!name)
        return send_status::invalid;
    std::string_view const event = *name;
    if (reserved(event)) {
        log(log_level::error, "emit of reserved event '" + std::string{event} + "' ignored");
        return send_status::invalid;
    }
    if (!connected_ || !client_)
        return send_status::closed;
    if (nsp_->server().options().connection_state_recovery) {
        // As socket.io: through the adapter to the socket's own room, so it is logged with an
        // offset and replayed if the connection drops before it arrives (the outgoing listeners
        // run on delivery, and see the offset, as Node's).
        broadcast_options own;
        own.rooms.push_back(id_);
        own.is_volatile = is_volatile;
        own.compress = compress;
        broadcast_operator{*nsp_, std::move(own)}.emit_message(std::move(m));
        return send_status::sent;
    }
    if (extras_ && !extras_->any_outgoing.empty()) {
        message view = m.slice(1);
        for (auto& h : std::vector<any_handler>{extras_->any_outgoing})
            guarded(*this, event, [&] { h(*this, event, view); });
    }
    parser::packet p;
    p.type = parser::packet_type::event;
    p.nsp = nsp_->name();
    parser::set_payload(p, std::move(m));
    return client_->send(p, is_volatile, compress);
}

send_status socket::deliver(encoded_packet const& packet, bool is_volatile, bool compress) {
    if (!connected_ || !client_)
        return send_status::closed;
    if (extras_ && !extras_->any_outgoing.empty())
        notify_outgoing(packet);
    return client_->send(packet, is_volatile, compress);
}

void socket::notify_outgoing(encoded_packet const& packet) {
    // The packet was encoded once for every recipient; only a socket with outgoing listeners
    // pays for decoding it (Node hands them the packet's data, as socket.io's adapter does).
    auto decoded =
        parser::decode_text(packet.text.view(), {.max_attachments = packet.attachments.size()});
    if (!decoded || !decoded->data.is_array() ||
        decoded->attachments.size() != packet.attachments.size())
        return;
    message m{std::move(decoded->data.as_array())};
    m.attachments = packet.attachments;
    auto const name = m.front_string();
    if (!name)
        return;
    std::string const event{*name};
    message view = m.slice(1);
    for (auto& h : std::vector<any_handler>{extras_->any_outgoing})
        guarded(*this, event, [&] { h(*this, event, view); });
}

void socket::expect_ack(std::uint64_t id, std::function<void(message)> on_ack) {
    pending_ack p;
    p.broadcast_reply = std::move(on_ack);
    more().acks.emplace(id, std::move(p));
}

void socket::start_ack(
    std::string event,
    message args,
    std::optional<std::chrono::milliseconds> timeout,
    ack_handler handler) {
    auto const fail = [this](ack_handler h, error e) {
        net::post(get_executor(), [self = shared_from_this(), h = std::move(h), e]() mutable {
            guarded(*self, "ack", [&] { std::move(h)(make_error_code(e), message{}); });
        });
    };
    if (reserved(event)) {
        fail(std::move(handler), error::invalid_event);
        return;
    }
    if (!connected_ || !client_) {
        fail(std::move(handler), error::socket_disconnected);
        return;
    }
    auto const id = nsp_->next_broadcast_ack_id();
    message full;
    full.args().reserve(args.size() + 1);
    full.args().emplace_back(event);
    full.append(std::move(args));
    parser::packet p;
    p.type = parser::packet_type::event;
    p.nsp = nsp_->name();
    p.id = id;
    parser::set_payload(p, std::move(full));
    // Constructed, not assigned: Boost 1.81's any_completion_handler move assignment wraps the
    // handler in itself until the stack overflows.
    pending_ack pending{std::move(handler), {}, {}};
    if (timeout) {
        pending.timer = std::make_unique<net::steady_timer>(get_executor(), *timeout);
        pending.timer->async_wait([weak = weak_from_this(), id](boost::system::error_code ec) {
            if (ec)
                return;
            auto self = weak.lock();
            if (!self)
                return;
            auto& acks = self->more().acks;
            auto it = acks.find(id);
            if (it == acks.end())
                return;
            auto h = std::move(it->second.handler);
            acks.erase(it);
            if (h)
                guarded(*self, "ack", [&] {
                    std::move(h)(make_error_code(error::ack_timeout), message{});
                });
        });
    }
    more().acks.emplace(id, std::move(pending));
    client_->send(p);
}

void socket::send_ack(std::uint64_t id, message args) {
    if (!connected_ || !client_)
        return;
    if (auto const json = args.json(); json && !args.has_binary()) {
        client_->send_json(parser::packet_type::ack, nsp_->name(), id, *json);
        return;
    }
    parser::packet p;
    p.type = parser::packet_type::ack;
    p.nsp = nsp_->name();
    p.id = id;
    parser::set_payload(p, std::move(args));
    client_->send(p);
}

void socket::on_connect_complete() {
    connected_ = true;
    nsp_->add(*this);
    join(id_);
    if (extras_ && !extras_->rooms_to_restore.empty()) {
        join(extras_->rooms_to_restore);
        std::vector<std::string>{}.swap(extras_->rooms_to_restore);
    }
    parser::packet p;
    p.type = parser::packet_type::connect;
    p.nsp = nsp_->name();
    boost::json::object reply{{"sid", id_}};
    if (nsp_->server().options().connection_state_recovery) {
        auto& pid = more().pid;
        if (pid.empty())
            pid = client_->server().make_pid(shard_);
        reply.emplace("pid", pid);
    }
    p.data = std::move(reply);
    client_->send(p);
    nsp_->fire_connection(*this);
}

void socket::on_event(message args, std::optional<std::uint64_t> ack_id) {
    if (!extras_ || extras_->middlewares.empty()) {
        dispatch_event(args, ack_id);
        return;
    }
    // socket.use: each middleware sees [event, ...args] and calls next to go on.
    struct chain_state {
        message args;
        std::optional<std::uint64_t> ack_id;
        std::size_t index = 0;
    };
    auto state = std::make_shared<chain_state>(chain_state{std::move(args), ack_id, 0});
    auto step = std::make_shared<std::function<void(std::optional<std::string>)>>();
    *step = [weak = weak_from_this(), state, step](std::optional<std::string> err) {
        auto self = weak.lock();
        if (!self || !self->connected_) {
            *step = nullptr;
            return;
        }
        if (err) {
            for (auto& h : std::vector<std::function<void(socket&, std::string const&)>>{
                     self->more().on_error})
                guarded(*self, "error", [&] { h(*self, *err); });
            *step = nullptr;
            return;
        }
        auto& middlewares = self->more().middlewares;
        if (state->index == middlewares.size()) {
            self->dispatch_event(state->args, state->ack_id);
            *step = nullptr;
            return;
        }
        auto& m = middlewares[state->index++];
        auto next = [ex = self->get_executor(), step](std::optional<std::string> e) {
            net::dispatch(ex, [step, e = std::move(e)] {
                if (*step)
                    (*step)(e);
            });
        };
        // A throw stops the packet as next(error) would: the error handlers get its message.
        if (auto thrown = guarded(*self, "middleware", [&] { m(*self, state->args, next); }))
            next(thrown->empty() ? std::string{"middleware error"} : std::move(*thrown));
    };
    (*step)(std::nullopt);
}

void socket::dispatch_event(message& args, std::optional<std::uint64_t> ack_id) {
    // socket.io-parser accepts a finite number as the event name; JS handlers see String(n).
    std::string event;
    if (auto name = args.take_front_string()) {
        event = std::move(*name);
    } else {
        auto& all = args.args();
        event = parser::to_json(all.front());
        all.erase(all.begin());
    }
    sio::ack reply;
    if (ack_id)
        reply = sio::ack{
            std::make_shared<ack::state>(ack::state{weak_from_this(), get_executor(), *ack_id})};
    if (extras_ && !extras_->any.empty())
        for (auto& h : std::vector<any_handler>{extras_->any})
            guarded(*this, event, [&] { h(*this, event, args); });
    // This event's list as it is now: handlers may register or remove handlers while they run.
    handler_list const list = handlers_;
    bool found = false;
    bool once = false;
    for (std::size_t i = 0; i < list.size(); ++i)
        if (list.event(i) == event) {
            found = true;
            once = once || list.once(i);
        }
    if (!found)
        return;
    if (once)
        remove_handlers([&](std::string_view e, bool o, listener_id) { return o && e == event; });
    auto self = shared_from_this();
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (!connected_)
            break;
        if (list.event(i) == event)
            guarded(*this, event, [&] { list.fn(i)(*this, args, reply); });
    }
}

void socket::on_ack(std::uint64_t id, message args) {
    if (!extras_)
        return;
    auto& acks = extras_->acks;
    auto it = acks.find(id);
    if (it == acks.end())
        return;
    auto pending = std::move(it->second);
    acks.erase(it);
    if (pending.timer)
        pending.timer->cancel();
    if (pending.broadcast_reply) {
        guarded(*this, "ack", [&] { pending.broadcast_reply(std::move(args)); });
        return;
    }
    if (pending.handler)
        guarded(*this, "ack", [&] {
            std::move(pending.handler)(boost::system::error_code{}, std::move(args));
        });
}

void socket::disconnect(bool close) {
    if (!connected_ || !client_)
        return;
    if (close) {
        client_->disconnect_all();
        return;
    }
    parser::packet p;
    p.type = parser::packet_type::disconnect;
    p.nsp = nsp_->name();
    client_->send(p);
    on_close(disconnect_reason::server_namespace_disconnect);
}

void socket::restore(persisted_session session) {
    auto& more = this->more();
    more.pid = std::move(session.pid);
    more.data = std::move(session.data);
    more.json_data = std::move(session.json_data);
    recovered_ = true;
    more.rooms_to_restore = std::move(session.rooms);
}

void socket::on_close(disconnect_reason reason) {
    if (!connected_)
        return;
    auto self = shared_from_this();
    if (nsp_->server().options().connection_state_recovery) {
        switch (reason) {
        case disconnect_reason::transport_error:
        case disconnect_reason::transport_close:
        case disconnect_reason::forced_close:
        case disconnect_reason::ping_timeout:
        case disconnect_reason::server_shutting_down:
        case disconnect_reason::forced_server_close: {
            // socket.io's RECOVERABLE_DISCONNECT_REASONS.
            auto& more = this->more();
            nsp_->adapter().persist_session(
                {id_, more.pid, rooms(), more.data, more.json_data}, shard_);
            break;
        }
        default:
            break;
        }
    }
    if (extras_)
        for (auto& h : std::vector<disconnect_handler>{extras_->on_disconnecting})
            guarded(*this, "disconnecting", [&] { h(*this, reason); });
    nsp_->adapter().del_all(*this);
    nsp_->remove(*this);
    if (client_)
        client_->remove(*this);
    connected_ = false;
    client_ = nullptr;
    decltype(extras::acks) acks;
    if (extras_)
        acks.swap(extras_->acks);
    for (auto& [id, pending] : acks) {
        if (pending.timer)
            pending.timer->cancel();
        if (pending.handler)
            guarded(*this, "ack", [&] {
                std::move(pending.handler)(make_error_code(error::socket_disconnected), message{});
            });
    }
    if (extras_)
        for (auto& h : std::vector<disconnect_handler>{extras_->on_disconnect})
            guarded(*this, "disconnect", [&] { h(*this, reason); });
}

void ack::send(message args) const {
    if (!state_)
        return;
    auto const answer = [](state& st, message&& args) {
        if (st.used)
            return;
        st.used = true;
        if (auto s = st.owner.lock())
            s->send_ack(st.id, std::move(args));
    };
    if (state_->executor.running_in_this_thread()) {
        answer(*state_, std::move(args)); // the usual case: no copy of the state or arguments
        return;
    }
    net::post(state_->executor, [answer, st = state_, args = std::move(args)]() mutable {
        answer(*st, std::move(args));
    });
}

std::string socket_ref::describe(socket const& s) {
    return "socket_ref dispatch to socket " + s.id() + " on shard " + std::to_string(s.shard());
}

void socket_ref::disconnect(bool close) const {
    dispatch([close](socket& s) { s.disconnect(close); });
}

} // namespace sio
