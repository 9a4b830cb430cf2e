// storm: C loops, each connecting over WebSocket, joining "/", and leaving as socket.io-client
// does (DISCONNECT packet, WebSocket closing handshake), then again, for the whole run.
// Measures full connection cycles per second and the connect time (TCP connect to the
// server's CONNECT packet); the server's resident memory before and after the storm shows
// whether connections leave anything behind.
#include <common/histogram.hpp>
#include <cstdio>
#include <sio_bench/scenarios.hpp>
#include <sio_bench/ws_peer.hpp>

namespace sio_bench {
namespace {

struct storm_thread {
    bench::histogram connect_time;
    std::uint64_t cycles_in_window = 0;
    std::uint64_t cycles = 0;
};

class storm_client final : public ws_peer {
public:
    storm_client(
        net::io_context& ioc,
        tcp::endpoint server,
        options const& o,
        run_state& state,
        std::size_t id,
        storm_thread& thread)
        : ws_peer(ioc, server, o, state, id, 4096)
        , thread_(thread) {}

private:
    void on_joined() override { disconnect(); }

    void on_closed() override {
        ++thread_.cycles;
        if (phase_ == phase_measure) {
            ++thread_.cycles_in_window;
            thread_.connect_time.add(static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(connect_time()).count()));
        }
        if (state_.phase.load(std::memory_order_relaxed) == phase_drain)
            return finish();
        start();
    }

    void on_failed() override { finish(); }

    void on_packet(std::string_view p) override {
        fail("unexpected packet: " + std::string(p.substr(0, 60)));
    }

    void finish() { state_.finished.fetch_add(1, std::memory_order_relaxed); }

    storm_thread& thread_;
};

} // namespace

int run_storm(options const& o) {
    run_state state;
    tcp::endpoint const server = resolve(o);
    raise_fd_limit(2 * o.connections + 64);
    generator_threads threads(std::min(o.threads, o.connections));
    std::vector<storm_thread> shares(threads.size());
    std::vector<std::unique_ptr<storm_client>> clients;
    long const rss0 = bench::process_status_kb(o.server_pid, "VmRSS");
    for (std::size_t c = 0; c < o.connections; ++c) {
        std::size_t const t = c % threads.size();
        clients.push_back(
            std::make_unique<storm_client>(threads.context(t), server, o, state, c, shares[t]));
        clients.back()->start();
    }
    threads.start();
    sleep_seconds(o.warmup);

    state.phase.store(phase_measure, std::memory_order_relaxed);
    auto const t0 = clock_type::now();
    bench::cpu_meter const meter(o.server_pid);
    sleep_seconds(o.duration);
    state.phase.store(phase_drain, std::memory_order_relaxed);
    double const window = std::chrono::duration<double>(clock_type::now() - t0).count();
    auto const cpu = meter.finish(window);
    // Every loop finishes the cycle it is in; then the server should be back where it began.
    bool const all_drained = wait_for(state.finished, o.connections, o.drain_timeout);
    sleep_seconds(1);
    long const rss1 = bench::process_status_kb(o.server_pid, "VmRSS");
    threads.stop([&](net::io_context& ioc) {
        for (std::size_t c = 0; c < clients.size(); ++c)
            if (&threads.context(c % threads.size()) == &ioc)
                clients[c]->close();
    });

    bench::histogram connect_time;
    std::uint64_t in_window = 0;
    std::uint64_t cycles = 0;
    for (auto const& s : shares) {
        connect_time.merge(s.connect_time);
        in_window += s.cycles_in_window;
        cycles += s.cycles;
    }
    char line[640];
    std::snprintf(
        line,
        sizeof line,
        "storm: C=%zu rate=%.0f cycles/s=%.0f p50_us=%.1f p99_us=%.1f errors=%llu threads=%zu "
        "cycles=%llu window_s=%.2f max_us=%.1f server_rss_before_kb=%ld server_rss_after_kb=%ld",
        o.connections,
        static_cast<double>(in_window) / window,
        static_cast<double>(in_window) / window,
        connect_time.percentile_us(0.50),
        connect_time.percentile_us(0.99),
        static_cast<unsigned long long>(state.errors.count()),
        threads.size(),
        static_cast<unsigned long long>(cycles),
        window,
        static_cast<double>(connect_time.max()) / 1e3,
        rss0,
        rss1);
    std::string failure;
    if (in_window == 0)
        failure = "no connection completed a cycle in the window";
    else if (!all_drained)
        failure = "not every loop finished its last cycle within --drain-timeout";
    return report(line + format_cpu(cpu), state, failure);
}

} // namespace sio_bench
