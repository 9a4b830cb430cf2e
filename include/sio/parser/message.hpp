#pragma once

#include <sio/core/shared_bytes.hpp>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace sio {

/// Bytes sent as a Socket.IO binary attachment (an ArrayBuffer/Buffer on the JS side).
struct binary {
    shared_bytes bytes;

    binary() = default;
    explicit binary(shared_bytes b)
        : bytes(std::move(b)) {}
    explicit binary(std::string b)
        : bytes(std::move(b)) {}
    binary(void const* data, std::size_t size)
        : bytes(std::string{static_cast<char const*>(data), size}) {}
};

/// The arguments of an event or ack: JSON values, where binary values are placeholders
/// ({"_placeholder":true,"num":n}) standing for `attachments[n]`.
class message {
public:
    boost::json::array args;
    std::vector<shared_bytes> attachments;

    message() = default;
    explicit message(boost::json::array a)
        : args(std::move(a)) {}

    /// Builds a message from any values boost::json::value_from accepts, sio::binary, or other
    /// messages (whose arguments are spliced in).
    template <class... Args> static message of(Args&&... values) {
        message m;
        m.args.reserve(sizeof...(Args));
        (m.append(std::forward<Args>(values)), ...);
        return m;
    }

    std::size_t size() const noexcept { return args.size(); }
    bool empty() const noexcept { return args.empty(); }
    boost::json::value const& operator[](std::size_t i) const { return args.at(i); }

    /// The bytes a placeholder stands for, when `v` is one of this message's placeholders.
    std::optional<shared_bytes> binary_of(boost::json::value const& v) const;
    /// Adds bytes; returns the placeholder to put anywhere inside args.
    boost::json::value add_binary(shared_bytes bytes);
    /// Arguments [from, from+count) with the attachments they use.
    message slice(std::size_t from, std::size_t count = static_cast<std::size_t>(-1)) const;
    /// True when some argument holds binary.
    bool has_binary() const noexcept { return !attachments.empty(); }

    template <class T> void append(T&& value) {
        using plain = std::remove_cvref_t<T>;
        if constexpr (std::is_same_v<plain, sio::binary>) {
            args.push_back(add_binary(value.bytes));
        } else if constexpr (std::is_same_v<plain, message>) {
            splice(std::forward<T>(value));
        } else {
            args.push_back(boost::json::value_from(std::forward<T>(value)));
        }
    }

private:
    void splice(message const& other);
    /// Moves the arguments of a message without binary instead of copying them.
    void splice(message&& other);
};

/// Shorthand for message::of: `ack(sio::args(1, "two"))`.
template <class... Args> message args(Args&&... values) {
    return message::of(std::forward<Args>(values)...);
}

namespace parser {

/// Copies `src` into `out`, renumbering placeholders to the attachments actually used and
/// appending those to `attachments` (so that a slice sends only what it refers to).
void compact_binary(
    boost::json::value const& src,
    std::vector<shared_bytes> const& from,
    boost::json::value& out,
    std::vector<shared_bytes>& attachments);

} // namespace parser
} // namespace sio
