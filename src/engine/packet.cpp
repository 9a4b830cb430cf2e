#include <sio/core/base64.hpp>
#include <sio/engine/error.hpp>
#include <sio/engine/packet.hpp>

namespace sio::engine {

boost::system::result<packet_view> decode_text_packet(std::string_view frame) noexcept {
    if (frame.empty())
        return error::empty_packet;
    char const c = frame.front();
    if (c < '0' || c > '6')
        return error::unknown_packet_type;
    return packet_view{static_cast<packet_type>(c - '0'), frame.substr(1), false};
}

void encode_polling_packet(packet_view p, std::string& out) {
    if (p.binary) {
        // EIO v4: binary over polling is 'b' followed by base64, with no type digit.
        out.push_back('b');
        base64_encode(p.data, out);
        return;
    }
    out.push_back(type_char(p.type));
    out.append(p.data);
}

} // namespace sio::engine
