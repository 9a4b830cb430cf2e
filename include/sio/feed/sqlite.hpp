#pragma once

#include <sio/feed/database_source.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace sio::feed {

/// Options of the SQLite change feed.
struct sqlite_options {
    /// Tables to watch; each must exist (any schema: INTEGER PRIMARY KEY, a plain rowid table,
    /// or WITHOUT ROWID with its primary key).
    std::vector<std::string> tables{};
    /// Statements run once at open, before the triggers are installed (CREATE TABLE IF NOT
    /// EXISTS ...).
    std::vector<std::string> setup{};
    /// Changes kept in the change log for catch-up (`since`). Default 10000.
    std::size_t retain = 10000;
    /// Safety-net poll of PRAGMA data_version besides the file watch. Default 20 ms.
    std::chrono::milliseconds poll_interval{20};
    /// How long a statement waits for another writer's lock. Default 5000 ms.
    std::chrono::milliseconds busy_timeout{5000};
};

/// Every committed INSERT, UPDATE and DELETE on watched tables of a SQLite database, by any
/// writer, in commit order. Triggers write each change into a change-log table
/// (`_sio_changes`) inside the writer's own transaction — so rolled-back work leaves nothing and
/// SQLite's single writer makes log ids commit-ordered — and a watch on the WAL file (plus a
/// PRAGMA data_version poll, since a file event can come before the commit is visible) wakes
/// the feed's thread to read the new entries.
class sqlite final : public database_source {
public:
    /// Opens (or creates) the database in WAL mode and installs the triggers. Throws
    /// std::runtime_error with a clear message (a watched table that does not exist, ...).
    sqlite(std::string path, sqlite_options options = {});
    ~sqlite() override;

    /// Runs a statement with parameters (JSON scalars) on the feed's thread's connection and
    /// returns the last inserted rowid; the change reaches the listeners before this returns.
    /// Feed thread only.
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
    void poll(bool force);
    void check_schema();
    void read_watch();

    std::string path_;
    sqlite_options options_;
    sqlite3* db_ = nullptr;
    std::int64_t data_version_ = -1;
    std::int64_t schema_version_ = -1;
    boost::asio::steady_timer recheck_timer_;
    std::unique_ptr<boost::asio::posix::stream_descriptor> watch_;
    int watch_fd_ = -1;
    std::string wal_name_;
    std::array<char, 4096> watch_buf_{};
};

} // namespace sio::feed
