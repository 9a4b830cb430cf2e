#pragma once

#include <sio/engine/handler.hpp>
#include <sio/engine/io_pool.hpp>
#include <sio/engine/options.hpp>
#include <sio/engine/session.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

namespace sio::engine {

namespace detail {
class server_core;
}

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

/// The application's own routes: every request outside the engine's path comes here, on the
/// connection's shard thread. Fill in `res` (status, headers, body); the engine writes it.
/// Unset: 404.
using http_handler = std::function<void(http_request const& req, http_response& res)>;

/// An Engine.IO v4 server riding on an HTTP server: it owns `options.path`, the application's
/// handler gets every other request on the same port.
class server {
public:
    /// `h` receives every session's events and must outlive the server.
    server(io_pool& pool, handler& h, server_options options = {});
    ~server();
    server(server const&) = delete;
    server& operator=(server const&) = delete;

    /// Serves `other` (another engine on the same io_pool, with its own path) on this server's
    /// listener too. Call before listen().
    void mount(server& other);

    /// Answers GET `path` with these bytes, before any other routing (also inside the engine's
    /// own path). Call before listen().
    void serve(std::string path, std::string content_type, shared_bytes body);

    /// Serves requests outside the engine's path. Call before listen().
    void on_http_request(http_handler app);

    /// Binds host:port once per shard (SO_REUSEPORT, so the kernel spreads connections) and
    /// starts accepting; with `tls`, every connection speaks HTTPS/WSS. Port 0 picks a free
    /// port. Returns the bound endpoint. Call once per address, before the pool runs or from
    /// any thread. Throws boost::system::system_error if the address cannot be bound.
    net::ip::tcp::endpoint listen(
        std::string_view host,
        unsigned short port,
        std::shared_ptr<net::ssl::context> tls = nullptr);

    /// Hands over a connection whose first request the application read itself (for programs
    /// that run their own Beast server); the engine owns it from then on. Any thread.
    void
    accept(net::ip::tcp::socket socket, boost::beast::flat_buffer buffer, http_request request);

    /// Stops accepting and closes every session with reason "server shutting down"; calls
    /// `done` (on some shard) once every connection is gone or after 2 s. Any thread.
    void close(std::function<void()> done = {});

    /// Open sessions, approximate when read while others change it. Any thread.
    std::size_t session_count() const noexcept;
    server_options const& options() const noexcept;

private:
    // Shared with every connection: handlers destroyed after the server (at io_pool shutdown)
    // may still reach it.
    std::shared_ptr<detail::server_core> core_;
};

} // namespace sio::engine
