#pragma once

#include <sio/engine/server.hpp>
#include <sio/engine/session.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace sio::engine::detail {

class server_core;
using tcp = net::ip::tcp;

/// One HTTP/1.1 connection: reads requests, hands them to the server, writes responses, and
/// holds a long-polling GET open while its session has nothing to send.
class http_connection : public std::enable_shared_from_this<http_connection> {
public:
    http_connection(
        server_core& server,
        std::size_t shard,
        tcp::socket socket,
        boost::beast::flat_buffer buffer = {},
        bool first_request = true);
    ~http_connection();

    void start();
    /// Handles a request already parsed (by another shard, or by the application).
    void dispatch(http_request request);
    /// Continues on another shard: the descriptor, unread bytes and current request move, and
    /// the request is handled there. Nothing may be pending on the socket.
    void migrate(std::size_t target_shard);

    /// Writes a response, then reads the next request or closes as keep-alive says.
    void respond(http_response response);
    /// A 200 long-polling answer, compressed when the request allows and it is worth it.
    void respond_poll(std::string body, bool compress = true);
    /// "ok" to a POST.
    void respond_ok();

    /// Holds this connection as the session's pending GET; a peer that hangs up is reported
    /// to the session.
    void park(std::weak_ptr<session> owner);
    /// Sets a cookie on the next response of this connection.
    void set_cookie(std::string cookie) { cookie_ = std::move(cookie); }

    /// Gives the socket and unread bytes away (WebSocket upgrade); the connection is done.
    std::pair<tcp::socket, boost::beast::flat_buffer> hand_over();
    std::string remote_address() const;
    /// For connections whose socket is not the peer's own (TLS relay): who and how.
    void set_peer(std::string address, bool secure) {
        peer_address_ = std::move(address);
        secure_ = secure;
    }
    bool is_secure() const noexcept { return secure_; }
    /// The engine answering the current request (CORS, compression); the listener's by default.
    void set_route(server_core& engine) noexcept { route_ = &engine; }
    server_core& listener() const noexcept { return server_; }
    std::size_t shard() const noexcept { return shard_; }
    http_request const& current_request() const noexcept { return request_; }
    void close() noexcept;
    /// Closes the connection unless it is answering or holding a GET (shutdown).
    void close_if_idle() noexcept;

private:
    void watch_parked();
    void wait_for_request();
    void read_request();
    void on_read(boost::system::error_code ec);
    void on_write(boost::system::error_code ec, bool keep_alive);
    void arm_timer(std::chrono::milliseconds timeout);
    void answer_and_close(http_response response);
    /// Ends the connection after an answer without resetting it: half-close, then read and
    /// discard within the lingering bounds, then close.
    void linger();
    void discard_input(std::size_t budget);

    server_core& server_;
    std::shared_ptr<server_core> keep_server_;
    server_core* route_;
    std::size_t shard_;
    tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    http_request request_; // the request being answered (headers for CORS, compression)
    http_response response_;
    std::string head_; // response_'s status line and fields while it is written
    net::steady_timer timer_;
    std::string cookie_;
    std::string peer_address_;
    std::weak_ptr<session> parked_for_;
    std::uint32_t generation_ = 0; // invalidates stale waits and timers
    bool first_request_;
    bool parked_ = false;
    bool busy_ = false; // a request is being handled; no read until it is answered
    bool closed_ = false;
    bool secure_ = false;
};

} // namespace sio::engine::detail
