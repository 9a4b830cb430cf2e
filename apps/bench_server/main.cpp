// bench_server: what the benchmarks run against (contract: shared/contracts/bench_server.md).
//   echo (args..., ack)  -> ack(args...)
//   fanout (args...)     -> io.emit("fanout", args...) to every socket of "/", the sender included
// Usage: bench_server --port P [--threads N]
#include <sio/server.hpp>

#include <boost/asio/signal_set.hpp>

#include <iostream>
#include <string>
#include <string_view>

int main(int argc, char** argv) {
    unsigned short port = 3000;
    std::size_t threads = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view const arg = argv[i];
        if (arg == "--port")
            port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
        else if (arg == "--threads")
            threads = std::stoul(argv[i + 1]);
    }

    sio::io_pool pool{threads};
    sio::server_options options;
    options.engine.http_compression.reset(); // the contract: no compression
    sio::server io{pool, options};
    io.on_connection([&io](sio::socket& s) {
        // The arguments are passed on, not copied, as Node's handlers pass theirs.
        s.on("echo", [](sio::socket&, sio::message& args, sio::ack ack) {
            ack.send(std::move(args));
        });
        s.on("fanout", [&io](sio::socket&, sio::message& args) {
            io.emit("fanout", std::move(args));
        });
    });

    auto const endpoint = io.listen("127.0.0.1", port);
    boost::asio::signal_set signals{pool.get(0), SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) { io.close([&] { pool.stop(); }); });
    std::cout << "listening on 127.0.0.1:" << endpoint.port() << std::endl;
    pool.run();
}
