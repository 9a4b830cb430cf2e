// The Node twin of bench_server (shared/contracts/bench_server.md), on npm socket.io 4.8 from the
// lockfile: the reference every benchmark compares sio against.
//   node bench/node/bench_server.mjs --port P
import http from "node:http";
import { parseArgs } from "node:util";

import { Server } from "socket.io";

const { values } = parseArgs({ options: { port: { type: "string", default: "3000" }, threads: { type: "string" } } });
const httpServer = http.createServer();
const io = new Server(httpServer, { httpCompression: false, perMessageDeflate: false });
io.on("connection", (socket) => {
    socket.on("echo", (...args) => {
        const ack = args.pop();
        if (typeof ack === "function") ack(...args);
    });
    socket.on("fanout", (...args) => io.emit("fanout", ...args));
});
httpServer.listen(Number(values.port), "127.0.0.1", () => {
    console.log(`listening on 127.0.0.1:${httpServer.address().port}`);
});
process.on("SIGTERM", () => io.close(() => process.exit(0)));
process.on("SIGINT", () => io.close(() => process.exit(0)));
