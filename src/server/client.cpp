#include <sio/core/log.hpp>
#include <sio/parser/encode.hpp>
#include <sio/server/nsp.hpp>

#include <boost/asio/post.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <new>
#include <server/client.hpp>
#include <server/server_state.hpp>
#include <utility>

namespace sio::detail {

client::client(server_state& server, engine::session& session)
    : server_(server)
    , session_(&session)
    // Events and acks whose JSON is already canonical stay text: relayed without a parse.
    , decoder_(parser::decode_options{
          .max_attachments = server.options.max_attachments, .keep_json_text = true})
    , connect_timer_(std::make_unique<net::steady_timer>(session.get_executor())) {}

client::~client() = default;

client::socket_list::socket_list(socket_list const& other) {
    for (std::uint32_t i = 0; i < other.size_; ++i)
        push_back(other.data()[i]);
}

client::socket_list::socket_list(socket_list&& other) noexcept {
    take(other);
}

client::socket_list& client::socket_list::operator=(socket_list&& other) noexcept {
    if (this != &other) {
        clear();
        release();
        take(other);
    }
    return *this;
}

client::socket_list::~socket_list() {
    clear();
    release();
}

void client::socket_list::push_back(std::shared_ptr<socket> s) {
    if (size_ == capacity_) {
        std::uint32_t const grown = capacity_ * 2;
        auto* fresh = std::allocator<std::shared_ptr<socket>>{}.allocate(grown);
        auto* old = data();
        for (std::uint32_t i = 0; i < size_; ++i) {
            ::new (fresh + i) std::shared_ptr<socket>(std::move(old[i]));
            old[i].~shared_ptr();
        }
        release();
        heap_ = fresh;
        capacity_ = grown;
    }
    ::new (data() + size_) std::shared_ptr<socket>(std::move(s));
    ++size_;
}

void client::socket_list::erase(iterator it) noexcept {
    std::move(it + 1, end(), it);
    --size_;
    data()[size_].~shared_ptr();
}

void client::socket_list::clear() noexcept {
    for (auto& s : *this)
        s.~shared_ptr();
    size_ = 0;
}

// Frees the heap array (the list must be empty); the list is then inline and empty.
void client::socket_list::release() noexcept {
    if (capacity_ > 1)
        std::allocator<std::shared_ptr<socket>>{}.deallocate(heap_, capacity_);
    capacity_ = 1;
}

// Takes the other's sockets; this one is empty and inline.
void client::socket_list::take(socket_list& other) noexcept {
    if (other.capacity_ > 1) {
        heap_ = std::exchange(other.heap_, nullptr);
        capacity_ = std::exchange(other.capacity_, 1);
        size_ = std::exchange(other.size_, 0);
        return;
    }
    if (other.size_ == 1) {
        ::new (data()) std::shared_ptr<socket>(std::move(*other.data()));
        other.data()->~shared_ptr();
    }
    size_ = std::exchange(other.size_, 0);
}

client::socket_list::iterator client::find(std::string_view name) noexcept {
    return std::find_if(sockets_.begin(), sockets_.end(), [name](auto const& s) {
        return s->nsp().name() == name;
    });
}

void client::start() {
    connect_timer_->expires_after(server_.options.connect_timeout);
    connect_timer_->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (ec)
            return;
        // socket.io: a connection that joins no namespace in time is closed, whatever CONNECTs
        // it sent (refused ones, or ones whose middlewares have not answered yet).
        auto self = weak.lock();
        if (self && std::none_of(self->sockets_.begin(), self->sockets_.end(), [](auto const& s) {
                return s->connected();
            }))
            self->close(disconnect_reason::forced_close);
    });
}

void client::on_message(std::string_view data, bool binary) {
    if (!binary) {
        parser::packet p;
        auto const complete = decoder_.on_text(data, p);
        if (!complete) {
            on_parse_error(complete.error());
            return;
        }
        if (*complete)
            on_packet(std::move(p));
        return;
    }
    auto result = decoder_.on_binary(data);
    if (!result) {
        on_parse_error(result.error());
        return;
    }
    if (*result)
        on_packet(std::move(**result));
}

void client::on_parse_error(boost::system::error_code ec) {
    if (session_ && log_enabled(log_level::info))
        log(log_level::info,
            "closing " + std::string{session_->request().remote_address()} +
                ": parse error: " + ec.message());
    close(disconnect_reason::parse_error);
}

