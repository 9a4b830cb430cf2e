// socketio_parity_server: behaviours where sio follows npm socket.io 4.8 to the letter, for
// tests/interop/socketio/parity_*.test.mjs, through the public API only (its Node twin is
// node_twins/parity_server.mjs). Usage: socketio_parity_server --port P [--connect-timeout-ms N]
// (port 0 picks a free port). SIO_TEST_LOG=1 logs to stderr.
//
// "/"         echo (...args, ack)          ack(...args)
// "/private"  refuses every connection: connect_error "not allowed"
// "/stall"    a middleware that never answers: the connection stays pending
#include <sio/server.hpp>

#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Middlewares of "/stall" that were never answered; held so that the connection stays pending.
std::vector<sio::next> stalled;

void on_root_connection(sio::socket& s) {
    s.on("echo", [](sio::socket&, sio::message const& msg, sio::ack ack) { ack.send(msg); });
}

} // namespace

int main(int argc, char** argv) {
    unsigned short port = 3000;
    sio::server_options options;
    for (int i = 1; i < argc; ++i) {
        std::string_view const arg = argv[i];
        if (arg == "--port" && i + 1 < argc)
            port = static_cast<unsigned short>(std::stoi(argv[++i]));
        else if (arg == "--connect-timeout-ms" && i + 1 < argc)
            options.connect_timeout = std::chrono::milliseconds{std::stol(argv[++i])};
    }
    if (char const* v = std::getenv("SIO_TEST_LOG"); v && *v && std::string_view{v} != "0")
        sio::set_log_sink(sio::stderr_log_sink(), sio::log_level::debug);

    // One shard: the stalled middlewares' list needs no lock, and a broadcast reaches every
    // socket within the emitting handler's turn.
    sio::io_pool pool{1};
    sio::server io{pool, options};

    io.on_connection(on_root_connection);
    io.of("/private").use([](sio::socket&, sio::next next) {
        next(sio::connect_error{"not allowed", {}});
    });
    io.of("/stall").use([](sio::socket&, sio::next next) { stalled.push_back(std::move(next)); });

    auto const endpoint = io.listen("127.0.0.1", port);
    boost::asio::signal_set signals{pool.get(0), SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) {
        stalled.clear();
        io.close([&] { pool.stop(); });
    });
    std::cout << "listening on 127.0.0.1:" << endpoint.port() << std::endl;
    pool.run();
}
