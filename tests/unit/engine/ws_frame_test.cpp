#include <engine/ws_frame.hpp>
// The header under test comes first, to prove it self-contained.

#include <sio/engine/error.hpp>

#include <boost/system/error_code.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace std::string_view_literals;
using sio::engine::error;
using sio::engine::detail::max_server_header;
using sio::engine::detail::utf8_checker;
using sio::engine::detail::websocket_accept_key;
using sio::engine::detail::write_frame_header;
using sio::engine::detail::ws_event;
using sio::engine::detail::ws_opcode;
using sio::engine::detail::ws_reader;

// RFC 6455 §5.7 examples.
constexpr auto rfc_masked_hello = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"sv;
constexpr auto rfc_unmasked_hello = "\x81\x05\x48\x65\x6c\x6c\x6f"sv;
constexpr auto rfc_unmasked_fragment_hel = "\x01\x03\x48\x65\x6c"sv;
constexpr auto rfc_unmasked_fragment_lo = "\x80\x02\x6c\x6f"sv;
constexpr auto rfc_unmasked_ping = "\x89\x05\x48\x65\x6c\x6c\x6f"sv;
constexpr auto rfc_masked_pong = "\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"sv;
constexpr auto rfc_256_binary_header = "\x82\x7e\x01\x00"sv;
constexpr auto rfc_64k_binary_header = "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00"sv;
constexpr std::array<unsigned char, 4> rfc_mask = {0x37, 0xfa, 0x21, 0x3d};

// RFC 6455 §1.3 handshake example, and the one Wikipedia's WebSocket article uses.
constexpr auto rfc_client_key = "dGhlIHNhbXBsZSBub25jZQ=="sv;
constexpr auto rfc_accept_key = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="sv;
constexpr auto wiki_client_key = "x3JJHMbDL1EzLkh9GBhXDw=="sv;
constexpr auto wiki_accept_key = "HSmrc0sMlYUkAGmm5OPpG2HaGWk="sv;

// "κόσμε", the UTF-8 sample of the Autobahn test suite (case 6.2).
constexpr auto kosme = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"sv;

// The first and last code points of each UTF-8 sequence length, around the surrogate gap.
constexpr std::string_view valid_utf8[] = {
    "\x00"sv,             // U+0000
    "\x7f"sv,             // U+007F
    "\xc2\x80"sv,         // U+0080
    "\xdf\xbf"sv,         // U+07FF
    "\xe0\xa0\x80"sv,     // U+0800
    "\xed\x9f\xbf"sv,     // U+D7FF
    "\xee\x80\x80"sv,     // U+E000
    "\xef\xbf\xbf"sv,     // U+FFFF
    "\xf0\x90\x80\x80"sv, // U+10000
    "\xf4\x8f\xbf\xbf"sv, // U+10FFFF
    kosme,
};

constexpr std::string_view overlong_utf8[] = {
    "\xc0\x80"sv,             // U+0000 in two bytes
    "\xc0\xaf"sv,             // '/' in two bytes
    "\xc1\xbf"sv,             // U+007F in two bytes
    "\xe0\x80\x80"sv,         // U+0000 in three bytes
    "\xe0\x80\xaf"sv,         // '/' in three bytes
    "\xe0\x9f\xbf"sv,         // U+07FF in three bytes
    "\xf0\x80\x80\x80"sv,     // U+0000 in four bytes
    "\xf0\x80\x80\xaf"sv,     // '/' in four bytes
    "\xf0\x8f\xbf\xbf"sv,     // U+FFFF in four bytes
    "\xf8\x88\x80\x80\x80"sv, // U+200000 in five bytes
};

constexpr std::string_view surrogate_utf8[] = {
    "\xed\xa0\x80"sv, // U+D800
    "\xed\xad\xbf"sv, // U+DB7F
    "\xed\xae\x80"sv, // U+DB80
    "\xed\xb0\x80"sv, // U+DC00
    "\xed\xbf\xbf"sv, // U+DFFF
    "\xed\xa0\x80\xed\xb0\x80"sv,
};

constexpr std::string_view beyond_unicode_utf8[] = {
    "\xf4\x90\x80\x80"sv, // U+110000
    "\xf4\xbf\xbf\xbf"sv, // U+13FFFF
    "\xf5\x80\x80\x80"sv,
    "\xf7\xbf\xbf\xbf"sv, // U+1FFFFF
};

constexpr std::string_view malformed_utf8[] = {
    "\x80"sv,             // lone continuation
    "\xbf"sv,             // lone continuation
    "a\x80\x62"sv,        // continuation after ASCII
    "\xc2\x41"sv,         // lead byte followed by ASCII
    "\xe2\x82\x41"sv,     // three-byte sequence cut by ASCII
    "\xf0\x9f\x98\x41"sv, // four-byte sequence cut by ASCII
    // Autobahn 6.3.1: "κόσμε", a lone surrogate, "edited".
    "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64"sv,
    "\xfe"sv,
    "\xff"sv,
    "\xfe\xfe\xff\xff"sv,
};

constexpr std::string_view truncated_utf8[] = {
    "\xc2"sv,
    "\xe2\x82"sv,
    "\xf0\x9f\x98"sv,
    "abc\xe2"sv,
};

// RFC 6455 §7.4: codes a peer may send (1012-1014 were registered later; left out on purpose).
constexpr std::uint16_t valid_close_codes[] = {
    1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999};
// RFC 6455 §7.4.1-2: never sent (1005, 1006, 1015 are for local use), reserved or undefined.
constexpr std::uint16_t invalid_close_codes[] = {
    0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535};

constexpr std::uint8_t op_continuation = 0x0;
constexpr std::uint8_t op_text = 0x1;
constexpr std::uint8_t op_binary = 0x2;
constexpr std::uint8_t op_close = 0x8;
constexpr std::uint8_t op_ping = 0x9;
constexpr std::uint8_t op_pong = 0xA;

constexpr std::uint8_t rsv1 = 0x40;
constexpr std::uint8_t rsv2 = 0x20;
constexpr std::uint8_t rsv3 = 0x10;

