// socketio_test_server: what the interop tests need beyond chat_server, through the public API
// only. Usage: socketio_test_server --port P [--threads N] [--recovery] [--max-buffered-bytes N]
// (port 0 picks a free port; --threads N runs N shards, default one per core; --recovery turns
// connection state recovery on, with a 60 s window);
// SIO_TEST_LOG=1 logs to stderr.
//
// "/" (and every namespace below, through add_common):
//   request-ack (name, ...args, ack)  emits `name` with args to the client, waits 2 s for its ack,
//                                     acks {ok: true, reply: [client's ack args]} or
//                                     {ok: false, error: <message>}
//   broadcast-with-ack ([{timeout_ms}], ack)  io.timeout(timeout_ms, default 1 s)
//                                     .emit_with_ack("ping-all"), acks {count, timeout, responses}
//   disconnect-me (close)             s.disconnect(close)
//   join (room, ack) / leave          s.join / s.leave, ack(true)
//   rooms (ack)                       ack(s.rooms())
//   fetch ([room,] ack)               ack(ids of io[.in(room)].fetch_sockets())
//   disconnect-log (ack)              ack([{id, nsp, reason}...]) of every socket that left
//   room-emit ({room, event, args}, ack)  io.to(room).emit(event, ...args), ack(true)
//   flood ({count, size}, ack)        emits `count` "flood" events of `size` bytes to the sender
//                                     at once; acks {sent, dropped, disconnected} as counted
//                                     from the send statuses
//   stats (ack)                       ack({sockets, recovered: this socket's recovered()})
// "/private"  refuses with connect_error{"not allowed", {reason: "no token"}} unless
//             auth.token == "ok"; emits welcome-private {id} on connection.
// "/dyn-*"    dynamic namespaces; each connection gets welcome-dyn <namespace name>.
#include <sio/server.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace std::chrono_literals;

// Sockets that left, for disconnect-log; handlers run on every shard, hence the mutex.
class disconnect_log {
public:
    void add(std::string id, std::string nsp, std::string reason) {
        std::lock_guard lock{mutex_};
        entries_.push_back(boost::json::object{
            {"id", std::move(id)}, {"nsp", std::move(nsp)}, {"reason", std::move(reason)}});
    }
    boost::json::array snapshot() const {
        std::lock_guard lock{mutex_};
        return entries_;
    }

private:
    mutable std::mutex mutex_;
    boost::json::array entries_;
};

disconnect_log left;

std::string string_arg(sio::message const& msg, std::size_t i) {
    if (i < msg.size() && msg[i].is_string())
        return std::string{msg[i].get_string()};
    return {};
}

boost::json::array ids_of(std::vector<sio::socket_info> const& sockets) {
    boost::json::array ids;
    for (auto const& info : sockets)
        ids.emplace_back(info.id);
    return ids;
}

