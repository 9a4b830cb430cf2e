#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace sio {

/// Errors of the Socket.IO server layer, as completion codes. Values are stable.
enum class error {
    ack_timeout = 1,     ///< no acknowledgement within the timeout
    socket_disconnected, ///< the socket went away before acknowledging
    send_buffer_full,    ///< the client's send queue is over max_buffered_bytes
    invalid_event,       ///< a reserved event name (connect, disconnect, ...) was emitted
};

boost::system::error_category const& server_error_category() noexcept;

inline boost::system::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), server_error_category()};
}

} // namespace sio

template <> struct boost::system::is_error_code_enum<sio::error> : std::true_type {};
