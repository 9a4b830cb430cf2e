#include <algorithm>
#include <cli/args.hpp>
#include <iterator>
#include <sio_bench/options.hpp>
#include <string>
#include <string_view>

namespace sio_bench {
namespace {

constexpr std::string_view usage =
    R"(usage: sio-bench SCENARIO --url http://HOST:PORT[/path/] [options]
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
  --connect-timeout S (30)  --drain-timeout S (10)  --help
)";

constexpr std::string_view scenarios[] = {"echo", "fanout", "idle", "storm", "polling"};

void parse_url(cli::args const& args, std::string_view url, options& o) {
    constexpr std::string_view scheme = "http://";
    if (url.substr(0, scheme.size()) != scheme)
        args.fail("bad value for --url: '" + std::string(url) + "' (http://HOST:PORT[/path/])");
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
    if (o.host.empty() || o.port.empty() || o.port.size() > 5 ||
        o.port.find_first_not_of("0123456789") != std::string::npos || std::stoul(o.port) > 65535)
        args.fail("bad value for --url: '" + std::string(url) + "' (http://HOST:PORT[/path/])");
}

} // namespace

options parse_options(int argc, char** argv) {
    options o;
    cli::args args{argc, argv, "sio-bench", usage};
    // Fractions are accepted and truncated, as before: `--connections 1e3` is 1000.
    auto count = [&] { return static_cast<std::size_t>(args.number()); };
    while (args.next()) {
        if (!args.is_option()) {
            if (!o.scenario.empty())
                args.unknown();
            o.scenario = args.current();
            if (std::find(std::begin(scenarios), std::end(scenarios), o.scenario) ==
                std::end(scenarios))
                args.fail("unknown scenario " + o.scenario);
        } else if (args.is("--url"))
            parse_url(args, args.value(), o);
        else if (args.is("--connections"))
            o.connections = count();
        else if (args.is("--inflight"))
            o.inflight = count();
        else if (args.is("--receivers"))
            o.receivers = count();
        else if (args.is("--size"))
            o.size = count();
        else if (args.is("--duration"))
            o.duration = args.number();
        else if (args.is("--warmup"))
            o.warmup = args.number();
        else if (args.is("--threads"))
            o.threads = count();
        else if (args.is("--server-pid"))
            o.server_pid = static_cast<long>(args.number());
        else if (args.is("--sources"))
            o.sources = count();
        else if (args.is("--connect-concurrency"))
            o.connect_concurrency = count();
        else if (args.is("--connect-timeout"))
            o.connect_timeout = args.number();
        else if (args.is("--drain-timeout"))
            o.drain_timeout = args.number();
        else
            args.unknown();
    }
    if (o.scenario.empty())
        args.fail("no scenario given");
    if (o.connections == 0 || o.inflight == 0 || o.threads == 0 || o.duration <= 0 ||
        o.sources == 0 || o.sources > 254 || o.connect_concurrency == 0)
        args.fail("--connections, --inflight, --threads, --duration, --sources (<= 254) and "
                  "--connect-concurrency must be positive");
    // Every payload carries a 16-digit sequence number and a 16-digit send time.
    if (o.size < 32)
        args.fail("--size must be at least 32");
    return o;
}

} // namespace sio_bench
