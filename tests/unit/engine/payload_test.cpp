#include <sio/engine/payload.hpp>
// The header under test comes first, to prove it self-contained.

#include <sio/engine/error.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace std::string_view_literals;
using sio::engine::append_payload_packet;
using sio::engine::decode_payload;
using sio::engine::error;
using sio::engine::packet;
using sio::engine::packet_type;
using sio::engine::payload_separator;

// Long-polling bodies from the engine.io-protocol README (EIO v4), 0x1e between packets. It is
// written \u001e, since \x1e would swallow a following hex digit.
constexpr auto single_text_body = "4hello"sv;
constexpr auto two_text_body = "4hello\u001e4\xe2\x82\xac"sv; // "4hello<RS>4€"
constexpr auto text_and_binary_body = "4hello\u001ebAQIDBA=="sv;
constexpr auto single_binary_body = "bAQIDBA=="sv;
constexpr auto unpadded_binary_body = "bAQIDBA"sv;
constexpr auto control_body = "2\u001e3probe\u001e6\u001e1"sv;
constexpr auto lone_b_body = "b"sv;

constexpr auto binary_bytes = "\x01\x02\x03\x04"sv;

bool same_packets(sio::engine::decoded_payload const& a, std::vector<packet> const& b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].type != b[i].type || a[i].data != b[i].data || a[i].binary != b[i].binary)
            return false;
    return true;
}

std::string encode_all(std::vector<packet> const& packets) {
    std::string body;
    for (auto const& p : packets)
        append_payload_packet(p.view(), body);
    return body;
}

std::string encode_all(sio::engine::decoded_payload const& packets) {
    std::string body;
    for (auto const& p : packets)
        append_payload_packet(p, body);
    return body;
}

TEST(EnginePayload, SeparatorIsRecordSeparator) {
    EXPECT_EQ(payload_separator, '\x1e');
}

TEST(EnginePayload, DecodesSinglePacket) {
    auto const packets = decode_payload(single_text_body);
    ASSERT_TRUE(packets);
    ASSERT_EQ(packets->size(), 1u);
    EXPECT_EQ((*packets)[0].type, packet_type::message);
    EXPECT_EQ((*packets)[0].data, "hello");
    EXPECT_FALSE((*packets)[0].binary);
}

TEST(EnginePayload, DecodesPacketsInOrder) {
    auto const packets = decode_payload(two_text_body);
    ASSERT_TRUE(packets);
    ASSERT_EQ(packets->size(), 2u);
    EXPECT_EQ((*packets)[0].data, "hello");
    EXPECT_EQ((*packets)[1].data, "\xe2\x82\xac");
}

TEST(EnginePayload, DecodesControlPackets) {
    auto const packets = decode_payload(control_body);
    ASSERT_TRUE(packets);
    ASSERT_EQ(packets->size(), 4u);
    EXPECT_EQ((*packets)[0].type, packet_type::ping);
    EXPECT_EQ((*packets)[1].type, packet_type::pong);
    EXPECT_EQ((*packets)[1].data, "probe");
    EXPECT_EQ((*packets)[2].type, packet_type::noop);
    EXPECT_EQ((*packets)[3].type, packet_type::close);
}

TEST(EnginePayload, DecodesBase64BinaryPacket) {
    auto const packets = decode_payload(single_binary_body);
    ASSERT_TRUE(packets);
    ASSERT_EQ(packets->size(), 1u);
    EXPECT_EQ((*packets)[0].type, packet_type::message);
    EXPECT_EQ((*packets)[0].data, binary_bytes);
    EXPECT_TRUE((*packets)[0].binary);
}

TEST(EnginePayload, DecodesMixedTextAndBinary) {
    auto const packets = decode_payload(text_and_binary_body);
    ASSERT_TRUE(packets);
    ASSERT_EQ(packets->size(), 2u);
    EXPECT_EQ((*packets)[0].data, "hello");
    EXPECT_FALSE((*packets)[0].binary);
    EXPECT_EQ((*packets)[1].data, binary_bytes);
    EXPECT_TRUE((*packets)[1].binary);
}

TEST(EnginePayload, DecodesUnpaddedBase64) {
    auto const packets = decode_payload(unpadded_binary_body);
    ASSERT_TRUE(packets);
    ASSERT_EQ(packets->size(), 1u);
    EXPECT_EQ((*packets)[0].data, binary_bytes);
}

// engine.io-parser decodes a lone "b" to an empty buffer.
TEST(EnginePayload, DecodesLoneBAsEmptyBinary) {
    auto const packets = decode_payload(lone_b_body);
    ASSERT_TRUE(packets);
    ASSERT_EQ(packets->size(), 1u);
    EXPECT_TRUE((*packets)[0].binary);
    EXPECT_TRUE((*packets)[0].data.empty());
}

TEST(EnginePayload, KeepsBAfterTypeDigitAsText) {
    auto const packets = decode_payload("4bAQIDBA==");
    ASSERT_TRUE(packets);
    ASSERT_EQ(packets->size(), 1u);
    EXPECT_FALSE((*packets)[0].binary);
    EXPECT_EQ((*packets)[0].data, "bAQIDBA==");
}

