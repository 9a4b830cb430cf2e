#include <sio/engine/close_reason.hpp>

namespace sio::engine {

std::string_view to_string(close_reason reason) noexcept {
    switch (reason) {
    case close_reason::transport_close:
        return "transport close";
    case close_reason::ping_timeout:
        return "ping timeout";
    case close_reason::parse_error:
        return "parse error";
    case close_reason::transport_error:
        return "transport error";
    case close_reason::forced_close:
        return "forced close";
    case close_reason::server_shutting_down:
        return "server shutting down";
    }
    return "transport close";
}

} // namespace sio::engine
