#include <sio/parser/decode.hpp>
// The header under test comes first, to prove it self-contained.

#include <sio/parser/encode.hpp>
#include <sio/parser/error.hpp>
#include <sio/parser/json.hpp>

#include <boost/json.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

using namespace std::string_view_literals;
using sio::parser::decode_options;
using sio::parser::decode_text;
using sio::parser::decoder;
using sio::parser::error;
using sio::parser::packet;
using sio::parser::packet_type;
using sio::parser::to_json;

// Encoded packets of the socket.io-protocol README (without the Engine.IO "4").
constexpr auto connect_main = "0"sv;
constexpr auto connect_admin = "0/admin,"sv;
constexpr auto connect_admin_no_comma = "0/admin"sv; // what the protocol test suite sends
constexpr auto connect_admin_token = R"(0/admin,{"token":"123"})"sv;
constexpr auto connect_admin_sid = R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})"sv;
constexpr auto connect_error = R"(4{"message":"Not authorized"})"sv;
constexpr auto connect_error_string = R"(4"Not authorized")"sv;
constexpr auto disconnect_main = "1"sv;
constexpr auto disconnect_admin = "1/admin,"sv;
constexpr auto event_hello = R"(2["hello",1])"sv;
constexpr auto event_admin_ack = R"(2/admin,456["project:delete",123])"sv;
constexpr auto event_with_ack = R"(212["foo"])"sv;
constexpr auto event_numeric_name = R"(2[42,"x"])"sv;
constexpr auto ack_admin_empty = R"(3/admin,456[])"sv;
constexpr auto ack_admin = R"(3/admin,13["bar"])"sv;
constexpr auto binary_event = R"(51-["hello",{"_placeholder":true,"num":0}])"sv;
constexpr auto binary_event_two =
    R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"sv;
constexpr auto binary_event_none = R"(50-["hello"])"sv; // Node sends no such packet
constexpr auto binary_ack = R"(61-15["bar",{"_placeholder":true,"num":0}])"sv;
constexpr auto binary_ack_admin = R"(61-/admin,456[{"_placeholder":true,"num":0}])"sv;

constexpr auto bytes_1234 = "\x01\x02\x03\x04"sv;
constexpr auto bytes_12 = "\x01\x02"sv;
constexpr auto bytes_34 = "\x03\x04"sv;

// Largest ack id a JS peer can represent exactly (Number.MAX_SAFE_INTEGER), and one past it.
constexpr auto max_safe_ack = R"(39007199254740991[])"sv;
constexpr auto overflowing_ack = R"(39007199254740992[])"sv;

struct bad_case {
    std::string_view text;
    error expected;
};

