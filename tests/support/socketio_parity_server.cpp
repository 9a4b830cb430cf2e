// socketio_parity_server: behaviours where sio follows npm socket.io 4.8 to the letter, for
// tests/interop/socketio/parity_*.test.mjs, through the public API only (its Node twin is
// node_twins/parity_server.mjs). Usage: socketio_parity_server --port P [--connect-timeout-ms N]
// [--recovery] (port 0 picks a free port; --recovery turns connection state recovery on).
// SIO_TEST_LOG=1 logs to stderr.
//
// "/"         echo (...args, ack)          ack(...args)
//             burst ({count, all}, ack)    emits "v" 0..count-1 volatile, in one go, to the
//                                          sender (or with all, to the namespace), then acks
//             remote ({op, id, room, close}, ack)  finds socket `id` with io.fetch_sockets and,
//                                          op "info": acks {id, rooms, handshake}; "emit":
//                                          emits remote-hello 1 to it; "join" / "leave" room;
//                                          "disconnect" (close); then acks true (null: no such)
// "/private"  refuses every connection: connect_error "not allowed"
// "/stall"    a middleware that never answers: the connection stays pending
// "/listeners" on connection: "tick" handlers a, b (emit got "a" / "b") and c (once, emits
//             got "c"); any-listeners p (prepended), x and y (each emits any [name, event]);
//             outgoing listeners o0 (prepended) and o1 (each logs {by, event, args})
//   off-tick (which, ack)        which: "a" off("tick", id of a), "all" off("tick")
//   off-any (which, ack)         which: "x" off_any(id of x), "all" off_any()
//   off-outgoing (which, ack)    which: "o1" off_any_outgoing(id of o1), "all" off_any_outgoing()
//   say (ack)                    emits "said" 1 to the sender, then acks
//   outgoing-log (ack)           ack(what the outgoing listeners logged), and clears it
// "/outgoing" no listener until asked:
//   watch (ack)                  adds an outgoing listener w, which logs {by, event, args}
//   outgoing-log (ack)           as above
//   join (room, ack)             s.join(room)
//   send ({to, event, room}, ack)  to "all": nsp.emit(event, 1); "room": nsp.to(room).emit;
//                                "others": s.broadcast().emit; "self": s.emit; then acks
//   send-with-ack (event, ack)   nsp.timeout(2 s).emit_with_ack(event), acks the reply count
#include <sio/server.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

// Middlewares of "/stall" that were never answered; held so that the connection stays pending.
std::vector<sio::next> stalled;

void on_root_connection(sio::socket& s) {
    s.on("echo", [](sio::socket&, sio::message const& msg, sio::ack ack) { ack.send(msg); });
    s.on("remote", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        auto const* o = msg.empty() ? nullptr : msg[0].if_object();
        if (!o)
            return ack(nullptr);
        auto const field = [o](char const* key) {
            auto const* v = o->if_contains(key);
            return v && v->is_string() ? std::string{v->get_string()} : std::string{};
        };
        bool const close = o->contains("close") && o->at("close") == true;
        s.nsp().fetch_sockets(
            [ack, op = field("op"), id = field("id"), room = field("room"), close](
                std::vector<sio::socket_info> sockets) {
                for (auto const& r : sockets) {
                    if (r.id != id)
                        continue;
                    if (op == "info")
                        return ack(boost::json::object{
                            {"id", r.id},
                            {"rooms", boost::json::value_from(r.rooms)},
                            {"handshake", r.handshake}});
                    if (op == "emit")
                        r.emit("remote-hello", 1);
                    else if (op == "join")
                        r.join(room);
                    else if (op == "leave")
                        r.leave(room);
                    else if (op == "disconnect")
                        r.disconnect(close);
                    return ack(true);
                }
                ack(nullptr);
            });
    });
    s.on("burst", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        auto const* o = msg.empty() ? nullptr : msg[0].if_object();
        auto const* count = o ? o->if_contains("count") : nullptr;
        auto const n = count && count->is_int64() ? count->get_int64() : 0;
        bool const all = o && o->contains("all") && o->at("all") == true;
        for (std::int64_t i = 0; i < n; ++i) {
            if (all)
                s.nsp().volatile_().emit("v", i);
            else
                s.volatile_().emit("v", i);
        }
        ack(true);
    });
}

std::string string_arg(sio::message const& msg, std::size_t i) {
    if (i < msg.size() && msg[i].is_string())
        return std::string{msg[i].get_string()};
    return {};
}

// The outgoing listeners' log, in the socket's json_data (an array).
sio::any_handler log_outgoing(std::string by) {
    return [by](sio::socket& s, std::string_view event, sio::message const& args) {
        auto& log = s.json_data();
        if (!log.is_array())
            log = boost::json::array{};
        log.as_array().emplace_back(
            boost::json::object{{"by", by}, {"event", event}, {"args", args.args()}});
    };
}

