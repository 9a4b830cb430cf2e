#pragma once

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace sio {

namespace net = boost::asio;

/// One io_context per thread, nothing shared between them: a connection lives on one shard for
/// its whole life, so its state needs no lock.
class io_pool {
public:
    /// `threads` 0 means one per core.
    explicit io_pool(std::size_t threads = 0);
    ~io_pool();
    io_pool(io_pool const&) = delete;
    io_pool& operator=(io_pool const&) = delete;

    std::size_t size() const noexcept { return contexts_.size(); }
    net::io_context& get(std::size_t shard) noexcept { return *contexts_[shard]; }

    /// Runs every shard (shard 0 on the calling thread) until stop() or until all run out of
    /// work. Call once. An exception escaping a handler is logged with its shard and the shard
    /// goes on running.
    void run();
    /// Starts the shards on their own threads and returns at once; join() waits for them.
    void start();
    void join();
    /// Stops every shard; safe from any thread, including a signal handler's posted work.
    void stop() noexcept;

private:
    std::vector<std::unique_ptr<net::io_context>> contexts_;
    std::vector<std::thread> threads_;
};

} // namespace sio
