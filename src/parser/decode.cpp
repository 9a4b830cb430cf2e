#include <sio/parser/binary.hpp>
#include <sio/parser/decode.hpp>
#include <sio/parser/error.hpp>

#include <cmath>
#include <cstdint>
#include <parser/canonical_json.hpp>
#include <string>
#include <utility>

namespace sio::parser {
namespace {

namespace json = boost::json;

// Ack ids become JS numbers on the other side; past 2^53-1 they would silently change.
constexpr std::uint64_t max_ack_id = (std::uint64_t{1} << 53) - 1;

constexpr bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

constexpr bool is_json_whitespace(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Only for reporting: text that failed as JSON and reads like `name,` is most likely a namespace
// written without its leading '/' ("2admin,[...]"), which socket.io-parser rejects the same way.
bool looks_like_namespace(std::string_view rest) noexcept {
    auto const comma = rest.find(',');
    return comma != 0 && comma != std::string_view::npos &&
           rest.substr(0, comma).find_first_of("[{\"") == std::string_view::npos;
}

bool is_valid_event_name(json::value const& v) noexcept {
    // socket.io-parser also takes a number as the event name; an infinite one (1e400) would be
    // relayed as null, so we refuse it.
    if (v.is_double())
        return std::isfinite(v.get_double());
    return v.is_int64() || v.is_uint64() || v.is_string();
}

// socket.io-parser's isPayloadValid, with a payload required where the protocol says so.
boost::system::result<void> check_payload(packet_type type, json::value const& data, bool present) {
    switch (type) {
    case packet_type::connect:
        if (!present || data.is_object())
            return {};
        break;
    case packet_type::disconnect:
        if (!present)
            return {};
        break;
    case packet_type::connect_error:
        if (present && (data.is_string() || data.is_object()))
            return {};
        break;
    case packet_type::event:
    case packet_type::binary_event: {
        auto const* a = data.if_array();
        if (!present || !a || a->empty() || !is_valid_event_name(a->front()))
            break;
        if (auto const* name = a->front().if_string(); name && is_reserved_event(*name))
            return error::reserved_event_name;
        return {};
    }
    case packet_type::ack:
    case packet_type::binary_ack:
        if (present && data.is_array())
            return {};
        break;
    }
    return error::invalid_payload;
}

// decode_text into a packet the caller holds (default-constructed): the decoder's path, which
// moves no packet.
boost::system::result<void>
decode_into(std::string_view text, decode_options const& opts, packet& p) {
    if (text.empty())
        return error::empty_packet;
    if (text[0] < '0' || text[0] > '6')
        return error::unknown_packet_type;
    p.type = static_cast<packet_type>(text[0] - '0');
    std::size_t i = 1;

    std::size_t attachment_count = 0;
    if (is_binary_type(p.type)) {
        auto const start = i;
        bool too_many = false;
        for (; i < text.size() && is_digit(text[i]); ++i) {
            // Stop accumulating once past the limit: the count may be any number of digits.
            auto const digit = static_cast<std::size_t>(text[i] - '0');
            too_many = too_many || digit > opts.max_attachments ||
                       attachment_count > (opts.max_attachments - digit) / 10;
            if (!too_many)
                attachment_count = attachment_count * 10 + digit;
        }
        if (i == start || i == text.size() || text[i] != '-')
            return error::invalid_attachment_count;
        if (too_many)
            return error::too_many_attachments;
        // socket.io-parser 4.2.7 refuses 0 ("Illegal attachments"); Node never sends it.
        if (attachment_count == 0)
            return error::invalid_attachment_count;
        ++i;
    }

    bool has_nsp = false;
    if (i < text.size() && text[i] == '/') {
        has_nsp = true;
        auto const comma = text.find(',', i);
        auto const end = comma == std::string_view::npos ? text.size() : comma;
        p.nsp.assign(text.data() + i, end - i);
        i = comma == std::string_view::npos ? text.size() : comma + 1;
    }

    bool has_id = false;
    if (i < text.size() && is_digit(text[i])) {
        has_id = true;
        std::uint64_t id = 0;
        for (; i < text.size() && is_digit(text[i]); ++i) {
            id = id * 10 + static_cast<std::uint64_t>(text[i] - '0');
            if (id > max_ack_id)
                return error::invalid_ack_id;
        }
        p.id = id;
    }

    bool const present = i < text.size();
    if (present && is_json_whitespace(text[i])) {
        // JSON.parse would skip it, but socket.io-parser first reads it as an ack id
        // (Number(" ") is 0): refuse rather than pick one of the two meanings.
        return error::invalid_ack_id;
    }
    if (present && opts.keep_json_text &&
        (p.type == packet_type::event || p.type == packet_type::ack)) {
        auto const rest = text.substr(i);
        if (auto const shape = detail::scan_canonical_array(rest, opts.max_json_depth)) {
            if (p.type == packet_type::ack) {
                p.json.assign(rest);
                return {};
            }
            // The name lies between the quotes of the first element, escapes excluded.
            if (shape->first_is_plain_string) {
                if (is_reserved_event(rest.substr(2, shape->first_end - 3)))
                    return error::reserved_event_name;
                {
                    p.json.assign(rest);
                    return {};
                }
            }
        }
    }
    if (present) {
        auto const rest = text.substr(i);
        auto data = parse_json(rest, opts.max_json_depth);
        if (!data) {
            if (data.error() == error::invalid_json && !has_nsp && !has_id &&
                looks_like_namespace(rest))
                return error::invalid_namespace;
            return data.error();
        }
        p.data = std::move(*data);
    }
    if (auto r = check_payload(p.type, p.data, present); !r)
        return r.error();

    if (is_binary_type(p.type)) {
        // Checked now rather than when the attachments have arrived (as Node does), so a bad
        // packet is refused before we buffer anything for it.
        if (auto r = check_placeholders(p.data, attachment_count); !r)
            return r.error();
        p.attachments.resize(attachment_count);
    }
    return {};
}

} // namespace

boost::system::result<packet> decode_text(std::string_view text, decode_options const& opts) {
    packet p;
    if (auto r = decode_into(text, opts, p); !r)
        return r.error();
    return p;
}

boost::system::result<std::optional<packet>> decoder::on_text(std::string_view text) {
    packet p;
    auto const complete = on_text(text, p);
    if (!complete)
        return complete.error();
    if (!*complete)
        return std::optional<packet>{};
    return std::optional<packet>{std::move(p)};
}

boost::system::result<bool> decoder::on_text(std::string_view text, packet& out) {
    if (is_waiting()) {
        reset();
        return error::missing_attachments;
    }
    if (auto r = decode_into(text, opts_, out); !r)
        return {boost::system::in_place_error, r.error()};
    if (out.attachments.empty())
        return true;
    pending_ = std::make_unique<packet>(std::move(out));
    received_ = 0;
    return false;
}

boost::system::result<std::optional<packet>> decoder::on_binary(std::string_view bytes) {
    if (!is_waiting())
        return error::unexpected_attachment;
    return on_binary(sio::shared_bytes{std::string{bytes}});
}

boost::system::result<std::optional<packet>> decoder::on_binary(sio::shared_bytes bytes) {
    if (!is_waiting())
        return error::unexpected_attachment;
    pending_->attachments[received_++] = std::move(bytes);
    if (received_ < pending_->attachments.size())
        return std::optional<packet>{};
    std::optional<packet> done{std::move(*pending_)};
    reset();
    return done;
}

void decoder::reset() noexcept {
    pending_.reset();
    received_ = 0;
}

} // namespace sio::parser
