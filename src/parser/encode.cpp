#include <sio/parser/encode.hpp>
#include <sio/parser/json.hpp>

#include <charconv>
#include <cstdint>

namespace sio::parser {
namespace {

// What socket.io-parser's Encoder does: an EVENT or ACK holding binary goes as BINARY_*, and one
// without goes as text, since socket.io-parser 4.2.7 refuses a count of 0.
packet_type wire_type(packet const& p) noexcept {
    bool const binary = !p.attachments.empty();
    switch (p.type) {
    case packet_type::event:
    case packet_type::binary_event:
        return binary ? packet_type::binary_event : packet_type::event;
    case packet_type::ack:
    case packet_type::binary_ack:
        return binary ? packet_type::binary_ack : packet_type::ack;
    default:
        return p.type;
    }
}

void append_decimal(std::uint64_t n, std::string& out) {
    char buf[20];
    auto const r = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, r.ptr);
}

void append_head(
    packet_type type,
    std::size_t attachments,
    std::string_view nsp,
    std::optional<std::uint64_t> id,
    std::string& out) {
    out += static_cast<char>('0' + static_cast<int>(type));
    if (is_binary_type(type)) {
        append_decimal(attachments, out);
        out += '-';
    }
    if (!nsp.empty() && nsp != "/") {
        out += nsp;
        out += ',';
    }
    if (id)
        append_decimal(*id, out);
}

} // namespace

void encode_json_to(
    packet_type type,
    std::string_view nsp,
    std::optional<std::uint64_t> id,
    std::string_view json,
    std::string& out) {
    append_head(type, 0, nsp, id, out);
    out += json;
}

void encode_to(packet const& p, std::string& out) {
    append_head(wire_type(p), p.attachments.size(), p.nsp, p.id, out);
    if (!p.json.empty())
        out += p.json;
    else if (!p.data.is_null())
        serialize_json(p.data, out);
}

encoded_packet encode(packet const& p) {
    encoded_packet e;
    // Header and namespace exactly; the payload is not known in advance, so a guess that spares
    // the first regrowths of a typical small event.
    e.text.reserve(24 + p.nsp.size() + (p.json.empty() ? 64 : p.json.size()));
    encode_to(p, e.text);
    e.attachments = p.attachments;
    return e;
}

} // namespace sio::parser
