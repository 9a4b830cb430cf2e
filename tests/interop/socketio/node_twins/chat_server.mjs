// The chat_server contract (/work/shared/contracts/chat_server.md) written with npm socket.io 4.8,
// to check the tests against the reference:
//   SIO_CHAT_SERVER="node tests/interop/socketio/node_twins/chat_server.mjs" node --test ...
import { createServer } from "node:http";
import process from "node:process";

import { Server } from "socket.io";

const portArg = process.argv.indexOf("--port");
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 3000;

const httpServer = createServer();
const io = new Server(httpServer, { cors: { origin: "*" } });
let lastMessageId = 0;

io.use((socket, next) => {
    if (socket.handshake.auth?.token === "bad") return next(new Error("unauthorized"));
    next();
});

io.on("connection", (socket) => {
    socket.emit("welcome", { id: socket.id });
    socket.broadcast.emit("user-connected", { id: socket.id });
    socket.on("disconnect", () => socket.broadcast.emit("user-disconnected", { id: socket.id }));
    socket.on("enviar-mensaje", (payload, ack) => {
        const id = ++lastMessageId;
        socket.broadcast.emit("enviar-mensaje", payload);
        if (typeof ack === "function") ack(id);
    });
    socket.on("join", (room, ack) => {
        socket.join(room);
        if (typeof ack === "function") ack(true);
    });
    socket.on("leave", (room, ack) => {
        socket.leave(room);
        if (typeof ack === "function") ack(true);
    });
    socket.on("to-room", (body, ack) => {
        socket.to(body.room).emit("room-message", body.payload);
        if (typeof ack === "function") ack(true);
    });
    socket.on("binary-echo", (data, ack) => {
        if (typeof ack === "function") ack(data);
    });
});

io.of("/admin").on("connection", (socket) => {
    socket.on("get-stats", (ack) => {
        const stats = { clients: io.of("/").sockets.size };
        socket.emit("stats", stats);
        if (typeof ack === "function") ack(stats);
    });
});

httpServer.listen(port, "127.0.0.1", () => {
    console.log(`listening on 127.0.0.1:${httpServer.address().port}`);
});
const stop = () => io.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
