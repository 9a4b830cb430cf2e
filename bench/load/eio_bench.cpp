// Engine.IO v4 WebSocket echo load generator: C connections, each keeping D text messages in
// flight against an echo server (apps/conformance/conformance_server or its Node twin,
// bench/node/engine_echo_server.mjs), and one summary line with throughput, latency and CPU.
//
// The WebSocket client framing is written by hand rather than with Beast's websocket::stream:
// Beast writes one frame per syscall and parses one frame per read, which makes the generator,
// not the server, the bottleneck near 2x Node. Here every read is parsed to its last complete
// frame and everything a connection has to send after it goes out in one write.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cli/args.hpp>
#include <cmath>
#include <common/cpu_meter.hpp>
#include <common/hex.hpp>
#include <common/histogram.hpp>
#include <common/ws_client_frames.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

// Every message payload starts with its sequence number in this many hex digits.
constexpr std::size_t seq_digits = bench::hex_digits;
constexpr std::size_t read_chunk = 64 * 1024;
constexpr std::size_t max_logged_errors = 10;

struct options {
    std::string host = "127.0.0.1";
    std::string port = "3000";
    std::string path = "/engine.io/";
    std::size_t connections = 50;
    std::size_t inflight = 50;
    std::size_t size = 100;
    double duration = 10;
    double warmup = 2;
    std::size_t threads = 1;
    long server_pid = 0;
    double connect_timeout = 10;
    double drain_timeout = 10;
};

constexpr std::string_view usage =
    R"(usage: eio-bench --url http://HOST:PORT[/path/] [--connections C] [--inflight D]
                 [--size BYTES] [--duration S] [--warmup S] [--threads T]
                 [--server-pid PID] [--connect-timeout S] [--drain-timeout S]
Engine.IO v4 WebSocket echo load: C connections each keep D messages in flight against an echo
server; prints one summary line. Defaults: C=50, D=50, 100 bytes, 10 s, 2 s, 1 thread.
)";

void parse_url(cli::args const& args, std::string_view url, options& o) {
    constexpr std::string_view scheme = "http://";
    if (url.substr(0, scheme.size()) != scheme)
        args.fail("bad value for --url: '" + std::string(url) + "' (http://HOST:PORT[/path/])");
    url.remove_prefix(scheme.size());
    auto const slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    if (slash != std::string_view::npos && url.size() > slash + 1)
        o.path = std::string(url.substr(slash));
    auto const colon = authority.rfind(':');
    if (colon == std::string_view::npos) {
        o.host = std::string(authority);
        o.port = "80";
    } else {
        o.host = std::string(authority.substr(0, colon));
        o.port = std::string(authority.substr(colon + 1));
    }
    if (o.host.empty() || o.port.empty() || o.port.size() > 5 ||
        o.port.find_first_not_of("0123456789") != std::string::npos || std::stoul(o.port) > 65535)
        args.fail("bad value for --url: no valid host and port");
}

options parse_options(int argc, char** argv) {
    options o;
    cli::args args{argc, argv, "eio-bench", usage};
    auto count = [&] { return static_cast<std::size_t>(args.number()); };
    while (args.next()) {
        if (args.is("--url"))
            parse_url(args, args.value(), o);
        else if (args.is("--connections"))
            o.connections = count();
        else if (args.is("--inflight"))
            o.inflight = count();
        else if (args.is("--size"))
            o.size = count();
        else if (args.is("--duration"))
            o.duration = args.number();
        else if (args.is("--warmup"))
            o.warmup = args.number();
        else if (args.is("--threads"))
            o.threads = count();
        else if (args.is("--server-pid"))
            o.server_pid = static_cast<long>(args.number());
        else if (args.is("--connect-timeout"))
            o.connect_timeout = args.number();
        else if (args.is("--drain-timeout"))
            o.drain_timeout = args.number();
        else
            args.unknown();
    }
    if (o.connections == 0 || o.inflight == 0 || o.threads == 0 || o.duration <= 0)
        args.fail("--connections, --inflight, --threads and --duration must be positive");
    if (o.size < seq_digits)
        args.fail("--size must be at least 16 (the sequence number)");
    o.threads = std::min(o.threads, o.connections);
    return o;
}

