#pragma once

// permessage-deflate (RFC 7692) with no context takeover in either direction: every message is
// compressed on its own, so one pair of zlib streams per shard serves all its connections and
// an idle connection holds no compression state.

#include <zlib.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sio::engine::detail {

class ws_deflate {
public:
    ws_deflate();
    ~ws_deflate();
    ws_deflate(ws_deflate const&) = delete;
    ws_deflate& operator=(ws_deflate const&) = delete;

    /// Compresses one message; the result is the frame payload (trailing 00 00 ff ff removed).
    /// `prefix` is compressed before `data` (the Engine.IO type digit).
    std::string compress(std::string_view prefix, std::string_view data);
    /// Inflates one message payload; nothing if it is corrupt or inflates beyond `limit` bytes.
    std::optional<std::string> decompress(std::string_view payload, std::size_t limit);

private:
    z_stream deflater_{};
    z_stream inflater_{};
};

/// Messages smaller than this are sent uncompressed (Node's perMessageDeflate threshold).
inline constexpr std::size_t deflate_threshold = 1024;

} // namespace sio::engine::detail
