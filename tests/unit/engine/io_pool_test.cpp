#include <sio/core/log.hpp>
#include <sio/engine/io_pool.hpp>

#include <boost/asio/post.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct custom_failure {};

class log_capture {
public:
    log_capture() {
        sio::set_log_sink(
            [this](sio::log_level, std::string_view line) {
                std::lock_guard lock{mutex_};
                lines_.emplace_back(line);
            },
            sio::log_level::debug);
    }
    ~log_capture() { sio::set_log_sink({}); }
    std::vector<std::string> lines() {
        std::lock_guard lock{mutex_};
        return lines_;
    }

private:
    std::mutex mutex_;
    std::vector<std::string> lines_;
};

// Before: the first throw left run() and std::terminate ended the test binary.
TEST(EngineIoPool, AThrowingHandlerIsLoggedWithItsShardAndTheShardGoesOn) {
    log_capture log;
    sio::io_pool pool{2};
    std::atomic<int> after{0};
    for (std::size_t shard = 0; shard < pool.size(); ++shard) {
        auto& ctx = pool.get(shard);
        boost::asio::post(ctx, [] { throw std::runtime_error("boom"); });
        boost::asio::post(ctx, [] { throw 42; });
        boost::asio::post(ctx, [] { throw custom_failure{}; });
        boost::asio::post(ctx, [&] {
            if (++after == 2)
                pool.stop();
        });
    }
    pool.run(); // returns once both shards ran their last handler and stop() was called
    EXPECT_EQ(after.load(), 2);
    auto const lines = log.lines();
    for (std::string shard : {"0", "1"}) {
        auto const prefix = "io_pool shard " + shard + ": a handler threw";
        EXPECT_EQ(std::count(lines.begin(), lines.end(), prefix + ": boom"), 1) << shard;
        EXPECT_EQ(
            std::count(
                lines.begin(), lines.end(), prefix + " an exception that is not a std::exception"),
            2)
            << shard;
    }
}

} // namespace
