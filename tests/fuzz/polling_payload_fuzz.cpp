// Fuzzes decode_payload: any body decodes to packets or to an error; decoded packets re-encode to
// a body that decodes to the same packets; bodies without binary re-encode byte for byte.
#include <sio/core/base64.hpp>
#include <sio/engine/error.hpp>
#include <sio/engine/payload.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

void require(bool ok, char const* what) {
    if (!ok) {
        std::fprintf(stderr, "polling_payload_fuzz: %s\n", what);
        std::abort();
    }
}

bool same(sio::engine::decoded_payload const& a, sio::engine::decoded_payload const& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](auto const& x, auto const& y) {
        return x.type == y.type && x.data == y.data && x.binary == y.binary;
    });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace sio::engine;
    std::string_view const body{reinterpret_cast<char const*>(data), size};

    // The base64 codec on its own: whatever decodes must re-encode to something that decodes
    // to the same bytes (the text itself may differ: padding is optional, trailing bits ignored).
    if (auto const bytes = sio::base64_decode(body)) {
        auto const again = sio::base64_decode(sio::base64_encode(*bytes));
        require(again && *again == *bytes, "base64 round trip");
    }

    auto const packets = decode_payload(body);
    if (!packets) {
        auto const e = packets.error();
        require(
            e == error::empty_packet || e == error::unknown_packet_type ||
                e == error::invalid_base64,
            "undocumented error");
        return 0;
    }
    auto const separators = static_cast<std::size_t>(std::count(body.begin(), body.end(), '\x1e'));
    require(packets->size() == separators + 1, "one packet per segment");

    bool has_binary = false;
    std::string encoded;
    for (auto const& p : *packets) {
        has_binary = has_binary || p.binary;
        require(!p.binary || p.type == packet_type::message, "binary packet that is no message");
        require(p.binary || p.data.find('\x1e') == std::string::npos, "separator inside text");
        append_payload_packet(p, encoded);
    }
    if (!has_binary)
        require(encoded == body, "text-only body does not re-encode byte for byte");

    auto const again = decode_payload(encoded);
    require(static_cast<bool>(again), "re-encoded body does not decode");
    require(same(*again, *packets), "re-encoded body decodes to other packets");
    return 0;
}
