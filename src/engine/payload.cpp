#include <sio/core/base64.hpp>
#include <sio/engine/error.hpp>
#include <sio/engine/payload.hpp>

namespace sio::engine {

boost::system::result<decoded_payload> decode_payload(std::string_view body) {
    decoded_payload out;
    out.packets_.reserve(16);
    std::size_t start = 0;
    while (true) {
        auto const end = body.find(payload_separator, start);
        auto const part = body.substr(start, end == std::string_view::npos ? end : end - start);
        if (!part.empty() && part.front() == 'b') {
            auto bytes = base64_decode(part.substr(1));
            if (!bytes)
                return error::invalid_base64;
            out.decoded_.push_front(std::move(*bytes));
            out.packets_.push_back({packet_type::message, out.decoded_.front(), true});
        } else {
            auto p = decode_text_packet(part);
            if (!p)
                return p.error();
            out.packets_.push_back(*p);
        }
        if (end == std::string_view::npos)
            break;
        start = end + 1;
    }
    return out;
}

void append_payload_packet(packet_view p, std::string& payload) {
    if (!payload.empty())
        payload.push_back(payload_separator);
    encode_polling_packet(p, payload);
}

} // namespace sio::engine
