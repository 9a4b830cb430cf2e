#pragma once

#include <sio/parser/message.hpp>

#include <cstdint>
#include <memory>
#include <utility>

namespace sio {

class socket;

/// The acknowledgement callback of an incoming event. Calling it sends the client's callback its
/// arguments; only the first call counts. A default-constructed ack (the client asked for none)
/// does nothing. Any thread: from another thread it posts to the socket's shard.
class ack {
public:
    ack() = default;

    /// Whether the client asked for an acknowledgement.
    bool requested() const noexcept { return state_ != nullptr; }

    template <class... Args> void operator()(Args&&... args) const {
        send(message::of(std::forward<Args>(args)...));
    }
    void send(message args) const;

private:
    friend class socket;
    struct state;
    explicit ack(std::shared_ptr<state> s)
        : state_(std::move(s)) {}
    std::shared_ptr<state> state_;
};

} // namespace sio