/// What one generator thread counts; only that thread touches it until the threads are joined.
struct thread_stats {
    bench::histogram latency;
    std::uint64_t echoes_in_window = 0;
    std::uint64_t reads_in_window = 0;
    std::uint64_t writes_in_window = 0;
    std::uint64_t sent = 0;
    std::uint64_t echoed = 0;
    std::uint64_t corrupt = 0;
    std::uint64_t duplicate = 0;
    std::uint64_t skipped = 0;
    std::uint64_t connection_errors = 0;
    std::vector<std::string> log;

    void note(std::size_t conn, std::string const& what) {
        if (log.size() < max_logged_errors)
            log.push_back("connection " + std::to_string(conn) + ": " + what);
    }
};

enum phase : int { phase_warmup, phase_measure, phase_drain };

/// The only state the generator threads share with main: a phase flag and two counters, each
/// touched once per connection (except the phase, read once per read completion).
struct run_state {
    std::atomic<int> phase{phase_warmup};
    std::atomic<std::size_t> ready{0};
    std::atomic<std::size_t> finished{0};
};

using bench::get_hex;
using bench::put_hex;

class connection {
public:
    connection(
        net::io_context& ioc,
        tcp::endpoint endpoint,
        options const& opts,
        std::string const& filler,
        run_state& state,
        thread_stats& stats,
        std::size_t id)
        : socket_(ioc)
        , endpoint_(endpoint)
        , opts_(opts)
        , filler_(filler)
        , state_(state)
        , stats_(stats)
        , id_(id)
        , sent_at_(opts.inflight)
        , in_(read_chunk)
        , writer_(0x9e3779b97f4a7c15ull * (id + 1)) {
        out_.reserve(read_chunk);
        wbuf_.reserve(read_chunk);
    }

    void start() {
        socket_.async_connect(endpoint_, [this](boost::system::error_code ec) {
            if (ec)
                return fail("connect: " + ec.message());
            socket_.set_option(tcp::no_delay(true), ec);
            std::string const request = "GET " + opts_.path +
                                        "?EIO=4&transport=websocket HTTP/1.1\r\n"
                                        "Host: " +
                                        opts_.host + ":" + opts_.port +
                                        "\r\n"
                                        "Upgrade: websocket\r\n"
                                        "Connection: Upgrade\r\n"
                                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                        "Sec-WebSocket-Version: 13\r\n\r\n";
            out_.assign(request.begin(), request.end());
            flush();
            read();
        });
    }

    /// Messages sent and not echoed yet.
    std::uint64_t outstanding() const noexcept { return next_seq_ - expect_seq_; }
    bool drained() const noexcept { return drained_; }
    /// Echoes received over the whole run, warm-up and drain included.
    std::uint64_t echoed() const noexcept { return echoed_; }

    void close() {
        closing_ = true;
        boost::system::error_code ec;
        socket_.shutdown(tcp::socket::shutdown_both, ec);
        socket_.close(ec);
    }

private:
    void read() {
        if (in_len_ == in_.size())
            in_.resize(in_.size() * 2);
        socket_.async_read_some(
            net::buffer(in_.data() + in_len_, in_.size() - in_len_),
            [this](boost::system::error_code ec, std::size_t n) { on_read(ec, n); });
    }

