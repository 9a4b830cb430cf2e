#include <sio/parser/json.hpp>
// The header under test comes first, to prove it self-contained.

#include <sio/parser/error.hpp>

#include <boost/json.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace {

using namespace std::string_view_literals;
using sio::parser::error;
using sio::parser::parse_json;
using sio::parser::to_json;

struct number_case {
    double value;
    std::string_view js; // String(value) in Node
};

// Each `js` is what Node prints for the value (Number.prototype.toString).
constexpr number_case number_cases[] = {
    {1.5, "1.5"},
    {100.0, "100"},
    {-42.0, "-42"},
    {0.1, "0.1"},
    {0.1 + 0.2, "0.30000000000000004"},
    {123.456, "123.456"},
    {1e21, "1e+21"},
    {1e20, "100000000000000000000"},
    {123456789012345680000.0, "123456789012345680000"},
    {1.5e300, "1.5e+300"},
    {-1.5e300, "-1.5e+300"},
    {1.7976931348623157e308, "1.7976931348623157e+308"},
    {1e-6, "0.000001"},
    {1.234e-6, "0.000001234"},
    {1e-7, "1e-7"},
    {2.5e-7, "2.5e-7"},
    {-1.25e-10, "-1.25e-10"},
    {5e-324, "5e-324"},
    {2.2250738585072014e-308, "2.2250738585072014e-308"},
    {9007199254740993.0, "9007199254740992"},
    {1065.8407894736843, "1065.8407894736843"},
    {0.001, "0.001"},
    {0.0001, "0.0001"},
    {123456789.0, "123456789"},
    {1e15, "1000000000000000"},
    {1e16, "10000000000000000"},
    {9007199254740991.0, "9007199254740991"},
    {4.35, "4.35"},
    {0.0, "0"},
    {-0.0, "0"},
};

TEST(ParserJson, PrintsDoublesAsJavaScriptDoes) {
    for (auto const& [value, js] : number_cases)
        EXPECT_EQ(to_json(value), js) << js;
}

TEST(ParserJson, PrintsNonFiniteDoublesAsNull) {
    EXPECT_EQ(to_json(std::numeric_limits<double>::quiet_NaN()), "null");
    EXPECT_EQ(to_json(std::numeric_limits<double>::infinity()), "null");
    EXPECT_EQ(to_json(-std::numeric_limits<double>::infinity()), "null");
}

TEST(ParserJson, PrintsIntegersExactly) {
    EXPECT_EQ(to_json(std::int64_t{0}), "0");
    EXPECT_EQ(to_json(std::int64_t{-7}), "-7");
    EXPECT_EQ(to_json(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
    EXPECT_EQ(to_json(std::numeric_limits<std::int64_t>::max()), "9223372036854775807");
    EXPECT_EQ(to_json(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
}

TEST(ParserJson, PrintsLiterals) {
    EXPECT_EQ(to_json(nullptr), "null");
    EXPECT_EQ(to_json(true), "true");
    EXPECT_EQ(to_json(false), "false");
}

TEST(ParserJson, EscapesStringsAsJsonStringify) {
    EXPECT_EQ(to_json("a\"b\\c"), R"("a\"b\\c")");
    EXPECT_EQ(to_json("\b\f\n\r\t"), R"("\b\f\n\r\t")");
    EXPECT_EQ(to_json(boost::json::string{"\x00\x01\x1f", 3}), R"("\u0000\u0001\u001f")");
    EXPECT_EQ(to_json("\x0b\x1b"), R"("\u000b\u001b")");
    // Not escaped by JSON.stringify: '/', DEL, and everything beyond ASCII.
    EXPECT_EQ(to_json("a/b\x7f"), "\"a/b\x7f\"");
    EXPECT_EQ(to_json(""), R"("")");
}

TEST(ParserJson, CopiesNonAsciiUtf8AsIs) {
    constexpr auto text =
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x80\xa8"sv; // "café € 😀 U+2028"
    EXPECT_EQ(to_json(boost::json::string{text}), "\"" + std::string{text} + "\"");
}

TEST(ParserJson, PrintsNestedValuesCompactly) {
    boost::json::value const v = {
        {"sid", "oSO0OpakMV_3jnilAAAA"},
        {"list", {1, 2.5, "x", nullptr, true, boost::json::array{}, boost::json::object{}}},
        {"deep", {{"a", {{"b", boost::json::array{1}}}}}},
    };
    EXPECT_EQ(
        to_json(v),
        R"({"sid":"oSO0OpakMV_3jnilAAAA","list":[1,2.5,"x",null,true,[],{}],"deep":{"a":{"b":[1]}}})");
}

TEST(ParserJson, KeepsObjectKeyOrder) {
    boost::json::object o;
    o["zeta"] = 1;
    o["alpha"] = 2;
    o["mid"] = 3;
    EXPECT_EQ(to_json(o), R"({"zeta":1,"alpha":2,"mid":3})");
}

TEST(ParserJson, PutsArrayIndexKeysFirstAsJavaScriptObjects) {
    // In Node: JSON.stringify({b: 1, 10: 2, a: 3, 2: 4, "02": 5, 4294967295: 6}).
    boost::json::object o;
    o["b"] = 1;
    o["10"] = 2;
    o["a"] = 3;
    o["2"] = 4;
    o["02"] = 5;
    o["4294967295"] = 6;
    EXPECT_EQ(to_json(o), R"({"2":4,"10":2,"b":1,"a":3,"02":5,"4294967295":6})");
}

TEST(ParserJson, EscapesKeys) {
    boost::json::object o;
    o["a\"\n"] = 1;
    EXPECT_EQ(to_json(o), R"({"a\"\n":1})");
}

TEST(ParserJson, AppendsToExistingText) {
    std::string out = "2[";
    sio::parser::serialize_json("x", out);
    EXPECT_EQ(out, R"(2["x")");
}

TEST(ParserJson, ParsesWhatItPrints) {
    constexpr auto text =
        R"({"a":[1,-2,1.5,1e+21,1e-7,"\u0001\n\"",true,false,null],"b":{"c":{}},"d":18446744073709551615})"sv;
    auto const v = parse_json(text);
    ASSERT_TRUE(v) << v.error().message();
    EXPECT_EQ(to_json(*v), text);
}