constexpr bad_case malformed[] = {
    {""sv, error::empty_packet},
    {"7"sv, error::unknown_packet_type},
    {"9[]"sv, error::unknown_packet_type},
    {"a"sv, error::unknown_packet_type},
    {"abc"sv, error::unknown_packet_type},
    {" 0"sv, error::unknown_packet_type},
    {"/0"sv, error::unknown_packet_type},
    // Attachment count: digits then '-'.
    {"5"sv, error::invalid_attachment_count},
    {R"(5["a"])"sv, error::invalid_attachment_count},
    {R"(5-["a"])"sv, error::invalid_attachment_count},
    {R"(51["a"])"sv, error::invalid_attachment_count},
    {R"(5a-["a"])"sv, error::invalid_attachment_count},
    {"61"sv, error::invalid_attachment_count},
    {binary_event_none, error::invalid_attachment_count},
    {"60-[]"sv, error::invalid_attachment_count},
    {"500-[]"sv, error::invalid_attachment_count},
    {R"(511-["a"])"sv, error::too_many_attachments},
    {R"(599999999-["a"])"sv, error::too_many_attachments},
    {R"(5999999999999999999999999999-["a"])"sv, error::too_many_attachments},
    // Namespace without its leading '/'.
    {R"(2admin,["a"])"sv, error::invalid_namespace},
    {R"(0admin,{})"sv, error::invalid_namespace},
    // Ack id beyond 2^53-1.
    {overflowing_ack, error::invalid_ack_id},
    {R"(2/a,99999999999999999999999["a"])"sv, error::invalid_ack_id},
    // Payload that is not JSON, or more than one value.
    {"2abc"sv, error::invalid_json},
    {R"(2abc["message-with-ack",1,"2",{"3":[false]}])"sv, error::invalid_json},
    {R"(2["a")"sv, error::invalid_json},
    {R"(2["a"]x)"sv, error::invalid_json},
    {R"(2["a"]["b"])"sv, error::invalid_json},
    {R"(2["a",])"sv, error::invalid_json},
    {R"(2['a'])"sv, error::invalid_json},
    {R"(2["a" x])"sv, error::invalid_json},
    // Whitespace where the id would be: Node reads it as ack id 0, JSON.parse would skip it.
    {R"(2 ["a"])"sv, error::invalid_ack_id},
    {"2\n[\"a\"]"sv, error::invalid_ack_id},
    {R"(2/x, ["a"])"sv, error::invalid_ack_id},
    {R"(212 ["a"])"sv, error::invalid_ack_id},
    {"2 "sv, error::invalid_ack_id},
    {"0{\"a\":\"\xff\"}"sv, error::invalid_json},
    // Payload of the wrong shape for its type.
    {"0[]"sv, error::invalid_payload},
    {R"(0"x")"sv, error::invalid_payload},
    {"0null"sv, error::invalid_payload},
    {"1{}"sv, error::invalid_payload},
    {"1/admin,[]"sv, error::invalid_payload},
    {"2"sv, error::invalid_payload},
    {"2/admin,"sv, error::invalid_payload},
    {"212"sv, error::invalid_payload},
    {"2{}"sv, error::invalid_payload},
    {"2[]"sv, error::invalid_payload},
    {R"(2"hello")"sv, error::invalid_payload},
    {"2null"sv, error::invalid_payload},
    {"2[null]"sv, error::invalid_payload},
    {"2[true]"sv, error::invalid_payload},
    {"2[[]]"sv, error::invalid_payload},
    {"2[{}]"sv, error::invalid_payload},
    {"2[1e400]"sv, error::invalid_payload},
    {"3"sv, error::invalid_payload},
    {"31"sv, error::invalid_payload},
    {"3{}"sv, error::invalid_payload},
    {R"(3"a")"sv, error::invalid_payload},
    {"4"sv, error::invalid_payload},
    {"4[]"sv, error::invalid_payload},
    {"41"sv, error::invalid_payload},
    {"51-[]"sv, error::invalid_payload},
    {"51-{}"sv, error::invalid_payload},
    {"61-{}"sv, error::invalid_payload},
    // Event names with a meaning of their own.
    {R"(2["connect"])"sv, error::reserved_event_name},
    {R"(2["connect_error"])"sv, error::reserved_event_name},
    {R"(2/admin,1["disconnect"])"sv, error::reserved_event_name},
    {R"(2["disconnecting"])"sv, error::reserved_event_name},
    {R"(2["newListener"])"sv, error::reserved_event_name},
    {R"(2["removeListener"])"sv, error::reserved_event_name},
    {R"(51-["disconnect",{"_placeholder":true,"num":0}])"sv, error::reserved_event_name},
    // Placeholders that index no attachment.
    {R"(51-["a",{"_placeholder":true,"num":1}])"sv, error::invalid_placeholder},
    {R"(52-["a",{"_placeholder":true,"num":2}])"sv, error::invalid_placeholder},
    {R"(51-["a",{"_placeholder":true,"num":-1}])"sv, error::invalid_placeholder},
    {R"(51-["a",{"_placeholder":true,"num":0.5}])"sv, error::invalid_placeholder},
    {R"(51-["a",{"_placeholder":true,"num":"0"}])"sv, error::invalid_placeholder},
    {R"(61-[{"x":[{"_placeholder":true}]}])"sv, error::invalid_placeholder},
};

packet decoded(std::string_view text) {
    auto p = decode_text(text);
    EXPECT_TRUE(p) << text << ": " << (p ? "" : p.error().message());
    return p ? std::move(*p) : packet{};
}

