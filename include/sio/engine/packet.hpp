#pragma once

#include <boost/system/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace sio::engine {

/// Engine.IO v4 packet types; the wire form is the digit '0' + value.
enum class packet_type : std::uint8_t { open, close, ping, pong, message, upgrade, noop };

/// The digit that starts a text packet of this type.
constexpr char type_char(packet_type t) noexcept {
    return static_cast<char>('0' + static_cast<int>(t));
}

/// A decoded packet that borrows its data from the frame it came from.
struct packet_view {
    packet_type type = packet_type::message;
    std::string_view data;
    /// True for a binary message (a WebSocket binary frame, or `b`+base64 over polling).
    bool binary = false;
};

/// A decoded packet that owns its data (polling payloads, where base64 must be decoded).
struct packet {
    packet_type type = packet_type::message;
    std::string data;
    bool binary = false;

    packet_view view() const noexcept { return {type, data, binary}; }
};

/// Decodes a WebSocket text frame: a type digit followed by its data.
/// Errors: empty_packet, unknown_packet_type. Pure; never throws.
boost::system::result<packet_view> decode_text_packet(std::string_view frame) noexcept;

/// A WebSocket binary frame is always a message whose data is the raw frame.
inline packet_view decode_binary_packet(std::string_view frame) noexcept {
    return {packet_type::message, frame, true};
}

/// Appends the polling form of one packet: the type digit and data, or `b` + base64 for binary.
void encode_polling_packet(packet_view p, std::string& out);

} // namespace sio::engine
