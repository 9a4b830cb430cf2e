// Upgrade from polling to websocket while 1000 messages flow each way: every echo arrives
// exactly once and in order, and the transport ends as websocket.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import WebSocket from "ws";

import {
    ENGINE_PATH,
    assertEngineError,
    httpRequest,
    openClient,
    pollingHandshake,
    sleep,
    toBuffer,
    withTimeout,
} from "./support/eio.mjs";
import { PATIENT_HEARTBEAT, startServer, stopAndCheck } from "./support/server.mjs";

const COUNT = 1000;
const PER_TICK = 10;

let server;
// A 3 s pingTimeout: the raw tests below pong by hand, and engine.io-client must pong in time
// while it sends 1000 messages, neither of which a loaded machine does within 200 ms.
before(async () => { server = await startServer(PATIENT_HEARTBEAT); });
after(async () => { await stopAndCheck(server); });

const keyOf = (m) => (typeof m === "string" ? `text:${m}` : `bin:${toBuffer(m).toString("hex")}`);

/**
 * Opens on polling and, from the "open" event on (the upgrade probe has just left), sends
 * make(0..COUNT-1) in a steady stream of PER_TICK messages per timer tick, so that messages leave
 * before, during and after the upgrade. Returns counts for the diagnostics.
 */
async function upgradeUnderLoad(make) {
    const socket = await openClient(server, {});
    try {
        assert.equal(socket.transport.name, "polling", "opens on polling");
        const received = [];
        const sentOn = { polling: 0, websocket: 0 };
        let sent = 0;
        let sentAtUpgrading = -1;
        let sentAtUpgrade = -1;
        socket.once("upgrading", () => { sentAtUpgrading = sent; });
        socket.once("upgrade", () => { sentAtUpgrade = sent; });
        const upgraded = withTimeout(
            new Promise((resolve) => socket.once("upgrade", resolve)), 10000, "upgrade");
        const allEchoed = withTimeout(new Promise((resolve, reject) => {
            socket.on("message", (m) => {
                received.push(keyOf(m));
                if (received.length === COUNT) resolve();
            });
            socket.on("close", (reason, desc) => reject(new Error(
                `closed after ${received.length} echoes: ${reason} ${desc?.message ?? ""}`)));
        }), 30000, `${COUNT} echoes`).catch((err) => {
            err.message += ` (received ${received.length}, transport ${socket.transport.name})`;
            throw err;
        });

        const expected = [];
        await new Promise((resolve) => {
            const tick = () => {
                for (let i = 0; i < PER_TICK && sent < COUNT; i++) {
                    const m = make(sent++);
                    expected.push(keyOf(m));
                    sentOn[socket.transport.name]++;
                    socket.send(m);
                }
                if (sent < COUNT) setTimeout(tick, 1);
                else resolve();
            };
            tick();
        });
        await upgraded;
        await allEchoed;

        const dupes = received.length - new Set(received).size;
        assert.equal(dupes, 0, `${dupes} duplicated echoes`);
        const firstOff = received.findIndex((m, i) => m !== expected[i]);
        assert.equal(firstOff, -1, `echo #${firstOff} is ${received[firstOff]}, ` +
            `expected ${expected[firstOff]} (sent ${sentAtUpgrading} before 'upgrading', ` +
            `${sentAtUpgrade} before 'upgrade')`);
        assert.deepEqual(received, expected);
        assert.equal(socket.transport.name, "websocket", "transport after the run");
        assert.ok(sentAtUpgrading > 0, `messages sent before the upgrade began: ${sentAtUpgrading}`);
        assert.ok(sentAtUpgrade < COUNT, `messages sent after the upgrade: ${COUNT - sentAtUpgrade}`);
        return `sent ${sentAtUpgrading} before 'upgrading', ${sentAtUpgrade - sentAtUpgrading} ` +
            `between 'upgrading' and 'upgrade', ${COUNT - sentAtUpgrade} after; ` +
            `transport at send time ${JSON.stringify(sentOn)}`;
    } finally {
        socket.close();
    }
}

