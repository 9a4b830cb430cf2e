#pragma once

#include <cstddef>

namespace sio::parser::detail {

/// The length of the UTF-8 sequence starting at `p` with a byte from 0x80 up, or 0 when it is
/// not well-formed: a stray continuation byte, an overlong form, a code point past U+10FFFF, a
/// sequence cut short by `end`, or an encoded surrogate unless `allow_surrogates` (WTF-8, as
/// parse_json writes lone surrogate escapes internally).
inline std::size_t
utf8_sequence_length(char const* p, char const* end, bool allow_surrogates) noexcept {
    auto const c = static_cast<unsigned char>(*p);
    std::size_t n;
    unsigned lo = 0x80, hi = 0xBF; // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED && !allow_surrogates)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (static_cast<std::size_t>(end - p) <= n)
        return 0;
    for (std::size_t k = 1; k <= n; ++k) {
        auto const b = static_cast<unsigned char>(p[k]);
        if (b < (k == 1 ? lo : 0x80u) || b > (k == 1 ? hi : 0xBFu))
            return 0;
    }
    return n + 1;
}

} // namespace sio::parser::detail
