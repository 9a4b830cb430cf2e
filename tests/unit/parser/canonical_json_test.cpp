#include <parser/canonical_json.hpp>
// The header under test comes first, to prove it self-contained.

#include <sio/parser/json.hpp>

#include <boost/json.hpp>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

namespace {

using sio::parser::parse_json;
using sio::parser::to_json;
using sio::parser::detail::scan_canonical_array;

constexpr std::size_t depth = sio::parser::default_max_json_depth;

// What acceptance promises: the text parses, and serialising the values gives it back.
void expect_round_trip(std::string_view text) {
    auto const parsed = parse_json(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(to_json(*parsed), text);
    auto const shape = scan_canonical_array(text, depth);
    ASSERT_TRUE(shape) << text;
    auto const& array = parsed->as_array();
    EXPECT_EQ(shape->count, array.size()) << text;
    if (!array.empty()) {
        auto const first = to_json(array.front());
        EXPECT_EQ(text.substr(1, shape->first_end - 1), first) << text;
        EXPECT_EQ(
            shape->first_is_plain_string,
            array.front().is_string() && first.find('\\') == std::string::npos)
            << text;
    }
}

TEST(CanonicalJson, AcceptsWhatJsonStringifyWrites) {
    for (std::string_view text : {
             R"([])",
             R"(["echo"])",
             R"(["echo","0123456789abcdef filler"])",
             R"([1,-2,0,123456789012345,-123456789012345])",
             R"([true,false,null,[],{},[[[]]]])",
             R"([{"a":1,"b":[1,{"c":"d"}],"e":{"f":null}}])",
             R"(["quote \" backslash \\ controls \b\f\n\r\t \u0000\u001f"])",
             R"(["a1",{"x1":1,"":2,"-1":3,"1a":4}])",
         })
        expect_round_trip(text);
    // Valid UTF-8 of every length, DEL and U+2028 unescaped (as JSON.stringify leaves them).
    expect_round_trip(
        "[\"\x7f \xc3\xa9 \xe2\x82\xac \xe2\x80\xa8 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"]");
}

TEST(CanonicalJson, RefusesWhatWouldBeWrittenOtherwise) {
    for (std::string_view text : {
             R"([ ])",
             R"([1, 2])",
             R"([1] )",
             R"({"a":1})",
             R"("a")",
             R"([1.0])",
             R"([1.5])",
             R"([1e2])",
             R"([-0])",
             R"([1234567890123456])",
             R"(["\/"])",
             R"(["\u0041"])",
             R"(["\u000a"])",
             R"(["\u001F"])",
             R"(["\u007f"])",
             R"(["\ud83d\ude00"])",
             R"([{"a":1,"a":2}])",
             R"([{"0":1}])",
             R"([{"12":1,"a":2}])",
         })
        EXPECT_FALSE(scan_canonical_array(text, depth)) << text;
    std::string many = "[{";
    for (int i = 0; i < 25; ++i)
        many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
    many += "}]";
    EXPECT_FALSE(scan_canonical_array(many, depth)) << "25 members";
}

TEST(CanonicalJson, RefusesInvalidJson) {
    for (std::string_view text : {
             "",
             "[",
             "[1,]",
             "[,1]",
             "[01]",
             "[-]",
             "[tru]",
             "[nul]",
             "[\"open]",
             "[\"a\"]]",
             "[1]x",
             "[{\"a\"}]",
             "[{\"a\":}]",
             "[{1:2}]",
             "[\"\x01\"]",
             "[\"\\x\"]",
             "[\"\\u00\"]",
             "[\"\xff\"]",
             "[\"\xc0\xaf\"]",         // overlong
             "[\"\xed\xa0\x80\"]",     // an encoded surrogate
             "[\"\xf4\x90\x80\x80\"]", // above U+10FFFF
             "[\"\xe2\x82\"]",         // truncated
         })
        EXPECT_FALSE(scan_canonical_array(text, depth)) << text;
}

