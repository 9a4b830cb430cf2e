// tests/support/socketio_parity_server.cpp written with npm socket.io 4.8, to check the parity
// tests against the reference:
//   SIO_PARITY_SERVER="node tests/interop/socketio/node_twins/parity_server.mjs" node --test ...
import { createServer } from "node:http";
import process from "node:process";

import { Server } from "socket.io";

function flag(name, fallback) {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const port = flag("--port", 3000);
const httpServer = createServer();
const io = new Server(httpServer, {
    connectTimeout: flag("--connect-timeout-ms", 45000),
    ...(process.argv.includes("--recovery") ? { connectionStateRecovery: {} } : {}),
});

io.on("connection", (socket) => {
    socket.on("echo", (...args) => {
        const ack = args.pop();
        ack(...args);
    });
    socket.on("remote", async ({ op, id, room, close }, ack) => {
        const r = (await io.fetchSockets()).find((s) => s.id === id);
        if (!r) return ack(null);
        if (op === "info") return ack({ id: r.id, rooms: [...r.rooms], handshake: r.handshake });
        if (op === "emit") r.emit("remote-hello", 1);
        else if (op === "join") r.join(room);
        else if (op === "leave") r.leave(room);
        else if (op === "disconnect") r.disconnect(close === true);
        ack(true);
    });
    socket.on("burst", ({ count, all }, ack) => {
        for (let i = 0; i < count; i++) {
            if (all) io.volatile.emit("v", i);
            else socket.volatile.emit("v", i);
        }
        ack(true);
    });
});

function logOutgoing(socket, by) {
    return (event, ...args) => socket.data.log.push({ by, event, args });
}

io.of("/listeners").on("connection", (socket) => {
    socket.data.log = [];
    const a = () => socket.emit("got", "a");
    socket.on("tick", a);
    socket.on("tick", () => socket.emit("got", "b"));
    socket.once("tick", () => socket.emit("got", "c"));
    const any = (name) => (event) => socket.emit("any", name, event);
    const x = any("x");
    socket.onAny(x);
    socket.onAny(any("y"));
    socket.prependAny(any("p"));
    const o1 = logOutgoing(socket, "o1");
    socket.onAnyOutgoing(o1);
    socket.prependAnyOutgoing(logOutgoing(socket, "o0"));

    socket.on("off-tick", (which, ack) => {
        if (which === "a") socket.off("tick", a);
        else if (which === "all") socket.removeAllListeners("tick");
        ack(true);
    });
    socket.on("off-any", (which, ack) => {
        if (which === "x") socket.offAny(x);
        else if (which === "all") socket.offAny();
        ack(true);
    });
    socket.on("off-outgoing", (which, ack) => {
        if (which === "o1") socket.offAnyOutgoing(o1);
        else if (which === "all") socket.offAnyOutgoing();
        ack(true);
    });
    socket.on("say", (ack) => {
        socket.emit("said", 1);
        ack(true);
    });
    socket.on("outgoing-log", (ack) => {
        ack(socket.data.log);
        socket.data.log = [];
    });
});

const outgoing = io.of("/outgoing");
outgoing.on("connection", (socket) => {
    socket.data.log = [];
    socket.on("watch", (ack) => {
        socket.onAnyOutgoing(logOutgoing(socket, "w"));
        ack(true);
    });
    socket.on("outgoing-log", (ack) => {
        ack(socket.data.log);
        socket.data.log = [];
    });
    socket.on("join", (room, ack) => {
        socket.join(room);
        ack(true);
    });
    socket.on("send", ({ to, event, room }, ack) => {
        if (to === "all") outgoing.emit(event, 1);
        else if (to === "room") outgoing.to(room).emit(event, 1);
        else if (to === "others") socket.broadcast.emit(event, 1);
        else if (to === "self") socket.emit(event, 1);
        ack(true);
    });
    socket.on("send-with-ack", async (event, ack) => {
        const replies = await outgoing.timeout(2000).emitWithAck(event).catch(() => []);
        ack(replies.length);
    });
});

io.of("/private").use((socket, next) => next(new Error("not allowed")));
io.of("/stall").use(() => {});

httpServer.listen(port, "127.0.0.1", () => {
    console.log(`listening on 127.0.0.1:${httpServer.address().port}`);
});
const stop = () => io.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
