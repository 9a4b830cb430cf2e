#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstdint>
#include <feed/rows.hpp>

namespace sio::feed::detail {
namespace {

constexpr std::int64_t max_exact_integer = std::int64_t{1} << 53;

int hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return 0;
}

boost::json::value binary(std::string_view hex, std::vector<shared_bytes>& blobs) {
    std::string bytes;
    bytes.reserve(hex.size() / 2);
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        bytes.push_back(static_cast<char>(hex_digit(hex[i]) * 16 + hex_digit(hex[i + 1])));
    blobs.push_back(shared_bytes{std::move(bytes)});
    return boost::json::object{{"_placeholder", true}, {"num", blobs.size() - 1}};
}

} // namespace

boost::json::value to_row(
    std::string_view text,
    std::vector<shared_bytes>& blobs,
    std::vector<std::string> const& bytea) {
    if (text.empty())
        return nullptr;
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object())
        return nullptr;
    for (auto& kv : v.as_object()) {
        auto& cell = kv.value();
        if (auto* o = cell.if_object();
            o && o->size() == 1 && o->contains("$b") && o->at("$b").is_string()) {
            cell = binary(o->at("$b").get_string(), blobs);
        } else if (
            cell.is_string() && !bytea.empty() &&
            std::find(bytea.begin(), bytea.end(), std::string_view{kv.key()}) != bytea.end()) {
            std::string_view s = cell.get_string();
            if (s.substr(0, 2) == "\\x")
                cell = binary(s.substr(2), blobs);
        } else if (
            cell.is_int64() &&
            (cell.get_int64() > max_exact_integer || cell.get_int64() < -max_exact_integer)) {
            cell = std::to_string(cell.get_int64()); // a JS number would round it
        }
    }
    return v;
}

std::string quote_ident(std::string_view name) {
    std::string out{"\""};
    for (char c : name) {
        if (c == '"')
            out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

std::string quote_literal(std::string_view text) {
    std::string out{"'"};
    for (char c : text) {
        if (c == '\'')
            out.push_back('\'');
        out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

} // namespace sio::feed::detail
