// The demo until the database feed lands: an Engine.IO echo server with a page that talks to it
// through the official engine.io-client browser build.
#include <sio/engine/server.hpp>

#include <boost/asio/signal_set.hpp>

#include <cli/args.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

namespace {

namespace http = boost::beast::http;

class echo_handler final : public sio::engine::handler {
public:
    void on_open(sio::engine::session& s) override {
        std::cout << "session " << s.sid() << " opened over " << to_string(s.transport())
                  << std::endl;
    }
    void on_message(sio::engine::session& s, std::string_view data, bool binary) override {
        s.send(sio::shared_bytes{std::string{data}}, binary);
    }
    void on_close(sio::engine::session& s, sio::engine::close_reason why) override {
        std::cout << "session " << s.sid() << " closed: " << to_string(why) << std::endl;
    }
};

std::string read_file(std::string const& path) {
    std::ifstream in{path, std::ios::binary};
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

constexpr std::string_view page = R"(<!doctype html>
<html><head><meta charset="utf-8"><title>sio engine echo</title></head>
<body>
<h1>sio — Engine.IO echo</h1>
<p>Status: <b id="status">connecting…</b> (transport: <span id="transport">-</span>)</p>
<form id="form"><input id="text" autocomplete="off" placeholder="say something"><button>send</button></form>
<ul id="log"></ul>
<script src="/engine.io.js"></script>
<script>
  const socket = new eio.Socket(location.origin);
  const log = (t) => { const li = document.createElement("li"); li.textContent = t; document.getElementById("log").prepend(li); };
  socket.on("open", () => { document.getElementById("status").textContent = "connected"; document.getElementById("transport").textContent = socket.transport.name; });
  socket.on("upgrade", () => { document.getElementById("transport").textContent = socket.transport.name; });
  socket.on("message", (m) => log("echo: " + m));
  socket.on("close", (why) => { document.getElementById("status").textContent = "closed: " + why; });
  document.getElementById("form").onsubmit = (e) => { e.preventDefault(); const t = document.getElementById("text"); socket.send(t.value); t.value = ""; };
</script>
</body></html>
)";

constexpr std::string_view usage = R"(usage: engine_echo [--port P] [--client-js PATH]
An Engine.IO echo server with a page at http://127.0.0.1:P/ that talks to it.
Prints "listening on http://127.0.0.1:<port>/" once ready.
  --port P           TCP port (default 3000; 0 picks a free one)
  --client-js PATH   engine.io-client browser build for the page
                     (default node_modules/engine.io-client/dist/engine.io.min.js)
  --help             this text
)";

} // namespace

int main(int argc, char** argv) {
    unsigned short port = 3000;
    std::string client_js = "node_modules/engine.io-client/dist/engine.io.min.js";
    cli::args args{argc, argv, "engine_echo", usage};
    while (args.next()) {
        if (args.is("--port"))
            port = args.port();
        else if (args.is("--client-js"))
            client_js = args.value();
        else
            args.unknown();
    }
    std::string const bundle = read_file(client_js);

    sio::io_pool pool;
    echo_handler handler;
    sio::engine::server engine{pool, handler, {}};
    engine.on_http_request(
        [&](sio::engine::http_request const& req, sio::engine::http_response& res) {
            std::string_view const target = req.target();
            if (target == "/" || target == "/index.html") {
                res.result(http::status::ok);
                res.set(http::field::content_type, "text/html; charset=utf-8");
                res.body() = page;
            } else if (target == "/engine.io.js" && !bundle.empty()) {
                res.result(http::status::ok);
                res.set(http::field::content_type, "application/javascript");
                res.body() = bundle;
            }
        });
    boost::asio::ip::tcp::endpoint endpoint;
    try {
        endpoint = engine.listen("127.0.0.1", port);
    } catch (std::exception const& ex) {
        std::cerr << "engine_echo: cannot listen on 127.0.0.1:" << port << ": " << ex.what()
                  << std::endl;
        return 1;
    }
    boost::asio::signal_set signals{pool.get(0), SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) { engine.close([&] { pool.stop(); }); });
    std::cout << "listening on http://127.0.0.1:" << endpoint.port() << "/" << std::endl;
    pool.run();
}
