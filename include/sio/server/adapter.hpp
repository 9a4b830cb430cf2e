#pragma once

#include <sio/core/shared_bytes.hpp>
#include <sio/parser/message.hpp>

#include <any>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio {

class nsp;
class socket;

/// A Socket.IO packet encoded once for every recipient: the text frame and its attachments.
struct encoded_packet {
    shared_bytes text{};
    std::vector<shared_bytes> attachments{};
    /// With connection state recovery: the offset appended as the event's last argument, by
    /// which a reconnecting client says what it saw last. Empty when not recoverable.
    std::string offset{};
};

/// Alphabet of socket ids and recovery pids (base64url). A pid's first character is the index
/// of the shard its session lived on, so a restore goes straight to that shard.
inline constexpr char session_id_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The shard a pid names, if any.
inline std::optional<std::size_t> pid_shard(std::string_view pid) noexcept {
    if (pid.empty())
        return std::nullopt;
    for (std::size_t i = 0; i < 64; ++i)
        if (session_id_alphabet[i] == pid.front())
            return i;
    return std::nullopt;
}

/// What connection state recovery keeps of a socket that lost its connection.
struct persisted_session {
    std::string sid{};
    std::string pid{};
    std::vector<std::string> rooms{};
    std::any data{};
    boost::json::value json_data{};
};

/// A session found again, with the packets it missed, in order.
struct restored_session {
    persisted_session session{};
    std::vector<std::shared_ptr<encoded_packet const>> missed{};
};

/// Whom a broadcast reaches and how.
struct broadcast_options {
    /// Rooms to reach; empty means every socket of the namespace.
    std::vector<std::string> rooms{};
    /// Rooms (a socket id is a room too) whose members are skipped.
    std::vector<std::string> except{};
    /// Only this process, never other nodes of a cluster.
    bool local = false;
    /// Dropped for a client whose transport is not writable (socket.io's volatile).
    bool is_volatile = false;
    /// Compression hint (permessage-deflate / polling compression).
    bool compress = true;
};

/// What a remote (or local) socket looks like to fetch_sockets: a snapshot, with the operations
/// of Node's RemoteSocket, which go through the namespace's adapter to wherever the socket lives
/// (to its own room: nothing happens once it is gone). Any thread.
struct socket_info {
    std::string id{};
    std::vector<std::string> rooms{};
    boost::json::value data{};
    /// As Node's socket.handshake: {headers, time, address, xdomain, secure, issued, url, query,
    /// auth}.
    boost::json::value handshake{};
    /// The namespace it was fetched from (fetch_sockets sets it); the operations need it.
    sio::nsp* nsp = nullptr;

    template <class... Args> void emit(std::string_view event, Args&&... args) const {
        emit_message(message::of(event, std::forward<Args>(args)...));
    }
    /// Emits `m` whose first argument is the event name.
    void emit_message(message m) const;
    void join(std::string room) const;
    void join(std::vector<std::string> rooms) const;
    void leave(std::string room) const;
    void disconnect(bool close = false) const;
};

/// Room membership and broadcasting for one namespace. The server talks only to this interface,
/// so a cluster adapter (Redis) plugs in without the server changing. Membership calls come on
/// the socket's shard; broadcast and the server-wide operations may come from any thread.
class adapter {
public:
    virtual ~adapter() = default;

    /// Called by the namespace once, before any other call.
    virtual void init(nsp& owner) = 0;

    virtual void add_all(socket& s, std::vector<std::string> const& rooms) = 0;
    virtual void del(socket& s, std::string const& room) = 0;
    virtual void del_all(socket& s) = 0;
    /// Rooms of a local socket.
    virtual std::vector<std::string> socket_rooms(socket const& s) const = 0;

    /// Delivers an encoded packet to every matching socket.
    virtual void
    broadcast(std::shared_ptr<encoded_packet const> packet, broadcast_options const& opts) = 0;
    /// As broadcast, then reports how many sockets it reached (so acks can be awaited) through
    /// `reached`, and every ack through `on_ack`. Both may run on any thread.
    virtual void broadcast_with_ack(
        std::shared_ptr<encoded_packet const> packet,
        std::uint64_t ack_id,
        broadcast_options const& opts,
        std::function<void(std::size_t)> reached,
        std::function<void(message)> on_ack) = 0;

    /// Snapshots of the matching sockets, across the cluster for cluster adapters.
    virtual void fetch_sockets(
        broadcast_options const& opts, std::function<void(std::vector<socket_info>)> done) = 0;
    virtual void add_sockets(broadcast_options const& opts, std::vector<std::string> rooms) = 0;
    virtual void del_sockets(broadcast_options const& opts, std::vector<std::string> rooms) = 0;
    virtual void disconnect_sockets(broadcast_options const& opts, bool close) = 0;

    /// Connection state recovery: keeps a session that lost its connection (on `shard`, the
    /// shard it lived on). Adapters without recovery ignore it.
    virtual void persist_session(persisted_session session, std::size_t shard) {
        (void)session;
        (void)shard;
    }
    /// Finds a persisted session by pid and the packets after `offset` it missed; `done` runs on
    /// some shard, with nothing if the session expired or the offset is unknown.
    virtual void restore_session(
        std::string pid,
        std::string offset,
        std::function<void(std::optional<restored_session>)> done) {
        (void)pid;
        (void)offset;
        done(std::nullopt);
    }
};

/// Creates the adapter of a namespace (the server calls it once per namespace).
using adapter_factory = std::function<std::unique_ptr<adapter>()>;

} // namespace sio
