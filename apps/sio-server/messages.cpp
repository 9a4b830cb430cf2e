#include "messages.hpp"

namespace app {

void on_messages(sio::server& io, database& db, sio::socket& s) {
    s.on("enviar-mensaje", [&io, &db](sio::socket& s, sio::message const& msg, sio::ack ack) {
        auto const* payload = msg.empty() ? nullptr : msg[0].if_object();
        auto const* author = payload ? payload->if_contains("author") : nullptr;
        auto const* body = payload ? payload->if_contains("body") : nullptr;
        if (!author || !body || !author->is_string() || !body->is_string()) {
            ack(boost::json::object{
                {"error", "enviar-mensaje expects {author: string, body: string}"}});
            return;
        }
        // The database blocks: the insert runs on the feed's thread, never on a server shard.
        db.source().post(
            [&io, &db, ack, sender = s.id(), relay = msg.slice(0, 1), a = *author, b = *body] {
                auto id =
                    db.insert_message(std::string{a.get_string()}, std::string{b.get_string()});
                if (!id) {
                    ack(boost::json::object{{"error", "could not store the message"}});
                    return;
                }
                ack(*id);
                io.except(sender).emit("enviar-mensaje", relay);
            });
    });
}

} // namespace app
