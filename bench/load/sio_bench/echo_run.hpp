// The run of an echo scenario, whatever the transport: C clients keeping D acked "echo" events
// in flight, a warm-up, a measured window, then a drain in which every request still in flight
// must be acked. Prints the summary line.
#pragma once

#include <functional>
#include <memory>
#include <sio_bench/echo_book.hpp>

namespace sio_bench {

class echo_client {
public:
    virtual ~echo_client() = default;
    virtual void begin() = 0;
    virtual void end() = 0;
    virtual echo_book const& book() const = 0;
    /// Called on the client's thread when the drain starts: a client with nothing in flight
    /// reports itself finished here, the others when their last ack arrives.
    virtual void on_drain() = 0;
};

using echo_client_factory = std::function<std::unique_ptr<echo_client>(
    net::io_context& ioc, std::size_t id, echo_stats& stats)>;

int run_echo_scenario(options const& o, run_state& state, echo_client_factory const& make);

} // namespace sio_bench
