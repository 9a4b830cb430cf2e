#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sio::engine::detail {

/// gzip or deflate `data` for a client whose Accept-Encoding allows it; the chosen encoding goes
/// to `encoding`. Nothing when the client accepts neither or zlib fails.
std::optional<std::string>
compress_for(std::string_view data, std::string_view accept_encoding, std::string& encoding);

} // namespace sio::engine::detail
