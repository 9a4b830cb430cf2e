#include <sio/core/log.hpp>
#include <sio/feed/postgres.hpp>

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include <libpq-fe.h>

#include <feed/rows.hpp>
#include <stdexcept>
#include <utility>

namespace sio::feed {
namespace {

using detail::quote_ident;
using detail::quote_literal;

// Settings under which rows become JSON, both in the writers' triggers and in our own snapshot
// queries, so that a writer's session (time zone, float digits, bytea format) cannot change the
// values captured.
constexpr char const* json_settings =
    "SET TimeZone = 'UTC' SET extra_float_digits = 1 SET bytea_output = 'hex' "
    "SET IntervalStyle = 'postgres' SET DateStyle = 'ISO, YMD'";
constexpr char const* session_settings =
    "SET TimeZone = 'UTC'; SET extra_float_digits = 1; SET bytea_output = 'hex'; "
    "SET IntervalStyle = 'postgres'; SET DateStyle = 'ISO, YMD'; SET client_min_messages = warning";

// Key of the transaction-scoped advisory lock that orders commits of watched tables.
constexpr char const* commit_lock_key = "7310582214011";

struct result {
    PGresult* r;
    explicit result(PGresult* p)
        : r(p) {}
    ~result() { PQclear(r); }
    result(result&& other) noexcept
        : r(std::exchange(other.r, nullptr)) {}
    result(result const&) = delete;
    result& operator=(result const&) = delete;
    int rows() const { return PQntuples(r); }
    bool is_null(int row, int col) const { return PQgetisnull(r, row, col) != 0; }
    std::string_view text(int row, int col) const {
        return {PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col))};
    }
    std::int64_t int64(int row, int col) const { return std::stoll(std::string{text(row, col)}); }
};

result exec(
    pg_conn* conn,
    std::string const& sql,
    std::vector<std::optional<std::string>> const& params = {}) {
    std::vector<char const*> values;
    values.reserve(params.size());
    for (auto const& p : params)
        values.push_back(p ? p->c_str() : nullptr);
    result r{
        params.empty() ? PQexec(conn, sql.c_str())
                       : PQexecParams(
                             conn,
                             sql.c_str(),
                             static_cast<int>(params.size()),
                             nullptr,
                             values.data(),
                             nullptr,
                             nullptr,
                             0)};
    auto const status = PQresultStatus(r.r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        throw std::runtime_error(
            "postgresql: " + std::string{PQerrorMessage(conn)} + "in: " + sql.substr(0, 200));
    return r;
}

std::optional<std::string> text_param(boost::json::value const& v) {
    if (v.is_null())
        return std::nullopt;
    if (v.is_string())
        return std::string{v.get_string()};
    if (v.is_bool())
        return v.get_bool() ? "true" : "false";
    return boost::json::serialize(v);
}

} // namespace

