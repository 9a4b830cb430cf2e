// fanout: R receivers and one sender, all joined to "/". The sender emits
// `fanout("<seq><send time><filler>")`, which the server broadcasts to every socket, the sender
// included; every recipient checks it gets each message exactly once, in order, intact, and
// measures the delivery latency from the send time. The sender keeps D messages in flight: a
// message stops being in flight when every recipient has it, so no recipient can fall behind
// by more than D messages and the server's buffers stay bounded for either server.
#include <bit>
#include <common/histogram.hpp>
#include <cstdio>
#include <sio_bench/payload.hpp>
#include <sio_bench/scenarios.hpp>
#include <sio_bench/ws_peer.hpp>

namespace sio_bench {
namespace {

constexpr std::string_view prefix = "2[\"fanout\",\"";
constexpr std::string_view suffix = "\"]";

/// Which messages every recipient has: per message slot, how many generator threads have
/// delivered it to all their recipients. One atomic increment per message per thread.
struct fanout_board {
    explicit fanout_board(std::size_t inflight)
        : slots(std::bit_ceil(std::max<std::size_t>(1024, 4 * inflight)))
        , done(slots) {}

    std::size_t slots;
    std::vector<std::atomic<std::uint32_t>> done;
    std::uint32_t threads_with_recipients = 0;
};

class fanout_client;

/// One generator thread's share: its recipients' counts per message slot, and its statistics.
struct fanout_thread {
    explicit fanout_thread(std::size_t slots)
        : counts(slots, 0) {}

