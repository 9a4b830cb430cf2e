#pragma once

#include <sio/core/shared_bytes.hpp>
#include <sio/engine/close_reason.hpp>
#include <sio/engine/detail/deadline_hook.hpp>
#include <sio/engine/packet.hpp>
#include <sio/engine/request.hpp>

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sio::engine {

namespace net = boost::asio;

namespace detail {
class server_core;
class http_connection;
class ws_transport;
} // namespace detail

enum class transport_kind : std::uint8_t { polling, websocket };

std::string_view to_string(transport_kind t) noexcept;

/// One Engine.IO connection. It lives on one shard (io_context) for its whole life; every member
/// function must be called on that shard's thread (use get_executor() to get there).
// The session is its own heartbeat deadline hook (a ping due, a pong or a polling close overdue).
class session : public std::enable_shared_from_this<session>, private detail::deadline_hook {
public:
    static constexpr std::size_t sid_size = 20;

    /// The Engine.IO session id (CSPRNG; its first character names the shard).
    std::string_view sid() const noexcept { return {sid_, sizeof sid_}; }
    transport_kind transport() const noexcept {
        return poll_ ? transport_kind::polling : transport_kind::websocket;
    }
    /// The handshake request: headers, query, peer address, time.
    request_info const& request() const noexcept { return *request_; }
    /// The same request, shared: whoever keeps it (the Socket.IO handshake) needs no copy.
    std::shared_ptr<request_info const> const& shared_request() const noexcept { return request_; }
    bool is_open() const noexcept { return state_ == state::open; }
    /// True while a WebSocket probe is in progress.
    bool is_upgrading() const noexcept { return poll_ && poll_->probe != nullptr; }
    net::io_context::executor_type get_executor() const noexcept;
    /// Index of the shard (io_pool context) the session lives on.
    std::size_t shard() const noexcept { return shard_; }

    /// Bytes queued and not yet handed to the kernel: the sender's view of backpressure.
    std::size_t buffered_bytes() const noexcept;
    /// True when a message sent now would be written at once, as engine.io's
    /// `transport.writable`: nothing queued, and over WebSocket no write in flight, over polling
    /// a GET parked. socket.io drops a volatile packet otherwise.
    bool is_writable() const noexcept;

    /// Queues one message; all messages queued in one event-loop turn leave in one write.
    /// `data` is shared, never copied: a broadcast passes the same bytes to every session.
    /// Ignored once the session is closing.
    /// With `compress` false the message is never deflated (permessage-deflate) and does not
    /// make a polling answer compressed.
    void send(shared_bytes data, bool binary = false, bool compress = true);

    /// Closes the session after what is queued has been sent ("forced close").
    void close();

    /// A slot for the layer above (the Socket.IO client object of this connection).
    void set_context(std::shared_ptr<void> context) noexcept { context_ = std::move(context); }
    void* context() const noexcept { return context_.get(); }

    // Constructed by the server only.
    session(
        detail::server_core& server,
        std::size_t shard,
        std::string_view sid,
        std::shared_ptr<request_info const> request,
        transport_kind transport);
    ~session();
    session(session const&) = delete;
    session& operator=(session const&) = delete;

private:
    friend class detail::server_core;
    friend class detail::http_connection;
    friend class detail::ws_transport;

    enum class state : std::uint8_t { open, closing, closed };

    struct out_packet {
        packet_type type;
        shared_bytes data;
        bool binary;
        bool compress = true;
    };

    // Called by the server and the transports, on this shard.
    void open(std::shared_ptr<detail::ws_transport> ws);
    void on_packet(packet_view p);
    void on_probe_packet(detail::ws_transport& ws, packet_view p);
    void on_poll(std::shared_ptr<detail::http_connection> conn);
    void on_post(detail::http_connection& conn, std::string_view body);
    void begin_upgrade(std::shared_ptr<detail::ws_transport> ws);
    void on_transport_closed(detail::ws_transport const& ws, close_reason reason);
    void on_poll_aborted(detail::http_connection const& conn);
    void begin_close(close_reason reason);
    void finish(close_reason reason, bool by_peer = false);

    void queue(packet_type type, shared_bytes data, bool binary, bool compress = true);
    void schedule_flush();
    void flush();
    void respond_poll(std::string body, bool compress = true);
    void arm_ping();
    void arm_pong_deadline();
    void wait_for_pong();
    void drop_probe();
    // Expiry of the shard's deadline lists (engine/deadline_list.hpp).
    static void on_ping_due(detail::deadline_hook& h);
    static void on_pong_overdue(detail::deadline_hook& h);
    static void on_close_overdue(detail::deadline_hook& h);
    static void on_upgrade_overdue(detail::deadline_hook& h);
    detail::deadline_hook& heartbeat() noexcept { return *this; }

    // What only a polling session uses (a parked GET, an upgrade probe and its deadline, which
    // this block is): made with a polling session, gone once it upgrades (so the session is a
    // polling one while it exists), never made for a WebSocket one.
    struct polling_state : detail::deadline_hook {
        explicit polling_state(session& s) noexcept
            : owner(&s) {}
        ~polling_state();
        session* owner;
        std::shared_ptr<detail::http_connection> pending_get;
        std::shared_ptr<detail::ws_transport> probe;
        bool probed = false;       // "2probe" answered; the pending GET is released with a noop
        bool close_queued = false; // polling close: "1" goes out with the next GET
    };

    detail::server_core& server_;
    std::shared_ptr<request_info const> request_;
    char sid_[sid_size]; // inline: every sid has this length
    // With the sid, 24 bytes.
    std::uint8_t shard_; // at most 64
    state state_ = state::open;
    close_reason close_reason_ = close_reason::forced_close;
    bool flush_scheduled_ : 1 = false;
    bool awaiting_pong_ : 1 = false;
    bool pong_deadline_extended_ : 1 = false; // engine.io 6.6: once per ping
    std::vector<out_packet> queue_;
    std::size_t queued_bytes_ = 0;
    std::shared_ptr<detail::ws_transport> ws_;
    std::unique_ptr<polling_state> poll_;
    std::shared_ptr<void> context_;
};

} // namespace sio::engine