TEST(ParserJson, ReadsDoublesCorrectlyRounded) {
    // Boost.JSON 1.81's own parser returns a neighbour of these.
    for (auto const text :
         {"1065.8407894736843"sv, "5.409760742964738e+124"sv, "-1.3987806942166757e-12"sv}) {
        auto const v = parse_json(text);
        ASSERT_TRUE(v && v->is_double()) << text;
        EXPECT_EQ(to_json(*v), text);
    }
}

TEST(ParserJson, ReadsOutOfRangeNumbersAsJavaScript) {
    auto const big = parse_json("1e400");
    ASSERT_TRUE(big);
    EXPECT_EQ(big->as_double(), std::numeric_limits<double>::infinity());
    auto const tiny = parse_json("-1e-400");
    ASSERT_TRUE(tiny);
    EXPECT_EQ(tiny->as_double(), 0.0);
    auto const huge_int = parse_json("123456789012345678901");
    ASSERT_TRUE(huge_int);
    EXPECT_EQ(to_json(*huge_int), "123456789012345680000");
}

TEST(ParserJson, AllowsSurroundingWhitespace) {
    auto const v = parse_json(" \t\r\n[1] \n");
    ASSERT_TRUE(v);
    EXPECT_EQ(to_json(*v), "[1]");
}

TEST(ParserJson, KeepsTheLastOfDuplicateKeys) {
    auto const v = parse_json(R"({"a":1,"b":2,"a":3})");
    ASSERT_TRUE(v);
    EXPECT_EQ(to_json(*v), R"({"a":3,"b":2})");
}

TEST(ParserJson, RejectsTrailingGarbage) {
    for (auto const text : {"[1] x"sv, "[1][2]"sv, "{}}"sv, "1 2"sv, "\"a\"\""sv}) {
        auto const v = parse_json(text);
        ASSERT_FALSE(v) << text;
        EXPECT_EQ(v.error(), error::invalid_json) << text;
    }
}

TEST(ParserJson, RejectsWhatJsonParseRejects) {
    for (auto const text :
         {""sv,
          " "sv,
          "["sv,
          "{\"a\"}"sv,
          "[1,]"sv,
          "'a'"sv,
          "undefined"sv,
          "NaN"sv,
          "01"sv,
          "[1,/*c*/2]"sv,
          "\"\x01\""sv,
          "{a:1}"sv}) {
        auto const v = parse_json(text);
        ASSERT_FALSE(v) << text;
        EXPECT_EQ(v.error(), error::invalid_json) << text;
    }
}

TEST(ParserJson, RejectsInvalidUtf8) {
    for (auto const text : {"\"\xff\""sv, "\"\xc3\""sv}) {
        auto const v = parse_json(text);
        ASSERT_FALSE(v) << text;
        EXPECT_EQ(v.error(), error::invalid_json);
    }
    auto const pair = parse_json(R"("\ud83d\ude00")");
    ASSERT_TRUE(pair);
    EXPECT_EQ(pair->as_string(), "\xf0\x9f\x98\x80");
}

// JSON.parse accepts lone surrogates and JS peers send them: kept, and written back as
// JSON.stringify writes them.
TEST(ParserJson, KeepsLoneSurrogatesAsJavaScriptDoes) {
    for (auto const text :
         {R"("\ud800")"sv, R"("\udc00")"sv, R"(["a\ud83dz","\\ud800",{"k\udfff":1}])"sv}) {
        auto const v = parse_json(text);
        ASSERT_TRUE(v) << text;
        EXPECT_EQ(to_json(*v), text);
    }
}

TEST(ParserJson, LimitsNesting) {
    std::string const deep = std::string(129, '[') + std::string(129, ']');
    auto const v = parse_json(deep);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error(), error::json_too_deep);
    EXPECT_TRUE(parse_json(deep.substr(1, 256)));
    auto const shallow = parse_json("[[[1]]]", 2);
    ASSERT_FALSE(shallow);
    EXPECT_EQ(shallow.error(), error::json_too_deep);
}

} // namespace
