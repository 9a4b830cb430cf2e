#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

namespace sio::engine {

/// What the engine keeps of the request that opened a session: the handshake's headers, query,
/// peer address and time. Immutable once the session exists.
///
/// Every idle connection keeps one for its whole life, so its strings live in one block: the
/// ends of the strings, then their bytes, back to back (no allocation per header).
class request_info {
public:
    using field = std::pair<std::string_view, std::string_view>;

    /// Name/value pairs in order (query parameters or header fields), as a random-access range.
    class field_range {
    public:
        class iterator {
        public:
            using iterator_category = std::random_access_iterator_tag;
            using value_type = field;
            using difference_type = std::ptrdiff_t;
            using pointer = void;
            using reference = field;

            iterator() = default;
            field operator*() const noexcept { return info_->pair(first_ + 2 * index_); }
            field operator[](difference_type n) const noexcept { return *(*this + n); }
            iterator& operator++() noexcept { return ++index_, *this; }
            iterator operator++(int) noexcept { return {info_, first_, index_++}; }
            iterator& operator--() noexcept { return --index_, *this; }
            iterator operator--(int) noexcept { return {info_, first_, index_--}; }
            iterator& operator+=(difference_type n) noexcept {
                index_ = static_cast<std::size_t>(static_cast<difference_type>(index_) + n);
                return *this;
            }
            iterator& operator-=(difference_type n) noexcept { return *this += -n; }
            friend iterator operator+(iterator i, difference_type n) noexcept { return i += n; }
            friend iterator operator+(difference_type n, iterator i) noexcept { return i += n; }
            friend iterator operator-(iterator i, difference_type n) noexcept { return i -= n; }
            friend difference_type operator-(iterator a, iterator b) noexcept {
                return static_cast<difference_type>(a.index_) -
                       static_cast<difference_type>(b.index_);
            }
            friend bool operator==(iterator a, iterator b) noexcept { return a.index_ == b.index_; }
            friend auto operator<=>(iterator a, iterator b) noexcept {
                return a.index_ <=> b.index_;
            }

        private:
            friend class field_range;
            iterator(request_info const* info, std::size_t first, std::size_t index) noexcept
                : info_(info)
                , first_(first)
                , index_(index) {}
            request_info const* info_ = nullptr;
            std::size_t first_ = 0;
            std::size_t index_ = 0;
        };

        iterator begin() const noexcept { return {info_, first_, 0}; }
        iterator end() const noexcept { return {info_, first_, size_}; }
        std::size_t size() const noexcept { return size_; }
        bool empty() const noexcept { return size_ == 0; }
        field operator[](std::size_t i) const noexcept { return info_->pair(first_ + 2 * i); }

    private:
        friend class request_info;
        field_range(request_info const* info, std::size_t first, std::size_t size) noexcept
            : info_(info)
            , first_(first)
            , size_(size) {}
        request_info const* info_;
        std::size_t first_;
        std::size_t size_;
    };

    request_info() noexcept = default;
    /// Header names are stored lower-cased; `path` and `query` are the target's, percent-decoded.
    request_info(
        std::string_view method,
        std::string_view target,
        std::string_view path,
        std::span<field const> query,
        std::span<field const> headers,
        std::string_view remote_address,
        bool secure,
        std::chrono::system_clock::time_point time);
    request_info(request_info const& other);
    request_info(request_info&& other) noexcept;
    request_info& operator=(request_info other) noexcept;
    ~request_info();

    std::string_view method() const noexcept { return str(0); }
    /// Request target as sent ("/engine.io/?EIO=4&transport=polling").
    std::string_view target() const noexcept { return str(1); }
    /// Path without the query, percent-decoded.
    std::string_view path() const noexcept { return str(2); }
    std::string_view remote_address() const noexcept { return str(3); }
    /// Query parameters in order, percent-decoded.
    field_range query() const noexcept { return {this, 4, query_count_}; }
    /// Header fields in order, names lower-cased.
    field_range headers() const noexcept { return {this, 4 + 2 * query_count_, header_count_}; }
    bool secure() const noexcept { return secure_; }
    std::chrono::system_clock::time_point time() const noexcept { return time_; }

    /// First query parameter with this name.
    std::optional<std::string_view> query_param(std::string_view name) const noexcept;
    /// First header with this name (case-insensitive).
    std::optional<std::string_view> header(std::string_view name) const noexcept;

private:
    std::size_t string_count() const noexcept { return 4 + 2 * (query_count_ + header_count_); }
    std::size_t table_size() const noexcept;
    std::size_t end_of(std::size_t i) const noexcept;
    void store_end(std::size_t i, std::size_t end) noexcept;
    std::string_view str(std::size_t i) const noexcept;
    field pair(std::size_t i) const noexcept { return {str(i), str(i + 1)}; }

    // [end of each string: 1, 2 or 4 bytes, as the text's size needs][the strings' text]
    char* data_ = nullptr;
    std::uint32_t size_ = 0; // bytes of data_
    std::uint32_t query_count_ = 0;
    std::uint32_t header_count_ = 0;
    std::uint8_t offset_size_ = 0;
    bool path_in_target_ = false; // the path is the target up to its '?': stored empty
    bool secure_ = false;
    std::chrono::system_clock::time_point time_{};
};

} // namespace sio::engine
