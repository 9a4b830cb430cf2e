// The event arguments sio-bench sends: a JSON string of --size bytes that starts with a
// 16-hex-digit sequence number (and, for fan-out, a 16-hex-digit send time), followed by filler
// 'a'..'z' rotated by the sequence number, so every byte of what comes back can be checked with
// one memcmp.
#pragma once

#include <common/hex.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sio_bench {

using bench::get_hex;
using bench::hex_digits;
using bench::put_hex;

/// Filler of a payload of `size` bytes whose first `header` bytes are hex fields.
class filler {
public:
    filler(std::size_t size, std::size_t header)
        : text_(size + 26, '\0')
        , header_(header)
        , size_(size) {
        for (std::size_t i = 0; i < text_.size(); ++i)
            text_[i] = static_cast<char>('a' + i % 26);
    }

    std::size_t size() const noexcept { return size_ - header_; }
    void write(char* out, std::uint64_t seq) const noexcept {
        std::memcpy(out, text_.data() + seq % 26, size());
    }
    bool matches(char const* in, std::uint64_t seq) const noexcept {
        return std::memcmp(in, text_.data() + seq % 26, size()) == 0;
    }

private:
    std::string text_;
    std::size_t header_;
    std::size_t size_;
};

/// Decimal digits of v, written at `out`; returns the count.
inline std::size_t put_decimal(char* out, std::uint64_t v) noexcept {
    char tmp[20];
    std::size_t n = 0;
    do {
        tmp[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (std::size_t i = 0; i < n; ++i)
        out[i] = tmp[n - 1 - i];
    return n;
}

/// Parses the decimal number at the start of `s`; removes it from `s`. False if there is none.
inline bool take_decimal(std::string_view& s, std::uint64_t& v) noexcept {
    std::size_t i = 0;
    v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i < 19)
        v = v * 10 + static_cast<std::uint64_t>(s[i++] - '0');
    s.remove_prefix(i);
    return i > 0;
}

} // namespace sio_bench
