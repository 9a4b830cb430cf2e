// The requests of one echo connection (WebSocket or polling): builds `2<id>["echo","<payload>"]`
// with the sequence number as the ack id, keeps D of them in flight, and checks every ack
// `3<id>["<payload>"]` byte for byte. Acks may come back in any order; each is accepted once.
#pragma once

#include <common/histogram.hpp>
#include <sio_bench/harness.hpp>
#include <sio_bench/payload.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sio_bench {

/// Counted by one generator thread only.
struct echo_stats {
    bench::histogram latency;
    std::uint64_t acks_in_window = 0;
    std::uint64_t reads_in_window = 0;
    std::uint64_t writes_in_window = 0;
    std::uint64_t sent = 0;
    std::uint64_t acked = 0;
};

class echo_book {
public:
    echo_book(options const& o, filler const& fill)
        : opts_(o)
        , fill_(fill)
        , slots_(o.inflight) {}

    std::uint64_t outstanding() const noexcept { return outstanding_; }
    std::uint64_t acked() const noexcept { return acked_; }

    /// True if one more request may be sent now.
    bool can_send() const noexcept {
        return outstanding_ < opts_.inflight && !slots_[next_ % opts_.inflight].busy;
    }

    /// Length of the next request packet.
    std::size_t next_size() const noexcept {
        char digits[20];
        return 1 + put_decimal(digits, next_) + prefix.size() + opts_.size + suffix.size();
    }

    /// Writes the next request (next_size() bytes) at `out` and records its send time.
    void write_next(char* out, clock_type::time_point now, echo_stats& stats) noexcept {
        std::uint64_t const seq = next_++;
        auto& slot = slots_[seq % opts_.inflight];
        slot = {seq, now, true};
        *out++ = '2';
        out += put_decimal(out, seq);
        std::memcpy(out, prefix.data(), prefix.size());
        out += prefix.size();
        put_hex(out, seq);
        fill_.write(out + hex_digits, seq);
        std::memcpy(out + opts_.size, suffix.data(), suffix.size());
        ++outstanding_;
        ++stats.sent;
    }

    /// Handles a Socket.IO ACK packet (starting with '3'); returns an error text or "".
    std::string
    on_ack(std::string_view p, clock_type::time_point now, int phase, echo_stats& stats) {
        p.remove_prefix(1);
        std::uint64_t id = 0;
        if (!take_decimal(p, id))
            return "ack without an id: " + std::string(p.substr(0, 60));
        auto& slot = slots_[id % opts_.inflight];
        if (!slot.busy || slot.seq != id)
            return "ack " + std::to_string(id) + " for no request in flight (duplicate?)";
        std::uint64_t seq = 0;
        if (p.size() != 4 + opts_.size || p.substr(0, 2) != "[\"" ||
            p.substr(p.size() - 2) != "\"]" || !get_hex(p.data() + 2, seq) || seq != id ||
            !fill_.matches(p.data() + 2 + hex_digits, seq))
            return "corrupt ack " + std::to_string(id) + ": " + std::string(p.substr(0, 60));
        slot.busy = false;
        --outstanding_;
        ++acked_;
        ++stats.acked;
        if (phase == phase_measure) {
            ++stats.acks_in_window;
            stats.latency.add(static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(now - slot.sent_at).count()));
        }
        return {};
    }

private:
    static constexpr std::string_view prefix = "[\"echo\",\"";
    static constexpr std::string_view suffix = "\"]";

    struct slot {
        std::uint64_t seq = 0;
        clock_type::time_point sent_at;
        bool busy = false;
    };

    options const& opts_;
    filler const& fill_;
    std::vector<slot> slots_; // by sequence number modulo D
    std::uint64_t next_ = 0;
    std::uint64_t outstanding_ = 0;
    std::uint64_t acked_ = 0;
};

} // namespace sio_bench
