#include <sio/core/log.hpp>
#include <sio/engine/error.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>

#include <cstring>
#include <engine/server_core.hpp>
#include <engine/ws_transport.hpp>

namespace sio::engine::detail {
namespace {

// Payloads up to this size are copied next to their frame header, so that a batch of small
// messages is one contiguous buffer; larger ones are written from the shared bytes in place.
constexpr std::size_t inline_payload_limit = 512;
constexpr std::size_t read_chunk = 16 * 1024;
constexpr auto close_grace = std::chrono::seconds(2);
constexpr char type_digits[] = "0123456";

} // namespace

ws_transport::ws_transport(
    server_core& server,
    std::size_t shard,
    tcp::socket socket,
    boost::beast::flat_buffer leftover,
    bool deflate,
    server_core& listener)
    : keep_server_(server.shared_from_this())
    , socket_(server.pool.get(shard).get_executor())
    , reader_(server.options.max_http_buffer_size, deflate)
    , shard_(static_cast<std::uint32_t>(shard))
    , deflate_(deflate) {
    if (&listener != &server)
        more().keep_listener = listener.shared_from_this();
    if (deflate_ && !server.shard(shard_).deflate)
        server.shard(shard_).deflate = std::make_unique<ws_deflate>();
    if (leftover.size() > 0)
        rbuf_ = std::make_unique<std::string>(boost::beast::buffers_to_string(leftover.data()));
    boost::system::error_code ec;
    auto const local = socket.local_endpoint(ec);
    auto const protocol = ec ? tcp::v4() : local.protocol();
    if (socket.is_open()) {
        auto const fd = socket.release(ec);
        if (!ec)
            socket_.assign(protocol, fd, ec);
    }
    socket_.non_blocking(true, ec);
    listener.connection_count.fetch_add(1, std::memory_order_relaxed);
}

ws_transport::~ws_transport() {
    listener().connection_count.fetch_sub(1, std::memory_order_relaxed);
}

void ws_transport::start(std::string response_head) {
    out().control = std::move(response_head);
    do_write();
    if (has_buffered())
        // Frames the client sent right behind its upgrade request came with it.
        net::post(socket_.get_executor(), [self = shared_from_this()] {
            if (self->closed_)
                return;
            if (!self->consume(self->rbuf_->data(), self->rbuf_->size(), true)) {
                if (self->closed_)
                    return;
                self->start_draining();
            }
            self->on_readable();
        });
    else
        wait_readable();
}

void ws_transport::wait_readable() {
    socket_.async_wait(
        tcp::socket::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
            if (self->closed_)
                return;
            if (ec) {
                self->deliver_close(close_reason::transport_error);
                self->abort();
                return;
            }
            self->on_readable();
        });
}

bool ws_transport::consume(char* data, std::size_t size, bool buffered) {
    boost::system::error_code parse_ec;
    std::size_t const used = reader_.consume(
        data, size, parse_ec, [this](ws_event const& ev) { return handle_event(ev); });
    if (closed_)
        return false;
    if (parse_ec) {
        rbuf_.reset();
        if (parse_ec == error::payload_too_large)
            fail(close_reason::transport_error, 1009);
        else if (parse_ec == error::invalid_utf8)
            fail(close_reason::transport_error, 1007);
        else
            fail(close_reason::transport_error, 1002);
        return false;
    }
    if (buffered)
        rbuf_->erase(0, used);
    else if (used < size)
        rbuf().assign(data + used, size - used);
    if (rbuf_ && rbuf_->empty())
        rbuf_.reset(); // an idle connection holds no read buffer
    return true;
}

void ws_transport::on_readable() {
    // Read into the thread's scratch buffer, parse every complete frame straight from it, and
    // keep only an incomplete frame's bytes in rbuf_: no allocation per read, and a connection
    // between messages holds no read buffer at all (as uWebSockets shares one receive buffer
    // per loop). A frame that began in an earlier read is completed in rbuf_ instead.
    thread_local std::string scratch(read_chunk, '\0');
    if (draining_) {
        drain(scratch.data(), scratch.size());
        return;
    }
    while (true) {
        bool const partial = has_buffered();
        std::size_t const have = partial ? rbuf_->size() : 0;
        std::size_t want = read_chunk;
        if (partial) {
            if (auto const frame = reader_.pending_frame_size(); frame > have)
                want = std::max(want, frame - have);
            rbuf_->resize(have + want);
        }
        char* const into = partial ? rbuf_->data() + have : scratch.data();
        boost::system::error_code ec;
        std::size_t const n = socket_.read_some(net::buffer(into, want), ec);
        if (partial)
            rbuf_->resize(have + n);
        if (ec == net::error::would_block || ec == net::error::try_again)
            break;
        if (ec) {
            // What came before the end of the stream was parsed by the previous rounds.
            deliver_close(
                ec == net::error::eof ? close_reason::transport_close
                                      : close_reason::transport_error);
            abort();
            return;
        }
        if (!consume(
                partial ? rbuf_->data() : scratch.data(), partial ? rbuf_->size() : n, partial)) {
            if (!closed_) {
                start_draining();
                drain(scratch.data(), scratch.size());
            }
            return;
        }
        if (n < want)
            break; // the kernel had no more: wait for the next readiness
    }
    wait_readable();
}