TEST(ParserDecode, DecodesConnect) {
    auto const main = decoded(connect_main);
    EXPECT_EQ(main.type, packet_type::connect);
    EXPECT_EQ(main.nsp, "/");
    EXPECT_FALSE(main.id);
    EXPECT_TRUE(main.data.is_null());

    for (auto text : {connect_admin, connect_admin_no_comma}) {
        auto const admin = decoded(text);
        EXPECT_EQ(admin.type, packet_type::connect);
        EXPECT_EQ(admin.nsp, "/admin");
        EXPECT_TRUE(admin.data.is_null());
    }

    auto const token = decoded(connect_admin_token);
    EXPECT_EQ(token.nsp, "/admin");
    EXPECT_EQ(token.data, (boost::json::value{{"token", "123"}}));

    auto const sid = decoded(connect_admin_sid);
    EXPECT_EQ(sid.data.at("sid"), "oSO0OpakMV_3jnilAAAA");
}

TEST(ParserDecode, DecodesConnectError) {
    auto const object = decoded(connect_error);
    EXPECT_EQ(object.type, packet_type::connect_error);
    EXPECT_EQ(object.data, (boost::json::value{{"message", "Not authorized"}}));
    auto const string = decoded(connect_error_string);
    EXPECT_EQ(string.data, "Not authorized");
}

TEST(ParserDecode, DecodesDisconnect) {
    auto const main = decoded(disconnect_main);
    EXPECT_EQ(main.type, packet_type::disconnect);
    EXPECT_EQ(main.nsp, "/");
    auto const admin = decoded(disconnect_admin);
    EXPECT_EQ(admin.type, packet_type::disconnect);
    EXPECT_EQ(admin.nsp, "/admin");
    EXPECT_TRUE(admin.data.is_null());
}

TEST(ParserDecode, DecodesEvents) {
    auto const hello = decoded(event_hello);
    EXPECT_EQ(hello.type, packet_type::event);
    EXPECT_EQ(hello.nsp, "/");
    EXPECT_FALSE(hello.id);
    EXPECT_EQ(to_json(hello.data), R"(["hello",1])");

    auto const admin = decoded(event_admin_ack);
    EXPECT_EQ(admin.nsp, "/admin");
    EXPECT_EQ(admin.id, 456u);
    EXPECT_EQ(to_json(admin.data), R"(["project:delete",123])");

    EXPECT_EQ(decoded(event_with_ack).id, 12u);
}

TEST(ParserDecode, AcceptsNumericEventNamesAsSocketIoParser) {
    auto const p = decoded(event_numeric_name);
    EXPECT_EQ(p.data.at(0), 42);
    EXPECT_TRUE(decode_text(R"(2[1.5])"));
}

TEST(ParserDecode, DecodesAcks) {
    auto const empty = decoded(ack_admin_empty);
    EXPECT_EQ(empty.type, packet_type::ack);
    EXPECT_EQ(empty.nsp, "/admin");
    EXPECT_EQ(empty.id, 456u);
    EXPECT_EQ(empty.data, boost::json::array{});
    EXPECT_EQ(to_json(decoded(ack_admin).data), R"(["bar"])");
}

TEST(ParserDecode, AcceptsAckIdsOnEveryTypeAsSocketIoParser) {
    EXPECT_EQ(decoded("01").id, 1u);
    EXPECT_EQ(decoded("1/admin,7").id, 7u);
    EXPECT_EQ(decoded(R"(45{"message":"x"})").id, 5u);
}

TEST(ParserDecode, AcceptsTheLargestSafeAckId) {
    EXPECT_EQ(decoded(max_safe_ack).id, 9007199254740991u);
    EXPECT_EQ(decoded(R"(200000000000000000000007["a"])").id, 7u);
}

TEST(ParserDecode, TakesTheNamespaceUpToTheFirstComma) {
    auto const p = decoded(R"(2/a/b?x=1,["e"])");
    EXPECT_EQ(p.nsp, "/a/b?x=1");
    EXPECT_EQ(decoded(R"(2/,["e"])").nsp, "/");
}

