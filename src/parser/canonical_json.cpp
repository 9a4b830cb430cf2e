#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <array>
#include <cstdint>
#include <cstring>
#include <parser/canonical_json.hpp>
#include <parser/swar.hpp>
#include <parser/utf8.hpp>

namespace sio::parser::detail {
namespace {

constexpr std::size_t max_members = 24;
constexpr std::size_t max_integer_digits = 15; // below 2^53: every JS number prints them back

// True if one of the eight bytes at p is below 0x20, '"', '\\' or 0x80 and above.
bool needs_look(char const* p) noexcept {
    auto const w = swar::load8(p);
    return swar::has_high_byte(w) || swar::has_byte_below(w, 0x20) || swar::has_byte(w, '"') ||
           swar::has_byte(w, '\\');
}

// Skips the bytes of a string that need no look: not '"', '\\', below 0x20 or from 0x80 on.
char const* skip_plain(char const* p, char const* end) noexcept {
#if defined(__SSE2__)
    // Sixteen at a time: a signed comparison with 0x20 catches both the control characters and
    // the bytes from 0x80 on, which are negative.
    __m128i const quote = _mm_set1_epi8('"');
    __m128i const backslash = _mm_set1_epi8('\\');
    __m128i const space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        __m128i const v = _mm_loadu_si128(reinterpret_cast<__m128i const*>(p));
        __m128i const hit = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
            _mm_cmplt_epi8(v, space));
        auto const mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
        if (mask != 0)
            return p + __builtin_ctz(mask);
        p += 16;
    }
#endif
    while (end - p >= 8 && !needs_look(p))
        p += 8;
    return p;
}

bool is_lower_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

class scanner {
public:
    scanner(std::string_view text, std::size_t max_depth) noexcept
        : p_(text.data())
        , end_(text.data() + text.size())
        , max_depth_(max_depth) {}

    std::optional<canonical_array> top() noexcept {
        char const* const begin = p_;
        if (p_ == end_ || *p_ != '[' || max_depth_ == 0)
            return std::nullopt;
        ++p_;
        canonical_array shape;
        if (p_ < end_ && *p_ == ']') {
            ++p_;
            return p_ == end_ ? std::optional{shape} : std::nullopt;
        }
        while (true) {
            char const* const start = p_;
            bool plain = false;
            if (!value(1, &plain))
                return std::nullopt;
            if (shape.count++ == 0) {
                shape.first_end = static_cast<std::size_t>(p_ - begin);
                shape.first_is_plain_string = *start == '"' && plain;
            }
            if (p_ == end_)
                return std::nullopt;
            if (*p_ == ']')
                break;
            if (*p_++ != ',')
                return std::nullopt;
        }
        ++p_;
        if (p_ != end_)
            return std::nullopt;
        return shape;
    }

private:
    // Depth counts the arrays and objects around the value, as Boost.JSON's max_depth does.
    bool value(std::size_t depth, bool* plain_string = nullptr) noexcept {
        if (p_ == end_)
            return false;
        switch (*p_) {
        case '"':
            return string(plain_string);
        case '[':
            return array(depth + 1);
        case '{':
            return object(depth + 1);
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        default:
            return integer();
        }
    }

    bool literal(std::string_view word) noexcept {
        if (static_cast<std::size_t>(end_ - p_) < word.size() ||
            std::memcmp(p_, word.data(), word.size()) != 0)
            return false;
        p_ += word.size();
        return true;
    }

    bool integer() noexcept {
        bool const negative = *p_ == '-';
        if (negative)
            ++p_;
        char const* const digits = p_;
        while (p_ < end_ && *p_ >= '0' && *p_ <= '9')
            ++p_;
        auto const n = static_cast<std::size_t>(p_ - digits);
        if (n == 0 || n > max_integer_digits)
            return false;
        if (*digits == '0' && (n > 1 || negative)) // 01 is invalid, -0 prints as 0
            return false;
        // A fraction or an exponent may print otherwise (1.0 as 1, 1e2 as 100).
        return p_ == end_ || (*p_ != '.' && *p_ != 'e' && *p_ != 'E');
    }

