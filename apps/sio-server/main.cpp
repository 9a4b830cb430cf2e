// sio-server: a database's committed changes as live Socket.IO events, with a web page.
// Contract: shared/contracts/sio-server.md.
#include <sio/feed/live.hpp>
#include <sio/server.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/json/serialize.hpp>

#include <cli/args.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "database.hpp"
#include "messages.hpp"
#include "presence.hpp"

extern char const sio_server_page[];

namespace {

namespace http = boost::beast::http;

struct settings {
    std::string db = "app.db";
    std::string host = "127.0.0.1";
    unsigned short port = 3000;
    std::vector<std::string> tables;
    std::size_t retain = 10000;
    std::size_t threads = 0;
    std::string client_js;
};

constexpr std::string_view usage =
    "usage: sio-server [--db PATH | --db postgresql://...] [--host 127.0.0.1] [--port 3000]\n"
    R"(                  [--tables t1,t2] [--retain N] [--threads N] [--client-js PATH]
Pushes every committed change of the watched tables to Socket.IO clients and serves a live page.
Prints "listening on http://HOST:PORT" once ready; stops on SIGINT or SIGTERM.
  --db PATH|URL      SQLite file (default app.db, created if missing),
                     or postgresql://user@host:port/db
  --host ADDR        address to bind (default 127.0.0.1)
  --port P           TCP port (default 3000; 0 picks a free one)
  --tables t1,t2     more existing tables to watch besides messages
  --retain N         changes kept for catch-up (default 10000)
  --threads N        I/O threads (default 0: one per core)
  --client-js PATH   socket.io-client browser bundle (default: from node_modules)
  --help             this text
Not built yet (refused): --db mysql://..., --db mariadb://..., --admin.
)";

settings parse(int argc, char** argv) {
    settings s;
    cli::args args{argc, argv, "sio-server", usage};
    while (args.next()) {
        if (args.is("--db")) {
            s.db = args.value();
            // Refused rather than opened as a SQLite file of that name.
            if (s.db.rfind("mysql://", 0) == 0 || s.db.rfind("mariadb://", 0) == 0)
                args.fail("--db " + s.db.substr(0, s.db.find(':')) + "://... is not supported yet");
        } else if (args.is("--host")) {
            s.host = args.value();
        } else if (args.is("--port")) {
            s.port = args.port();
        } else if (args.is("--tables")) {
            std::stringstream list{std::string{args.value()}};
            for (std::string t; std::getline(list, t, ',');)
                if (!t.empty() && t != "messages")
                    s.tables.push_back(t);
        } else if (args.is("--retain")) {
            s.retain = args.integer<std::size_t>();
        } else if (args.is("--threads")) {
            s.threads = args.integer<std::size_t>(0, 1024);
        } else if (args.is("--client-js")) {
            s.client_js = args.value();
        } else if (args.is("--admin") || args.is("--admin-user") || args.is("--admin-password")) {
            args.fail(std::string{args.current()} + " is not supported yet (no Admin UI)");
        } else {
            args.unknown();
        }
    }
    return s;
}

// The browser client, from the socket.io-client package set-up installs.
std::string read_client_js(settings const& s, char const* argv0) {
    namespace fs = std::filesystem;
    std::vector<fs::path> candidates;
    if (!s.client_js.empty())
        candidates.emplace_back(s.client_js);
    auto const rel = fs::path{"node_modules/socket.io-client/dist/socket.io.js"};
    candidates.push_back(fs::current_path() / rel);
    candidates.push_back(fs::path{SIO_SOURCE_DIR} / rel);
    candidates.push_back(fs::absolute(argv0).parent_path() / rel);
    for (auto const& p : candidates) {
        std::ifstream in{p, std::ios::binary};
        if (in) {
            std::ostringstream out;
            out << in.rdbuf();
            return out.str();
        }
    }
    std::cerr << "sio-server: warning: socket.io-client bundle not found (npm ci); the page will "
                 "not load\n";
    return {};
}

} // namespace

int main(int argc, char** argv) {
    auto const cfg = parse(argc, argv);
    sio::set_log_sink(sio::stderr_log_sink(), sio::log_level::warn); // diagnostics to stderr
    std::unique_ptr<app::database> db;
    try {
        db = app::open_database(cfg.db, cfg.tables, cfg.retain);
    } catch (std::exception const& ex) {
        std::cerr << "sio-server: " << ex.what() << std::endl;
        return 2;
    }

    sio::io_pool pool{cfg.threads};
    sio::server_options options;
    options.engine.cors = sio::engine::cors_options{};
    sio::server io{pool, options};
    io.serve_client(sio::shared_bytes{read_client_js(cfg, argv[0])});

    sio::feed::live live{io, db->source()};
    app::presence presence{io};
    io.on_connection([&](sio::socket& s) {
        presence.on_connection(s);
        app::on_messages(io, *db, s);
    });

    // Table descriptions for the page, built once.
    boost::json::array tables;
    for (auto const& name : db->source().tables()) {
        auto const* t = db->source().table(name);
        boost::json::array columns, key;
        for (auto const& c : t->columns)
            columns.emplace_back(c.name);
        for (auto const& k : t->key)
            key.emplace_back(k);
        tables.push_back(boost::json::object{
            {"name", name},
            {"columns", columns},
            {"key", key},
            {"has_rowid", t->has_rowid_column}});
    }
    io.on_http_request([&](sio::engine::http_request const& req, sio::engine::http_response& res) {
        std::string_view target = req.target();
        target = target.substr(0, target.find('?'));
        if (target == "/" || target == "/index.html") {
            res.result(http::status::ok);
            res.set(http::field::content_type, "text/html; charset=utf-8");
            res.body() = sio_server_page;
        } else if (target == "/healthz") {
            res.result(http::status::ok);
            res.set(http::field::content_type, "application/json");
            res.body() = boost::json::serialize(boost::json::object{
                {"ok", true}, {"clients", io.sockets().socket_count()}, {"tables", tables}});
        }
    });

    db->start();
    boost::asio::ip::tcp::endpoint endpoint;
    try {
        endpoint = io.listen(cfg.host, cfg.port);
    } catch (std::exception const& ex) {
        std::cerr << "sio-server: cannot listen on " << cfg.host << ":" << cfg.port << ": "
                  << ex.what() << std::endl;
        return 1;
    }
    boost::asio::signal_set signals{pool.get(0), SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) { io.close([&] { pool.stop(); }); });
    std::cout << "listening on http://" << cfg.host << ":" << endpoint.port() << std::endl;
    pool.run();
    db->stop();
    return 0;
}
