// chat_server: the seed's Node chat, in C++. Usage: chat_server --port P
#include <sio/server.hpp>

#include <boost/asio/signal_set.hpp>

#include <iostream>
#include <string>
#include <string_view>

#include "chat_handlers.hpp"

int main(int argc, char** argv) {
    unsigned short port = 3000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::string_view{argv[i]} == "--port")
            port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
    }

    sio::io_pool pool;
    sio::server_options options;
    options.engine.cors = sio::engine::cors_options{}; // any origin
    sio::server io{pool, options};

    io.use(chat::authenticate);
    io.on_connection(chat::on_connection);
    io.of("/admin").on_connection(chat::on_admin_connection);

    auto const endpoint = io.listen("127.0.0.1", port);
    boost::asio::signal_set signals{pool.get(0), SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) { io.close([&] { pool.stop(); }); });
    std::cout << "listening on 127.0.0.1:" << endpoint.port() << std::endl;
    pool.run();
}
