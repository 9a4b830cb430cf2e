#pragma once

#include <sio/engine/request.hpp>
#include <sio/parser/message.hpp>
#include <sio/server/ack.hpp>
#include <sio/server/broadcast.hpp>
#include <sio/server/disconnect_reason.hpp>
#include <sio/server/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value_to.hpp>

#include <any>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace sio {

namespace net = boost::asio;
class nsp;
class socket;

namespace detail {
class client;
}

/// What the client sent when it connected: the Engine.IO handshake request and the CONNECT
/// packet's auth object.
struct handshake {
    std::shared_ptr<engine::request_info const> request;
    boost::json::object auth;

    std::optional<std::string_view> header(std::string_view name) const noexcept {
        return request->header(name);
    }
    std::optional<std::string_view> query(std::string_view name) const noexcept {
        return request->query_param(name);
    }
    std::string_view address() const noexcept { return request->remote_address(); }
    std::chrono::system_clock::time_point time() const noexcept { return request->time(); }
    bool secure() const noexcept { return request->secure(); }
    /// As Node's socket.handshake object: {headers, time (Date's toString, UTC), address,
    /// xdomain (an Origin header was sent), secure, issued (ms since the epoch), url, query,
    /// auth}. Repeated headers are joined with ", ", as Node's IncomingMessage does.
    boost::json::object to_json() const;
};

/// How a send went, for callers that care about backpressure.
enum class send_status {
    sent,         ///< queued for the client
    dropped,      ///< volatile and the transport was not writable (as Node): not sent
    disconnected, ///< the client was over max_buffered_bytes and has been disconnected
    closed,       ///< the socket is no longer connected
    invalid,      ///< a reserved event name; nothing sent
};

/// Names one registered listener, to remove that one only: off(event, id), off_any(id),
/// off_any_outgoing(id). Node's off(event, fn) finds a listener by the function's identity; a
/// std::function has none, so on/once/on_any... return this instead of the socket. Unique among
/// the socket's listeners of one kind (events, any, any outgoing) for its whole life; a removed
/// listener's id is never reused, and removing an unknown id does nothing.
enum class listener_id : std::uint32_t {};

using event_handler = std::function<void(socket&, message&, ack&)>;
using any_handler = std::function<void(socket&, std::string_view event, message const&)>;
using disconnect_handler = std::function<void(socket&, disconnect_reason)>;
/// Per-packet middleware (socket.use): call next() to go on, next(error) to stop the packet and
/// report `error` to the socket's error handlers.
using packet_next = std::function<void(std::optional<std::string> error)>;
using packet_middleware = std::function<void(socket&, message& event_and_args, packet_next next)>;
using ack_handler = net::any_completion_handler<void(boost::system::error_code, message)>;

/// A weak handle on a socket, safe to keep and to use from any thread: calls post to the
/// socket's shard and do nothing once it is gone.
class socket_ref {
public:
    socket_ref() = default;
    socket_ref(std::weak_ptr<socket> s, net::io_context::executor_type ex)
        : socket_(std::move(s))
        , executor_(std::move(ex)) {}

    /// Runs f(socket&) on the socket's shard if it still exists.
    template <class F> void dispatch(F&& f) const;
    template <class... Args> void emit(std::string_view event, Args&&... args) const;
    void disconnect(bool close = false) const;
    bool expired() const noexcept { return socket_.expired(); }

private:
    static std::string describe(socket const& s);
    std::weak_ptr<socket> socket_;
    std::optional<net::io_context::executor_type> executor_;
};

class socket_emitter;

/// A client's connection to one namespace, as socket.io's Socket. Lives on its client's shard:
/// call its members only from its own handlers, or through ref() from elsewhere.
class socket : public std::enable_shared_from_this<socket> {
public:
    /// Socket.IO id (not the Engine.IO sid), also the name of the socket's own room.
    std::string const& id() const noexcept { return id_; }
    sio::nsp& nsp() const noexcept { return *nsp_; }
    sio::handshake const& handshake() const noexcept { return handshake_; }
    bool connected() const noexcept { return connected_; }
    /// True when the connection state was recovered (same id, rooms and missed packets).
    bool recovered() const noexcept { return recovered_; }
    /// The application's per-socket data (Node's socket.data).
    std::any& data() noexcept;
    /// JSON-visible part of data for fetch_sockets across a cluster.
    boost::json::value& json_data() noexcept;
    net::io_context::executor_type get_executor() const noexcept;
    socket_ref ref() { return {weak_from_this(), get_executor()}; }