postgres::postgres(std::string conninfo, postgres_options options)
    : database_source(options.retain, options.poll_interval)
    , conninfo_(std::move(conninfo))
    , options_(std::move(options))
    , reconnect_timer_(ioc_) {
    conn_ = PQconnectdb(conninfo_.c_str());
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
        std::string message = conn_ ? PQerrorMessage(conn_) : "out of memory";
        PQfinish(conn_);
        throw std::runtime_error("cannot connect to PostgreSQL: " + message);
    }
    try {
        exec(conn_, session_settings);
        for (auto const& sql : options_.setup)
            exec(conn_, sql);
        exec(conn_, "CREATE SEQUENCE IF NOT EXISTS _sio_change_ids");
        exec(
            conn_,
            "CREATE TABLE IF NOT EXISTS _sio_changes("
            "seq bigserial PRIMARY KEY, xid xid8 NOT NULL DEFAULT pg_current_xact_id(), "
            "change_id bigint UNIQUE, tbl text NOT NULL, op text NOT NULL, "
            "\"row\" json, old json, committed_at timestamptz)");
        exec(
            conn_,
            "CREATE INDEX IF NOT EXISTS _sio_changes_pending ON _sio_changes(xid) WHERE change_id "
            "IS NULL");
        // Row capture, in the writer's transaction: json keeps the column order.
        exec(
            conn_,
            // The watched table's name comes as the trigger's argument: a partition's rows are
            // reported under the partitioned table they belong to.
            std::string{
                "CREATE OR REPLACE FUNCTION _sio_capture() RETURNS trigger LANGUAGE plpgsql "} +
                json_settings +
                " AS $$ BEGIN "
                "INSERT INTO _sio_changes(tbl, op, \"row\", old) VALUES (TG_ARGV[0], lower(TG_OP), "
                "CASE WHEN TG_OP <> 'DELETE' THEN row_to_json(NEW) END, "
                "CASE WHEN TG_OP <> 'INSERT' THEN row_to_json(OLD) END); RETURN NULL; END $$");
        // Numbering at commit, under a lock held until the commit is visible: ids become
        // visible in increasing order, so a reader asking for "id > last" misses nothing.
        exec(
            conn_,
            std::string{
                "CREATE OR REPLACE FUNCTION _sio_number() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "DECLARE r record; stamp timestamptz; BEGIN "
                "IF NOT EXISTS (SELECT 1 FROM _sio_changes WHERE seq = NEW.seq AND change_id IS "
                "NULL) "
                "THEN RETURN NULL; END IF; "
                "PERFORM pg_advisory_xact_lock("} +
                commit_lock_key +
                "); stamp := clock_timestamp(); "
                "FOR r IN SELECT seq FROM _sio_changes WHERE xid = pg_current_xact_id() AND "
                "change_id IS NULL "
                "ORDER BY seq LOOP UPDATE _sio_changes SET change_id = nextval('_sio_change_ids'), "
                "committed_at = stamp WHERE seq = r.seq; END LOOP; "
                "PERFORM pg_notify('_sio_changes', ''); RETURN NULL; END $$");
        // Every statement here replaces in place (never drop-then-create): a writer committing
        // meanwhile is captured and numbered by the old definitions or the new ones, never by
        // neither, and no lock is taken that a writer could deadlock against.
        auto numbering = exec(
            conn_,
            "SELECT 1 FROM pg_trigger WHERE tgname = '_sio_number' AND "
            "tgrelid = '_sio_changes'::regclass");
        if (numbering.rows() == 0)
            exec(
                conn_,
                "CREATE CONSTRAINT TRIGGER _sio_number AFTER INSERT ON _sio_changes "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION _sio_number()");
        for (auto const& t : options_.tables)
            install(t);
        auto bounds = exec(
            conn_,
            "SELECT coalesce(min(change_id), 0), coalesce(max(change_id), 0) FROM _sio_changes");
        auto seq = exec(
            conn_, "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM _sio_change_ids");
        delivered_ = bounds.int64(0, 1);
        trimmed_upto_ = bounds.int64(0, 0) > 0 ? bounds.int64(0, 0) - 1 : seq.int64(0, 0);
        exec(conn_, "LISTEN _sio_changes");
    } catch (...) {
        PQfinish(conn_);
        throw;
    }
}

void postgres::reconnect() {
    // The connection broke (server restart, pg_terminate_backend): reconnect with a pause, then
    // catch up — the log kept everything committed meanwhile.
    if (socket_) {
        socket_->cancel();
        socket_->release();
        socket_.reset();
    }
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
        log(log_level::warn,
            std::string{"postgresql: reconnect failed, retrying: "} + PQerrorMessage(conn_));
        reconnect_pending_ = true;
        reconnect_timer_.expires_after(std::chrono::seconds(1));
        reconnect_timer_.async_wait([this](boost::system::error_code ec) {
            reconnect_pending_ = false;
            if (!ec)
                reconnect();
        });
        return;
    }
    try {
        exec(conn_, session_settings);
        exec(conn_, "LISTEN _sio_changes");
        socket_ = std::make_unique<boost::asio::posix::stream_descriptor>(ioc_, PQsocket(conn_));
        wait_notify();
        deliver_new();
        log(log_level::info, "postgresql: reconnected");
    } catch (std::exception const& ex) {
        log(log_level::warn, ex.what());
    }
}

