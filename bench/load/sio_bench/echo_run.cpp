#include <cstdio>
#include <sio_bench/echo_run.hpp>

namespace sio_bench {

int run_echo_scenario(options const& o, run_state& state, echo_client_factory const& make) {
    raise_fd_limit(2 * o.connections + 64);
    generator_threads threads(std::min(o.threads, o.connections));
    std::vector<echo_stats> stats(threads.size());
    std::vector<std::vector<std::unique_ptr<echo_client>>> clients(threads.size());
    for (std::size_t c = 0; c < o.connections; ++c) {
        std::size_t const t = c % threads.size();
        clients[t].push_back(make(threads.context(t), c, stats[t]));
        clients[t].back()->begin();
    }
    threads.start();

    bool const all_ready = wait_for(state.ready, o.connections, o.connect_timeout);
    sleep_seconds(o.warmup);

    state.phase.store(phase_measure, std::memory_order_relaxed);
    auto const t0 = clock_type::now();
    bench::cpu_meter const meter(o.server_pid);
    sleep_seconds(o.duration);
    state.phase.store(phase_drain, std::memory_order_relaxed);
    double const window = std::chrono::duration<double>(clock_type::now() - t0).count();
    auto const cpu = meter.finish(window);

    for (std::size_t t = 0; t < threads.size(); ++t)
        net::post(threads.context(t), [&list = clients[t]] {
            for (auto& c : list)
                c->on_drain();
        });
    bool const all_drained = wait_for(state.finished, o.connections, o.drain_timeout);
    threads.stop([&](net::io_context& ioc) {
        for (std::size_t t = 0; t < threads.size(); ++t)
            if (&threads.context(t) == &ioc)
                for (auto& c : clients[t])
                    c->end();
    });

    echo_stats total;
    std::uint64_t missing = 0;
    std::uint64_t conn_min = UINT64_MAX;
    std::uint64_t conn_max = 0;
    for (std::size_t t = 0; t < threads.size(); ++t) {
        auto const& s = stats[t];
        total.latency.merge(s.latency);
        total.acks_in_window += s.acks_in_window;
        total.reads_in_window += s.reads_in_window;
        total.writes_in_window += s.writes_in_window;
        total.sent += s.sent;
        total.acked += s.acked;
        for (auto const& c : clients[t]) {
            missing += c->book().outstanding();
            conn_min = std::min(conn_min, c->book().acked());
            conn_max = std::max(conn_max, c->book().acked());
        }
    }
    state.errors.add_count(missing);

    auto const per = [](std::uint64_t a, std::uint64_t b) {
        return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
    };
    char line[640];
    std::snprintf(
        line,
        sizeof line,
        "%s: C=%zu D=%zu size=%zu rate=%.0f acks/s=%.0f p50_us=%.1f p99_us=%.1f errors=%llu "
        "threads=%zu p999_us=%.1f max_us=%.1f acks=%llu sent=%llu missing=%llu window_s=%.2f "
        "acks_per_read=%.1f acks_per_write=%.1f conn_acks_min=%llu conn_acks_max=%llu",
        o.scenario.c_str(),
        o.connections,
        o.inflight,
        o.size,
        static_cast<double>(total.acks_in_window) / window,
        static_cast<double>(total.acks_in_window) / window,
        total.latency.percentile_us(0.50),
        total.latency.percentile_us(0.99),
        static_cast<unsigned long long>(state.errors.count()),
        threads.size(),
        total.latency.percentile_us(0.999),
        static_cast<double>(total.latency.max()) / 1e3,
        static_cast<unsigned long long>(total.acks_in_window),
        static_cast<unsigned long long>(total.sent),
        static_cast<unsigned long long>(missing),
        window,
        per(total.acks_in_window, total.reads_in_window),
        per(total.acks_in_window, total.writes_in_window),
        static_cast<unsigned long long>(conn_min),
        static_cast<unsigned long long>(conn_max));
    std::string failure;
    if (!all_ready)
        failure = "not every connection joined within --connect-timeout";
    else if (!all_drained)
        failure = "not every request was acked within --drain-timeout";
    return report(line + format_cpu(cpu), state, failure);
}

} // namespace sio_bench
