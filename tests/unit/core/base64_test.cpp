#include <sio/core/base64.hpp>
// The header under test comes first, to prove it self-contained.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace std::string_view_literals;

struct vector {
    std::string_view plain;
    std::string_view encoded;
};

// RFC 4648 §10 test vectors.
constexpr vector rfc4648_vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

// The engine.io-protocol README's binary example: bytes 01 02 03 04.
constexpr auto eio_binary_plain = "\x01\x02\x03\x04"sv;
constexpr auto eio_binary_encoded = "AQIDBA=="sv;

// Bytes whose encodings use the last two alphabet letters and the high bit of every byte.
constexpr auto high_bytes_plain = "\xfb\xff\xbf"sv;
constexpr auto high_bytes_encoded = "+/+/"sv;

std::string all_byte_values() {
    std::string s;
    for (int i = 0; i < 256; ++i)
        s.push_back(static_cast<char>(i));
    return s;
}

std::string pseudo_random_bytes(std::size_t n, std::uint32_t seed) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        seed = seed * 1664525u + 1013904223u;
        s.push_back(static_cast<char>(seed >> 24));
    }
    return s;
}

TEST(CoreBase64, EncodesRfc4648Vectors) {
    for (auto const& v : rfc4648_vectors)
        EXPECT_EQ(sio::base64_encode(v.plain), v.encoded) << "plain: " << v.plain;
}

TEST(CoreBase64, DecodesRfc4648Vectors) {
    for (auto const& v : rfc4648_vectors) {
        auto const decoded = sio::base64_decode(v.encoded);
        ASSERT_TRUE(decoded) << "encoded: " << v.encoded;
        EXPECT_EQ(*decoded, v.plain);
    }
}

TEST(CoreBase64, EncodesEngineIoBinaryExample) {
    EXPECT_EQ(sio::base64_encode(eio_binary_plain), eio_binary_encoded);
    EXPECT_EQ(sio::base64_decode(eio_binary_encoded), std::string{eio_binary_plain});
}

TEST(CoreBase64, UsesPlusAndSlashForTheLastTwoLetters) {
    EXPECT_EQ(sio::base64_encode(high_bytes_plain), high_bytes_encoded);
    EXPECT_EQ(sio::base64_decode(high_bytes_encoded), std::string{high_bytes_plain});
}

TEST(CoreBase64, EncodesHighBytesWithoutSignExtension) {
    EXPECT_EQ(sio::base64_encode("\xff"sv), "/w==");
    EXPECT_EQ(sio::base64_encode("\xff\xff"sv), "//8=");
    EXPECT_EQ(sio::base64_encode("\xff\xff\xff"sv), "////");
    EXPECT_EQ(sio::base64_encode("\x80\x00\x80"sv), "gACA");
}

TEST(CoreBase64, AppendsToExistingOutput) {
    std::string out = "b";
    sio::base64_encode("foo", out);
    EXPECT_EQ(out, "bZm9v");
    sio::base64_encode("f", out);
    EXPECT_EQ(out, "bZm9vZg==");
}

TEST(CoreBase64, DecodesWithoutPadding) {
    EXPECT_EQ(sio::base64_decode("Zg"), "f");
    EXPECT_EQ(sio::base64_decode("Zm8"), "fo");
    EXPECT_EQ(sio::base64_decode("Zm9vYg"), "foob");
    EXPECT_EQ(sio::base64_decode("Zm9vYmE"), "fooba");
}

TEST(CoreBase64, DecodesEmptyTextToEmptyBytes) {
    auto const decoded = sio::base64_decode("");
    ASSERT_TRUE(decoded);
    EXPECT_TRUE(decoded->empty());
}

TEST(CoreBase64, DecodesEmbeddedNulBytes) {
    EXPECT_EQ(sio::base64_decode("AAAA"), std::string(3, '\0'));
    EXPECT_EQ(sio::base64_encode(std::string(3, '\0')), "AAAA");
}

TEST(CoreBase64, RoundTripsEveryByteValue) {
    auto const bytes = all_byte_values();
    EXPECT_EQ(sio::base64_decode(sio::base64_encode(bytes)), bytes);
}

TEST(CoreBase64, RoundTripsEveryLengthUpTo100) {
    for (std::size_t n = 0; n <= 100; ++n) {
        auto const bytes = pseudo_random_bytes(n, static_cast<std::uint32_t>(n));
        auto const encoded = sio::base64_encode(bytes);
        EXPECT_EQ(encoded.size(), (n + 2) / 3 * 4);
        EXPECT_EQ(sio::base64_decode(encoded), bytes) << "length " << n;
    }
}

// Node's Buffer.from(s, "base64") ignores the unused low bits of the last letter; so do we.
TEST(CoreBase64, IgnoresNonZeroTrailingBitsLikeNode) {
    EXPECT_EQ(sio::base64_decode("Zh=="), "f");
    EXPECT_EQ(sio::base64_decode("Zm9="), "fo");
}

TEST(CoreBase64, RejectsCharacterOutsideAlphabet) {
    for (auto const text : {
             "Zm9v!A=="sv,
             "Zm 9v"sv,
             "Zm9v\n"sv,
             "Zm9v\r\n"sv,
             "Zm9\0v"sv,
             "Zm-_"sv, // base64url letters are not standard base64
             "Zm9\xc3\xa9"sv,
             "Zm9\x80"sv,
             "Zm9\xff"sv,
             "."sv,
         })
        EXPECT_FALSE(sio::base64_decode(text)) << "text: " << text;
}

TEST(CoreBase64, RejectsImpossibleLength) {
    for (auto const text : {"Z"sv, "Zm9vY"sv, "Zm9vYmFyZ"sv})
        EXPECT_FALSE(sio::base64_decode(text)) << "text: " << text;
}

TEST(CoreBase64, RejectsPaddingInTheMiddle) {
    for (auto const text : {
             "Zg==Zg=="sv,
             "Zm=v"sv,
             "=Zm9"sv,
             "Z=m9"sv,
             "Zm9v=Zm9v"sv,
             "Zg=a"sv,
             "Zm8=Zm8="sv,
         })
        EXPECT_FALSE(sio::base64_decode(text)) << "text: " << text;
}

TEST(CoreBase64, RejectsWrongAmountOfPadding) {
    for (auto const text : {
             "="sv,
             "=="sv,
             "==="sv,
             "===="sv,
             "Zg="sv,
             "Zg==="sv,
             "Zm8=="sv,
             "Zm9v="sv,
             "Zm9v=="sv,
             "Z==="sv,
             "Z=="sv,
         })
        EXPECT_FALSE(sio::base64_decode(text)) << "text: " << text;
}

} // namespace
