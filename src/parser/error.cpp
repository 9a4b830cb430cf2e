#include <sio/parser/error.hpp>

#include <string>

namespace sio::parser {
namespace {

class error_category_impl final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "sio.parser"; }
    std::string message(int ev) const override {
        switch (static_cast<error>(ev)) {
        case error::empty_packet:
            return "empty Socket.IO packet";
        case error::unknown_packet_type:
            return "unknown Socket.IO packet type";
        case error::invalid_attachment_count:
            return "binary packet without a valid attachment count";
        case error::invalid_namespace:
            return "namespace does not start with '/'";
        case error::invalid_ack_id:
            return "ack id larger than 2^53-1";
        case error::invalid_json:
            return "payload is not valid JSON";
        case error::invalid_payload:
            return "payload does not fit the packet type";
        case error::reserved_event_name:
            return "event name is reserved";
        case error::invalid_placeholder:
            return "binary placeholder does not index an attachment";
        case error::unexpected_attachment:
            return "binary message while no packet awaits attachments";
        case error::missing_attachments:
            return "text message while a packet still awaits attachments";
        case error::too_many_attachments:
            return "packet announces more attachments than allowed";
        case error::json_too_deep:
            return "payload nests deeper than allowed";
        }
        return "unknown sio.parser error";
    }
    boost::system::error_condition default_error_condition(int) const noexcept override {
        return make_error_condition(condition::protocol_violation);
    }
};

class condition_category_impl final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "sio.parser.condition"; }
    std::string message(int ev) const override {
        switch (static_cast<condition>(ev)) {
        case condition::protocol_violation:
            return "peer violated the Socket.IO protocol";
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

} // namespace sio::parser