    void on_read(boost::system::error_code ec, std::size_t n) {
        if (closing_)
            return;
        if (ec)
            return fail("read: " + ec.message());
        in_len_ += n;
        // One clock read and one phase load per read: every echo parsed from it shares them.
        now_ = clock_type::now();
        phase_ = state_.phase.load(std::memory_order_relaxed);
        std::size_t pos = 0;
        if (!upgraded_) {
            std::string error;
            pos = bench::upgrade_response_end(std::string_view(in_.data(), in_len_), error);
            if (pos == std::string_view::npos)
                return read();
            if (!error.empty())
                return fail(error);
            upgraded_ = true;
        }
        if (phase_ == phase_measure)
            ++stats_.reads_in_window;
        pos = parse_frames(pos);
        if (failed_)
            return;
        std::memmove(in_.data(), in_.data() + pos, in_len_ - pos);
        in_len_ -= pos;
        if (opened_ && phase_ != phase_drain)
            refill();
        flush();
        if (opened_ && phase_ == phase_drain && outstanding() == 0 && !drained_) {
            drained_ = true;
            finish();
        }
        read();
    }

    // Handles every complete frame from `pos` on; returns where the first incomplete one starts.
    std::size_t parse_frames(std::size_t pos) {
        auto const r = bench::parse_ws_frames(
            in_.data() + pos, in_len_ - pos, [this](unsigned char b0, std::string_view payload) {
                on_frame(b0, payload.data(), payload.size());
                return !failed_;
            });
        if (!r.error.empty())
            fail(r.error);
        // Make room for a whole incomplete frame so the next read can complete it.
        if (r.need > in_.size())
            in_.resize(r.need + read_chunk);
        return pos + r.consumed;
    }

    void on_frame(unsigned char b0, char const* data, std::size_t len) {
        bool const fin = b0 & 0x80;
        switch (b0 & 0x0f) {
        case 0x1:
        case 0x2:
            if (!fin) {
                fragments_.assign(data, len);
                fragment_binary_ = (b0 & 0x0f) == 0x2;
                in_fragment_ = true;
                return;
            }
            return on_message(std::string_view(data, len), (b0 & 0x0f) == 0x2);
        case 0x0:
            if (!in_fragment_)
                return fail("continuation frame without a start");
            fragments_.append(data, len);
            if (fin) {
                in_fragment_ = false;
                on_message(fragments_, fragment_binary_);
            }
            return;
        case 0x8: {
            // RFC 6455 5.5.1: an optional 2-byte status code, then a UTF-8 reason.
            std::string why = "server sent a WebSocket close frame";
            if (len >= 2) {
                auto const* u = reinterpret_cast<unsigned char const*>(data);
                why += ", code " + std::to_string((u[0] << 8) | u[1]);
                if (len > 2)
                    why += " \"" + std::string(data + 2, len - 2) + "\"";
            }
            why += " (" + std::to_string(echoed_) + " echoes, " + std::to_string(outstanding()) +
                   " in flight)";
            return fail(why);
        }
        case 0x9:
            std::memcpy(append_frame(0xA, len), data, len);
            mask_last(len);
            return;
        case 0xA:
            return;
        default:
            return fail("unknown WebSocket opcode " + std::to_string(b0 & 0x0f));
        }
    }

    void on_message(std::string_view m, bool binary) {
        if (binary || m.empty())
            return fail(binary ? "unexpected binary message" : "empty Engine.IO packet");
        switch (m[0]) {
        case '4':
            return on_echo(m.substr(1));
        case '2': {
            // EIO v4: the server pings, the client answers "3" with the same payload.
            char* p = append_frame(0x1, m.size());
            p[0] = '3';
            std::memcpy(p + 1, m.data() + 1, m.size() - 1);
            mask_last(m.size());
            return;
        }
        case '0':
            if (opened_)
                return fail("second open packet");
            opened_ = true;
            state_.ready.fetch_add(1, std::memory_order_relaxed);
            return;
        case '6':
            return;
        case '1':
            return fail("server sent an Engine.IO close packet");
        default:
            return fail("unexpected Engine.IO packet: " + std::string(m.substr(0, 40)));
        }
    }