constexpr std::size_t default_limit = 1 << 20;

enum class length_form { minimal, sixteen_bit, sixty_four_bit };

/// A client frame as a test wants it on the wire, including the ways a peer can get it wrong.
class client_frame {
public:
    client_frame(std::uint8_t opcode, std::string_view payload)
        : opcode_(opcode)
        , payload_(payload) {}

    client_frame& fin(bool fin) {
        fin_ = fin;
        return *this;
    }
    /// RSV bits as they sit in the first byte.
    client_frame& rsv(std::uint8_t bits) {
        rsv_ = bits;
        return *this;
    }
    client_frame& unmasked() {
        masked_ = false;
        return *this;
    }
    client_frame& form(length_form form) {
        form_ = form;
        return *this;
    }
    client_frame& key(std::array<unsigned char, 4> key) {
        key_ = key;
        return *this;
    }
    /// Announces a length other than the payload's.
    client_frame& declared_length(std::uint64_t length) {
        declared_length_ = length;
        return *this;
    }

    std::string wire() const {
        std::string out;
        out.push_back(static_cast<char>((fin_ ? 0x80 : 0) | rsv_ | (opcode_ & 0x0F)));
        std::uint64_t const len = declared_length_.value_or(payload_.size());
        int const mask_bit = masked_ ? 0x80 : 0;
        auto form = form_;
        if (form == length_form::minimal && len > 125)
            form = len <= 0xFFFF ? length_form::sixteen_bit : length_form::sixty_four_bit;
        switch (form) {
        case length_form::minimal:
            out.push_back(static_cast<char>(mask_bit | static_cast<int>(len)));
            break;
        case length_form::sixteen_bit:
            out.push_back(static_cast<char>(mask_bit | 126));
            out.push_back(static_cast<char>(len >> 8));
            out.push_back(static_cast<char>(len));
            break;
        case length_form::sixty_four_bit:
            out.push_back(static_cast<char>(mask_bit | 127));
            for (int shift = 56; shift >= 0; shift -= 8)
                out.push_back(static_cast<char>(len >> shift));
            break;
        }
        if (!masked_) {
            out.append(payload_);
            return out;
        }
        for (auto const k : key_)
            out.push_back(static_cast<char>(k));
        for (std::size_t i = 0; i < payload_.size(); ++i)
            out.push_back(static_cast<char>(payload_[i] ^ key_[i % 4]));
        return out;
    }

private:
    std::uint8_t opcode_;
    std::string_view payload_;
    bool fin_ = true;
    std::uint8_t rsv_ = 0;
    bool masked_ = true;
    length_form form_ = length_form::minimal;
    std::array<unsigned char, 4> key_ = rfc_mask;
    std::optional<std::uint64_t> declared_length_;
};

std::string text(std::string_view payload, bool fin = true) {
    return client_frame(op_text, payload).fin(fin).wire();
}
std::string binary(std::string_view payload, bool fin = true) {
    return client_frame(op_binary, payload).fin(fin).wire();
}
std::string continuation(std::string_view payload, bool fin = true) {
    return client_frame(op_continuation, payload).fin(fin).wire();
}
std::string control(std::uint8_t opcode, std::string_view payload) {
    return client_frame(opcode, payload).wire();
}

std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
    std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    p.append(reason);
    return p;
}

std::string pseudo_random_bytes(std::size_t n) {
    std::string s;
    std::uint32_t x = static_cast<std::uint32_t>(n) * 2654435761u + 1;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        s.push_back(static_cast<char>(x));
    }
    return s;
}

/// An event as the test keeps it: owning its data.
struct event {
    ws_opcode opcode = ws_opcode::text;
    std::string data;
    bool compressed = false;

    bool operator==(event const&) const = default;
};

void PrintTo(event const& e, std::ostream* os) {
    *os << "{opcode " << static_cast<int>(e.opcode) << ", " << e.data.size() << " bytes \""
        << e.data.substr(0, 40) << "\"" << (e.compressed ? ", compressed}" : "}");
}

struct read_result {
    std::size_t used = 0;
    boost::system::error_code ec;
    std::vector<event> events;
};

/// One consume() call over a copy of the bytes, as one socket read.
read_result consume_all(ws_reader& reader, std::string bytes) {
    read_result r;
    r.used = reader.consume(bytes.data(), bytes.size(), r.ec, [&](ws_event const& ev) {
        r.events.push_back({ev.opcode, std::string{ev.data}, ev.compressed});
        return true;
    });
    return r;
}

read_result
consume_all(std::string const& bytes, std::size_t limit = default_limit, bool allow = false) {
    ws_reader reader{limit, allow};
    return consume_all(reader, bytes);
}

/// Feeds the bytes `piece` at a time, keeping the unconsumed rest as a transport does.
read_result read_in_pieces(ws_reader& reader, std::string_view bytes, std::size_t piece) {
    read_result total;
    std::string buffer;
    for (std::size_t pos = 0; pos < bytes.size(); pos += piece) {
        buffer.append(bytes.substr(pos, piece));
        auto const r = consume_all(reader, buffer);
        total.used += r.used;
        total.events.insert(total.events.end(), r.events.begin(), r.events.end());
        buffer.erase(0, r.used);
        if (r.ec) {
            total.ec = r.ec;
            break;
        }
    }
    return total;
}

bool is_utf8(std::string_view bytes) {
    utf8_checker checker;
    return checker.feed(bytes) && checker.is_complete();
}

std::string hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
        out.push_back(' ');
    }
    return out;
}

// --- write_frame_header ---------------------------------------------------------------------

std::string
server_header(ws_opcode opcode, std::uint64_t size, bool fin = true, bool compressed = false) {
    unsigned char out[max_server_header + 4];
    std::fill(std::begin(out), std::end(out), 0xEE);
    auto const n = write_frame_header(out, opcode, size, fin, compressed);
    EXPECT_LE(n, max_server_header);
    EXPECT_EQ(out[n], 0xEE) << "wrote past the returned length";
    return {reinterpret_cast<char const*>(out), n};
}

