// request_info packs every string of the handshake request into one block, with common header
// names and values coded as one byte: whatever goes in must come back byte for byte.
#include <sio/engine/request.hpp>

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace {

using sio::engine::request_info;
using field = request_info::field;

struct owned_fields {
    std::vector<std::pair<std::string, std::string>> text;
    std::vector<field> views() const {
        std::vector<field> v;
        for (auto const& [n, x] : text)
            v.emplace_back(n, x);
        return v;
    }
};

request_info make(
    std::string const& target,
    std::string const& path,
    owned_fields const& query,
    owned_fields const& headers,
    std::string const& address = "127.0.0.1") {
    auto const q = query.views();
    auto const h = headers.views();
    return request_info{
        "GET", target, path, q, h, address, true, std::chrono::system_clock::time_point{}};
}

void expect_fields(request_info::field_range got, owned_fields const& want) {
    ASSERT_EQ(got.size(), want.text.size());
    std::size_t i = 0;
    for (auto const [name, value] : got) {
        EXPECT_EQ(name, want.text[i].first) << "field " << i;
        EXPECT_EQ(value, want.text[i].second) << "field " << i;
        ++i;
    }
}

TEST(EngineRequest, KeepsEveryStringAsGiven) {
    owned_fields query{{{"EIO", "4"}, {"transport", "polling"}, {"t", "P1a2b3c"}}};
    owned_fields headers{{
        {"host", "127.0.0.1:3000"},
        {"connection", "keep-alive"},
        {"accept", "*/*"},
        {"user-agent", "node"},
        {"x-custom", "a value with spaces"},
        {"accept-encoding", "gzip, deflate"},
    }};
    auto const r =
        make("/socket.io/?EIO=4&transport=polling&t=P1a2b3c", "/socket.io/", query, headers);
    EXPECT_EQ(r.method(), "GET");
    EXPECT_EQ(r.target(), "/socket.io/?EIO=4&transport=polling&t=P1a2b3c");
    EXPECT_EQ(r.path(), "/socket.io/");
    EXPECT_EQ(r.remote_address(), "127.0.0.1");
    EXPECT_TRUE(r.secure());
    expect_fields(r.query(), query);
    expect_fields(r.headers(), headers);
    EXPECT_EQ(r.query_param("transport"), "polling");
    EXPECT_EQ(r.header("User-Agent"), "node");
    EXPECT_EQ(r.header("X-CUSTOM"), "a value with spaces");
    EXPECT_FALSE(r.header("cookie").has_value());
    EXPECT_FALSE(r.query_param("sid").has_value());
}

TEST(EngineRequest, KeepsEmptyAndControlCharacterStrings) {
    // Strings that begin with a control character must not be taken for a one-byte code.
    owned_fields headers{{
        {"", ""},
        {"x-empty", ""},
        {std::string("\x01x", 2), std::string("\x01", 1)},
        {"x-ctl", std::string("\x02keep-alive", 11)},
        {"connection", std::string("\x1f", 1)},
        {std::string("\x7f", 1), "\t tab"},
    }};
    auto const r = make("/p", "/p", {}, headers, "");
    expect_fields(r.headers(), headers);
    EXPECT_EQ(r.remote_address(), "");
    EXPECT_TRUE(r.query().empty());
}

TEST(EngineRequest, PathApartFromTheTargetIsKept) {
    // Percent-decoding makes the path differ from the target's prefix.
    auto const r = make("/a%20b/?x=1", "/a b/", {{{"x", "1"}}}, {});
    EXPECT_EQ(r.target(), "/a%20b/?x=1");
    EXPECT_EQ(r.path(), "/a b/");
}

TEST(EngineRequest, LargeRequestsUseWiderOffsets) {
    // Past 255 and past 65535 bytes of text the string ends need 2 and 4 bytes each.
    for (std::size_t size : {200u, 300u, 70000u, 200000u}) {
        owned_fields headers{{
            {"x-big", std::string(size, 'v')},
            {"host", "h"},
            {"x-after", "after"},
        }};
        auto const r = make("/big", "/big", {{{"q", std::string(size / 2, 'q')}}}, headers);
        expect_fields(r.headers(), headers);
        ASSERT_EQ(r.query().size(), 1u);
        EXPECT_EQ(r.query()[0].second.size(), size / 2);
        EXPECT_EQ(r.header("x-after"), "after");
    }
}

TEST(EngineRequest, CopiesAndMovesKeepTheText) {
    owned_fields headers{{{"host", "example"}, {"x-a", "b"}}};
    auto const original = make("/c?z=1", "/c", {{{"z", "1"}}}, headers);
    request_info copy = original;
    request_info moved = std::move(copy);
    request_info assigned;
    assigned = moved;
    for (request_info const* r :
         std::initializer_list<request_info const*>{&original, &moved, &assigned}) {
        EXPECT_EQ(r->target(), "/c?z=1");
        EXPECT_EQ(r->path(), "/c");
        expect_fields(r->headers(), headers);
        EXPECT_EQ(r->query_param("z"), "1");
    }
    request_info empty;
    EXPECT_EQ(empty.method(), "");
    EXPECT_TRUE(empty.headers().empty());
}

} // namespace