postgres::~postgres() {
    stop();
    if (socket_)
        socket_->release(); // libpq owns the descriptor
    PQfinish(conn_);
}

void postgres::install(std::string const& name) {
    auto exists = exec(conn_, "SELECT to_regclass($1) IS NOT NULL", {quote_ident(name)});
    if (exists.text(0, 0) != "t")
        throw std::runtime_error("no such table: " + name);
    table_info info;
    info.name = name;
    auto cols = exec(
        conn_,
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
        "coalesce(a.attnum = ANY(i.indkey), false), t.typname "
        "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary "
        "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY "
        "a.attnum",
        {quote_ident(name)});
    for (int r = 0; r < cols.rows(); ++r) {
        column c{
            std::string{cols.text(r, 0)}, std::string{cols.text(r, 1)}, cols.text(r, 2) == "t"};
        if (c.primary_key)
            info.key.push_back(c.name);
        if (cols.text(r, 3) == "bytea")
            bytea_columns_[name].push_back(c.name);
        info.columns.push_back(std::move(c));
    }
    has_primary_key_[name] = !info.key.empty();
    if (info.key.empty()) // no primary key: the whole row identifies it
        for (auto const& c : info.columns)
            info.key.push_back(c.name);
    exec(
        conn_,
        "CREATE OR REPLACE TRIGGER _sio_capture AFTER INSERT OR UPDATE OR DELETE ON " +
            quote_ident(name) + " FOR EACH ROW EXECUTE FUNCTION _sio_capture(" +
            quote_literal(name) + ")");
    tables_.insert_or_assign(name, std::move(info));
}

void postgres::arm_wakeups() {
    socket_ = std::make_unique<boost::asio::posix::stream_descriptor>(ioc_, PQsocket(conn_));
    wait_notify();
}

void postgres::wait_notify() {
    // libpq's socket driven by Asio: readable means a NOTIFY (or an error) arrived.
    socket_->async_wait(
        boost::asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
            if (ec)
                return;
            if (PQconsumeInput(conn_) == 0) {
                log(log_level::error,
                    std::string{"postgresql connection lost: "} + PQerrorMessage(conn_));
                reconnect();
                return;
            }
            bool notified = false;
            while (PGnotify* n = PQnotifies(conn_)) {
                notified = true;
                PQfreemem(n);
            }
            if (notified) {
                try {
                    deliver_new();
                } catch (std::exception const& ex) {
                    log(log_level::error, std::string{"feed poll failed: "} + ex.what());
                }
            }
            wait_notify();
        });
}

void postgres::tick() {
    try {
        deliver_new();
    } catch (std::exception const&) {
        if (PQstatus(conn_) != CONNECTION_OK && !reconnect_pending_)
            reconnect();
        throw;
    }
}

std::vector<change>
postgres::read_changes(std::int64_t after, std::int64_t upto, std::size_t limit) {
    auto r = exec(
        conn_,
        "SELECT change_id, tbl, op, \"row\"::text, old::text, "
        "to_char(committed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
        "FROM _sio_changes WHERE change_id > $1 AND change_id <= $2 ORDER BY change_id LIMIT $3",
        {std::to_string(after), std::to_string(upto), std::to_string(limit)});
    std::vector<change> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    static std::vector<std::string> const none;
    for (int i = 0; i < r.rows(); ++i) {
        change c;
        c.id = r.int64(i, 0);
        c.table = std::string{r.text(i, 1)};
        c.op = op_from_string(r.text(i, 2));
        auto bytea = bytea_columns_.find(c.table);
        auto const& binary_columns = bytea == bytea_columns_.end() ? none : bytea->second;
        c.row = r.is_null(i, 3) ? boost::json::value{}
                                : detail::to_row(r.text(i, 3), c.blobs, binary_columns);
        c.old = r.is_null(i, 4) ? boost::json::value{}
                                : detail::to_row(r.text(i, 4), c.blobs, binary_columns);
        c.committed_at = std::string{r.text(i, 5)};
        out.push_back(std::move(c));
    }
    return out;
}

