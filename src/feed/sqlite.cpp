#include <sio/core/log.hpp>
#include <sio/feed/sqlite.hpp>
#include <sio/server.hpp>

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>

#include <sqlite3.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <feed/rows.hpp>
#include <filesystem>
#include <stdexcept>

namespace sio::feed {
namespace {

using detail::quote_ident;
using detail::quote_literal;
using detail::to_row;

// RAII for prepared statements.
struct statement {
    sqlite3_stmt* stmt = nullptr;
    statement(sqlite3* db, std::string const& sql) {
        if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) !=
            SQLITE_OK)
            throw std::runtime_error(std::string{"sqlite: "} + sqlite3_errmsg(db) + " in: " + sql);
    }
    ~statement() { sqlite3_finalize(stmt); }
    statement(statement const&) = delete;
    statement& operator=(statement const&) = delete;
    bool step() {
        int const rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        throw std::runtime_error(std::string{"sqlite: "} + sqlite3_errmsg(sqlite3_db_handle(stmt)));
    }
    std::int64_t int64(int col) { return sqlite3_column_int64(stmt, col); }
    std::string text(int col) {
        auto const* p = reinterpret_cast<char const*>(sqlite3_column_text(stmt, col));
        return p ? std::string{p, static_cast<std::size_t>(sqlite3_column_bytes(stmt, col))}
                 : std::string{};
    }
    bool is_null(int col) { return sqlite3_column_type(stmt, col) == SQLITE_NULL; }
};

void exec(sqlite3* db, std::string const& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string message = err ? err : "unknown error";
        sqlite3_free(err);
        throw std::runtime_error("sqlite: " + message + " in: " + sql);
    }
}

void bind(sqlite3_stmt* stmt, int index, boost::json::value const& v) {
    if (v.is_null())
        sqlite3_bind_null(stmt, index);
    else if (v.is_bool())
        sqlite3_bind_int64(stmt, index, v.get_bool() ? 1 : 0);
    else if (v.is_int64())
        sqlite3_bind_int64(stmt, index, v.get_int64());
    else if (v.is_uint64())
        sqlite3_bind_int64(stmt, index, static_cast<std::int64_t>(v.get_uint64()));
    else if (v.is_double())
        sqlite3_bind_double(stmt, index, v.get_double());
    else if (v.is_string())
        sqlite3_bind_text(
            stmt,
            index,
            v.get_string().data(),
            static_cast<int>(v.get_string().size()),
            SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(stmt, index);
}

// The JSON of a row as SQLite builds it in triggers and snapshots: BLOBs become {"$b": hex}
// (JSON cannot hold them), everything else is json_object's own typing.
std::string row_json(table_info const& t, std::string_view prefix) {
    std::string sql = "json_object(";
    bool first = true;
    auto add = [&](std::string const& name, std::string const& expr) {
        if (!first)
            sql += ", ";
        first = false;
        sql += quote_literal(name) + ", " + expr;
    };
    if (t.has_rowid_column)
        add("rowid", std::string{prefix} + ".rowid");
    for (auto const& c : t.columns) {
        auto const ref = std::string{prefix} + "." + quote_ident(c.name);
        add(c.name,
            "CASE typeof(" + ref + ") WHEN 'blob' THEN json_object('$b', hex(" + ref + ")) ELSE " +
                ref + " END");
    }
    sql += ")";
    return sql;
}

} // namespace

sqlite::sqlite(std::string path, sqlite_options options)
    : database_source(options.retain, options.poll_interval)
    , path_(std::move(path))
    , options_(std::move(options))
    , recheck_timer_(ioc_) {
    if (sqlite3_open_v2(
            path_.c_str(),
            &db_,
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
            nullptr) != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw std::runtime_error("cannot open " + path_ + ": " + message);
    }
    sqlite3_busy_timeout(db_, static_cast<int>(options_.busy_timeout.count()));
    try {
        exec(db_, "PRAGMA journal_mode=WAL");
        exec(
            db_,
            "CREATE TABLE IF NOT EXISTS _sio_changes("
            "change_id INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, op TEXT NOT NULL, "
            "row TEXT, old TEXT, "
            "committed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))");
        for (auto const& sql : options_.setup)
            exec(db_, sql);
        for (auto const& t : options_.tables)
            install(t);
        statement max{
            db_,
            "SELECT coalesce(max(change_id), 0), coalesce(min(change_id), 0) FROM _sio_changes"};
        max.step();
        delivered_ = max.int64(0);
        statement seq{
            db_,
            "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_sio_changes'), 0)"};
        seq.step();
        // Ids below the oldest entry kept (or all so far, if the log is empty) cannot be replayed.
        trimmed_upto_ = max.int64(1) > 0 ? max.int64(1) - 1 : seq.int64(0);
        delivered_ = std::max(delivered_, seq.int64(0));
    } catch (...) {
        sqlite3_close(db_);
        throw;
    }
}

