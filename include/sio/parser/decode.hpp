#pragma once

#include <sio/core/shared_bytes.hpp>
#include <sio/parser/json.hpp>
#include <sio/parser/packet.hpp>

#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace sio::parser {

/// Most attachments one packet may announce by default (socket.io-parser's `maxAttachments`).
inline constexpr std::size_t default_max_attachments = 10;

/// Limits of the decoder, set with designated initializers: `decoder{{.max_attachments = 4}}`.
struct decode_options {
    /// Most binary attachments one packet may announce; more is error::too_many_attachments,
    /// before anything is allocated for them. Default 10, as socket.io-parser 4.2.
    std::size_t max_attachments = default_max_attachments;
    /// Deepest nesting of arrays and objects in a payload; deeper is error::json_too_deep.
    /// Default 128 (Node has no limit but its stack).
    /// (32 bits, so that these options, held by every connection's decoder, take 16 bytes.)
    std::uint32_t max_json_depth = default_max_json_depth;
    /// Keeps the payload of an EVENT or ACK as text in packet::json, leaving `data` null, when
    /// that text is what JSON.stringify would write for it (and for an EVENT, its name is a
    /// string without escapes): a server that relays it then neither parses nor prints it.
    /// Off by default.
    bool keep_json_text = false;
};

/// Decodes one complete text packet (without the engine's "4"), validating it as socket.io-parser
/// 4.2 does and more strictly:
/// - the type is one digit '0'..'6';
/// - BINARY_EVENT and BINARY_ACK announce a count of digits followed by '-', from 1 (as
///   socket.io-parser 4.2.7) to `opts.max_attachments`;
/// - a namespace starts with '/' and runs to the first ',' or to the end;
/// - an ack id (allowed on every type, as in Node) is digits worth at most 2^53-1, and the payload
///   does not start with whitespace (which Node would read as part of the id);
/// - the payload is one JSON value (parse_json) whose shape fits the type: CONNECT an object or
///   none; DISCONNECT none; CONNECT_ERROR a string or an object; EVENT and BINARY_EVENT an array
///   whose first element is a finite number or a string that is not a reserved event name; ACK
///   and BINARY_ACK an array. Node accepts a missing payload for all but DISCONNECT; we require
///   it where the protocol says it is mandatory;
/// - for binary types, every placeholder is below the announced count (check_placeholders).
/// For binary types the result's `attachments` holds one empty slot per announced attachment
/// (a default shared_bytes, whose data() is null), which `decoder` fills in arrival order.
/// Errors: any parser error but unexpected_attachment and missing_attachments.
/// Pure; any thread; throws only std::bad_alloc.
boost::system::result<packet> decode_text(std::string_view text, decode_options const& opts = {});

/// Reassembles the packets of one connection from its Engine.IO messages, as socket.io-parser's
/// Decoder: a text message is a whole packet, except BINARY_EVENT and BINARY_ACK, which complete
/// once as many binary messages as they announce have followed. After any error the decoder is
/// back in its initial state; the caller is expected to close the connection ("parse error").
/// Not thread-safe: owned by one connection and called from its thread only.
class decoder {
public:
    explicit decoder(decode_options opts = {}) noexcept
        : opts_(opts) {}

    /// Takes a text message. Returns the packet when it is complete, nothing when it announced
    /// attachments that are still to come. Returned binary packets keep their type
    /// (binary_event / binary_ack) and hold all their attachments.
    /// Errors: those of decode_text; missing_attachments if attachments were still awaited.
    boost::system::result<std::optional<packet>> on_text(std::string_view text);
    /// The same into `out`, a default-constructed packet: true when it holds a complete packet,
    /// false when attachments are still to come (then `out` was taken). No packet is moved on the
    /// way, which is what a server decoding every event wants.
    boost::system::result<bool> on_text(std::string_view text, packet& out);

    /// Takes a binary message: the next attachment of the awaited packet (copied). Returns the
    /// packet when this was its last attachment, nothing otherwise.
    /// Errors: unexpected_attachment when no packet awaits attachments.
    boost::system::result<std::optional<packet>> on_binary(std::string_view bytes);
    boost::system::result<std::optional<packet>> on_binary(sio::shared_bytes bytes);

    /// True between a binary packet's text and its last attachment.
    bool is_waiting() const noexcept {
        return pending_ && received_ < pending_->attachments.size();
    }

    /// Drops a partly received packet (the connection closed or moved on).
    void reset() noexcept;

    decode_options const& options() const noexcept { return opts_; }

private:
    decode_options opts_;
    // Allocated only while attachments are awaited: every connection owns a decoder, and most
    // of them sit idle between whole text packets.
    std::unique_ptr<packet> pending_;
    std::size_t received_ = 0;
};

} // namespace sio::parser
