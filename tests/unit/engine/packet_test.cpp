#include <sio/engine/packet.hpp>
// The header under test comes first, to prove it self-contained.

#include <sio/engine/error.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

using namespace std::string_view_literals;
using sio::engine::condition;
using sio::engine::decode_binary_packet;
using sio::engine::decode_text_packet;
using sio::engine::encode_polling_packet;
using sio::engine::error;
using sio::engine::packet;
using sio::engine::packet_type;
using sio::engine::packet_view;

// Text frames as a Node engine.io v4 peer sends them (engine.io-protocol README).
constexpr auto open_frame =
    R"(0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})"sv;
constexpr auto open_json = open_frame.substr(1);
constexpr auto close_frame = "1"sv;
constexpr auto ping_frame = "2"sv;
constexpr auto pong_frame = "3"sv;
constexpr auto probe_ping_frame = "2probe"sv;
constexpr auto probe_pong_frame = "3probe"sv;
constexpr auto message_frame = "4hello"sv;
constexpr auto empty_message_frame = "4"sv;
constexpr auto utf8_message_frame = "4\xe2\x82\xac \xf0\x9f\x98\x80"sv; // "4€ 😀"
constexpr auto socketio_event_frame = R"(42["chat","hi"])"sv;
constexpr auto upgrade_frame = "5"sv;
constexpr auto noop_frame = "6"sv;

// The engine.io-protocol README's binary example, and its polling form.
constexpr auto binary_bytes = "\x01\x02\x03\x04"sv;
constexpr auto binary_polling = "bAQIDBA=="sv;

constexpr std::string_view valid_frames[] = {
    open_frame,
    close_frame,
    ping_frame,
    pong_frame,
    probe_ping_frame,
    probe_pong_frame,
    message_frame,
    empty_message_frame,
    utf8_message_frame,
    socketio_event_frame,
    upgrade_frame,
    noop_frame,
};

static_assert(sio::engine::type_char(packet_type::open) == '0');
static_assert(sio::engine::type_char(packet_type::noop) == '6');

TEST(EnginePacket, MapsEveryTypeToItsWireDigit) {
    EXPECT_EQ(sio::engine::type_char(packet_type::open), '0');
    EXPECT_EQ(sio::engine::type_char(packet_type::close), '1');
    EXPECT_EQ(sio::engine::type_char(packet_type::ping), '2');
    EXPECT_EQ(sio::engine::type_char(packet_type::pong), '3');
    EXPECT_EQ(sio::engine::type_char(packet_type::message), '4');
    EXPECT_EQ(sio::engine::type_char(packet_type::upgrade), '5');
    EXPECT_EQ(sio::engine::type_char(packet_type::noop), '6');
}

TEST(EnginePacket, DecodesEveryTypeDigit) {
    struct expectation {
        std::string_view frame;
        packet_type type;
    };
    for (auto const& [frame, type] : {
             expectation{close_frame, packet_type::close},
             expectation{ping_frame, packet_type::ping},
             expectation{pong_frame, packet_type::pong},
             expectation{message_frame, packet_type::message},
             expectation{upgrade_frame, packet_type::upgrade},
             expectation{noop_frame, packet_type::noop},
             expectation{open_frame, packet_type::open},
         }) {
        auto const p = decode_text_packet(frame);
        ASSERT_TRUE(p) << "frame: " << frame;
        EXPECT_EQ(p->type, type) << "frame: " << frame;
        EXPECT_FALSE(p->binary);
    }
}

TEST(EnginePacket, DecodesOpenPacketWithHandshakeJson) {
    auto const p = decode_text_packet(open_frame);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->type, packet_type::open);
    EXPECT_EQ(p->data, open_json);
}

TEST(EnginePacket, DecodesProbePingAndPong) {
    auto const ping = decode_text_packet(probe_ping_frame);
    ASSERT_TRUE(ping);
    EXPECT_EQ(ping->type, packet_type::ping);
    EXPECT_EQ(ping->data, "probe");
    auto const pong = decode_text_packet(probe_pong_frame);
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->type, packet_type::pong);
    EXPECT_EQ(pong->data, "probe");
}

TEST(EnginePacket, DecodesMessageDataAfterTheTypeDigit) {
    auto const p = decode_text_packet(message_frame);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->type, packet_type::message);
    EXPECT_EQ(p->data, "hello");
}

TEST(EnginePacket, BorrowsDataFromTheFrame) {
    auto const p = decode_text_packet(socketio_event_frame);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->data.data(), socketio_event_frame.data() + 1);
    EXPECT_EQ(p->data.size(), socketio_event_frame.size() - 1);
}

