// The client side of RFC 6455 framing, written by hand for the load generators.
//
// Beast's websocket::stream writes one frame per syscall and parses one frame per read, which
// makes a generator, not the server, the bottleneck near 2x Node. With these helpers a
// connection parses every complete frame of a read and sends everything it then has to say in
// one write.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

/// Frames queued for one write: masked client frames, each with a fresh key (RFC 6455 5.3).
class ws_frame_writer {
public:
    explicit ws_frame_writer(std::uint64_t seed)
        : rng_(seed | 1) {}

    /// Appends a final frame header for `len` payload bytes; returns where the payload goes.
    /// Write the payload there, then call mask_last(len).
    char* append_frame(std::vector<char>& out, unsigned char opcode, std::size_t len) {
        std::size_t const header = len < 126 ? 6 : len < 65536 ? 8 : 14;
        std::size_t const at = out.size();
        out.resize(at + header + len);
        auto* h = reinterpret_cast<unsigned char*>(out.data() + at);
        h[0] = static_cast<unsigned char>(0x80 | opcode);
        std::size_t k = 1;
        if (len < 126) {
            h[k++] = static_cast<unsigned char>(0x80 | len);
        } else if (len < 65536) {
            h[k++] = 0x80 | 126;
            h[k++] = static_cast<unsigned char>(len >> 8);
            h[k++] = static_cast<unsigned char>(len);
        } else {
            h[k++] = 0x80 | 127;
            for (int i = 7; i >= 0; --i)
                h[k++] = static_cast<unsigned char>(static_cast<std::uint64_t>(len) >> (8 * i));
        }
        rng_ ^= rng_ << 13;
        rng_ ^= rng_ >> 7;
        rng_ ^= rng_ << 17;
        auto const key = static_cast<std::uint32_t>(rng_);
        std::memcpy(h + k, &key, 4);
        return out.data() + at + header;
    }

    /// Masks the payload of the frame append_frame() just added (the last `len` bytes of out).
    static void mask_last(std::vector<char>& out, std::size_t len) {
        char* p = out.data() + out.size() - len;
        std::uint32_t key = 0;
        std::memcpy(&key, p - 4, 4);
        std::uint64_t const key8 = (std::uint64_t{key} << 32) | key;
        std::size_t i = 0;
        for (; i + 8 <= len; i += 8) {
            std::uint64_t w = 0;
            std::memcpy(&w, p + i, 8);
            w ^= key8;
            std::memcpy(p + i, &w, 8);
        }
        auto const* k = reinterpret_cast<unsigned char const*>(&key);
        for (; i < len; ++i)
            p[i] = static_cast<char>(static_cast<unsigned char>(p[i]) ^ k[i & 3]);
    }

    /// One whole text (0x1) or other frame with the given payload.
    void append(std::vector<char>& out, unsigned char opcode, std::string_view payload) {
        std::memcpy(append_frame(out, opcode, payload.size()), payload.data(), payload.size());
        mask_last(out, payload.size());
    }

private:
    std::uint64_t rng_;
};

/// What parse_ws_frames found wrong; empty when the frames were well formed.
struct ws_parse_result {
    std::size_t consumed = 0; ///< bytes of complete frames, from the start of the buffer
    std::size_t need = 0; ///< size of the incomplete frame at `consumed`, if its header is known
    std::string error;
};

/// Calls on_frame(first_byte, payload) for every complete server frame in `in`; stops at the
/// first incomplete one.
template <class OnFrame>
ws_parse_result parse_ws_frames(char const* in, std::size_t size, OnFrame&& on_frame) {
    auto const* const b = reinterpret_cast<unsigned char const*>(in);
    ws_parse_result r;
    std::size_t pos = 0;
    while (size - pos >= 2) {
        std::size_t const avail = size - pos;
        unsigned char const b1 = b[pos + 1];
        if (b1 & 0x80) {
            r.error = "server frame is masked (RFC 6455 5.1)";
            break;
        }
        std::size_t header = 2;
        std::uint64_t len = b1 & 0x7f;
        if (len == 126) {
            header = 4;
            if (avail < header)
                break;
            len = (std::uint64_t{b[pos + 2]} << 8) | b[pos + 3];
        } else if (len == 127) {
            header = 10;
            if (avail < header)
                break;
            len = 0;
            for (std::size_t i = 0; i < 8; ++i)
                len = (len << 8) | b[pos + 2 + i];
        }
        if (avail < header + len) {
            r.need = static_cast<std::size_t>(header + len);
            break;
        }
        if (!on_frame(b[pos], std::string_view(in + pos + header, static_cast<std::size_t>(len))))
            break;
        pos += header + static_cast<std::size_t>(len);
    }
    r.consumed = pos;
    return r;
}

/// Reassembles fragmented messages and tells data frames from control frames.
class ws_message_assembler {
public:
    enum class kind { none, text, binary, ping, pong, close, error };

    struct event {
        kind what = kind::none;
        std::string_view data; ///< message, control payload or error text
    };

    event on_frame(unsigned char b0, std::string_view payload) {
        bool const fin = b0 & 0x80;
        switch (b0 & 0x0f) {
        case 0x1:
        case 0x2: {
            kind const k = (b0 & 0x0f) == 0x1 ? kind::text : kind::binary;
            if (fin)
                return {k, payload};
            fragments_.assign(payload);
            fragment_kind_ = k;
            return {};
        }
        case 0x0:
            if (fragment_kind_ == kind::none)
                return {kind::error, "continuation frame without a start"};
            fragments_.append(payload);
            if (!fin)
                return {};
            {
                kind const k = fragment_kind_;
                fragment_kind_ = kind::none;
                return {k, fragments_};
            }
        case 0x8:
            return {kind::close, payload};
        case 0x9:
            return {kind::ping, payload};
        case 0xA:
            return {kind::pong, payload};
        default:
            return {kind::error, "unknown WebSocket opcode"};
        }
    }

private:
    std::string fragments_;
    kind fragment_kind_ = kind::none;
};

/// Where the frames start after the server's answer to the upgrade request at the start of
/// `in`: npos while the answer is incomplete; 0 with `error` set if it is not a 101.
inline std::size_t upgrade_response_end(std::string_view in, std::string& error) {
    auto const end = in.find("\r\n\r\n");
    if (end == std::string_view::npos)
        return std::string_view::npos;
    if (in.substr(0, 13) != "HTTP/1.1 101 ") {
        error = "upgrade refused: ";
        error.append(in.substr(0, in.find('\r')));
        return 0;
    }
    return end + 4;
}

/// "server sent a WebSocket close frame, code 1000 \"reason\"" from a close frame's payload.
inline std::string describe_close_frame(std::string_view payload) {
    std::string why = "server sent a WebSocket close frame";
    if (payload.size() >= 2) {
        auto const* u = reinterpret_cast<unsigned char const*>(payload.data());
        why += ", code ";
        why += std::to_string((u[0] << 8) | u[1]);
        if (payload.size() > 2) {
            why += " \"";
            why.append(payload.substr(2));
            why += '"';
        }
    }
    return why;
}

} // namespace bench
