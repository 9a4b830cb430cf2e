#include <sio/core/guarded.hpp>

#include <gtest/gtest.h>

#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct custom_failure {
    int code;
};

// Collects what the library logs while it lives.
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

TEST(CoreGuarded, ReturnsNothingAndLogsNothingWhenTheCallReturns) {
    log_capture log;
    bool ran = false;
    bool described = false;
    auto const thrown = sio::guarded(
        [&] { ran = true; },
        [&] {
            described = true;
            return std::string{"never"};
        });
    EXPECT_TRUE(ran);
    EXPECT_FALSE(thrown);
    EXPECT_FALSE(described);
    EXPECT_TRUE(log.lines().empty());
}

TEST(CoreGuarded, LogsAStdExceptionWithItsMessage) {
    log_capture log;
    auto const thrown = sio::guarded(
        [] { throw std::runtime_error("boom"); }, [] { return std::string{"handler 'x'"}; });
    ASSERT_TRUE(thrown);
    EXPECT_EQ(*thrown, "boom");
    ASSERT_EQ(log.lines().size(), 1u);
    EXPECT_EQ(log.lines()[0], "handler 'x' threw: boom");
}

TEST(CoreGuarded, ContainsAnIntAndACustomType) {
    log_capture log;
    auto const from_int = sio::guarded([] { throw 42; }, [] { return std::string{"a"}; });
    auto const from_custom =
        sio::guarded([] { throw custom_failure{7}; }, [] { return std::string{"b"}; });
    ASSERT_TRUE(from_int);
    ASSERT_TRUE(from_custom);
    EXPECT_TRUE(from_int->empty());
    EXPECT_TRUE(from_custom->empty());
    auto const lines = log.lines();
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "a threw an exception that is not a std::exception");
    EXPECT_EQ(lines[1], "b threw an exception that is not a std::exception");
}

} // namespace