namespace {

// The arguments an EVENT or ACK carries: as values, or as the text the decoder kept.
message arguments(parser::packet& p) {
    if (!p.json.empty())
        return message::from_canonical_json(std::move(p.json));
    message m{std::move(p.data.as_array())};
    m.attachments = std::move(p.attachments);
    return m;
}

} // namespace

void client::on_packet(parser::packet&& p) {
    if (p.type == parser::packet_type::connect) {
        connect(std::move(p.nsp), std::move(p.data));
        return;
    }
    auto it = find(p.nsp);
    if (it == sockets_.end() || !(*it)->connected())
        return; // as Node: packets for a namespace this client is not in are ignored
    auto s = *it;
    switch (p.type) {
    case parser::packet_type::event:
    case parser::packet_type::binary_event:
        s->on_event(arguments(p), p.id);
        break;
    case parser::packet_type::ack:
    case parser::packet_type::binary_ack:
        if (p.id)
            s->on_ack(*p.id, arguments(p));
        break;
    case parser::packet_type::disconnect:
        s->on_close(disconnect_reason::client_namespace_disconnect);
        break;
    default:
        break;
    }
}

void client::connect(std::string name, boost::json::value auth) {
    if (find(name) != sockets_.end())
        return;
    boost::json::object auth_object;
    if (auto* o = auth.if_object())
        auth_object = std::move(*o);
    nsp* n = server_.find_nsp(name, auth_object);
    if (!n) {
        parser::packet refusal;
        refusal.type = parser::packet_type::connect_error;
        refusal.nsp = std::move(name);
        refusal.data = boost::json::object{{"message", "Invalid namespace"}};
        send(refusal);
        return;
    }
    auto const* pid = auth_object.if_contains("pid");
    auto const* offset = auth_object.if_contains("offset");
    if (server_.options.connection_state_recovery && pid && offset && pid->is_string() &&
        offset->is_string()) {
        if (!restoring_)
            restoring_ = std::make_unique<std::vector<std::string>>();
        if (std::find(restoring_->begin(), restoring_->end(), name) != restoring_->end())
            return;
        restoring_->push_back(name);
        // The session is looked up on the shard it lived on; the answer comes back here.
        n->adapter().restore_session(
            std::string{pid->get_string()},
            std::string{offset->get_string()},
            [weak = weak_from_this(),
             ex = session_->get_executor(),
             n,
             name,
             auth = std::move(auth_object)](std::optional<restored_session> restored) mutable {
                net::post(
                    ex,
                    [weak,
                     n,
                     name = std::move(name),
                     auth = std::move(auth),
                     restored = std::move(restored)]() mutable {
                        auto self = weak.lock();
                        if (!self)
                            return;
                        if (self->restoring_) {
                            std::erase(*self->restoring_, name);
                            if (self->restoring_->empty())
                                self->restoring_.reset();
                        }
                        self->admit(*n, std::move(name), std::move(auth), std::move(restored));
                    });
            });
        return;
    }
    admit(*n, std::move(name), std::move(auth_object), std::nullopt);
}

void client::admit(
    nsp& n, std::string name, boost::json::object auth, std::optional<restored_session> restored) {
    if (!session_ || find(name) != sockets_.end())
        return;
    auto id = restored ? restored->session.sid : server_.make_socket_id(session_->shard());
    auto s = std::make_shared<socket>(
        *this,
        n,
        std::move(id),
        handshake{session_->shared_request(), std::move(auth)},
        session_->shard());
    std::vector<std::shared_ptr<encoded_packet const>> missed;
    if (restored) {
        missed = std::move(restored->missed);
        s->restore(std::move(restored->session));
    }
    sockets_.push_back(s);
    if (restored && server_.options.connection_state_recovery->skip_middlewares) {
        finish_connect(s, std::nullopt, std::move(missed));
        return;
    }
    n.run_middlewares(
        s,
        0,
        [weak = weak_from_this(), s, missed = std::move(missed)](
            std::optional<connect_error> error) mutable {
            if (auto self = weak.lock())
                self->finish_connect(s, std::move(error), std::move(missed));
        });
}