    void on_echo(std::string_view p) {
        std::uint64_t seq = 0;
        if (p.size() != opts_.size || !get_hex(p.data(), seq) || seq >= next_seq_) {
            ++stats_.corrupt;
            stats_.note(
                id_,
                "corrupt echo of " + std::to_string(p.size()) +
                    " bytes: " + std::string(p.substr(0, 40)));
            return;
        }
        if (seq < expect_seq_) {
            ++stats_.duplicate;
            stats_.note(id_, "duplicate or late echo of message " + std::to_string(seq));
            return;
        }
        if (seq > expect_seq_) {
            // Echoes come back in order on one WebSocket; a gap means lost or reordered messages.
            stats_.skipped += seq - expect_seq_;
            stats_.note(
                id_,
                "expected message " + std::to_string(expect_seq_) + ", got " + std::to_string(seq));
        }
        std::size_t const off = seq_digits + static_cast<std::size_t>(seq % 26);
        if (std::memcmp(p.data() + seq_digits, filler_.data() + off, opts_.size - seq_digits) !=
            0) {
            ++stats_.corrupt;
            stats_.note(id_, "corrupt payload in message " + std::to_string(seq));
        }
        expect_seq_ = seq + 1;
        ++stats_.echoed;
        ++echoed_;
        if (phase_ == phase_measure) {
            ++stats_.echoes_in_window;
            auto const rtt = now_ - sent_at_[seq % opts_.inflight];
            stats_.latency.add(static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(rtt).count()));
        }
    }

    // Tops the connection up to D messages in flight; all of them join the next write.
    void refill() {
        while (outstanding() < opts_.inflight) {
            std::uint64_t const seq = next_seq_++;
            sent_at_[seq % opts_.inflight] = now_;
            std::size_t const len = 1 + opts_.size;
            char* p = append_frame(0x1, len);
            p[0] = '4';
            put_hex(p + 1, seq);
            std::memcpy(
                p + 1 + seq_digits,
                filler_.data() + seq_digits + seq % 26,
                opts_.size - seq_digits);
            mask_last(len);
            ++stats_.sent;
        }
    }

    char* append_frame(unsigned char opcode, std::size_t len) {
        return writer_.append_frame(out_, opcode, len);
    }
    void mask_last(std::size_t len) { bench::ws_frame_writer::mask_last(out_, len); }

    void flush() {
        if (writing_ || out_.empty() || failed_)
            return;
        std::swap(out_, wbuf_);
        out_.clear();
        writing_ = true;
        if (phase_ == phase_measure)
            ++stats_.writes_in_window;
        net::async_write(
            socket_, net::buffer(wbuf_), [this](boost::system::error_code ec, std::size_t) {
                writing_ = false;
                if (closing_)
                    return;
                if (ec)
                    return fail("write: " + ec.message());
                flush();
            });
    }

    void fail(std::string const& why) {
        if (failed_ || closing_)
            return;
        failed_ = true;
        ++stats_.connection_errors;
        stats_.note(id_, why);
        if (!opened_)
            state_.ready.fetch_add(1, std::memory_order_relaxed);
        finish();
        close();
    }

    void finish() {
        if (finished_)
            return;
        finished_ = true;
        state_.finished.fetch_add(1, std::memory_order_relaxed);
    }

    tcp::socket socket_;
    tcp::endpoint endpoint_;
    options const& opts_;
    std::string const& filler_;
    run_state& state_;
    thread_stats& stats_;
    std::size_t id_;

    std::vector<clock_type::time_point> sent_at_; // by sequence number modulo D
    std::uint64_t next_seq_ = 0;
    std::uint64_t expect_seq_ = 0;
    std::uint64_t echoed_ = 0;

    std::vector<char> in_;
    std::size_t in_len_ = 0;
    std::vector<char> out_;  // frames waiting for the write in flight
    std::vector<char> wbuf_; // frames of the write in flight
    std::string fragments_;
    bench::ws_frame_writer writer_;
    clock_type::time_point now_;
    int phase_ = phase_warmup;

    bool upgraded_ = false;
    bool opened_ = false;
    bool writing_ = false;
    bool in_fragment_ = false;
    bool fragment_binary_ = false;
    bool failed_ = false;
    bool closing_ = false;
    bool finished_ = false;
    bool drained_ = false;
};

