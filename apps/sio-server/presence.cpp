#include "presence.hpp"

#include <boost/asio/dispatch.hpp>

#include <iostream>

namespace app {

namespace {
constexpr char room[] = "presence";
}

void presence::on_connection(sio::socket& s) {
    std::cout << "client connected " << s.id() << std::endl;
    boost::asio::dispatch(
        io_.pool().get(0), [this, id = s.id(), ref = s.ref()] { arrive(id, ref); });
    s.on_disconnect([this](sio::socket& s, sio::disconnect_reason why) {
        std::cout << "client disconnected " << s.id() << " (" << sio::to_string(why) << ")"
                  << std::endl;
        boost::asio::dispatch(io_.pool().get(0), [this, id = s.id()] { leave(id); });
    });
}

void presence::arrive(std::string id, sio::socket_ref ref) {
    ids_.insert(id);
    boost::json::array list;
    for (auto const& i : ids_)
        list.emplace_back(i);
    ref.dispatch([list = std::move(list)](sio::socket& s) {
        s.emit("clients", list);
        s.join(room);
    });
    io_.to(room).except(id).emit("user-connected", boost::json::object{{"id", id}});
}

void presence::leave(std::string const& id) {
    if (ids_.erase(id) == 0)
        return;
    io_.to(room).except(id).emit("user-disconnected", boost::json::object{{"id", id}});
}

} // namespace app
