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

protected:
    explicit echo_client(run_state& state)
        : run_state_(state) {}

    /// Counts this client as finished (drained, or failed), once.
    void finish() {
        if (finished_)
            return;
        finished_ = true;
        run_state_.finished.fetch_add(1, std::memory_order_relaxed);
    }
    /// In the drain, a joined client with nothing left in flight is finished.
    void check_drained(int phase, bool joined) {
        if (phase == phase_drain && joined && book().outstanding() == 0)
            finish();
    }

private:
    run_state& run_state_;
    bool finished_ = false;
};

using echo_client_factory = std::function<std::unique_ptr<echo_client>(
    net::io_context& ioc, std::size_t id, echo_stats& stats)>;

int run_echo_scenario(options const& o, run_state& state, echo_client_factory const& make);

/// run_echo_scenario with clients of type Client(ioc, server, options, state, id, filler, stats).
template <class Client> int run_echo_clients(options const& o) {
    run_state state;
    tcp::endpoint const server = resolve(o);
    filler const fill(o.size, hex_digits);
    return run_echo_scenario(
        o, state, [&](net::io_context& ioc, std::size_t id, echo_stats& stats) {
            return std::make_unique<Client>(ioc, server, o, state, id, fill, stats);
        });
}

} // namespace sio_bench