TEST(ParserDecode, AllowsWhitespaceAfterThePayload) {
    EXPECT_EQ(to_json(decoded("2[\"a\"] \n").data), R"(["a"])");
    EXPECT_EQ(to_json(decoded("2/x,[ \"a\" ]\t").data), R"(["a"])");
}

TEST(ParserDecode, ReturnsBinaryPacketsWithOneSlotPerAttachment) {
    auto const p = decoded(binary_event);
    EXPECT_EQ(p.type, packet_type::binary_event);
    ASSERT_EQ(p.attachments.size(), 1u);
    EXPECT_EQ(p.attachments[0].data(), nullptr);
    EXPECT_EQ(decoded(binary_ack_admin).attachments.size(), 1u);
    EXPECT_EQ(decoded(binary_event_two).attachments.size(), 2u);
}

TEST(ParserDecode, RejectsMalformedPackets) {
    for (auto const& [text, expected] : malformed) {
        auto const p = decode_text(text);
        ASSERT_FALSE(p) << text;
        EXPECT_EQ(p.error(), expected) << text << ": " << p.error().message();
    }
}

TEST(ParserDecode, AppliesTheAttachmentLimitOfItsOptions) {
    constexpr auto three = R"(53-["a"])"sv;
    EXPECT_TRUE(decode_text(three));
    auto const p = decode_text(three, {.max_attachments = 2});
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error(), error::too_many_attachments);
    EXPECT_EQ(
        decode_text(R"(51-["a"])", {.max_attachments = 0}).error(), error::too_many_attachments);
    // A count beyond size_t must not wrap around below the limit.
    auto const wrapped =
        decode_text(R"(599999999999999999999999-["a"])", {.max_attachments = SIZE_MAX});
    ASSERT_FALSE(wrapped);
    EXPECT_EQ(wrapped.error(), error::too_many_attachments);
}

TEST(ParserDecode, LimitsPayloadNesting) {
    std::string const deep = "2[\"e\"," + std::string(200, '[') + std::string(201, ']');
    auto const p = decode_text(deep);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error(), error::json_too_deep);
    EXPECT_TRUE(decode_text(deep, {.max_json_depth = 256}));
}

TEST(ParserDecode, RoundTripsEveryExample) {
    for (auto text :
         {connect_main,
          connect_admin_token,
          connect_admin_sid,
          connect_error,
          connect_error_string,
          disconnect_main,
          disconnect_admin,
          event_hello,
          event_admin_ack,
          event_with_ack,
          event_numeric_name,
          ack_admin_empty,
          ack_admin,
          binary_event,
          binary_event_two,
          binary_ack,
          binary_ack_admin}) {
        auto const p = decoded(text);
        EXPECT_EQ(sio::parser::encode(p).text, text);
        EXPECT_EQ(decoded(sio::parser::encode(p).text), p) << text;
    }
}

TEST(ParserDecode, NormalisesWhatNodeWouldAlsoRewrite) {
    EXPECT_EQ(sio::parser::encode(decoded(connect_admin_no_comma)).text, connect_admin);
    EXPECT_EQ(sio::parser::encode(decoded("2/,[\"a\"]")).text, R"(2["a"])");
    EXPECT_EQ(sio::parser::encode(decoded("2007[\"a\", 1.0, 1E2]")).text, R"(27["a",1,100])");
}

// decoder: reassembly across messages.

TEST(ParserDecoder, ReturnsTextPacketsAtOnce) {
    decoder d;
    auto const r = d.on_text(event_hello);
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ((*r)->type, packet_type::event);
    EXPECT_FALSE(d.is_waiting());
}

