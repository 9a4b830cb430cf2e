// A Socket.IO client connection over a hand-framed WebSocket: the base of every WebSocket
// scenario. It opens `GET <path>?EIO=4&transport=websocket` directly (no polling first), joins
// the namespace "/", answers pings, and hands every other Socket.IO packet to the scenario.
// Every read is parsed to its last complete frame; what the scenario queues meanwhile leaves in
// one write after it.
#pragma once

#include <common/ws_client_frames.hpp>
#include <sio_bench/harness.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sio_bench {

class ws_peer {
public:
    /// `read_buffer` is the initial read buffer; it grows when a read fills it, so idle
    /// connections can start small.
    ws_peer(
        net::io_context& ioc,
        tcp::endpoint server,
        options const& opts,
        run_state& state,
        std::size_t id,
        std::size_t read_buffer);
    virtual ~ws_peer() = default;
    ws_peer(ws_peer const&) = delete;
    ws_peer& operator=(ws_peer const&) = delete;

    /// Connects, upgrades, and joins "/"; on_joined() follows, or the error log gets a line.
    void start();
    /// Leaves as socket.io-client's disconnect() does: a Socket.IO DISCONNECT packet, then the
    /// WebSocket closing handshake; on_closed() follows once the server closed too.
    void disconnect();
    /// Drops the TCP connection at once (end of the run).
    void close();

    std::size_t id() const noexcept { return id_; }
    bool joined() const noexcept { return joined_; }
    bool failed() const noexcept { return failed_; }
    /// From start() to the server's CONNECT packet, of the last connection made.
    clock_type::duration connect_time() const noexcept { return joined_at_ - started_at_; }

protected:
    virtual void on_joined() {}
    /// A Socket.IO packet (the Engine.IO message without its leading '4'), other than CONNECT.
    virtual void on_packet(std::string_view packet) = 0;
    /// After every frame of one read has been handled, before the queued frames are written.
    virtual void on_read_done() {}
    virtual void on_closed() {}
    virtual void on_failed() {}

    /// Room for one Socket.IO packet of `n` bytes in the next write (the Engine.IO '4' is
    /// written already); fill it, then call end_packet(n).
    char* begin_packet(std::size_t n);
    void end_packet(std::size_t n);
    void send_packet(std::string_view packet);
    void flush();
    void fail(std::string const& why);

    options const& opts_;
    run_state& state_;
    /// Read once per read completion and shared by every packet parsed from it.
    clock_type::time_point now_;
    int phase_ = phase_warmup;

private:
    void read();
    void on_read(boost::system::error_code ec, std::size_t n);
    void on_message(std::string_view m);
    void reset();

    tcp::socket socket_;
    tcp::endpoint server_;
    std::size_t id_;
    bench::ws_frame_writer writer_;
    bench::ws_message_assembler assembler_;
    std::vector<char> in_;
    std::size_t in_len_ = 0;
    std::vector<char> out_;  // frames waiting for the write in flight
    std::vector<char> wbuf_; // frames of the write in flight
    clock_type::time_point started_at_;
    clock_type::time_point joined_at_;
    // Bumped by every start(): completions of an earlier connection of this peer are dropped.
    unsigned generation_ = 0;

    bool upgraded_ = false;
    bool opened_ = false;
    bool joined_ = false;
    bool writing_ = false;
    bool failed_ = false;
    bool closing_ = false; // close(): ignore everything from now on
    bool leaving_ = false; // disconnect() sent: the server's close frame or EOF is expected
};

} // namespace sio_bench
