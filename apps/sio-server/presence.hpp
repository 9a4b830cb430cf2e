#pragma once

#include <sio/server.hpp>

// Who is connected: every client gets the list on connection, then the comings and goings.
namespace app {

void on_presence(sio::server& io, sio::socket& s);

} // namespace app