    void join(std::string room);
    void join(std::vector<std::string> const& rooms);
    void leave(std::string const& room);
    std::vector<std::string> rooms() const;

    /// Registers a handler for an event. F is one of: (socket&, message const&, ack),
    /// (socket&, message const&), (socket&), or typed (socket&, T1, ..., Tn[, ack]) where each
    /// Ti is converted with boost::json::value_to (a mismatch is logged and the event skipped).
    /// Returns the id that off(event, id) takes to remove this handler only.
    template <class F> listener_id on(std::string event, F&& handler) {
        return add_handler(std::move(event), make_event_handler(std::forward<F>(handler)), false);
    }
    template <class F> listener_id once(std::string event, F&& handler) {
        return add_handler(std::move(event), make_event_handler(std::forward<F>(handler)), true);
    }
    /// Removes every handler of an event (Node's removeAllListeners(event)).
    socket& off(std::string_view event);
    /// Removes one handler of an event, by the id on/once returned (Node's off(event, fn)).
    socket& off(std::string_view event, listener_id id);
    /// Runs for every incoming event, before its handlers, in registration order; prepend_any
    /// puts a listener first (Node's onAny / prependAny).
    listener_id on_any(any_handler h);
    listener_id prepend_any(any_handler h);
    /// Removes every any-listener, or the one named by `id` (Node's offAny()/offAny(fn)).
    socket& off_any();
    socket& off_any(listener_id id);
    /// Runs for every event sent to this client, its own emits and the broadcasts that reach it
    /// (Node's onAnyOutgoing / prependAnyOutgoing / offAnyOutgoing).
    listener_id on_any_outgoing(any_handler h);
    listener_id prepend_any_outgoing(any_handler h);
    socket& off_any_outgoing();
    socket& off_any_outgoing(listener_id id);
    /// Runs when the socket is about to leave (its rooms are still visible).
    socket& on_disconnecting(disconnect_handler h);
    socket& on_disconnect(disconnect_handler h);
    /// Runs for every incoming event before its handlers (socket.use).
    socket& use(packet_middleware m);
    /// Runs when a packet middleware rejects an event (socket.on("error")).
    socket& on_error(std::function<void(socket&, std::string const&)> h);

    template <class... Args> send_status emit(std::string_view event, Args&&... args) {
        return emit_message(make_event(event, std::forward<Args>(args)...), false);
    }
    /// Emits `m` whose first argument is the event name.
    send_status emit_message(message m, bool is_volatile = false, bool compress = true);

    /// Emits and waits for the client's ack; the token is an Asio completion token for
    /// void(error_code, message) (a callback, net::use_awaitable, net::use_future, ...). The
    /// completion runs on the token's associated executor (a strand, the awaiting coroutine's
    /// io_context, bind_executor's), else on the socket's shard, as Asio's own operations do.
    /// Any thread while the socket lives (the emit itself happens on its shard). Errors:
    /// ack_timeout (after timeout(), if one was set), socket_disconnected.
    template <class CompletionToken>
    auto emit_with_ack(std::string_view event, message args, CompletionToken&& token) {
        return initiate_ack(event, std::move(args), std::nullopt, token);
    }

    /// Flags for the next emit: s.volatile_().emit(...), s.timeout(2s).emit_with_ack(...).
    socket_emitter volatile_();
    socket_emitter compress(bool on);
    socket_emitter timeout(std::chrono::milliseconds t);

    /// Everyone in the namespace but this socket.
    broadcast_operator broadcast() const;
    broadcast_operator to(std::string room) const;
    broadcast_operator in(std::string room) const { return to(std::move(room)); }
    broadcast_operator except(std::string room) const;

    /// Leaves the namespace ("server namespace disconnect"); with close, ends the whole
    /// connection ("forced server close" for every socket of it).
    void disconnect(bool close = false);

    /// For adapters: queue an encoded packet for this client, after calling the socket's
    /// outgoing listeners (decoding the packet for them, only if it has any). Volatile packets
    /// are dropped when the transport is not writable. Own shard only.
    send_status
    deliver(encoded_packet const& packet, bool is_volatile = false, bool compress = true);
    /// For adapters: register a pending broadcast ack under `id`.
    void expect_ack(std::uint64_t id, std::function<void(message)> on_ack);

    // Constructed by the server.
    socket(
        detail::client& client, sio::nsp& n, std::string id, sio::handshake hs, std::size_t shard);
    ~socket();
    socket(socket const&) = delete;
    socket& operator=(socket const&) = delete;