TEST(EngineWsFrameHeader, WritesRfc6455UnmaskedHelloHeader) {
    EXPECT_EQ(server_header(ws_opcode::text, 5), rfc_unmasked_hello.substr(0, 2));
}

TEST(EngineWsFrameHeader, WritesRfc6455SixteenBitLengthExample) {
    EXPECT_EQ(server_header(ws_opcode::binary, 256), rfc_256_binary_header);
}

TEST(EngineWsFrameHeader, WritesRfc6455SixtyFourBitLengthExample) {
    EXPECT_EQ(server_header(ws_opcode::binary, 65536), rfc_64k_binary_header);
}

TEST(EngineWsFrameHeader, UsesTheShortestLengthEncoding) {
    EXPECT_EQ(server_header(ws_opcode::text, 0), "\x81\x00"sv);
    EXPECT_EQ(server_header(ws_opcode::text, 125), "\x81\x7d"sv);
    EXPECT_EQ(server_header(ws_opcode::text, 126), "\x81\x7e\x00\x7e"sv);
    EXPECT_EQ(server_header(ws_opcode::text, 65535), "\x81\x7e\xff\xff"sv);
    EXPECT_EQ(
        server_header(ws_opcode::text, 0x0102030405060708),
        "\x81\x7f\x01\x02\x03\x04\x05\x06\x07\x08"sv);
}

TEST(EngineWsFrameHeader, NeverMasksServerFrames) {
    for (std::uint64_t size : {0ull, 125ull, 126ull, 65535ull, 65536ull, 0x7fffffffffffffffull})
        EXPECT_EQ(server_header(ws_opcode::binary, size)[1] & 0x80, 0) << size;
}

TEST(EngineWsFrameHeader, WritesOpcodeFinAndRsv1) {
    EXPECT_EQ(server_header(ws_opcode::text, 1, false)[0], '\x01');
    EXPECT_EQ(server_header(ws_opcode::continuation, 1, false)[0], '\x00');
    EXPECT_EQ(server_header(ws_opcode::continuation, 1, true)[0], '\x80');
    EXPECT_EQ(server_header(ws_opcode::binary, 1, true, true)[0], '\xc2');
    EXPECT_EQ(server_header(ws_opcode::text, 1, false, true)[0], '\x41');
    EXPECT_EQ(server_header(ws_opcode::close, 2)[0], '\x88');
    EXPECT_EQ(server_header(ws_opcode::ping, 0)[0], '\x89');
    EXPECT_EQ(server_header(ws_opcode::pong, 0)[0], '\x8a');
}

// A server header, given a mask bit and key as a client would, must read back as the same frame.
TEST(EngineWsFrameHeader, RoundTripsThroughTheReaderOnceMasked) {
    for (std::size_t size : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 70000u}) {
        auto const payload = pseudo_random_bytes(size);
        auto wire = server_header(ws_opcode::binary, size);
        wire[1] = static_cast<char>(wire[1] | 0x80);
        for (auto const k : rfc_mask)
            wire.push_back(static_cast<char>(k));
        for (std::size_t i = 0; i < size; ++i)
            wire.push_back(static_cast<char>(payload[i] ^ rfc_mask[i % 4]));
        auto const r = consume_all(wire);
        ASSERT_FALSE(r.ec) << size;
        EXPECT_EQ(r.used, wire.size());
        ASSERT_EQ(r.events.size(), 1u);
        EXPECT_EQ(r.events[0], (event{ws_opcode::binary, payload}));
    }
}

// --- websocket_accept_key -------------------------------------------------------------------

TEST(EngineWsAcceptKey, MatchesRfc6455Example) {
    EXPECT_EQ(websocket_accept_key(rfc_client_key), rfc_accept_key);
}

TEST(EngineWsAcceptKey, MatchesSecondKnownExample) {
    EXPECT_EQ(websocket_accept_key(wiki_client_key), wiki_accept_key);
}

TEST(EngineWsAcceptKey, IsBase64OfTwentyBytes) {
    auto const key = websocket_accept_key("");
    EXPECT_EQ(key.size(), 28u);
    EXPECT_EQ(key.back(), '=');
}

// --- utf8_checker ---------------------------------------------------------------------------

TEST(EngineUtf8Checker, AcceptsAsciiAndEmptyInput) {
    EXPECT_TRUE(is_utf8(""));
    EXPECT_TRUE(is_utf8("hello, world"));
}

TEST(EngineUtf8Checker, AcceptsFirstAndLastCodePointOfEachLength) {
    for (auto const s : valid_utf8)
        EXPECT_TRUE(is_utf8(s)) << hex(s);
}

TEST(EngineUtf8Checker, RejectsOverlongEncodings) {
    for (auto const s : overlong_utf8)
        EXPECT_FALSE(is_utf8(s)) << hex(s);
}

TEST(EngineUtf8Checker, RejectsSurrogates) {
    for (auto const s : surrogate_utf8)
        EXPECT_FALSE(is_utf8(s)) << hex(s);
}

TEST(EngineUtf8Checker, RejectsCodePointsBeyondU10FFFF) {
    for (auto const s : beyond_unicode_utf8)
        EXPECT_FALSE(is_utf8(s)) << hex(s);
}

TEST(EngineUtf8Checker, RejectsMalformedSequences) {
    for (auto const s : malformed_utf8)
        EXPECT_FALSE(is_utf8(s)) << hex(s);
}

TEST(EngineUtf8Checker, ReportsTruncatedSequenceAsIncomplete) {
    for (auto const s : truncated_utf8) {
        utf8_checker checker;
        EXPECT_TRUE(checker.feed(s)) << hex(s);
        EXPECT_FALSE(checker.is_complete()) << hex(s);
    }
}

TEST(EngineUtf8Checker, ResumesAcrossFeedsAtEveryByte) {
    for (auto const s : valid_utf8) {
        for (std::size_t cut = 0; cut <= s.size(); ++cut) {
            utf8_checker checker;
            EXPECT_TRUE(checker.feed(s.substr(0, cut))) << hex(s) << "cut " << cut;
            EXPECT_TRUE(checker.feed(s.substr(cut))) << hex(s) << "cut " << cut;
            EXPECT_TRUE(checker.is_complete()) << hex(s) << "cut " << cut;
        }
    }
}

