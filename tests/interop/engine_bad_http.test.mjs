// Malformed and hostile HTTP: each case checks the answer, then that the server still serves a
// fresh engine.io-client. The cases of a header that never ends run against a second server with
// --headers-timeout-ms 1000; the others against one with the default (60 s), so that a client
// slowed down by a loaded machine is never cut by a timeout it is not testing.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, test } from "node:test";

import {
    ENGINE_PATH,
    assertServes,
    openClient,
    rawExchange,
    showBytes,
    withTimeout,
} from "./support/eio.mjs";
import { startServer, stopAndCheck, RELAXED_HEARTBEAT } from "./support/server.mjs";

const HEADERS_TIMEOUT_MS = 1000;
const HANDSHAKE = `GET ${ENGINE_PATH}?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n`;

let server;
before(async () => { server = await startServer(RELAXED_HEARTBEAT); });
after(async () => { await stopAndCheck(server); });

/** Asserts a 4xx status line (one of `statuses`) and that the server closed the connection. */
function assertRefused(r, statuses, what) {
    const head = r.data.toString("latin1");
    assert.ok(r.closedByServer, `${what}: connection left open after ${r.elapsedMs} ms; got ${showBytes(r.data)}`);
    const m = /^HTTP\/1\.[01] (\d{3}) /.exec(head);
    assert.ok(m, `${what}: expected an HTTP error answer, got ${showBytes(r.data)}`);
    assert.ok(statuses.includes(Number(m[1])), `${what}: status ${m[1]}, expected one of ${statuses}; got ${showBytes(r.data)}`);
}

describe("garbage", () => {
    for (const [name, bytes] of [
        ["binary noise", Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x80, 0x0d, 0x0a, 0x0d, 0x0a])],
        ["a TLS ClientHello", Buffer.from("160301020001000001fc0303" + "ab".repeat(40) + "0d0a0d0a", "hex")],
        ["a text line that is not HTTP", "HELLO WORLD\r\n\r\n"],
        ["a bad HTTP version", `GET ${ENGINE_PATH}?EIO=4&transport=polling HTTP/9.9\r\nHost: x\r\n\r\n`],
        ["a header line without a colon", `${HANDSHAKE}this is not a header\r\n\r\n`],
        ["a non-numeric Content-Length", `POST ${ENGINE_PATH}?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`],
        ["NUL bytes in the request line", `GET /engine.io/\0\0?EIO=4 HTTP/1.1\r\nHost: x\r\n\r\n`],
    ]) {
        test(`${name} gets 400 and a closed connection`, { timeout: 15000 }, async () => {
            const r = await rawExchange(server, bytes);
            assertRefused(r, [400], name);
            await assertServes(server);
        });
    }

    test("100 KB of header gets 400/431 and a closed connection", { timeout: 15000 }, async () => {
        const r = await rawExchange(server, `${HANDSHAKE}X-Big: ${"a".repeat(100000)}\r\n\r\n`);
        assertRefused(r, [400, 413, 431], "huge header");
        await assertServes(server);
    });
});

describe("truncated requests", () => {
    for (const [name, bytes] of [
        ["inside the request line", `GET ${ENGINE_PATH}?EIO=4&tra`],
        ["after a header line", HANDSHAKE],
        ["inside a POST body", `POST ${ENGINE_PATH}?EIO=4&transport=polling&sid=x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n4abc`],
    ]) {
        test(`cut ${name}, then half-closed: closed, any answer is 400`, { timeout: 15000 }, async () => {
            const r = await rawExchange(server, bytes, { end: true });
            assert.ok(r.closedByServer, `connection left open; got ${showBytes(r.data)}`);
            if (r.data.length > 0) assert.match(r.data.toString("latin1"), /^HTTP\/1\.1 400 /, showBytes(r.data));
            await assertServes(server);
        });

        test(`cut ${name}, then reset: server still serves`, { timeout: 15000 }, async () => {
            await rawExchange(server, bytes, { timeoutMs: 50 });
            await rawExchange(server, bytes, {
                timeoutMs: 1000,
                onConnect: (s) => setTimeout(() => s.resetAndDestroy(), 20),
            });
            await assertServes(server);
        });
    }

    test("a truncated POST body in a live session does not hurt other sessions", { timeout: 15000 }, async () => {
        const other = await openClient(server, { transports: ["polling"] });
        try {
            const { sid } = await (await fetch(`${server.url}${ENGINE_PATH}?EIO=4&transport=polling`))
                .text().then((t) => JSON.parse(t.slice(1)));
            await rawExchange(server,
                `POST ${ENGINE_PATH}?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\n` +
                "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 1000\r\n\r\n4part", { end: true });
            const echo = new Promise((r) => other.once("message", r));
            other.send("other");
            assert.equal(await withTimeout(echo, 5000, "echo"), "other");
        } finally {
            other.close();
        }
        await assertServes(server);
    });
});

