#include <sio/core/base64.hpp>
#include <sio/engine/error.hpp>

#include <openssl/sha.h>

#include <cstring>
#include <engine/ws_frame.hpp>

namespace sio::engine::detail {

std::size_t write_frame_header(
    unsigned char* out,
    ws_opcode opcode,
    std::uint64_t payload_size,
    bool fin,
    bool rsv1) noexcept {
    out[0] = static_cast<unsigned char>(
        (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | static_cast<unsigned char>(opcode));
    if (payload_size < 126) {
        out[1] = static_cast<unsigned char>(payload_size);
        return 2;
    }
    if (payload_size <= 0xFFFF) {
        out[1] = 126;
        out[2] = static_cast<unsigned char>(payload_size >> 8);
        out[3] = static_cast<unsigned char>(payload_size);
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; ++i)
        out[2 + i] = static_cast<unsigned char>(payload_size >> (56 - 8 * i));
    return 10;
}

std::string websocket_accept_key(std::string_view client_key) {
    static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::string input;
    input.reserve(client_key.size() + guid.size());
    input.append(client_key).append(guid);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<unsigned char const*>(input.data()), input.size(), digest);
    return base64_encode({reinterpret_cast<char const*>(digest), sizeof digest});
}

bool utf8_checker::feed(std::string_view bytes) noexcept {
    char const* p = bytes.data();
    char const* const end = p + bytes.size();
    while (p != end) {
        // Socket.IO traffic is mostly ASCII: between sequences, skip eight such bytes at a time.
        if (need_ == 0 && end - p >= 8) {
            std::uint64_t w;
            std::memcpy(&w, p, 8);
            if ((w & 0x8080808080808080ull) == 0) {
                p += 8;
                continue;
            }
        }
        auto const c = static_cast<unsigned char>(*p++);
        if (need_ == 0) {
            if (c < 0x80)
                continue;
            lower_ = 0x80;
            upper_ = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                need_ = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                need_ = 2;
                if (c == 0xE0)
                    lower_ = 0xA0; // overlong
                if (c == 0xED)
                    upper_ = 0x9F; // surrogates
            } else if (c >= 0xF0 && c <= 0xF4) {
                need_ = 3;
                if (c == 0xF0)
                    lower_ = 0x90; // overlong
                if (c == 0xF4)
                    upper_ = 0x8F; // beyond U+10FFFF
            } else {
                return false;
            }
            continue;
        }
        if (c < lower_ || c > upper_)
            return false;
        lower_ = 0x80;
        upper_ = 0xBF;
        --need_;
    }
    return true;
}

ws_reader::parse
ws_reader::parse_header(unsigned char const* p, std::size_t n, header& h) const noexcept {
    if (n < 2)
        return parse::need_more;
    h.fin = (p[0] & 0x80) != 0;
    h.rsv1 = (p[0] & 0x40) != 0;
    if ((p[0] & 0x30) != 0 || (h.rsv1 && !allow_rsv1_))
        return parse::bad;
    h.opcode = static_cast<ws_opcode>(p[0] & 0x0F);
    bool const masked = (p[1] & 0x80) != 0;
    if (!masked)
        return parse::bad; // RFC 6455 §5.1: a server must close on an unmasked client frame
    std::uint64_t len = p[1] & 0x7F;
    std::size_t pos = 2;
    if (len == 126) {
        if (n < 4)
            return parse::need_more;
        len = (std::uint64_t{p[2]} << 8) | p[3];
        if (len < 126)
            return parse::bad; // not the minimal encoding
        pos = 4;
    } else if (len == 127) {
        if (n < 10)
            return parse::need_more;
        len = 0;
        for (int i = 0; i < 8; ++i)
            len = (len << 8) | p[2 + i];
        if (len <= 0xFFFF || (len >> 63) != 0)
            return parse::bad;
        pos = 10;
    }
    if (n < pos + 4)
        return parse::need_more;
    std::memcpy(h.mask, p + pos, 4);
    h.length = len;
    h.header_size = pos + 4;
    switch (h.opcode) {
    case ws_opcode::continuation:
    case ws_opcode::text:
    case ws_opcode::binary:
        return parse::ok;
    case ws_opcode::close:
    case ws_opcode::ping:
    case ws_opcode::pong:
        // RFC 6455 §5.5: control frames are never fragmented and carry at most 125 bytes.
        return (h.fin && len <= 125 && !h.rsv1) ? parse::ok : parse::bad;
    }
    return parse::bad;
}