void postgres::delete_changes(std::int64_t upto) {
    exec(conn_, "DELETE FROM _sio_changes WHERE change_id <= $1", {std::to_string(upto)});
}

snapshot postgres::take_snapshot(table_info const& t, filter const& where, std::size_t limit) {
    exec(conn_, "BEGIN ISOLATION LEVEL REPEATABLE READ");
    try {
        // Same snapshot for the log and the rows: deliver what it holds, then read the rows.
        deliver_new();
        snapshot out;
        out.last_change_id = delivered_;
        // The row's JSON comes from a lateral, so no user column can clash with its alias.
        std::string sql = "SELECT r._sio_row::text FROM " + quote_ident(t.name) +
                          " t CROSS JOIN LATERAL (SELECT row_to_json(t) AS _sio_row) r";
        std::vector<std::optional<std::string>> params;
        bool first = true;
        for (auto const& [col, value] : where) {
            sql += first ? " WHERE " : " AND ";
            first = false;
            auto const cell = "(r._sio_row::jsonb -> " + quote_literal(col) + ")";
            // Compared as JSON, as the in-memory matcher compares the change rows.
            if (value.is_null()) {
                sql += "t." + quote_ident(col) + " IS NULL";
            } else if (value.is_bool()) {
                sql += "(" + cell + " = '" + (value.get_bool() ? "true" : "false") +
                       "'::jsonb OR " + cell + " = '" + (value.get_bool() ? "1" : "0") +
                       "'::jsonb)";
            } else {
                params.push_back(boost::json::serialize(value));
                std::string n{"$"}; // appended: g++ 12 -Wrestrict misfires on "$" + to_string
                n += std::to_string(params.size());
                sql += "(" + cell + " = " + n + "::jsonb";
                if (value.is_string()) // integers beyond 2^53 travel as strings (to_row)
                    sql += " OR (jsonb_typeof(" + cell + ") = 'number' AND abs((" + cell +
                           ")::numeric) > 9007199254740992 AND (" + cell + ")::text = " + n +
                           "::jsonb #>> '{}')";
                sql += ")";
            }
        }
        sql += " ORDER BY ";
        if (!has_primary_key_[t.name]) {
            sql += "t.ctid"; // any column may be unorderable (json); the physical order will do
        } else {
            for (std::size_t i = 0; i < t.key.size(); ++i)
                sql += (i ? ", t." : "t.") + quote_ident(t.key[i]);
        }
        sql += " LIMIT " + std::to_string(limit + 1);
        auto rows = exec(conn_, sql, params);
        auto bytea = bytea_columns_.find(t.name);
        static std::vector<std::string> const none;
        auto const& binary_columns = bytea == bytea_columns_.end() ? none : bytea->second;
        for (int i = 0; i < rows.rows(); ++i) {
            if (out.rows.size() == limit) {
                out.truncated = true;
                break;
            }
            out.rows.push_back(detail::to_row(rows.text(i, 0), out.blobs, binary_columns));
        }
        exec(conn_, "COMMIT");
        return out;
    } catch (...) {
        PQclear(PQexec(conn_, "ROLLBACK"));
        throw;
    }
}

boost::system::result<std::int64_t>
postgres::execute(std::string const& sql, std::vector<boost::json::value> const& params) {
    std::vector<std::optional<std::string>> text;
    for (auto const& p : params)
        text.push_back(text_param(p));
    try {
        auto r = exec(conn_, sql, text);
        std::int64_t id = r.rows() > 0 && !r.is_null(0, 0) ? r.int64(0, 0) : 0;
        deliver_new();
        return id;
    } catch (std::exception const& ex) {
        log(log_level::error, ex.what());
        return boost::system::errc::make_error_code(boost::system::errc::io_error);
    }
}

} // namespace sio::feed
