#pragma once

#include <sio/server.hpp>

#include "database.hpp"

// The seed's message path: enviar-mensaje is stored in `messages`, acked with the row id and
// relayed to every other client; the insert then reaches subscribers as a normal change.
namespace app {

void on_messages(sio::server& io, database& db, sio::socket& s);

} // namespace app