namespace {

void unmask(char* data, std::size_t n, unsigned char const mask[4]) noexcept {
    std::uint32_t m32;
    std::memcpy(&m32, mask, 4);
    std::uint64_t const m64 = (std::uint64_t{m32} << 32) | m32;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t v;
        std::memcpy(&v, data + i, 8);
        v ^= m64;
        std::memcpy(data + i, &v, 8);
    }
    for (; i < n; ++i)
        data[i] = static_cast<char>(data[i] ^ mask[i & 3]);
}

} // namespace

bool ws_reader::accept(
    header const& h, char* payload, boost::system::error_code& ec, ws_event& out) {
    auto const len = static_cast<std::size_t>(h.length);
    unmask(payload, len, h.mask);
    std::string_view const bytes{payload, len};
    switch (h.opcode) {
    case ws_opcode::close:
        if (len == 1) {
            ec = error::invalid_websocket_frame;
            return false;
        }
        if (len >= 2) {
            // RFC 6455 §7.4: only codes an endpoint may send; §5.5.1: the reason is UTF-8.
            unsigned const code = (unsigned{static_cast<unsigned char>(payload[0])} << 8) |
                                  static_cast<unsigned char>(payload[1]);
            if (!((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                  (code >= 3000 && code <= 4999))) {
                ec = error::invalid_websocket_frame;
                return false;
            }
            utf8_checker reason;
            if (!reason.feed(bytes.substr(2)) || !reason.is_complete()) {
                ec = error::invalid_utf8;
                return false;
            }
        }
        out = {ws_opcode::close, bytes};
        return true;
    case ws_opcode::ping:
    case ws_opcode::pong:
        out = {h.opcode, bytes};
        return true;
    case ws_opcode::text:
    case ws_opcode::binary:
        if (in_message_) {
            ec = error::invalid_websocket_frame; // a new message inside a fragmented one
            return false;
        }
        if (h.fin) {
            if (h.opcode == ws_opcode::text && !h.rsv1) {
                utf8_.reset();
                if (!utf8_.feed(bytes) || !utf8_.is_complete()) {
                    ec = error::invalid_utf8;
                    return false;
                }
            }
            out = {h.opcode, bytes, h.rsv1};
            return true;
        }
        in_message_ = true;
        message_opcode_ = h.opcode;
        message_compressed_ = h.rsv1;
        fragments_.assign(bytes);
        utf8_.reset();
        if (message_opcode_ == ws_opcode::text && !message_compressed_ && !utf8_.feed(bytes)) {
            ec = error::invalid_utf8;
            return false;
        }
        return false;
    case ws_opcode::continuation:
        if (!in_message_ || h.rsv1) {
            ec = error::invalid_websocket_frame;
            return false;
        }
        if (fragments_.size() + len > max_message_) {
            ec = error::payload_too_large;
            return false;
        }
        fragments_.append(bytes);
        if (message_opcode_ == ws_opcode::text && !message_compressed_ && !utf8_.feed(bytes)) {
            ec = error::invalid_utf8;
            return false;
        }
        if (!h.fin)
            return false;
        in_message_ = false;
        if (message_opcode_ == ws_opcode::text && !message_compressed_ && !utf8_.is_complete()) {
            ec = error::invalid_utf8;
            return false;
        }
        out = {message_opcode_, fragments_, message_compressed_};
        return true;
    }
    ec = error::invalid_websocket_frame;
    return false;
}

} // namespace sio::engine::detail
