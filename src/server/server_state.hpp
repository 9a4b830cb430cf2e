#pragma once

#include <sio/engine/handler.hpp>
#include <sio/engine/server.hpp>
#include <sio/server/server.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sio::detail {

/// The server's state and its door to the engine: it receives every session's events and gives
/// each session its Socket.IO client.
class server_state final : public engine::handler {
public:
    server_state(sio::server& owner, io_pool& pool, server_options options);

    void on_open(engine::session& s) override;
    void on_message(engine::session& s, std::string_view data, bool binary) override;
    void on_close(engine::session& s, engine::close_reason reason) override;

    /// The namespace for a CONNECT: an existing one, or a dynamic one created now; null if none.
    nsp* find_nsp(std::string_view name, boost::json::object const& auth);
    nsp& get_or_create(std::string_view name);
    /// Creates and sets up a dynamic namespace once, however many shards ask at the same time.
    nsp* create_dynamic(std::string_view name, std::function<void(nsp&)> const& init);
    /// A fresh unguessable socket id (20 characters, base64url).
    std::string make_socket_id(std::size_t shard);
    /// A recovery pid: random, its first character naming the shard.
    std::string make_pid(std::size_t shard);

    std::string const offset_prefix; // distinguishes this process's offsets from a previous one's
    std::atomic<std::uint64_t> offsets{0};
    sio::server& owner;
    io_pool& pool;
    server_options const options;
    engine::server engine;

    std::shared_mutex nsps_mutex; // CONNECT reads, dynamic namespaces write; never per message
    std::map<std::string, std::unique_ptr<nsp>, std::less<>> nsps;
    // Dynamic namespaces being set up (their init runs outside the mutex), and the signal that
    // one was.
    std::set<std::string, std::less<>> nsps_creating;
    std::condition_variable_any nsp_created;
    std::vector<std::pair<nsp_predicate, std::function<void(nsp&)>>> dynamic;

private:
    struct id_pool {
        std::string bytes;
        std::size_t used = 0;
    };
    std::vector<id_pool> ids_;
};

} // namespace sio::detail
