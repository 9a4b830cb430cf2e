// bench_server: what the benchmarks run against (contract: shared/contracts/bench_server.md).
//   echo (args..., ack)  -> ack(args...)
//   fanout (args...)     -> io.emit("fanout", args...) to every socket of "/", the sender included
#include <sio/server.hpp>

#include <boost/asio/signal_set.hpp>

#include <cli/args.hpp>
#include <iostream>
#include <string>
#include <string_view>

namespace {

constexpr std::string_view usage = R"(usage: bench_server [--port P] [--threads N]
The server the benchmarks run against: on 127.0.0.1:P, "echo" acks its arguments and "fanout"
emits them to every socket of "/". Prints "listening on 127.0.0.1:<port>" once ready.
  --port P      TCP port (default 3000; 0 picks a free one)
  --threads N   I/O threads (default 0: one per core)
  --help        this text
)";

} // namespace

int main(int argc, char** argv) {
    unsigned short port = 3000;
    std::size_t threads = 0;
    cli::args args{argc, argv, "bench_server", usage};
    while (args.next()) {
        if (args.is("--port"))
            port = args.port();
        else if (args.is("--threads"))
            threads = args.integer<std::size_t>(0, 1024);
        else if (args.is("--redis"))
            args.fail("--redis is not supported yet (the Redis adapter is not built)");
        else
            args.unknown();
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

    boost::asio::ip::tcp::endpoint endpoint;
    try {
        endpoint = io.listen("127.0.0.1", port);
    } catch (std::exception const& ex) {
        std::cerr << "bench_server: cannot listen on 127.0.0.1:" << port << ": " << ex.what()
                  << std::endl;
        return 1;
    }
    boost::asio::signal_set signals{pool.get(0), SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) { io.close([&] { pool.stop(); }); });
    std::cout << "listening on 127.0.0.1:" << endpoint.port() << std::endl;
    pool.run();
}
