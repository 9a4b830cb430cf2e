#pragma once

#include <sio/feed/source.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// The database sio-server watches: embedded SQLite by default, or PostgreSQL.
namespace app {

class database {
public:
    virtual ~database() = default;
    virtual sio::feed::source& source() = 0;
    /// Stores a message and returns its row id. Feed thread only (source().post).
    virtual std::optional<std::int64_t>
    insert_message(std::string const& author, std::string const& body) = 0;
    virtual void start() = 0;
    virtual void stop() = 0;
};

/// Opens `db` (a SQLite path, or a postgresql:// URL), creates `messages` if missing and
/// watches it and `tables`. Throws std::runtime_error with a clear message.
std::unique_ptr<database>
open_database(std::string const& db, std::vector<std::string> const& tables, std::size_t retain);

} // namespace app
