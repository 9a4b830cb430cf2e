// sio-bench: the Socket.IO load generator of bench/compare (see bench/README.md). It speaks
// Engine.IO v4 / Socket.IO v5 to a server such as bench_server or its Node twin and prints one
// summary line per run; its exit status is 1 when any message was lost, duplicated or corrupt.
#include <exception>
#include <iostream>
#include <sio_bench/scenarios.hpp>

int main(int argc, char** argv) {
    auto const o = sio_bench::parse_options(argc, argv);
    try {
        if (o.scenario == "echo")
            return sio_bench::run_echo(o);
        if (o.scenario == "fanout")
            return sio_bench::run_fanout(o);
        if (o.scenario == "idle")
            return sio_bench::run_idle(o);
        if (o.scenario == "storm")
            return sio_bench::run_storm(o);
        if (o.scenario == "polling")
            return sio_bench::run_polling(o);
    } catch (std::exception const& e) {
        std::cerr << "sio-bench: " << e.what() << '\n';
        return 2;
    }
    std::cerr << "sio-bench: unknown scenario " << o.scenario << '\n';
    return 2;
}
