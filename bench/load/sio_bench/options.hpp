// sio-bench's command line: one scenario and its parameters.
#pragma once

#include <cstddef>
#include <string>

namespace sio_bench {

struct options {
    std::string scenario; ///< echo, fanout, idle, storm, polling
    std::string host = "127.0.0.1";
    std::string port = "3000";
    std::string path = "/socket.io/";
    std::size_t connections = 50; ///< echo, idle, storm (concurrent churners), polling
    std::size_t inflight = 50;    ///< echo/polling: requests per connection; fanout: messages
    std::size_t receivers = 100;  ///< fanout, the sender not included
    std::size_t size = 100;       ///< payload bytes of one echo or fanout argument
    double duration = 10;
    double warmup = 2;
    std::size_t threads = 1;
    long server_pid = 0;
    std::size_t sources = 1;               ///< source addresses 127.0.0.1 .. 127.0.0.N
    std::size_t connect_concurrency = 256; ///< idle: handshakes in progress at once
    double connect_timeout = 30;
    double drain_timeout = 10;
};

/// Parses argv; --help prints the usage and exits 0, a bad command line exits with status 2.
options parse_options(int argc, char** argv);

} // namespace sio_bench
