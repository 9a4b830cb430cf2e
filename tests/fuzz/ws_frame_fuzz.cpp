// Fuzzes ws_reader::consume with a small size limit, over the input as raw bytes and over the
// frames the input describes as a script (see frames_from_script). Checks that the reader never
// reads out of bounds, hands up only what RFC 6455 allows (messages within the limit, valid UTF-8
// text, short unfragmented control frames), parses the same events whether the bytes arrive in
// one read or in pieces, and agrees with a plain reference reader written from the RFC.
#include <sio/engine/error.hpp>

#include <boost/system/error_code.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <engine/ws_frame.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using sio::engine::detail::ws_event;
using sio::engine::detail::ws_opcode;
using sio::engine::detail::ws_reader;

constexpr std::size_t limit = 200;

void require(bool ok, char const* what) {
    if (!ok) {
        std::fprintf(stderr, "ws_frame_fuzz: %s\n", what);
        std::abort();
    }
}

/// UTF-8 check by decoding code points (RFC 3629 §4), independent of utf8_checker.
bool is_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto const c = static_cast<unsigned char>(s[i]);
        int n = 0;
        std::uint32_t cp = 0;
        std::uint32_t min = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (s.size() - i <= static_cast<std::size_t>(n))
            return false;
        for (int k = 1; k <= n; ++k) {
            auto const cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((cc & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += static_cast<std::size_t>(n) + 1;
    }
    return true;
}

std::size_t sequence_length(unsigned char lead) {
    if (lead >= 0xC0 && lead <= 0xDF)
        return 2;
    if (lead >= 0xE0 && lead <= 0xEF)
        return 3;
    if (lead >= 0xF0 && lead <= 0xF7)
        return 4;
    return 0;
}

/// True for valid UTF-8, or valid UTF-8 cut inside its last character: bytes that some
/// continuation could still make valid, which a fragmented text message may end a frame with.
bool is_utf8_prefix(std::string_view s) {
    if (is_utf8(s))
        return true;
    std::size_t start = s.size();
    for (std::size_t back = 1; back <= 3 && back <= s.size(); ++back) {
        if ((static_cast<unsigned char>(s[s.size() - back]) & 0xC0) != 0x80) {
            start = s.size() - back;
            break;
        }
    }
    if (start == s.size())
        return false;
    auto const tail = s.substr(start);
    auto const length = sequence_length(static_cast<unsigned char>(tail[0]));
    if (length <= tail.size() || !is_utf8(s.substr(0, start)))
        return false;
    // Only the second byte of a sequence has a narrower range than 80..BF; try each bound.
    for (int second : {0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF}) {
        std::string t{tail};
        if (t.size() == 1)
            t.push_back(static_cast<char>(second));
        while (t.size() < length)
            t.push_back('\x80');
        if (is_utf8(t))
            return true;
    }
    return false;
}

struct event {
    ws_opcode opcode;
    std::string data;
    bool compressed;

    bool operator==(event const&) const = default;
};

struct outcome {
    std::vector<event> events;
    boost::system::error_code ec;
    std::size_t used = 0;
};

bool on_event(ws_event const& ev, bool allow_rsv1, outcome& out) {
    switch (ev.opcode) {
    case ws_opcode::text:
    case ws_opcode::binary:
        require(ev.data.size() <= limit, "message over the limit");
        break;
    case ws_opcode::close:
        require(ev.data.size() != 1, "close frame with a one-byte payload");
        [[fallthrough]];
    case ws_opcode::ping:
    case ws_opcode::pong:
        require(ev.data.size() <= 125, "control frame over 125 bytes");
        require(!ev.compressed, "compressed control frame");
        break;
    default:
        require(false, "event with a continuation or reserved opcode");
    }
    require(allow_rsv1 || !ev.compressed, "compressed without negotiation");
    if (ev.opcode == ws_opcode::text && !ev.compressed)
        require(is_utf8(ev.data), "text message is not UTF-8");
    out.events.push_back({ev.opcode, std::string{ev.data}, ev.compressed});
    return true;
}

outcome in_one_read(std::string_view input, bool allow_rsv1) {
    outcome out;
    // Exactly sized heap copy so that AddressSanitizer sees any read past the end.
    std::vector<char> buffer(input.begin(), input.end());
    ws_reader reader{limit, allow_rsv1};
    out.used = reader.consume(buffer.data(), buffer.size(), out.ec, [&](ws_event const& ev) {
        return on_event(ev, allow_rsv1, out);
    });
    require(out.used <= input.size(), "consumed more than given");
    if (!out.ec && out.used < input.size())
        require(
            reader.pending_frame_size() == 0 ||
                reader.pending_frame_size() > input.size() - out.used,
            "pending frame size smaller than what is buffered");
    return out;
}

// Feeds the input in pieces whose sizes come from the input itself, as a socket would deliver it.
outcome in_pieces(std::string_view input, bool allow_rsv1) {
    outcome out;
    ws_reader reader{limit, allow_rsv1};
    std::string kept;
    std::size_t pos = 0;
    std::uint32_t step = static_cast<std::uint32_t>(input.size()) * 2654435761u;
    while (pos < input.size() && !out.ec) {
        step = step * 1103515245u + 12345u;
        std::size_t const piece = 1 + (step >> 16) % 17;
        kept.append(input.substr(pos, piece));
        pos += piece;
        std::vector<char> buffer(kept.begin(), kept.end());
        std::size_t const used =
            reader.consume(buffer.data(), buffer.size(), out.ec, [&](ws_event const& ev) {
                return on_event(ev, allow_rsv1, out);
            });
        require(used <= kept.size(), "consumed more than given");
        out.used += used;
        kept.erase(0, used);
    }
    return out;
}

/// What the reference reader concludes about the whole input.
struct reference {
    std::vector<event> events;
    bool failed = false; ///< the input breaks RFC 6455 or the limit
    bool closed = false; ///< stopped at a close frame, whose payload rules are left to ws_reader
    std::size_t complete = 0; ///< bytes of whole frames before the end, the failure or the close
};

/// A straightforward RFC 6455 §5.2 reader of client frames. It fails a frame as soon as enough of
/// its header has arrived to show the fault, as ws_reader does, so both agree on truncated input.
reference read_reference(std::string_view in, bool allow_rsv1) {
    reference ref;
    std::optional<event> message; // fragmented message in progress
    std::size_t pos = 0;
    auto const fail = [&] {
        ref.failed = true;
        return ref;
    };
    while (in.size() - pos >= 2) {
        auto const b0 = static_cast<unsigned char>(in[pos]);
        auto const b1 = static_cast<unsigned char>(in[pos + 1]);
        bool const fin = b0 & 0x80;
        bool const rsv1 = b0 & 0x40;
        int const opcode = b0 & 0x0F;
        if ((b0 & 0x30) || (rsv1 && !allow_rsv1) || !(b1 & 0x80))
            return fail();
        std::uint64_t length = b1 & 0x7F;
        std::size_t header = 2;
        if (length == 126) {
            if (in.size() - pos < 4)
                break;
            length = static_cast<unsigned char>(in[pos + 2]) * 256u +
                     static_cast<unsigned char>(in[pos + 3]);
            if (length < 126)
                return fail();
            header = 4;
        } else if (length == 127) {
            if (in.size() - pos < 10)
                break;
            length = 0;
            for (std::size_t k = 2; k < 10; ++k)
                length = length * 256 + static_cast<unsigned char>(in[pos + k]);
            if (length <= 0xFFFF || length >= (std::uint64_t{1} << 63))
                return fail();
            header = 10;
        }
        if (in.size() - pos < header + 4)
            break;
        bool const is_control = opcode >= 0x8;
        if (opcode != 0x0 && opcode != 0x1 && opcode != 0x2 && opcode != 0x8 && opcode != 0x9 &&
            opcode != 0xA)
            return fail();
        if (is_control && (!fin || length > 125 || rsv1))
            return fail();
        if (length > limit)
            return fail();
        if (in.size() - pos - header - 4 < length)
            break;
        std::string payload{in.substr(pos + header + 4, static_cast<std::size_t>(length))};
        for (std::size_t k = 0; k < payload.size(); ++k)
            payload[k] = static_cast<char>(payload[k] ^ in[pos + header + (k % 4)]);
        if (opcode == 0x8) {
            ref.closed = true;
            return ref;
        }
        pos += header + 4 + static_cast<std::size_t>(length);
        if (is_control) {
            ref.events.push_back({static_cast<ws_opcode>(opcode), payload, false});
            ref.complete = pos;
            continue; // between fragments, a control frame leaves the message as it was
        }
        if (opcode != 0x0) {
            if (message)
                return fail(); // a new message inside a fragmented one
            message = event{static_cast<ws_opcode>(opcode), payload, rsv1};
        } else {
            if (!message || rsv1)
                return fail();
            message->data += payload;
            if (message->data.size() > limit)
                return fail();
        }
        if (message && message->opcode == ws_opcode::text && !message->compressed) {
            // Fail fast: a fragment that no continuation can repair ends the connection.
            if (!(fin ? is_utf8(message->data) : is_utf8_prefix(message->data)))
                return fail();
        }
        if (message && fin) {
            ref.events.push_back(std::move(*message));
            message.reset();
        }
        ref.complete = pos;
    }
    return ref;
}

/// Reads the input as a script of frames, so that mutations keep frames whole and reach the
/// fragmentation, limit and UTF-8 logic: per frame, its first header byte as is, a payload length
/// (0-255), the payload. The mask key is zero, so the bytes a mutation writes are the bytes the
/// reader unmasks.
std::string frames_from_script(std::string_view script) {
    std::string out;
    std::size_t i = 0;
    while (script.size() - i >= 2) {
        out.push_back(script[i]);
        auto const n =
            std::min<std::size_t>(static_cast<unsigned char>(script[i + 1]), script.size() - i - 2);
        i += 2;
        if (n < 126) {
            out.push_back(static_cast<char>(0x80 | n));
        } else {
            out.push_back(static_cast<char>(0x80 | 126));
            out.push_back('\0');
            out.push_back(static_cast<char>(n));
        }
        out.append(4, '\0');
        out.append(script.substr(i, n));
        i += n;
    }
    return out;
}

void check(std::string_view input) {
    for (bool const allow_rsv1 : {false, true}) {
        auto const whole = in_one_read(input, allow_rsv1);
        auto const pieces = in_pieces(input, allow_rsv1);
        require(whole.events == pieces.events, "events depend on how the bytes were split");
        require(whole.ec == pieces.ec, "error depends on how the bytes were split");
        if (!whole.ec)
            require(whole.used == pieces.used, "consumed bytes depend on how the bytes were split");

        auto const ref = read_reference(input, allow_rsv1);
        if (ref.closed) {
            // ws_reader hands the close frame up, or refuses its payload; what follows is moot.
            auto const close_at =
                std::find_if(whole.events.begin(), whole.events.end(), [](event const& e) {
                    return e.opcode == ws_opcode::close;
                });
            require(
                std::vector<event>(whole.events.begin(), close_at) == ref.events,
                "events before a close frame differ from the reference");
            require(close_at != whole.events.end() || whole.ec, "close frame lost");
            continue;
        }
        require(whole.events == ref.events, "events differ from the reference reader");
        require(static_cast<bool>(whole.ec) == ref.failed, "verdict differs from the reference");
        if (!ref.failed)
            require(whole.used == ref.complete, "consumed bytes differ from the reference");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view const input{reinterpret_cast<char const*>(data), size};
    check(input);
    check(frames_from_script(input));
    return 0;
}
