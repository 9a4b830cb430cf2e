#include <sio/core/log.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <engine/http_compression.hpp>
#include <engine/http_connection.hpp>
#include <engine/server_core.hpp>

namespace sio::engine::detail {

namespace http = boost::beast::http;

http_connection::http_connection(
    server_core& server,
    std::size_t shard,
    tcp::socket socket,
    boost::beast::flat_buffer buffer,
    bool first_request)
    : server_(server)
    , keep_server_(server.shared_from_this())
    , route_(&server)
    , shard_(shard)
    , socket_(std::move(socket))
    , buffer_(std::move(buffer))
    , timer_(socket_.get_executor())
    , first_request_(first_request) {
    server_.shard(shard_).connections.insert(this);
    server_.connection_count.fetch_add(1, std::memory_order_relaxed);
}

http_connection::~http_connection() {
    server_.shard(shard_).connections.erase(this);
    server_.connection_count.fetch_sub(1, std::memory_order_relaxed);
}

namespace {

// A connection's first request is most often a handshake or a WebSocket upgrade, a few hundred
// bytes; the later ones of a keep-alive connection are long-polling requests, where a POST of
// fifty events is about 7 KB and one read should take it whole. (16 KB for every first request
// left the heap of 10,000 WebSocket connections more fragmented: +15 B each.)
constexpr std::size_t first_request_read_size = 4 * 1024;
constexpr std::size_t request_read_size = 16 * 1024;

} // namespace

namespace {

// The status line and header fields of a response, as Beast's serializer writes them.
void append_head(http_response const& res, std::string& out) {
    out += res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    char code[4];
    auto const status = res.result_int();
    code[0] = static_cast<char>('0' + status / 100 % 10);
    code[1] = static_cast<char>('0' + status / 10 % 10);
    code[2] = static_cast<char>('0' + status % 10);
    out.append(code, 3);
    out += ' ';
    out += res.reason();
    out += "\r\n";
    for (auto const& field : res) {
        out += field.name_string();
        out += ": ";
        out += field.value();
        out += "\r\n";
    }
    out += "\r\n";
}

} // namespace

void http_connection::start() {
    wait_for_request();
}

void http_connection::arm_timer(std::chrono::milliseconds timeout) {
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this(), gen = generation_](boost::system::error_code ec) {
        if (ec || gen != self->generation_ || self->closed_)
            return;
        if (self->parser_) {
            // The request started but its header never ended: Node answers 408.
            self->parser_.reset();
            ++self->generation_;
            http_response res{http::status::request_timeout, 11};
            res.set(http::field::content_type, "text/plain");
            res.body() = "Request Timeout";
            self->answer_and_close(std::move(res));
            return;
        }
        self->close();
    });
}

void http_connection::wait_for_request() {
    busy_ = false;
    parked_ = false;
    if (buffer_.size() > 0) {
        read_request();
        return;
    }
    // Idle: wait for the first byte without holding a read buffer.
    buffer_.shrink_to_fit();
    ++generation_;
    arm_timer(
        first_request_ ? server_.options.headers_timeout : server_.options.keep_alive_timeout);
    socket_.async_wait(
        tcp::socket::wait_read,
        [self = shared_from_this(), gen = generation_](boost::system::error_code ec) {
            if (gen != self->generation_ || self->closed_)
                return;
            if (ec) {
                self->close();
                return;
            }
            self->read_request();
        });
}

void http_connection::read_request() {
    // Beast reads max(512, free capacity) at a time, and its parser consumes what it read, so a
    // buffer left to grow on its own stays at 512 bytes and a POST of a few kilobytes takes as
    // many system calls. Room for a typical request in one read, given back once it is read
    // (wait_for_request, park):
    auto const read_size = first_request_ ? first_request_read_size : request_read_size;
    if (buffer_.capacity() < read_size)
        buffer_.reserve(read_size);
    ++generation_;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_size));
    parser_->body_limit(server_.options.max_http_buffer_size);
    arm_timer(server_.options.headers_timeout);
    http::async_read(
        socket_,
        buffer_,
        *parser_,
        [self = shared_from_this(), gen = generation_](boost::system::error_code ec, std::size_t) {
            if (gen != self->generation_ || self->closed_)
                return;
            self->on_read(ec);
        });
}

