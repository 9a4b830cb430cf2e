#pragma once

#include <cstdint>
#include <string_view>

namespace sio::engine {

/// Why a session ended. Rendered with the exact strings Node's engine.io uses.
enum class close_reason : std::uint8_t {
    transport_close,      ///< the peer closed the connection or sent a close packet
    ping_timeout,         ///< no pong within ping_timeout
    parse_error,          ///< the peer sent a packet that does not decode
    transport_error,      ///< the connection failed, overlapped, or broke a limit
    forced_close,         ///< the application closed the session
    server_shutting_down, ///< the server is stopping
};

/// "transport close", "ping timeout", "parse error", "transport error", "forced close",
/// "server shutting down".
std::string_view to_string(close_reason reason) noexcept;

} // namespace sio::engine
