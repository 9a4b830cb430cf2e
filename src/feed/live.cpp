#include <sio/core/log.hpp>
#include <sio/feed/live.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <map>

namespace sio::feed {
namespace {

message change_message(change const& c, std::string const& sub) {
    boost::json::object o;
    o.reserve(7);
    o.emplace("sub", sub);
    o.emplace("table", c.table);
    o.emplace("op", to_string(c.op));
    o.emplace("row", c.row);
    o.emplace("old", c.old);
    o.emplace("change_id", c.id);
    o.emplace("committed_at", c.committed_at);
    message m{boost::json::array{std::move(o)}};
    m.attachments = c.blobs; // the placeholders in row and old index these
    return m;
}

boost::json::object failure(std::string error) {
    return {{"ok", false}, {"error", std::move(error)}};
}

bool is_scalar(boost::json::value const& v) {
    return !v.is_array() && !v.is_object();
}

} // namespace

live::live(sio::server& io, source& src, live_options options)
    : io_(io)
    , nsp_(io.of(options.nsp))
    , source_(src)
    , options_(std::move(options)) {
    source_.add_listener([this](std::vector<change> const& batch) { deliver(batch); });
    nsp_.on_connection([this](sio::socket& s) { attach(s); });
}

std::string live::subscription_name(std::string_view table, filter const& where) {
    std::string name{table};
    if (where.empty())
        return name;
    // Sorted keys: {"a":1,"b":2} and {"b":2,"a":1} are one subscription.
    std::map<std::string_view, boost::json::value const*> sorted;
    for (auto const& kv : where)
        sorted.emplace(kv.key(), &kv.value());
    boost::json::object canonical;
    for (auto const& [k, v] : sorted)
        canonical.emplace(k, *v);
    name.push_back('?');
    name += boost::json::serialize(canonical);
    return name;
}

void live::attach(sio::socket& s) {
    s.on("subscribe", [this](sio::socket& s, message const& m, ack reply) {
        if (m.empty() || !m[0].is_object()) {
            reply(failure("subscribe expects {table, where?, since?}"));
            return;
        }
        auto request = m[0].as_object();
        auto const* table = request.if_contains("table");
        if (!table || !table->is_string()) {
            reply(failure("subscribe needs a table name (string)"));
            return;
        }
        filter where;
        if (auto const* w = request.if_contains("where"); w && !w->is_null()) {
            if (!w->is_object()) {
                reply(failure("where must be an object of column: value"));
                return;
            }
            where = w->as_object();
        }
        if (auto const* since = request.if_contains("since");
            since && !since->is_null() && !since->is_int64() && !since->is_uint64()) {
            reply(failure("since must be an integer change id"));
            return;
        }
        if (options_.authorize && !options_.authorize(s, table->get_string(), where)) {
            reply(failure("not authorized to subscribe to " + std::string{table->get_string()}));
            return;
        }
        source_.post(
            [this, ref = s.ref(), id = s.id(), request = std::move(request), reply]() mutable {
                try {
                    subscribe(std::move(ref), id, std::move(request), reply);
                } catch (std::exception const& ex) {
                    // The database refused (a table dropped or altered meanwhile, ...): say so.
                    reply(failure(std::string{"subscribe failed: "} + ex.what()));
                }
            });
    });

    s.on("unsubscribe", [this](sio::socket& s, message const& m, ack reply) {
        auto const* request = m.empty() ? nullptr : m[0].if_object();
        std::string sub;
        if (request) {
            if (auto const* named = request->if_contains("sub"); named && named->is_string()) {
                sub = std::string{named->get_string()};
            } else if (auto const* table = request->if_contains("table");
                       table && table->is_string()) {
                filter where;
                if (auto const* w = request->if_contains("where"); w && w->is_object())
                    where = w->as_object();
                sub = subscription_name(table->get_string(), where);
            }
        }
        if (sub.empty()) {
            reply(failure("unsubscribe expects {sub} or {table, where?}"));
            return;
        }
        // Through the feed thread: a subscribe still pending there joins first, then this leaves.
        source_.post([this, id = s.id(), sub, ref = s.ref(), reply] {
            unsubscribe(id, sub);
            ref.dispatch([sub, reply](sio::socket& s) {
                s.leave(sub);
                reply(boost::json::object{{"ok", true}});
            });
        });
    });

    s.on_disconnect([this](sio::socket& s, disconnect_reason) {
        source_.post([this, id = s.id()] {
            auto it = by_socket_.find(id);
            if (it == by_socket_.end())
                return;
            auto subs = it->second;
            for (auto const& sub : subs)
                unsubscribe(id, sub);
        });
    });
}

void live::subscribe(
    socket_ref ref, std::string socket_id, boost::json::object request, ack reply) {
    std::string const table_name{request.at("table").as_string()};
    auto const* t = source_.table(table_name);
    if (!t) {
        reply(failure("unknown or unwatched table: " + table_name));
        return;
    }
    filter where;
    if (auto const* w = request.if_contains("where"); w && w->is_object())
        where = w->as_object();
    for (auto const& [column, value] : where) {
        bool const known = t->find(column) != nullptr || (column == "rowid" && t->has_rowid_column);
        if (!known) {
            reply(failure("unknown column " + std::string{column} + " in table " + table_name));
            return;
        }
        if (!is_scalar(value)) {
            reply(failure("filter value for " + std::string{column} + " must be a scalar"));
            return;
        }
    }
    auto const sub = subscription_name(table_name, where);
    auto& entry = subs_[sub];
    entry.table = table_name;
    entry.where = where;
    entry.sockets.insert(socket_id);
    by_socket_[socket_id].insert(sub);

    std::optional<std::int64_t> since;
    if (auto const* v = request.if_contains("since"); v && (v->is_int64() || v->is_uint64()))
        since = v->is_int64() ? v->get_int64() : static_cast<std::int64_t>(v->get_uint64());

    // The snapshot delivers every committed change first, so what follows its id reaches the
    // room after this socket has joined it: the join below is posted to the socket's shard
    // before any later broadcast is.
    auto snap = source_.take_snapshot(*t, where, since ? 0 : options_.max_snapshot_rows);

    if (since) {
        std::vector<message> replay;
        std::int64_t from = std::min(*since, snap.last_change_id);
        if (*since < snap.last_change_id) {
            auto log_part = source_.changes_between(*since, snap.last_change_id);
            if (!log_part) {
                unsubscribe(socket_id, sub);
                auto reason = "changes after " + std::to_string(*since) + " are no longer kept";
                reply(boost::json::object{
                    {"ok", false}, {"sub", sub}, {"resync", true}, {"error", reason}});
                ref.emit(
                    "resync",
                    boost::json::object{{"sub", sub}, {"table", table_name}, {"reason", reason}});
                return;
            }
            for (auto const& c : *log_part)
                if (c.table == table_name && (matches(c.row, where) || matches(c.old, where)))
                    replay.push_back(change_message(c, sub));
        }
        boost::json::object body{
            {"ok", true}, {"sub", sub}, {"last_change_id", from}, {"replayed", replay.size()}};
        ref.dispatch([reply, body = std::move(body), replay = std::move(replay), sub](
                         sio::socket& s) mutable {
            reply(body);
            for (auto& m : replay)
                s.emit("change", std::move(m));
            s.join(sub);
        });
        return;
    }

    message answer;
    boost::json::array rows;
    rows.reserve(snap.rows.size());
    for (auto& r : snap.rows)
        rows.push_back(std::move(r));
    boost::json::object body{
        {"ok", true},
        {"sub", sub},
        {"rows", std::move(rows)},
        {"last_change_id", snap.last_change_id}};
    if (snap.truncated)
        body.emplace("truncated", true);
    answer.args().push_back(std::move(body));
    answer.attachments = std::move(snap.blobs);
    ref.dispatch([reply, answer = std::move(answer), sub](sio::socket& s) mutable {
        reply.send(std::move(answer));
        s.join(sub);
    });
}

void live::unsubscribe(std::string socket_id, std::string const& sub) {
    if (auto it = subs_.find(sub); it != subs_.end()) {
        it->second.sockets.erase(socket_id);
        if (it->second.sockets.empty())
            subs_.erase(it);
    }
    if (auto it = by_socket_.find(socket_id); it != by_socket_.end()) {
        it->second.erase(sub);
        if (it->second.empty())
            by_socket_.erase(it);
    }
}

void live::deliver(std::vector<change> const& batch) {
    for (auto const& c : batch) {
        for (auto const& [sub, entry] : subs_) {
            if (entry.table != c.table)
                continue;
            if (matches(c.row, entry.where) || matches(c.old, entry.where))
                nsp_.to(sub).emit("change", change_message(c, sub));
        }
    }
}

} // namespace sio::feed
