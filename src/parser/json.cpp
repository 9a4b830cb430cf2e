#include <sio/parser/error.hpp>
#include <sio/parser/json.hpp>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <parser/swar.hpp>
#include <parser/utf8.hpp>
#include <system_error>
#include <utility>
#include <vector>

namespace sio::parser {
namespace {

namespace json = boost::json;

// For each byte, what JSON.stringify writes after a backslash, or 0 when it copies the byte.
// ES2019 JSON.stringify (QuoteJSONString): the short escapes, the other controls as \u00xx.
constexpr std::array<char, 256> escapes = [] {
    std::array<char, 256> t{};
    for (int c = 0; c < 0x20; ++c)
        t[c] = 'u';
    t['\b'] = 'b';
    t['\f'] = 'f';
    t['\n'] = 'n';
    t['\r'] = 'r';
    t['\t'] = 't';
    t['"'] = '"';
    t['\\'] = '\\';
    return t;
}();

// True if one of the eight bytes at p is below 0x20, '"', '\\' or 0xED.
bool needs_look(char const* p) noexcept {
    namespace swar = detail::swar;
    auto const w = swar::load8(p);
    return swar::has_byte_below(w, 0x20) || swar::has_byte(w, '"') || swar::has_byte(w, '\\') ||
           swar::has_byte(w, 0xED);
}

void append_string(std::string_view s, std::string& out) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    char const* run = s.data();
    char const* const end = s.data() + s.size();
    for (char const* p = run; p != end; ++p) {
        // Skip eight bytes at a time while none of them needs a look: no control character, no
        // quote or backslash, no 0xED (the lead byte of an encoded surrogate).
        while (end - p >= 8 && !needs_look(p))
            p += 8;
        if (p == end)
            break;
        auto const c = static_cast<unsigned char>(*p);
        // A lone UTF-16 surrogate kept from the peer's JSON (WTF-8: ED A0..BF xx) goes back out
        // escaped, as JSON.stringify writes it.
        if (c == 0xED && end - p >= 3 && (static_cast<unsigned char>(p[1]) & 0xE0) == 0xA0) {
            out.append(run, p);
            unsigned const cp = 0xD000u | ((static_cast<unsigned char>(p[1]) & 0x3Fu) << 6) |
                                (static_cast<unsigned char>(p[2]) & 0x3Fu);
            char const u[6] = {
                '\\',
                'u',
                hex[(cp >> 12) & 15],
                hex[(cp >> 8) & 15],
                hex[(cp >> 4) & 15],
                hex[cp & 15]};
            out.append(u, sizeof u);
            p += 2;
            run = p + 1;
            continue;
        }
        char const esc = escapes[c];
        if (esc == 0)
            continue;
        out.append(run, p);
        if (esc == 'u') {
            char const u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out.append(u, sizeof u);
        } else {
            char const e[2] = {'\\', esc};
            out.append(e, sizeof e);
        }
        run = p + 1;
    }
    out.append(run, end);
    out += '"';
}

template <class Int> void append_integer(Int i, std::string& out) {
    char buf[24];
    auto const r = std::to_chars(buf, buf + sizeof buf, i);
    out.append(buf, r.ptr);
}

// Number::toString(10) of ECMA-262 (§6.1.6.1.20): the shortest digits that round-trip, which
// std::to_chars also picks, laid out by where the decimal point falls.
void append_double(double d, std::string& out) {
    if (!std::isfinite(d)) {
        out += "null";
        return;
    }
    if (d == 0) { // also -0, which JS prints as "0"
        out += '0';
        return;
    }
    // Fast path: std::to_chars picks fixed notation only when it is no longer than scientific,
    // which below 2^53 happens only for magnitudes JS also prints without an exponent (1e-6 up
    // to 1e21), and then with the same shortest digits.
    if (std::fabs(d) < 9007199254740992.0) {
        char plain[32];
        auto const r = std::to_chars(plain, plain + sizeof plain, d);
        if (std::find(plain, r.ptr, 'e') == r.ptr) {
            out.append(plain, r.ptr);
            return;
        }
    }
    char sci[32]; // [-]D[.DDD]e±XXX
    auto const r = std::to_chars(sci, sci + sizeof sci, d, std::chars_format::scientific);
    char const* p = sci;
    bool const negative = *p == '-';
    if (negative)
        ++p;
    char digits[24];
    int k = 0;
    for (; *p != 'e'; ++p)
        if (*p != '.')
            digits[k++] = *p;
    ++p;
    bool const negative_exponent = *p == '-';
    ++p;
    int e = 0;
    for (; p != r.ptr; ++p)
        e = e * 10 + (*p - '0');
    // n as in the spec: the value is 0.DIGITS × 10^n.
    int const n = (negative_exponent ? -e : e) + 1;

    char buf[48];
    char* o = buf;
    if (negative)
        *o++ = '-';
    if (k <= n && n <= 21) {
        o = std::copy(digits, digits + k, o);
        o = std::fill_n(o, n - k, '0');
    } else if (0 < n && n <= 21) {
        o = std::copy(digits, digits + n, o);
        *o++ = '.';
        o = std::copy(digits + n, digits + k, o);
    } else if (-6 < n && n <= 0) {
        *o++ = '0';
        *o++ = '.';
        o = std::fill_n(o, -n, '0');
        o = std::copy(digits, digits + k, o);
    } else {
        *o++ = digits[0];
        if (k > 1) {
            *o++ = '.';
            o = std::copy(digits + 1, digits + k, o);
        }
        *o++ = 'e';
        *o++ = n - 1 < 0 ? '-' : '+';
        o = std::to_chars(o, buf + sizeof buf, n - 1 < 0 ? 1 - n : n - 1).ptr;
    }
    out.append(buf, o);
}

// JS lists an object's array-index keys (canonical decimal below 2^32-1) first, ascending.
std::optional<std::uint32_t> array_index(std::string_view key) noexcept {
    if (key.empty() || key.size() > 10 || (key[0] == '0' && key.size() > 1))
        return std::nullopt;
    std::uint64_t v = 0;
    for (char c : key) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v >= 0xffffffffu)
        return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

void append_value(json::value const& v, std::string& out);

void append_member(json::key_value_pair const& m, bool& first, std::string& out) {
    if (!first)
        out += ',';
    first = false;
    append_string(m.key(), out);
    out += ':';
    append_value(m.value(), out);
}

void append_object(json::object const& o, std::string& out) {
    out += '{';
    bool first = true;
    bool const has_index = std::any_of(o.begin(), o.end(), [](json::key_value_pair const& m) {
        auto const k = m.key();
        return !k.empty() && k[0] >= '0' && k[0] <= '9' && array_index(k);
    });
    if (!has_index) {
        for (auto const& m : o)
            append_member(m, first, out);
    } else {
        // Rare (objects used as sparse arrays), so this path may allocate.
        std::vector<std::pair<std::uint32_t, json::key_value_pair const*>> indexed;
        for (auto const& m : o)
            if (auto const i = array_index(m.key()))
                indexed.emplace_back(*i, &m);
        std::sort(indexed.begin(), indexed.end(), [](auto const& a, auto const& b) {
            return a.first < b.first;
        });
        for (auto const& [i, m] : indexed)
            append_member(*m, first, out);
        for (auto const& m : o)
            if (!array_index(m.key()))
                append_member(m, first, out);
    }
    out += '}';
}

void append_value(json::value const& v, std::string& out) {
    switch (v.kind()) {
    case json::kind::null:
        out += "null";
        return;
    case json::kind::bool_:
        out += v.get_bool() ? "true" : "false";
        return;
    case json::kind::int64:
        append_integer(v.get_int64(), out);
        return;
    case json::kind::uint64:
        append_integer(v.get_uint64(), out);
        return;
    case json::kind::double_:
        append_double(v.get_double(), out);
        return;
    case json::kind::string:
        append_string(v.get_string(), out);
        return;
    case json::kind::array: {
        out += '[';
        bool first = true;
        for (auto const& e : v.get_array()) {
            if (!first)
                out += ',';
            first = false;
            append_value(e, out);
        }
        out += ']';
        return;
    }
    case json::kind::object:
        append_object(v.get_object(), out);
        return;
    }
}

// Boost.JSON's default handler, except that doubles are re-read from their text with
// std::from_chars: Boost 1.81 converts about one double in five to a neighbour of the nearest
// value, which would change numbers a peer sent us before we relay them.
struct exact_handler {
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    json::value_stack st;

