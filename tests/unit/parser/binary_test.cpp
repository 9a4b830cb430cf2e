#include <sio/parser/binary.hpp>
// The header under test comes first, to prove it self-contained.

#include <sio/parser/error.hpp>
#include <sio/parser/json.hpp>

#include <boost/json.hpp>

#include <gtest/gtest.h>

#include <string_view>

namespace {

using namespace std::string_view_literals;
using sio::parser::check_placeholders;
using sio::parser::error;
using sio::parser::make_placeholder;
using sio::parser::placeholder_index;

boost::json::value json(std::string_view text) {
    auto v = sio::parser::parse_json(text);
    EXPECT_TRUE(v) << text;
    return v ? *v : boost::json::value{};
}

TEST(ParserBinary, WritesPlaceholdersAsSocketIoParser) {
    EXPECT_EQ(sio::parser::to_json(make_placeholder(0)), R"({"_placeholder":true,"num":0})");
    EXPECT_EQ(sio::parser::to_json(make_placeholder(12)), R"({"_placeholder":true,"num":12})");
}

TEST(ParserBinary, ReadsBackTheIndexOfAPlaceholder) {
    EXPECT_EQ(placeholder_index(make_placeholder(3)), 3u);
    EXPECT_EQ(placeholder_index(json(R"({"_placeholder":true,"num":0})")), 0u);
    EXPECT_EQ(placeholder_index(json(R"({"num":2,"_placeholder":true})")), 2u);
    EXPECT_EQ(placeholder_index(json(R"({"_placeholder":true,"num":1.0})")), 1u);
    EXPECT_EQ(placeholder_index(json(R"({"_placeholder":true,"num":1,"extra":"x"})")), 1u);
}

TEST(ParserBinary, TellsOtherValuesFromPlaceholders) {
    for (auto const text :
         {R"({"_placeholder":false,"num":0})"sv,
          R"({"_placeholder":1,"num":0})"sv,
          R"({"_placeholder":"true","num":0})"sv,
          R"({"num":0})"sv,
          R"({"_placeholder":true})"sv,
          R"({"_placeholder":true,"num":-1})"sv,
          R"({"_placeholder":true,"num":0.5})"sv,
          R"({"_placeholder":true,"num":"0"})"sv,
          R"({"_placeholder":true,"num":null})"sv,
          R"([true,0])"sv,
          R"("_placeholder")"sv,
          R"(null)"sv})
        EXPECT_FALSE(placeholder_index(json(text))) << text;
}

TEST(ParserBinary, AcceptsPlaceholdersBelowTheAttachmentCount) {
    auto const data =
        json(R"(["baz",{"_placeholder":true,"num":0},{"a":[{"_placeholder":true,"num":1}]},"x"])");
    EXPECT_TRUE(check_placeholders(data, 2));
    EXPECT_TRUE(check_placeholders(data, 5)); // unreferenced attachments, as Node allows
}

TEST(ParserBinary, AcceptsAnAttachmentReferencedTwice) {
    auto const data = json(R"([{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}])");
    EXPECT_TRUE(check_placeholders(data, 1));
}

TEST(ParserBinary, AcceptsDataWithoutPlaceholders) {
    EXPECT_TRUE(check_placeholders(json(R"(["a",{"b":[1,2]}])"), 0));
    EXPECT_TRUE(check_placeholders(boost::json::value{}, 0));
}

TEST(ParserBinary, RejectsAPlaceholderPastTheAttachments) {
    auto const data = json(R"(["a",{"x":{"_placeholder":true,"num":2}}])");
    EXPECT_TRUE(check_placeholders(data, 3));
    auto const r = check_placeholders(data, 2);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), error::invalid_placeholder);
}

TEST(ParserBinary, RejectsAPlaceholderWithABadNum) {
    for (auto const text :
         {R"([{"_placeholder":true}])"sv,
          R"([{"_placeholder":true,"num":-1}])"sv,
          R"([{"_placeholder":true,"num":0.5}])"sv,
          R"([{"_placeholder":true,"num":"0"}])"sv,
          R"([{"_placeholder":true,"num":1e400}])"sv,
          R"({"a":{"_placeholder":true,"num":[0]}})"sv}) {
        auto const r = check_placeholders(json(text), 10);
        ASSERT_FALSE(r) << text;
        EXPECT_EQ(r.error(), error::invalid_placeholder) << text;
    }
}

TEST(ParserBinary, DoesNotLookInsidePlaceholders) {
    // socket.io-parser replaces a placeholder whole, without visiting its other members.
    auto const data =
        json(R"([{"_placeholder":true,"num":0,"inner":{"_placeholder":true,"num":9}}])");
    EXPECT_TRUE(check_placeholders(data, 1));
}

} // namespace
