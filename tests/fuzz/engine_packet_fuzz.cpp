// Fuzzes decode_text_packet: any bytes decode to a packet or to one of the documented errors, and
// a decoded packet re-encodes to the same bytes.
#include <sio/engine/error.hpp>
#include <sio/engine/packet.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void require(bool ok, char const* what) {
    if (!ok) {
        std::fprintf(stderr, "engine_packet_fuzz: %s\n", what);
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace sio::engine;
    std::string_view const frame{reinterpret_cast<char const*>(data), size};

    auto const p = decode_text_packet(frame);
    if (!p) {
        require(
            p.error() == (frame.empty() ? error::empty_packet : error::unknown_packet_type),
            "unexpected error");
        return 0;
    }
    require(static_cast<int>(p->type) <= static_cast<int>(packet_type::noop), "type out of range");
    require(!p->binary, "text packet marked binary");
    require(p->data.data() == frame.data() + 1, "data does not borrow from the frame");
    require(p->data.size() == frame.size() - 1, "data size");

    std::string out;
    encode_polling_packet(*p, out);
    require(out == frame, "re-encoding differs");

    auto const b = decode_binary_packet(frame);
    require(b.binary && b.type == packet_type::message, "binary frame is not a binary message");
    require(b.data.data() == frame.data() && b.data.size() == frame.size(), "binary data");
    return 0;
}
