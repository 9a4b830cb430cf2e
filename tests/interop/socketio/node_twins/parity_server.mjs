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
const io = new Server(httpServer, { connectTimeout: flag("--connect-timeout-ms", 45000) });

io.on("connection", (socket) => {
    socket.on("echo", (...args) => {
        const ack = args.pop();
        ack(...args);
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
