#include "chat_handlers.hpp"

#include <atomic>
#include <cstdint>
#include <iostream>

namespace chat {
namespace {

// Unique across the server and increasing in the order messages are handled.
std::atomic<std::int64_t> last_message_id{0};

boost::json::object who(sio::socket const& s) {
    return {{"id", s.id()}};
}

} // namespace

void authenticate(sio::socket& s, sio::next next) {
    auto const& auth = s.handshake().auth;
    if (auto const* token = auth.if_contains("token");
        token && token->is_string() && token->get_string() == "bad")
        return next(sio::connect_error{"unauthorized", {}});
    next();
}

void on_connection(sio::socket& s) {
    std::cout << "client connected " << s.id() << std::endl;
    s.emit("welcome", who(s));
    s.broadcast().emit("user-connected", who(s));

    s.on_disconnect([](sio::socket& s, sio::disconnect_reason why) {
        std::cout << "client disconnected " << s.id() << " (" << sio::to_string(why) << ")"
                  << std::endl;
        s.broadcast().emit("user-disconnected", who(s));
    });

    s.on("enviar-mensaje", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        auto const id = ++last_message_id;
        // Node relays an absent payload as null (undefined inside an array).
        s.broadcast().emit("enviar-mensaje", msg.empty() ? sio::args(nullptr) : msg.slice(0, 1));
        ack(id);
    });

    s.on("join", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        if (!msg.empty() && msg[0].is_string())
            s.join(std::string{msg[0].get_string()});
        ack(true);
    });

    s.on("leave", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        if (!msg.empty() && msg[0].is_string())
            s.leave(std::string{msg[0].get_string()});
        ack(true);
    });

    s.on("to-room", [](sio::socket& s, sio::message const& msg, sio::ack ack) {
        auto const* body = msg.empty() ? nullptr : msg[0].if_object();
        auto const* room = body ? body->if_contains("room") : nullptr;
        if (room && room->is_string()) {
            // The payload keeps the binary it carries: same attachments, compacted by slice().
            auto const* p = body->if_contains("payload");
            sio::message payload{boost::json::array{p ? *p : boost::json::value{}}};
            payload.attachments = msg.attachments;
            s.to(std::string{room->get_string()}).emit("room-message", payload.slice(0));
        }
        ack(true);
    });

    s.on("binary-echo", [](sio::socket&, sio::message const& msg, sio::ack ack) {
        ack(msg.slice(0, 1));
    });
}

void on_admin_connection(sio::socket& s) {
    s.on("get-stats", [](sio::socket& s, sio::message const&, sio::ack ack) {
        boost::json::object stats{{"clients", s.nsp().server().of("/").socket_count()}};
        s.emit("stats", stats);
        ack(stats);
    });
}

} // namespace chat
