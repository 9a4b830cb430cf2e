// feed-latency: commit-to-delivery latency of sio-server's database feed, as seen by many
// subscribed Socket.IO clients while another process writes.
//
//   feed-latency --url http://127.0.0.1:P --clients N --table bench --duration S
//
// Each client opens a WebSocket (EIO 4), connects to "/", subscribes to the table and, for every
// `change` event, takes now (CLOCK_REALTIME, µs) minus the row's `ts` column (the writer's clock
// just before its COMMIT, same machine). It answers pings. Frames are parsed by hand, every
// complete frame of a read at once, so the client is not what limits the measure.
// Prints: clients=N changes_seen=... deliveries=... p50_ms p99_ms max_ms missing=...
#include <boost/asio.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cli/args.hpp>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string masked_text_frame(std::string_view payload) {
    std::string f;
    f.push_back(static_cast<char>(0x81));
    if (payload.size() < 126) {
        f.push_back(static_cast<char>(0x80 | payload.size()));
    } else {
        f.push_back(static_cast<char>(0x80 | 126));
        f.push_back(static_cast<char>(payload.size() >> 8));
        f.push_back(static_cast<char>(payload.size() & 0xff));
    }
    unsigned char const mask[4] = {0x12, 0x34, 0x56, 0x78};
    f.append(reinterpret_cast<char const*>(mask), 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        f.push_back(static_cast<char>(payload[i] ^ mask[i & 3]));
    return f;
}

struct stats {
    std::vector<std::int64_t> latencies_us;
    std::unordered_set<std::int64_t> seen_ids; // change ids, across all clients
    std::size_t subscribed = 0;
    std::size_t errors = 0;
    bool measuring = false;
};

class client : public std::enable_shared_from_this<client> {
public:
    client(net::io_context& ioc, tcp::endpoint ep, std::string table, stats& st)
        : socket_(ioc)
        , endpoint_(ep)
        , table_(std::move(table))
        , stats_(st) {}

    void start() {
        socket_.async_connect(endpoint_, [self = shared_from_this()](boost::system::error_code ec) {
            if (ec)
                return self->fail("connect");
            self->socket_.set_option(tcp::no_delay(true));
            self->out_ =
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            self->flush();
            self->read();
        });
    }

private:
    void fail(char const* what) {
        ++stats_.errors;
        std::cerr << "client error: " << what << "\n";
    }

    void send(std::string_view text) {
        out_ += masked_text_frame(text);
        flush();
    }

    void flush() {
        if (writing_ || out_.empty())
            return;
        writing_ = true;
        inflight_.swap(out_);
        out_.clear();
        net::async_write(
            socket_,
            net::buffer(inflight_),
            [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                self->writing_ = false;
                self->inflight_.clear();
                if (ec)
                    return self->fail("write");
                self->flush();
            });
    }

    void read() {
        buf_.resize(used_ + 65536);
        socket_.async_read_some(
            net::buffer(buf_.data() + used_, 65536),
            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                if (ec)
                    return; // closed at the end of the run
                self->used_ += n;
                self->parse();
                self->read();
            });
    }

    void parse() {
        std::size_t pos = 0;
        if (!upgraded_) {
            std::string_view const head{buf_.data(), used_};
            auto const end = head.find("\r\n\r\n");
            if (end == std::string_view::npos)
                return;
            upgraded_ = true;
            pos = end + 4;
        }
        while (used_ - pos >= 2) {
            auto const* p = reinterpret_cast<unsigned char const*>(buf_.data() + pos);
            std::size_t len = p[1] & 0x7f;
            std::size_t head = 2;
            if (len == 126) {
                if (used_ - pos < 4)
                    break;
                len = (std::size_t{p[2]} << 8) | p[3];
                head = 4;
            } else if (len == 127) {
                if (used_ - pos < 10)
                    break;
                len = 0;
                for (int i = 0; i < 8; ++i)
                    len = (len << 8) | p[2 + i];
                head = 10;
            }
            if (used_ - pos < head + len)
                break;
            if ((p[0] & 0x0f) == 1)
                on_text({buf_.data() + pos + head, len});
            pos += head + len;
        }
        std::memmove(buf_.data(), buf_.data() + pos, used_ - pos);
        used_ -= pos;
    }

    void on_text(std::string_view m) {
        if (m == "2") {
            send("3");
        } else if (m.substr(0, 1) == "0") {
            send("40");
        } else if (m.substr(0, 2) == "40") {
            send("421[\"subscribe\",{\"table\":\"" + table_ + "\"}]");
        } else if (m.substr(0, 3) == "431") {
            ++stats_.subscribed;
        } else if (m.substr(0, 11) == "42[\"change\"") {
            auto const t = m.find("\"ts\":");
            auto const id = m.find("\"change_id\":");
            if (t == std::string_view::npos || id == std::string_view::npos)
                return;
            auto const ts = std::strtoll(m.data() + t + 5, nullptr, 10);
            auto const change_id = std::strtoll(m.data() + id + 12, nullptr, 10);
            if (stats_.measuring) {
                stats_.latencies_us.push_back(now_us() - ts);
                stats_.seen_ids.insert(change_id);
            }
        }
    }

    tcp::socket socket_;
    tcp::endpoint endpoint_;
    std::string table_;
    stats& stats_;
    std::string out_, inflight_;
    std::vector<char> buf_;
    std::size_t used_ = 0;
    bool writing_ = false;
    bool upgraded_ = false;
};