TEST(EngineUtf8Checker, KeepsRangeChecksAcrossFeeds) {
    for (auto const s : {overlong_utf8[3], surrogate_utf8[0], beyond_unicode_utf8[0]}) {
        utf8_checker checker;
        EXPECT_TRUE(checker.feed(s.substr(0, 1))) << hex(s);
        EXPECT_FALSE(checker.feed(s.substr(1))) << hex(s);
    }
}

TEST(EngineUtf8Checker, ResetForgetsPartialSequence) {
    utf8_checker checker;
    EXPECT_TRUE(checker.feed("\xe0"sv));
    checker.reset();
    EXPECT_TRUE(checker.is_complete());
    EXPECT_TRUE(checker.feed("\xc2\x80"sv));
    EXPECT_TRUE(checker.is_complete());
}

// --- ws_reader: well-formed frames ----------------------------------------------------------

TEST(EngineWsReader, DecodesRfc6455MaskedHelloExample) {
    auto const r = consume_all(std::string{rfc_masked_hello});
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.used, rfc_masked_hello.size());
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0], (event{ws_opcode::text, "Hello"}));
}

TEST(EngineWsReader, DecodesRfc6455MaskedPongExample) {
    auto const r = consume_all(std::string{rfc_masked_pong});
    ASSERT_FALSE(r.ec) << r.ec.message();
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0], (event{ws_opcode::pong, "Hello"}));
}

TEST(EngineWsReader, HelperEncodesRfc6455Examples) {
    EXPECT_EQ(text("Hello"), rfc_masked_hello);
    EXPECT_EQ(client_frame(op_text, "Hello").unmasked().wire(), rfc_unmasked_hello);
    EXPECT_EQ(client_frame(op_text, "Hel").fin(false).unmasked().wire(), rfc_unmasked_fragment_hel);
    EXPECT_EQ(client_frame(op_continuation, "lo").unmasked().wire(), rfc_unmasked_fragment_lo);
    EXPECT_EQ(client_frame(op_ping, "Hello").unmasked().wire(), rfc_unmasked_ping);
    EXPECT_EQ(control(op_pong, "Hello"), rfc_masked_pong);
}

TEST(EngineWsReader, UnmasksPayloadInPlace) {
    std::string buffer{rfc_masked_hello};
    ws_reader reader{default_limit};
    boost::system::error_code ec;
    std::string_view seen;
    auto const used = reader.consume(buffer.data(), buffer.size(), ec, [&](ws_event const& ev) {
        seen = ev.data;
        return true;
    });
    ASSERT_FALSE(ec);
    EXPECT_EQ(used, buffer.size());
    EXPECT_EQ(seen.data(), buffer.data() + 6);
    EXPECT_EQ(buffer.substr(6), "Hello");
}

TEST(EngineWsReader, UnmasksEveryPayloadLengthAroundTheWordSize) {
    for (std::size_t n = 0; n <= 40; ++n) {
        auto const payload = pseudo_random_bytes(n);
        auto const r =
            consume_all(client_frame(op_binary, payload).key({{0x01, 0x80, 0x7f, 0xff}}).wire());
        ASSERT_FALSE(r.ec) << n;
        ASSERT_EQ(r.events.size(), 1u);
        EXPECT_EQ(r.events[0], (event{ws_opcode::binary, payload})) << n;
    }
}

TEST(EngineWsReader, DecodesSixteenBitLengths) {
    for (std::size_t n : {126u, 127u, 1000u, 65535u}) {
        auto const payload = pseudo_random_bytes(n);
        auto const r = consume_all(binary(payload));
        ASSERT_FALSE(r.ec) << n;
        ASSERT_EQ(r.events.size(), 1u);
        EXPECT_EQ(r.events[0].data, payload) << n;
    }
}

TEST(EngineWsReader, DecodesSixtyFourBitLengths) {
    for (std::size_t n : {65536u, 100000u}) {
        auto const payload = pseudo_random_bytes(n);
        auto const r = consume_all(binary(payload));
        ASSERT_FALSE(r.ec) << n;
        ASSERT_EQ(r.events.size(), 1u);
        EXPECT_EQ(r.events[0].data, payload) << n;
    }
}

TEST(EngineWsReader, AcceptsEmptyMessages) {
    auto const r = consume_all(text("") + binary(""));
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.events, (std::vector<event>{{ws_opcode::text, ""}, {ws_opcode::binary, ""}}));
}

TEST(EngineWsReader, DeliversEveryFrameOfOneRead) {
    auto const bytes = text("4hello") + binary("\x01\x02"sv) + text("2");
    auto const r = consume_all(bytes);
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.used, bytes.size());
    EXPECT_EQ(
        r.events,
        (std::vector<event>{
            {ws_opcode::text, "4hello"},
            {ws_opcode::binary, "\x01\x02"},
            {ws_opcode::text, "2"},
        }));
}

TEST(EngineWsReader, DeliversControlFrames) {
    auto const r = consume_all(
        control(op_ping, "p") + control(op_pong, "") +
        control(op_close, close_payload(1000, "bye")));
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(
        r.events,
        (std::vector<event>{
            {ws_opcode::ping, "p"},
            {ws_opcode::pong, ""},
            {ws_opcode::close, close_payload(1000, "bye")},
        }));
}

TEST(EngineWsReader, AcceptsCloseFrameWithoutPayload) {
    auto const r = consume_all(control(op_close, ""));
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.events, (std::vector<event>{{ws_opcode::close, ""}}));
}

TEST(EngineWsReader, AcceptsControlFrameOf125Bytes) {
    std::string const payload(125, 'x');
    for (auto op : {op_ping, op_pong}) {
        auto const r = consume_all(control(op, payload));
        ASSERT_FALSE(r.ec) << int{op};
        ASSERT_EQ(r.events.size(), 1u);
        EXPECT_EQ(r.events[0].data, payload);
    }
}

