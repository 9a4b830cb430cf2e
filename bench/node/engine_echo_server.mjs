// Node twin of apps/conformance/conformance_server's Engine.IO part, built on npm engine.io 6.6.
// It is the reference the interop tests compare against and the baseline for bench/load.
//
//   node bench/node/engine_echo_server.mjs --port P [--headers-timeout-ms N] [--max-connections N]
//
// Binds 127.0.0.1:P (0 picks a free port), prints exactly "listening on 127.0.0.1:<port>" once
// ready, serves a bare Engine.IO v4 echo server at /engine.io/ (404 elsewhere), stops on SIGTERM.
import http from "node:http";
import process from "node:process";
import { parseArgs } from "node:util";

import { Server } from "engine.io";

const USAGE = `usage: node bench/node/engine_echo_server.mjs [--port P] [--headers-timeout-ms MS]
                  [--max-connections N] [--ping-interval-ms MS] [--ping-timeout-ms MS]
`;

// As the C++ programs (issue 10, §7): --help exits 0, a flag it does not know exits 2.
let values;
try {
    ({ values } = parseArgs({
        options: {
            port: { type: "string", default: "0" },
            "headers-timeout-ms": { type: "string", default: "60000" },
            "max-connections": { type: "string" },
            "ping-interval-ms": { type: "string", default: "300" },
            "ping-timeout-ms": { type: "string", default: "200" },
            help: { type: "boolean", short: "h" },
        },
        strict: true,
    }));
} catch (err) {
    process.stderr.write(`engine_echo_server: ${err.message}\n${USAGE}`);
    process.exit(2);
}
if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
}

function intOption(name, text) {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) {
        console.error(`--${name}: expected a non-negative integer, got "${text}"`);
        process.exit(2);
    }
    return n;
}

const port = intOption("port", values.port);
const headersTimeout = intOption("headers-timeout-ms", values["headers-timeout-ms"]);

// Node checks header deadlines on a timer (default every 30 s); tighten it so that a short
// --headers-timeout-ms is enforced about on time, as conformance_server does.
const httpServer = http.createServer({
    headersTimeout,
    requestTimeout: Math.max(headersTimeout, 300000),
    connectionsCheckingInterval: Math.max(50, Math.min(30000, Math.floor(headersTimeout / 4))),
});
if (values["max-connections"] !== undefined) {
    httpServer.maxConnections = intOption("max-connections", values["max-connections"]);
}

// Same options as conformance_server: short heartbeats so that tests see them quickly.
const engine = new Server({
    pingInterval: intOption("ping-interval-ms", values["ping-interval-ms"]),
    pingTimeout: intOption("ping-timeout-ms", values["ping-timeout-ms"]),
    maxHttpBufferSize: 1e6,
    transports: ["polling", "websocket"],
    allowUpgrades: true,
    cors: { origin: "*" },
});

// Requests outside /engine.io/ reach this listener only (engine.io intercepts its own path).
httpServer.on("request", (req, res) => {
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end("Not Found");
});

engine.attach(httpServer, { path: "/engine.io/" });

engine.on("connection", (socket) => {
    // Text comes back as text, binary (Buffer) as binary.
    socket.on("message", (data) => socket.send(data));
});

httpServer.listen(port, "127.0.0.1", () => {
    process.stdout.write(`listening on 127.0.0.1:${httpServer.address().port}\n`);
});

function stop() {
    engine.close();
    httpServer.close();
    httpServer.closeAllConnections();
    process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
