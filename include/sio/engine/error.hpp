#pragma once

#include <boost/system/error_code.hpp>

#include <string_view>
#include <type_traits>

namespace sio::engine {

/// Errors of the Engine.IO layer. Values are stable; never renumber.
enum class error {
    // Node's Server.errors (engine.io server.ts), answered as HTTP 400/403 with {code, message}.
    unknown_transport = 1,
    unknown_sid,
    bad_handshake_method,
    bad_request,
    forbidden,
    unsupported_protocol_version,
    // Packet and payload decoding.
    empty_packet = 20,
    unknown_packet_type,
    invalid_base64,
    // Limits and transport faults.
    payload_too_large = 40,
    too_many_connections,
    invalid_websocket_frame,
    invalid_utf8,
};

/// Families of errors, for callers that decide by kind rather than by value.
enum class condition { protocol_violation = 1, limit_exceeded, handshake_refused };

boost::system::error_category const& error_category() noexcept;
boost::system::error_category const& condition_category() noexcept;

inline boost::system::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), error_category()};
}
inline boost::system::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

/// The `code` Node puts in its JSON error body (0–5), or -1 for errors Node has no number for.
int node_code(error e) noexcept;
/// The `message` Node puts in its JSON error body ("Transport unknown", ...).
std::string_view node_message(error e) noexcept;

} // namespace sio::engine

template <> struct boost::system::is_error_code_enum<sio::engine::error> : std::true_type {};
template <>
struct boost::system::is_error_condition_enum<sio::engine::condition> : std::true_type {};