TEST(EngineWsReader, StopsWhenHandlerReturnsFalse) {
    auto const first = text("a");
    auto bytes = first + text("b") + text("c");
    ws_reader reader{default_limit};
    boost::system::error_code ec;
    int calls = 0;
    auto const used = reader.consume(bytes.data(), bytes.size(), ec, [&](ws_event const&) {
        ++calls;
        return false;
    });
    ASSERT_FALSE(ec);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(used, first.size());
    auto const rest = consume_all(reader, bytes.substr(used));
    ASSERT_FALSE(rest.ec);
    EXPECT_EQ(rest.events, (std::vector<event>{{ws_opcode::text, "b"}, {ws_opcode::text, "c"}}));
}

TEST(EngineWsReader, ConsumesNothingFromEmptyBuffer) {
    auto const r = consume_all("");
    EXPECT_FALSE(r.ec);
    EXPECT_EQ(r.used, 0u);
    EXPECT_TRUE(r.events.empty());
}

// --- ws_reader: partial reads ----------------------------------------------------------------

TEST(EngineWsReader, KeepsTruncatedFrameForNextReadAtEveryByteBoundary) {
    std::vector<std::string> const frames = {
        text("Hello"),
        control(op_ping, "p"),
        text("He", false),
        control(op_pong, ""),
        continuation("l", false),
        continuation("lo"),
        binary(pseudo_random_bytes(300)),
        text(kosme.substr(0, 3), false),
        continuation(kosme.substr(3)),
        control(op_close, close_payload(1000)),
    };
    std::string bytes;
    std::vector<std::size_t> ends;
    for (auto const& f : frames) {
        bytes += f;
        ends.push_back(bytes.size());
    }
    auto const whole = consume_all(bytes);
    ASSERT_FALSE(whole.ec);
    ASSERT_EQ(whole.used, bytes.size());
    ASSERT_EQ(whole.events.size(), 7u);

    for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
        std::size_t complete = 0;
        for (auto const end : ends)
            if (end <= cut)
                complete = end;
        ws_reader reader{default_limit};
        auto const first = consume_all(reader, bytes.substr(0, cut));
        ASSERT_FALSE(first.ec) << "cut " << cut;
        ASSERT_EQ(first.used, complete) << "cut " << cut;
        auto const second = consume_all(reader, bytes.substr(first.used));
        ASSERT_FALSE(second.ec) << "cut " << cut;
        ASSERT_EQ(first.used + second.used, bytes.size()) << "cut " << cut;
        auto events = first.events;
        events.insert(events.end(), second.events.begin(), second.events.end());
        ASSERT_EQ(events, whole.events) << "cut " << cut;
    }
}

TEST(EngineWsReader, KeepsTruncatedSixtyFourBitFrameForNextRead) {
    auto const payload = pseudo_random_bytes(70000);
    auto const bytes = binary(payload);
    for (std::size_t cut : {0u, 1u, 2u, 5u, 9u, 10u, 11u, 13u, 14u, 15u, 1000u, 70013u}) {
        ws_reader reader{default_limit};
        auto const first = consume_all(reader, bytes.substr(0, cut));
        ASSERT_FALSE(first.ec) << "cut " << cut;
        ASSERT_EQ(first.used, 0u) << "cut " << cut;
        ASSERT_TRUE(first.events.empty());
        auto const second = consume_all(reader, bytes);
        ASSERT_FALSE(second.ec) << "cut " << cut;
        ASSERT_EQ(second.events.size(), 1u);
        EXPECT_EQ(second.events[0].data, payload);
    }
}

TEST(EngineWsReader, ParsesTheSameWhenFedOneByteAtATime) {
    auto const bytes = text("Hel", false) + control(op_ping, "ping") + continuation("lo") +
                       binary(pseudo_random_bytes(200)) + text(kosme);
    auto const whole = consume_all(bytes);
    ASSERT_FALSE(whole.ec);
    for (std::size_t piece : {1u, 2u, 3u, 7u, 64u}) {
        ws_reader reader{default_limit};
        auto const r = read_in_pieces(reader, bytes, piece);
        ASSERT_FALSE(r.ec) << "piece " << piece;
        EXPECT_EQ(r.used, bytes.size()) << "piece " << piece;
        EXPECT_EQ(r.events, whole.events) << "piece " << piece;
    }
}

TEST(EngineWsReader, ReportsPendingFrameSizeOnceTheHeaderIsKnown) {
    auto const bytes = binary(pseudo_random_bytes(1000)); // 2 + 2 + 4 header bytes
    ASSERT_EQ(bytes.size(), 1008u);
    ws_reader reader{default_limit};
    consume_all(reader, bytes.substr(0, 3));
    EXPECT_EQ(reader.pending_frame_size(), 0u);
    consume_all(reader, bytes.substr(0, 8));
    EXPECT_EQ(reader.pending_frame_size(), 1008u);
    consume_all(reader, bytes.substr(0, 1007));
    EXPECT_EQ(reader.pending_frame_size(), 1008u);
    consume_all(reader, bytes);
    EXPECT_EQ(reader.pending_frame_size(), 0u);
}

// --- ws_reader: malformed frames -------------------------------------------------------------

TEST(EngineWsReader, RejectsUnmaskedFrames) {
    for (auto const wire : {
             rfc_unmasked_hello,
             rfc_unmasked_fragment_hel,
             rfc_unmasked_fragment_lo,
             rfc_unmasked_ping,
         }) {
        auto const r = consume_all(std::string{wire});
        EXPECT_EQ(r.ec, error::invalid_websocket_frame) << hex(wire);
        EXPECT_TRUE(r.events.empty());
    }
}

TEST(EngineWsReader, RejectsUnmaskedFrameFromItsFirstTwoBytes) {
    auto const r = consume_all(std::string{rfc_unmasked_hello.substr(0, 2)});
    EXPECT_EQ(r.ec, error::invalid_websocket_frame);
    EXPECT_EQ(r.used, 0u);
}

