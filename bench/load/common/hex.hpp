// Fixed-width hexadecimal fields the load generators put in their payloads (sequence numbers,
// send times), written and checked without allocating.
#pragma once

#include <cstddef>
#include <cstdint>

namespace bench {

constexpr std::size_t hex_digits = 16;

/// Writes v as 16 lowercase hex digits at out.
inline void put_hex(char* out, std::uint64_t v) noexcept {
    constexpr char digits[] = "0123456789abcdef";
    for (std::size_t i = hex_digits; i-- > 0; v >>= 4)
        out[i] = digits[v & 0xf];
}

/// Reads 16 lowercase hex digits at in; false if one is not a hex digit.
inline bool get_hex(char const* in, std::uint64_t& v) noexcept {
    v = 0;
    for (std::size_t i = 0; i < hex_digits; ++i) {
        char const c = in[i];
        unsigned d = 0;
        if (c >= '0' && c <= '9')
            d = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = static_cast<unsigned>(c - 'a' + 10);
        else
            return false;
        v = (v << 4) | d;
    }
    return true;
}

} // namespace bench
