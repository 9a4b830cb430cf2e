#pragma once

#include <sio/server/adapter.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sio {

/// The default adapter: rooms of this process, indexed per shard (room → sockets and socket →
/// rooms, touched only by their shard's thread). A broadcast is posted once per shard with the
/// packet shared, and each shard queues it on its own matching sockets.
class memory_adapter : public adapter {
public:
    void init(nsp& owner) override;
    void add_all(socket& s, std::vector<std::string> const& rooms) override;
    void del(socket& s, std::string const& room) override;
    void del_all(socket& s) override;
    std::vector<std::string> socket_rooms(socket const& s) const override;

    void
    broadcast(std::shared_ptr<encoded_packet const> packet, broadcast_options const& opts) override;
    void broadcast_with_ack(
        std::shared_ptr<encoded_packet const> packet,
        std::uint64_t ack_id,
        broadcast_options const& opts,
        std::function<void(std::size_t)> reached,
        std::function<void(message)> on_ack) override;
    void fetch_sockets(
        broadcast_options const& opts, std::function<void(std::vector<socket_info>)> done) override;
    void add_sockets(broadcast_options const& opts, std::vector<std::string> rooms) override;
    void del_sockets(broadcast_options const& opts, std::vector<std::string> rooms) override;
    void disconnect_sockets(broadcast_options const& opts, bool close) override;
    void persist_session(persisted_session session, std::size_t shard) override;
    void restore_session(
        std::string pid,
        std::string offset,
        std::function<void(std::optional<restored_session>)> done) override;

protected:
    /// Calls f for each local socket of `shard` that `opts` selects; on that shard.
    void for_each_match(
        std::size_t shard, broadcast_options const& opts, std::function<void(socket&)> const& f);
    /// Runs per_shard(shard) on every shard, then done() once all have finished (on the last).
    void
    on_every_shard(std::function<void(std::size_t)> per_shard, std::function<void()> done = {});
    nsp& owner() const noexcept { return *nsp_; }

private:
    struct logged_packet {
        std::shared_ptr<encoded_packet const> packet;
        broadcast_options opts;
        std::chrono::steady_clock::time_point at;
    };
    struct kept_session {
        persisted_session session;
        std::chrono::steady_clock::time_point at;
    };
    struct shard_rooms {
        std::unordered_map<std::string, std::unordered_set<socket*>> rooms;
        // A socket's rooms but its own: a few at most, so a vector rather than a hash set,
        // whose bucket array alone outweighs them. Most sockets have none, and no entry.
        std::unordered_map<socket const*, std::vector<std::string>> sids;
        // A connected socket (one in the namespace's socket map) is in the room named by its id
        // without any entry here, unless it left that room: then it is in this set.
        std::unordered_set<socket const*> left_own;
        // Connection state recovery: what this shard delivered, in its order, and the sessions
        // that lived here. A session is restored from its own shard's log, so the client sees
        // exactly the order it would have seen.
        std::deque<logged_packet> log;
        std::unordered_map<std::string, kept_session> sessions;
    };
    void expire(shard_rooms& shard);
    bool in_own_room(shard_rooms const& shard, socket const& s) const;
    /// The local socket whose own room `room` is, if it is in it.
    socket*
    own_room_member(shard_rooms const& shard, std::size_t index, std::string const& room) const;
    std::optional<std::chrono::milliseconds> recovery_window_;
    nsp* nsp_ = nullptr;
    std::vector<shard_rooms> shards_;
};

} // namespace sio
