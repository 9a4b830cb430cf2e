#pragma once

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace sio::parser {

/// Appends `v` as JavaScript's `JSON.stringify` writes the same value, so that the bytes we send
/// are the bytes a Node peer would send: compact; strings escape only `"`, `\` and control
/// characters (`\b \f \n \r \t`, the rest as lowercase `\u00xx`), all other bytes are copied;
/// doubles print as `Number.prototype.toString` (shortest round trip, `1e+21`, `1e-7`, `-0` as
/// `0`, NaN and infinities as `null`); int64 and uint64 print exactly. Object members keep their
/// order, except that keys which are array indices ("0".."4294967294") come first in ascending
/// numeric order, as JS orders the properties of every object.
/// Pure; any thread. Throws only std::bad_alloc.
void serialize_json(boost::json::value const& v, std::string& out);

/// serialize_json into a new string.
std::string to_json(boost::json::value const& v);

/// Most nesting of arrays and objects `parse_json` accepts by default.
inline constexpr std::size_t default_max_json_depth = 128;

/// Parses one JSON text as `JSON.parse` does: surrounding whitespace allowed, anything else after
/// the value rejected, doubles rounded correctly (Boost 1.81's own parser may be one unit off in
/// the last place), duplicate keys keep the last value. Unlike JSON.parse it rejects invalid UTF-8
/// and unpaired UTF-16 surrogate escapes.
/// Errors: error::invalid_json, error::json_too_deep. Pure; any thread; throws only bad_alloc.
boost::system::result<boost::json::value>
parse_json(std::string_view text, std::size_t max_depth = default_max_json_depth);

} // namespace sio::parser
