// The server the official Engine.IO v4 and Socket.IO v5 test suites run against: Engine.IO at
// /engine.io/ echoing every message, Socket.IO at /socket.io/ with the suite's handlers, both
// with the timings the suites expect.
#include <sio/core/log.hpp>
#include <sio/engine/server.hpp>
#include <sio/server.hpp>

#include <boost/asio/signal_set.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

namespace {

class echo_handler final : public sio::engine::handler {
public:
    void on_open(sio::engine::session&) override {}
    void on_message(sio::engine::session& s, std::string_view data, bool binary) override {
        s.send(sio::shared_bytes{std::string{data}}, binary);
    }
    void on_close(sio::engine::session&, sio::engine::close_reason) override {}
};

[[noreturn]] void usage() {
    std::cerr << "usage: conformance_server --port P [--threads N] [--headers-timeout-ms MS] "
                 "[--ping-interval-ms MS] [--ping-timeout-ms MS] [--max-connections N] "
                 "[--cookie] [--require-header NAME] [--per-message-deflate] [--tls-cert PEM "
                 "--tls-key PEM] "
                 "[--verbose]\n";
    std::exit(2);
}

} // namespace

int main(int argc, char** argv) {
    unsigned short port = 3000;
    std::size_t threads = 0;
    std::string tls_cert;
    std::string tls_key;
    sio::engine::server_options options;
    options.ping_interval = std::chrono::milliseconds(300);
    options.ping_timeout = std::chrono::milliseconds(200);
    options.max_http_buffer_size = 1'000'000;
    options.cors = sio::engine::cors_options{};
    for (int i = 1; i < argc; ++i) {
        std::string_view const arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                usage();
            return argv[++i];
        };
        if (arg == "--port")
            port = static_cast<unsigned short>(std::stoi(value()));
        else if (arg == "--threads")
            threads = std::stoul(value());
        else if (arg == "--headers-timeout-ms")
            options.headers_timeout = std::chrono::milliseconds(std::stol(value()));
        else if (arg == "--ping-interval-ms")
            options.ping_interval = std::chrono::milliseconds(std::stol(value()));
        else if (arg == "--ping-timeout-ms")
            options.ping_timeout = std::chrono::milliseconds(std::stol(value()));
        else if (arg == "--max-connections")
            options.max_connections = std::stoul(value());
        else if (arg == "--tls-cert")
            tls_cert = value();
        else if (arg == "--tls-key")
            tls_key = value();
        else if (arg == "--cookie")
            options.cookie = sio::engine::cookie_options{};
        else if (arg == "--require-header") {
            // allow_request: a handshake without this header is refused (403, code 4).
            options.allow_request =
                [name =
                     value()](sio::engine::request_info const& req) -> std::optional<std::string> {
                if (req.header(name))
                    return std::nullopt;
                return "missing " + name + " header";
            };
        } else if (arg == "--per-message-deflate")
            options.per_message_deflate = true;
        else if (arg == "--verbose")
            sio::set_log_sink(sio::stderr_log_sink(), sio::log_level::debug);
        else
            usage();
    }

    sio::io_pool pool{threads};
    echo_handler handler;
    sio::engine::server engine{pool, handler, options};

    sio::server_options io_options;
    io_options.engine = options;
    io_options.engine.path = "/socket.io";
    io_options.connect_timeout = std::chrono::milliseconds(1000);
    sio::server io{pool, io_options};
    io.on_connection([](sio::socket& s) {
        s.emit("auth", s.handshake().auth);
        s.on("message", [](sio::socket& s, sio::message const& args) {
            s.emit("message-back", args);
        });
        s.on("message-with-ack", [](sio::socket&, sio::message const& args, sio::ack ack) {
            ack.send(args);
        });
    });
    io.of("/custom").on_connection([](sio::socket& s) { s.emit("auth", s.handshake().auth); });
    io.engine().mount(engine);
    std::shared_ptr<boost::asio::ssl::context> tls;
    if (!tls_cert.empty()) {
        tls = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
        tls->use_certificate_chain_file(tls_cert);
        tls->use_private_key_file(tls_key, boost::asio::ssl::context::pem);
    }
    auto const endpoint = io.listen("127.0.0.1", port, tls);

    boost::asio::signal_set signals{pool.get(0), SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) {
        engine.close();
        io.close([&] { pool.stop(); });
    });

    std::cout << "listening on 127.0.0.1:" << endpoint.port() << std::endl;
    pool.run();
    return 0;
}