TEST(ParserDecoder, WaitsForEveryAttachment) {
    decoder d;
    auto const head = d.on_text(binary_event_two);
    ASSERT_TRUE(head);
    EXPECT_FALSE(head->has_value());
    EXPECT_TRUE(d.is_waiting());

    auto const first = d.on_binary(bytes_12);
    ASSERT_TRUE(first);
    EXPECT_FALSE(first->has_value());
    EXPECT_TRUE(d.is_waiting());

    auto const last = d.on_binary(bytes_34);
    ASSERT_TRUE(last);
    ASSERT_TRUE(last->has_value());
    EXPECT_FALSE(d.is_waiting());
    auto const& p = **last;
    EXPECT_EQ(p.type, packet_type::binary_event);
    EXPECT_EQ(p.nsp, "/admin");
    ASSERT_EQ(p.attachments.size(), 2u);
    EXPECT_EQ(p.attachments[0].view(), bytes_12);
    EXPECT_EQ(p.attachments[1].view(), bytes_34);
    EXPECT_EQ(
        to_json(p.data), R"(["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
}

TEST(ParserDecoder, CompletesABinaryAck) {
    decoder d;
    ASSERT_TRUE(d.on_text(binary_ack));
    auto const done = d.on_binary(sio::shared_bytes{std::string{bytes_1234}});
    ASSERT_TRUE(done && done->has_value());
    EXPECT_EQ((*done)->type, packet_type::binary_ack);
    EXPECT_EQ((*done)->id, 15u);
    EXPECT_EQ((*done)->attachments.at(0).view(), bytes_1234);
}

TEST(ParserDecoder, AcceptsEmptyAttachments) {
    decoder d;
    ASSERT_TRUE(d.on_text(binary_event));
    auto const done = d.on_binary(""sv);
    ASSERT_TRUE(done && done->has_value());
    EXPECT_TRUE((*done)->attachments.at(0).empty());
    EXPECT_NE((*done)->attachments.at(0).data(), nullptr);
}

TEST(ParserDecoder, DecodesPacketsOneAfterAnother) {
    decoder d;
    for (int round = 0; round < 3; ++round) {
        ASSERT_TRUE(d.on_text(binary_event));
        auto const done = d.on_binary(bytes_1234);
        ASSERT_TRUE(done && done->has_value());
        auto const text = d.on_text(event_hello);
        ASSERT_TRUE(text && text->has_value());
    }
}

TEST(ParserDecoder, RejectsAnUnexpectedAttachment) {
    decoder d;
    auto const r = d.on_binary(bytes_1234);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), error::unexpected_attachment);

    ASSERT_TRUE(d.on_text(binary_event));
    ASSERT_TRUE(d.on_binary(bytes_1234));
    auto const extra = d.on_binary(bytes_1234);
    ASSERT_FALSE(extra);
    EXPECT_EQ(extra.error(), error::unexpected_attachment);
}

TEST(ParserDecoder, RejectsTextWhileWaitingForAttachments) {
    decoder d;
    ASSERT_TRUE(d.on_text(binary_event_two));
    ASSERT_TRUE(d.on_binary(bytes_12));
    auto const r = d.on_text(event_hello);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), error::missing_attachments);
    // Back to its initial state: the half-received packet is gone.
    EXPECT_FALSE(d.is_waiting());
    auto const next = d.on_text(event_hello);
    ASSERT_TRUE(next && next->has_value());
}

TEST(ParserDecoder, RefusesAHugeAttachmentCountBeforeAllocating) {
    decoder d;
    auto const r = d.on_text(R"(599999999-["a"])");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), error::too_many_attachments);
    EXPECT_FALSE(d.is_waiting());
}

TEST(ParserDecoder, UsesItsOptions) {
    decoder d{{.max_attachments = 1}};
    EXPECT_EQ(d.options().max_attachments, 1u);
    auto const r = d.on_text(binary_event_two);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), error::too_many_attachments);
    EXPECT_TRUE(d.on_text(binary_event));
}

TEST(ParserDecoder, AcceptsTheDefaultLimitOfTenAttachments) {
    decoder d;
    std::string text = R"(510-["a")";
    for (int i = 0; i < 10; ++i)
        text += R"(,{"_placeholder":true,"num":)" + std::to_string(i) + "}";
    text += "]";
    ASSERT_TRUE(d.on_text(text));
    for (int i = 0; i < 9; ++i) {
        auto const r = d.on_binary(std::string(1, static_cast<char>(i)));
        ASSERT_TRUE(r && !r->has_value());
    }
    auto const done = d.on_binary("last"sv);
    ASSERT_TRUE(done && done->has_value());
    EXPECT_EQ((*done)->attachments.size(), 10u);
    EXPECT_FALSE(decode_text(R"(511-["a"])"));
}

