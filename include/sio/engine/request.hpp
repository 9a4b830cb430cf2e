#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sio::engine {

/// What the engine keeps of the request that opened a session: the handshake's headers, query,
/// peer address and time. Immutable once the session exists.
struct request_info {
    std::string method;
    /// Request target as sent ("/engine.io/?EIO=4&transport=polling").
    std::string target;
    /// Path without the query, percent-decoded.
    std::string path;
    /// Query parameters in order, percent-decoded.
    std::vector<std::pair<std::string, std::string>> query;
    /// Header fields in order, names lower-cased.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string remote_address;
    bool secure = false;
    std::chrono::system_clock::time_point time;

    /// First query parameter with this name.
    std::optional<std::string_view> query_param(std::string_view name) const noexcept;
    /// First header with this name (case-insensitive).
    std::optional<std::string_view> header(std::string_view name) const noexcept;
};

} // namespace sio::engine
