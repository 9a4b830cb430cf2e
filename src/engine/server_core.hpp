#pragma once

#include <sio/engine/error.hpp>
#include <sio/engine/handler.hpp>
#include <sio/engine/io_pool.hpp>
#include <sio/engine/options.hpp>
#include <sio/engine/server.hpp>
#include <sio/engine/session.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <cstddef>
#include <engine/deadline_list.hpp>
#include <engine/ws_deflate.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sio::engine::detail {

using tcp = net::ip::tcp;

class http_connection;
class ws_transport;

// Hash and equality of sessions by sid, for a set of sessions looked up by sid.
struct sid_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sid) const noexcept {
        return std::hash<std::string_view>{}(sid);
    }
    std::size_t operator()(std::shared_ptr<session> const& s) const noexcept {
        return (*this)(s->sid());
    }
};
struct sid_equal {
    using is_transparent = void;
    static std::string_view key(std::string_view sid) noexcept { return sid; }
    static std::string_view key(std::shared_ptr<session> const& s) noexcept { return s->sid(); }
    template <class A, class B> bool operator()(A const& a, B const& b) const noexcept {
        return key(a) == key(b);
    }
};

/// What the engine shares between its sessions and connections. Per-shard state is touched only
/// on that shard's thread; the atomics are counters read for limits and stats, never per message.
class server_core : public std::enable_shared_from_this<server_core> {
public:
    server_core(io_pool& pool, handler& h, server_options options);

    struct shard_state {
        shard_state(net::io_context& ctx, server_options const& options);

        // Every session's heartbeat and upgrade deadlines (declared before the sessions, so
        // that they outlive them).
        deadline_list ping_due;
        deadline_list pong_overdue;
        deadline_list close_overdue;
        deadline_list upgrade_overdue;
        /// By sid, which each session holds: a node is the pointer alone (no key, no cached
        /// hash), looked up by a string_view.
        std::unordered_set<std::shared_ptr<session>, sid_hash, sid_equal> sessions;
        std::vector<std::shared_ptr<tcp::acceptor>> acceptors;
        /// Live connections on this shard, so shutdown can close idle keep-alive ones.
        std::unordered_set<http_connection*> connections;
        /// Shared by the shard's WebSockets: no context takeover, so one pair serves all.
        std::unique_ptr<ws_deflate> deflate;
        std::string random_pool;
        std::size_t random_used = 0;
    };

    io_pool& pool;
    handler& app_handler;
    server_options const options;
    http_handler app_routes;
    /// Fixed files answered before any routing (the Socket.IO client bundle under /socket.io/).
    struct static_file {
        std::string content_type;
        shared_bytes body;
    };
    std::unordered_map<std::string, static_file> static_files;
    /// Other engines served on this one's listener (each owns its own path).
    std::vector<server_core*> mounts;
    std::vector<std::unique_ptr<shard_state>> shards;
    std::atomic<std::size_t> connection_count{0};
    std::atomic<std::size_t> session_count{0};
    std::atomic<bool> closing{false};

    shard_state& shard(std::size_t index) noexcept { return *shards[index]; }
    std::optional<std::size_t> shard_of(net::any_io_executor const& ex) const noexcept;

    /// Handles one parsed request on the connection's shard (engine path or application route).
    void handle(std::shared_ptr<http_connection> conn, http_request& request);
    /// Starts accepting on one shard's acceptor.
    void accept_loop(
        std::size_t shard,
        std::shared_ptr<tcp::acceptor> acceptor,
        std::shared_ptr<net::ssl::context> tls);
    /// Ends every session of one shard and closes its idle connections (on that shard).
    void shutdown_shard(std::size_t shard);
    /// The engine (this one or a mounted one) that owns a request path; null if none.
    server_core* route_for(std::string_view path) noexcept;
    /// Ends the session an over-limit POST was for (on its shard).
    void close_oversized(http_request const& header);
    /// Erases a finished session from its shard's map.
    void remove(session& s);

    /// A fresh unguessable sid whose first character names the shard.
    std::string make_sid(std::size_t shard);
    /// The shard a sid names, if it can be one of ours.
    std::optional<std::size_t> sid_shard(std::string_view sid) const noexcept;

    /// Status and JSON body Node answers for an engine error.
    http_response
    error_response(error e, http_request const& req, std::string_view message = {}) const;
    /// Adds the CORS headers this request's origin earns.
    void add_cors(http_request const& req, http_response& res) const;
    /// The JSON of the open packet.
    std::string open_packet(std::string_view sid, transport_kind transport) const;

private:
    void handle_engine(std::shared_ptr<http_connection> const& conn, http_request& request);
    void handshake(
        std::shared_ptr<http_connection> const& conn,
        http_request& request,
        transport_kind transport,
        bool upgrade);
    void upgrade(std::shared_ptr<http_connection> const& conn, http_request& request, session& s);
    std::shared_ptr<ws_transport> accept_websocket(
        std::shared_ptr<http_connection> const& conn, http_request& request, std::string_view sid);
};

/// Percent-decoded query parameters of a request target.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view target);

} // namespace sio::engine::detail