    exact_handler(unsigned char* temp, std::size_t size)
        : st(json::storage_ptr{}, temp, size) {}

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) { return true; }
    bool on_object_end(std::size_t n, json::error_code&) {
        st.push_object(n);
        return true;
    }
    bool on_array_begin(json::error_code&) { return true; }
    bool on_array_end(std::size_t n, json::error_code&) {
        st.push_array(n);
        return true;
    }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        st.push_chars(s);
        return true;
    }
    bool on_key(json::string_view s, std::size_t, json::error_code&) {
        st.push_key(s);
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
        st.push_chars(s);
        return true;
    }
    bool on_string(json::string_view s, std::size_t, json::error_code&) {
        st.push_string(s);
        return true;
    }
    bool on_number_part(json::string_view, json::error_code&) { return true; }
    bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
        st.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
        st.push_uint64(u);
        return true;
    }
    bool on_double(double d, json::string_view s, json::error_code&) {
        // The whole input is one buffer, so `s` is the number's whole text. Out of range
        // (1e400, 1e-400) keeps Boost's infinity or zero, which JSON.parse also gives.
        double exact = 0;
        auto const r = std::from_chars(s.data(), s.data() + s.size(), exact);
        st.push_double(r.ec == std::errc{} && r.ptr == s.data() + s.size() ? exact : d);
        return true;
    }
    bool on_bool(bool b, json::error_code&) {
        st.push_bool(b);
        return true;
    }
    bool on_null(json::error_code&) {
        st.push_null();
        return true;
    }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }
};

} // namespace

