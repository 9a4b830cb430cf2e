// polling: the echo scenario over HTTP long-polling, as socket.io-client does it without
// WebSocket: a handshake GET, then one GET always waiting for what the server has, and POSTs
// carrying every packet queued meanwhile (joined by the record separator 0x1e).
#include <sio_bench/echo_run.hpp>
#include <sio_bench/http_lane.hpp>
#include <sio_bench/scenarios.hpp>

namespace sio_bench {
namespace {

constexpr char record_separator = '\x1e';

class polling_echo_client final : public echo_client {
public:
    polling_echo_client(
        net::io_context& ioc,
        tcp::endpoint server,
        options const& o,
        run_state& state,
        std::size_t id,
        filler const& fill,
        echo_stats& stats)
        : echo_client(state)
        , opts_(o)
        , state_(state)
        , id_(id)
        , book_(o, fill)
        , stats_(stats)
        , get_(ioc, server, o.host + ":" + o.port)
        , post_(ioc, server, o.host + ":" + o.port) {
        get_.set_handlers(
            [this](std::string_view body) { on_get(body); },
            [this](std::string const& why) { fail("GET " + why); });
        post_.set_handlers(
            [this](std::string_view body) { on_post(body); },
            [this](std::string const& why) { fail("POST " + why); });
    }

    void begin() override { get_.request("GET", opts_.path + "?EIO=4&transport=polling", {}); }

    void end() override {
        closing_ = true;
        get_.close();
        post_.close();
    }

    echo_book const& book() const override { return book_; }

    void on_drain() override {
        phase_ = phase_drain;
        check_drained(phase_, joined_);
    }

private:
    void on_get(std::string_view body) {
        if (closing_)
            return;
        now_ = clock_type::now();
        phase_ = state_.phase.load(std::memory_order_relaxed);
        if (phase_ == phase_measure)
            ++stats_.reads_in_window;
        if (sid_.empty())
            return on_handshake(body);
        while (!body.empty() && !failed_) {
            auto const end = body.find(record_separator);
            on_packet(body.substr(0, end));
            body.remove_prefix(end == std::string_view::npos ? body.size() : end + 1);
        }
        if (failed_)
            return;
        if (joined_ && phase_ != phase_drain)
            refill();
        send_queued();
        check_drained(phase_, joined_);
        get_.request("GET", target_, {});
    }

    void on_handshake(std::string_view body) {
        constexpr std::string_view key = "\"sid\":\"";
        auto const at = body.find(key);
        if (body.empty() || body[0] != '0' || at == std::string_view::npos)
            return fail("bad handshake: " + std::string(body.substr(0, 100)));
        auto const from = at + key.size();
        sid_ = std::string(body.substr(from, body.find('"', from) - from));
        target_ = opts_.path + "?EIO=4&transport=polling&sid=" + sid_;
        queue_ = "40";
        send_queued();
        get_.request("GET", target_, {});
    }

    void on_packet(std::string_view m) {
        if (m.empty())
            return fail("empty Engine.IO packet");
        switch (m[0]) {
        case '4':
            m.remove_prefix(1);
            if (!m.empty() && m[0] == '0') {
                if (joined_)
                    return fail("second CONNECT packet");
                joined_ = true;
                state_.ready.fetch_add(1, std::memory_order_relaxed);
                return;
            }
            if (!m.empty() && m[0] == '3') {
                if (auto const error = book_.on_ack(m, now_, phase_, stats_); !error.empty())
                    state_.errors.add(id_, error);
                return;
            }
            return fail("unexpected packet: " + std::string(m.substr(0, 60)));
        case '2':
            queue("3");
            return;
        case '6':
            return;
        case '1':
            return fail("server sent an Engine.IO close packet");
        default:
            return fail("unexpected Engine.IO packet: " + std::string(m.substr(0, 40)));
        }
    }

    void on_post(std::string_view body) {
        if (closing_)
            return;
        if (body != "ok")
            return fail("POST answered " + std::string(body.substr(0, 60)));
        send_queued();
    }

    void queue(std::string_view packet) {
        if (!queue_.empty())
            queue_ += record_separator;
        queue_.append(packet);
    }

    void refill() {
        bool any = false;
        while (book_.can_send()) {
            if (!queue_.empty())
                queue_ += record_separator;
            std::size_t const at = queue_.size();
            std::size_t const n = book_.next_size();
            queue_.resize(at + 1 + n);
            queue_[at] = '4';
            book_.write_next(queue_.data() + at + 1, now_, stats_);
            any = true;
        }
        if (any && phase_ == phase_measure)
            ++stats_.writes_in_window;
    }

    void send_queued() {
        if (post_.busy() || queue_.empty() || failed_)
            return;
        sending_.swap(queue_);
        queue_.clear();
        post_.request("POST", target_, sending_);
    }

    void fail(std::string const& why) {
        if (failed_ || closing_)
            return;
        failed_ = true;
        state_.errors.add(id_, why);
        if (!joined_)
            state_.ready.fetch_add(1, std::memory_order_relaxed);
        finish();
        end();
    }

    options const& opts_;
    run_state& state_;
    std::size_t id_;
    echo_book book_;
    echo_stats& stats_;
    http_lane get_;
    http_lane post_;
    std::string sid_;
    std::string target_;
    std::string queue_;   // packets for the next POST
    std::string sending_; // body of the POST in flight
    clock_type::time_point now_;
    int phase_ = phase_warmup;
    bool joined_ = false;
    bool failed_ = false;
    bool closing_ = false;
};

} // namespace

int run_polling(options const& o) {
    return run_echo_clients<polling_echo_client>(o);
}

} // namespace sio_bench
