#pragma once

#include <sio/server.hpp>

#include <set>
#include <string>

// Who is connected: every client gets the list on connection, then the comings and goings —
// in that order. One thread (shard 0) owns the list and does every presence emit, and a socket
// joins the "presence" room from there: since posts from one thread keep their order, a client
// never hears of another before it has its own list.
namespace app {

class presence {
public:
    explicit presence(sio::server& io)
        : io_(io) {}
    void on_connection(sio::socket& s);

private:
    void arrive(std::string id, sio::socket_ref ref);
    void leave(std::string const& id);

    sio::server& io_;
    std::set<std::string> ids_; // shard 0 only
};

} // namespace app
