#pragma once

#include <sio/core/shared_bytes.hpp>
#include <sio/parser/packet.hpp>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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
///
/// A message decoded from a peer may hold its arguments as the JSON text they came in (when that
/// text is what JSON.stringify writes for them): they are parsed the first time args() is asked
/// for, and a message relayed unread (an echo, a broadcast) is sent as that text, never parsed.
/// Not thread-safe, even for const access: owned by one thread at a time.
class message {
public:
    std::vector<shared_bytes> attachments;

    message() = default;
    explicit message(boost::json::array a)
        : args_(std::move(a)) {}

    /// The elements of a JSON array as arguments. Held as that text when it is what
    /// JSON.stringify writes (packet::json, for one); parsed now otherwise, and an empty message
    /// when it is no JSON array.
    static message from_json(std::string array_text);
    /// The same without the check, for text known to be canonical already (packet::json as the
    /// decoder keeps it); anything else would be sent as it is.
    static message from_canonical_json(std::string array_text) noexcept;

    /// Builds a message from any values boost::json::value_from accepts, sio::binary, or other
    /// messages (whose arguments are spliced in).
    template <class... Args> static message of(Args&&... values) {
        message m;
        m.args().reserve(sizeof...(Args));
        (m.append(std::forward<Args>(values)), ...);
        return m;
    }

    std::size_t size() const noexcept {
        return parsed_ ? (args_ ? args_->size() : 0) : text_count();
    }
    bool empty() const noexcept { return size() == 0; }
    boost::json::value const& operator[](std::size_t i) const { return args().at(i); }

    /// The arguments, parsed now if the message held them as text.
    boost::json::array const& args() const;
    /// The arguments, to change: the message no longer holds them as text.
    boost::json::array& args();

    /// The arguments as the JSON text of their array, when the message holds them so.
    std::optional<std::string_view> json() const noexcept;
    /// Moves the arguments out as an array's JSON text when held so, else nothing.
    std::optional<std::string> take_json() noexcept;
    /// The first argument when it is a string (an event's name), the others left unparsed.
    std::optional<std::string_view> front_string() const;
    /// Removes the first argument when it is a string and returns it.
    std::optional<std::string> take_front_string();

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
            auto placeholder = add_binary(value.bytes);
            args().push_back(std::move(placeholder));
        } else if constexpr (std::is_same_v<plain, message>) {
            splice(std::forward<T>(value));
        } else {
            args().push_back(boost::json::value_from(std::forward<T>(value)));
        }
    }

private:
    void splice(message const& other);
    /// Moves the arguments of a message without binary instead of copying them; a message held
    /// as text stays text, with ours written in front.
    void splice(message&& other);
    void parse() const;
    /// Where the first argument's closing quote is in the unparsed text, when that argument is
    /// a string without escapes; npos otherwise.
    std::size_t plain_front_end() const noexcept;
    std::size_t text_count() const noexcept;

    // args_ holds the arguments when parsed_ (none when disengaged: a message that is moved,
    // and one kept as text, then costs no Boost.JSON call); text_, when not empty, is their
    // array's JSON text (count_ elements), kept after parsing until args_ is handed out to change.
    mutable std::optional<boost::json::array> args_;
    std::string text_;
    mutable std::size_t count_ = 0; // of text_'s elements; unknown_count until counted
    static constexpr std::size_t unknown_count = static_cast<std::size_t>(-1);
    mutable bool parsed_ = true;
};

/// Shorthand for message::of: `ack(sio::args(1, "two"))`.
template <class... Args> message args(Args&&... values) {
    return message::of(std::forward<Args>(values)...);
}

namespace parser {

/// Moves a message into `p` as its payload and attachments: as its JSON text (packet::json)
/// when it holds its arguments so, else as values.
void set_payload(packet& p, message&& m);

/// Copies `src` into `out`, renumbering placeholders to the attachments actually used and
/// appending those to `attachments` (so that a slice sends only what it refers to).
void compact_binary(
    boost::json::value const& src,
    std::vector<shared_bytes> const& from,
    boost::json::value& out,
    std::vector<shared_bytes>& attachments);

} // namespace parser
} // namespace sio