    std::size_t shard() const noexcept { return shard_; }

private:
    friend class detail::client;
    friend class socket_emitter;
    friend class ack;

    template <class... Args> static message make_event(std::string_view event, Args&&... args) {
        return message::of(event, std::forward<Args>(args)...);
    }
    template <class F> static event_handler make_event_handler(F&& f);
    template <class CompletionToken>
    auto initiate_ack(
        std::string_view event,
        message args,
        std::optional<std::chrono::milliseconds> timeout,
        CompletionToken& token);

    listener_id add_handler(std::string event, event_handler h, bool once);
    template <class Pred> void remove_handlers(Pred pred);
    static listener_id add_any(
        std::vector<any_handler>& all,
        std::vector<listener_id>& ids,
        std::uint32_t& last,
        any_handler h,
        bool first);
    static void remove_any(
        std::vector<any_handler>& all,
        std::vector<listener_id>& ids,
        std::optional<listener_id> id);
    void start_ack(
        std::string event,
        message args,
        std::optional<std::chrono::milliseconds> timeout,
        ack_handler handler);
    void send_ack(std::uint64_t id, message args);
    void notify_outgoing(encoded_packet const& packet);

    // From the client.
    void on_connect_complete();
    void restore(persisted_session session);
    void on_event(message args, std::optional<std::uint64_t> ack_id);
    void dispatch_event(message& args, std::optional<std::uint64_t> ack_id);
    void on_ack(std::uint64_t id, message args);
    void on_close(disconnect_reason reason);

    struct handler_entry {
        std::string_view event;
        event_handler fn;
        bool once;
        listener_id id;
    };
    struct pending_ack;
    // What most sockets never use (data, recovery state, acks awaited, rarer handlers): one
    // block allocated on first use, so an idle socket does not carry it.
    struct extras;
    extras& more();

    detail::client* client_;
    sio::nsp* nsp_;
    std::string id_;
    sio::handshake handshake_;
    std::uint32_t shard_;
    bool connected_ = false;
    bool recovered_ = false;
    // In registration order; a socket has a handful of events, and a flat array costs one
    // allocation where a hash map of vectors costs a bucket array and two per event. Copy on
    // write: an event runs the list it found, whatever its handlers add or remove. The count
    // (touched only on the socket's shard, so not atomic), the size, the last listener id given,
    // the slots (a function, its id, and where its event's name is) and the names share one
    // block.
    class handler_list {
    public:
        handler_list() noexcept = default;
        // Takes the entries' functions; `last_id` is the last id ever given, kept across lists.
        handler_list(std::span<handler_entry> entries, std::uint32_t last_id);
        handler_list(handler_list const& other) noexcept;
        handler_list(handler_list&& other) noexcept;
        handler_list& operator=(handler_list other) noexcept;
        ~handler_list();

        std::size_t size() const noexcept;
        std::string_view event(std::size_t i) const noexcept;
        bool once(std::size_t i) const noexcept;
        event_handler const& fn(std::size_t i) const noexcept;
        listener_id id(std::size_t i) const noexcept;
        std::uint32_t last_id() const noexcept;

    private:
        struct block;
        struct slot;
        slot* slots() const noexcept;
        block* block_ = nullptr;
    };
    handler_list handlers_;
    std::unique_ptr<extras> extras_;
};

/// A socket with flags for its next emit (volatile, compress, timeout).
class socket_emitter {
public:
    socket_emitter(
        socket& s,
        bool is_volatile,
        std::optional<std::chrono::milliseconds> t,
        bool compress = true)
        : socket_(&s)
        , is_volatile_(is_volatile)
        , compress_(compress)
        , timeout_(t) {}

    socket_emitter volatile_() const { return {*socket_, true, timeout_, compress_}; }
    socket_emitter compress(bool on) const { return {*socket_, is_volatile_, timeout_, on}; }
    socket_emitter timeout(std::chrono::milliseconds t) const {
        return {*socket_, is_volatile_, t, compress_};
    }

    template <class... Args> send_status emit(std::string_view event, Args&&... args) const {
        return socket_->emit_message(
            socket::make_event(event, std::forward<Args>(args)...), is_volatile_, compress_);
    }
    template <class CompletionToken>
    auto emit_with_ack(std::string_view event, message args, CompletionToken&& token) const {
        return socket_->initiate_ack(event, std::move(args), timeout_, token);
    }

private:
    socket* socket_;
    bool is_volatile_;
    bool compress_;
    std::optional<std::chrono::milliseconds> timeout_;
};

} // namespace sio

#include <sio/server/impl/socket.hpp>
