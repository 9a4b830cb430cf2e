#include <sio/parser/encode.hpp>
// The header under test comes first, to prove it self-contained.

#include <boost/json.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

using namespace std::string_view_literals;
using sio::parser::encode;
using sio::parser::encode_to;
using sio::parser::packet;
using sio::parser::packet_type;

// Encoded packets of the socket.io-protocol README (without the Engine.IO "4").
constexpr auto connect_main = "0"sv;
constexpr auto connect_admin_sid = R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})"sv;
constexpr auto connect_admin_token = R"(0/admin,{"token":"123"})"sv;
constexpr auto connect_error = R"(4{"message":"Not authorized"})"sv;
constexpr auto event_main = R"(2["foo"])"sv;
constexpr auto event_admin = R"(2/admin,["bar"])"sv;
constexpr auto event_with_ack = R"(212["foo"])"sv;
constexpr auto event_admin_ack = R"(2/admin,456["project:delete",123])"sv;
constexpr auto ack_admin = R"(3/admin,13["bar"])"sv;
constexpr auto ack_admin_empty = R"(3/admin,456[])"sv;
constexpr auto binary_event = R"(51-["baz",{"_placeholder":true,"num":0}])"sv;
constexpr auto binary_event_two =
    R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"sv;
constexpr auto binary_ack = R"(61-15["bar",{"_placeholder":true,"num":0}])"sv;
constexpr auto binary_ack_admin = R"(61-/admin,456[{"_placeholder":true,"num":0}])"sv;
constexpr auto disconnect_main = "1"sv;
constexpr auto disconnect_admin = "1/admin,"sv;

constexpr auto bytes_1234 = "\x01\x02\x03\x04"sv;

sio::shared_bytes bytes(std::string_view b) {
    return sio::shared_bytes{std::string{b}};
}

boost::json::value placeholder(std::int64_t n) {
    return {{"_placeholder", true}, {"num", n}};
}

std::string text_of(packet const& p) {
    return encode(p).text;
}

TEST(ParserEncode, EncodesConnect) {
    EXPECT_EQ(text_of({.type = packet_type::connect}), connect_main);
    EXPECT_EQ(
        text_of(
            {.type = packet_type::connect,
             .nsp = "/admin",
             .data = {{"sid", "oSO0OpakMV_3jnilAAAA"}}}),
        connect_admin_sid);
    EXPECT_EQ(
        text_of({.type = packet_type::connect, .nsp = "/admin", .data = {{"token", "123"}}}),
        connect_admin_token);
}

TEST(ParserEncode, EncodesConnectError) {
    EXPECT_EQ(
        text_of({.type = packet_type::connect_error, .data = {{"message", "Not authorized"}}}),
        connect_error);
}

TEST(ParserEncode, EncodesDisconnect) {
    EXPECT_EQ(text_of({.type = packet_type::disconnect}), disconnect_main);
    EXPECT_EQ(text_of({.type = packet_type::disconnect, .nsp = "/admin"}), disconnect_admin);
}

TEST(ParserEncode, EncodesEvents) {
    EXPECT_EQ(text_of({.type = packet_type::event, .data = {"foo"}}), event_main);
    EXPECT_EQ(text_of({.type = packet_type::event, .nsp = "/admin", .data = {"bar"}}), event_admin);
    EXPECT_EQ(text_of({.type = packet_type::event, .id = 12, .data = {"foo"}}), event_with_ack);
    EXPECT_EQ(
        text_of(
            {.type = packet_type::event,
             .nsp = "/admin",
             .id = 456,
             .data = {"project:delete", 123}}),
        event_admin_ack);
}

TEST(ParserEncode, EncodesAcks) {
    EXPECT_EQ(
        text_of({.type = packet_type::ack, .nsp = "/admin", .id = 13, .data = {"bar"}}), ack_admin);
    EXPECT_EQ(
        text_of(
            {.type = packet_type::ack, .nsp = "/admin", .id = 456, .data = boost::json::array{}}),
        ack_admin_empty);
}

