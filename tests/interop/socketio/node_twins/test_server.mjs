// tests/support/socketio_test_server.cpp written with npm socket.io 4.8, to check the tests
// against the reference:
//   SIO_TEST_SERVER="node tests/interop/socketio/node_twins/test_server.mjs" node --test ...
import { createServer } from "node:http";
import process from "node:process";

import { Server } from "socket.io";

const portArg = process.argv.indexOf("--port");
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 3000;

const httpServer = createServer();
const io = new Server(httpServer);
const left = [];

function addCommon(socket) {
    const nsp = socket.nsp.name;
    socket.on("disconnect", (reason) => left.push({ id: socket.id, nsp, reason }));
    socket.on("request-ack", (name, ...rest) => {
        const ack = rest.pop();
        socket.timeout(2000).emit(name, ...rest, (err, ...reply) => {
            if (err) ack({ ok: false, error: err.message });
            else ack({ ok: true, reply });
        });
    });
    socket.on("broadcast-with-ack", (...args) => {
        const ack = args.pop();
        const timeoutMs = Number.isInteger(args[0]?.timeout_ms) ? args[0].timeout_ms : 1000;
        io.timeout(timeoutMs).emit("ping-all", (err, responses) => {
            ack({ count: responses.length, timeout: Boolean(err), responses: responses.map((r) => [r]) });
        });
    });
    socket.on("disconnect-me", (close) => socket.disconnect(close === true));
    socket.on("join", (room, ack) => {
        socket.join(room);
        ack(true);
    });
    socket.on("leave", (room, ack) => {
        socket.leave(room);
        ack(true);
    });
    socket.on("rooms", (ack) => ack([...socket.rooms]));
    socket.on("fetch", async (...args) => {
        const ack = args.pop();
        const target = typeof args[0] === "string" ? io.in(args[0]) : io;
        const sockets = await target.fetchSockets();
        ack(sockets.map((s) => s.id));
    });
    socket.on("disconnect-log", (ack) => ack(left));
}

io.on("connection", addCommon);

const priv = io.of("/private");
priv.use((socket, next) => {
    if (socket.handshake.auth?.token === "ok") return next();
    const err = new Error("not allowed");
    err.data = { reason: "no token" };
    next(err);
});
priv.on("connection", (socket) => {
    socket.emit("welcome-private", { id: socket.id });
    addCommon(socket);
});

io.of((name, auth, next) => next(null, name.startsWith("/dyn-"))).on("connection", (socket) => {
    socket.emit("welcome-dyn", socket.nsp.name);
    addCommon(socket);
});

httpServer.listen(port, "127.0.0.1", () => {
    console.log(`listening on 127.0.0.1:${httpServer.address().port}`);
});
const stop = () => io.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
