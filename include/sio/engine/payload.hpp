#pragma once

#include <sio/engine/packet.hpp>

#include <boost/system/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sio::engine {

/// EIO v4 long-polling payloads join packets with the record separator 0x1e.
inline constexpr char payload_separator = '\x1e';

/// Decodes an HTTP long-polling body into its packets, in order. A `b`-prefixed packet is base64
/// decoded. Errors: empty_packet, unknown_packet_type, invalid_base64. Pure; never throws.
boost::system::result<std::vector<packet>> decode_payload(std::string_view body);

/// Appends one packet to a payload under construction, adding the separator when needed.
void append_payload_packet(packet_view p, std::string& payload);

} // namespace sio::engine
