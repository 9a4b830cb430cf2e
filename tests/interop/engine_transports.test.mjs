// engine.io-client 6.6 against the server: polling only, websocket only, and default (polling
// then upgrade); handshake fields, echo order, CORS and routing.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
    ENGINE_PATH,
    MAX_PAYLOAD,
    PING_INTERVAL_MS,
    collectMessages,
    httpRequest,
    openClient,
    pollingHandshake,
    withTimeout,
} from "./support/eio.mjs";
import { PATIENT_HEARTBEAT, PATIENT_PING_TIMEOUT_MS, startServer, stopAndCheck } from "./support/server.mjs";

const TEXTS = [
    "hello",
    "",
    "with spaces and \"quotes\" and {json: 1}",
    "héllo wörld — ünïcödé ✓",
    "emoji 😀🎉 surrogate pairs",
    "x".repeat(10000),
    "line\nbreaks\r\nand\ttabs",
    "4looks like a packet",
    "b64-looking: bAQID",
];

let server;
before(async () => { server = await startServer(PATIENT_HEARTBEAT); });
after(async () => { await stopAndCheck(server); });

for (const [name, opts, expected] of [
    ["polling only", { transports: ["polling"] }, "polling"],
    ["websocket only", { transports: ["websocket"] }, "websocket"],
    ["default (polling then upgrade)", {}, "websocket"],
]) {
    describe(name, () => {
        test("opens with the announced settings", { timeout: 15000 }, async () => {
            const socket = await openClient(server, opts);
            try {
                assert.equal(typeof socket.id, "string");
                assert.ok(socket.id.length > 0, "sid is not empty");
                assert.equal(socket._pingInterval, PING_INTERVAL_MS);
                assert.equal(socket._pingTimeout, PATIENT_PING_TIMEOUT_MS);
                assert.equal(socket._maxPayload, MAX_PAYLOAD);
                assert.equal(socket.transport.name, opts.transports?.[0] ?? "polling");
            } finally {
                socket.close();
            }
        });

        test("echoes text messages in order", { timeout: 20000 }, async () => {
            const socket = await openClient(server, opts);
            try {
                const rounds = 3;
                const sent = [];
                for (let r = 0; r < rounds; r++) {
                    for (const t of TEXTS) sent.push(`${r}:${t}`);
                }
                const got = collectMessages(socket, sent.length, 15000);
                for (const t of sent) socket.send(t);
                assert.deepEqual(await got, sent);
                if (expected === "websocket" && !opts.transports) {
                    // The upgrade may finish after the echoes; wait for it.
                    if (socket.transport.name !== "websocket") {
                        await withTimeout(new Promise((r) => socket.once("upgrade", r)), 5000, "upgrade");
                    }
                }
                assert.equal(socket.transport.name, expected);
            } finally {
                socket.close();
            }
        });

        test("stays open across several heartbeats", { timeout: 15000 }, async () => {
            const socket = await openClient(server, opts);
            try {
                // Waits for the pings themselves: each comes pingInterval after the last pong.
                let pings = 0;
                let closedWith = null;
                await withTimeout(new Promise((resolve, reject) => {
                    socket.on("ping", () => { if (++pings === 4) resolve(); });
                    socket.on("close", (reason) => {
                        closedWith = reason;
                        reject(new Error(`socket closed after ${pings} pings: ${reason}`));
                    });
                }), 4 * (PING_INTERVAL_MS + PATIENT_PING_TIMEOUT_MS), "4 pings");
                assert.equal(closedWith, null, `socket closed: ${closedWith}`);
                const got = collectMessages(socket, 1);
                socket.send("still here");
                assert.deepEqual(await got, ["still here"]);
            } finally {
                socket.close();
            }
        });
    });
}

describe("handshake and routing", () => {
    test("polling handshake announces sid, upgrades and timings", { timeout: 10000 }, async () => {
        const open = await pollingHandshake(server);
        assert.equal(typeof open.sid, "string");
        assert.deepEqual(open.upgrades, ["websocket"]);
        assert.equal(open.pingInterval, PING_INTERVAL_MS);
        assert.equal(open.pingTimeout, PATIENT_PING_TIMEOUT_MS);
        assert.equal(open.maxPayload, MAX_PAYLOAD);
    });

    test("each handshake gets a distinct sid", { timeout: 10000 }, async () => {
        const sids = new Set();
        for (let i = 0; i < 20; i++) sids.add((await pollingHandshake(server)).sid);
        assert.equal(sids.size, 20);
    });

    test("CORS: any origin is allowed", { timeout: 10000 }, async () => {
        const origin = "http://example.test:8080";
        const res = await httpRequest(server, {
            path: `${ENGINE_PATH}?EIO=4&transport=polling`,
            headers: { Origin: origin },
        });
        assert.equal(res.status, 200);
        const allow = res.headers["access-control-allow-origin"];
        assert.ok(allow === "*" || allow === origin,
            `Access-Control-Allow-Origin: ${JSON.stringify(allow)}`);
    });

    test("CORS: preflight OPTIONS is answered", { timeout: 10000 }, async () => {
        const origin = "http://example.test:8080";
        const res = await httpRequest(server, {
            method: "OPTIONS",
            path: `${ENGINE_PATH}?EIO=4&transport=polling`,
            headers: { Origin: origin, "Access-Control-Request-Method": "POST" },
        });
        assert.ok(res.status === 200 || res.status === 204, `status ${res.status}`);
        const allow = res.headers["access-control-allow-origin"];
        assert.ok(allow === "*" || allow === origin,
            `Access-Control-Allow-Origin: ${JSON.stringify(allow)}`);
        assert.match(String(res.headers["access-control-allow-methods"]), /POST/);
    });

    test("other paths answer 404", { timeout: 10000 }, async () => {
        for (const path of ["/", "/foo", "/engine.iox/?EIO=4&transport=polling", "/favicon.ico"]) {
            const res = await httpRequest(server, { path });
            assert.equal(res.status, 404, `GET ${path}`);
        }
    });

    test("polling answers carry Content-Type and no-store", { timeout: 10000 }, async () => {
        const res = await httpRequest(server, { path: `${ENGINE_PATH}?EIO=4&transport=polling` });
        assert.equal(res.status, 200);
        assert.match(String(res.headers["content-type"]), /^text\/plain; ?charset=UTF-8$/i);
        assert.equal(Number(res.headers["content-length"] ?? res.body.length), res.body.length);
        assert.match(String(res.headers["cache-control"]), /no-store/);
    });
});
