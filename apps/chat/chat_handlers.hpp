#pragma once

#include <sio/server.hpp>

// The seed's chat, one handler per concern, as a C++ user would split the Node server.
namespace chat {

/// "/" middleware: a handshake whose auth.token is "bad" is refused ("unauthorized").
void authenticate(sio::socket& s, sio::next next);
/// "/" connections: welcome, presence, messages, rooms, binary echo.
void on_connection(sio::socket& s);
/// "/admin" connections: stats about "/".
void on_admin_connection(sio::socket& s);

} // namespace chat
