#pragma once

#include <sio/server/adapter.hpp>
#include <sio/server/broadcast.hpp>
#include <sio/server/socket.hpp>

#include <boost/json/value.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sio {

class server;

/// A middleware's refusal: the client gets connect_error with this message and data.
struct connect_error {
    std::string message;
    boost::json::value data;
};

/// Continues (no argument) or refuses (a connect_error) a connection in a namespace middleware.
/// Call it once, from any thread.
class next {
public:
    explicit next(std::function<void(std::optional<connect_error>)> fn)
        : fn_(std::move(fn)) {}
    void operator()() const { fn_(std::nullopt); }
    void operator()(connect_error e) const { fn_(std::move(e)); }

private:
    std::function<void(std::optional<connect_error>)> fn_;
};

using middleware = std::function<void(socket&, next)>;
using connection_handler = std::function<void(socket&)>;

/// A Socket.IO namespace (io.of("/name")). Handlers and middlewares are set up before the server
/// runs and read by every shard; emits may come from any thread.
class nsp {
public:
    std::string const& name() const noexcept { return name_; }

    nsp& on_connection(connection_handler h);
    /// Namespace middleware (io.use), run in order for every connection.
    nsp& use(middleware m);

    broadcast_operator to(std::string room) {
        return broadcast_operator{*this}.to(std::move(room));
    }
    broadcast_operator in(std::string room) { return to(std::move(room)); }
    broadcast_operator except(std::string room) {
        return broadcast_operator{*this}.except(std::move(room));
    }
    broadcast_operator local() { return broadcast_operator{*this}.local(); }
    broadcast_operator volatile_() { return broadcast_operator{*this}.volatile_(); }
    broadcast_operator timeout(std::chrono::milliseconds t) {
        return broadcast_operator{*this}.timeout(t);
    }
    template <class... Args> void emit(std::string_view event, Args&&... args) {
        broadcast_operator{*this}.emit(event, std::forward<Args>(args)...);
    }
    void fetch_sockets(std::function<void(std::vector<socket_info>)> done) {
        broadcast_operator{*this}.fetch_sockets(std::move(done));
    }
    void sockets_join(std::vector<std::string> rooms) {
        broadcast_operator{*this}.sockets_join(std::move(rooms));
    }
    void sockets_leave(std::vector<std::string> rooms) {
        broadcast_operator{*this}.sockets_leave(std::move(rooms));
    }
    void disconnect_sockets(bool close = false) {
        broadcast_operator{*this}.disconnect_sockets(close);
    }

    sio::adapter& adapter() const noexcept { return *adapter_; }
    sio::server& server() const noexcept { return *server_; }
    /// Sockets connected to this namespace in this process (approximate from other threads).
    std::size_t socket_count() const noexcept { return count_.load(std::memory_order_relaxed); }

    // For adapters: the shards and their local sockets.
    std::size_t shard_count() const noexcept;
    /// The shard the calling thread runs, if it is one of the server's.
    std::optional<std::size_t> current_shard() const noexcept;
    /// Runs fn on a shard (at once when already there).
    void run_on(std::size_t shard, std::function<void()> fn) const;
    /// Local sockets of a shard by id (each key views its socket's id); on that shard only.
    std::unordered_map<std::string_view, socket*> const&
    local_sockets(std::size_t shard) const noexcept {
        return shards_[shard].sockets;
    }
    /// A fresh id for a broadcast's acks.
    std::uint64_t next_broadcast_ack_id() noexcept {
        return ack_ids_.fetch_add(1, std::memory_order_relaxed);
    }

    nsp(sio::server& server, std::string name, std::unique_ptr<sio::adapter> a, std::size_t shards);
    ~nsp();
    nsp(nsp const&) = delete;
    nsp& operator=(nsp const&) = delete;

private:
    friend class detail::client;
    friend class socket;

    struct shard_state {
        std::unordered_map<std::string_view, socket*> sockets;
    };

    void add(socket& s);
    void remove(socket& s);
    void run_middlewares(
        std::shared_ptr<socket> s,
        std::size_t index,
        std::function<void(std::optional<connect_error>)> done);
    void fire_connection(socket& s);

    sio::server* server_;
    std::string name_;
    std::unique_ptr<sio::adapter> adapter_;
    std::vector<connection_handler> connection_handlers_;
    std::vector<middleware> middlewares_;
    std::vector<shard_state> shards_;
    std::atomic<std::size_t> count_{0};
    std::atomic<std::uint64_t> ack_ids_{0};
};

} // namespace sio
