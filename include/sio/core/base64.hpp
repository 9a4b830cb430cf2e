#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sio {

/// Standard base64 (RFC 4648 §4, with padding), as Engine.IO uses for binary over long-polling.
void base64_encode(std::string_view bytes, std::string& out);
std::string base64_encode(std::string_view bytes);

/// Decodes standard base64; padding optional. Returns nothing on any character outside the
/// alphabet or an impossible length, so that a peer's bad input becomes a clear error.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace sio
