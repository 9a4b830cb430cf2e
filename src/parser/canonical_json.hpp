#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace sio::parser::detail {

/// The shape of a JSON array that scan_canonical_array accepted.
struct canonical_array {
    /// Its elements, at the top level.
    std::size_t count = 0;
    /// Offset just past the first element; 1 (the closing bracket) when there is none.
    std::size_t first_end = 1;
    /// The first element is a string with no escape, so its text between the quotes is its value.
    bool first_is_plain_string = false;
};

/// Accepts `text` only when it is a JSON array that parse_json takes (at most `max_depth`
/// nested) and that serialize_json, like JSON.stringify, writes back byte for byte: no
/// whitespace outside strings; strings of valid UTF-8 whose escapes are the ones JSON.stringify
/// writes (\" \\ \b \f \n \r \t, other control characters as lowercase \u00xx); integers of at
/// most 15 digits, without leading zeros, not -0; no fraction or exponent; objects of at most
/// 24 members, none repeated, none whose key is an array index (JS lists those first). Any other
/// text, valid JSON or not, gives nothing: the caller parses it instead, which also reports why
/// it is invalid. This is how a relayed event skips the JSON tree: its text is kept as it came.
/// Pure; any thread; never throws, never allocates.
std::optional<canonical_array>
scan_canonical_array(std::string_view text, std::size_t max_depth) noexcept;

} // namespace sio::parser::detail
