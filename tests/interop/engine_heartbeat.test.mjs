// Heartbeat: the server pings every pingInterval (300 ms) and drops a client that does not pong
// within pingTimeout (200 ms). Raw `ws` sockets speak the Engine.IO packets by hand.
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

// Generous: timers, scheduling and sanitizer builds add latency; this is not a timing test.
const SLACK_MS = 1500;

let server;
before(async () => { server = await startServer(); });
after(async () => { await stopAndCheck(server); });

/** Opens a raw Engine.IO websocket; records every frame with its arrival time. */
function rawEngineSocket() {
    const ws = new WebSocket(`ws://${server.host}:${server.port}${ENGINE_PATH}?EIO=4&transport=websocket`);
    const frames = [];
    const start = Date.now();
    ws.on("message", (data, isBinary) => {
        frames.push({ at: Date.now() - start, data: isBinary ? data : data.toString() });
    });
    const closed = new Promise((resolve) => {
        ws.on("close", (code, reason) => resolve({ at: Date.now() - start, code, reason: reason.toString() }));
    });
    ws.on("error", () => {});
    const opened = withTimeout(new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
    }), 5000, "websocket open");
    return { ws, frames, closed, opened };
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

test("a websocket client that pongs stays connected across many pings", { timeout: 20000 }, async () => {
    const c = rawEngineSocket();
    await c.opened;
    c.ws.on("message", (data) => { if (data.toString() === "2") c.ws.send("3"); });
    let closedAt = null;
    c.closed.then((e) => { closedAt = e; });
    const waitMs = 5 * (PING_INTERVAL_MS + PING_TIMEOUT_MS);
    await new Promise((r) => setTimeout(r, waitMs));
    assert.equal(closedAt, null, `closed: ${JSON.stringify(closedAt)}`);
    const pings = c.frames.filter((f) => f.data === "2").length;
    assert.ok(pings >= 4, `pings in ${waitMs} ms: ${pings}`);
    const echo = new Promise((resolve) => c.ws.on("message", (d) => { if (d.toString() === "4hb") resolve(); }));
    c.ws.send("4hb");
    await withTimeout(echo, 5000, "echo");
    c.ws.close();
});

test("a polling client that never polls again is dropped after pingInterval + pingTimeout", { timeout: 20000 }, async () => {
    const { sid } = await pollingHandshake(server);
    await new Promise((r) => setTimeout(r, PING_INTERVAL_MS + PING_TIMEOUT_MS + SLACK_MS));
    const res = await httpRequest(server, { path: `${ENGINE_PATH}?EIO=4&transport=polling&sid=${sid}` });
    assertEngineError(res, 1, "Session ID unknown");
});

test("a polling client's pending GET receives the ping \"2\"", { timeout: 20000 }, async () => {
    const { sid } = await pollingHandshake(server);
    const start = Date.now();
    const res = await httpRequest(server, { path: `${ENGINE_PATH}?EIO=4&transport=polling&sid=${sid}` });
    const at = Date.now() - start;
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), "2");
    assert.ok(at <= PING_INTERVAL_MS + SLACK_MS, `ping after ${at} ms`);
    const pong = await httpRequest(server, {
        method: "POST",
        path: `${ENGINE_PATH}?EIO=4&transport=polling&sid=${sid}`,
        headers: { "Content-Type": "text/plain;charset=UTF-8" },
        body: "3",
    });
    assert.equal(pong.status, 200);
    assert.equal(pong.body.toString(), "ok");
    const next = await httpRequest(server, { path: `${ENGINE_PATH}?EIO=4&transport=polling&sid=${sid}` });
    assert.equal(next.body.toString(), "2", "the session lived on to the next ping");
});

/**
 * Raw websocket client that, relative to the first "2" it receives, sends `plan` ([ms, packet])
 * and answers later pings at once. Resolves with {end (null if still open), log of frames}.
 */
async function heartbeatPlan(plan, watchMs = 1500) {
    const c = rawEngineSocket();
    await c.opened;
    let pingAt = null;
    c.ws.on("message", (data) => {
        if (data.toString() !== "2") return;
        if (pingAt === null) {
            pingAt = Date.now();
            for (const [at, packet] of plan) {
                setTimeout(() => { if (c.ws.readyState === WebSocket.OPEN) c.ws.send(packet); }, at);
            }
        } else {
            c.ws.send("3");
        }
    });
    const end = await Promise.race([c.closed, new Promise((r) => setTimeout(() => r(null), PING_INTERVAL_MS + watchMs))]);
    c.ws.terminate();
    const log = c.frames.map((f) => `${f.at}:${String(f.data).slice(0, 12)}`).join(" ");
    return { end, log };
}

/**
 * Timing margins here are 60-80 ms (pingTimeout is 200 ms), so a loaded machine can blur one run:
 * a case passes when any of 3 runs shows the behaviour. A server without it fails all 3.
 */
async function anyOf3(t, plan, wantClosed) {
    const logs = [];
    for (let i = 0; i < 3; i++) {
        const r = await heartbeatPlan(plan);
        if ((r.end !== null) === wantClosed) {
            if (i > 0) t.diagnostic(`passed on run ${i + 1}; earlier runs: ${logs.join(" | ")}`);
            return;
        }
        logs.push(r.log + (r.end ? ` closed@${r.end.at}` : " open"));
    }
    assert.fail(`${wantClosed ? "survived" : "closed"} in 3 runs: ${logs.join(" | ")}`);
}

// engine.io 6.6 (socket.ts onPacket): a packet other than a pong that arrives while the server
// waits for a pong refreshes the ping timeout, once per ping.
test("a message while the server waits for a pong extends the deadline once (as engine.io 6.6)", { timeout: 30000 }, async (t) => {
    // Without the refresh the deadline is ping + 200 ms and this pong is 60 ms late;
    // with it the deadline is 120 + 200 = 320 ms and the pong is 60 ms early.
    await anyOf3(t, [[120, "4busy"], [260, "3"]], false);
});

test("only the first message while waiting for a pong extends the deadline", { timeout: 30000 }, async (t) => {
    // Refresh at 100 ms -> deadline 300 ms; the message at 250 ms must not push it to 450 ms.
    await anyOf3(t, [[100, "4one"], [250, "4two"], [380, "3"]], true);
});

test("a pong 60 ms after pingTimeout drops the client", { timeout: 30000 }, async (t) => {
    await anyOf3(t, [[260, "3"]], true);
});
