// socketio_guard_server: user callbacks that throw, and completions that must run on their
// token's executor, for tests/interop/socketio/server_guards.test.mjs and
// server_completions.test.mjs. Public API only. Logs to stderr (the tests read the lines).
// Usage: socketio_guard_server --port P [--threads N] [--own-listener | --own-listener-once]
//   --own-listener-once  the same for one connection, after which the program's io_context
//                   stops: the engine must carry on without it.
//   --own-listener  the program accepts on its own io_context (another thread) and hands each
//                   connection to io.engine().accept(), as a program with its own Beast server.
//
// A "kind" argument picks what a callback throws: "std" (std::runtime_error("boom <tag>")),
// "int" (42) or "custom" (a type that is not a std::exception).
//
// "/": on connection emits thread {on_shard} (whether the connection handler runs on the
// socket's shard thread), then:
//   echo (x, ack)                       ack(x)
//   throw (kind, tag)                   the event handler throws
//   any-throw (kind, tag)               an on_any handler throws for this event
//   outgoing-throw (kind, tag)          emits out-throw (kind, tag); on_any_outgoing throws for it
//   ack-reply-throw (kind, tag)         emit_with_ack("please-ack"); the completion throws on
//                                       the client's answer
//   ack-timeout-throw (kind, tag)       timeout(50 ms).emit_with_ack("no-answer"); the
//                                       completion throws on the timeout
//   ack-disconnect-throw (kind, tag, ack)  emit_with_ack("no-answer"), ack(true); the completion
//                                       throws when the socket disconnects
//   broadcast-ack-throw (kind, tag)     io.timeout(5 s).emit_with_ack("bcast-ack"); the
//                                       completion throws
//   fetch-throw (kind, tag)             io.fetch_sockets; the completion throws
//   ref-throw (kind, tag)               s.ref().dispatch from another shard; the function throws
//   post-throw (kind, tag)              a handler posted to the socket's shard throws
//   disconnect-throw (kind, tag, ack)   on_disconnecting and on_disconnect handlers that throw,
//                                       then one that records the socket in disconnect-log
//   disconnect-log (ack)                ack(ids recorded by disconnect-throw's last handler)
//   use-throw (kind, tag, ack)          a packet middleware that throws for guarded-event; the
//                                       socket's error handlers emit packet-error (message)
// "/conn-throw"     the first connection handler throws auth.kind, the second emits welcome
// "/mw-throw"       the middleware throws auth.kind
// "/dyn-throw-<kind>"  a dynamic namespace whose init throws
// "/pred-throw-<kind>" a dynamic namespace predicate that throws
// "/dyn-of-<n>"     a dynamic namespace whose init calls io.of("/made-by-<n>"); emits welcome
// "/exec": ack-on (mode, ack)          emit_with_ack("question") to the sender with a token of
//                                      `mode`: "io_context" (use_awaitable in a coroutine on
//                                      another io_context), "strand" (use_awaitable on a strand
//                                      of it), "bind_executor" (a callback bound to it),
//                                      "use_future" (waited for on another thread),
//                                      "broadcast" (io.of("/exec").to(<its id>).emit_with_ack,
//                                      use_awaitable on the other io_context); acks
//                                      {ok, error, on_expected, reply}
// HTTP: GET /throw/<kind> throws in on_http_request; any other path answers 200 "ok".
#include <sio/server.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

struct custom_failure {
    int code;
};

[[noreturn]] void throw_kind(std::string_view kind, std::string_view tag) {
    if (kind == "int")
        throw 42;
    if (kind == "custom")
        throw custom_failure{7};
    throw std::runtime_error("boom " + std::string{tag});
}

std::string string_arg(sio::message const& msg, std::size_t i) {
    if (i < msg.size() && msg[i].is_string())
        return std::string{msg[i].get_string()};
    return {};
}

std::string auth_string(sio::socket const& s, std::string_view key) {
    auto const* v = s.handshake().auth.if_contains(key);
    return v && v->is_string() ? std::string{v->get_string()} : std::string{};
}

// Ids recorded by disconnect-throw's last disconnect handler; handlers run on every shard.
std::mutex left_mutex;
boost::json::array left;