void client::finish_connect(
    std::shared_ptr<socket> s,
    std::optional<connect_error> error,
    std::vector<std::shared_ptr<encoded_packet const>> missed) {
    if (!session_)
        return;
    auto it = find(s->nsp().name());
    if (it == sockets_.end() || *it != s)
        return;
    if (error) {
        sockets_.erase(it);
        parser::packet refusal;
        refusal.type = parser::packet_type::connect_error;
        refusal.nsp = s->nsp().name();
        boost::json::object body{{"message", error->message}};
        if (!error->data.is_null())
            body.emplace("data", std::move(error->data));
        refusal.data = std::move(body);
        send(refusal);
        return;
    }
    connect_timer_.reset(); // a namespace is joined: cancels its wait, and no timer is kept
    s->on_connect_complete();
    // What it missed, after its CONNECT, in the order its old shard delivered it; written as
    // is, as Node's socket.packet() does, without calling the outgoing listeners again.
    for (auto const& packet : missed) {
        if (!s->connected())
            break;
        send(*packet, false);
    }
}

send_status client::send(encoded_packet const& packet, bool is_volatile, bool compress) {
    if (!session_)
        return send_status::closed;
    // As socket.io: a volatile packet goes only if the transport can write it at once.
    if (is_volatile && !session_->is_writable())
        return send_status::dropped;
    // The bound is the last resort, for what is not volatile.
    if (session_->buffered_bytes() > server_.options.max_buffered_bytes) {
        if (is_volatile)
            return send_status::dropped;
        // Not from inside the caller's loop (a broadcast walks room sets that closing edits).
        log(log_level::warn,
            "client " + std::string{session_->request().remote_address()} +
                " over max_buffered_bytes: disconnecting");
        net::post(session_->get_executor(), [weak = weak_from_this()] {
            if (auto self = weak.lock())
                self->close(disconnect_reason::send_buffer_full);
        });
        return send_status::disconnected;
    }
    session_->send(packet.text, false, compress);
    for (auto const& a : packet.attachments)
        session_->send(a, true, compress);
    return send_status::sent;
}

namespace {

// Packets are encoded in the thread's scratch string, whose capacity stays, then copied once
// into the shared buffer the session queues: one allocation per packet sent.
std::string& encode_scratch() {
    thread_local std::string scratch;
    scratch.clear();
    return scratch;
}

} // namespace

send_status client::send(parser::packet const& packet, bool is_volatile, bool compress) {
    auto& scratch = encode_scratch();
    parser::encode_to(packet, scratch);
    encoded_packet out{shared_bytes::copy_of(scratch), packet.attachments, {}};
    return send(out, is_volatile, compress);
}

send_status client::send_json(
    parser::packet_type type,
    std::string_view nsp,
    std::optional<std::uint64_t> id,
    std::string_view json,
    bool is_volatile,
    bool compress) {
    auto& scratch = encode_scratch();
    parser::encode_json_to(type, nsp, id, json, scratch);
    encoded_packet out{shared_bytes::copy_of(scratch), {}, {}};
    return send(out, is_volatile, compress);
}

void client::close(disconnect_reason reason) {
    auto self = shared_from_this();
    auto sockets = std::move(sockets_);
    sockets_.clear();
    for (auto& s : sockets) {
        if (s->connected())
            s->on_close(reason);
        else
            s->client_ = nullptr;
    }
    if (auto* session = session_) {
        session_ = nullptr;
        connect_timer_.reset();
        session->close();
    }
}

void client::disconnect_all() {
    auto self = shared_from_this();
    auto sockets = sockets_;
    for (auto& s : sockets) {
        if (s->connected())
            s->disconnect(false);
    }
    close(disconnect_reason::forced_server_close);
}

void client::on_close(engine::close_reason reason) {
    auto self = shared_from_this();
    session_ = nullptr;
    connect_timer_.reset();
    decoder_.reset();
    auto sockets = std::move(sockets_);
    sockets_.clear();
    for (auto& s : sockets) {
        if (s->connected())
            s->on_close(from_engine(reason));
        else
            s->client_ = nullptr;
    }
}

void client::remove(socket const& s) {
    auto it = find(s.nsp().name());
    if (it != sockets_.end() && it->get() == &s)
        sockets_.erase(it);
}

} // namespace sio::detail
