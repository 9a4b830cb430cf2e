#pragma once

#include <sio/feed/change.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::feed {

/// Rows of one table as of one change id.
struct snapshot {
    std::vector<boost::json::value> rows{};
    std::vector<shared_bytes> blobs{}; // what the rows' binary placeholders index
    std::int64_t last_change_id = 0;
    bool truncated = false;
};

/// A database that emits its committed changes in commit order. Everything but post() runs on
/// the source's own thread, where blocking database calls belong (never on a server shard).
class source {
public:
    virtual ~source() = default;

    /// Runs fn on the source's thread. Any thread.
    virtual void post(std::function<void()> fn) = 0;

    /// Called on the source's thread with each batch of new changes, in commit order.
    using listener = std::function<void(std::vector<change> const&)>;
    /// Adds a listener (several may watch one source). Before start() only.
    virtual void add_listener(listener l) = 0;

    // Source thread only:
    virtual table_info const* table(std::string_view name) const = 0;
    virtual std::vector<std::string> tables() const = 0;
    /// Delivers every change committed so far to the listener, then reads the matching rows
    /// in the same database snapshot, so that last_change_id is exactly the last change
    /// delivered. `limit` rows at most (then truncated).
    virtual snapshot take_snapshot(table_info const& t, filter const& where, std::size_t limit) = 0;
    /// Changes with since < id <= upto, or nothing when the log no longer holds them all.
    virtual std::optional<std::vector<change>>
    changes_between(std::int64_t since, std::int64_t upto) = 0;
    /// The last change delivered to the listener.
    virtual std::int64_t last_delivered() const = 0;
};

} // namespace sio::feed
