#pragma once

#include <sio/engine/request.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::engine {

/// Cross-origin resource sharing, as the `cors` option of Node's engine.io.
struct cors_options {
    /// Origins allowed; "*" allows any (answered as `*`, or the request's origin with credentials).
    std::vector<std::string> origins = {"*"};
    /// Decides per origin when set; wins over `origins`.
    std::function<bool(std::string_view origin)> origin_predicate;
    /// Sends Access-Control-Allow-Credentials: true. Default false.
    bool credentials = false;
    /// Access-Control-Allow-Methods on preflight.
    std::string methods = "GET,HEAD,PUT,PATCH,POST,DELETE";
    /// Access-Control-Allow-Headers on preflight; empty reflects the request's list.
    std::string allowed_headers{};
    /// Access-Control-Expose-Headers; empty sends none.
    std::string exposed_headers{};
    /// Access-Control-Max-Age on preflight, if set.
    std::optional<std::chrono::seconds> max_age{};
};

/// The optional cookie holding the sid, as Node's `cookie` option.
struct cookie_options {
    std::string name = "io";
    std::string path = "/";
    bool http_only = true;
    std::string same_site = "Lax";
};

/// gzip/deflate of long-polling responses, as Node's `httpCompression`.
struct http_compression_options {
    /// Responses smaller than this many bytes are sent as is. Default 1024.
    std::size_t threshold = 1024;
};

/// Which transports the server accepts.
struct transport_set {
    bool polling = true;
    bool websocket = true;
};

/// Engine.IO server options. Defaults are Node engine.io 6.6's.
struct server_options {
    /// Where the engine answers; the application keeps every other path. Default "/engine.io".
    std::string path = "/engine.io";
    /// Time between two server pings. Default 25000 ms.
    std::chrono::milliseconds ping_interval{25000};
    /// Time the client has to answer a ping before the session closes. Default 20000 ms.
    std::chrono::milliseconds ping_timeout{20000};
    /// Time a started upgrade has to complete before the probe is dropped. Default 10000 ms.
    std::chrono::milliseconds upgrade_timeout{10000};
    /// Largest message (WebSocket) or POST body (polling) accepted, in bytes; over it the
    /// session closes and everyone else goes on. Default 1e6.
    std::size_t max_http_buffer_size = 1'000'000;
    /// Transports accepted. Default both.
    transport_set transports{};
    /// Whether a polling session may upgrade to WebSocket. Default true.
    bool allow_upgrades = true;
    /// CORS; none by default (no CORS headers), as Node.
    std::optional<cors_options> cors{};
    /// Called for each handshake; returning a message refuses it with 403 {code 4, message}.
    std::function<std::optional<std::string>(request_info const&)> allow_request;
    /// Sid cookie on the handshake response; off by default.
    std::optional<cookie_options> cookie{};
    /// permessage-deflate on WebSocket. Default off.
    bool per_message_deflate = false;
    /// Compression of polling responses; on by default, as Node.
    std::optional<http_compression_options> http_compression = http_compression_options{};
    /// Time a client has to send a whole request header; then 408 and close. Default 60000 ms.
    std::chrono::milliseconds headers_timeout{60000};
    /// Idle time after which a keep-alive HTTP connection is closed. Default 5000 ms.
    std::chrono::milliseconds keep_alive_timeout{5000};
    /// Largest request header accepted, in bytes; over it 431 and close. Default 16 KiB.
    std::size_t max_header_size = 16 * 1024;
    /// After an answer that ends the connection (413, 431, 400, 408, or any response with
    /// `Connection: close`), the server half-closes, then keeps reading and discarding what the
    /// client still sends for at most this long before it closes. Closing with unread input
    /// would send a reset, and the
    /// client could lose the answer before reading it (nginx's `lingering_close`). The wait is
    /// asynchronous: it holds a descriptor, never a thread. 0 closes at once. Default 2000 ms.
    std::chrono::milliseconds lingering_time{2000};
    /// At most this many bytes are read and discarded that way per connection; past it the
    /// server stops reading and closes when `lingering_time` is up (or sooner, if the client
    /// hangs up). A WebSocket that stops reading frames (an oversized or malformed one) discards
    /// as much while it waits up to 2 s for the client to end. Default 4 MiB.
    std::size_t lingering_max_bytes = 4 * 1024 * 1024;
    /// Most TCP connections held at once; beyond it new ones are closed at accept. 0: no limit.
    /// Default 0.
    std::size_t max_connections = 0;
};

} // namespace sio::engine
