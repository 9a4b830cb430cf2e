#pragma once

#include <sio/feed/sqlite.hpp>
#include <sio/server.hpp>

// The seed's message path: enviar-mensaje is stored in `messages`, acked with the row id and
// relayed to every other client; the insert then reaches subscribers as a normal change.
namespace app {

void on_messages(sio::server& io, sio::feed::sqlite& db, sio::socket& s);

} // namespace app
