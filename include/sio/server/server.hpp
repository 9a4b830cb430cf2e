#pragma once

#include <sio/engine/io_pool.hpp>
#include <sio/engine/server.hpp>
#include <sio/server/adapter.hpp>
#include <sio/server/nsp.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string_view>

namespace sio {

namespace detail {
class server_state;
}

/// Engine options with Socket.IO's path.
inline engine::server_options socketio_engine_options() {
    engine::server_options o{};
    o.path = "/socket.io";
    return o;
}

/// Connection state recovery (socket.io 4.6+): a client that reconnects within the window gets
/// its id, rooms, data and every broadcast it missed.
struct recovery_options {
    /// How long a disconnected session and the packets it may miss are kept. Default 120000 ms.
    std::chrono::milliseconds max_disconnection_duration{120000};
    /// A recovered connection skips the namespace middlewares. Default true.
    bool skip_middlewares = true;
};

/// Socket.IO server options. Defaults are socket.io 4.8's, plus the limits Node lacks.
struct server_options {
    /// Engine.IO options (path "/socket.io", ping 25 s / 20 s, max_http_buffer_size 1e6, ...).
    engine::server_options engine = socketio_engine_options();
    /// Time a client has after the Engine.IO handshake to connect to a namespace. Default 45000 ms.
    std::chrono::milliseconds connect_timeout{45000};
    /// Bytes a client may have queued and unsent; past it any packet but a volatile one (already
    /// dropped whenever the transport is not writable, as Node) disconnects the client ("send
    /// buffer full"). Default 16 MiB.
    std::size_t max_buffered_bytes = 16u << 20;
    /// Most binary attachments one packet may announce; more closes the connection ("parse
    /// error"). Default 10, socket.io-parser's maxAttachments.
    std::size_t max_attachments = 10;
    /// Connection state recovery; off by default, as in Node.
    std::optional<recovery_options> connection_state_recovery{};
    /// Creates each namespace's adapter; default: in-memory (this process only).
    adapter_factory adapter{};
};

/// Decides whether a dynamic namespace name may be created (io.of(regex / function)).
using nsp_predicate = std::function<bool(std::string_view name, boost::json::object const& auth)>;

/// A Socket.IO v5 server on an Engine.IO v4 server, on the application's own HTTP port.
class server {
public:
    explicit server(io_pool& pool, server_options options = {});
    ~server();
    server(server const&) = delete;
    server& operator=(server const&) = delete;

    /// The namespace with this name, created on first use. Set-up time only (before listen).
    nsp& of(std::string_view name);
    /// Dynamic namespaces: a name the predicate accepts is created on its first connection and
    /// set up by `init` (register its handlers there). Set-up time only.
    void of(nsp_predicate accept, std::function<void(nsp&)> init);
    /// Dynamic namespaces whose whole name matches `pattern` (io.of(/^\/dynamic-\d+$/)).
    void of(std::regex const& pattern, std::function<void(nsp&)> init) {
        of(
            [pattern](std::string_view name, boost::json::object const&) {
                return std::regex_match(name.begin(), name.end(), pattern);
            },
            std::move(init));
    }
    /// The main namespace "/".
    nsp& sockets() { return of("/"); }

    server& on_connection(connection_handler h) {
        sockets().on_connection(std::move(h));
        return *this;
    }
    server& use(middleware m) {
        sockets().use(std::move(m));
        return *this;
    }
    broadcast_operator to(std::string room) { return sockets().to(std::move(room)); }
    broadcast_operator in(std::string room) { return to(std::move(room)); }
    broadcast_operator except(std::string room) { return sockets().except(std::move(room)); }
    broadcast_operator local() { return sockets().local(); }
    broadcast_operator volatile_() { return sockets().volatile_(); }
    broadcast_operator timeout(std::chrono::milliseconds t) { return sockets().timeout(t); }
    template <class... Args> void emit(std::string_view event, Args&&... args) {
        sockets().emit(event, std::forward<Args>(args)...);
    }
    void fetch_sockets(std::function<void(std::vector<socket_info>)> done) {
        sockets().fetch_sockets(std::move(done));
    }
    void sockets_join(std::vector<std::string> rooms) { sockets().sockets_join(std::move(rooms)); }
    void sockets_leave(std::vector<std::string> rooms) {
        sockets().sockets_leave(std::move(rooms));
    }
    void disconnect_sockets(bool close = false) { sockets().disconnect_sockets(close); }

    /// Serves the browser client (npm socket.io-client's dist/socket.io.js) at
    /// <path>/socket.io.js, as Node's socket.io does. Set-up time only.
    void serve_client(shared_bytes script);

    /// The application's own routes on the same port (everything outside /socket.io/).
    void on_http_request(engine::http_handler app);
    /// Starts serving; see engine::server::listen.
    net::ip::tcp::endpoint listen(
        std::string_view host,
        unsigned short port,
        std::shared_ptr<net::ssl::context> tls = nullptr);
    /// Disconnects every socket ("server shutting down") and closes the engine; `done` runs
    /// once every connection is gone (or after 2 s). Any thread.
    void close(std::function<void()> done = {});

    engine::server& engine() noexcept;
    server_options const& options() const noexcept;
    io_pool& pool() noexcept;

private:
    friend class nsp;
    friend class socket;
    friend class broadcast_operator;
    friend class detail::client;
    /// A fresh recovery offset: unique, and increasing within this process.
    std::string make_offset();
    std::unique_ptr<detail::server_state> state_{};
};

} // namespace sio
