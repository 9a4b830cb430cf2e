#pragma once

#include <cstdint>
#include <cstring>

// Tests on eight bytes at once (Hacker's Delight 6-1), for the string loops of the JSON writer and
// the canonical scan: each is exact about whether any of the eight bytes matches.
namespace sio::parser::detail::swar {

inline constexpr std::uint64_t ones = 0x0101010101010101ull;
inline constexpr std::uint64_t highs = 0x8080808080808080ull;

inline std::uint64_t load8(char const* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}

inline bool has_zero_byte(std::uint64_t w) noexcept {
    return ((w - ones) & ~w & highs) != 0;
}

inline bool has_byte(std::uint64_t w, unsigned char c) noexcept {
    return has_zero_byte(w ^ (ones * c));
}

/// Some byte is below `n`, for n up to 0x80.
inline bool has_byte_below(std::uint64_t w, unsigned char n) noexcept {
    return ((w - ones * n) & ~w & highs) != 0;
}

/// Some byte is 0x80 or above.
inline bool has_high_byte(std::uint64_t w) noexcept {
    return (w & highs) != 0;
}

} // namespace sio::parser::detail::swar