struct generator_thread {
    net::io_context ioc{1};
    thread_stats stats;
    std::vector<std::unique_ptr<connection>> connections;
    std::thread thread;
};

double ratio(std::uint64_t a, std::uint64_t b) {
    return b == 0 ? 0 : static_cast<double>(a) / static_cast<double>(b);
}

std::chrono::duration<double> seconds(double s) {
    return std::chrono::duration<double>(s);
}

// Waits until `counter` reaches `target` or `timeout` seconds pass; true if it got there.
bool wait_for(std::atomic<std::size_t> const& counter, std::size_t target, double timeout) {
    auto const deadline =
        clock_type::now() + std::chrono::duration_cast<clock_type::duration>(seconds(timeout));
    while (counter.load(std::memory_order_relaxed) < target) {
        if (clock_type::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

} // namespace

int main(int argc, char** argv) {
    options const opts = parse_options(argc, argv);

    tcp::endpoint endpoint;
    try {
        net::io_context resolver_ioc;
        tcp::resolver resolver(resolver_ioc);
        endpoint = *resolver.resolve(opts.host, opts.port).begin();
    } catch (std::exception const& e) {
        std::cerr << "eio-bench: cannot resolve " << opts.host << ':' << opts.port << ": "
                  << e.what() << '\n';
        return 2;
    }

    // 'a'..'z' repeated: byte i of message n's payload (after the sequence number) is
    // filler[i + n % 26], so an echo is checked with one memcmp.
    std::string filler(opts.size + 26, '\0');
    for (std::size_t i = 0; i < filler.size(); ++i)
        filler[i] = static_cast<char>('a' + i % 26);

    run_state state;
    std::vector<std::unique_ptr<generator_thread>> threads;
    for (std::size_t t = 0; t < opts.threads; ++t)
        threads.push_back(std::make_unique<generator_thread>());
    for (std::size_t c = 0; c < opts.connections; ++c) {
        auto& t = *threads[c % opts.threads];
        t.connections.push_back(
            std::make_unique<connection>(t.ioc, endpoint, opts, filler, state, t.stats, c));
        t.connections.back()->start();
    }
    using work_guard = net::executor_work_guard<net::io_context::executor_type>;
    std::vector<work_guard> guards;
    for (auto& t : threads) {
        guards.push_back(net::make_work_guard(t->ioc));
        t->thread = std::thread([&ioc = t->ioc] { ioc.run(); });
    }

    bool const all_ready = wait_for(state.ready, opts.connections, opts.connect_timeout);
    std::this_thread::sleep_for(seconds(opts.warmup));

    state.phase.store(phase_measure, std::memory_order_relaxed);
    auto const t0 = clock_type::now();
    double const cpu0 = bench::process_cpu_seconds();
    double const server0 = bench::other_cpu_seconds(opts.server_pid);
    bench::machine_cpu const machine0 = bench::read_machine_cpu();
    std::this_thread::sleep_for(seconds(opts.duration));
    state.phase.store(phase_drain, std::memory_order_relaxed);
    auto const t1 = clock_type::now();
    double const cpu1 = bench::process_cpu_seconds();
    double const server1 = bench::other_cpu_seconds(opts.server_pid);
    bench::machine_cpu const machine1 = bench::read_machine_cpu();

    // Stop sending and wait for every message in flight to come back.
    bool const all_drained = wait_for(state.finished, opts.connections, opts.drain_timeout);
    for (auto& t : threads) {
        net::post(t->ioc, [&t = *t] {
            for (auto& c : t.connections)
                c->close();
            t.ioc.stop();
        });
    }
    for (auto& t : threads)
        t->thread.join();

    bench::histogram latency;
    thread_stats total;
    std::uint64_t missing = 0;
    std::size_t undrained = 0;
    // Fairness: echoes of the slowest and the fastest connection.
    std::uint64_t conn_min = UINT64_MAX;
    std::uint64_t conn_max = 0;
    std::vector<std::string> log;
    for (auto& t : threads) {
        auto const& s = t->stats;
        latency.merge(s.latency);
        total.echoes_in_window += s.echoes_in_window;
        total.reads_in_window += s.reads_in_window;
        total.writes_in_window += s.writes_in_window;
        total.sent += s.sent;
        total.echoed += s.echoed;
        total.corrupt += s.corrupt;
        total.duplicate += s.duplicate;
        total.skipped += s.skipped;
        total.connection_errors += s.connection_errors;
        log.insert(log.end(), s.log.begin(), s.log.end());
        for (auto& c : t->connections) {
            missing += c->outstanding();
            conn_min = std::min(conn_min, c->echoed());
            conn_max = std::max(conn_max, c->echoed());
            if (!c->drained())
                ++undrained;
        }
    }
    missing += total.skipped;

    double const window = std::chrono::duration<double>(t1 - t0).count();
    double const rate = static_cast<double>(total.echoes_in_window) / window;
    double const client_cpu = 100 * (cpu1 - cpu0) / window;
    std::uint64_t const errors =
        total.connection_errors + total.corrupt + total.duplicate + missing;

    char line[512];
    std::snprintf(
        line,
        sizeof line,
        "echo: C=%zu D=%zu size=%zu msgs/s=%.0f p50_us=%.1f p99_us=%.1f errors=%llu "
        "client_cpu=%.1f%% threads=%zu p999_us=%.1f max_us=%.1f echoes=%llu window_s=%.2f "
        "echoes_per_read=%.1f msgs_per_write=%.1f conn_echoes_min=%llu conn_echoes_max=%llu",
        opts.connections,
        opts.inflight,
        opts.size,
        rate,
        latency.percentile_ns(0.50) / 1e3,
        latency.percentile_ns(0.99) / 1e3,
        static_cast<unsigned long long>(errors),
        client_cpu,
        opts.threads,
        latency.percentile_ns(0.999) / 1e3,
        static_cast<double>(latency.max()) / 1e3,
        static_cast<unsigned long long>(total.echoes_in_window),
        window,
        ratio(total.echoes_in_window, total.reads_in_window),
        ratio(total.echoes_in_window, total.writes_in_window),
        static_cast<unsigned long long>(conn_min),
        static_cast<unsigned long long>(conn_max));
    std::string summary = line;
    if (opts.server_pid > 0) {
        if (server0 >= 0 && server1 >= 0) {
            std::snprintf(
                line, sizeof line, " server_cpu=%.1f%%", 100 * (server1 - server0) / window);
            summary += line;
        } else {
            summary += " server_cpu=gone";
        }
    }
    if (machine0.busy >= 0 && machine1.busy >= 0) {
        std::snprintf(
            line,
            sizeof line,
            " machine_cpu=%.1f%% softirq=%.1f%%",
            100 * (machine1.busy - machine0.busy) / window,
            100 * (machine1.softirq - machine0.softirq) / window);
        summary += line;
    }
    std::cout << summary << std::endl;

    if (errors != 0 || !all_ready || !all_drained) {
        std::cerr << "eio-bench: FAILED: sent=" << total.sent << " echoed=" << total.echoed
                  << " missing=" << missing << " duplicate=" << total.duplicate
                  << " corrupt=" << total.corrupt
                  << " connection_errors=" << total.connection_errors
                  << " not_ready=" << (all_ready ? "no" : "yes")
                  << " undrained_connections=" << undrained << '\n';
        for (auto const& l : log)
            std::cerr << "  " << l << '\n';
        return 1;
    }
    return 0;
}
