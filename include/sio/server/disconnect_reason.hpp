#pragma once

#include <sio/engine/close_reason.hpp>

#include <string_view>

namespace sio {

/// Why a socket left its namespace; rendered as socket.io 4.8 names it.
enum class disconnect_reason {
    transport_close,             ///< "transport close"
    transport_error,             ///< "transport error"
    ping_timeout,                ///< "ping timeout"
    parse_error,                 ///< "parse error"
    forced_close,                ///< "forced close"
    server_shutting_down,        ///< "server shutting down"
    client_namespace_disconnect, ///< "client namespace disconnect"
    server_namespace_disconnect, ///< "server namespace disconnect"
    forced_server_close,         ///< "forced server close"
    send_buffer_full,            ///< "send buffer full": the client did not read what it was sent
};

std::string_view to_string(disconnect_reason reason) noexcept;

/// The socket-level reason for an engine close reason.
disconnect_reason from_engine(engine::close_reason reason) noexcept;

} // namespace sio