void add_common(sio::socket& s) {
    s.on_disconnect([](sio::socket& s, sio::disconnect_reason why) {
        left.add(s.id(), s.nsp().name(), std::string{sio::to_string(why)});
    });

    s.on("request-ack", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        auto const event = string_arg(msg, 0);
        s.timeout(2000ms).emit_with_ack(
            event, msg.slice(1), [ack](boost::system::error_code ec, sio::message reply) {
                if (ec) {
                    ack(boost::json::object{{"ok", false}, {"error", ec.message()}});
                    return;
                }
                // The reply's placeholders keep their numbers: same attachments, same order.
                sio::message out;
                out.attachments = std::move(reply.attachments);
                out.args().emplace_back(
                    boost::json::object{{"ok", true}, {"reply", std::move(reply.args())}});
                ack.send(std::move(out));
            });
    });

    s.on("broadcast-with-ack", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        // A long timeout lets a test tell "completed when all answered" from "waited it out"
        // with a margin a loaded machine keeps.
        std::chrono::milliseconds timeout = 1000ms;
        if (auto const* o = msg.empty() ? nullptr : msg[0].if_object()) {
            if (auto const* v = o->if_contains("timeout_ms"); v && v->is_int64())
                timeout = std::chrono::milliseconds(v->get_int64());
        }
        s.nsp().server().timeout(timeout).emit_with_ack(
            "ping-all",
            sio::message{},
            [ack](boost::system::error_code ec, std::vector<sio::message> responses) {
                boost::json::array all;
                for (auto const& r : responses)
                    all.emplace_back(r.args());
                ack(boost::json::object{
                    {"count", responses.size()},
                    {"timeout", ec == sio::error::ack_timeout},
                    {"responses", std::move(all)}});
            });
    });

    s.on("disconnect-me", [](sio::socket& s, sio::message const& msg) {
        bool const close = !msg.empty() && msg[0].is_bool() && msg[0].get_bool();
        s.disconnect(close);
    });

    s.on("join", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        s.join(string_arg(msg, 0));
        ack(true);
    });

    s.on("leave", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        s.leave(string_arg(msg, 0));
        ack(true);
    });

    s.on("rooms", [](sio::socket& s, sio::message const&, sio::ack ack) { ack(s.rooms()); });

    s.on("fetch", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        auto done = [ack](std::vector<sio::socket_info> sockets) { ack(ids_of(sockets)); };
        auto& io = s.nsp().server();
        if (!msg.empty() && msg[0].is_string())
            io.in(std::string{msg[0].get_string()}).fetch_sockets(done);
        else
            io.fetch_sockets(done);
    });

    s.on("disconnect-log", [](sio::socket&, sio::message const&, sio::ack ack) {
        ack(left.snapshot());
    });

    s.on("room-emit", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        auto const* o = msg.empty() ? nullptr : msg[0].if_object();
        if (o && o->contains("room") && o->contains("event") && o->at("room").is_string() &&
            o->at("event").is_string()) {
            sio::message args;
            if (auto const* a = o->if_contains("args"); a && a->is_array())
                args.args() = a->as_array();
            s.nsp()
                .to(std::string{o->at("room").get_string()})
                .emit(o->at("event").get_string(), args);
        }
        ack(true);
    });

    s.on("flood", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        auto const* o = msg.empty() ? nullptr : msg[0].if_object();
        auto const count = o && o->contains("count") ? o->at("count").to_number<std::int64_t>() : 0;
        auto const size = o && o->contains("size") ? o->at("size").to_number<std::int64_t>() : 0;
        bool const is_volatile = o && o->contains("volatile") && o->at("volatile") == true;
        std::string const payload(static_cast<std::size_t>(size), 'x');
        std::int64_t sent = 0, dropped = 0, disconnected = 0;
        for (std::int64_t i = 0; i < count; ++i) {
            auto const status =
                is_volatile ? s.volatile_().emit("flood", i, payload) : s.emit("flood", i, payload);
            if (status == sio::send_status::sent)
                ++sent;
            else if (status == sio::send_status::dropped)
                ++dropped;
            else if (status == sio::send_status::disconnected) {
                ++disconnected;
                break;
            }
        }
        ack(boost::json::object{
            {"sent", sent}, {"dropped", dropped}, {"disconnected", disconnected}});
    });

    s.on("stats", [](sio::socket& s, sio::message const&, sio::ack ack) {
        ack(boost::json::object{{"sockets", s.nsp().socket_count()}, {"recovered", s.recovered()}});
    });
}

void require_token(sio::socket& s, sio::next next) {
    auto const* token = s.handshake().auth.if_contains("token");
    if (token && token->is_string() && token->get_string() == "ok")
        return next();
    next(sio::connect_error{"not allowed", boost::json::object{{"reason", "no token"}}});
}

} // namespace

int main(int argc, char** argv) {
    unsigned short port = 3000;
    std::size_t threads = 0;
    sio::server_options options;
    for (int i = 1; i < argc; ++i) {
        std::string_view const arg = argv[i];
        if (arg == "--port" && i + 1 < argc)
            port = static_cast<unsigned short>(std::stoi(argv[++i]));
        else if (arg == "--threads" && i + 1 < argc)
            threads = std::stoul(argv[++i]);
        else if (arg == "--recovery")
            options.connection_state_recovery =
                sio::recovery_options{.max_disconnection_duration = 60s};
        else if (arg == "--max-buffered-bytes" && i + 1 < argc)
            options.max_buffered_bytes = std::stoul(argv[++i]);
    }
    if (char const* v = std::getenv("SIO_TEST_LOG"); v && *v && std::string_view{v} != "0")
        sio::set_log_sink(sio::stderr_log_sink(), sio::log_level::debug);

    sio::io_pool pool{threads};
    sio::server io{pool, options};

    io.on_connection(add_common);

    io.of("/private").use(require_token).on_connection([](sio::socket& s) {
        s.emit("welcome-private", boost::json::object{{"id", s.id()}});
        add_common(s);
    });

    io.of(
        [](std::string_view name, boost::json::object const&) {
            return name.substr(0, 5) == "/dyn-";
        },
        [](sio::nsp& n) {
            n.on_connection([](sio::socket& s) {
                s.emit("welcome-dyn", s.nsp().name());
                add_common(s);
            });
        });

    auto const endpoint = io.listen("127.0.0.1", port);
    boost::asio::signal_set signals{pool.get(0), SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) { io.close([&] { pool.stop(); }); });
    std::cout << "listening on 127.0.0.1:" << endpoint.port() << std::endl;
    pool.run();
}
