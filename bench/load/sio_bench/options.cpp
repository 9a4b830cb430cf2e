#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <sio_bench/options.hpp>
#include <string_view>

namespace sio_bench {
namespace {

[[noreturn]] void usage(std::string_view why) {
    if (!why.empty())
        std::cerr << "sio-bench: " << why << '\n';
    std::cerr << R"(usage: sio-bench SCENARIO --url http://HOST:PORT[/path/] [options]
scenarios:
  echo     C connections x D acked "echo" events in flight: acks/s, latency
  fanout   R receivers + 1 sender of "fanout" events (D in flight): deliveries/s, latency
  idle     C idle connections: connect rate, server RSS per connection
  storm    C loops of connect, join "/", disconnect: connections/s, connect latency
  polling  as echo over HTTP long-polling
options (defaults):
  --connections C (50)  --inflight D (50)  --receivers R (100)  --size BYTES (100)
  --duration S (10)  --warmup S (2)  --threads T (1)  --server-pid PID
  --sources N (1: source addresses 127.0.0.1..127.0.0.N)  --connect-concurrency K (256)
  --connect-timeout S (30)  --drain-timeout S (10)
)";
    std::exit(2);
}

void parse_url(std::string_view url, options& o) {
    constexpr std::string_view scheme = "http://";
    if (url.substr(0, scheme.size()) != scheme)
        usage("--url must start with http://");
    url.remove_prefix(scheme.size());
    auto const slash = url.find('/');
    std::string_view const authority = url.substr(0, slash);
    if (slash != std::string_view::npos && url.size() > slash + 1) {
        o.path = std::string(url.substr(slash));
        if (o.path.back() != '/')
            o.path += '/';
    }
    auto const colon = authority.rfind(':');
    o.host = std::string(authority.substr(0, colon));
    o.port = colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
    if (o.host.empty() || o.port.empty())
        usage("bad --url");
}

} // namespace

options parse_options(int argc, char** argv) {
    options o;
    if (argc < 2 || argv[1][0] == '-')
        usage(argc < 2 ? "" : "the first argument is the scenario");
    o.scenario = argv[1];
    for (int i = 2; i < argc; ++i) {
        std::string_view const arg = argv[i];
        auto value = [&]() -> std::string_view {
            if (i + 1 >= argc)
                usage(std::string(arg) + " needs a value");
            return argv[++i];
        };
        auto number = [&] {
            std::string const s(value());
            char* end = nullptr;
            double const d = std::strtod(s.c_str(), &end);
            if (end == s.c_str() || *end != '\0' || d < 0)
                usage(std::string(arg) + ": not a non-negative number: " + s);
            return d;
        };
        auto count = [&] { return static_cast<std::size_t>(number()); };
        if (arg == "--url")
            parse_url(value(), o);
        else if (arg == "--connections")
            o.connections = count();
        else if (arg == "--inflight")
            o.inflight = count();
        else if (arg == "--receivers")
            o.receivers = count();
        else if (arg == "--size")
            o.size = count();
        else if (arg == "--duration")
            o.duration = number();
        else if (arg == "--warmup")
            o.warmup = number();
        else if (arg == "--threads")
            o.threads = count();
        else if (arg == "--server-pid")
            o.server_pid = static_cast<long>(number());
        else if (arg == "--sources")
            o.sources = count();
        else if (arg == "--connect-concurrency")
            o.connect_concurrency = count();
        else if (arg == "--connect-timeout")
            o.connect_timeout = number();
        else if (arg == "--drain-timeout")
            o.drain_timeout = number();
        else if (arg == "--help" || arg == "-h")
            usage("");
        else
            usage("unknown option " + std::string(arg));
    }
    if (o.connections == 0 || o.inflight == 0 || o.threads == 0 || o.duration <= 0 ||
        o.sources == 0 || o.sources > 254 || o.connect_concurrency == 0)
        usage("--connections, --inflight, --threads, --duration, --sources (<= 254) and "
              "--connect-concurrency must be positive");
    // Every payload carries a 16-digit sequence number and a 16-digit send time.
    if (o.size < 32)
        usage("--size must be at least 32");
    return o;
}

} // namespace sio_bench
