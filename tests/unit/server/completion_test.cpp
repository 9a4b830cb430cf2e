#include <sio/core/log.hpp>
#include <sio/server/detail/completion.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace {

namespace net = boost::asio;

std::string describe() {
    return "test completion";
}

TEST(ServerCompletion, APlainCallbackRunsInlineOnTheShardThatCompletesIt) {
    net::io_context shard;
    bool ran_inline = false;
    bool completed = false;
    net::post(shard, [&] {
        auto bound = sio::detail::bind_completion(
            [&](int v) {
                EXPECT_EQ(v, 7);
                completed = true;
            },
            shard.get_executor(),
            describe);
        bound(7);
        ran_inline = completed;
    });
    shard.run();
    EXPECT_TRUE(ran_inline);
}

TEST(ServerCompletion, RunsOnTheAssociatedIoContextWhichKeepsWorkUntilThen) {
    net::io_context shard;
    net::io_context other;
    bool on_other = false;
    auto bound = sio::detail::bind_completion(
        net::bind_executor(
            other, [&](int) { on_other = other.get_executor().running_in_this_thread(); }),
        shard.get_executor(),
        describe);
    // Counted work: without it this run() would return at once, before the completion.
    std::thread other_thread{[&] { other.run(); }};
    net::post(shard, [&] { bound(1); });
    shard.run();
    other_thread.join();
    EXPECT_TRUE(on_other);
}

TEST(ServerCompletion, RunsInsideTheAssociatedStrand) {
    net::io_context shard;
    net::io_context pool;
    auto strand = net::make_strand(pool);
    bool in_strand = false;
    auto bound = sio::detail::bind_completion(
        net::bind_executor(strand, [&](int) { in_strand = strand.running_in_this_thread(); }),
        shard.get_executor(),
        describe);
    std::thread pool_thread{[&] { pool.run(); }};
    net::post(shard, [&] { bound(1); });
    shard.run();
    pool_thread.join();
    EXPECT_TRUE(in_strand);
}

} // namespace

namespace {

// An io_context runs an inline dispatch inside its own try and rethrows from run() later: the
// guard must be inside, where the completion is still known.
TEST(ServerCompletion, AThrowIsLoggedAsTheCompletionDescribesIt) {
    std::vector<std::string> lines;
    sio::set_log_sink(
        [&](sio::log_level, std::string_view line) { lines.emplace_back(line); },
        sio::log_level::debug);
    net::io_context shard;
    net::post(shard, [&] {
        auto bound =
            sio::detail::bind_completion([](int) { throw 42; }, shard.get_executor(), describe);
        bound(1);
    });
    EXPECT_NO_THROW(shard.run());
    sio::set_log_sink({});
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], "test completion threw an exception that is not a std::exception");
}

} // namespace
