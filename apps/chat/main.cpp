// chat_server: the seed's Node chat, in C++ (contract: shared/contracts/chat_server.md).
#include <sio/server.hpp>

#include <boost/asio/signal_set.hpp>

#include <cli/args.hpp>
#include <iostream>
#include <string>
#include <string_view>

#include "chat_handlers.hpp"

namespace {

constexpr std::string_view usage = R"(usage: chat_server [--port P] [--threads N] [--parser default]
The chat example: Socket.IO on http://127.0.0.1:P/socket.io/, namespaces "/" and "/admin".
Prints "listening on 127.0.0.1:<port>" once ready; stops on SIGINT or SIGTERM.
  --port P           TCP port (default 3000; 0 picks a free one)
  --threads N        I/O threads, one shard each (default 0: one per core)
  --parser default   the Socket.IO parser (only "default" so far; "msgpack" is not built yet)
  --help             this text
Not built yet (refused): --redis URL, --parser msgpack, --allow-eio3.
)";

} // namespace

int main(int argc, char** argv) {
    unsigned short port = 3000;
    std::size_t threads = 0;
    cli::args args{argc, argv, "chat_server", usage};
    while (args.next()) {
        if (args.is("--port")) {
            port = args.port();
        } else if (args.is("--threads")) {
            threads = args.integer<std::size_t>(0, 1024);
        } else if (args.is("--parser")) {
            // Refused rather than ignored: a msgpack client against the default parser would
            // fail in ways that look like a server bug.
            auto const parser = args.value();
            if (parser == "msgpack")
                args.fail("--parser msgpack is not supported yet");
            if (parser != "default")
                args.fail(
                    "bad value for --parser: '" + std::string{parser} + "' (default or msgpack)");
        } else if (args.is("--redis")) {
            args.fail("--redis is not supported yet (the Redis adapter is not built)");
        } else if (args.is("--allow-eio3")) {
            args.fail("--allow-eio3 is not supported yet (Engine.IO v3 is not built)");
        } else {
            args.unknown();
        }
    }

    sio::io_pool pool{threads};
    sio::server_options options;
    options.engine.cors = sio::engine::cors_options{}; // any origin
    sio::server io{pool, options};

    io.use(chat::authenticate);
    io.on_connection(chat::on_connection);
    io.of("/admin").on_connection(chat::on_admin_connection);

    boost::asio::ip::tcp::endpoint endpoint;
    try {
        endpoint = io.listen("127.0.0.1", port);
    } catch (std::exception const& ex) {
        std::cerr << "chat_server: cannot listen on 127.0.0.1:" << port << ": " << ex.what()
                  << std::endl;
        return 1;
    }
    boost::asio::signal_set signals{pool.get(0), SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) { io.close([&] { pool.stop(); }); });
    std::cout << "listening on 127.0.0.1:" << endpoint.port() << std::endl;
    pool.run();
}
