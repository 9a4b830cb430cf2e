#include <sio/engine/error.hpp>

#include <string>

namespace sio::engine {
namespace {

class error_category_impl final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "sio.engine"; }
    std::string message(int ev) const override {
        switch (static_cast<error>(ev)) {
        case error::unknown_transport:
            return "unknown or disabled transport";
        case error::unknown_sid:
            return "unknown session id";
        case error::bad_handshake_method:
            return "handshake must be a GET request";
        case error::bad_request:
            return "bad request";
        case error::forbidden:
            return "request refused by allow_request";
        case error::unsupported_protocol_version:
            return "unsupported Engine.IO protocol version (EIO must be 4)";
        case error::empty_packet:
            return "empty Engine.IO packet";
        case error::unknown_packet_type:
            return "unknown Engine.IO packet type";
        case error::invalid_base64:
            return "invalid base64 in binary packet";
        case error::payload_too_large:
            return "message larger than max_http_buffer_size";
        case error::too_many_connections:
            return "connection limit reached";
        case error::invalid_websocket_frame:
            return "invalid WebSocket frame";
        case error::invalid_utf8:
            return "WebSocket text frame is not valid UTF-8";
        }
        return "unknown sio.engine error";
    }
    boost::system::error_condition default_error_condition(int ev) const noexcept override {
        switch (static_cast<error>(ev)) {
        case error::payload_too_large:
        case error::too_many_connections:
            return make_error_condition(condition::limit_exceeded);
        case error::forbidden:
        case error::unsupported_protocol_version:
        case error::bad_handshake_method:
        case error::unknown_transport:
        case error::unknown_sid:
            return make_error_condition(condition::handshake_refused);
        default:
            return make_error_condition(condition::protocol_violation);
        }
    }
};

class condition_category_impl final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "sio.engine.condition"; }
    std::string message(int ev) const override {
        switch (static_cast<condition>(ev)) {
        case condition::protocol_violation:
            return "peer violated the Engine.IO protocol";
        case condition::limit_exceeded:
            return "a configured limit was exceeded";
        case condition::handshake_refused:
            return "request refused";
        }
        return "unknown condition";
    }
};

} // namespace

boost::system::error_category const& error_category() noexcept {
    static error_category_impl const instance;
    return instance;
}

boost::system::error_category const& condition_category() noexcept {
    static condition_category_impl const instance;
    return instance;
}

int node_code(error e) noexcept {
    switch (e) {
    case error::unknown_transport:
        return 0;
    case error::unknown_sid:
        return 1;
    case error::bad_handshake_method:
        return 2;
    case error::bad_request:
        return 3;
    case error::forbidden:
        return 4;
    case error::unsupported_protocol_version:
        return 5;
    default:
        return -1;
    }
}

std::string_view node_message(error e) noexcept {
    switch (e) {
    case error::unknown_transport:
        return "Transport unknown";
    case error::unknown_sid:
        return "Session ID unknown";
    case error::bad_handshake_method:
        return "Bad handshake method";
    case error::bad_request:
        return "Bad request";
    case error::forbidden:
        return "Forbidden";
    case error::unsupported_protocol_version:
        return "Unsupported protocol version";
    default:
        return "Bad request";
    }
}

} // namespace sio::engine