TEST(EngineWsReader, RejectsUnmaskedFrameAfterGoodOnes) {
    auto const good = text("a");
    auto const r = consume_all(good + std::string{rfc_unmasked_hello});
    EXPECT_EQ(r.ec, error::invalid_websocket_frame);
    EXPECT_EQ(r.used, good.size());
    EXPECT_EQ(r.events, (std::vector<event>{{ws_opcode::text, "a"}}));
}

TEST(EngineWsReader, RejectsReservedBits) {
    for (auto const bits : {rsv2, rsv3, std::uint8_t(rsv2 | rsv3), std::uint8_t(rsv1 | rsv2)}) {
        for (bool const allow : {false, true}) {
            auto const r =
                consume_all(client_frame(op_text, "x").rsv(bits).wire(), default_limit, allow);
            EXPECT_EQ(r.ec, error::invalid_websocket_frame) << int{bits} << " allow " << allow;
            EXPECT_TRUE(r.events.empty());
        }
    }
}

TEST(EngineWsReader, RejectsRsv1UnlessNegotiated) {
    auto const r = consume_all(client_frame(op_binary, "x").rsv(rsv1).wire());
    EXPECT_EQ(r.ec, error::invalid_websocket_frame);
}

TEST(EngineWsReader, MarksRsv1MessagesCompressedWhenNegotiated) {
    // Compressed text is checked for UTF-8 only after inflating, so the reader lets it through.
    auto const bytes = client_frame(op_text, "\xff\x00"sv).rsv(rsv1).wire() +
                       client_frame(op_binary, "\x01").rsv(rsv1).wire();
    auto const r = consume_all(bytes, default_limit, true);
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(
        r.events,
        (std::vector<event>{
            {ws_opcode::text, std::string{"\xff\x00"sv}, true},
            {ws_opcode::binary, "\x01", true},
        }));
}

TEST(EngineWsReader, AcceptsRsv1AfterSetAllowRsv1) {
    ws_reader reader{default_limit};
    auto const frame = client_frame(op_text, "x").rsv(rsv1).wire();
    EXPECT_EQ(consume_all(reader, frame).ec, error::invalid_websocket_frame);
    ws_reader negotiated{default_limit};
    negotiated.set_allow_rsv1(true);
    auto const r = consume_all(negotiated, frame);
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.events, (std::vector<event>{{ws_opcode::text, "x", true}}));
}

TEST(EngineWsReader, RejectsRsv1OnControlFrame) {
    for (auto op : {op_ping, op_pong, op_close}) {
        auto const r = consume_all(client_frame(op, "").rsv(rsv1).wire(), default_limit, true);
        EXPECT_EQ(r.ec, error::invalid_websocket_frame) << int{op};
    }
}

TEST(EngineWsReader, RejectsRsv1OnContinuationFrame) {
    auto const bytes = client_frame(op_text, "a").fin(false).rsv(rsv1).wire() +
                       client_frame(op_continuation, "b").rsv(rsv1).wire();
    auto const r = consume_all(bytes, default_limit, true);
    EXPECT_EQ(r.ec, error::invalid_websocket_frame);
    EXPECT_TRUE(r.events.empty());
}

TEST(EngineWsReader, MarksFragmentedMessageCompressedByItsFirstFrame) {
    auto const bytes = client_frame(op_binary, "a").fin(false).rsv(rsv1).wire() + continuation("b");
    auto const r = consume_all(bytes, default_limit, true);
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.events, (std::vector<event>{{ws_opcode::binary, "ab", true}}));
}

TEST(EngineWsReader, RejectsReservedOpcodes) {
    for (std::uint8_t op : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
        auto const r = consume_all(client_frame(op, "x").wire());
        EXPECT_EQ(r.ec, error::invalid_websocket_frame) << int{op};
        EXPECT_TRUE(r.events.empty());
    }
}

TEST(EngineWsReader, RejectsFragmentedControlFrame) {
    for (auto op : {op_ping, op_pong, op_close}) {
        auto const r = consume_all(client_frame(op, "x").fin(false).wire());
        EXPECT_EQ(r.ec, error::invalid_websocket_frame) << int{op};
        EXPECT_TRUE(r.events.empty());
    }
}

TEST(EngineWsReader, RejectsControlFrameLongerThan125Bytes) {
    std::string const payload(126, 'x');
    for (auto op : {op_ping, op_pong, op_close}) {
        auto const r = consume_all(control(op, payload));
        EXPECT_EQ(r.ec, error::invalid_websocket_frame) << int{op};
        EXPECT_TRUE(r.events.empty());
    }
}

TEST(EngineWsReader, RejectsCloseFrameWithOneBytePayload) {
    auto const r = consume_all(control(op_close, "\x03"));
    EXPECT_EQ(r.ec, error::invalid_websocket_frame);
    EXPECT_TRUE(r.events.empty());
}

TEST(EngineWsReader, AcceptsCloseFrameWithValidCode) {
    for (auto const code : valid_close_codes) {
        auto const payload = close_payload(code, "bye");
        auto const r = consume_all(control(op_close, payload));
        ASSERT_FALSE(r.ec) << code;
        EXPECT_EQ(r.events, (std::vector<event>{{ws_opcode::close, payload}}));
    }
}

// Autobahn 7.9.x: the server must fail the connection rather than echo a bad code.
TEST(EngineWsReader, RejectsCloseFrameWithInvalidCode) {
    for (auto const code : invalid_close_codes) {
        auto const r = consume_all(control(op_close, close_payload(code)));
        EXPECT_EQ(r.ec, error::invalid_websocket_frame) << code;
        EXPECT_TRUE(r.events.empty()) << code;
    }
}

// RFC 6455 §5.5.1 + §8.1, Autobahn 7.5.1: the close reason is UTF-8 like any text.
TEST(EngineWsReader, RejectsCloseReasonThatIsNotUtf8) {
    for (auto const reason :
         {"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"sv, "\xff"sv, "\xe2\x82"sv}) {
        auto const r = consume_all(control(op_close, close_payload(1000, reason)));
        EXPECT_EQ(r.ec, error::invalid_utf8) << hex(reason);
        EXPECT_TRUE(r.events.empty()) << hex(reason);
    }
}