// The application's own io_context, run by its own thread: where completions must land.
struct elsewhere {
    net::io_context ctx;
    net::executor_work_guard<net::io_context::executor_type> work{ctx.get_executor()};
    net::strand<net::io_context::executor_type> strand{ctx.get_executor()};
    std::thread thread{[this] { ctx.run(); }};
    ~elsewhere() {
        work.reset();
        ctx.stop();
        thread.join();
    }
};

void add_guard_events(sio::socket& s, sio::server& io) {
    s.on("echo", [](sio::socket&, sio::message const& msg, sio::ack ack) {
        ack(msg.empty() ? boost::json::value{} : msg[0]);
    });
    s.on("throw", [](sio::socket&, sio::message const& msg) {
        throw_kind(string_arg(msg, 0), string_arg(msg, 1));
    });
    s.on_any([](sio::socket&, std::string_view event, sio::message const& msg) {
        if (event == "any-throw")
            throw_kind(string_arg(msg, 0), string_arg(msg, 1));
    });
    s.on_any_outgoing([](sio::socket&, std::string_view event, sio::message const& msg) {
        if (event == "out-throw")
            throw_kind(string_arg(msg, 0), string_arg(msg, 1));
    });
    s.on("outgoing-throw", [](sio::socket& s, sio::message const& msg) {
        s.emit("out-throw", string_arg(msg, 0), string_arg(msg, 1));
    });
    s.on("ack-reply-throw", [](sio::socket& s, sio::message const& msg) {
        s.timeout(5000ms).emit_with_ack(
            "please-ack",
            sio::message{},
            [kind = string_arg(msg, 0), tag = string_arg(msg, 1)](
                boost::system::error_code, sio::message) { throw_kind(kind, tag); });
    });
    s.on("ack-timeout-throw", [](sio::socket& s, sio::message const& msg) {
        s.timeout(50ms).emit_with_ack(
            "no-answer",
            sio::message{},
            [kind = string_arg(msg, 0), tag = string_arg(msg, 1)](
                boost::system::error_code, sio::message) { throw_kind(kind, tag); });
    });
    s.on("ack-disconnect-throw", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        s.emit_with_ack(
            "no-answer",
            sio::message{},
            [kind = string_arg(msg, 0), tag = string_arg(msg, 1)](
                boost::system::error_code, sio::message) { throw_kind(kind, tag); });
        ack(true);
    });
    s.on("broadcast-ack-throw", [&io](sio::socket&, sio::message const& msg) {
        io.timeout(5000ms).emit_with_ack(
            "bcast-ack",
            sio::message{},
            [kind = string_arg(msg, 0), tag = string_arg(msg, 1)](
                boost::system::error_code, std::vector<sio::message>) { throw_kind(kind, tag); });
    });
    s.on("fetch-throw", [&io](sio::socket&, sio::message const& msg) {
        io.fetch_sockets([kind = string_arg(msg, 0), tag = string_arg(msg, 1)](
                             std::vector<sio::socket_info>) { throw_kind(kind, tag); });
    });
    s.on("ref-throw", [&io](sio::socket& s, sio::message const& msg) {
        auto& pool = io.pool();
        net::post(
            pool.get((s.shard() + 1) % pool.size()),
            [ref = s.ref(), kind = string_arg(msg, 0), tag = string_arg(msg, 1)] {
                ref.dispatch([kind, tag](sio::socket&) { throw_kind(kind, tag); });
            });
    });
    s.on("post-throw", [&io](sio::socket& s, sio::message const& msg) {
        net::post(io.pool().get(s.shard()), [kind = string_arg(msg, 0), tag = string_arg(msg, 1)] {
            throw_kind(kind, tag);
        });
    });
    s.on("disconnect-throw", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        auto const kind = string_arg(msg, 0);
        auto const tag = string_arg(msg, 1);
        s.on_disconnecting(
            [kind, tag](sio::socket&, sio::disconnect_reason) { throw_kind(kind, tag); });
        s.on_disconnect(
            [kind, tag](sio::socket&, sio::disconnect_reason) { throw_kind(kind, tag); });
        s.on_disconnect([](sio::socket& s, sio::disconnect_reason) {
            std::lock_guard lock{left_mutex};
            left.emplace_back(s.id());
        });
        ack(true);
    });
    s.on("disconnect-log", [](sio::socket&, sio::message const&, sio::ack ack) {
        std::lock_guard lock{left_mutex};
        ack(left);
    });
    s.on("use-throw", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        s.use([kind = string_arg(msg, 0), tag = string_arg(msg, 1)](
                  sio::socket&, sio::message& packet, sio::packet_next next) {
            if (string_arg(packet, 0) == "guarded-event")
                throw_kind(kind, tag);
            next(std::nullopt);
        });
        s.on_error([](sio::socket& s, std::string const& error) { s.emit("packet-error", error); });
        ack(true);
    });
}

