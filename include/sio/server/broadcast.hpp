#pragma once

#include <sio/parser/message.hpp>
#include <sio/server/adapter.hpp>
#include <sio/server/detail/completion.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio {

namespace net = boost::asio;
class nsp;

/// Whom to reach, as a cheap immutable value: `io.to("a").to("b").except("c").emit(...)`, as
/// JS's BroadcastOperator. The packet is encoded once for every recipient. Any thread.
class broadcast_operator {
public:
    explicit broadcast_operator(nsp& n, broadcast_options opts = {})
        : nsp_(&n)
        , opts_(std::move(opts)) {}

    broadcast_operator to(std::string room) const;
    broadcast_operator in(std::string room) const { return to(std::move(room)); }
    broadcast_operator except(std::string room) const;
    /// This process only (no other cluster node).
    broadcast_operator local() const;
    /// Dropped for a client whose transport is not writable (a write in flight, no parked
    /// polling GET) rather than queued, as Node.
    broadcast_operator volatile_() const;
    broadcast_operator compress(bool on) const;
    /// Time to wait for every recipient's ack (emit_with_ack).
    broadcast_operator timeout(std::chrono::milliseconds t) const;

    template <class... Args> void emit(std::string_view event, Args&&... args) const {
        emit_message(message::of(event, std::forward<Args>(args)...));
    }
    /// Emits `m` whose first argument is the event name.
    void emit_message(message m) const;

    /// Emits and collects every recipient's ack; the token is an Asio completion token for
    /// void(error_code, std::vector<message>) (a callback, net::use_awaitable, ...), completed
    /// once: ec is error::ack_timeout when some recipient did not answer within timeout()
    /// (default 5 s), with the responses that did arrive. The completion runs on the token's
    /// associated executor, else on the calling shard (shard 0 from another thread).
    template <class CompletionToken>
    auto emit_with_ack(std::string_view event, message args, CompletionToken&& token) const {
        return net::
            async_initiate<CompletionToken, void(boost::system::error_code, std::vector<message>)>(
                [self = *this, ev = std::string{event}](auto handler, message a) {
                    auto const ex = self.home_executor();
                    // Constructed, not assigned: Boost 1.81's any_completion_handler move
                    // assignment wraps the handler in itself.
                    broadcast_ack_handler bound{detail::bind_completion(
                        std::move(handler), ex, describe_ack{self.nsp_, ev})};
                    self.start_ack(ev, std::move(a), std::move(bound), ex);
                },
                token,
                std::move(args));
    }

    /// Snapshots of the matching sockets; `done` runs on some shard.
    void fetch_sockets(std::function<void(std::vector<socket_info>)> done) const;
    void sockets_join(std::vector<std::string> rooms) const;
    void sockets_leave(std::vector<std::string> rooms) const;
    void disconnect_sockets(bool close = false) const;

    broadcast_options const& options() const noexcept { return opts_; }

private:
    // Names a broadcast's ack completion in the log, should it throw.
    struct describe_ack {
        nsp const* owner;
        std::string event;
        std::string operator()() const;
    };
    using broadcast_ack_handler =
        net::any_completion_handler<void(boost::system::error_code, std::vector<message>)>;
    /// The calling thread's shard, else shard 0: where the acks are counted and timed.
    net::io_context::executor_type home_executor() const;
    void start_ack(
        std::string_view event,
        message args,
        broadcast_ack_handler handler,
        net::io_context::executor_type ex) const;

    nsp* nsp_;
    broadcast_options opts_;
    std::optional<std::chrono::milliseconds> timeout_;
};

} // namespace sio
