#include <sio/feed/change.hpp>

#include <optional>

namespace sio::feed {

std::string_view to_string(op o) noexcept {
    switch (o) {
    case op::insert:
        return "insert";
    case op::update:
        return "update";
    case op::remove:
        return "delete";
    }
    return "insert";
}

op op_from_string(std::string_view s) noexcept {
    if (s == "insert")
        return op::insert;
    if (s == "update")
        return op::update;
    return op::remove;
}

column const* table_info::find(std::string_view n) const noexcept {
    for (auto const& c : columns)
        if (c.name == n)
            return &c;
    return nullptr;
}

namespace {

std::optional<double> number_of(boost::json::value const& v) noexcept {
    if (v.is_int64())
        return static_cast<double>(v.get_int64());
    if (v.is_uint64())
        return static_cast<double>(v.get_uint64());
    if (v.is_double())
        return v.get_double();
    return std::nullopt;
}

bool equal_scalar(boost::json::value const& cell, boost::json::value const& wanted) noexcept {
    if (wanted.is_null())
        return cell.is_null();
    if (wanted.is_bool()) {
        if (cell.is_bool()) // PostgreSQL booleans
            return cell.get_bool() == wanted.get_bool();
        auto n = number_of(cell);
        return n && *n == (wanted.get_bool() ? 1.0 : 0.0);
    }
    if (wanted.is_string())
        return cell.is_string() && cell.get_string() == wanted.get_string();
    if (auto w = number_of(wanted)) {
        if (cell.is_int64() && wanted.is_int64())
            return cell.get_int64() == wanted.get_int64(); // exact, beyond 2^53 too
        auto c = number_of(cell);
        return c && *c == *w;
    }
    return false;
}

} // namespace

bool matches(boost::json::value const& row, filter const& where) noexcept {
    auto const* o = row.if_object();
    if (!o)
        return false;
    for (auto const& [column, wanted] : where) {
        auto const* cell = o->if_contains(column);
        if (!cell || !equal_scalar(*cell, wanted))
            return false;
    }
    return true;
}

} // namespace sio::feed
