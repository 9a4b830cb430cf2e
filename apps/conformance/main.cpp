// The server the official Engine.IO v4 and Socket.IO v5 test suites run against: Engine.IO at
// /engine.io/ echoing every message, Socket.IO at /socket.io/ with the suite's handlers, both
// with the timings the suites expect.
#include <sio/core/log.hpp>
#include <sio/engine/server.hpp>
#include <sio/server.hpp>

#include <boost/asio/signal_set.hpp>

#include <cli/args.hpp>
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

constexpr std::string_view usage = R"(usage: conformance_server [--port P] [options]
Serves what the official Engine.IO v4 and Socket.IO v5 test suites expect: an Engine.IO echo at
/engine.io/ and Socket.IO at /socket.io/. Prints "listening on 127.0.0.1:<port>" once ready.
  --port P                  TCP port (default 3000; 0 picks a free one)
  --threads N               I/O threads (default 0: one per core)
  --headers-timeout-ms MS   time to receive a request's headers
  --ping-interval-ms MS     Engine.IO pingInterval (default 300)
  --ping-timeout-ms MS      Engine.IO pingTimeout (default 200)
  --max-connections N       refuse handshakes beyond N sessions
  --cookie                  set the io cookie on the handshake
  --require-header NAME     refuse a handshake without this header (403, code 4)
  --per-message-deflate     WebSocket compression
  --tls-cert PEM --tls-key PEM   serve HTTPS / WSS (both or neither)
  --verbose                 debug log on stderr
  --help                    this text
)";

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
    cli::args args{argc, argv, "conformance_server", usage};
    auto milliseconds = [&] { return std::chrono::milliseconds(args.integer<long>(0)); };
    while (args.next()) {
        if (args.is("--port"))
            port = args.port();
        else if (args.is("--threads"))
            threads = args.integer<std::size_t>(0, 1024);
        else if (args.is("--headers-timeout-ms"))
            options.headers_timeout = milliseconds();
        else if (args.is("--ping-interval-ms"))
            options.ping_interval = milliseconds();
        else if (args.is("--ping-timeout-ms"))
            options.ping_timeout = milliseconds();
        else if (args.is("--max-connections"))
            options.max_connections = args.integer<std::size_t>();
        else if (args.is("--tls-cert"))
            tls_cert = args.value();
        else if (args.is("--tls-key"))
            tls_key = args.value();
        else if (args.is("--cookie"))
            options.cookie = sio::engine::cookie_options{};
        else if (args.is("--require-header")) {
            // allow_request: a handshake without this header is refused (403, code 4).
            options.allow_request =
                [name = std::string{args.value()}](
                    sio::engine::request_info const& req) -> std::optional<std::string> {
                if (req.header(name))
                    return std::nullopt;
                return "missing " + name + " header";
            };
        } else if (args.is("--per-message-deflate"))
            options.per_message_deflate = true;
        else if (args.is("--verbose"))
            sio::set_log_sink(sio::stderr_log_sink(), sio::log_level::debug);
        else
            args.unknown();
    }
    if (tls_cert.empty() != tls_key.empty())
        args.fail("--tls-cert and --tls-key go together");
    std::shared_ptr<boost::asio::ssl::context> tls;
    if (!tls_cert.empty()) {
        // Loaded before anything listens, so a bad file is a command-line error.
        try {
            tls =
                std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
            tls->use_certificate_chain_file(tls_cert);
            tls->use_private_key_file(tls_key, boost::asio::ssl::context::pem);
        } catch (std::exception const& ex) {
            args.fail("cannot load --tls-cert/--tls-key: " + std::string{ex.what()});
        }
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
    boost::asio::ip::tcp::endpoint endpoint;
    try {
        endpoint = io.listen("127.0.0.1", port, tls);
    } catch (std::exception const& ex) {
        std::cerr << "conformance_server: cannot listen on 127.0.0.1:" << port << ": " << ex.what()
                  << std::endl;
        return 1;
    }

    boost::asio::signal_set signals{pool.get(0), SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) {
        engine.close();
        io.close([&] { pool.stop(); });
    });

    std::cout << "listening on 127.0.0.1:" << endpoint.port() << std::endl;
    pool.run();
    return 0;
}