// Where a completion ran, for the client: ok (no error), on_expected, reply (the answer's args).
boost::json::object outcome(boost::system::error_code ec, bool on_expected, sio::message reply) {
    return {
        {"ok", !ec},
        {"error", ec ? ec.message() : ""},
        {"on_expected", on_expected},
        {"reply", std::move(reply.args())}};
}

// Coroutines take their state as parameters: a lambda's captures would die with the lambda.
net::awaitable<void>
ask_from_coroutine(std::shared_ptr<sio::socket> s, sio::ack ack, elsewhere& other, bool on_strand) {
    auto [ec, reply] = co_await s->timeout(5000ms).emit_with_ack(
        "question", sio::message{}, net::as_tuple(net::use_awaitable));
    bool const here = on_strand ? other.strand.running_in_this_thread()
                                : other.ctx.get_executor().running_in_this_thread();
    ack(outcome(ec, here, std::move(reply)));
}

net::awaitable<void>
broadcast_from_coroutine(sio::nsp& n, std::string room, sio::ack ack, elsewhere& other) {
    auto [ec, replies] =
        co_await n.to(std::move(room))
            .timeout(5000ms)
            .emit_with_ack("question", sio::message{}, net::as_tuple(net::use_awaitable));
    bool const here = other.ctx.get_executor().running_in_this_thread();
    sio::message first = replies.empty() ? sio::message{} : std::move(replies[0]);
    ack(outcome(ec, here, std::move(first)));
}

void add_exec_events(sio::socket& s, elsewhere& other) {
    s.on("ack-on", [&other](sio::socket& s, sio::message const& msg, sio::ack ack) {
        auto const mode = string_arg(msg, 0);
        if (mode == "io_context") {
            // The socket is held by the coroutine, which starts the emit from elsewhere.
            net::co_spawn(
                other.ctx,
                ask_from_coroutine(s.shared_from_this(), ack, other, false),
                net::detached);
        } else if (mode == "strand") {
            net::co_spawn(
                other.strand,
                ask_from_coroutine(s.shared_from_this(), ack, other, true),
                net::detached);
        } else if (mode == "bind_executor") {
            s.timeout(5000ms).emit_with_ack(
                "question",
                sio::message{},
                net::bind_executor(
                    other.ctx, [ack, &other](boost::system::error_code ec, sio::message reply) {
                        bool const here = other.ctx.get_executor().running_in_this_thread();
                        ack(outcome(ec, here, std::move(reply)));
                    }));
        } else if (mode == "use_future") {
            auto answer =
                s.timeout(5000ms).emit_with_ack("question", sio::message{}, net::use_future);
            // Waited for off the shard: the shard must go on to receive the client's answer.
            net::post(other.ctx, [ack, answer = std::move(answer)]() mutable {
                try {
                    ack(outcome({}, true, answer.get()));
                } catch (boost::system::system_error const& e) {
                    ack(outcome(e.code(), false, {}));
                }
            });
        } else if (mode == "broadcast") {
            net::co_spawn(
                other.ctx, broadcast_from_coroutine(s.nsp(), s.id(), ack, other), net::detached);
        }
    });
}

// --own-listener: accepts on the application's io_context and reads each connection's first
// request there, then hands it over, as a program running its own Beast server would.
void accept_loop(net::ip::tcp::acceptor& acceptor, sio::server& io, bool once) {
    acceptor.async_accept([&, once](boost::system::error_code ec, net::ip::tcp::socket socket) {
        if (ec)
            return;
        struct reading {
            net::ip::tcp::socket socket;
            boost::beast::flat_buffer buffer;
            sio::engine::http_request request;
        };
        auto r = std::make_shared<reading>(reading{std::move(socket), {}, {}});
        boost::beast::http::async_read(
            r->socket,
            r->buffer,
            r->request,
            [r, &io, &acceptor, once](boost::system::error_code ec, std::size_t) {
                if (!ec)
                    io.engine().accept(
                        std::move(r->socket), std::move(r->buffer), std::move(r->request));
                if (once) // the connection must not need this io_context any more
                    static_cast<net::io_context&>(
                        net::query(acceptor.get_executor(), net::execution::context))
                        .stop();
            });
        if (!once)
            accept_loop(acceptor, io, once);
    });
}

} // namespace

