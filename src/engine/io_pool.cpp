#include <sio/engine/io_pool.hpp>

namespace sio {

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
    for (auto& ctx : contexts_)
        threads_.emplace_back([&ctx] {
            auto guard = net::make_work_guard(*ctx);
            ctx->run();
        });
}

void io_pool::run() {
    for (std::size_t i = 1; i < contexts_.size(); ++i)
        threads_.emplace_back([ctx = contexts_[i].get()] {
            auto guard = net::make_work_guard(*ctx);
            ctx->run();
        });
    {
        auto guard = net::make_work_guard(*contexts_[0]);
        contexts_[0]->run();
    }
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
