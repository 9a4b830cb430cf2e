#pragma once

#include <sio/engine/session.hpp>
#include <sio/parser/decode.hpp>
#include <sio/parser/packet.hpp>
#include <sio/server/socket.hpp>

#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sio::detail {

class server_state;

/// One Engine.IO connection seen by Socket.IO: decodes its packets and multiplexes its
/// namespaces (socket.io's Client). Lives on the session's shard.
class client : public std::enable_shared_from_this<client> {
public:
    client(server_state& server, engine::session& session);
    ~client();

    void start();
    void on_message(std::string_view data, bool binary);
    void on_close(engine::close_reason reason);

    /// Queues an encoded packet, enforcing max_buffered_bytes; a volatile one only when the
    /// transport is writable (socket.io's rule).
    send_status send(encoded_packet const& packet, bool is_volatile, bool compress = true);
    /// Encodes and queues a packet of this connection only.
    send_status send(parser::packet const& packet, bool is_volatile = false, bool compress = true);
    /// The same for a packet whose payload is canonical JSON text (a relayed message's), built
    /// straight into the shared bytes.
    send_status send_json(
        parser::packet_type type,
        std::string_view nsp,
        std::optional<std::uint64_t> id,
        std::string_view json,
        bool is_volatile = false,
        bool compress = true);
    /// Ends the connection: every socket leaves with `reason`, then the session closes.
    void close(disconnect_reason reason);
    /// socket.disconnect(true): every socket leaves as if disconnected by the server, then the
    /// connection closes.
    void disconnect_all();
    /// A socket left its namespace.
    void remove(socket const& s);

    server_state& server() noexcept { return server_; }
    bool is_open() const noexcept { return session_ != nullptr; }

private:
    void on_packet(parser::packet&& p);
    void on_parse_error(boost::system::error_code ec);
    void connect(std::string name, boost::json::value auth);
    /// Creates the socket (a recovered one when `restored`), then runs the middlewares.
    void admit(
        nsp& n,
        std::string name,
        boost::json::object auth,
        std::optional<restored_session> restored);
    void finish_connect(
        std::shared_ptr<socket> s,
        std::optional<connect_error> error,
        std::vector<std::shared_ptr<encoded_packet const>> missed);
    // The client's sockets, in order: one is held inline, since most connections join one
    // namespace (24 bytes, as a std::vector, and no allocation for the one).
    class socket_list {
    public:
        using iterator = std::shared_ptr<socket>*;
        socket_list() noexcept = default;
        socket_list(socket_list const& other);
        socket_list(socket_list&& other) noexcept;
        socket_list& operator=(socket_list&& other) noexcept;
        ~socket_list();
        iterator begin() noexcept { return data(); }
        iterator end() noexcept { return data() + size_; }
        bool empty() const noexcept { return size_ == 0; }
        void push_back(std::shared_ptr<socket> s);
        void erase(iterator it) noexcept;
        void clear() noexcept;

    private:
        std::shared_ptr<socket>* data() noexcept {
            return capacity_ > 1 ? heap_ : reinterpret_cast<std::shared_ptr<socket>*>(inline_);
        }
        std::shared_ptr<socket> const* data() const noexcept {
            return const_cast<socket_list*>(this)->data();
        }
        void take(socket_list& other) noexcept;
        void release() noexcept;
        union {
            alignas(std::shared_ptr<socket>) unsigned char inline_[sizeof(std::shared_ptr<socket>)];
            std::shared_ptr<socket>* heap_;
        };
        std::uint32_t size_ = 0;
        std::uint32_t capacity_ = 1; // above 1: heap_ holds them
    };
    socket_list::iterator find(std::string_view name) noexcept;

    server_state& server_;
    engine::session* session_;
    parser::decoder decoder_;
    // By namespace (each socket's nsp names it); a connection joins a few at most, so a vector
    // beats a hash table here.
    socket_list sockets_;
    // Namespaces whose session is being looked up (connection state recovery): rarely any.
    std::unique_ptr<std::vector<std::string>> restoring_;
    // Until a namespace is joined (socket.io's connectTimeout).
    std::unique_ptr<net::steady_timer> connect_timer_;
};

} // namespace sio::detail