// Long strings are skipped sixteen bytes at a time: whatever needs a look is found anywhere.
TEST(CanonicalJson, FindsEveryByteThatNeedsALookInLongStrings) {
    std::string const filler(40, 'x');
    for (std::size_t at = 0; at <= filler.size(); ++at) {
        for (std::string_view piece : {"\\\"", "\\n", "\xc3\xa9", "\\u001f"}) {
            std::string text =
                "[\"" + filler.substr(0, at) + std::string{piece} + filler.substr(at) + "\"]";
            expect_round_trip(text);
        }
        for (std::string_view bad : {"\x01", "\xff", "\\/", "\""}) {
            std::string text =
                "[\"" + filler.substr(0, at) + std::string{bad} + filler.substr(at) + "\"]";
            EXPECT_FALSE(scan_canonical_array(text, depth)) << text;
        }
    }
}

TEST(CanonicalJson, KeepsToTheDepthLimit) {
    std::string const deep = "[[[[]]]]"; // four deep
    EXPECT_TRUE(scan_canonical_array(deep, 4));
    EXPECT_FALSE(scan_canonical_array(deep, 3));
    EXPECT_FALSE(scan_canonical_array("[{\"a\":[]}]", 2));
    EXPECT_TRUE(scan_canonical_array("[{\"a\":[]}]", 3));
}

// Random values within the canonical subset are all accepted; random edits of their text are
// either refused or still round trip exactly.
class generator {
public:
    explicit generator(unsigned seed)
        : rng_(seed) {}

    boost::json::value value(int depth) {
        switch (pick(depth > 3 ? 5 : 7)) {
        case 0:
            return nullptr;
        case 1:
            return pick(2) == 0;
        case 2:
            return static_cast<std::int64_t>(pick(2000001)) - 1000000;
        case 3:
            return static_cast<std::int64_t>(pick(1000)) * 999999999999ll;
        case 4:
            return boost::json::string{text()};
        case 5: {
            boost::json::array a;
            for (int i = pick(5); i > 0; --i)
                a.push_back(value(depth + 1));
            return a;
        }
        default: {
            boost::json::object o;
            for (int i = pick(6); i > 0; --i)
                o[text() + "k"] = value(depth + 1);
            return o;
        }
        }
    }

    std::string text() {
        static constexpr std::string_view pieces[] = {
            "a",
            "Z",
            " ",
            "\"",
            "\\",
            "/",
            "\n",
            "\x01",
            "\x1f",
            "\x7f",
            "\xc3\xa9",
            "\xe2\x82\xac",
            "\xf0\x9f\x98\x80",
            "0",
            "9"};
        std::string s;
        for (int i = pick(6); i > 0; --i)
            s += pieces[pick(std::size(pieces))];
        return s;
    }

    int pick(std::size_t n) {
        return static_cast<int>(std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_));
    }

private:
    std::mt19937 rng_;
};

TEST(CanonicalJson, RandomValuesRoundTripOrAreRefused) {
    generator g{20261127};
    std::size_t accepted_edits = 0;
    for (int round = 0; round < 3000; ++round) {
        boost::json::array args;
        for (int i = g.pick(4); i > 0; --i)
            args.push_back(g.value(1));
        auto const text = to_json(args);
        ASSERT_TRUE(scan_canonical_array(text, depth)) << text;
        expect_round_trip(text);

        // One byte changed, dropped or doubled.
        std::string edited = text;
        auto const at = static_cast<std::size_t>(g.pick(edited.size()));
        switch (g.pick(3)) {
        case 0:
            edited[at] = " ,:[]{}\"\\0-.e1u\x80"[g.pick(17)];
            break;
        case 1:
            edited.erase(at, 1);
            break;
        default:
            edited.insert(at, 1, edited[at]);
        }
        if (scan_canonical_array(edited, depth)) {
            ++accepted_edits;
            expect_round_trip(edited);
        }
    }
    EXPECT_GT(accepted_edits, 0u); // the edits did reach the accepting side
}

} // namespace