TEST(EnginePacket, DecodesMessageWithEmptyData) {
    auto const p = decode_text_packet(empty_message_frame);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->type, packet_type::message);
    EXPECT_TRUE(p->data.empty());
}

TEST(EnginePacket, KeepsUtf8DataUntouched) {
    auto const p = decode_text_packet(utf8_message_frame);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->data, utf8_message_frame.substr(1));
}

TEST(EnginePacket, RejectsEmptyFrame) {
    auto const p = decode_text_packet("");
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error(), error::empty_packet);
    EXPECT_EQ(p.error(), condition::protocol_violation);
}

TEST(EnginePacket, RejectsUnknownType) {
    for (auto const frame : {
             "7"sv,
             "9hello"sv,
             "/"sv,
             ":"sv,
             "b"sv, // 'b'+base64 exists only in polling payloads
             "bAQIDBA=="sv,
             "a"sv,
             " 4hello"sv,
             "\u001e4"sv, // the payload separator, then a type
             "\0"sv,
             "\x80"sv,
             "\xff"sv,
             "{}"sv,
         }) {
        auto const p = decode_text_packet(frame);
        ASSERT_FALSE(p) << "frame: " << frame;
        EXPECT_EQ(p.error(), error::unknown_packet_type) << "frame: " << frame;
    }
}

TEST(EnginePacket, TreatsBinaryFrameAsMessageOfRawBytes) {
    auto const p = decode_binary_packet(binary_bytes);
    EXPECT_EQ(p.type, packet_type::message);
    EXPECT_TRUE(p.binary);
    EXPECT_EQ(p.data.data(), binary_bytes.data());
    EXPECT_EQ(p.data.size(), binary_bytes.size());
}

TEST(EnginePacket, DoesNotParseTypeDigitOfBinaryFrame) {
    auto const p = decode_binary_packet("4hello");
    EXPECT_EQ(p.type, packet_type::message);
    EXPECT_TRUE(p.binary);
    EXPECT_EQ(p.data, "4hello");
}

TEST(EnginePacket, AcceptsEmptyBinaryFrame) {
    auto const p = decode_binary_packet("");
    EXPECT_EQ(p.type, packet_type::message);
    EXPECT_TRUE(p.binary);
    EXPECT_TRUE(p.data.empty());
}

TEST(EnginePacket, EncodesTextPacketAsDigitAndData) {
    std::string out;
    encode_polling_packet({packet_type::message, "hello", false}, out);
    EXPECT_EQ(out, message_frame);
}

TEST(EnginePacket, EncodesPacketWithoutDataAsLoneDigit) {
    std::string out;
    encode_polling_packet({packet_type::ping, "", false}, out);
    EXPECT_EQ(out, ping_frame);
}

TEST(EnginePacket, EncodesBinaryPacketAsBAndBase64) {
    std::string out;
    encode_polling_packet({packet_type::message, binary_bytes, true}, out);
    EXPECT_EQ(out, binary_polling);
}

TEST(EnginePacket, EncodesEmptyBinaryPacketAsLoneB) {
    std::string out;
    encode_polling_packet({packet_type::message, "", true}, out);
    EXPECT_EQ(out, "b");
}

TEST(EnginePacket, AppendsToExistingOutput) {
    std::string out = "2probe";
    encode_polling_packet({packet_type::message, "x", false}, out);
    EXPECT_EQ(out, "2probe4x");
}

TEST(EnginePacket, RoundTripsEveryValidTextFrame) {
    for (auto const frame : valid_frames) {
        auto const p = decode_text_packet(frame);
        ASSERT_TRUE(p) << "frame: " << frame;
        std::string out;
        encode_polling_packet(*p, out);
        EXPECT_EQ(out, frame);
    }
}

TEST(EnginePacket, RoundTripsEveryTypeWithData) {
    for (int t = 0; t <= 6; ++t) {
        auto const type = static_cast<packet_type>(t);
        std::string out;
        encode_polling_packet({type, "data", false}, out);
        auto const p = decode_text_packet(out);
        ASSERT_TRUE(p);
        EXPECT_EQ(p->type, type);
        EXPECT_EQ(p->data, "data");
    }
}

TEST(EnginePacket, OwningPacketViewsItsFields) {
    packet const p{packet_type::message, std::string{binary_bytes}, true};
    auto const v = p.view();
    EXPECT_EQ(v.type, packet_type::message);
    EXPECT_EQ(v.data.data(), p.data.data());
    EXPECT_EQ(v.data, binary_bytes);
    EXPECT_TRUE(v.binary);
}

TEST(EnginePacket, DefaultsToTextMessage) {
    packet_view const v;
    EXPECT_EQ(v.type, packet_type::message);
    EXPECT_FALSE(v.binary);
    EXPECT_TRUE(v.data.empty());
}

} // namespace
