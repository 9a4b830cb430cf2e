#pragma once

// RFC 6455 framing, written for the engine's batched writes and whole-read parsing: a server frame
// header is built by hand so that many frames leave in one gathered write, and every complete
// frame of one read is parsed before the next read. Pure: no sockets.

#include <sio/engine/error.hpp>

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sio::engine::detail {

enum class ws_opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

/// Largest header a server frame can need: 2 bytes + 8-byte length.
inline constexpr std::size_t max_server_header = 10;

/// Writes an unmasked (server) frame header; returns its length.
std::size_t write_frame_header(
    unsigned char* out,
    ws_opcode opcode,
    std::uint64_t payload_size,
    bool fin = true,
    bool rsv1 = false) noexcept;

/// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key (RFC 6455 §4.2.2).
std::string websocket_accept_key(std::string_view client_key);

/// Incremental UTF-8 check (RFC 3629), resumable across fragments.
class utf8_checker {
public:
    /// False as soon as the bytes cannot be UTF-8.
    bool feed(std::string_view bytes) noexcept;
    /// True when the bytes so far end on a character boundary.
    bool is_complete() const noexcept { return need_ == 0; }
    void reset() noexcept {
        need_ = 0;
        lower_ = 0x80;
        upper_ = 0xBF;
    }

private:
    int need_ = 0;
    unsigned char lower_ = 0x80;
    unsigned char upper_ = 0xBF;
};

/// One data message or control frame, as the reader hands it up.
struct ws_event {
    ws_opcode opcode;        ///< text, binary (whole messages) or close, ping, pong
    std::string_view data;   ///< unmasked payload; valid until on_event returns (a
                             ///< reassembled message's buffer is reused)
    bool compressed = false; ///< RSV1 was set on the message's first frame (permessage-deflate)
};

/// Parses client frames (which RFC 6455 §5.3 requires to be masked) out of a read buffer,
/// reassembling fragmented messages up to a size limit.
class ws_reader {
public:
    explicit ws_reader(std::size_t max_message_size, bool allow_rsv1 = false) noexcept
        : max_message_(max_message_size)
        , allow_rsv1_(allow_rsv1) {}

    void set_allow_rsv1(bool allow) noexcept { allow_rsv1_ = allow; }

    /// Parses every complete frame at the start of [data, data+size) (unmasking in place) and
    /// calls on_event for each message or control frame. Returns how many bytes were consumed;
    /// the rest is an incomplete frame to keep for the next read. Stops at the first error
    /// (ec set: invalid_websocket_frame, payload_too_large, invalid_utf8) or when on_event
    /// returns false.
    template <class OnEvent>
    std::size_t
    consume(char* data, std::size_t size, boost::system::error_code& ec, OnEvent&& on_event);

    /// Bytes still expected of the frame at the start of the buffer (0 if unknown); lets the
    /// caller grow its buffer once for a large frame.
    std::size_t pending_frame_size() const noexcept { return pending_frame_; }
    /// Bytes held for a fragmented message in progress (memory accounting, tests).
    std::size_t reassembly_capacity() const noexcept { return fragments_.capacity(); }

private:
    struct header {
        bool fin;
        bool rsv1;
        ws_opcode opcode;
        std::uint64_t length;
        unsigned char mask[4];
        std::size_t header_size;
    };
    enum class parse { ok, need_more, bad };
    parse parse_header(unsigned char const* p, std::size_t n, header& h) const noexcept;
    bool accept(header const& h, char* payload, boost::system::error_code& ec, ws_event& out);

    std::size_t max_message_;
    std::size_t pending_frame_ = 0;
    // Fragmented message in progress.
    std::string fragments_;
    // The flags together, then the 4-aligned checker: 64 bytes, not 72.
    bool allow_rsv1_;
    bool in_message_ = false;
    ws_opcode message_opcode_ = ws_opcode::text;
    bool message_compressed_ = false;
    utf8_checker utf8_;
};

template <class OnEvent>
std::size_t ws_reader::consume(
    char* data, std::size_t size, boost::system::error_code& ec, OnEvent&& on_event) {
    std::size_t used = 0;
    pending_frame_ = 0;
    while (used < size) {
        header h{};
        auto const* p = reinterpret_cast<unsigned char const*>(data + used);
        switch (parse_header(p, size - used, h)) {
        case parse::need_more:
            return used;
        case parse::bad:
            ec = error::invalid_websocket_frame;
            return used;
        case parse::ok:
            break;
        }
        if (h.length > max_message_) {
            ec = error::payload_too_large;
            return used;
        }
        if (size - used - h.header_size < h.length) {
            pending_frame_ = static_cast<std::size_t>(h.header_size + h.length);
            return used;
        }
        char* payload = data + used + h.header_size;
        used += h.header_size + static_cast<std::size_t>(h.length);
        ws_event ev{};
        bool const ready = accept(h, payload, ec, ev);
        if (ec)
            return used;
        if (!ready)
            continue;
        bool const reassembled = ev.data.data() == fragments_.data();
        bool const go_on = on_event(ev);
        if (reassembled)
            std::string{}.swap(fragments_); // an idle connection keeps no reassembly buffer
        if (!go_on)
            return used;
    }
    return used;
}

} // namespace sio::engine::detail
