// The demo until the database feed lands: an Engine.IO echo server with a page that talks to it
// through the official engine.io-client browser build.
#include <sio/engine/server.hpp>

#include <boost/asio/signal_set.hpp>

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

} // namespace

int main(int argc, char** argv) {
    unsigned short port = 3000;
    std::string client_js = "node_modules/engine.io-client/dist/engine.io.min.js";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view const arg = argv[i];
        if (arg == "--port")
            port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
        else if (arg == "--client-js")
            client_js = argv[i + 1];
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
    auto const endpoint = engine.listen("127.0.0.1", port);
    boost::asio::signal_set signals{pool.get(0), SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) { engine.close([&] { pool.stop(); }); });
    std::cout << "listening on http://127.0.0.1:" << endpoint.port() << "/" << std::endl;
    pool.run();
}