TEST(EngineWsReader, RejectsNonMinimalSixteenBitLength) {
    for (std::size_t n : {0u, 1u, 125u}) {
        std::string const payload(n, 'x');
        auto const r =
            consume_all(client_frame(op_binary, payload).form(length_form::sixteen_bit).wire());
        EXPECT_EQ(r.ec, error::invalid_websocket_frame) << n;
        EXPECT_TRUE(r.events.empty());
    }
}

TEST(EngineWsReader, RejectsNonMinimalSixtyFourBitLength) {
    for (std::size_t n : {0u, 125u, 126u, 65535u}) {
        std::string const payload(n, 'x');
        auto const r =
            consume_all(client_frame(op_binary, payload).form(length_form::sixty_four_bit).wire());
        EXPECT_EQ(r.ec, error::invalid_websocket_frame) << n;
        EXPECT_TRUE(r.events.empty());
    }
}

TEST(EngineWsReader, RejectsSixtyFourBitLengthWithTopBitSet) {
    auto const r =
        consume_all(client_frame(op_binary, "").declared_length(0x8000000000000000).wire());
    EXPECT_EQ(r.ec, error::invalid_websocket_frame);
}

TEST(EngineWsReader, RejectsContinuationWithoutStart) {
    for (bool const fin : {true, false}) {
        auto const r = consume_all(continuation("x", fin));
        EXPECT_EQ(r.ec, error::invalid_websocket_frame) << "fin " << fin;
        EXPECT_TRUE(r.events.empty());
    }
}

TEST(EngineWsReader, RejectsContinuationAfterMessageEnded) {
    auto const r = consume_all(text("a", false) + continuation("b") + continuation("c"));
    EXPECT_EQ(r.ec, error::invalid_websocket_frame);
    EXPECT_EQ(r.events, (std::vector<event>{{ws_opcode::text, "ab"}}));
}

TEST(EngineWsReader, RejectsNewDataFrameInsideFragmentedMessage) {
    for (auto const& bytes : {
             text("a", false) + text("b"),
             text("a", false) + binary("b", false),
             binary("a", false) + text("b"),
             binary("a", false) + continuation("b", false) + binary("c"),
         }) {
        auto const r = consume_all(bytes);
        EXPECT_EQ(r.ec, error::invalid_websocket_frame) << hex(bytes);
        EXPECT_TRUE(r.events.empty());
    }
}

// --- ws_reader: fragmentation ----------------------------------------------------------------

TEST(EngineWsReader, ReassemblesFragmentedText) {
    auto const r = consume_all(text("Hel", false) + continuation("lo"));
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.events, (std::vector<event>{{ws_opcode::text, "Hello"}}));
}

TEST(EngineWsReader, ReassemblesManyFragmentsIncludingEmptyOnes) {
    auto const bytes = binary("", false) + continuation("\x01", false) + continuation("", false) +
                       continuation("\x02\x03", false) + continuation("");
    auto const r = consume_all(bytes);
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.used, bytes.size());
    EXPECT_EQ(r.events, (std::vector<event>{{ws_opcode::binary, "\x01\x02\x03"}}));
}

TEST(EngineWsReader, DeliversControlFramesBetweenFragments) {
    auto const bytes = text("Hel", false) + control(op_ping, "1") + continuation("l", false) +
                       control(op_pong, "2") + continuation("o");
    auto const r = consume_all(bytes);
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(
        r.events,
        (std::vector<event>{
            {ws_opcode::ping, "1"},
            {ws_opcode::pong, "2"},
            {ws_opcode::text, "Hello"},
        }));
}

TEST(EngineWsReader, ReassemblesFragmentsSpreadOverReads) {
    ws_reader reader{default_limit};
    auto const first = consume_all(reader, text("4he", false));
    ASSERT_FALSE(first.ec);
    EXPECT_TRUE(first.events.empty());
    auto const second = consume_all(reader, continuation("ll", false));
    ASSERT_FALSE(second.ec);
    EXPECT_TRUE(second.events.empty());
    auto const third = consume_all(reader, continuation("o"));
    ASSERT_FALSE(third.ec);
    EXPECT_EQ(third.events, (std::vector<event>{{ws_opcode::text, "4hello"}}));
}

TEST(EngineWsReader, GivesTheReassemblyBufferBackOnceTheMessageIsDelivered) {
    ws_reader reader{default_limit};
    auto const half = std::string(32 * 1024, 'x');
    ASSERT_FALSE(consume_all(reader, binary(half, false)).ec);
    EXPECT_GE(reader.reassembly_capacity(), half.size());
    auto const r = consume_all(reader, continuation(half));
    ASSERT_FALSE(r.ec);
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0].data.size(), 2 * half.size());
    EXPECT_LT(reader.reassembly_capacity(), 64u); // what an empty std::string holds in place
}

TEST(EngineWsReader, StartsAFreshMessageAfterAFragmentedOne) {
    auto const bytes =
        text("a", false) + continuation("b") + binary("c", false) + continuation("d") + text("e");
    auto const r = consume_all(bytes);
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(
        r.events,
        (std::vector<event>{
            {ws_opcode::text, "ab"},
            {ws_opcode::binary, "cd"},
            {ws_opcode::text, "e"},
        }));
}

// --- ws_reader: size limit -------------------------------------------------------------------

constexpr std::size_t small_limit = 10;

TEST(EngineWsReader, AcceptsFrameExactlyAtLimit) {
    std::string const payload(small_limit, 'x');
    auto const r = consume_all(binary(payload), small_limit);
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.events, (std::vector<event>{{ws_opcode::binary, payload}}));
}

TEST(EngineWsReader, RefusesFrameOneByteOverLimit) {
    auto const r = consume_all(text(std::string(small_limit + 1, 'x')), small_limit);
    EXPECT_EQ(r.ec, error::payload_too_large);
    EXPECT_EQ(r.ec, sio::engine::condition::limit_exceeded);
    EXPECT_TRUE(r.events.empty());
}