constexpr std::string_view usage =
    R"(usage: feed-latency [--url http://127.0.0.1:P] [--clients N] [--table NAME] [--duration S]
Commit-to-delivery latency of sio-server's feed: N WebSocket clients subscribe to the table and
time every change from its ts column. Defaults: port 3000, 100 clients, table bench, 10 s.
)";

} // namespace

int main(int argc, char** argv) {
    std::string host = "127.0.0.1";
    unsigned short port = 3000;
    std::size_t clients = 100;
    std::string table = "bench";
    double duration = 10;
    cli::args args{argc, argv, "feed-latency", usage};
    while (args.next()) {
        if (args.is("--url")) {
            // Only the port is read: the clients connect to 127.0.0.1.
            std::string const url{args.value()};
            auto const colon = url.rfind(':');
            auto const digits = colon == std::string::npos ? std::string{} : url.substr(colon + 1);
            if (url.rfind("http://", 0) != 0 || digits.empty() || digits.size() > 5 ||
                digits.find_first_not_of("0123456789") != std::string::npos ||
                std::stoul(digits) > 65535)
                args.fail("bad value for --url: '" + url + "' (http://127.0.0.1:PORT)");
            port = static_cast<unsigned short>(std::stoul(digits));
        } else if (args.is("--clients")) {
            clients = args.integer<std::size_t>(1);
        } else if (args.is("--table")) {
            table = args.value();
        } else if (args.is("--duration")) {
            duration = args.number();
        } else {
            args.unknown();
        }
    }
    net::io_context ioc{1};
    stats st;
    tcp::endpoint const ep{net::ip::make_address(host), port};
    for (std::size_t i = 0; i < clients; ++i)
        std::make_shared<client>(ioc, ep, table, st)->start();

    // Subscribed first; then measure for `duration` seconds.
    net::steady_timer timer{ioc};
    std::function<void()> wait_subscribed = [&] {
        timer.expires_after(std::chrono::milliseconds(50));
        timer.async_wait([&](boost::system::error_code) {
            if (st.subscribed < clients) {
                wait_subscribed();
                return;
            }
            std::cerr << "all " << clients << " clients subscribed; measuring\n";
            st.measuring = true;
            timer.expires_after(std::chrono::milliseconds(static_cast<long>(duration * 1000)));
            timer.async_wait([&](boost::system::error_code) { ioc.stop(); });
        });
    };
    wait_subscribed();
    ioc.run();

    auto& l = st.latencies_us;
    std::sort(l.begin(), l.end());
    auto const pct = [&](double p) {
        return l.empty() ? 0.0
                         : l[std::min(
                               l.size() - 1,
                               static_cast<std::size_t>(p * static_cast<double>(l.size())))] /
                               1000.0;
    };
    std::cout << "clients=" << clients << " changes_seen=" << st.seen_ids.size()
              << " deliveries=" << l.size()
              << " expected_deliveries=" << st.seen_ids.size() * clients << " p50_ms=" << pct(0.50)
              << " p99_ms=" << pct(0.99) << " max_ms=" << (l.empty() ? 0.0 : l.back() / 1000.0)
              << " errors=" << st.errors << std::endl;
    return st.errors == 0 ? 0 : 1;
}