bool ws_transport::handle_event(ws_event const& ev) {
    switch (ev.opcode) {
    case ws_opcode::text:
    case ws_opcode::binary: {
        if (!session_ || close_requested_)
            break;
        std::string_view data = ev.data;
        std::optional<std::string> inflated;
        if (ev.compressed) {
            inflated = server().shard(shard_).deflate->decompress(
                data, server().options.max_http_buffer_size);
            utf8_checker utf8;
            if (!inflated ||
                (ev.opcode == ws_opcode::text && (!utf8.feed(*inflated) || !utf8.is_complete()))) {
                fail(close_reason::transport_error, inflated ? 1007 : 1009);
                return false;
            }
            data = *inflated;
        }
        packet_view p;
        if (ev.opcode == ws_opcode::binary) {
            p = decode_binary_packet(data);
        } else {
            auto decoded = decode_text_packet(data);
            if (!decoded) {
                deliver_close(close_reason::parse_error);
                close(1000);
                return false;
            }
            p = *decoded;
        }
        if (probe_)
            session_->on_probe_packet(*this, p);
        else
            session_->on_packet(p);
        break;
    }
    case ws_opcode::ping:
        if (!close_requested_)
            queue_control(ws_opcode::pong, ev.data);
        break;
    case ws_opcode::pong:
        break;
    case ws_opcode::close: {
        // RFC 6455 §5.5.1: answer with a close frame echoing the code, then end.
        std::uint16_t code = 1000;
        if (ev.data.size() >= 2)
            code = static_cast<std::uint16_t>(
                (static_cast<unsigned char>(ev.data[0]) << 8) |
                static_cast<unsigned char>(ev.data[1]));
        deliver_close(close_reason::transport_close);
        if (!close_sent_) {
            close_requested_ = true;
            close_code_ = code;
            if (out_) {
                out_->pending.clear();
                out_->pending_bytes = 0;
            }
            do_write();
        } else {
            abort();
        }
        return false;
    }
    case ws_opcode::continuation:
        break;
    }
    return !closed_;
}

void ws_transport::queue_control(ws_opcode opcode, std::string_view payload) {
    unsigned char header[max_server_header];
    auto const n = write_frame_header(header, opcode, payload.size());
    auto& control = out().control;
    control.append(reinterpret_cast<char const*>(header), n);
    control.append(payload);
    do_write();
}

void ws_transport::deliver_close(close_reason reason) {
    if (auto* s = session_) {
        session_ = nullptr;
        s->on_transport_closed(*this, reason);
    }
}

void ws_transport::fail(close_reason reason, std::uint16_t code) {
    // The code first: the session, told next, would close with 1000 (RFC 6455 §7.4.1: 1009 for
    // a message too big, 1007 for bad UTF-8, 1002 for a protocol error, as Node's ws).
    close(code);
    deliver_close(reason);
}

void ws_transport::send(std::vector<session::out_packet>& packets) {
    if (close_requested_ || closed_)
        return;
    auto& w = out();
    for (auto& p : packets)
        w.pending_bytes += p.data.size() + 1;
    if (w.pending.empty()) {
        w.pending.swap(packets); // the caller's queue becomes ours, no copy
    } else {
        for (auto& p : packets)
            w.pending.push_back(std::move(p));
    }
    do_write();
}

void ws_transport::send(session::out_packet packet) {
    if (close_requested_ || closed_)
        return;
    auto& w = out();
    w.pending_bytes += packet.data.size() + 1;
    w.pending.push_back(std::move(packet));
    do_write();
}

void ws_transport::close(std::uint16_t code) {
    if (closed_ || close_requested_)
        return;
    close_requested_ = true;
    close_code_ = code;
    auto& timer = more().close_timer;
    timer = std::make_unique<net::steady_timer>(socket_.get_executor(), close_grace);
    timer->async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec)
            self->abort();
    });
    do_write();
}

void ws_transport::abort() noexcept {
    if (closed_)
        return;
    closed_ = true;
    session_ = nullptr;
    if (extras_ && extras_->close_timer)
        extras_->close_timer->cancel();
    boost::system::error_code ec;
    socket_.close(ec);
}

