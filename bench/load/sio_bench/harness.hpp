// What every sio-bench scenario shares: generator threads (one io_context each), the phase of
// the run, an error log, and the summary line's common fields.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <common/cpu_meter.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <sio_bench/options.hpp>
#include <string>
#include <thread>
#include <vector>

namespace sio_bench {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

enum phase : int { phase_warmup, phase_measure, phase_drain };

/// Errors are rare and end a run as failed, so one mutex for the whole log is fine.
class error_log {
public:
    void add(std::size_t conn, std::string const& what) {
        count_.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(mutex_);
        if (lines_.size() < max_lines)
            lines_.push_back("connection " + std::to_string(conn) + ": " + what);
    }
    /// An error that belongs to no connection (a missing message counted at the end).
    void add_count(std::uint64_t n) { count_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
    std::vector<std::string> lines() const {
        std::lock_guard lock(mutex_);
        return lines_;
    }

private:
    static constexpr std::size_t max_lines = 10;
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
    std::atomic<std::uint64_t> count_{0};
};

/// What the generator threads share with main: the phase, read once per read completion, and
/// counters each connection touches once or a few times per run.
struct run_state {
    std::atomic<int> phase{phase_warmup};
    std::atomic<std::size_t> ready{0};    ///< connections that joined "/" (or failed to)
    std::atomic<std::size_t> finished{0}; ///< connections done draining (or failed)
    error_log errors;
};

/// T threads, each running its own io_context until stop().
class generator_threads {
public:
    explicit generator_threads(std::size_t n);
    ~generator_threads();
    generator_threads(generator_threads const&) = delete;
    generator_threads& operator=(generator_threads const&) = delete;

    std::size_t size() const noexcept { return contexts_.size(); }
    net::io_context& context(std::size_t i) { return *contexts_[i % contexts_.size()]; }
    void start();
    /// Runs `f` on every thread (to close its connections), then stops and joins them.
    template <class F> void stop(F f) {
        for (auto& c : contexts_)
            net::post(*c, [f, &ioc = *c] {
                f(ioc);
                ioc.stop();
            });
        join();
    }

private:
    void join();

    std::vector<std::unique_ptr<net::io_context>> contexts_;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
    std::vector<std::thread> threads_;
};

/// Waits until `counter` reaches `target` or `timeout` seconds pass; true if it got there.
bool wait_for(std::atomic<std::size_t> const& counter, std::size_t target, double timeout);
void sleep_seconds(double s);
tcp::endpoint resolve(options const& o);

/// Source address number i of --sources N: 127.0.0.1 + i % N.
net::ip::address_v4 source_address(options const& o, std::size_t i);

/// Raises this process's open-file limit to its hard limit (and the hard limit towards `want`
/// when the process may): 100k connections need 100k descriptors.
void raise_fd_limit(std::size_t want);

/// " client_cpu=..% server_cpu=..% machine_cpu=..% softirq=..%"
std::string format_cpu(bench::cpu_meter::usage const& u);

/// Prints the summary line and the error log; returns the process exit status.
int report(std::string const& line, run_state const& state, std::string const& failure);

} // namespace sio_bench
