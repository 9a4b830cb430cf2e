#pragma once

#include <sio/feed/source.hpp>
#include <sio/server.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace sio::feed {

/// Options of the live subscription protocol.
struct live_options {
    /// Namespace whose sockets may subscribe. Default "/".
    std::string nsp = "/";
    /// Most rows a subscription's snapshot carries; beyond it the ack says truncated. Default
    /// 10000.
    std::size_t max_snapshot_rows = 10000;
    /// May this socket subscribe to this table and filter? Runs on the socket's shard; unset
    /// allows everything.
    std::function<bool(sio::socket&, std::string_view table, filter const& where)> authorize;
};

/// Database changes as Socket.IO events: `subscribe` {table, where?, since?} → ack {ok, sub,
/// rows, last_change_id}, then one `change` per matching change; `unsubscribe`; `resync` when
/// a catch-up asks for changes the log no longer holds. Each distinct (table, where) is a room,
/// so a change is encoded once for all its subscribers.
class live {
public:
    /// Installs the handlers on the namespace. Set-up time (before the server runs); `io` and
    /// `src` must outlive it.
    live(sio::server& io, source& src, live_options options = {});

    /// The subscription name of (table, where): equal for equal pairs.
    static std::string subscription_name(std::string_view table, filter const& where);

private:
    struct subscription {
        std::string table{};
        filter where{};
        std::unordered_set<std::string> sockets{};
    };

    void attach(sio::socket& s);
    void subscribe(socket_ref s, std::string socket_id, boost::json::object request, ack reply);
    void unsubscribe(std::string socket_id, std::string const& sub);
    void deliver(std::vector<change> const& batch);

    sio::server& io_;
    sio::nsp& nsp_;
    source& source_;
    live_options options_{};
    // Feed thread only.
    std::unordered_map<std::string, subscription> subs_{};
    std::unordered_map<std::string, std::unordered_set<std::string>> by_socket_{};
};

} // namespace sio::feed
