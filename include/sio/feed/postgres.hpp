#pragma once

#include <sio/feed/database_source.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

struct pg_conn;

namespace sio::feed {

/// Options of the PostgreSQL change feed.
struct postgres_options {
    /// Tables to watch (in the search path); each must exist.
    std::vector<std::string> tables{};
    /// Statements run once at connect, before the capture is installed.
    std::vector<std::string> setup{};
    /// Changes kept in the change log for catch-up (`since`). Default 10000.
    std::size_t retain = 10000;
    /// Safety-net poll besides LISTEN/NOTIFY. Default 250 ms.
    std::chrono::milliseconds poll_interval{250};
};

/// Every committed change of watched PostgreSQL tables, by any writer, in commit order.
///
/// Row triggers copy each change (row_to_json, so rows of any size arrive whole) into a log
/// table inside the writer's transaction. Sequence values are not in commit order — a slow
/// transaction's id becomes visible after later ones, and "id > last" would lose it — so the
/// log id is assigned at commit instead: a deferred constraint trigger takes a transaction-scoped
/// advisory lock and numbers the transaction's rows; the lock is held until the commit is
/// visible, so ids become visible in increasing order. NOTIFY (no payload: it stops at 8000
/// bytes) wakes the feed, which reads the log by id. No wal_level change is needed.
class postgres final : public database_source {
public:
    /// Connects (libpq conninfo or postgresql:// URL), installs the capture. Throws
    /// std::runtime_error with a clear message.
    postgres(std::string conninfo, postgres_options options = {});
    ~postgres() override;

    /// Runs a statement with parameters (JSON scalars, sent as text) and returns the first
    /// column of its first row as an integer (use RETURNING id). Feed thread only.
    boost::system::result<std::int64_t>
    execute(std::string const& sql, std::vector<boost::json::value> const& params);

    snapshot take_snapshot(table_info const& t, filter const& where, std::size_t limit) override;

private:
    std::vector<change>
    read_changes(std::int64_t after, std::int64_t upto, std::size_t limit) override;
    void delete_changes(std::int64_t upto) override;
    void tick() override;
    void arm_wakeups() override;

    void install(std::string const& name);
    void wait_notify();
    void reconnect();

    std::string conninfo_;
    postgres_options options_;
    pg_conn* conn_ = nullptr;
    std::map<std::string, std::vector<std::string>, std::less<>> bytea_columns_;
    std::map<std::string, bool, std::less<>> has_primary_key_;
    boost::asio::steady_timer reconnect_timer_;
    bool reconnect_pending_ = false;
    std::unique_ptr<boost::asio::posix::stream_descriptor> socket_;
};

} // namespace sio::feed
