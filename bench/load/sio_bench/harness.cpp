#include <sys/resource.h>

#include <cstdio>
#include <iostream>
#include <sio_bench/harness.hpp>

namespace sio_bench {

generator_threads::generator_threads(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        contexts_.push_back(std::make_unique<net::io_context>(1));
        guards_.push_back(net::make_work_guard(*contexts_.back()));
    }
}

generator_threads::~generator_threads() {
    for (auto& c : contexts_)
        c->stop();
    join();
}

void generator_threads::start() {
    for (auto& c : contexts_)
        threads_.emplace_back([&ioc = *c] { ioc.run(); });
}

void generator_threads::join() {
    for (auto& t : threads_)
        if (t.joinable())
            t.join();
    threads_.clear();
}

bool wait_for(std::atomic<std::size_t> const& counter, std::size_t target, double timeout) {
    auto const deadline = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                                  std::chrono::duration<double>(timeout));
    while (counter.load(std::memory_order_relaxed) < target) {
        if (clock_type::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

void sleep_seconds(double s) {
    std::this_thread::sleep_for(std::chrono::duration<double>(s));
}

tcp::endpoint resolve(options const& o) {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    return *resolver.resolve(o.host, o.port).begin();
}

net::ip::address_v4 source_address(options const& o, std::size_t i) {
    return net::ip::address_v4(0x7f000001u + static_cast<std::uint32_t>(i % o.sources));
}

void raise_fd_limit(std::size_t want) {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return;
    if (lim.rlim_max < want) {
        rlimit higher{want, want};
        if (setrlimit(RLIMIT_NOFILE, &higher) == 0)
            return;
    }
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
}

std::string format_cpu(bench::cpu_meter::usage const& u) {
    char buf[160];
    std::snprintf(buf, sizeof buf, " client_cpu=%.1f%%", u.client);
    std::string s = buf;
    if (u.server >= 0) {
        std::snprintf(buf, sizeof buf, " server_cpu=%.1f%%", u.server);
        s += buf;
    }
    if (u.machine >= 0) {
        std::snprintf(buf, sizeof buf, " machine_cpu=%.1f%% softirq=%.1f%%", u.machine, u.softirq);
        s += buf;
    }
    return s;
}

int report(std::string const& line, run_state const& state, std::string const& failure) {
    std::cout << line << std::endl;
    if (state.errors.count() == 0 && failure.empty())
        return 0;
    std::cerr << "sio-bench: FAILED: " << state.errors.count() << " errors"
              << (failure.empty() ? "" : "; ") << failure << '\n';
    for (auto const& l : state.errors.lines())
        std::cerr << "  " << l << '\n';
    return 1;
}

} // namespace sio_bench
