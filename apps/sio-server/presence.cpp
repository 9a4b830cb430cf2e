#include "presence.hpp"

#include <iostream>

namespace app {

void on_presence(sio::server& io, sio::socket& s) {
    std::cout << "client connected " << s.id() << std::endl;
    io.fetch_sockets([ref = s.ref()](std::vector<sio::socket_info> sockets) {
        boost::json::array ids;
        for (auto const& info : sockets)
            ids.emplace_back(info.id);
        ref.emit("clients", ids);
    });
    s.broadcast().emit("user-connected", boost::json::object{{"id", s.id()}});
    s.on_disconnect([](sio::socket& s, sio::disconnect_reason why) {
        std::cout << "client disconnected " << s.id() << " (" << sio::to_string(why) << ")"
                  << std::endl;
        s.broadcast().emit("user-disconnected", boost::json::object{{"id", s.id()}});
    });
}

} // namespace app