void ws_transport::do_write() {
    if (writing_ || closed_)
        return;
    bool const want_close_frame = close_requested_ && !close_sent_;
    if (!want_close_frame && (!out_ || (out_->pending.empty() && out_->control.empty())))
        return;
    auto& w = out();
    auto& pending = w.pending;
    auto& control = w.control;
    auto& batch = w.batch;
    auto& buffers = w.buffers;
    auto& compressed = w.compressed;

    // Size the batch first: buffers points into batch, which must not move once filled.
    std::size_t batch_size = control.size() + (want_close_frame ? 4 : 0);
    for (auto const& p : pending) {
        batch_size += max_server_header + 1;
        if (p.data.size() <= inline_payload_limit)
            batch_size += p.data.size();
    }
    batch.clear();
    batch.reserve(batch_size);
    buffers.clear();
    batch.append(control);
    std::string{}.swap(control); // control frames are rare; the 101 head is not kept

    std::size_t run_start = 0; // start of the batch bytes not yet covered by a buffer
    auto const close_run = [&] {
        if (batch.size() > run_start)
            buffers.emplace_back(batch.data() + run_start, batch.size() - run_start);
        run_start = batch.size();
    };
    compressed.clear();
    if (deflate_)
        compressed.reserve(pending.size()); // buffers point into these strings
    for (auto const& p : pending) {
        unsigned char header[max_server_header];
        if (deflate_ && p.compress && p.data.size() >= deflate_threshold) {
            std::string_view const digit{
                p.binary ? "" : &type_digits[static_cast<int>(p.type)], p.binary ? 0u : 1u};
            compressed.push_back(server().shard(shard_).deflate->compress(digit, p.data.view()));
            auto const& packed = compressed.back();
            auto const n = write_frame_header(
                header, p.binary ? ws_opcode::binary : ws_opcode::text, packed.size(), true, true);
            batch.append(reinterpret_cast<char const*>(header), n);
            close_run();
            buffers.emplace_back(packed.data(), packed.size());
            continue;
        }
        std::size_t const payload = p.data.size() + (p.binary ? 0 : 1);
        auto const n =
            write_frame_header(header, p.binary ? ws_opcode::binary : ws_opcode::text, payload);
        batch.append(reinterpret_cast<char const*>(header), n);
        if (!p.binary)
            batch.push_back(type_digits[static_cast<int>(p.type)]);
        if (p.data.size() <= inline_payload_limit) {
            batch.append(p.data.view());
        } else {
            close_run();
            buffers.emplace_back(p.data.data(), p.data.size());
        }
    }
    if (want_close_frame) {
        unsigned char header[max_server_header];
        auto const n = write_frame_header(header, ws_opcode::close, 2);
        batch.append(reinterpret_cast<char const*>(header), n);
        batch.push_back(static_cast<char>(close_code_ >> 8));
        batch.push_back(static_cast<char>(close_code_ & 0xff));
        close_sent_ = true;
    }
    close_run();

    w.inflight.swap(pending);
    w.inflight_bytes = w.pending_bytes;
    w.pending_bytes = 0;
    writing_ = true;
    net::async_write(
        socket_, buffers, [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
            self->on_write(ec);
        });
}

void ws_transport::on_write(boost::system::error_code ec) {
    writing_ = false;
    if (out_->pending.empty() && out_->control.empty()) {
        // Going idle: an idle connection holds no write state (one allocation per write
        // costs less than its capacity kept by every idle connection).
        release_write_buffers();
    } else {
        out_->inflight_bytes = 0;
        out_->inflight.clear();
        out_->compressed.clear();
    }
    if (closed_)
        return;
    if (ec) {
        deliver_close(close_reason::transport_error);
        abort();
        return;
    }
    if (close_sent_ && (!out_ || out_->control.empty())) {
        finish_close();
        return;
    }
    do_write();
}

void ws_transport::release_write_buffers() noexcept {
    out_.reset();
}

void ws_transport::start_draining() {
    draining_ = true;
    rbuf_.reset();
    more().discard_budget = server().options.lingering_max_bytes;
}

void ws_transport::drain(char* scratch, std::size_t size) {
    auto& budget = more().discard_budget;
    while (budget > 0) {
        boost::system::error_code ec;
        std::size_t const n = socket_.read_some(net::buffer(scratch, std::min(size, budget)), ec);
        if (ec == net::error::would_block || ec == net::error::try_again) {
            wait_readable();
            return;
        }
        if (ec) {
            abort(); // the peer ended: nothing is left to protect
            return;
        }
        budget -= n;
    }
    // Past the budget nothing more is read; the close timer ends the connection.
}

void ws_transport::finish_close() {
    // Our close frame is out: half-close and let the peer's close frame or EOF end it; the
    // close timer ends it otherwise.
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (auto& timer = more().close_timer; !timer) {
        timer = std::make_unique<net::steady_timer>(socket_.get_executor(), close_grace);
        timer->async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec)
                self->abort();
        });
    }
}

} // namespace sio::engine::detail
