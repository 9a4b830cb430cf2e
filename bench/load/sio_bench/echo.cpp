// echo over WebSocket: each connection keeps D acked "echo" events in flight; whatever acks one
// read returns are answered by new requests in one write.
#include <sio_bench/echo_run.hpp>
#include <sio_bench/scenarios.hpp>
#include <sio_bench/ws_peer.hpp>

namespace sio_bench {
namespace {

class ws_echo_client final : public ws_peer, public echo_client {
public:
    ws_echo_client(
        net::io_context& ioc,
        tcp::endpoint server,
        options const& o,
        run_state& state,
        std::size_t id,
        filler const& fill,
        echo_stats& stats)
        : ws_peer(ioc, server, o, state, id, 64 * 1024)
        , echo_client(state)
        , book_(o, fill)
        , stats_(stats) {}

    void begin() override { start(); }
    void end() override { close(); }
    echo_book const& book() const override { return book_; }

    void on_drain() override {
        phase_ = phase_drain;
        check_drained(phase_, joined());
    }

private:
    void on_joined() override { refill(); }

    void on_packet(std::string_view p) override {
        if (p.empty() || p[0] != '3')
            return fail("unexpected packet: " + std::string(p.substr(0, 60)));
        if (auto const error = book_.on_ack(p, now_, phase_, stats_); !error.empty())
            state_.errors.add(id(), error);
    }

    void on_read_done() override {
        if (phase_ == phase_measure)
            ++stats_.reads_in_window;
        if (!joined())
            return;
        if (phase_ != phase_drain) {
            if (refill() && phase_ == phase_measure)
                ++stats_.writes_in_window;
        }
        check_drained(phase_, joined());
    }

    void on_failed() override { finish(); }

    bool refill() {
        bool any = false;
        while (book_.can_send()) {
            std::size_t const n = book_.next_size();
            book_.write_next(begin_packet(n), now_, stats_);
            end_packet(n);
            any = true;
        }
        return any;
    }

    echo_book book_;
    echo_stats& stats_;
};

} // namespace

int run_echo(options const& o) {
    return run_echo_clients<ws_echo_client>(o);
}

} // namespace sio_bench
