#include <sio/parser/message.hpp>
// The header under test comes first, to prove it self-contained.

#include <sio/parser/encode.hpp>
#include <sio/parser/json.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using sio::message;
using sio::parser::to_json;

TEST(Message, HoldsCanonicalJsonAsText) {
    auto m = message::from_json(R"(["echo","x",{"a":1}])");
    ASSERT_TRUE(m.json());
    EXPECT_EQ(*m.json(), R"(["echo","x",{"a":1}])");
    EXPECT_EQ(m.size(), 3u);
    EXPECT_EQ(m.front_string(), "echo");
    // Reading the values parses them and keeps the text.
    EXPECT_EQ(m[1].as_string(), "x");
    EXPECT_TRUE(m.json());
    // Changing them drops it.
    m.args().emplace_back(2);
    EXPECT_FALSE(m.json());
    EXPECT_EQ(to_json(m.args()), R"(["echo","x",{"a":1},2])");
}

TEST(Message, ParsesOtherJsonAtOnce) {
    auto const spaced = message::from_json(R"([ "a", 1.0 ])");
    EXPECT_FALSE(spaced.json());
    EXPECT_EQ(to_json(spaced.args()), R"(["a",1])");
    EXPECT_TRUE(message::from_json("[1,").empty());
    EXPECT_TRUE(message::from_json(R"({"a":1})").empty());
}

TEST(Message, TakesTheEventNameFromTheText) {
    auto m = message::from_json(R"(["echo","x"])");
    EXPECT_EQ(m.take_front_string(), "echo");
    EXPECT_EQ(*m.json(), R"(["x"])");
    EXPECT_EQ(m.size(), 1u);
    EXPECT_EQ(m.take_front_string(), "x");
    EXPECT_EQ(*m.json(), "[]");
    EXPECT_TRUE(m.empty());
    EXPECT_FALSE(m.take_front_string());

    // A name with an escape goes through the values.
    auto escaped = message::from_json(R"(["a\nb",1])");
    EXPECT_EQ(escaped.take_front_string(), "a\nb");
    EXPECT_EQ(to_json(escaped.args()), "[1]");
    auto numeric = message::from_json(R"([1,2])");
    EXPECT_FALSE(numeric.take_front_string());
}

TEST(Message, SplicedTextStaysText) {
    auto relayed = message::from_json(R"(["x",{"k":[1]}])");
    auto m = message::of("fanout", 7);
    m.append(std::move(relayed));
    ASSERT_TRUE(m.json());
    EXPECT_EQ(*m.json(), R"(["fanout",7,"x",{"k":[1]}])");
    EXPECT_EQ(m.size(), 4u);
    EXPECT_EQ(to_json(m.args()), R"(["fanout",7,"x",{"k":[1]}])");

    auto none = message::of("e");
    none.append(message::from_json("[]"));
    EXPECT_EQ(*none.json(), R"(["e"])");

    // A copy, or text spliced behind binary, goes through the values.
    auto copied = message::of("e");
    auto const kept = message::from_json(R"([1])");
    copied.append(kept);
    EXPECT_FALSE(copied.json());
    EXPECT_EQ(to_json(copied.args()), R"(["e",1])");
    auto with_binary = message::of("e", sio::binary{std::string{"\x01"}});
    with_binary.append(message::from_json(R"([1])"));
    EXPECT_FALSE(with_binary.json());
    EXPECT_EQ(to_json(with_binary.args()), R"(["e",{"_placeholder":true,"num":0},1])");
}

TEST(Message, CountsCanonicalTextWhenAsked) {
    auto m = message::from_canonical_json(R"(["echo",1,[2,3]])");
    EXPECT_EQ(m.take_front_string(), "echo");
    EXPECT_EQ(m.size(), 2u);
    auto front = message::of("e");
    front.append(message::from_canonical_json(R"([{"a":"b"}])"));
    EXPECT_EQ(*front.json(), R"(["e",{"a":"b"}])");
    EXPECT_EQ(front.size(), 2u);
}

TEST(Message, MovesIntoAPacketAsText) {
    sio::parser::packet p;
    p.type = sio::parser::packet_type::ack;
    p.id = 5;
    sio::parser::set_payload(p, message::from_json(R"(["x"])"));
    EXPECT_EQ(p.json, R"(["x"])");
    EXPECT_TRUE(p.data.is_null());
    EXPECT_EQ(sio::parser::encode(p).text, R"(35["x"])");

    sio::parser::packet q;
    sio::parser::set_payload(q, message::of(1, "y"));
    EXPECT_TRUE(q.json.empty());
    EXPECT_EQ(sio::parser::encode(q).text, R"(2[1,"y"])");
}

} // namespace
