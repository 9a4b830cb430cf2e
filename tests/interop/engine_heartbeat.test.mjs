// Heartbeat: the server pings every pingInterval (300 ms) and drops a client that does not pong
// within pingTimeout (200 ms). Raw `ws` sockets speak the Engine.IO packets by hand.
//
// The conformance server's 200 ms pingTimeout is what the official suite expects; a client that
// must answer within it is at the mercy of the scheduler on a loaded machine. So the tests where
// the client must pong in time, or where the timing of its packets against the deadline is the
// point, run against a second server whose pingTimeout is LONG_TIMEOUT_MS, with margins of
// hundreds of milliseconds instead of 60-80 ms.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import WebSocket from "ws";

import {
    ENGINE_PATH,
    PING_INTERVAL_MS,
    PING_TIMEOUT_MS,
    assertEngineError,
    assertServes,
    httpRequest,
    pollingHandshake,
    withTimeout,
} from "./support/eio.mjs";
import { startServer, stopAndCheck } from "./support/server.mjs";

// Generous: timers, scheduling and sanitizer builds add latency; the upper bounds below only
// check that pings and drops happen at all, not how promptly (the lower bounds are the product's
// promise: no ping before pingInterval, no drop before pingTimeout).
const SLACK_MS = 3000;
/** pingTimeout of the second server (pingInterval stays 300 ms). */
const LONG_TIMEOUT_MS = 3000;

let server;
let slowServer;
before(async () => {
    server = await startServer();
    slowServer = await startServer(["--ping-interval-ms", String(PING_INTERVAL_MS),
        "--ping-timeout-ms", String(LONG_TIMEOUT_MS)]);
});
after(async () => {
    await stopAndCheck(server);
    await stopAndCheck(slowServer);
});

/** Opens a raw Engine.IO websocket; records every frame with its arrival time. */
function rawEngineSocket(target = server) {
    const ws = new WebSocket(`ws://${target.host}:${target.port}${ENGINE_PATH}?EIO=4&transport=websocket`);
    const frames = [];
    const waiters = new Set();
    const start = Date.now();
    ws.on("message", (data, isBinary) => {
        frames.push({ at: Date.now() - start, data: isBinary ? data : data.toString() });
        for (const w of [...waiters]) w();
    });
    const closed = new Promise((resolve) => {
        ws.on("close", (code, reason) => resolve({ at: Date.now() - start, code, reason: reason.toString() }));
    });
    ws.on("error", () => {});
    const opened = withTimeout(new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
    }), 5000, "websocket open");
    /** Resolves once `n` pings have arrived; rejects if the socket closes first. */
    const pings = (n, timeoutMs) => {
        let waiter;
        return withTimeout(new Promise((resolve, reject) => {
            waiter = () => {
                if (frames.filter((f) => f.data === "2").length >= n) resolve();
            };
            waiters.add(waiter);
            waiter();
            closed.then((e) => reject(new Error(`closed before ${n} pings: ${JSON.stringify(e)}; ` +
                `frames ${JSON.stringify(frames)}`)));
        }), timeoutMs, `${n} pings`).finally(() => waiters.delete(waiter));
    };
    return { ws, frames, closed, opened, pings };
}

test("a websocket client that never pongs sees \"2\" then is closed after pingTimeout", { timeout: 20000 }, async () => {
    const c = rawEngineSocket();
    await c.opened;
    const end = await withTimeout(c.closed, PING_INTERVAL_MS + PING_TIMEOUT_MS + SLACK_MS + 2000, "server closes the silent client");
    const texts = c.frames.map((f) => f.data);
    assert.ok(texts.length >= 2, `frames before close: ${JSON.stringify(texts)}`);
    assert.match(texts[0], /^0\{/, "first frame is the open packet");
    const open = JSON.parse(texts[0].slice(1));
    const pings = c.frames.filter((f) => f.data === "2");
    assert.equal(pings.length, 1, `exactly one ping before the drop, frames ${JSON.stringify(c.frames)}`);
    const ping = pings[0];
    // Nothing but the open packet, the ping, and possibly a close-ish packet.
    assert.ok(c.frames.every((f) => ["2", "1", "6"].includes(f.data) || f === c.frames[0]),
        `unexpected frames ${JSON.stringify(c.frames)}`);
    assert.ok(ping.at >= PING_INTERVAL_MS - 100, `ping came at ${ping.at} ms, pingInterval is ${PING_INTERVAL_MS}`);
    assert.ok(ping.at <= PING_INTERVAL_MS + SLACK_MS, `ping came late: ${ping.at} ms`);
    const afterPing = end.at - ping.at;
    assert.ok(afterPing >= PING_TIMEOUT_MS - 100,
        `closed ${afterPing} ms after the ping, before pingTimeout ${PING_TIMEOUT_MS}`);
    assert.ok(afterPing <= PING_TIMEOUT_MS + SLACK_MS, `closed ${afterPing} ms after the ping`);
    assert.ok(end.at <= PING_INTERVAL_MS + PING_TIMEOUT_MS + SLACK_MS, `closed at ${end.at} ms`);
    // The session is gone.
    const res = await httpRequest(server, { path: `${ENGINE_PATH}?EIO=4&transport=polling&sid=${open.sid}` });
    assertEngineError(res, 1, "Session ID unknown");
    await assertServes(server);
});

test("a websocket client that pongs stays connected across many pings", { timeout: 30000 }, async () => {
    // The long-timeout server: answering each ping within 200 ms is not something a test process
    // on a loaded machine can promise. Each ping comes pingInterval after the previous pong, so
    // five pings prove five rounds of the heartbeat.
    const c = rawEngineSocket(slowServer);
    await c.opened;
    c.ws.on("message", (data) => { if (data.toString() === "2") c.ws.send("3"); });
    await c.pings(5, 5 * (PING_INTERVAL_MS + LONG_TIMEOUT_MS) + SLACK_MS);
    const echo = new Promise((resolve) => c.ws.on("message", (d) => { if (d.toString() === "4hb") resolve(); }));
    c.ws.send("4hb");
    await withTimeout(echo, 5000, "echo");
    c.ws.close();
});

test("a polling client that never polls again is dropped after pingInterval + pingTimeout", { timeout: 20000 }, async () => {
    const { sid } = await pollingHandshake(server);
    // The wait is what is tested (the session must be gone by then), not synchronization; any
    // request of ours would count as the client polling again.
    await new Promise((r) => setTimeout(r, PING_INTERVAL_MS + PING_TIMEOUT_MS + SLACK_MS));
    const res = await httpRequest(server, { path: `${ENGINE_PATH}?EIO=4&transport=polling&sid=${sid}` });
    assertEngineError(res, 1, "Session ID unknown");
});

test("a polling client's pending GET receives the ping \"2\"", { timeout: 20000 }, async () => {
    // The long-timeout server: the pong POST must reach the server within pingTimeout.
    const target = slowServer;
    const { sid } = await pollingHandshake(target);
    const start = Date.now();
    const res = await httpRequest(target, { path: `${ENGINE_PATH}?EIO=4&transport=polling&sid=${sid}` });
    const at = Date.now() - start;
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), "2");
    assert.ok(at <= PING_INTERVAL_MS + SLACK_MS, `ping after ${at} ms`);
    const pong = await httpRequest(target, {
        method: "POST",
        path: `${ENGINE_PATH}?EIO=4&transport=polling&sid=${sid}`,
        headers: { "Content-Type": "text/plain;charset=UTF-8" },
        body: "3",
    });
    assert.equal(pong.status, 200);
    assert.equal(pong.body.toString(), "ok");
    const next = await httpRequest(target, { path: `${ENGINE_PATH}?EIO=4&transport=polling&sid=${sid}` });
    assert.equal(next.body.toString(), "2", "the session lived on to the next ping");
});