void on_listeners_connection(sio::socket& s) {
    auto const a = s.on("tick", [](sio::socket& s) { s.emit("got", "a"); });
    s.on("tick", [](sio::socket& s) { s.emit("got", "b"); });
    s.once("tick", [](sio::socket& s) { s.emit("got", "c"); });
    auto const any = [](std::string name) {
        return [name](sio::socket& s, std::string_view event, sio::message const&) {
            s.emit("any", name, event);
        };
    };
    auto const x = s.on_any(any("x"));
    s.on_any(any("y"));
    s.prepend_any(any("p"));
    auto const o1 = s.on_any_outgoing(log_outgoing("o1"));
    s.prepend_any_outgoing(log_outgoing("o0"));

    s.on("off-tick", [a](sio::socket& s, sio::message const& msg, sio::ack ack) {
        if (string_arg(msg, 0) == "a")
            s.off("tick", a);
        else if (string_arg(msg, 0) == "all")
            s.off("tick");
        ack(true);
    });
    s.on("off-any", [x](sio::socket& s, sio::message const& msg, sio::ack ack) {
        if (string_arg(msg, 0) == "x")
            s.off_any(x);
        else if (string_arg(msg, 0) == "all")
            s.off_any();
        ack(true);
    });
    s.on("off-outgoing", [o1](sio::socket& s, sio::message const& msg, sio::ack ack) {
        if (string_arg(msg, 0) == "o1")
            s.off_any_outgoing(o1);
        else if (string_arg(msg, 0) == "all")
            s.off_any_outgoing();
        ack(true);
    });
    s.on("say", [](sio::socket& s, sio::message const&, sio::ack ack) {
        s.emit("said", 1);
        ack(true);
    });
    s.on("outgoing-log", [](sio::socket& s, sio::message const&, sio::ack ack) {
        auto log = std::exchange(s.json_data(), boost::json::array{});
        ack(log.is_array() ? log : boost::json::array{});
    });
}

void on_outgoing_connection(sio::socket& s) {
    s.on("watch", [](sio::socket& s, sio::message const&, sio::ack ack) {
        s.on_any_outgoing(log_outgoing("w"));
        ack(true);
    });
    s.on("outgoing-log", [](sio::socket& s, sio::message const&, sio::ack ack) {
        auto log = std::exchange(s.json_data(), boost::json::array{});
        ack(log.is_array() ? log : boost::json::array{});
    });
    s.on("join", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        s.join(string_arg(msg, 0));
        ack(true);
    });
    s.on("send", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        auto const* o = msg.empty() ? nullptr : msg[0].if_object();
        auto const field = [o](char const* key) {
            auto const* v = o ? o->if_contains(key) : nullptr;
            return v && v->is_string() ? std::string{v->get_string()} : std::string{};
        };
        auto const to = field("to");
        auto const event = field("event");
        if (to == "all")
            s.nsp().emit(event, 1);
        else if (to == "room")
            s.nsp().to(field("room")).emit(event, 1);
        else if (to == "others")
            s.broadcast().emit(event, 1);
        else if (to == "self")
            s.emit(event, 1);
        ack(true);
    });
    s.on("send-with-ack", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        s.nsp()
            .timeout(std::chrono::seconds{2})
            .emit_with_ack(
                string_arg(msg, 0),
                sio::message{},
                [ack](boost::system::error_code, std::vector<sio::message> replies) {
                    ack(replies.size());
                });
    });
}

} // namespace

int main(int argc, char** argv) {
    unsigned short port = 3000;
    sio::server_options options;
    for (int i = 1; i < argc; ++i) {
        std::string_view const arg = argv[i];
        if (arg == "--port" && i + 1 < argc)
            port = static_cast<unsigned short>(std::stoi(argv[++i]));
        else if (arg == "--connect-timeout-ms" && i + 1 < argc)
            options.connect_timeout = std::chrono::milliseconds{std::stol(argv[++i])};
        else if (arg == "--recovery")
            options.connection_state_recovery = sio::recovery_options{};
    }
    if (char const* v = std::getenv("SIO_TEST_LOG"); v && *v && std::string_view{v} != "0")
        sio::set_log_sink(sio::stderr_log_sink(), sio::log_level::debug);

    // One shard: the stalled middlewares' list needs no lock, and a broadcast reaches every
    // socket within the emitting handler's turn.
    sio::io_pool pool{1};
    sio::server io{pool, options};

    io.on_connection(on_root_connection);
    io.of("/private").use([](sio::socket&, sio::next next) {
        next(sio::connect_error{"not allowed", {}});
    });
    io.of("/listeners").on_connection(on_listeners_connection);
    io.of("/outgoing").on_connection(on_outgoing_connection);
    io.of("/stall").use([](sio::socket&, sio::next next) { stalled.push_back(std::move(next)); });

    auto const endpoint = io.listen("127.0.0.1", port);
    boost::asio::signal_set signals{pool.get(0), SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) {
        stalled.clear();
        io.close([&] { pool.stop(); });
    });
    std::cout << "listening on 127.0.0.1:" << endpoint.port() << std::endl;
    pool.run();
}
