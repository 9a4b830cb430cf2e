#pragma once

// Everything a Socket.IO server application needs.
#include <sio/core/log.hpp>
#include <sio/engine/io_pool.hpp>
#include <sio/parser/message.hpp>
#include <sio/server/ack.hpp>
#include <sio/server/adapter.hpp>
#include <sio/server/broadcast.hpp>
#include <sio/server/disconnect_reason.hpp>
#include <sio/server/error.hpp>
#include <sio/server/memory_adapter.hpp>
#include <sio/server/nsp.hpp>
#include <sio/server/server.hpp>
#include <sio/server/socket.hpp>
