#include "database.hpp"

#include <sio/feed/postgres.hpp>
#include <sio/feed/sqlite.hpp>

namespace app {
namespace {

class sqlite_database final : public database {
public:
    sqlite_database(std::string const& path, std::vector<std::string> tables, std::size_t retain)
        : feed_(path, [&] {
            sio::feed::sqlite_options o;
            o.tables = std::move(tables);
            o.retain = retain;
            o.setup = {"CREATE TABLE IF NOT EXISTS messages(id INTEGER PRIMARY KEY AUTOINCREMENT, "
                       "author TEXT NOT NULL, body TEXT NOT NULL, "
                       "created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"};
            return o;
        }()) {}

    sio::feed::source& source() override { return feed_; }
    std::optional<std::int64_t>
    insert_message(std::string const& author, std::string const& body) override {
        auto id = feed_.execute(
            "INSERT INTO messages(author, body) VALUES(?1, ?2)",
            {boost::json::value(author), boost::json::value(body)});
        return id ? std::optional{*id} : std::nullopt;
    }
    void start() override { feed_.start(); }
    void stop() override { feed_.stop(); }

private:
    sio::feed::sqlite feed_;
};

class postgres_database final : public database {
public:
    postgres_database(std::string const& url, std::vector<std::string> tables, std::size_t retain)
        : feed_(url, [&] {
            sio::feed::postgres_options o;
            o.tables = std::move(tables);
            o.retain = retain;
            o.setup = {"CREATE TABLE IF NOT EXISTS messages(id bigserial PRIMARY KEY, author text "
                       "NOT NULL, "
                       "body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"};
            return o;
        }()) {}

    sio::feed::source& source() override { return feed_; }
    std::optional<std::int64_t>
    insert_message(std::string const& author, std::string const& body) override {
        auto id = feed_.execute(
            "INSERT INTO messages(author, body) VALUES($1, $2) RETURNING id",
            {boost::json::value(author), boost::json::value(body)});
        return id ? std::optional{*id} : std::nullopt;
    }
    void start() override { feed_.start(); }
    void stop() override { feed_.stop(); }

private:
    sio::feed::postgres feed_;
};

} // namespace

std::unique_ptr<database>
open_database(std::string const& db, std::vector<std::string> const& tables, std::size_t retain) {
    std::vector<std::string> watched{"messages"};
    watched.insert(watched.end(), tables.begin(), tables.end());
    if (db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0)
        return std::make_unique<postgres_database>(db, std::move(watched), retain);
    return std::make_unique<sqlite_database>(db, std::move(watched), retain);
}

} // namespace app
