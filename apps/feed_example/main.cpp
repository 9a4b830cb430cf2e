// Embedding the database feed in one's own server: watch a table, react to every change, and let
// clients subscribe — but only to what they may see.
//   feed_example --db shop.db --port 3000      (the table `orders` must exist)
#include <sio/feed/live.hpp>
#include <sio/feed/sqlite.hpp>
#include <sio/server.hpp>

#include <boost/asio/signal_set.hpp>

#include <iostream>
#include <string>
#include <string_view>

int main(int argc, char** argv) {
    std::string db_path = "shop.db";
    unsigned short port = 3000;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view const arg = argv[i];
        if (arg == "--db")
            db_path = argv[i + 1];
        else if (arg == "--port")
            port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
    }

    sio::io_pool pool;
    sio::server io{pool};
    sio::feed::sqlite db{db_path, {.tables = {"orders"}}};

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
    auto const endpoint = io.listen("127.0.0.1", port);
    boost::asio::signal_set signals{pool.get(0), SIGINT, SIGTERM};
    signals.async_wait([&](boost::system::error_code, int) { io.close([&] { pool.stop(); }); });
    std::cout << "listening on 127.0.0.1:" << endpoint.port() << std::endl;
    pool.run();
    db.stop();
}
