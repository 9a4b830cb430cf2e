#pragma once

#include <sio/core/shared_bytes.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sio::feed {

enum class op { insert, update, remove };

/// "insert", "update", "delete".
std::string_view to_string(op o) noexcept;
/// The op a change log names ("insert", "update", anything else: delete).
op op_from_string(std::string_view s) noexcept;

/// One committed row change of a watched table, in commit order.
struct change {
    /// Increases with commit order; unique per database.
    std::int64_t id = 0;
    std::string table{};
    feed::op op = feed::op::insert;
    /// The row after the change (null on delete) and before it (null on insert). Values are JSON:
    /// INTEGER/REAL numbers (integers beyond 2^53 as strings), TEXT strings, NULL null, and BLOBs
    /// as binary placeholders indexing `blobs`.
    boost::json::value row{};
    boost::json::value old{};
    std::vector<shared_bytes> blobs{};
    /// ISO 8601 UTC.
    std::string committed_at{};
};

/// A column of a watched table.
struct column {
    std::string name{};
    std::string declared_type{};
    bool primary_key = false;
};

/// What the feed knows of a watched table.
struct table_info {
    std::string name{};
    std::vector<column> columns{};
    /// Columns that identify a row (the primary key, or "rowid").
    std::vector<std::string> key{};
    /// The implicit rowid is part of each row (tables without INTEGER PRIMARY KEY).
    bool has_rowid_column = false;

    column const* find(std::string_view name) const noexcept;
};

/// Equality filter of a subscription: column → JSON scalar.
using filter = boost::json::object;

/// Whether a row (JSON object as in `change::row`) matches a filter: numbers equal numerically
/// with numbers, strings with strings, null with null, true/false with 1/0.
bool matches(boost::json::value const& row, filter const& where) noexcept;

} // namespace sio::feed
