// The Node twin of bench_server (shared/contracts/bench_server.md), on npm socket.io 4.8 from the
// lockfile: the reference every benchmark compares sio against.
//   node bench/node/bench_server.mjs --port P
import http from "node:http";
import { parseArgs } from "node:util";

import { Server } from "socket.io";

const USAGE = `usage: node bench/node/bench_server.mjs [--port P] [--threads N]
(--threads is accepted for bench_server's command line and ignored: Node runs one thread)
`;

// As the C++ programs (issue 10, §7): --help exits 0, a flag it does not know or a port that is
// not a number exits 2.
let values;
try {
    ({ values } = parseArgs({
        options: {
            port: { type: "string", default: "3000" },
            threads: { type: "string" },
            help: { type: "boolean", short: "h" },
        },
    }));
    if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) {
        throw new Error(`bad value for --port: '${values.port}'`);
    }
} catch (err) {
    process.stderr.write(`bench_server.mjs: ${err.message}\n${USAGE}`);
    process.exit(2);
}
if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
}
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
