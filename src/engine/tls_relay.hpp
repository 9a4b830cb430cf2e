#pragma once

// HTTPS/WSS: TLS ends on the accepting shard, and the plaintext reaches the engine through a
// socketpair. The engine then handles the plain end exactly like a TCP connection, including
// moving it to its session's shard — a TLS session cannot move between threads, a descriptor can.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <array>
#include <functional>
#include <memory>

namespace sio::engine::detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;

class tls_relay : public std::enable_shared_from_this<tls_relay> {
public:
    /// Called once the handshake succeeds, with the plain end to serve as a connection.
    using on_ready = std::function<void(tcp::socket plain)>;

    tls_relay(tcp::socket socket, net::ssl::context& context);
    void start(on_ready ready);

private:
    void pump_in();
    void pump_out();
    void stop();

    net::ssl::stream<tcp::socket> tls_;
    net::local::stream_protocol::socket inner_;
    std::array<char, 16 * 1024> in_buf_;
    std::array<char, 16 * 1024> out_buf_;
    bool stopped_ = false;
};

} // namespace sio::engine::detail