    bool string(bool* plain) noexcept {
        ++p_; // the opening quote
        bool escaped = false;
        while (true) {
            p_ = skip_plain(p_, end_);
            if (p_ == end_)
                return false;
            auto const c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                ++p_;
                if (plain)
                    *plain = !escaped;
                return true;
            }
            if (c < 0x20)
                return false; // a raw control character: invalid JSON
            if (c == '\\') {
                escaped = true;
                if (!escape())
                    return false;
                continue;
            }
            if (c >= 0x80) {
                if (!utf8_sequence())
                    return false;
                continue;
            }
            ++p_;
        }
    }

    // The escapes JSON.stringify writes, and only those.
    bool escape() noexcept {
        if (end_ - p_ < 2)
            return false;
        switch (p_[1]) {
        case '"':
        case '\\':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            p_ += 2;
            return true;
        case 'u': {
            if (end_ - p_ < 6 || p_[2] != '0' || p_[3] != '0' || (p_[4] != '0' && p_[4] != '1') ||
                !is_lower_hex(p_[5]))
                return false;
            int const code = (p_[4] - '0') * 16 + (p_[5] <= '9' ? p_[5] - '0' : p_[5] - 'a' + 10);
            // These five have a short form, which is what JSON.stringify writes.
            if (code == '\b' || code == '\f' || code == '\n' || code == '\r' || code == '\t')
                return false;
            p_ += 6;
            return true;
        }
        default:
            return false;
        }
    }

    // One well-formed UTF-8 sequence, surrogates excluded.
    bool utf8_sequence() noexcept {
        auto const n = utf8_sequence_length(p_, end_, false);
        p_ += n;
        return n != 0;
    }

    bool array(std::size_t depth) noexcept {
        if (depth > max_depth_)
            return false;
        ++p_;
        if (p_ < end_ && *p_ == ']') {
            ++p_;
            return true;
        }
        while (true) {
            if (!value(depth))
                return false;
            if (p_ == end_)
                return false;
            if (*p_ == ']') {
                ++p_;
                return true;
            }
            if (*p_++ != ',')
                return false;
        }
    }

    bool object(std::size_t depth) noexcept {
        if (depth > max_depth_)
            return false;
        ++p_;
        if (p_ < end_ && *p_ == '}') {
            ++p_;
            return true;
        }
        // Canonical keys are equal exactly when their bytes are, so duplicates show as such.
        std::array<std::string_view, max_members> keys;
        std::size_t members = 0;
        while (true) {
            if (members == max_members || p_ == end_ || *p_ != '"')
                return false;
            char const* const key_start = p_;
            if (!string(nullptr))
                return false;
            std::string_view const key{key_start + 1, static_cast<std::size_t>(p_ - key_start - 2)};
            if (is_index_like(key))
                return false;
            for (std::size_t i = 0; i < members; ++i)
                if (keys[i] == key)
                    return false;
            keys[members++] = key;
            if (p_ == end_ || *p_++ != ':')
                return false;
            if (!value(depth))
                return false;
            if (p_ == end_)
                return false;
            if (*p_ == '}') {
                ++p_;
                return true;
            }
            if (*p_++ != ',')
                return false;
        }
    }

    // A key of digits only may be an array index, which JS lists before the other keys.
    static bool is_index_like(std::string_view key) noexcept {
        if (key.empty())
            return false;
        for (char c : key)
            if (c < '0' || c > '9')
                return false;
        return true;
    }

    char const* p_;
    char const* const end_;
    std::size_t const max_depth_;
};

} // namespace

std::optional<canonical_array>
scan_canonical_array(std::string_view text, std::size_t max_depth) noexcept {
    return scanner{text, max_depth}.top();
}

} // namespace sio::parser::detail