TEST(ParserEncode, EncodesBinaryEventsWithTheirAttachments) {
    packet const p{
        .type = packet_type::binary_event,
        .data = {"baz", placeholder(0)},
        .attachments = {bytes(bytes_1234)}};
    auto const e = encode(p);
    EXPECT_EQ(e.text, binary_event);
    ASSERT_EQ(e.attachments.size(), 1u);
    EXPECT_EQ(e.attachments[0].view(), bytes_1234);
    // Shared, not copied.
    EXPECT_EQ(e.attachments[0].data(), p.attachments[0].data());

    packet const two{
        .type = packet_type::binary_event,
        .nsp = "/admin",
        .data = {"baz", placeholder(0), placeholder(1)},
        .attachments = {bytes("\x01\x02"), bytes("\x03\x04")}};
    EXPECT_EQ(encode(two).text, binary_event_two);
    EXPECT_EQ(encode(two).attachments.size(), 2u);
}

TEST(ParserEncode, EncodesBinaryAcks) {
    EXPECT_EQ(
        text_of(
            {.type = packet_type::binary_ack,
             .id = 15,
             .data = {"bar", placeholder(0)},
             .attachments = {bytes(bytes_1234)}}),
        binary_ack);
    EXPECT_EQ(
        text_of(
            {.type = packet_type::binary_ack,
             .nsp = "/admin",
             .id = 456,
             .data = {placeholder(0)},
             .attachments = {bytes(bytes_1234)}}),
        binary_ack_admin);
}

TEST(ParserEncode, SendsEventsWithAttachmentsAsBinary) {
    EXPECT_EQ(
        text_of(
            {.type = packet_type::event,
             .data = {"baz", placeholder(0)},
             .attachments = {bytes(bytes_1234)}}),
        binary_event);
    EXPECT_EQ(
        text_of(
            {.type = packet_type::ack,
             .id = 15,
             .data = {"bar", placeholder(0)},
             .attachments = {bytes(bytes_1234)}}),
        binary_ack);
}

TEST(ParserEncode, SendsBinaryTypesWithoutAttachmentsAsText) {
    EXPECT_EQ(text_of({.type = packet_type::binary_event, .data = {"foo"}}), event_main);
    EXPECT_EQ(
        text_of({.type = packet_type::binary_ack, .nsp = "/admin", .id = 13, .data = {"bar"}}),
        ack_admin);
}

TEST(ParserEncode, OmitsAnEmptyNamespace) {
    EXPECT_EQ(text_of({.type = packet_type::event, .nsp = "", .data = {"foo"}}), event_main);
}

TEST(ParserEncode, WritesAckIdZeroAndLargeIds) {
    EXPECT_EQ(text_of({.type = packet_type::ack, .id = 0, .data = boost::json::array{}}), "30[]");
    EXPECT_EQ(
        text_of({.type = packet_type::ack, .id = 9007199254740991u, .data = boost::json::array{}}),
        "39007199254740991[]");
}

TEST(ParserEncode, WritesPayloadsAsJsonStringify) {
    EXPECT_EQ(
        text_of({.type = packet_type::event, .data = {"n", 1.5, 1e21, 100.0, "\n\x01"}}),
        R"(2["n",1.5,1e+21,100,"\n\u0001"])");
    EXPECT_EQ(text_of({.type = packet_type::connect_error, .data = "nope"}), R"(4"nope")");
}

TEST(ParserEncode, AppendsToABuffer) {
    std::string out = "4";
    encode_to({.type = packet_type::event, .data = {"foo"}}, out);
    std::string expected = "4";
    expected += event_main;
    EXPECT_EQ(out, expected);
    encode_to({.type = packet_type::disconnect, .nsp = "/admin"}, out);
    expected += disconnect_admin;
    EXPECT_EQ(out, expected);
}

} // namespace