void serialize_json(boost::json::value const& v, std::string& out) {
    append_value(v, out);
}

std::string to_json(boost::json::value const& v) {
    std::string out;
    append_value(v, out);
    return out;
}

namespace {

int hex4(std::string_view s) {
    int v = 0;
    for (char c : s) {
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

bool may_hold_surrogate_escape(std::string_view text) {
    for (auto pos = text.find("\\u"); pos != std::string_view::npos;
         pos = text.find("\\u", pos + 2))
        if (pos + 2 < text.size() && (text[pos + 2] == 'd' || text[pos + 2] == 'D'))
            return true;
    return false;
}

// JSON.parse accepts lone UTF-16 surrogate escapes ("\ud800") and JS peers send them; Boost.JSON
// 1.81 refuses them. Rewrites each lone one as its WTF-8 bytes (kept as is with
// allow_invalid_utf8, and escaped again by append_string), leaving valid pairs alone.
std::string keep_lone_surrogates(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char const c = text[i];
        if (!in_string) {
            in_string = c == '"';
            out.push_back(c);
            continue;
        }
        if (c == '"') {
            in_string = false;
            out.push_back(c);
            continue;
        }
        if (c != '\\' || i + 1 >= text.size()) {
            out.push_back(c);
            continue;
        }
        if (text[i + 1] != 'u' || i + 6 > text.size()) {
            out.append(text.substr(i, 2));
            ++i;
            continue;
        }
        int const cp = hex4(text.substr(i + 2, 4));
        bool const high = cp >= 0xD800 && cp <= 0xDBFF;
        bool const low = cp >= 0xDC00 && cp <= 0xDFFF;
        if (high && i + 12 <= text.size() && text[i + 6] == '\\' && text[i + 7] == 'u') {
            int const next = hex4(text.substr(i + 8, 4));
            if (next >= 0xDC00 && next <= 0xDFFF) { // a valid pair: Boost.JSON takes it
                out.append(text.substr(i, 12));
                i += 11;
                continue;
            }
        }
        if (high || low) {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            out.append(text.substr(i, 6));
        }
        i += 5;
    }
    return out;
}

// UTF-8 where the only extension allowed is a surrogate code point (WTF-8), which
// keep_lone_surrogates produced; anything else invalid is still refused.
bool is_utf8_or_surrogates(std::string_view s) {
    char const* p = s.data();
    char const* const end = p + s.size();
    while (p != end) {
        if (static_cast<unsigned char>(*p) < 0x80) {
            ++p;
            continue;
        }
        auto const n = detail::utf8_sequence_length(p, end, true);
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}

} // namespace

boost::system::result<boost::json::value> parse_json(std::string_view text, std::size_t max_depth) {
    json::parse_options opt;
    opt.max_depth = max_depth;
    std::string repaired;
    if (may_hold_surrogate_escape(text)) {
        repaired = keep_lone_surrogates(text);
        if (!is_utf8_or_surrogates(repaired))
            return error::invalid_json;
        text = repaired;
        opt.allow_invalid_utf8 = true;
    }
    // Scratch space for the value stack, as boost::json::parse uses; larger values spill to the
    // heap.
    unsigned char temp[512];
    json::basic_parser<exact_handler> p(opt, temp, sizeof temp);
    p.handler().st.reset();
    json::error_code ec;
    auto const n = p.write_some(false, text.data(), text.size(), ec);
    if (ec)
        return ec == json::error::too_deep ? error::json_too_deep : error::invalid_json;
    if (n < text.size())
        return error::invalid_json; // a second value or garbage after the first
    return p.handler().st.release();
}

} // namespace sio::parser
