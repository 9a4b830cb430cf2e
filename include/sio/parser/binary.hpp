#pragma once

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <optional>

namespace sio::parser {

/// The JSON that stands in `packet::data` for attachment `num`: `{"_placeholder":true,"num":num}`,
/// members in the order socket.io-parser writes them.
boost::json::value make_placeholder(std::size_t num);

/// The attachment index of a placeholder, or nothing when `v` is not one. A placeholder is an
/// object whose `_placeholder` member is `true` (other members are ignored, as socket.io-parser
/// does) and whose `num` is a non-negative integer (an integral double counts, as in JS).
std::optional<std::size_t> placeholder_index(boost::json::value const& v);

/// Checks every placeholder in `data` against the number of attachments that came with it, as
/// socket.io-parser's reconstructPacket does: each `num` must be an integer below
/// `attachment_count`. Attachments need not all be referenced, nor only once (nor does Node
/// require it). Placeholders are not searched for inside other placeholders.
/// Errors: error::invalid_placeholder. Pure; any thread.
boost::system::result<void>
check_placeholders(boost::json::value const& data, std::size_t attachment_count);

} // namespace sio::parser
