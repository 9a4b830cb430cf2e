#pragma once

#include <sio/engine/packet.hpp>

#include <boost/system/result.hpp>

#include <cstddef>
#include <forward_list>
#include <string>
#include <string_view>
#include <vector>

namespace sio::engine {

/// EIO v4 long-polling payloads join packets with the record separator 0x1e.
inline constexpr char payload_separator = '\x1e';

/// The packets of one long-polling body, in order. Text packets borrow the body they were
/// decoded from, which must outlive this; base64 ones borrow bytes decoded into this object.
/// Move-only: moving keeps every view valid.
class decoded_payload {
public:
    decoded_payload() = default;
    decoded_payload(decoded_payload&&) noexcept = default;
    decoded_payload& operator=(decoded_payload&&) noexcept = default;
    decoded_payload(decoded_payload const&) = delete;
    decoded_payload& operator=(decoded_payload const&) = delete;

    std::size_t size() const noexcept { return packets_.size(); }
    packet_view const& operator[](std::size_t i) const noexcept { return packets_[i]; }
    auto begin() const noexcept { return packets_.begin(); }
    auto end() const noexcept { return packets_.end(); }

private:
    friend boost::system::result<decoded_payload> decode_payload(std::string_view body);
    std::vector<packet_view> packets_;
    // A list, so that the views into earlier entries survive later insertions.
    std::forward_list<std::string> decoded_;
};

/// Decodes an HTTP long-polling body into its packets without copying text packets; a
/// `b`-prefixed packet is base64 decoded. The whole body is checked before anything is returned.
/// Errors: empty_packet, unknown_packet_type, invalid_base64. Pure; throws only bad_alloc.
boost::system::result<decoded_payload> decode_payload(std::string_view body);

/// Appends one packet to a payload under construction, adding the separator when needed.
void append_payload_packet(packet_view p, std::string& payload);

} // namespace sio::engine
