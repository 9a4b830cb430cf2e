#pragma once

#include <sio/core/shared_bytes.hpp>

#include <boost/json/value.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::parser {

/// Socket.IO v5 packet types; the wire form is the digit '0' + value.
enum class packet_type : std::uint8_t {
    connect,
    disconnect,
    event,
    ack,
    connect_error,
    binary_event,
    binary_ack,
};

/// True for the types whose text is followed by binary attachments.
constexpr bool is_binary_type(packet_type t) noexcept {
    return t == packet_type::binary_event || t == packet_type::binary_ack;
}

/// One Socket.IO packet. Binary values inside `data` are placeholders
/// `{"_placeholder":true,"num":n}` (see binary.hpp) that index `attachments`.
struct packet {
    packet_type type = packet_type::event;
    /// Always starts with '/'; the main namespace is "/".
    std::string nsp = "/";
    /// The acknowledgement id, at most 2^53-1 (a JS safe integer).
    std::optional<std::uint64_t> id{};
    /// The JSON payload; null when the packet has none (JSON null is never a valid payload), or
    /// when `json` holds it.
    boost::json::value data{};
    /// The payload as JSON text instead of `data`, when not empty: written as is by the encoder,
    /// so it must be what JSON.stringify writes. The decoder fills it, with
    /// decode_options::keep_json_text, for an EVENT or ACK whose text is already so.
    std::string json{};
    /// The binary attachments, in placeholder order.
    std::vector<sio::shared_bytes> attachments{};
};

/// Equal type, namespace, id, data and attachment bytes. Data compares as boost::json does, so
/// the double 1.0 differs from the integer 1 although both travel as `1`.
inline bool operator==(packet const& a, packet const& b) {
    return a.type == b.type && a.nsp == b.nsp && a.id == b.id && a.data == b.data &&
           a.json == b.json &&
           std::equal(
               a.attachments.begin(),
               a.attachments.end(),
               b.attachments.begin(),
               b.attachments.end(),
               [](sio::shared_bytes const& x, sio::shared_bytes const& y) {
                   return x.view() == y.view();
               });
}

/// Event names with a meaning of their own that a peer may not emit (socket.io-parser's
/// RESERVED_EVENTS): a packet carrying one is rejected with error::reserved_event_name.
constexpr bool is_reserved_event(std::string_view name) noexcept {
    return name == "connect" || name == "connect_error" || name == "disconnect" ||
           name == "disconnecting" || name == "newListener" || name == "removeListener";
}

} // namespace sio::parser
