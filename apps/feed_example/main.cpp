// Embedding the database feed in one's own server: watch a table, react to every change, and let
// clients subscribe — but only to what they may see.
//   feed_example --db shop.db --port 3000      (the table `orders` must exist)
#include <sio/feed/live.hpp>
#include <sio/feed/sqlite.hpp>
#include <sio/server.hpp>

#include <boost/asio/signal_set.hpp>

#include <cli/args.hpp>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

namespace {

constexpr std::string_view usage = R"(usage: feed_example [--db PATH] [--port P]
Watches the table "orders" of a SQLite database and serves its changes over Socket.IO on
127.0.0.1:P. Prints "listening on 127.0.0.1:<port>" once ready.
  --db PATH   SQLite database whose table "orders" exists (default shop.db)
  --port P    TCP port (default 3000; 0 picks a free one)
  --help      this text
)";

} // namespace

int main(int argc, char** argv) {
    std::string db_path = "shop.db";
    unsigned short port = 3000;
    cli::args args{argc, argv, "feed_example", usage};
    while (args.next()) {
        if (args.is("--db"))
            db_path = args.value();
        else if (args.is("--port"))
            port = args.port();
        else
            args.unknown();
    }

    // Opened first: a database without `orders` is a bad --db, reported before anything listens.
    std::unique_ptr<sio::feed::sqlite> opened;
    try {
        opened = std::make_unique<sio::feed::sqlite>(
            db_path, sio::feed::sqlite_options{.tables = {"orders"}});
    } catch (std::exception const& ex) {
        args.fail("cannot watch orders in --db " + db_path + ": " + ex.what());
    }
    sio::feed::sqlite& db = *opened;

    sio::io_pool pool;
    sio::server io{pool};

    // Every change, in commit order, on the feed's thread: tell the staff room.
    db.on_change([&](sio::feed::change const& c) {
        std::cout << to_string(c.op) << " on " << c.table << " #" << c.id << std::endl;
        io.to("staff").emit(
            "order-activity", boost::json::object{{"op", to_string(c.op)}, {"id", c.id}});
    });

    // The subscribe/change protocol, with an authorization hook: a customer may only watch its own
    // orders; staff (auth.role == "staff") may watch everything.
    sio::feed::live live{
        io,
        db,
        {.authorize = [](sio::socket& s, std::string_view table, sio::feed::filter const& where) {
            auto const& auth = s.handshake().auth;
            if (auto const* role = auth.if_contains("role"); role && *role == "staff")
                return true;
            auto const* customer = auth.if_contains("customer");
            auto const* wanted = where.if_contains("customer");
            return table == "orders" && customer && wanted && *customer == *wanted;
        }}};
    io.on_connection([](sio::socket& s) {
        if (auto const* role = s.handshake().auth.if_contains("role"); role && *role == "staff")
            s.join("staff");
    });

    db.start();
    boost::asio::ip::tcp::endpoint endpoint;
    try {
        endpoint = io.listen("127.0.0.1", port);
    } catch (std::exception const& ex) {
        std::cerr << "feed_example: cannot listen on 127.0.0.1:" << port << ": " << ex.what()
                  << std::endl;
        return 1;
    }
    boost::asio::signal_set signals{pool.get(0), SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) { io.close([&] { pool.stop(); }); });
    std::cout << "listening on 127.0.0.1:" << endpoint.port() << std::endl;
    pool.run();
    db.stop();
}