    std::vector<std::uint32_t> counts;
    std::uint32_t recipients = 0;
    bench::histogram latency;
    std::uint64_t deliveries_in_window = 0;
    std::uint64_t deliveries = 0;
    std::uint64_t reads_in_window = 0;
};

std::int64_t since_epoch_ns(clock_type::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

class fanout_client final : public ws_peer {
public:
    fanout_client(
        net::io_context& ioc,
        tcp::endpoint server,
        options const& o,
        run_state& state,
        std::size_t id,
        filler const& fill,
        fanout_board& board,
        fanout_thread& thread,
        fanout_client* sender)
        : ws_peer(ioc, server, o, state, id, 64 * 1024)
        , ioc_(ioc)
        , fill_(fill)
        , board_(board)
        , thread_(thread)
        , sender_(sender ? sender : this) {}

    std::uint64_t received() const noexcept { return expected_; }
    std::uint64_t sent() const noexcept { return next_; }

    /// Sender only, on its thread: start sending once every recipient has joined.
    void begin_sending() {
        sending_ = true;
        now_ = clock_type::now();
        refill();
        flush();
    }

    /// Sender only, on its thread: the drain began; no new messages.
    void stop_sending() {
        sending_ = false;
        check_drained();
    }

private:
    void on_packet(std::string_view p) override {
        std::uint64_t seq = 0;
        std::uint64_t sent_ns = 0;
        std::size_t const size = opts_.size;
        if (p.size() != prefix.size() + size + suffix.size() ||
            p.substr(0, prefix.size()) != prefix || p.substr(p.size() - suffix.size()) != suffix ||
            !get_hex(p.data() + prefix.size(), seq) ||
            !get_hex(p.data() + prefix.size() + hex_digits, sent_ns) ||
            !fill_.matches(p.data() + prefix.size() + 2 * hex_digits, seq))
            return fail("corrupt fanout packet: " + std::string(p.substr(0, 80)));
        if (seq != expected_) {
            state_.errors.add(
                id(),
                "expected fanout message " + std::to_string(expected_) + ", got " +
                    std::to_string(seq));
            if (seq < expected_)
                return; // a duplicate: not counted again
            // Messages in between are missing: they stay in flight and are counted at the end.
        }
        expected_ = seq + 1;
        ++thread_.deliveries;
        if (phase_ == phase_measure) {
            ++thread_.deliveries_in_window;
            auto const latency = since_epoch_ns(now_) - static_cast<std::int64_t>(sent_ns);
            thread_.latency.add(static_cast<std::uint64_t>(std::max<std::int64_t>(latency, 0)));
        }
        std::size_t const slot = seq & (board_.slots - 1);
        if (++thread_.counts[slot] < thread_.recipients)
            return;
        thread_.counts[slot] = 0;
        if (board_.done[slot].fetch_add(1, std::memory_order_acq_rel) + 1 <
            board_.threads_with_recipients)
            return;
        board_.done[slot].store(0, std::memory_order_relaxed);
        net::post(sender_->ioc_, [s = sender_] { s->on_complete(); });
    }

    void on_read_done() override {
        if (phase_ == phase_measure)
            ++thread_.reads_in_window;
    }

    void on_complete() {
        ++completed_;
        now_ = clock_type::now();
        if (sending_ && state_.phase.load(std::memory_order_relaxed) != phase_drain) {
            refill();
            flush();
        }
        check_drained();
    }

    void refill() {
        std::size_t const n = prefix.size() + opts_.size + suffix.size();
        while (next_ - completed_ < opts_.inflight) {
            std::uint64_t const seq = next_++;
            char* p = begin_packet(n);
            std::memcpy(p, prefix.data(), prefix.size());
            p += prefix.size();
            put_hex(p, seq);
            put_hex(p + hex_digits, static_cast<std::uint64_t>(since_epoch_ns(now_)));
            fill_.write(p + 2 * hex_digits, seq);
            std::memcpy(p + opts_.size, suffix.data(), suffix.size());
            end_packet(n);
        }
    }

    void check_drained() {
        if (!sending_ && completed_ == next_ && !finished_) {
            finished_ = true;
            state_.finished.fetch_add(1, std::memory_order_relaxed);
        }
    }

    net::io_context& ioc_;
    filler const& fill_;
    fanout_board& board_;
    fanout_thread& thread_;
    fanout_client* sender_;
    std::uint64_t expected_ = 0;  // next message this recipient should get
    std::uint64_t next_ = 0;      // sender: messages sent
    std::uint64_t completed_ = 0; // sender: messages every recipient has
    bool sending_ = false;
    bool finished_ = false;
};

} // namespace

int run_fanout(options const& o) {
    run_state state;
    tcp::endpoint const server = resolve(o);
    filler const fill(o.size, 2 * hex_digits);
    std::size_t const recipients = o.receivers + 1;
    raise_fd_limit(recipients + 64);
    generator_threads threads(std::min(o.threads, recipients));
    fanout_board board(o.inflight);
    std::vector<std::unique_ptr<fanout_thread>> shares;
    for (std::size_t t = 0; t < threads.size(); ++t)
        shares.push_back(std::make_unique<fanout_thread>(board.slots));
    std::vector<std::unique_ptr<fanout_client>> clients;
    for (std::size_t c = 0; c < recipients; ++c) {
        std::size_t const t = c % threads.size();
        if (shares[t]->recipients++ == 0)
            ++board.threads_with_recipients;
        clients.push_back(std::make_unique<fanout_client>(
            threads.context(t),
            server,
            o,
            state,
            c,
            fill,
            board,
            *shares[t],
            c == 0 ? nullptr : clients.front().get()));
        clients.back()->start();
    }
    fanout_client& sender = *clients.front();
    threads.start();

    bool const all_ready = wait_for(state.ready, recipients, o.connect_timeout);
    net::post(threads.context(0), [&] { sender.begin_sending(); });
    sleep_seconds(o.warmup);

    state.phase.store(phase_measure, std::memory_order_relaxed);
    auto const t0 = clock_type::now();
    bench::cpu_meter const meter(o.server_pid);
    sleep_seconds(o.duration);
    state.phase.store(phase_drain, std::memory_order_relaxed);
    double const window = std::chrono::duration<double>(clock_type::now() - t0).count();
    auto const cpu = meter.finish(window);
    net::post(threads.context(0), [&] { sender.stop_sending(); });
    bool const all_drained = wait_for(state.finished, 1, o.drain_timeout);
    threads.stop([&](net::io_context& ioc) {
        for (std::size_t c = 0; c < clients.size(); ++c)
            if (&threads.context(c % threads.size()) == &ioc)
                clients[c]->close();
    });

    bench::histogram latency;
    std::uint64_t in_window = 0;
    std::uint64_t deliveries = 0;
    std::uint64_t reads = 0;
    for (auto const& s : shares) {
        latency.merge(s->latency);
        in_window += s->deliveries_in_window;
        deliveries += s->deliveries;
        reads += s->reads_in_window;
    }
    std::uint64_t missing = 0;
    for (auto const& c : clients)
        missing += sender.sent() - std::min(sender.sent(), c->received());
    state.errors.add_count(missing);

    char line[640];
    std::snprintf(
        line,
        sizeof line,
        "fanout: R=%zu D=%zu size=%zu rate=%.0f deliveries/s=%.0f p50_us=%.1f p99_us=%.1f "
        "errors=%llu threads=%zu msgs/s=%.0f p999_us=%.1f max_us=%.1f deliveries=%llu sent=%llu "
        "missing=%llu window_s=%.2f deliveries_per_read=%.1f",
        o.receivers,
        o.inflight,
        o.size,
        static_cast<double>(in_window) / window,
        static_cast<double>(in_window) / window,
        latency.percentile_us(0.50),
        latency.percentile_us(0.99),
        static_cast<unsigned long long>(state.errors.count()),
        threads.size(),
        static_cast<double>(in_window) / window / static_cast<double>(recipients),
        latency.percentile_us(0.999),
        static_cast<double>(latency.max()) / 1e3,
        static_cast<unsigned long long>(deliveries),
        static_cast<unsigned long long>(sender.sent()),
        static_cast<unsigned long long>(missing),
        window,
        reads == 0 ? 0.0 : static_cast<double>(in_window) / static_cast<double>(reads));
    std::string failure;
    if (!all_ready)
        failure = "not every connection joined within --connect-timeout";
    else if (!all_drained)
        failure = "not every message reached every recipient within --drain-timeout";
    return report(line + format_cpu(cpu), state, failure);
}

} // namespace sio_bench
