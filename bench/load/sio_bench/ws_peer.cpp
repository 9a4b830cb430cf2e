#include <boost/asio/write.hpp>

#include <netinet/in.h>

#include <cstring>
#include <sio_bench/ws_peer.hpp>

namespace sio_bench {
namespace {

constexpr std::size_t max_read_chunk = 64 * 1024;

} // namespace

ws_peer::ws_peer(
    net::io_context& ioc,
    tcp::endpoint server,
    options const& opts,
    run_state& state,
    std::size_t id,
    std::size_t read_buffer)
    : opts_(opts)
    , state_(state)
    , socket_(ioc)
    , server_(server)
    , id_(id)
    , writer_(0x9e3779b97f4a7c15ull * (id + 1))
    , in_(read_buffer) {}

void ws_peer::reset() {
    ++generation_;
    in_len_ = 0;
    out_.clear();
    upgraded_ = opened_ = joined_ = writing_ = failed_ = closing_ = leaving_ = false;
}

void ws_peer::start() {
    reset();
    started_at_ = clock_type::now();
    boost::system::error_code ec;
    socket_.open(tcp::v4(), ec);
    if (!ec && opts_.sources > 1) {
        // Let connect() pick the port for this source address, so TIME_WAIT reuse on loopback
        // applies and each source address has its own ~28k ports.
        int const one = 1;
        ::setsockopt(
            socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        socket_.bind(tcp::endpoint(source_address(opts_, id_), 0), ec);
    }
    if (ec)
        return fail("socket: " + ec.message());
    socket_.async_connect(server_, [this, gen = generation_](boost::system::error_code ec) {
        if (gen != generation_ || closing_)
            return;
        if (ec)
            return fail("connect: " + ec.message());
        socket_.set_option(tcp::no_delay(true), ec);
        std::string request = "GET ";
        request += opts_.path;
        request += "?EIO=4&transport=websocket HTTP/1.1\r\nHost: ";
        request += opts_.host;
        request += ':';
        request += opts_.port;
        request += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n";
        out_.assign(request.begin(), request.end());
        flush();
        read();
    });
}

void ws_peer::disconnect() {
    if (closing_ || failed_)
        return;
    send_packet("1");
    writer_.append(out_, 0x8, std::string_view("\x03\xe8", 2));
    leaving_ = true;
    flush();
}

void ws_peer::close() {
    closing_ = true;
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
}

void ws_peer::read() {
    if (in_len_ == in_.size())
        in_.resize(
            std::min(std::max<std::size_t>(in_.size() * 2, 256), in_.size() + max_read_chunk));
    socket_.async_read_some(
        net::buffer(in_.data() + in_len_, in_.size() - in_len_),
        [this, gen = generation_](boost::system::error_code ec, std::size_t n) {
            if (gen == generation_)
                on_read(ec, n);
        });
}

void ws_peer::on_read(boost::system::error_code ec, std::size_t n) {
    if (closing_)
        return;
    if (ec) {
        if (leaving_ && (ec == net::error::eof || ec == net::error::connection_reset)) {
            close();
            return on_closed();
        }
        return fail("read: " + ec.message());
    }
    in_len_ += n;
    now_ = clock_type::now();
    phase_ = state_.phase.load(std::memory_order_relaxed);
    std::size_t pos = 0;
    if (!upgraded_) {
        std::string error;
        pos = bench::upgrade_response_end(std::string_view(in_.data(), in_len_), error);
        if (pos == std::string_view::npos)
            return read();
        if (!error.empty())
            return fail(error);
        upgraded_ = true;
    }
    bool closed_by_server = false;
    auto const r = bench::parse_ws_frames(
        in_.data() + pos, in_len_ - pos, [&](unsigned char b0, std::string_view payload) {
            using kind = bench::ws_message_assembler::kind;
            auto const e = assembler_.on_frame(b0, payload);
            switch (e.what) {
            case kind::text:
                on_message(e.data);
                break;
            case kind::binary:
                fail("unexpected binary message");
                break;
            case kind::ping:
                writer_.append(out_, 0xA, e.data);
                break;
            case kind::close:
                if (!leaving_)
                    fail(bench::describe_close_frame(e.data));
                closed_by_server = true;
                break;
            case kind::error:
                fail(std::string(e.data));
                break;
            case kind::none:
            case kind::pong:
                break;
            }
            return !failed_ && !closing_ && !closed_by_server;
        });
    if (!r.error.empty())
        fail(r.error);
    if (failed_ || closing_)
        return;
    if (closed_by_server) {
        close();
        return on_closed();
    }
    pos += r.consumed;
    std::memmove(in_.data(), in_.data() + pos, in_len_ - pos);
    in_len_ -= pos;
    if (r.need > in_.size())
        in_.resize(r.need + 1024);
    on_read_done();
    flush();
    if (!failed_ && !closing_)
        read();
}

void ws_peer::on_message(std::string_view m) {
    if (m.empty())
        return fail("empty Engine.IO packet");
    switch (m[0]) {
    case '4':
        m.remove_prefix(1);
        if (!m.empty() && m[0] == '0') {
            if (joined_)
                return fail("second CONNECT packet");
            joined_ = true;
            joined_at_ = now_;
            state_.ready.fetch_add(1, std::memory_order_relaxed);
            return on_joined();
        }
        if (!m.empty() && m[0] == '4')
            return fail("CONNECT_ERROR: " + std::string(m.substr(0, 100)));
        if (!m.empty() && m[0] == '1')
            return fail("server disconnected the socket");
        return on_packet(m);
    case '2': {
        // EIO v4: the server pings, the client answers "3" with the same payload.
        char* p = writer_.append_frame(out_, 0x1, m.size());
        p[0] = '3';
        std::memcpy(p + 1, m.data() + 1, m.size() - 1);
        bench::ws_frame_writer::mask_last(out_, m.size());
        return;
    }
    case '0':
        if (opened_)
            return fail("second open packet");
        opened_ = true;
        return send_packet("0");
    case '6':
        return;
    case '1':
        return fail("server sent an Engine.IO close packet");
    default:
        return fail("unexpected Engine.IO packet: " + std::string(m.substr(0, 40)));
    }
}

char* ws_peer::begin_packet(std::size_t n) {
    char* p = writer_.append_frame(out_, 0x1, n + 1);
    p[0] = '4';
    return p + 1;
}

void ws_peer::end_packet(std::size_t n) {
    bench::ws_frame_writer::mask_last(out_, n + 1);
}

void ws_peer::send_packet(std::string_view packet) {
    std::memcpy(begin_packet(packet.size()), packet.data(), packet.size());
    end_packet(packet.size());
}

void ws_peer::flush() {
    if (writing_ || out_.empty() || failed_ || closing_)
        return;
    std::swap(out_, wbuf_);
    out_.clear();
    writing_ = true;
    net::async_write(
        socket_,
        net::buffer(wbuf_),
        [this, gen = generation_](boost::system::error_code ec, std::size_t) {
            if (gen != generation_)
                return;
            writing_ = false;
            if (closing_)
                return;
            if (ec && !leaving_)
                return fail("write: " + ec.message());
            // Idle connections hold no write buffer between their rare pings.
            if (wbuf_.capacity() > max_read_chunk)
                std::vector<char>().swap(wbuf_);
            flush();
        });
}

void ws_peer::fail(std::string const& why) {
    if (failed_ || closing_)
        return;
    failed_ = true;
    state_.errors.add(id_, why);
    if (!joined_)
        state_.ready.fetch_add(1, std::memory_order_relaxed);
    on_failed();
    close();
}

} // namespace sio_bench
