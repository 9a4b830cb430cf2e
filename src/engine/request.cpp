#include <sio/engine/request.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace sio::engine {

namespace {

char lower(char c) noexcept {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Header names most handshakes carry, lower case. A name in this list is stored as one byte,
// its index + 1: a control character, which no HTTP token has. A name that starts with a control
// character (only a request_info built by hand has one) is stored behind a '\0', so every
// stored name reads back exactly. Header values go the same way with their own list.
constexpr std::string_view common_names[] = {
    "host",
    "connection",
    "upgrade",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
    "user-agent",
    "accept",
    "accept-encoding",
    "accept-language",
    "origin",
    "cache-control",
    "pragma",
    "cookie",
    "referer",
    "content-type",
    "content-length",
    "authorization",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-real-ip",
    "sec-fetch-mode",
    "sec-fetch-site",
    "sec-fetch-dest",
    "sec-ch-ua",
    "sec-ch-ua-mobile",
    "sec-ch-ua-platform",
    "forwarded",
};
// Header values as common, exactly as sent; stored the same way.
constexpr std::string_view common_values[] = {
    "websocket",
    "Upgrade",
    "upgrade",
    "13",
    "keep-alive",
    "keep-alive, Upgrade",
    "Keep-Alive",
    "close",
    "no-cache",
    "*/*",
    "gzip, deflate",
    "gzip, deflate, br",
    "gzip, deflate, br, zstd",
    "permessage-deflate; client_max_window_bits",
    "permessage-deflate",
    "cors",
    "same-origin",
    "cross-site",
    "empty",
    "?0",
};
static_assert(std::size(common_names) < 0x20 && std::size(common_values) < 0x20);

bool is_control(char c) noexcept {
    return static_cast<unsigned char>(c) < 0x20;
}

// The code of `s` in a table (index + 1; names compared case-insensitively), or 0.
template <std::size_t N>
char common_code(std::string_view const (&table)[N], std::string_view s, bool any_case) noexcept {
    for (std::size_t i = 0; i < N; ++i) {
        auto const& c = table[i];
        if (c.size() == s.size() && std::equal(c.begin(), c.end(), s.begin(), [&](char x, char y) {
                return x == (any_case ? lower(y) : y);
            }))
            return static_cast<char>(i + 1);
    }
    return 0;
}

// Bytes `s` takes: 1 when it has a code, one more than its size when it needs the escape.
template <std::size_t N>
std::size_t
stored_size(std::string_view const (&table)[N], std::string_view s, bool any_case) noexcept {
    if (common_code(table, s, any_case) != 0)
        return 1;
    return s.size() + (!s.empty() && is_control(s.front()) ? 1 : 0);
}

} // namespace

request_info::request_info(
    std::string_view method,
    std::string_view target,
    std::string_view path,
    std::span<field const> query,
    std::span<field const> headers,
    std::string_view remote_address,
    bool secure,
    std::chrono::system_clock::time_point time)
    : query_count_(static_cast<std::uint32_t>(query.size()))
    , header_count_(static_cast<std::uint32_t>(headers.size()))
    , secure_(secure)
    , time_(time) {
    path_in_target_ = target.substr(0, target.find('?')) == path;
    std::size_t text =
        method.size() + target.size() + (path_in_target_ ? 0 : path.size()) + remote_address.size();
    for (auto const& [k, v] : query)
        text += k.size() + v.size();
    for (auto const& [k, v] : headers)
        text += stored_size(common_names, k, true) + stored_size(common_values, v, false);
    if (text > std::numeric_limits<std::uint32_t>::max() / 2)
        throw std::length_error("request_info: request too large");
    offset_size_ = text <= std::numeric_limits<std::uint8_t>::max()    ? 1
                   : text <= std::numeric_limits<std::uint16_t>::max() ? 2
                                                                       : 4;
    std::size_t const table = table_size();
    size_ = static_cast<std::uint32_t>(table + text);
    data_ = new char[size_];

    std::size_t index = 0;
    std::size_t end = 0;
    char* out = data_ + table;
    auto const put = [&](std::string_view s, bool lower_case) {
        if (lower_case)
            std::transform(s.begin(), s.end(), out + end, lower);
        else if (!s.empty())
            std::memcpy(out + end, s.data(), s.size());
        end += s.size();
        store_end(index++, end);
    };
    put(method, false);
    put(target, false);
    put(path_in_target_ ? std::string_view{} : path, false);
    put(remote_address, false);
    for (auto const& [k, v] : query) {
        put(k, false);
        put(v, false);
    }
    auto const put_coded = [&](auto const& table, std::string_view s, bool name) {
        if (char const code = common_code(table, s, name)) {
            put({&code, 1}, false);
            return;
        }
        if (!s.empty() && is_control(s.front()))
            out[end++] = '\0';
        put(s, name);
    };
    for (auto const& [k, v] : headers) {
        put_coded(common_names, k, true);
        put_coded(common_values, v, false);
    }
}

request_info::request_info(request_info const& other)
    : data_(other.data_ ? new char[other.size_] : nullptr)
    , size_(other.size_)
    , query_count_(other.query_count_)
    , header_count_(other.header_count_)
    , offset_size_(other.offset_size_)
    , path_in_target_(other.path_in_target_)
    , secure_(other.secure_)
    , time_(other.time_) {
    if (data_)
        std::memcpy(data_, other.data_, size_);
}

request_info::request_info(request_info&& other) noexcept
    : data_(std::exchange(other.data_, nullptr))
    , size_(std::exchange(other.size_, 0))
    , query_count_(std::exchange(other.query_count_, 0))
    , header_count_(std::exchange(other.header_count_, 0))
    , offset_size_(other.offset_size_)
    , path_in_target_(other.path_in_target_)
    , secure_(other.secure_)
    , time_(other.time_) {}

request_info& request_info::operator=(request_info other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(query_count_, other.query_count_);
    std::swap(header_count_, other.header_count_);
    std::swap(offset_size_, other.offset_size_);
    std::swap(path_in_target_, other.path_in_target_);
    std::swap(secure_, other.secure_);
    std::swap(time_, other.time_);
    return *this;
}

request_info::~request_info() {
    delete[] data_;
}

std::size_t request_info::table_size() const noexcept {
    return string_count() * offset_size_;
}

std::size_t request_info::end_of(std::size_t i) const noexcept {
    switch (offset_size_) {
    case 1:
        return static_cast<unsigned char>(data_[i]);
    case 2: {
        std::uint16_t e;
        std::memcpy(&e, data_ + i * sizeof e, sizeof e);
        return e;
    }
    default: {
        std::uint32_t e;
        std::memcpy(&e, data_ + i * sizeof e, sizeof e);
        return e;
    }
    }
}

void request_info::store_end(std::size_t i, std::size_t end) noexcept {
    switch (offset_size_) {
    case 1:
        data_[i] = static_cast<char>(static_cast<unsigned char>(end));
        break;
    case 2: {
        auto const e = static_cast<std::uint16_t>(end);
        std::memcpy(data_ + i * sizeof e, &e, sizeof e);
        break;
    }
    default: {
        auto const e = static_cast<std::uint32_t>(end);
        std::memcpy(data_ + i * sizeof e, &e, sizeof e);
        break;
    }
    }
}

std::string_view request_info::str(std::size_t i) const noexcept {
    if (!data_)
        return {};
    if (i == 2 && path_in_target_) {
        auto const target = str(1);
        return target.substr(0, target.find('?'));
    }
    std::size_t const begin = i == 0 ? 0 : end_of(i - 1);
    std::string_view const s{data_ + table_size() + begin, end_of(i) - begin};
    std::size_t const first_header = 4 + 2 * query_count_;
    if (i < first_header || s.empty() || !is_control(s.front()))
        return s;
    if (s.front() == '\0')
        return s.substr(1);
    auto const code = static_cast<std::size_t>(s.front()) - 1;
    return (i - first_header) % 2 == 0 ? common_names[code] : common_values[code];
}

std::optional<std::string_view> request_info::query_param(std::string_view name) const noexcept {
    for (auto const [k, v] : query())
        if (k == name)
            return v;
    return std::nullopt;
}

std::optional<std::string_view> request_info::header(std::string_view name) const noexcept {
    auto const same = [](std::string_view a, std::string_view b) {
        return a.size() == b.size() &&
               std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
                   return lower(x) == lower(y);
               });
    };
    for (auto const [k, v] : headers())
        if (same(k, name))
            return v;
    return std::nullopt;
}

} // namespace sio::engine
