#include <sio/core/base64.hpp>
#include <sio/core/guarded.hpp>
#include <sio/core/log.hpp>
#include <sio/engine/server.hpp>

#include <boost/asio/post.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <engine/http_connection.hpp>
#include <engine/server_core.hpp>
#include <engine/tls_relay.hpp>
#include <engine/ws_frame.hpp>
#include <engine/ws_transport.hpp>
#include <string>

namespace sio::engine {
namespace detail {
namespace {

namespace http = boost::beast::http;

// base64url: sids go in query strings and cookies unescaped.
constexpr char sid_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t sid_length = 20;
using reuse_port = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char const c = in[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (
            c == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
            hex_value(in[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<std::string_view>
find_param(std::vector<std::pair<std::string, std::string>> const& query, std::string_view name) {
    for (auto const& [k, v] : query)
        if (k == name)
            return std::string_view{v};
    return std::nullopt;
}

void append_json_string(std::string& out, std::string_view s) {
    out.push_back('"');
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (static_cast<unsigned char>(c) < 0x20) {
            static constexpr char hex[] = "0123456789abcdef";
            out.append("\\u00");
            out.push_back(hex[(c >> 4) & 0xf]);
            out.push_back(hex[c & 0xf]);
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}

} // namespace

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view target) {
    std::vector<std::pair<std::string, std::string>> out;
    auto const q = target.find('?');
    if (q == std::string_view::npos)
        return out;
    auto rest = target.substr(q + 1);
    if (auto const hash = rest.find('#'); hash != std::string_view::npos)
        rest = rest.substr(0, hash);
    while (!rest.empty()) {
        auto const amp = rest.find('&');
        auto const part = rest.substr(0, amp);
        if (!part.empty()) {
            auto const eq = part.find('=');
            if (eq == std::string_view::npos)
                out.emplace_back(percent_decode(part), std::string{});
            else
                out.emplace_back(
                    percent_decode(part.substr(0, eq)), percent_decode(part.substr(eq + 1)));
        }
        if (amp == std::string_view::npos)
            break;
        rest = rest.substr(amp + 1);
    }
    return out;
}

namespace {
// Node's polling transport waits this long for a GET to carry an orderly close packet.
constexpr auto polling_close_timeout = std::chrono::seconds(30);
} // namespace

server_core::shard_state::shard_state(net::io_context& ctx, server_options const& options)
    : ping_due(ctx, options.ping_interval, &session::on_ping_due)
    , pong_overdue(ctx, options.ping_timeout, &session::on_pong_overdue)
    , close_overdue(ctx, polling_close_timeout, &session::on_close_overdue)
    , upgrade_overdue(ctx, options.upgrade_timeout, &session::on_upgrade_overdue) {}

server_core::server_core(io_pool& p, handler& h, server_options opts)
    : pool(p)
    , app_handler(h)
    , options(std::move(opts)) {
    if (pool.size() > 64)
        throw std::invalid_argument("sio::engine::server: at most 64 shards");
    for (std::size_t i = 0; i < pool.size(); ++i)
        shards.push_back(std::make_unique<shard_state>(pool.get(i), options));
}

std::optional<std::size_t> server_core::shard_of(net::any_io_executor const& ex) const noexcept {
    auto& ctx = net::query(ex, net::execution::context);
    for (std::size_t i = 0; i < pool.size(); ++i)
        if (&pool.get(i) == &ctx)
            return i;
    return std::nullopt;
}

std::string server_core::make_sid(std::size_t index) {
    auto& s = shard(index);
    constexpr std::size_t refill = 19 * 64;
    if (s.random_used + sid_length - 1 > s.random_pool.size()) {
        s.random_pool.resize(refill);
        if (RAND_bytes(
                reinterpret_cast<unsigned char*>(s.random_pool.data()), static_cast<int>(refill)) !=
            1)
            throw std::runtime_error("sio: CSPRNG failure");
        s.random_used = 0;
    }
    std::string sid;
    sid.reserve(sid_length);
    sid.push_back(sid_alphabet[index]);
    for (std::size_t i = 1; i < sid_length; ++i)
        sid.push_back(
            sid_alphabet[static_cast<unsigned char>(s.random_pool[s.random_used++]) & 63]);
    return sid;
}

std::optional<std::size_t> server_core::sid_shard(std::string_view sid) const noexcept {
    if (sid.size() != sid_length)
        return std::nullopt;
    auto const* p = std::find(std::begin(sid_alphabet), std::end(sid_alphabet) - 1, sid.front());
    auto const index = static_cast<std::size_t>(p - std::begin(sid_alphabet));
    if (index >= shards.size())
        return std::nullopt;
    return index;
}

std::string server_core::open_packet(std::string_view sid, transport_kind transport) const {
    bool const can_upgrade = transport == transport_kind::polling && options.allow_upgrades &&
                             options.transports.websocket;
    std::string json;
    json.reserve(128);
    json.append("{\"sid\":");
    append_json_string(json, sid);
    json.append(can_upgrade ? ",\"upgrades\":[\"websocket\"]" : ",\"upgrades\":[]");
    json.append(",\"pingInterval\":").append(std::to_string(options.ping_interval.count()));
    json.append(",\"pingTimeout\":").append(std::to_string(options.ping_timeout.count()));
    json.append(",\"maxPayload\":").append(std::to_string(options.max_http_buffer_size));
    json.push_back('}');
    return json;
}

void server_core::add_cors(http_request const& req, http_response& res) const {
    if (!options.cors)
        return;
    auto const& cors = *options.cors;
    auto const it = req.find(http::field::origin);
    std::string_view const origin =
        it == req.end() ? std::string_view{} : std::string_view{it->value()};
    bool const any = !cors.origin_predicate &&
                     std::find(cors.origins.begin(), cors.origins.end(), "*") != cors.origins.end();
    if (any && !cors.credentials) {
        res.set(http::field::access_control_allow_origin, "*");
    } else if (!origin.empty()) {
        bool const allowed =
            cors.origin_predicate
                ? cors.origin_predicate(origin)
                : any || std::find(cors.origins.begin(), cors.origins.end(), origin) !=
                             cors.origins.end();
        if (!allowed)
            return;
        res.set(http::field::access_control_allow_origin, origin);
        res.set(http::field::vary, "Origin");
    } else {
        return;
    }
    if (cors.credentials)
        res.set(http::field::access_control_allow_credentials, "true");
    if (!cors.exposed_headers.empty())
        res.set(http::field::access_control_expose_headers, cors.exposed_headers);
}

http_response
server_core::error_response(error e, http_request const& req, std::string_view message) const {
    http_response res{
        e == error::forbidden ? http::status::forbidden : http::status::bad_request, req.version()};
    res.set(http::field::content_type, "application/json");
    add_cors(req, res);
    std::string body = "{\"code\":" + std::to_string(node_code(e)) + ",\"message\":";
    append_json_string(body, message.empty() ? node_message(e) : message);
    body.push_back('}');
    res.body() = std::move(body);
    if (boost::beast::websocket::is_upgrade(req))
        res.keep_alive(false); // Node's abortUpgrade ends the socket
    return res;
}

void server_core::handle(std::shared_ptr<http_connection> conn, http_request& request) {
    std::string_view const target = request.target();
    if (!static_files.empty() &&
        (request.method() == http::verb::get || request.method() == http::verb::head)) {
        auto it = static_files.find(std::string{target.substr(0, target.find('?'))});
        if (it != static_files.end()) {
            http_response res{http::status::ok, request.version()};
            res.set(http::field::content_type, it->second.content_type);
            res.set(http::field::cache_control, "public, max-age=0");
            res.body().assign(it->second.body.view());
            conn->respond(std::move(res));
            return;
        }
    }
    if (auto* owner = route_for(target.substr(0, target.find('?')))) {
        conn->set_route(*owner);
        owner->handle_engine(conn, request);
        return;
    }
    http_response res{http::status::not_found, request.version()};
    if (app_routes) {
        // As Express's default error handler: a route that throws answers 500, the connection
        // and the process go on.
        if (guarded(
                [&] { app_routes(request, res); },
                [&] {
                    return "http handler for " + std::string{target.substr(0, target.find('?'))} +
                           " on shard " + std::to_string(conn->shard());
                })) {
            res = http_response{http::status::internal_server_error, request.version()};
            res.set(http::field::content_type, "text/plain");
            res.body() = "Internal Server Error";
        }
    } else {
        res.set(http::field::content_type, "text/plain");
        res.body() = "Not Found";
    }
    conn->respond(std::move(res));
}

void server_core::handle_engine(
    std::shared_ptr<http_connection> const& conn, http_request& request) {
    bool const upgrade = boost::beast::websocket::is_upgrade(request);
    if (request.method() == http::verb::options && options.cors && !upgrade) {
        http_response res{http::status::no_content, request.version()};
        add_cors(request, res);
        auto const& cors = *options.cors;
        res.set(http::field::access_control_allow_methods, cors.methods);
        if (!cors.allowed_headers.empty()) {
            res.set(http::field::access_control_allow_headers, cors.allowed_headers);
        } else if (auto it = request.find(http::field::access_control_request_headers);
                   it != request.end()) {
            res.set(http::field::access_control_allow_headers, it->value());
            res.set(http::field::vary, "Access-Control-Request-Headers");
        }
        if (cors.max_age)
            res.set(http::field::access_control_max_age, std::to_string(cors.max_age->count()));
        conn->respond(std::move(res));
        return;
    }

    auto const query = parse_query(request.target());
    auto const transport = find_param(query, "transport");
    bool const polling = transport == "polling" && options.transports.polling;
    bool const websocket = transport == "websocket" && options.transports.websocket;
    if (!polling && !websocket) {
        conn->respond(error_response(error::unknown_transport, request));
        return;
    }

    if (auto const sid = find_param(query, "sid")) {
        auto const index = sid_shard(*sid);
        if (!index) {
            conn->respond(error_response(error::unknown_sid, request));
            return;
        }
        if (*index != conn->shard()) {
            // Session state is touched only by its own shard: move the connection there.
            conn->migrate(*index);
            return;
        }
        auto& sessions = shard(*index).sessions;
        auto const it = sessions.find(*sid);
        if (it == sessions.end()) {
            conn->respond(error_response(error::unknown_sid, request));
            return;
        }
        auto s = *it;
        if (upgrade) {
            if (!websocket) {
                conn->respond(error_response(error::bad_request, request));
                return;
            }
            this->upgrade(conn, request, *s);
            return;
        }
        if ((s->transport() == transport_kind::polling) != polling) {
            conn->respond(error_response(error::bad_request, request));
            return;
        }
        if (request.method() == http::verb::get)
            s->on_poll(conn);
        else if (request.method() == http::verb::post)
            s->on_post(*conn, request.body());
        else
            conn->respond(http_response{http::status::internal_server_error, request.version()});
        return;
    }

    if (request.method() != http::verb::get) {
        conn->respond(error_response(error::bad_handshake_method, request));
        return;
    }
    if (upgrade != websocket) {
        conn->respond(error_response(error::bad_request, request));
        return;
    }
    if (find_param(query, "EIO") != "4") {
        conn->respond(error_response(error::unsupported_protocol_version, request));
        return;
    }
    handshake(
        conn, request, websocket ? transport_kind::websocket : transport_kind::polling, upgrade);
}

void server_core::handshake(
    std::shared_ptr<http_connection> const& conn,
    http_request& request,
    transport_kind transport,
    bool) {
    // One immutable copy per session, shared by the Socket.IO layer: its strings in one block,
    // since idle connections keep it for their whole life.
    auto const target = std::string_view{request.target()};
    auto const decoded_query = parse_query(target);
    std::vector<request_info::field> query;
    query.reserve(decoded_query.size());
    for (auto const& [k, v] : decoded_query)
        query.emplace_back(k, v);
    std::vector<request_info::field> headers;
    headers.reserve(static_cast<std::size_t>(std::distance(request.begin(), request.end())));
    for (auto const& field : request)
        headers.emplace_back(field.name_string(), field.value());
    auto const shared = std::make_shared<request_info const>(
        request.method_string(),
        target,
        percent_decode(target.substr(0, target.find('?'))),
        query,
        headers,
        conn->remote_address(),
        conn->is_secure(),
        std::chrono::system_clock::now());
    auto const& info = *shared;

    if (options.allow_request) {
        std::optional<std::string> refusal;
        // A throw refuses the handshake, with its message when it has one.
        if (auto thrown = guarded(
                [&] { refusal = options.allow_request(info); },
                [&] { return "allow_request on shard " + std::to_string(conn->shard()); }))
            refusal = std::move(*thrown);
        if (refusal) {
            conn->respond(error_response(
                error::forbidden, request, refusal->empty() ? "Forbidden" : *refusal));
            return;
        }
    }

    std::size_t const index = conn->shard();
    auto sid = make_sid(index);
    std::string cookie;
    if (options.cookie) {
        auto const& c = *options.cookie;
        cookie = c.name + "=" + sid + "; Path=" + c.path;
        if (c.http_only)
            cookie += "; HttpOnly";
        if (!c.same_site.empty())
            cookie += "; SameSite=" + c.same_site;
    }

    std::shared_ptr<ws_transport> ws;
    if (transport == transport_kind::websocket) {
        ws = accept_websocket(conn, request, cookie);
        if (!ws)
            return;
    } else if (!cookie.empty()) {
        conn->set_cookie(cookie);
    }
    auto s = std::make_shared<session>(*this, index, sid, shared, transport);
    shard(index).sessions.insert(s);
    session_count.fetch_add(1, std::memory_order_relaxed);
    s->open(ws);
    if (transport == transport_kind::polling)
        s->on_poll(conn);
}

void server_core::upgrade(
    std::shared_ptr<http_connection> const& conn, http_request& request, session& s) {
    if (!options.allow_upgrades) {
        conn->respond(error_response(error::bad_request, request));
        return;
    }
    auto ws = accept_websocket(conn, request, {});
    if (!ws)
        return;
    if (s.transport() != transport_kind::polling || s.is_upgrading() || !s.is_open()) {
        // As Node: a second upgrade for the same sid is accepted, then closed at once.
        ws->close(1000);
        return;
    }
    s.begin_upgrade(std::move(ws));
}

std::shared_ptr<ws_transport> server_core::accept_websocket(
    std::shared_ptr<http_connection> const& conn, http_request& request, std::string_view cookie) {
    auto const version = request.find(http::field::sec_websocket_version);
    auto const key = request.find(http::field::sec_websocket_key);
    bool valid = version != request.end() && version->value() == "13" && key != request.end();
    if (valid) {
        auto decoded = base64_decode(key->value());
        valid = decoded && decoded->size() == 16;
    }
    if (!valid) {
        auto res = error_response(error::bad_request, request);
        res.set(http::field::sec_websocket_version, "13");
        conn->respond(std::move(res));
        return nullptr;
    }
    bool deflate = false;
    if (options.per_message_deflate) {
        auto const ext = request.find(http::field::sec_websocket_extensions);
        deflate = ext != request.end() && std::string_view{ext->value()}.find(
                                              "permessage-deflate") != std::string_view::npos;
    }
    std::string head;
    head.reserve(256);
    head.append(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
    head.append("Sec-WebSocket-Accept: ").append(websocket_accept_key(key->value())).append("\r\n");
    if (deflate) {
        // RFC 7692 §7.1.1: no context takeover either way, so no per-connection zlib state.
        head.append("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; "
                    "client_no_context_takeover\r\n");
    }
    if (!cookie.empty())
        head.append("Set-Cookie: ").append(cookie).append("\r\n");
    head.append("\r\n");
    auto [socket, buffer] = conn->hand_over();
    auto ws = std::make_shared<ws_transport>(
        *this, conn->shard(), std::move(socket), std::move(buffer), deflate, conn->listener());
    ws->start(std::move(head));
    return ws;
}

server_core* server_core::route_for(std::string_view path) noexcept {
    auto const owns = [path](std::string_view mount) {
        return path.size() > mount.size() && path.substr(0, mount.size()) == mount &&
               path[mount.size()] == '/';
    };
    if (owns(options.path))
        return this;
    for (auto* other : mounts)
        if (auto* found = other->route_for(path))
            return found;
    return nullptr;
}

void server_core::close_oversized(http_request const& header) {
    auto const query = parse_query(header.target());
    auto const sid = find_param(query, "sid");
    if (!sid)
        return;
    auto const index = sid_shard(*sid);
    if (!index)
        return;
    net::post(pool.get(*index), [this, index = *index, sid = std::string{*sid}] {
        auto& sessions = shard(index).sessions;
        if (auto it = sessions.find(std::string_view{sid}); it != sessions.end()) {
            auto s = *it;
            s->finish(close_reason::transport_error);
        }
    });
}

void server_core::remove(session& s) {
    auto& sessions = shard(s.shard_).sessions;
    if (auto it = sessions.find(s.sid()); it != sessions.end()) {
        sessions.erase(it);
        session_count.fetch_sub(1, std::memory_order_relaxed);
    }
}

void server_core::accept_loop(
    std::size_t index,
    std::shared_ptr<tcp::acceptor> acceptor,
    std::shared_ptr<net::ssl::context> tls) {
    acceptor->async_accept([this, index, acceptor, tls](
                               boost::system::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor->is_open())
            return;
        if (ec) {
            // Out of descriptors, say: back off briefly instead of spinning.
            log(log_level::warn, "accept failed: " + ec.message());
            auto timer =
                std::make_shared<net::steady_timer>(pool.get(index), std::chrono::milliseconds(50));
            timer->async_wait([this, index, acceptor, tls, timer](boost::system::error_code) {
                accept_loop(index, acceptor, tls);
            });
            return;
        }
        boost::system::error_code ignored;
        if (closing.load(std::memory_order_relaxed) ||
            (options.max_connections != 0 &&
             connection_count.load(std::memory_order_relaxed) >= options.max_connections)) {
            socket.close(ignored);
        } else if (tls) {
            socket.set_option(tcp::no_delay(true), ignored);
            auto peer = socket.remote_endpoint(ignored).address().to_string();
            auto relay = std::make_shared<tls_relay>(std::move(socket), *tls);
            relay->start([this, index, peer = std::move(peer)](tcp::socket plain) {
                auto conn = std::make_shared<http_connection>(*this, index, std::move(plain));
                conn->set_peer(peer, true);
                conn->start();
            });
        } else {
            socket.set_option(tcp::no_delay(true), ignored);
            std::make_shared<http_connection>(*this, index, std::move(socket))->start();
        }
        accept_loop(index, acceptor, tls);
    });
}

void server_core::shutdown_shard(std::size_t index) {
    auto& state = shard(index);
    for (auto& acceptor : state.acceptors) {
        boost::system::error_code ec;
        acceptor->close(ec);
    }
    state.acceptors.clear();
    std::vector<std::shared_ptr<session>> sessions;
    sessions.reserve(state.sessions.size());
    for (auto& s : state.sessions)
        sessions.push_back(s);
    for (auto& s : sessions) {
        if (s->transport() == transport_kind::websocket)
            s->begin_close(close_reason::server_shutting_down);
        else
            s->finish(close_reason::server_shutting_down); // a pending GET carries "1"
    }
    // Idle keep-alive connections have nothing left to say.
    std::vector<http_connection*> idle(state.connections.begin(), state.connections.end());
    for (auto* c : idle)
        c->close_if_idle();
}

} // namespace detail

server::server(io_pool& pool, handler& h, server_options options)
    : core_(std::make_shared<detail::server_core>(pool, h, std::move(options))) {}

server::~server() = default;

void server::serve(std::string path, std::string content_type, shared_bytes body) {
    core_->static_files[std::move(path)] = {std::move(content_type), std::move(body)};
}

void server::mount(server& other) {
    core_->mounts.push_back(other.core_.get());
}

void server::on_http_request(http_handler app) {
    core_->app_routes = std::move(app);
}

net::ip::tcp::endpoint
server::listen(std::string_view host, unsigned short port, std::shared_ptr<net::ssl::context> tls) {
    auto const address = net::ip::make_address(std::string{host});
    net::ip::tcp::endpoint endpoint{address, port};
    for (std::size_t i = 0; i < core_->pool.size(); ++i) {
        auto acceptor = std::make_shared<net::ip::tcp::acceptor>(core_->pool.get(i));
        acceptor->open(endpoint.protocol());
        acceptor->set_option(net::socket_base::reuse_address(true));
        acceptor->set_option(detail::reuse_port(true));
        acceptor->bind(endpoint);
        acceptor->listen(net::socket_base::max_listen_connections);
        if (endpoint.port() == 0)
            endpoint = acceptor->local_endpoint();
        net::post(core_->pool.get(i), [core = core_.get(), i, acceptor, tls] {
            core->shard(i).acceptors.push_back(acceptor);
            core->accept_loop(i, acceptor, tls);
        });
    }
    return endpoint;
}

void server::accept(
    net::ip::tcp::socket socket, boost::beast::flat_buffer buffer, http_request request) {
    auto* core = core_.get();
    if (auto const own = core->shard_of(socket.get_executor())) {
        net::post(
            core->pool.get(*own),
            [core,
             index = *own,
             socket = std::move(socket),
             buffer = std::move(buffer),
             request = std::move(request)]() mutable {
                auto conn = std::make_shared<detail::http_connection>(
                    *core, index, std::move(socket), std::move(buffer), false);
                conn->dispatch(std::move(request));
            });
        return;
    }
    // A socket of the application's own io_context completes its I/O there: the connection's
    // handlers would run on the application's thread, racing its shard. Its descriptor moves
    // to a shard's io_context instead, as a connection that migrates between shards does.
    boost::system::error_code ec;
    auto protocol = socket.local_endpoint(ec).protocol();
    if (ec)
        protocol = net::ip::tcp::v4();
    auto const fd = socket.release(ec);
    if (ec) {
        log(log_level::error, "accept: cannot take over a foreign socket: " + ec.message());
        return;
    }
    auto const index = static_cast<std::size_t>(fd) % core->pool.size();
    net::post(
        core->pool.get(index),
        [core,
         index,
         protocol,
         fd,
         buffer = std::move(buffer),
         request = std::move(request)]() mutable {
            boost::system::error_code ec;
            net::ip::tcp::socket socket{core->pool.get(index)};
            socket.assign(protocol, fd, ec);
            if (ec) {
                log(log_level::error, "accept: cannot adopt a foreign socket: " + ec.message());
                ::close(fd);
                return;
            }
            auto conn = std::make_shared<detail::http_connection>(
                *core, index, std::move(socket), std::move(buffer), false);
            conn->dispatch(std::move(request));
        });
}

void server::close(std::function<void()> done) {
    auto* core = core_.get();
    core->closing = true;
    for (std::size_t i = 0; i < core->pool.size(); ++i)
        net::post(core->pool.get(i), [core, i] { core->shutdown_shard(i); });
    // Wait (on shard 0) until every connection is gone, or the grace period ends.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    auto timer = std::make_shared<net::steady_timer>(core->pool.get(0));
    auto check = std::make_shared<std::function<void()>>();
    *check = [core, deadline, timer, check, done = std::move(done)]() mutable {
        if (core->connection_count.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
            if (done)
                done();
            *check = nullptr; // break the cycle
            return;
        }
        timer->expires_after(std::chrono::milliseconds(10));
        timer->async_wait([check](boost::system::error_code) {
            if (*check)
                (*check)();
        });
    };
    net::post(core->pool.get(0), [check] { (*check)(); });
}

std::size_t server::session_count() const noexcept {
    return core_->session_count.load(std::memory_order_relaxed);
}

server_options const& server::options() const noexcept {
    return core_->options;
}

} // namespace sio::engine
