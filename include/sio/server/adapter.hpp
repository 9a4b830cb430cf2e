#pragma once

#include <sio/core/shared_bytes.hpp>
#include <sio/parser/message.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sio {

class nsp;
class socket;

/// A Socket.IO packet encoded once for every recipient: the text frame and its attachments.
struct encoded_packet {
    shared_bytes text;
    std::vector<shared_bytes> attachments;
};

/// Whom a broadcast reaches and how.
struct broadcast_options {
    /// Rooms to reach; empty means every socket of the namespace.
    std::vector<std::string> rooms;
    /// Rooms (a socket id is a room too) whose members are skipped.
    std::vector<std::string> except;
    /// Only this process, never other nodes of a cluster.
    bool local = false;
    /// May be dropped for a client whose send queue is full.
    bool is_volatile = false;
    /// Compression hint (permessage-deflate / polling compression).
    bool compress = true;
};

/// What a remote (or local) socket looks like to fetch_sockets: a snapshot.
struct socket_info {
    std::string id;
    std::vector<std::string> rooms;
    boost::json::value data;
    boost::json::value handshake;
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
};

/// Creates the adapter of a namespace (the server calls it once per namespace).
using adapter_factory = std::function<std::unique_ptr<adapter>()>;

} // namespace sio
