#include <sio/server/disconnect_reason.hpp>
#include <sio/server/error.hpp>

#include <string>

namespace sio {

std::string_view to_string(disconnect_reason reason) noexcept {
    switch (reason) {
    case disconnect_reason::transport_close:
        return "transport close";
    case disconnect_reason::transport_error:
        return "transport error";
    case disconnect_reason::ping_timeout:
        return "ping timeout";
    case disconnect_reason::parse_error:
        return "parse error";
    case disconnect_reason::forced_close:
        return "forced close";
    case disconnect_reason::server_shutting_down:
        return "server shutting down";
    case disconnect_reason::client_namespace_disconnect:
        return "client namespace disconnect";
    case disconnect_reason::server_namespace_disconnect:
        return "server namespace disconnect";
    case disconnect_reason::forced_server_close:
        return "forced server close";
    case disconnect_reason::send_buffer_full:
        return "send buffer full";
    }
    return "transport close";
}

disconnect_reason from_engine(engine::close_reason reason) noexcept {
    switch (reason) {
    case engine::close_reason::transport_close:
        return disconnect_reason::transport_close;
    case engine::close_reason::ping_timeout:
        return disconnect_reason::ping_timeout;
    case engine::close_reason::parse_error:
        return disconnect_reason::parse_error;
    case engine::close_reason::transport_error:
        return disconnect_reason::transport_error;
    case engine::close_reason::forced_close:
        return disconnect_reason::forced_close;
    case engine::close_reason::server_shutting_down:
        return disconnect_reason::server_shutting_down;
    }
    return disconnect_reason::transport_close;
}

namespace {
class category final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "sio.server"; }
    std::string message(int ev) const override {
        switch (static_cast<error>(ev)) {
        case error::ack_timeout:
            return "operation has timed out";
        case error::socket_disconnected:
            return "socket has been disconnected";
        case error::send_buffer_full:
            return "send buffer over max_buffered_bytes";
        case error::invalid_event:
            return "reserved event name";
        }
        return "unknown sio.server error";
    }
};
} // namespace

boost::system::error_category const& server_error_category() noexcept {
    static category const instance;
    return instance;
}

} // namespace sio
