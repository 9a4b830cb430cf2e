#pragma once

// What the SQLite and PostgreSQL feeds share: turning a row as the database renders it in JSON
// into a change's row, and quoting.

#include <sio/core/shared_bytes.hpp>

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sio::feed::detail {

/// Parses a row's JSON (empty text: null) into the change form: BLOBs out as binary
/// placeholders indexing `blobs` (SQLite's {"$b": hex}, or PostgreSQL's "\x..." strings in the
/// `bytea` columns), integers beyond 2^53 as strings.
boost::json::value to_row(
    std::string_view text,
    std::vector<shared_bytes>& blobs,
    std::vector<std::string> const& bytea = {});

/// "name" with embedded quotes doubled.
std::string quote_ident(std::string_view name);
/// 'text' with embedded quotes doubled.
std::string quote_literal(std::string_view text);

} // namespace sio::feed::detail
