#pragma once

#include <sio/core/shared_bytes.hpp>
#include <sio/parser/packet.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::parser {

/// A packet as it goes out: `text` is sent as one Engine.IO message (the engine adds its "4"),
/// followed by each attachment as one binary message, in order.
struct encoded_packet {
    std::string text{};
    std::vector<sio::shared_bytes> attachments{};
};

/// Encodes a packet as socket.io-parser's Encoder does:
/// `<type>[<attachments>-][<nsp>,][<id>][<JSON payload>]`. The namespace is written only when it
/// is not "/" (nor empty); the payload only when `data` is not null, through serialize_json. The
/// type follows the attachments, as Node picks it by looking for binary in the arguments: an
/// EVENT or ACK with attachments goes as BINARY_EVENT or BINARY_ACK, and a BINARY_EVENT or
/// BINARY_ACK without any as EVENT or ACK (socket.io-parser 4.2.7 refuses a count of 0).
/// Preconditions: `nsp` starts with '/' and holds no ','; `data` refers to attachments only
/// through placeholders (binary.hpp). Pure; any thread; throws only std::bad_alloc.
encoded_packet encode(packet const& p);

/// Appends the text of `encode(p)` to `out`, allocating nothing else: the path for broadcasts,
/// which encode once into a buffer they keep. The attachments to send are `p.attachments`.
void encode_to(packet const& p, std::string& out);

/// Appends the text of a packet without attachments whose payload is JSON text already as
/// JSON.stringify writes it (packet::json): `<type>[<nsp>,][<id>]<json>`, with no packet built.
void encode_json_to(
    packet_type type,
    std::string_view nsp,
    std::optional<std::uint64_t> id,
    std::string_view json,
    std::string& out);

} // namespace sio::parser
