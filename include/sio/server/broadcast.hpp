#pragma once

#include <sio/parser/message.hpp>
#include <sio/server/adapter.hpp>

#include <boost/system/error_code.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio {

class nsp;

/// Whom to reach, as a cheap immutable value: `io.to("a").to("b").except("c").emit(...)`, as
/// JS's BroadcastOperator. The packet is encoded once for every recipient. Any thread.
class broadcast_operator {
public:
    explicit broadcast_operator(nsp& n, broadcast_options opts = {})
        : nsp_(&n)
        , opts_(std::move(opts)) {}

    broadcast_operator to(std::string room) const;
    broadcast_operator in(std::string room) const { return to(std::move(room)); }
    broadcast_operator except(std::string room) const;
    /// This process only (no other cluster node).
    broadcast_operator local() const;
    /// Dropped for a client whose transport is not writable (a write in flight, no parked
    /// polling GET) rather than queued, as Node.
    broadcast_operator volatile_() const;
    broadcast_operator compress(bool on) const;
    /// Time to wait for every recipient's ack (emit_with_ack).
    broadcast_operator timeout(std::chrono::milliseconds t) const;

    template <class... Args> void emit(std::string_view event, Args&&... args) const {
        message m;
        m.args().reserve(1 + sizeof...(Args));
        m.args().emplace_back(event);
        (m.append(std::forward<Args>(args)), ...);
        emit_message(std::move(m));
    }
    /// Emits `m` whose first argument is the event name.
    void emit_message(message m) const;

    /// Emits and collects every recipient's ack. `done(ec, responses)` runs once, on some shard:
    /// ec is error::ack_timeout when some recipient did not answer within timeout() (default
    /// 5 s), with the responses that did arrive.
    void emit_with_ack(
        std::string_view event,
        message args,
        std::function<void(boost::system::error_code, std::vector<message>)> done) const;

    /// Snapshots of the matching sockets; `done` runs on some shard.
    void fetch_sockets(std::function<void(std::vector<socket_info>)> done) const;
    void sockets_join(std::vector<std::string> rooms) const;
    void sockets_leave(std::vector<std::string> rooms) const;
    void disconnect_sockets(bool close = false) const;

    broadcast_options const& options() const noexcept { return opts_; }

private:
    nsp* nsp_;
    broadcast_options opts_;
    std::optional<std::chrono::milliseconds> timeout_;
};

} // namespace sio