sqlite::~sqlite() {
    stop();
    if (watch_fd_ >= 0 && !watch_)
        ::close(watch_fd_);
    sqlite3_close(db_);
}

void sqlite::install(std::string const& name) {
    table_info info;
    info.name = name;
    bool without_rowid = false;
    {
        statement list{
            db_, "SELECT type, wr FROM pragma_table_list WHERE name = ?1 AND schema = 'main'"};
        sqlite3_bind_text(list.stmt, 1, name.c_str(), -1, SQLITE_TRANSIENT);
        if (!list.step() || list.text(0) != "table")
            throw std::runtime_error("no such table: " + name);
        without_rowid = list.int64(1) != 0;
    }
    statement cols{db_, "SELECT name, type, pk FROM pragma_table_info(?1) ORDER BY cid"};
    sqlite3_bind_text(cols.stmt, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    std::vector<std::pair<std::int64_t, std::string>> pk;
    while (cols.step()) {
        column c{cols.text(0), cols.text(1), cols.int64(2) > 0};
        if (c.primary_key)
            pk.emplace_back(cols.int64(2), c.name);
        info.columns.push_back(std::move(c));
    }
    std::sort(pk.begin(), pk.end());
    // A single INTEGER PRIMARY KEY is the rowid itself; otherwise a rowid table's rows carry it.
    bool const integer_pk = pk.size() == 1 && [&] {
        auto const* c = info.find(pk.front().second);
        std::string type = c->declared_type;
        std::transform(type.begin(), type.end(), type.begin(), ::toupper);
        return type == "INTEGER";
    }();
    if (!without_rowid && !integer_pk) {
        info.has_rowid_column = true;
        info.key = {"rowid"};
    } else {
        for (auto const& [order, column] : pk)
            info.key.push_back(column);
    }

    auto const q = quote_ident(name);
    auto const lit = quote_literal(name);
    auto const trigger = [&](std::string const& suffix) {
        return quote_ident("_sio_" + name + "_" + suffix);
    };
    // Recreated on every start so they follow schema changes.
    exec(db_, "DROP TRIGGER IF EXISTS " + trigger("insert"));
    exec(db_, "DROP TRIGGER IF EXISTS " + trigger("update"));
    exec(db_, "DROP TRIGGER IF EXISTS " + trigger("delete"));
    exec(
        db_,
        "CREATE TRIGGER " + trigger("insert") + " AFTER INSERT ON " + q +
            " BEGIN INSERT INTO _sio_changes(tbl, op, row) VALUES(" + lit + ", 'insert', " +
            row_json(info, "NEW") + "); END");
    exec(
        db_,
        "CREATE TRIGGER " + trigger("update") + " AFTER UPDATE ON " + q +
            " BEGIN INSERT INTO _sio_changes(tbl, op, row, old) VALUES(" + lit + ", 'update', " +
            row_json(info, "NEW") + ", " + row_json(info, "OLD") + "); END");
    exec(
        db_,
        "CREATE TRIGGER " + trigger("delete") + " AFTER DELETE ON " + q +
            " BEGIN INSERT INTO _sio_changes(tbl, op, old) VALUES(" + lit + ", 'delete', " +
            row_json(info, "OLD") + "); END");
    tables_.insert_or_assign(name, std::move(info));
}

void sqlite::arm_wakeups() {
    namespace fs = std::filesystem;
    auto const file = fs::absolute(path_);
    wal_name_ = file.filename().string() + "-wal";
    watch_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (watch_fd_ < 0)
        return; // the poll timer still finds every change
    if (inotify_add_watch(
            watch_fd_,
            file.parent_path().c_str(),
            IN_MODIFY | IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
        ::close(watch_fd_);
        watch_fd_ = -1;
        return;
    }
    watch_ = std::make_unique<boost::asio::posix::stream_descriptor>(ioc_, watch_fd_);
    read_watch();
}

void sqlite::read_watch() {
    watch_->async_read_some(
        boost::asio::buffer(watch_buf_), [this](boost::system::error_code ec, std::size_t n) {
            if (ec)
                return;
            bool relevant = false;
            for (std::size_t off = 0; off + sizeof(inotify_event) <= n;) {
                auto const* ev = reinterpret_cast<inotify_event const*>(watch_buf_.data() + off);
                if (ev->len > 0 && wal_name_ == ev->name)
                    relevant = true;
                off += sizeof(inotify_event) + ev->len;
            }
            if (relevant) {
                poll(false);
                // The WAL grows before the commit is visible: look again shortly.
                recheck_timer_.expires_after(std::chrono::milliseconds(3));
                recheck_timer_.async_wait([this](boost::system::error_code ec) {
                    if (!ec)
                        poll(false);
                });
            }
            read_watch();
        });
}

void sqlite::check_schema() {
    statement version{db_, "PRAGMA schema_version"};
    version.step();
    auto const v = version.int64(0);
    if (v == schema_version_)
        return;
    if (schema_version_ >= 0) {
        // A watched table was altered: rebuild its triggers and columns (rows written between
        // the ALTER and now carry the old column set).
        for (auto const& name : options_.tables) {
            try {
                install(name);
            } catch (std::exception const& ex) {
                log(log_level::error,
                    std::string{"feed: no longer watching "} + name + ": " + ex.what());
                tables_.erase(name);
            }
        }
        statement after{db_, "PRAGMA schema_version"};
        after.step();
        schema_version_ = after.int64(0);
        return;
    }
    schema_version_ = v;
}

void sqlite::tick() {
    check_schema();
    poll(false);
}

std::vector<change> sqlite::read_changes(std::int64_t after, std::int64_t upto, std::size_t limit) {
    statement q{
        db_,
        "SELECT change_id, tbl, op, row, old, committed_at FROM _sio_changes "
        "WHERE change_id > ?1 AND change_id <= ?2 ORDER BY change_id LIMIT ?3"};
    sqlite3_bind_int64(q.stmt, 1, after);
    sqlite3_bind_int64(q.stmt, 2, upto);
    sqlite3_bind_int64(q.stmt, 3, static_cast<std::int64_t>(limit));
    std::vector<change> out;
    while (q.step()) {
        change c;
        c.id = q.int64(0);
        c.table = q.text(1);
        c.op = op_from_string(q.text(2));
        c.row = to_row(q.text(3), c.blobs);
        c.old = to_row(q.text(4), c.blobs);
        c.committed_at = q.text(5);
        out.push_back(std::move(c));
    }
    return out;
}

void sqlite::poll(bool force) {
    statement version{db_, "PRAGMA data_version"};
    version.step();
    auto const v = version.int64(0);
    if (!force && v == data_version_)
        return;
    data_version_ = v;
    deliver_new();
}

void sqlite::delete_changes(std::int64_t upto) {
    statement del{db_, "DELETE FROM _sio_changes WHERE change_id <= ?1"};
    sqlite3_bind_int64(del.stmt, 1, upto);
    del.step();
}

snapshot sqlite::take_snapshot(table_info const& t, filter const& where, std::size_t limit) {
    exec(db_, "BEGIN");
    try {
        // The first read fixes the snapshot: deliver everything it holds, then read the rows in it.
        poll(true);
        snapshot out;
        out.last_change_id = delivered_;
        std::string sql = "SELECT " + row_json(t, "t") + " FROM " + quote_ident(t.name) + " AS t";
        std::vector<boost::json::value> params;
        bool first = true;
        for (auto const& [col, value] : where) {
            auto const ref = col == "rowid" && t.has_rowid_column ? std::string{"t.rowid"}
                                                                  : "t." + quote_ident(col);
            sql += first ? " WHERE " : " AND ";
            first = false;
            // Typed as the in-memory matcher types it, so snapshot and live agree.
            if (value.is_null()) {
                sql += ref + " IS NULL";
                continue;
            }
            params.push_back(value);
            std::string n{"?"}; // appended: g++ 12 -Wrestrict misfires on "?" + to_string
            n += std::to_string(params.size());
            if (value.is_string()) {
                // Integers beyond 2^53 travel as strings (to_row): match those too.
                sql += "((typeof(" + ref + ") = 'text' AND " + ref + " = " + n + ") OR (typeof(" +
                       ref + ") = 'integer' AND abs(" + ref + ") > 9007199254740992 AND CAST(" +
                       ref + " AS TEXT) = " + n + "))";
            } else {
                sql += "(typeof(" + ref + ") IN ('integer', 'real') AND " + ref + " = " + n + ")";
            }
        }
        sql += " ORDER BY ";
        for (std::size_t i = 0; i < t.key.size(); ++i)
            sql += (i ? ", " : "") +
                   (t.key[i] == "rowid" ? std::string{"t.rowid"} : "t." + quote_ident(t.key[i]));
        sql += " LIMIT " + std::to_string(limit + 1);
        statement q{db_, sql};
        for (std::size_t i = 0; i < params.size(); ++i)
            bind(q.stmt, static_cast<int>(i + 1), params[i]);
        while (q.step()) {
            if (out.rows.size() == limit) {
                out.truncated = true;
                break;
            }
            out.rows.push_back(to_row(q.text(0), out.blobs));
        }
        exec(db_, "COMMIT");
        return out;
    } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

boost::system::result<std::int64_t>
sqlite::execute(std::string const& sql, std::vector<boost::json::value> const& params) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) !=
        SQLITE_OK) {
        log(log_level::error, std::string{"sqlite: "} + sqlite3_errmsg(db_));
        return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
    }
    for (std::size_t i = 0; i < params.size(); ++i)
        bind(stmt, static_cast<int>(i + 1), params[i]);
    int const rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        log(log_level::error, std::string{"sqlite: "} + sqlite3_errstr(rc));
        return boost::system::errc::make_error_code(boost::system::errc::io_error);
    }
    auto const id = sqlite3_last_insert_rowid(db_);
    poll(true); // our own commit does not move data_version for us
    return id;
}

} // namespace sio::feed
