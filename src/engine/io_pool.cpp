#include <sio/core/guarded.hpp>
#include <sio/engine/io_pool.hpp>

#include <string>

namespace sio {
namespace {

// Runs one shard until it is stopped. A handler that throws ends run() with its exception; it is
// logged and run() resumes (as Asio's examples loop around run()), so one bad handler costs that
// handler, not every shard of the process (std::terminate).
void run_shard(net::io_context& ctx, std::size_t index) {
    auto guard = net::make_work_guard(ctx);
    while (!ctx.stopped()) {
        bool const finished = !guarded(
            [&] { ctx.run(); },
            [index] { return "io_pool shard " + std::to_string(index) + ": a handler"; });
        if (finished)
            return;
    }
}

} // namespace

io_pool::io_pool(std::size_t threads) {
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
    contexts_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i)
        contexts_.push_back(std::make_unique<net::io_context>(1)); // one thread each: no locking
}

io_pool::~io_pool() {
    stop();
    join();
}

void io_pool::start() {
    for (std::size_t i = 0; i < contexts_.size(); ++i)
        threads_.emplace_back([ctx = contexts_[i].get(), i] { run_shard(*ctx, i); });
}

void io_pool::run() {
    for (std::size_t i = 1; i < contexts_.size(); ++i)
        threads_.emplace_back([ctx = contexts_[i].get(), i] { run_shard(*ctx, i); });
    run_shard(*contexts_[0], 0);
    join();
}

void io_pool::join() {
    for (auto& t : threads_)
        if (t.joinable())
            t.join();
    threads_.clear();
}

void io_pool::stop() noexcept {
    for (auto& ctx : contexts_)
        ctx->stop();
}

} // namespace sio