TEST(ParserDecoder, ReportsDecodeErrorsAndStaysUsable) {
    decoder d;
    auto const bad = d.on_text(R"(2["connect"])");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), error::reserved_event_name);
    EXPECT_TRUE(d.on_text(event_hello));
}

TEST(ParserDecoder, DropsAPartialPacketOnReset) {
    decoder d;
    ASSERT_TRUE(d.on_text(binary_event));
    d.reset();
    EXPECT_FALSE(d.is_waiting());
    auto const r = d.on_binary(bytes_1234);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), error::unexpected_attachment);
}

} // namespace

namespace {

constexpr decode_options keep_text{.keep_json_text = true};

TEST(ParserDecodeKeepText, KeepsCanonicalEventsAndAcksAsText) {
    auto const event = decode_text(R"(2/admin,7["echo","x",{"a":[1,null]}])", keep_text);
    ASSERT_TRUE(event);
    EXPECT_EQ(event->json, R"(["echo","x",{"a":[1,null]}])");
    EXPECT_TRUE(event->data.is_null());
    EXPECT_EQ(event->nsp, "/admin");
    EXPECT_EQ(event->id, 7u);

    auto const ack = decode_text(R"(312[])", keep_text);
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->json, "[]");
    EXPECT_EQ(ack->id, 12u);

    // Encoded back as it came.
    EXPECT_EQ(sio::parser::encode(*event).text, R"(2/admin,7["echo","x",{"a":[1,null]}])");
}

TEST(ParserDecodeKeepText, ParsesWhatJsonStringifyWouldWriteOtherwise) {
    for (auto const text : {
             R"(2["echo", 1])"sv,
             R"(2["echo",1.0])"sv,
             R"(2["ec\u0068o"])"sv, // a name with an escape
             R"(2[42,"x"])"sv,      // a numeric name
             R"(3[{"a":1,"a":2}])"sv,
         }) {
        auto const p = decode_text(text, keep_text);
        ASSERT_TRUE(p) << text;
        EXPECT_TRUE(p->json.empty()) << text;
        EXPECT_FALSE(p->data.is_null()) << text;
    }
    // Binary packets keep their placeholders as values.
    auto const binary = decode_text(R"(51-["up",{"_placeholder":true,"num":0}])", keep_text);
    ASSERT_TRUE(binary);
    EXPECT_TRUE(binary->json.empty());
}

TEST(ParserDecodeKeepText, RefusesWhatItRefusesWithoutIt) {
    EXPECT_EQ(decode_text(R"(2["disconnect"])", keep_text).error(), error::reserved_event_name);
    EXPECT_EQ(decode_text(R"(2[])", keep_text).error(), error::invalid_payload);
    EXPECT_EQ(decode_text(R"(2["a",])", keep_text).error(), error::invalid_json);
    EXPECT_EQ(decode_text(R"(2{"a":1})", keep_text).error(), error::invalid_payload);
    EXPECT_EQ(decode_text("2[\"\xff\"]", keep_text).error(), error::invalid_json);
}

} // namespace

namespace {

TEST(ParserDecoderInto, FillsThePacketOrHoldsItForItsAttachments) {
    decoder d;
    packet text;
    auto const complete = d.on_text(R"(2["hello",1])", text);
    ASSERT_TRUE(complete);
    EXPECT_TRUE(*complete);
    EXPECT_EQ(to_json(text.data), R"(["hello",1])");

    packet binary;
    auto const waiting = d.on_text(R"(51-["up",{"_placeholder":true,"num":0}])", binary);
    ASSERT_TRUE(waiting);
    EXPECT_FALSE(*waiting);
    EXPECT_TRUE(d.is_waiting());
    auto const done = d.on_binary(std::string_view{"\x01\x02"});
    ASSERT_TRUE(done && *done);
    EXPECT_EQ((*done)->attachments.at(0).view(), "\x01\x02");

    packet bad;
    auto const refused = d.on_text("9", bad);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), error::unknown_packet_type);
}

} // namespace
