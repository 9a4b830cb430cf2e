#pragma once

#include <sio/engine/close_reason.hpp>

#include <string_view>

namespace sio::engine {

class session;

/// The engine's one door upward. The layer above (Socket.IO's per-connection client) implements
/// it; every call comes on the session's own shard thread, never concurrently for one session.
class handler {
public:
    virtual ~handler() = default;
    /// A session completed its handshake.
    virtual void on_open(session& s) = 0;
    /// A message arrived (text, or binary when `binary`); `data` is valid for the call only.
    virtual void on_message(session& s, std::string_view data, bool binary) = 0;
    /// The session ended; called once, after which the session sends nothing.
    virtual void on_close(session& s, close_reason reason) = 0;
};

} // namespace sio::engine
