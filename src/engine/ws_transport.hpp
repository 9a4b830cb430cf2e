#pragma once

#include <sio/engine/session.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <cstddef>
#include <cstdint>
#include <engine/ws_deflate.hpp>
#include <engine/ws_frame.hpp>
#include <memory>
#include <string>
#include <vector>

namespace sio::engine::detail {

class server_core;
using tcp = net::ip::tcp;

/// The WebSocket transport of one session: our own RFC 6455 framing so that everything a
/// session queues in one event-loop turn leaves in one gathered write, and every complete frame
/// of one read is handled before the next read.
class ws_transport : public std::enable_shared_from_this<ws_transport> {
public:
    ws_transport(
        server_core& server,
        std::size_t shard,
        tcp::socket socket,
        boost::beast::flat_buffer leftover,
        bool deflate,
        server_core& listener);
    ~ws_transport();

    /// Writes the 101 response head and starts reading frames.
    void start(std::string response_head);
    /// Routes incoming packets to `s` (as a probe while upgrading, or as its transport).
    void attach(session* s, bool probe) noexcept {
        session_ = s;
        probe_ = probe;
    }
    void promote() noexcept { probe_ = false; }
    void detach() noexcept { session_ = nullptr; }

    /// Takes the packets (moved from) and writes them after what is already queued.
    void send(std::vector<session::out_packet>& packets);
    void send(session::out_packet packet);
    /// Sends what is queued, then a close frame, then ends the connection.
    void close(std::uint16_t code = 1000);
    /// Ends the connection now; nothing more is written.
    void abort() noexcept;

    std::size_t buffered_bytes() const noexcept {
        return out_ ? out_->pending_bytes + out_->inflight_bytes : 0;
    }

private:
    void wait_readable();
    void on_readable();
    /// Unmasks and parses every complete frame of data (rbuf_'s own bytes when buffered); keeps
    /// the rest in rbuf_. False if the transport closed meanwhile.
    bool consume(char* data, std::size_t size, bool buffered);
    bool handle_event(ws_event const& ev);
    void fail(close_reason reason, std::uint16_t code);
    void deliver_close(close_reason reason);
    void queue_control(ws_opcode opcode, std::string_view payload);
    void do_write();
    void on_write(boost::system::error_code ec);
    void release_write_buffers() noexcept;
    void finish_close();
    /// After a frame that ends the parsing (oversized, malformed): reads and drops what the peer
    /// still sends, within lingering_max_bytes, so that our close frame is not lost to a reset.
    void start_draining();
    void drain(char* scratch, std::size_t size);

    // The engine whose session this is.
    server_core& server() const noexcept { return *keep_server_; }
    // The engine whose listener accepted it (connection limits): the same one but for mounts.
    server_core& listener() const noexcept {
        return extras_ && extras_->keep_listener ? *extras_->keep_listener : *keep_server_;
    }
    // An incomplete frame's bytes; none between frames.
    std::string& rbuf() {
        if (!rbuf_)
            rbuf_ = std::make_unique<std::string>();
        return *rbuf_;
    }
    bool has_buffered() const noexcept { return rbuf_ && !rbuf_->empty(); }

    std::shared_ptr<server_core> keep_server_;
    // Bound to the shard's io_context executor, not any_io_executor: a smaller socket and a
    // smaller pending wait (what an idle connection keeps).
    net::basic_stream_socket<tcp, net::io_context::executor_type> socket_;
    ws_reader reader_;
    // Read side: a buffer exists only while a partial frame waits for its end.
    std::unique_ptr<std::string> rbuf_;
    // Write side: `pending` waits for the write in flight to finish. It exists only while
    // something is queued or being written; an idle connection has none.
    struct write_state {
        std::vector<session::out_packet> pending;
        std::vector<session::out_packet> inflight;
        std::string control; // raw bytes that go first: 101 head, pong and close frames
        std::string batch;   // headers and small payloads of the write in flight
        std::vector<net::const_buffer> buffers;
        std::vector<std::string> compressed; // deflated payloads of the write in flight
        std::size_t pending_bytes = 0;
        std::size_t inflight_bytes = 0;
    };
    write_state& out() {
        if (!out_)
            out_ = std::make_unique<write_state>();
        return *out_;
    }
    std::unique_ptr<write_state> out_;
    // What few connections need: another engine's listener (mounts) and, once closing, the
    // timer that ends a close the peer does not answer. Made on first use.
    struct extras {
        std::shared_ptr<server_core> keep_listener;
        std::unique_ptr<net::steady_timer> close_timer;
        // Once frames are no longer parsed: how many more bytes may be read and dropped.
        std::size_t discard_budget = 0;
    };
    extras& more() {
        if (!extras_)
            extras_ = std::make_unique<extras>();
        return *extras_;
    }
    std::unique_ptr<extras> extras_;
    session* session_ = nullptr;
    std::uint32_t shard_;
    bool probe_ = false;
    bool deflate_ = false; // permessage-deflate negotiated
    bool writing_ = false;
    bool close_requested_ = false; // send a close frame once the queue is empty
    bool close_sent_ = false;
    bool closed_ = false;
    bool draining_ = false; // no more frames are parsed; input is dropped until the peer ends
    std::uint16_t close_code_ = 1000;
};

} // namespace sio::engine::detail