test("1000 text messages each way across the upgrade", { timeout: 60000 }, async (t) => {
    t.diagnostic(await upgradeUnderLoad((i) => `msg-${i}`));
});

test("1000 text and binary messages each way across the upgrade", { timeout: 60000 }, async (t) => {
    t.diagnostic(await upgradeUnderLoad((i) => {
        if (i % 3 !== 0) return `m${i}`;
        const b = Buffer.alloc(4 + (i % 17), i & 0xff);
        b.writeUInt32BE(i);
        return b;
    }));
});

test("10 upgrades under load in a row", { timeout: 90000 }, async (t) => {
    for (let r = 0; r < 10; r++) {
        t.diagnostic(`round ${r}: ${await upgradeUnderLoad((i) => `r${r}-${i}`)}`);
    }
});

/** A raw `ws` socket that answers pings and records what it receives. */
async function rawUpgradeSocket(sid) {
    const ws = new WebSocket(`ws://${server.host}:${server.port}${ENGINE_PATH}?EIO=4&transport=websocket&sid=${sid}`);
    const log = [];
    const waiters = [];
    ws.on("message", (d, isBinary) => {
        const m = isBinary ? `bin:${d.toString("hex")}` : d.toString();
        if (m === "2") {
            ws.send("3");
            return;
        }
        log.push(m);
        for (const w of waiters.splice(0)) w();
    });
    ws.on("close", (code) => {
        log.push(`close ${code}`);
        for (const w of waiters.splice(0)) w();
    });
    ws.on("error", () => {});
    await withTimeout(new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("unexpected-response", (req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
        ws.once("error", reject);
    }), 5000, "websocket open");
    const until = (pred, what) => withTimeout(new Promise((resolve) => {
        const check = () => (pred(log) ? resolve(log) : waiters.push(check));
        check();
    }), 5000, `${what}; got ${JSON.stringify(log)}`);
    return { ws, log, until };
}

test("raw upgrade: 2probe/3probe, pending poll released with noop, POST during upgrade, 5", { timeout: 20000 }, async () => {
    const { sid } = await pollingHandshake(server);
    const q = `${ENGINE_PATH}?EIO=4&transport=polling&sid=${sid}`;
    // Keep the session alive with pongs over polling until the upgrade completes.
    const pending = httpRequest(server, { path: q });
    await sleep(30);
    const raw = await rawUpgradeSocket(sid);
    raw.ws.send("2probe");
    await raw.until((l) => l.includes("3probe"), "3probe");
    assert.deepEqual(raw.log, ["3probe"]);
    const released = await withTimeout(pending, 5000, "pending poll released");
    assert.equal(released.status, 200);
    assert.match(released.body.toString(), /^(2\x1e)?6$|^6(\x1e2)?$/, `pending poll got ${JSON.stringify(released.body.toString())}`);
    const during = await httpRequest(server, {
        method: "POST", path: q, headers: { "Content-Type": "text/plain;charset=UTF-8" }, body: "4during\x1e3",
    });
    assert.equal(during.status, 200, "a POST between probe and upgrade is still accepted");
    raw.ws.send("5");
    raw.ws.send("4after");
    await raw.until((l) => l.includes("4after"), "echo after the upgrade");
    assert.deepEqual(raw.log, ["3probe", "4during", "4after"]);
    // The polling transport is closed now.
    assertEngineError(await httpRequest(server, { path: q }), 3, "Bad request");
    assertEngineError(await httpRequest(server, {
        method: "POST", path: q, headers: { "Content-Type": "text/plain;charset=UTF-8" }, body: "4x",
    }), 3, "Bad request");
    // A second websocket for the same sid is closed; the first one goes on.
    const second = await rawUpgradeSocket(sid);
    await second.until((l) => l.some((m) => m.startsWith("close")), "second websocket closed");
    raw.ws.send("4still");
    await raw.until((l) => l.includes("4still"), "first websocket still echoes");
    raw.ws.close();
});
