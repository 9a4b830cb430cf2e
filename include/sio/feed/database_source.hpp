#pragma once

#include <sio/feed/source.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sio::feed {

/// What the database feeds share: their own thread (blocking database calls never run on a
/// server shard), the listeners, the watched tables, the delivery cursor, the retention window
/// and the safety-net poll. A feed adds how its change log is read, trimmed and woken up.
class database_source : public source {
public:
    ~database_source() override;
    database_source(database_source const&) = delete;
    database_source& operator=(database_source const&) = delete;

    /// Calls `f` for every change, in order, on the feed's thread. Before start().
    void on_change(std::function<void(change const&)> f);
    /// Starts the feed's thread. Changes committed from now on are delivered.
    void start();
    /// Stops and joins the thread. Any thread but the feed's.
    void stop();

    void post(std::function<void()> fn) override;
    void add_listener(listener l) override;
    table_info const* table(std::string_view name) const override;
    std::vector<std::string> tables() const override;
    std::optional<std::vector<change>>
    changes_between(std::int64_t since, std::int64_t upto) override;
    std::int64_t last_delivered() const override { return delivered_; }

protected:
    database_source(std::size_t retain, std::chrono::milliseconds poll_interval);

    /// Log entries with after < id <= upto, at most `limit`, in id order. Feed thread.
    virtual std::vector<change>
    read_changes(std::int64_t after, std::int64_t upto, std::size_t limit) = 0;
    /// Deletes log entries with id <= upto. Feed thread.
    virtual void delete_changes(std::int64_t upto) = 0;
    /// Each poll tick, on the feed thread: find and deliver new changes (the feed's own way).
    virtual void tick() = 0;
    /// Once, before the thread runs: arm the feed's own wake-ups (file watch, LISTEN socket).
    virtual void arm_wakeups() {}

    /// Reads and delivers every change after the cursor, in batches.
    void deliver_new();

    boost::asio::io_context ioc_;
    std::map<std::string, table_info, std::less<>> tables_;
    std::int64_t delivered_ = 0;
    std::int64_t trimmed_upto_ = 0; // every change at or below this id may be gone from the log

private:
    void arm_poll_timer();
    void trim();

    std::size_t retain_;
    std::chrono::milliseconds poll_interval_;
    std::vector<listener> listeners_;
    boost::asio::steady_timer poll_timer_;
    std::chrono::steady_clock::time_point last_trim_{};
    std::thread thread_;
};

} // namespace sio::feed