// A body of many events is the hot path of long-polling: its text packets are not copied.
TEST(EnginePayload, TextPacketsBorrowTheBody) {
    std::string const body = "42[\"a\",\"0123456789abcdef0123456789\"]\u001e3\u001ebAQIDBA==";
    auto packets = decode_payload(body);
    ASSERT_TRUE(packets);
    ASSERT_EQ(packets->size(), 3u);
    EXPECT_EQ((*packets)[0].data.data(), body.data() + 1);
    EXPECT_EQ((*packets)[1].data.data(), body.data() + body.find('\x1e') + 2);
    EXPECT_EQ((*packets)[2].data, binary_bytes);
    // Moving the result keeps the decoded binary where the view points.
    auto const moved = std::move(*packets);
    EXPECT_EQ(moved[2].data, binary_bytes);
}

TEST(EnginePayload, RejectsEmptyBody) {
    auto const packets = decode_payload("");
    ASSERT_FALSE(packets);
    EXPECT_EQ(packets.error(), error::empty_packet);
}

TEST(EnginePayload, RejectsEmptySegment) {
    for (auto const body : {
             "\u001e"sv,
             "\u001e4a"sv,
             "4a\u001e"sv,
             "4a\u001e\u001e4b"sv,
             "\u001e\u001e"sv,
             "bAQIDBA==\u001e"sv,
         }) {
        auto const packets = decode_payload(body);
        ASSERT_FALSE(packets) << "body: " << body;
        EXPECT_EQ(packets.error(), error::empty_packet) << "body: " << body;
    }
}

TEST(EnginePayload, RejectsUnknownTypeInAnySegment) {
    for (auto const body : {
             "9"sv,
             "x"sv,
             "4a\u001e9b"sv,
             "4a\u001e4b\u001e7"sv,
             " 4a"sv,
         }) {
        auto const packets = decode_payload(body);
        ASSERT_FALSE(packets) << "body: " << body;
        EXPECT_EQ(packets.error(), error::unknown_packet_type) << "body: " << body;
    }
}

TEST(EnginePayload, RejectsBadBase64) {
    for (auto const body : {
             "b!!!!"sv,      // bad characters
             "bAQID BA=="sv, // whitespace
             "bA\u001e"sv,   // 'A' alone, then an empty segment: base64 fails first
             "bAQIDB"sv,     // impossible length (4n+1 letters)
             "bAQIDBA="sv,   // padding that does not complete a quantum
             "bAQ==AQ=="sv,  // padding in the middle
             "bAQIDBA==="sv, // too much padding
             "4a\u001eb*"sv, // in a later segment
         }) {
        auto const packets = decode_payload(body);
        ASSERT_FALSE(packets) << "body: " << body;
        EXPECT_EQ(packets.error(), error::invalid_base64) << "body: " << body;
    }
}

TEST(EnginePayload, ReportsTheFirstBadSegment) {
    auto const empty_first = decode_payload("\u001e9");
    ASSERT_FALSE(empty_first);
    EXPECT_EQ(empty_first.error(), error::empty_packet);
    auto const unknown_first = decode_payload("9\u001e");
    ASSERT_FALSE(unknown_first);
    EXPECT_EQ(unknown_first.error(), error::unknown_packet_type);
}

TEST(EnginePayload, AppendsWithoutSeparatorToEmptyPayload) {
    std::string body;
    append_payload_packet({packet_type::message, "hello", false}, body);
    EXPECT_EQ(body, single_text_body);
}

TEST(EnginePayload, AppendsSeparatorBetweenPackets) {
    std::string body;
    append_payload_packet({packet_type::message, "hello", false}, body);
    append_payload_packet({packet_type::message, "\xe2\x82\xac", false}, body);
    EXPECT_EQ(body, two_text_body);
}

TEST(EnginePayload, AppendsBinaryAsBAndBase64) {
    std::string body;
    append_payload_packet({packet_type::message, "hello", false}, body);
    append_payload_packet({packet_type::message, binary_bytes, true}, body);
    EXPECT_EQ(body, text_and_binary_body);
}

TEST(EnginePayload, ReencodesEveryFixtureExactly) {
    for (auto const body : {
             single_text_body,
             two_text_body,
             text_and_binary_body,
             single_binary_body,
             control_body,
             lone_b_body,
         }) {
        auto const packets = decode_payload(body);
        ASSERT_TRUE(packets) << "body: " << body;
        EXPECT_EQ(encode_all(*packets), body);
    }
}

TEST(EnginePayload, RoundTripsMixedPackets) {
    std::string every_byte;
    for (int i = 0; i < 256; ++i)
        every_byte.push_back(static_cast<char>(i));
    std::vector<packet> const packets = {
        {packet_type::open, R"({"sid":"abc"})", false},
        {packet_type::ping, "", false},
        {packet_type::pong, "probe", false},
        {packet_type::message, "", false},
        {packet_type::message, "", true},
        {packet_type::message, "\x01", true},
        {packet_type::message, "\x01\x02", true},
        {packet_type::message, every_byte, true},
        {packet_type::message, "b", false},
        {packet_type::message, R"(42["chat","\u001e"])", false},
        {packet_type::upgrade, "", false},
        {packet_type::noop, "", false},
        {packet_type::close, "", false},
    };
    auto const body = encode_all(packets); // the decoded text packets borrow it
    auto const decoded = decode_payload(body);
    ASSERT_TRUE(decoded);
    EXPECT_TRUE(same_packets(*decoded, packets));
}

TEST(EnginePayload, RoundTripsManyPackets) {
    std::vector<packet> packets;
    for (int i = 0; i < 1000; ++i)
        packets.push_back({packet_type::message, std::to_string(i), i % 3 == 0});
    auto const body = encode_all(packets); // the decoded text packets borrow it
    auto const decoded = decode_payload(body);
    ASSERT_TRUE(decoded);
    EXPECT_TRUE(same_packets(*decoded, packets));
}

} // namespace
