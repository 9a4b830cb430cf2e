// idle: C connections join "/" (at most K handshakes at a time, spread over --sources source
// addresses) and then only answer pings. Measures the connect rate and the server's resident
// memory per connection (VmRSS of --server-pid before and after), and whether it stays flat
// while they idle.
#include <cstdio>
#include <deque>
#include <sio_bench/scenarios.hpp>
#include <sio_bench/ws_peer.hpp>

namespace sio_bench {
namespace {

/// Idle peers start with a small read buffer: the generator itself must hold 100k of them.
constexpr std::size_t idle_read_buffer = 512;

class idle_client;

/// A generator thread's queue of connections still to start, K/T of them in progress at once.
struct idle_starter {
    std::deque<idle_client*> waiting;
    void start_next();
};

class idle_client final : public ws_peer {
public:
    idle_client(
        net::io_context& ioc,
        tcp::endpoint server,
        options const& o,
        run_state& state,
        std::size_t id,
        idle_starter& starter)
        : ws_peer(ioc, server, o, state, id, idle_read_buffer)
        , starter_(starter) {}

private:
    void on_joined() override { starter_.start_next(); }
    void on_failed() override { starter_.start_next(); }
    void on_packet(std::string_view p) override {
        fail("unexpected packet while idle: " + std::string(p.substr(0, 60)));
    }

    idle_starter& starter_;
};

void idle_starter::start_next() {
    if (waiting.empty())
        return;
    idle_client* c = waiting.front();
    waiting.pop_front();
    c->start();
}

} // namespace

int run_idle(options const& o) {
    run_state state;
    tcp::endpoint const server = resolve(o);
    raise_fd_limit(o.connections + 64);
    generator_threads threads(std::min(o.threads, o.connections));
    std::vector<idle_starter> starters(threads.size());
    std::vector<std::unique_ptr<idle_client>> clients;
    clients.reserve(o.connections);
    for (std::size_t c = 0; c < o.connections; ++c) {
        std::size_t const t = c % threads.size();
        clients.push_back(
            std::make_unique<idle_client>(threads.context(t), server, o, state, c, starters[t]));
        starters[t].waiting.push_back(clients.back().get());
    }

    long const rss0 = bench::process_status_kb(o.server_pid, "VmRSS");
    auto const t0 = clock_type::now();
    std::size_t const per_thread = std::max<std::size_t>(1, o.connect_concurrency / threads.size());
    for (auto& s : starters)
        for (std::size_t i = 0; i < per_thread; ++i)
            s.start_next();
    threads.start();
    bool const all_ready = wait_for(state.ready, o.connections, o.connect_timeout);
    double const connect_s = std::chrono::duration<double>(clock_type::now() - t0).count();

    // Let the server settle (its allocator, the last handshakes' buffers), then hold them.
    sleep_seconds(o.warmup);
    long const rss1 = bench::process_status_kb(o.server_pid, "VmRSS");
    auto const t1 = clock_type::now();
    bench::cpu_meter const meter(o.server_pid);
    sleep_seconds(o.duration);
    double const window = std::chrono::duration<double>(clock_type::now() - t1).count();
    auto const cpu = meter.finish(window);
    long const rss2 = bench::process_status_kb(o.server_pid, "VmRSS");
    // Counted on each connection's own thread, before it is closed.
    std::vector<std::size_t> held_by_thread(threads.size(), 0);
    threads.stop([&](net::io_context& ioc) {
        for (std::size_t c = 0; c < clients.size(); ++c) {
            std::size_t const t = c % threads.size();
            if (&threads.context(t) != &ioc)
                continue;
            if (clients[c]->joined() && !clients[c]->failed())
                ++held_by_thread[t];
            clients[c]->close();
        }
    });
    std::size_t held = 0;
    for (auto n : held_by_thread)
        held += n;

    auto const per_conn = [&](long a, long b) {
        return a < 0 || b < 0
                   ? -1.0
                   : static_cast<double>(b - a) * 1024 / static_cast<double>(o.connections);
    };
    char line[640];
    std::snprintf(
        line,
        sizeof line,
        "idle: C=%zu rate=%.0f connects/s=%.0f rss_per_conn_b=%.0f errors=%llu held=%zu "
        "connect_s=%.2f server_rss_before_kb=%ld server_rss_kb=%ld server_rss_after_hold_kb=%ld "
        "hold_drift_per_conn_b=%.0f hold_s=%.1f sources=%zu threads=%zu",
        o.connections,
        static_cast<double>(o.connections) / connect_s,
        static_cast<double>(o.connections) / connect_s,
        per_conn(rss0, rss1),
        static_cast<unsigned long long>(state.errors.count()),
        held,
        connect_s,
        rss0,
        rss1,
        rss2,
        per_conn(rss1, rss2),
        window,
        o.sources,
        threads.size());
    std::string failure;
    if (!all_ready)
        failure = "not every connection joined within --connect-timeout";
    else if (held != o.connections)
        failure = std::to_string(o.connections - held) + " connections were lost while idle";
    return report(line + format_cpu(cpu), state, failure);
}

} // namespace sio_bench