void http_connection::on_read(boost::system::error_code ec) {
    ++generation_;
    timer_.cancel();
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted) {
        close();
        return;
    }
    if (ec == http::error::body_limit) {
        // Over max_http_buffer_size: refuse it and end the session it was for, as the issue asks;
        // the rest of the stream cannot be trusted, so the connection goes too.
        auto const& header = parser_->get();
        std::string_view const target = header.target();
        http_response res{http::status::payload_too_large, 11};
        if (auto* owner = server_.route_for(target.substr(0, target.find('?')))) {
            owner->close_oversized(header);
            owner->add_cors(header, res);
        }
        res.set(http::field::content_type, "text/plain");
        res.body() = "Payload Too Large";
        answer_and_close(std::move(res));
        return;
    }
    if (ec == http::error::header_limit) {
        http_response res{http::status::request_header_fields_too_large, 11};
        res.set(http::field::content_type, "text/plain");
        res.body() = "Request Header Fields Too Large";
        answer_and_close(std::move(res));
        return;
    }
    if (ec) {
        if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
            http_response res{http::status::bad_request, 11};
            res.set(http::field::content_type, "text/plain");
            res.body() = "Bad Request";
            answer_and_close(std::move(res));
            return;
        }
        close();
        return;
    }
    first_request_ = false;
    auto request = parser_->release();
    parser_.reset();
    dispatch(std::move(request));
}

void http_connection::dispatch(http_request request) {
    busy_ = true;
    request_ = std::move(request);
    server_.handle(shared_from_this(), request_);
}

void http_connection::migrate(std::size_t target_shard) {
    boost::system::error_code ec;
    auto protocol = socket_.local_endpoint(ec).protocol();
    if (ec)
        protocol = tcp::v4(); // a TLS relay's socketpair end has no IP endpoint
    auto peer = remote_address();
    auto const fd = socket_.release(ec);
    if (ec) {
        close();
        return;
    }
    closed_ = true;
    ++generation_;
    timer_.cancel();
    net::post(
        server_.pool.get(target_shard),
        [core = &server_,
         target_shard,
         protocol,
         fd,
         buffer = std::move(buffer_),
         request = std::move(request_),
         first = first_request_,
         peer = std::move(peer),
         secure = secure_]() mutable {
            boost::system::error_code ec;
            tcp::socket socket{core->pool.get(target_shard)};
            socket.assign(protocol, fd, ec);
            if (ec) {
                ::close(fd);
                return;
            }
            auto conn = std::make_shared<http_connection>(
                *core, target_shard, std::move(socket), std::move(buffer), first);
            conn->set_peer(std::move(peer), secure);
            conn->dispatch(std::move(request));
        });
}

void http_connection::respond(http_response response) {
    if (closed_)
        return;
    ++generation_;
    parked_ = false;
    parked_for_.reset();
    bool const keep_alive = request_.keep_alive() && response.keep_alive() &&
                            !server_.closing.load(std::memory_order_relaxed);
    response.keep_alive(keep_alive);
    if (keep_alive) {
        // As Node: tells keep-alive clients when we drop an idle connection, so they do not
        // reuse one at the moment it closes.
        response.set(
            http::field::keep_alive,
            "timeout=" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                            server_.options.keep_alive_timeout)
                                            .count()));
    }
    if (!cookie_.empty()) {
        response.set(http::field::set_cookie, cookie_);
        cookie_.clear();
    }
    response.prepare_payload();
    response_ = std::move(response);
    request_.body().clear();
    // The head is written here and goes out with the body in one gathered write: Beast's
    // serializer did the same work through several layers of buffer views, about a tenth of a
    // long-polling server's time.
    head_.clear();
    append_head(response_, head_);
    std::array<net::const_buffer, 2> const buffers{
        net::buffer(head_), net::buffer(response_.body())};
    net::async_write(
        socket_,
        buffers,
        [self = shared_from_this(), keep_alive](boost::system::error_code ec, std::size_t) {
            self->on_write(ec, keep_alive);
        });
}

void http_connection::on_write(boost::system::error_code ec, bool keep_alive) {
    response_ = {};
    head_.clear();
    if (closed_)
        return;
    if (ec) {
        close();
        return;
    }
    if (!keep_alive) {
        // The client may still be sending (a pipelined request, the rest of a body we refused).
        linger();
        return;
    }
    wait_for_request();
}

void http_connection::respond_poll(std::string body, bool compress) {
    http_response res{http::status::ok, request_.version()};
    res.set(http::field::content_type, "text/plain; charset=UTF-8");
    res.set(http::field::cache_control, "no-store"); // as engine.io: never cache a poll
    route_->add_cors(request_, res);
    auto const& compression = route_->options.http_compression;
    if (compress && compression && body.size() >= compression->threshold) {
        std::string encoding;
        auto it = request_.find(http::field::accept_encoding);
        if (it != request_.end()) {
            if (auto packed = compress_for(body, it->value(), encoding)) {
                res.set(http::field::content_encoding, encoding);
                res.body() = std::move(*packed);
                respond(std::move(res));
                return;
            }
        }
    }
    res.body() = std::move(body);
    respond(std::move(res));
}

