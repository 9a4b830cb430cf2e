#include <sio/parser/binary.hpp>
#include <sio/parser/error.hpp>

#include <boost/json/object.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

namespace sio::parser {
namespace {

namespace json = boost::json;

enum class placeholder_kind { none, valid, invalid };

struct placeholder_info {
    placeholder_kind kind = placeholder_kind::none;
    std::size_t num = 0;
};

// socket.io-parser tests `data._placeholder === true`, then `typeof num === "number"`; we also
// require num to be a non-negative integer, since a fraction indexes nothing in JS either.
placeholder_info inspect(json::value const& v) noexcept {
    auto const* o = v.if_object();
    if (!o)
        return {};
    auto const flag = o->find("_placeholder");
    if (flag == o->end() || !flag->value().is_bool() || !flag->value().get_bool())
        return {};
    auto const num = o->find("num");
    if (num == o->end())
        return {placeholder_kind::invalid};
    auto const& n = num->value();
    switch (n.kind()) {
    case json::kind::int64:
        if (n.get_int64() >= 0)
            return {placeholder_kind::valid, static_cast<std::size_t>(n.get_int64())};
        break;
    case json::kind::uint64:
        return {placeholder_kind::valid, static_cast<std::size_t>(n.get_uint64())};
    case json::kind::double_: {
        double const d = n.get_double();
        // 2^64 as a double: anything below converts exactly.
        if (d >= 0 && d < 18446744073709551616.0 && std::trunc(d) == d)
            return {placeholder_kind::valid, static_cast<std::size_t>(d)};
        break;
    }
    default:
        break;
    }
    return {placeholder_kind::invalid};
}

bool placeholders_fit(json::value const& v, std::size_t count) noexcept {
    auto const info = inspect(v);
    if (info.kind == placeholder_kind::valid)
        return info.num < count;
    if (info.kind == placeholder_kind::invalid)
        return false;
    if (auto const* a = v.if_array()) {
        for (auto const& e : *a)
            if (!placeholders_fit(e, count))
                return false;
    } else if (auto const* o = v.if_object()) {
        for (auto const& m : *o)
            if (!placeholders_fit(m.value(), count))
                return false;
    }
    return true;
}

} // namespace

boost::json::value make_placeholder(std::size_t num) {
    // int64, as the parser reads numbers back, so a decoded packet compares equal to its source.
    return json::object{{"_placeholder", true}, {"num", static_cast<std::int64_t>(num)}};
}

std::optional<std::size_t> placeholder_index(boost::json::value const& v) {
    auto const info = inspect(v);
    if (info.kind != placeholder_kind::valid)
        return std::nullopt;
    return info.num;
}

boost::system::result<void>
check_placeholders(boost::json::value const& data, std::size_t attachment_count) {
    if (!placeholders_fit(data, attachment_count))
        return error::invalid_placeholder;
    return {};
}

} // namespace sio::parser