int main(int argc, char** argv) {
    unsigned short port = 3000;
    std::size_t threads = 2;
    bool own_listener = false;
    bool own_once = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view const arg = argv[i];
        if (arg == "--port" && i + 1 < argc)
            port = static_cast<unsigned short>(std::stoi(argv[++i]));
        else if (arg == "--threads" && i + 1 < argc)
            threads = std::stoul(argv[++i]);
        else if (arg == "--own-listener")
            own_listener = true;
        else if (arg == "--own-listener-once")
            own_listener = own_once = true;
        else {
            std::cerr << "unknown option " << arg << '\n';
            return 2;
        }
    }
    sio::set_log_sink(sio::stderr_log_sink(), sio::log_level::warn);

    sio::io_pool pool{threads};
    sio::server io{pool};
    elsewhere other;

    io.on_connection([&io](sio::socket& s) {
        s.emit(
            "thread", boost::json::object{{"on_shard", s.get_executor().running_in_this_thread()}});
        add_guard_events(s, io);
    });
    io.of("/conn-throw")
        .on_connection(
            [](sio::socket& s) { throw_kind(auth_string(s, "kind"), auth_string(s, "tag")); })
        .on_connection([&io](sio::socket& s) {
            s.emit("welcome", s.nsp().name());
            add_guard_events(s, io);
        });
    io.of("/mw-throw")
        .use([](sio::socket& s, sio::next) {
            throw_kind(auth_string(s, "kind"), auth_string(s, "tag"));
        })
        .on_connection([](sio::socket& s) { s.emit("welcome", s.nsp().name()); });
    io.of("/exec").on_connection([&other](sio::socket& s) { add_exec_events(s, other); });
    io.of(
        [](std::string_view name, boost::json::object const&) {
            return name.starts_with("/dyn-throw-");
        },
        [](sio::nsp& n) {
            throw_kind(n.name().substr(std::string_view{"/dyn-throw-"}.size()), "init");
        });
    io.of(
        [](std::string_view name, boost::json::object const&) -> bool {
            if (name.starts_with("/pred-throw-"))
                throw_kind(name.substr(std::string_view{"/pred-throw-"}.size()), "predicate");
            return false;
        },
        [](sio::nsp&) {});
    io.of(
        [](std::string_view name, boost::json::object const&) {
            return name.starts_with("/dyn-of-");
        },
        [&io](sio::nsp& n) {
            // Before: init ran under the server's namespace lock, which io.of takes again.
            io.of("/made-by-" + n.name().substr(std::string_view{"/dyn-of-"}.size()));
            n.on_connection([](sio::socket& s) { s.emit("welcome", s.nsp().name()); });
        });
    io.on_http_request([](sio::engine::http_request const& req, sio::engine::http_response& res) {
        std::string_view const target = req.target();
        if (target.starts_with("/throw/"))
            throw_kind(target.substr(7), "http");
        res.result(boost::beast::http::status::ok);
        res.set(boost::beast::http::field::content_type, "text/plain");
        res.body() = "ok";
    });

    net::ip::tcp::acceptor own{other.ctx};
    net::ip::tcp::endpoint endpoint;
    if (own_listener) {
        own.open(net::ip::tcp::v4());
        own.set_option(net::socket_base::reuse_address(true));
        own.bind({net::ip::make_address("127.0.0.1"), port});
        own.listen();
        endpoint = own.local_endpoint();
        net::post(other.ctx, [&] { accept_loop(own, io, own_once); });
    } else {
        endpoint = io.listen("127.0.0.1", port);
    }
    net::signal_set signals{pool.get(0), SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) {
        net::post(other.ctx, [&] {
            boost::system::error_code ignored;
            own.close(ignored);
        });
        io.close([&] { pool.stop(); });
    });
    std::cout << "listening on 127.0.0.1:" << endpoint.port() << std::endl;
    pool.run();
}
