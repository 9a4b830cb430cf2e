#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace sio::parser {

/// Errors of the Socket.IO packet parser. Values are stable; never renumber.
enum class error {
    // One text packet.
    empty_packet = 1,
    unknown_packet_type,
    invalid_attachment_count,
    invalid_namespace,
    invalid_ack_id,
    invalid_json,
    invalid_payload,
    reserved_event_name,
    invalid_placeholder,
    // Reassembly of a binary packet from its text and its attachments.
    unexpected_attachment = 20,
    missing_attachments,
    // Limits.
    too_many_attachments = 40,
    json_too_deep,
};

/// Families of errors, for callers that decide by kind rather than by value. Every parser error
/// is a protocol violation: Node answers all of them by closing with "parse error".
enum class condition { protocol_violation = 1 };

boost::system::error_category const& error_category() noexcept;
boost::system::error_category const& condition_category() noexcept;

inline boost::system::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), error_category()};
}
inline boost::system::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

} // namespace sio::parser

template <> struct boost::system::is_error_code_enum<sio::parser::error> : std::true_type {};
template <>
struct boost::system::is_error_condition_enum<sio::parser::condition> : std::true_type {};