describe("header that never ends (--headers-timeout-ms 1000)", () => {
    let server;
    before(async () => { server = await startServer(["--headers-timeout-ms", String(HEADERS_TIMEOUT_MS), ...RELAXED_HEARTBEAT]); });
    after(async () => { await stopAndCheck(server); });

    test("a request that stops mid-header is closed by the server", { timeout: 20000 }, async (t) => {
        const r = await rawExchange(server, `${HANDSHAKE}X-Slow: a`, { timeoutMs: HEADERS_TIMEOUT_MS + 5000 });
        assert.ok(r.closedByServer, `still open after ${r.elapsedMs} ms`);
        if (r.data.length > 0) assert.match(r.data.toString("latin1"), /^HTTP\/1\.1 (408|400) /, showBytes(r.data));
        t.diagnostic(`closed after ${r.elapsedMs} ms with ${showBytes(r.data)}`);
        await assertServes(server);
    });

    test("a header trickled a byte at a time is closed by the server", { timeout: 20000 }, async (t) => {
        let timer;
        const r = await rawExchange(server, `${HANDSHAKE}X-Trickle: `, {
            timeoutMs: HEADERS_TIMEOUT_MS + 5000,
            onConnect: (s) => {
                // rawExchange writes the bytes right after this; the first "a" follows 50 ms later.
                timer = setInterval(() => { if (!s.destroyed) s.write("a"); }, 50);
                s.once("close", () => clearInterval(timer));
            },
        });
        clearInterval(timer);
        assert.ok(r.closedByServer, `still open after ${r.elapsedMs} ms`);
        if (r.data.length > 0) assert.match(r.data.toString("latin1"), /^HTTP\/1\.1 (408|400) /, showBytes(r.data));
        t.diagnostic(`closed after ${r.elapsedMs} ms with ${showBytes(r.data)}`);
        await assertServes(server);
    });

    test("a connection that sends nothing is closed by the server", { timeout: 20000 }, async (t) => {
        const r = await rawExchange(server, null, { timeoutMs: HEADERS_TIMEOUT_MS + 5000 });
        assert.ok(r.closedByServer, `still open after ${r.elapsedMs} ms`);
        t.diagnostic(`closed after ${r.elapsedMs} ms with ${showBytes(r.data)}`);
    });

    test("long-polls and websockets outlive the headers timeout", { timeout: 20000 }, async () => {
        for (const transports of [["polling"], ["websocket"]]) {
            const socket = await openClient(server, { transports });
            try {
                let closedWith = null;
                socket.on("close", (reason) => { closedWith = reason; });
                // Marker: a connection opened after the client's, which sends nothing, is closed
                // by the headers timeout; by then the timeout has passed for the client's
                // connections too (twice over: we wait for two such closes in a row).
                for (let i = 0; i < 2; i++) {
                    const marker = await rawExchange(server, null, { timeoutMs: HEADERS_TIMEOUT_MS + 10000 });
                    assert.ok(marker.closedByServer, `the marker connection is still open after ${marker.elapsedMs} ms`);
                }
                assert.equal(closedWith, null, `${transports} closed: ${closedWith}`);
                const echo = new Promise((r) => socket.once("message", r));
                socket.send("late");
                assert.equal(await withTimeout(echo, 5000, "echo"), "late");
            } finally {
                socket.close();
            }
        }
    });

    test("twenty stalled connections do not block a normal client", { timeout: 20000 }, async () => {
        const connected = [];
        const stalled = Array.from({ length: 20 }, () => {
            let onConnect;
            connected.push(new Promise((resolve) => { onConnect = resolve; }));
            return rawExchange(server, `${HANDSHAKE}X-Stall: 1`,
                { timeoutMs: HEADERS_TIMEOUT_MS + 5000, onConnect });
        });
        // All twenty are connected and have sent their partial head before the normal client.
        await Promise.all(connected);
        await assertServes(server);
        const results = await Promise.all(stalled);
        assert.ok(results.every((r) => r.closedByServer), "every stalled connection was closed");
    });
});

describe("flood", () => {
    test("2000 polling handshakes from 100 parallel connections are all answered", { timeout: 60000 }, async (t) => {
        const TOTAL = 2000;
        const agent = new http.Agent({ keepAlive: false, maxSockets: 100 });
        const start = Date.now();
        const sids = new Set();
        const failures = [];
        const one = () => new Promise((resolve) => {
            const req = http.get({
                host: server.host, port: server.port, agent,
                path: `${ENGINE_PATH}?EIO=4&transport=polling`,
            }, (res) => {
                let body = "";
                res.setEncoding("utf8");
                res.on("data", (c) => { body += c; });
                res.on("end", () => {
                    if (res.statusCode !== 200 || body[0] !== "0") {
                        failures.push(`${res.statusCode} ${body.slice(0, 80)}`);
                    } else {
                        sids.add(JSON.parse(body.slice(1)).sid);
                    }
                    resolve();
                });
            });
            req.on("error", (err) => { failures.push(err.code ?? err.message); resolve(); });
        });
        await withTimeout(Promise.all(Array.from({ length: TOTAL }, one)), 50000, `${TOTAL} handshakes`);
        agent.destroy();
        t.diagnostic(`${TOTAL} handshakes in ${Date.now() - start} ms`);
        assert.deepEqual(failures.slice(0, 10), [], `${failures.length} failed`);
        assert.equal(sids.size, TOTAL, "distinct sids");
        await assertServes(server);
        await assertServes(server, { transports: ["websocket"] });
    });

    test("2000 connections opened and dropped without a request", { timeout: 60000 }, async () => {
        const batch = 200;
        for (let i = 0; i < 2000; i += batch) {
            await Promise.all(Array.from({ length: batch }, () => rawExchange(server, null, { timeoutMs: 1 })));
        }
        await assertServes(server);
    });
});