/**
 * Raw websocket client of the long-timeout server that, relative to the first "2" it receives,
 * sends `plan` ([ms, packet]) and answers later pings at once. Resolves once the server has
 * decided: {closed: true} when it closes the socket, {closed: false} when a second ping arrives
 * (the server pings again only after accepting a pong, so the session survived the first).
 */
async function heartbeatPlan(plan) {
    const c = rawEngineSocket(slowServer);
    await c.opened;
    c.ws.on("message", (data) => {
        if (data.toString() !== "2") return;
        if (c.frames.filter((f) => f.data === "2").length === 1) {
            for (const [at, packet] of plan) {
                setTimeout(() => { if (c.ws.readyState === WebSocket.OPEN) c.ws.send(packet); }, at);
            }
        } else {
            c.ws.send("3");
        }
    });
    const lastMs = Math.max(...plan.map(([at]) => at));
    const verdict = await withTimeout(Promise.race([
        c.closed.then(() => ({ closed: true })),
        c.pings(2, PING_INTERVAL_MS + lastMs + LONG_TIMEOUT_MS + PING_INTERVAL_MS + SLACK_MS)
            .then(() => ({ closed: false }), () => ({ closed: true })),
    ]), PING_INTERVAL_MS + lastMs + LONG_TIMEOUT_MS + 2 * SLACK_MS, "the server to close or ping again");
    c.ws.terminate();
    const log = c.frames.map((f) => `${f.at}:${String(f.data).slice(0, 12)}`).join(" ");
    return { ...verdict, log };
}

async function expectHeartbeat(plan, wantClosed) {
    const r = await heartbeatPlan(plan);
    assert.equal(r.closed, wantClosed, `${wantClosed ? "survived" : "closed"}: ${r.log}`);
}

// Times below are in units of the long pingTimeout T (3000 ms): every margin is 0.3 T = 900 ms or
// more. A late delivery of the ping to us only delays our packets, which makes the "closed" cases
// surer and eats into the one "survived" case's 900 ms.

// engine.io 6.6 (socket.ts onPacket): a packet other than a pong that arrives while the server
// waits for a pong refreshes the ping timeout, once per ping.
test("a message while the server waits for a pong extends the deadline once (as engine.io 6.6)", { timeout: 60000 }, async () => {
    // Without the refresh the deadline is ping + 1.0 T and this pong is 0.3 T late;
    // with it the deadline is 0.6 T + 1.0 T = 1.6 T and the pong is 0.3 T early.
    await expectHeartbeat([[0.6 * LONG_TIMEOUT_MS, "4busy"], [1.3 * LONG_TIMEOUT_MS, "3"]], false);
});

test("only the first message while waiting for a pong extends the deadline", { timeout: 60000 }, async () => {
    // Refresh at 0.5 T -> deadline 1.5 T; the message at 1.25 T must not push it to 2.25 T;
    // the pong at 1.9 T is 0.4 T after the first deadline and 0.35 T before the second.
    await expectHeartbeat([[0.5 * LONG_TIMEOUT_MS, "4one"], [1.25 * LONG_TIMEOUT_MS, "4two"],
        [1.9 * LONG_TIMEOUT_MS, "3"]], true);
});

test("a pong 0.3 pingTimeout after the deadline drops the client", { timeout: 60000 }, async () => {
    await expectHeartbeat([[1.3 * LONG_TIMEOUT_MS, "3"]], true);
});