void http_connection::respond_ok() {
    http_response res{http::status::ok, request_.version()};
    // text/html, not text/plain, avoids a download dialog on some user agents (engine.io GH-43).
    res.set(http::field::content_type, "text/html");
    res.set(http::field::cache_control, "no-store");
    route_->add_cors(request_, res);
    res.body() = "ok";
    respond(std::move(res));
}

void http_connection::park(std::weak_ptr<session> owner) {
    if (buffer_.size() == 0)
        buffer_.shrink_to_fit(); // a held GET may wait for long
    parked_ = true;
    parked_for_ = std::move(owner);
    ++generation_;
    watch_parked();
}

void http_connection::watch_parked() {
    // Readable while parked means the client hung up (or pipelined, which we leave for later).
    socket_.async_wait(
        tcp::socket::wait_read,
        [self = shared_from_this(), gen = generation_](boost::system::error_code ec) {
            if (gen != self->generation_ || !self->parked_ || self->closed_)
                return;
            if (!ec) {
                // Only the end of the stream (or an error) is a hang-up. A readiness the reactor
                // had noted before this wait began (the request's own bytes, read meanwhile, or a
                // descriptor just handed over from another shard) finds nothing: wait again.
                char byte;
                auto const n =
                    ::recv(self->socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
                if (n > 0)
                    return; // pipelined: read after the answer
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                    self->watch_parked();
                    return;
                }
            }
            self->parked_ = false;
            auto owner = self->parked_for_.lock();
            self->parked_for_.reset();
            if (owner)
                owner->on_poll_aborted(*self);
            self->close();
        });
}

std::pair<tcp::socket, boost::beast::flat_buffer> http_connection::hand_over() {
    closed_ = true;
    ++generation_;
    timer_.cancel();
    return {std::move(socket_), std::move(buffer_)};
}

std::string http_connection::remote_address() const {
    if (!peer_address_.empty())
        return peer_address_;
    boost::system::error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    return ec ? std::string{} : ep.address().to_string();
}

void http_connection::answer_and_close(http_response response) {
    ++generation_;
    response.keep_alive(false);
    response.prepare_payload();
    response_ = std::move(response);
    http::async_write(
        socket_, response_, [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
            self->response_ = {};
            if (ec)
                self->close();
            else
                self->linger();
        });
}

void http_connection::linger() {
    if (closed_)
        return;
    auto const& options = server_.options;
    ++generation_;
    busy_ = false;
    parked_ = false;
    // What was read of the refused request is not needed any more.
    buffer_.clear();
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec || options.lingering_time.count() <= 0 ||
        server_.closing.load(std::memory_order_relaxed)) {
        close();
        return;
    }
    timer_.expires_after(options.lingering_time);
    timer_.async_wait([self = shared_from_this(), gen = generation_](boost::system::error_code ec) {
        if (!ec && gen == self->generation_ && !self->closed_)
            self->close();
    });
    discard_input(options.lingering_max_bytes);
}

void http_connection::discard_input(std::size_t budget) {
    // Past the byte budget nothing more is read: the client's sends stall on a full window, which
    // costs us nothing, and the timer ends the connection.
    if (budget == 0)
        return;
    constexpr std::size_t chunk = 16 * 1024;
    buffer_.clear();
    socket_.async_read_some(
        buffer_.prepare(std::min(budget, chunk)),
        [self = shared_from_this(), gen = generation_, budget](
            boost::system::error_code ec, std::size_t n) {
            if (gen != self->generation_ || self->closed_)
                return;
            if (ec) {
                // The client hung up (or reset): nothing is left to protect.
                self->close();
                return;
            }
            self->discard_input(budget - n);
        });
}

void http_connection::close() noexcept {
    if (closed_)
        return;
    closed_ = true;
    ++generation_;
    parked_ = false;
    timer_.cancel();
    boost::system::error_code ec;
    // Half-close first so the peer reads our last answer before it sees the end.
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    socket_.close(ec);
}

} // namespace sio::engine::detail

namespace sio::engine::detail {

void http_connection::close_if_idle() noexcept {
    // A lingering connection has nothing left to answer: shutdown need not wait for it.
    if (!busy_ && !parked_)
        close();
}

} // namespace sio::engine::detail
