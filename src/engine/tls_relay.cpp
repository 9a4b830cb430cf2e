#include <sio/core/log.hpp>

#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/write.hpp>

#include <engine/tls_relay.hpp>

namespace sio::engine::detail {

tls_relay::tls_relay(tcp::socket socket, net::ssl::context& context)
    : tls_(std::move(socket), context)
    , inner_(tls_.get_executor()) {}

void tls_relay::start(on_ready ready) {
    tls_.async_handshake(
        net::ssl::stream_base::server,
        [self = shared_from_this(), ready = std::move(ready)](boost::system::error_code ec) {
            if (ec) {
                log(log_level::debug, "TLS handshake failed: " + ec.message());
                self->stop();
                return;
            }
            net::local::stream_protocol::socket outer{self->tls_.get_executor()};
            net::local::connect_pair(self->inner_, outer, ec);
            if (ec) {
                self->stop();
                return;
            }
            // The engine speaks to tcp::socket; a stream socketpair behaves the same for it.
            tcp::socket plain{self->tls_.get_executor()};
            auto const fd = outer.release(ec);
            plain.assign(tcp::v4(), fd, ec);
            if (ec) {
                self->stop();
                return;
            }
            self->pump_in();
            self->pump_out();
            ready(std::move(plain));
        });
}

void tls_relay::pump_in() {
    tls_.async_read_some(
        net::buffer(in_buf_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
            if (ec || self->stopped_) {
                // Peer gone: tell the engine with an EOF on its side.
                boost::system::error_code ignored;
                self->inner_.shutdown(net::socket_base::shutdown_send, ignored);
                return;
            }
            net::async_write(
                self->inner_,
                net::buffer(self->in_buf_.data(), n),
                [self](boost::system::error_code ec, std::size_t) {
                    if (ec) {
                        self->stop();
                        return;
                    }
                    self->pump_in();
                });
        });
}

void tls_relay::pump_out() {
    inner_.async_read_some(
        net::buffer(out_buf_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
            if (ec || self->stopped_) {
                // The engine closed: end TLS properly, then the connection.
                self->tls_.async_shutdown([self](boost::system::error_code) { self->stop(); });
                return;
            }
            net::async_write(
                self->tls_,
                net::buffer(self->out_buf_.data(), n),
                [self](boost::system::error_code ec, std::size_t) {
                    if (ec) {
                        self->stop();
                        return;
                    }
                    self->pump_out();
                });
        });
}

void tls_relay::stop() {
    if (stopped_)
        return;
    stopped_ = true;
    boost::system::error_code ignored;
    inner_.close(ignored);
    tls_.lowest_layer().close(ignored);
}

} // namespace sio::engine::detail