TEST(EngineWsReader, RefusesOversizedFrameFromItsHeaderAlone) {
    auto const frame = binary(pseudo_random_bytes(70000));
    auto const r = consume_all(frame.substr(0, 14), 65536);
    EXPECT_EQ(r.ec, error::payload_too_large);
    EXPECT_EQ(r.used, 0u);
}

TEST(EngineWsReader, RefusesHugeDeclaredLength) {
    auto const r = consume_all(client_frame(op_binary, "").declared_length(1ull << 40).wire());
    EXPECT_EQ(r.ec, error::payload_too_large);
}

TEST(EngineWsReader, AcceptsFragmentedMessageExactlyAtLimit) {
    auto const r =
        consume_all(text("1234", false) + continuation("56789", false) + continuation("0"), 10);
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.events, (std::vector<event>{{ws_opcode::text, "1234567890"}}));
}

TEST(EngineWsReader, RefusesFragmentedMessageOneByteOverLimit) {
    auto const r =
        consume_all(text("1234", false) + continuation("56789", false) + continuation("01"), 10);
    EXPECT_EQ(r.ec, error::payload_too_large);
    EXPECT_TRUE(r.events.empty());
}

TEST(EngineWsReader, CountsEveryFragmentTowardsTheLimit) {
    std::string bytes = binary("12345", false);
    for (int i = 0; i < 100; ++i)
        bytes += continuation("", false);
    bytes += continuation("123456");
    auto const r = consume_all(bytes, 10);
    EXPECT_EQ(r.ec, error::payload_too_large);
}

// --- ws_reader: UTF-8 ------------------------------------------------------------------------

TEST(EngineWsReader, AcceptsValidUtf8Text) {
    for (auto const s : valid_utf8) {
        auto const r = consume_all(text(s));
        ASSERT_FALSE(r.ec) << hex(s);
        EXPECT_EQ(r.events, (std::vector<event>{{ws_opcode::text, std::string{s}}}));
    }
}

TEST(EngineWsReader, RejectsInvalidUtf8InTextFrame) {
    std::vector<std::string_view> bad;
    bad.insert(bad.end(), std::begin(overlong_utf8), std::end(overlong_utf8));
    bad.insert(bad.end(), std::begin(surrogate_utf8), std::end(surrogate_utf8));
    bad.insert(bad.end(), std::begin(beyond_unicode_utf8), std::end(beyond_unicode_utf8));
    bad.insert(bad.end(), std::begin(malformed_utf8), std::end(malformed_utf8));
    bad.insert(bad.end(), std::begin(truncated_utf8), std::end(truncated_utf8));
    for (auto const s : bad) {
        auto const r = consume_all(text(s));
        EXPECT_EQ(r.ec, error::invalid_utf8) << hex(s);
        EXPECT_TRUE(r.events.empty()) << hex(s);
    }
}

TEST(EngineWsReader, AcceptsInvalidUtf8InBinaryFrame) {
    auto const r = consume_all(binary("\xff\xfe\xed\xa0\x80"sv));
    ASSERT_FALSE(r.ec);
    ASSERT_EQ(r.events.size(), 1u);
}

TEST(EngineWsReader, AcceptsUtf8SplitAcrossFragmentsAtEveryByte) {
    for (std::size_t cut = 0; cut <= kosme.size(); ++cut) {
        auto const r =
            consume_all(text(kosme.substr(0, cut), false) + continuation(kosme.substr(cut)));
        ASSERT_FALSE(r.ec) << "cut " << cut;
        EXPECT_EQ(r.events, (std::vector<event>{{ws_opcode::text, std::string{kosme}}}));
    }
}

TEST(EngineWsReader, AcceptsFourByteCharacterSplitOverFourFragments) {
    auto const bytes = text("\xf0", false) + continuation("\x9f", false) +
                       continuation("\x98", false) + continuation("\x80");
    auto const r = consume_all(bytes);
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.events, (std::vector<event>{{ws_opcode::text, "\xf0\x9f\x98\x80"}}));
}

TEST(EngineWsReader, RejectsInvalidUtf8InFirstFragmentAtOnce) {
    // Autobahn 6.4.x: fail fast, without waiting for the rest of the message.
    auto const r = consume_all(text("a\xff", false));
    EXPECT_EQ(r.ec, error::invalid_utf8);
}

TEST(EngineWsReader, RejectsInvalidUtf8InContinuationAtOnce) {
    auto const r = consume_all(text(kosme, false) + continuation("\xed\xa0\x80", false));
    EXPECT_EQ(r.ec, error::invalid_utf8);
    EXPECT_TRUE(r.events.empty());
}

TEST(EngineWsReader, RejectsSurrogateSplitAcrossFragments) {
    auto const r = consume_all(text("\xed", false) + continuation("\xa0\x80"));
    EXPECT_EQ(r.ec, error::invalid_utf8);
}

TEST(EngineWsReader, RejectsOverlongSplitAcrossFragments) {
    auto const r = consume_all(text("\xe0", false) + continuation("\x80\xaf"));
    EXPECT_EQ(r.ec, error::invalid_utf8);
}

TEST(EngineWsReader, RejectsFragmentedTextEndingMidCharacter) {
    auto const r = consume_all(text("a", false) + continuation("\xe2\x82"));
    EXPECT_EQ(r.ec, error::invalid_utf8);
    EXPECT_TRUE(r.events.empty());
}

TEST(EngineWsReader, ChecksEachMessageOnItsOwn) {
    ws_reader reader{default_limit};
    auto const first = consume_all(reader, text("\xe2\x82\xac"));
    ASSERT_FALSE(first.ec);
    auto const second = consume_all(reader, text("\x82\xac"));
    EXPECT_EQ(second.ec, error::invalid_utf8);
}

TEST(EngineWsReader, AcceptsInvalidUtf8InFragmentedBinary) {
    auto const r = consume_all(binary("\xed", false) + continuation("\xa0\x80"));
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.events, (std::vector<event>{{ws_opcode::binary, "\xed\xa0\x80"}}));
}

} // namespace
