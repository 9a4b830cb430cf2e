// --max-connections N: past N open connections a new one is not served (closed or refused);
// once some close, new clients are served again.
//
// The server learns of a client's close only when it reads the FIN, which on a loaded machine (or
// under a sanitizer) can take a while: "served again" is awaited with a deadline, never judged
// after a fixed pause. Each test has a server of its own, so that no connection of one test (an
// engine.io-client's keep-alive polls) still counts in the next.
import assert from "node:assert/strict";
import net from "node:net";
import { afterEach, beforeEach, test } from "node:test";

import { assertServes, rawWebSocket, sleep, withTimeout } from "./support/eio.mjs";
import { startServer, stopAndCheck } from "./support/server.mjs";

const MAX = 20;
/** How long the server may take to see closed connections and free their slots. */
const FREED_WITHIN_MS = 15000;

let server;
beforeEach(async () => { server = await startServer(["--max-connections", String(MAX)]); });
afterEach(async () => { await stopAndCheck(server); });

/** Tries a websocket upgrade; resolves "served" (101) or "refused" (closed/reset/no answer). */
async function tryUpgrade() {
    try {
        const ws = await rawWebSocket(server, undefined, { timeoutMs: 2000 });
        return { outcome: "served", socket: ws.socket };
    } catch (err) {
        return { outcome: `refused (${err.message})` };
    }
}

/**
 * Resolves once a new connection is served, trying until FREED_WITHIN_MS has passed: the slots of
 * connections the client closed come back when the server has read their FIN.
 */
async function servedAgain(what) {
    const deadline = Date.now() + FREED_WITHIN_MS;
    let last;
    for (;;) {
        const r = await tryUpgrade();
        if (r.socket) {
            r.socket.destroy();
            return;
        }
        last = r.outcome;
        assert.ok(Date.now() < deadline, `${what}: no connection served within ${FREED_WITHIN_MS} ms (last: ${last})`);
        await sleep(50); // pacing between attempts, not synchronization
    }
}

/**
 * Sends an HTTP handshake on an open raw connection and reads the whole answer (head and
 * Content-Length body, so the next request on it starts clean); resolves with the status line.
 */
function handshakeOn(socket) {
    let got = Buffer.alloc(0);
    let onData;
    let onClose;
    return withTimeout(new Promise((resolve, reject) => {
        onData = (c) => {
            got = Buffer.concat([got, c]);
            const end = got.indexOf("\r\n\r\n");
            if (end < 0) return;
            const head = got.subarray(0, end).toString("latin1");
            const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
            if (got.length >= end + 4 + length) resolve(head.slice(0, head.indexOf("\r\n")));
        };
        onClose = () => reject(new Error(
            `closed by the server before answering (got ${JSON.stringify(got.toString("latin1"))})`));
        socket.on("data", onData);
        socket.once("close", onClose);
        socket.write(`GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: ${server.host}:${server.port}\r\n\r\n`);
    }), 10000, "handshake on a held connection").finally(() => {
        socket.off("data", onData);
        socket.off("close", onClose);
    });
}

test(`connection ${MAX + 1} is not served while ${MAX} are open`, { timeout: 60000 }, async () => {
    const held = [];
    try {
        for (let i = 0; i < MAX; i++) {
            const r = await tryUpgrade();
            assert.equal(r.outcome, "served", `connection ${i + 1} of ${MAX}`);
            held.push(r.socket);
        }
        const extra = await tryUpgrade();
        if (extra.socket) extra.socket.destroy();
        assert.notEqual(extra.outcome, "served", `connection ${MAX + 1} was served`);
        // Closing some frees room again.
        for (const s of held.splice(0, 5)) s.destroy();
        await servedAgain("after 5 of the held connections closed");
    } finally {
        for (const s of held) s.destroy();
    }
    await servedAgain("after every held connection closed");
    await assertServes(server);
});

test("plain TCP connections count too, and are freed on close", { timeout: 60000 }, async () => {
    let closedByServer = 0;
    const held = await Promise.all(Array.from({ length: MAX }, () => withTimeout(new Promise((resolve, reject) => {
        const s = net.connect(server.port, server.host, () => resolve(s));
        s.on("error", reject);
        s.on("close", () => closedByServer++);
    }), 5000, "connect")));
    try {
        // A request answered on each proves the server accepted all MAX (the kernel completes a
        // connect before the server's accept runs, so "connected" alone proves nothing).
        for (const a of await Promise.all(held.map(handshakeOn))) assert.match(a, /^HTTP\/1\.1 200 /);
        const extra = await tryUpgrade();
        if (extra.socket) extra.socket.destroy();
        assert.notEqual(extra.outcome, "served", `connection ${MAX + 1} was served`);
        // The refusal closed the newcomer, not one of the first MAX: each still answers.
        for (const a of await Promise.all(held.map(handshakeOn))) assert.match(a, /^HTTP\/1\.1 200 /);
        assert.equal(closedByServer, 0, "the server closed some of the first MAX connections");
    } finally {
        for (const s of held) s.destroy();
    }
    await servedAgain("after the plain connections closed");
    await assertServes(server);
});
