// chat_server over every transport mode: polling only, WebSocket only, and polling upgraded to
// WebSocket, alone and mixed in one conversation, including traffic during the upgrade.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import process from "node:process";
import { after, afterEach, before, describe, test } from "node:test";

import {
    closeAll,
    connect,
    flush,
    MODES,
    normalizeBinary,
    patternBytes,
    skipUnless,
    sleep,
    startServer,
    stopAndCheck,
    T,
    withTimeout,
} from "./support.mjs";

describe("chat_server transports", { skip: skipUnless("chat") }, () => {
    let server;
    before(async () => {
        server = await startServer("chat");
    });
    afterEach(() => closeAll());
    after(() => stopAndCheck(server));

    test("each mode ends on the transport it asked for", T(), async () => {
        const p = await connect(server, MODES.polling);
        const w = await connect(server, MODES.websocket);
        const u = await connect(server, MODES.upgrade);
        if (u.socket.io.engine.transport.name !== "websocket") {
            await withTimeout(new Promise((resolve) => u.socket.io.engine.once("upgrade", resolve)),
                5000, "upgrade to websocket");
        }
        assert.equal(p.socket.io.engine.transport.name, "polling");
        assert.equal(w.socket.io.engine.transport.name, "websocket");
        assert.equal(u.socket.io.engine.transport.name, "websocket");
        // The upgrade keeps the session: same Socket.IO id, one welcome.
        await u.waitFor("welcome");
        await flush(u);
        assert.deepEqual(u.received("welcome"), [[{ id: u.id }]]);
    });

    test("clients of every mode talk to each other", T(20000), async () => {
        const clients = [];
        for (const opts of [MODES.polling, MODES.websocket, MODES.upgrade, MODES.polling,
            MODES.websocket, MODES.upgrade]) {
            clients.push(await connect(server, opts));
        }
        const room = `mixed-${crypto.randomUUID()}`;
        await Promise.all(clients.map((c) => c.emitAck("join", room)));
        const ids = [];
        for (const [k, c] of clients.entries()) {
            ids.push(await c.emitAck("enviar-mensaje", { from: k }));
            await c.emitAck("to-room", { room, payload: { roomFrom: k, bin: patternBytes(100, k + 1) } });
        }
        assert.equal(new Set(ids).size, ids.length);
        for (const [k, c] of clients.entries()) {
            const msgs = await c.waitFor("enviar-mensaje", { count: clients.length - 1 });
            assert.deepEqual(msgs.map((args) => args[0].from).sort(),
                [0, 1, 2, 3, 4, 5].filter((x) => x !== k));
            const rm = await c.waitFor("room-message", { count: clients.length - 1 });
            for (const [payload] of rm) {
                assert.deepEqual(normalizeBinary(payload.bin),
                    patternBytes(100, payload.roomFrom + 1));
            }
            const [echo] = await c.emitAckAll("binary-echo", [{ k, b: patternBytes(5000, 99) }]);
            assert.deepEqual(normalizeBinary(echo), { k, b: patternBytes(5000, 99) });
        }
        await flush(clients);
        for (const c of clients) {
            assert.equal(c.received("enviar-mensaje").length, clients.length - 1);
            assert.equal(c.received("room-message").length, clients.length - 1);
        }
    });

    test("traffic during the upgrade is neither lost nor duplicated", T(), async () => {
        const receiver = await connect(server, MODES.websocket);
        for (let round = 0; round < 3; round++) {
            const sender = await connect(server, { ...MODES.upgrade, wait: false });
            // Start sending at once, while the client still polls and then probes.
            const n = 100;
            const tag = crypto.randomUUID();
            const acks = [];
            for (let i = 0; i < n; i++) {
                acks.push(sender.emitAck("enviar-mensaje", { tag, i, pad: "p".repeat(i * 10) }));
                // Spreads the sends over the polling phase and the upgrade (not synchronization).
                if (i % 10 === 9) await sleep(5);
            }
            const ids = await Promise.all(acks);
            for (let i = 1; i < n; i++) assert.ok(ids[i] > ids[i - 1], `ack #${i}`);
            const got = await receiver.waitFor("enviar-mensaje",
                { count: n, filter: (p) => p.tag === tag });
            assert.deepEqual(got.map((args) => args[0].i), Array.from({ length: n }, (_, i) => i));
            // And the other way, from the server to the upgrading client.
            const echoes = await Promise.all(Array.from({ length: 20 },
                (_, i) => sender.emitAckAll("binary-echo", [patternBytes(2000 + i, i + 1)])));
            echoes.forEach(([b], i) => assert.ok(Buffer.from(b).equals(patternBytes(2000 + i, i + 1))));
            // Every message was acked, so a duplicate would come before the marker's answer.
            await flush(receiver);
            assert.equal(
                receiver.received("enviar-mensaje").filter(([p]) => p.tag === tag).length, n);
            sender.close();
        }
    });

    test("a polling client with several messages per request gets them all", T(), async () => {
        const [sender, r] = [await connect(server, MODES.polling), await connect(server, MODES.polling)];
        // Emitted in one tick: engine.io-client batches them into one POST.
        const n = 50;
        for (let i = 0; i < n; i++) sender.socket.emit("enviar-mensaje", { batch: i, "ü": "ñ😀" });
        const got = await r.waitFor("enviar-mensaje", { count: n });
        assert.deepEqual(got.map(([p]) => p.batch), Array.from({ length: n }, (_, i) => i));
        assert.equal(got[0][0]["ü"], "ñ😀");
    });

    test("the handshake announces Node's defaults and CORS allows any origin", T(), async () => {
        const origin = "http://example.test:8080";
        const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`,
            { headers: { Origin: origin } });
        assert.equal(res.status, 200);
        const allowed = res.headers.get("access-control-allow-origin");
        assert.ok(allowed === "*" || allowed === origin, `Access-Control-Allow-Origin: ${allowed}`);
        const text = await res.text();
        assert.equal(text[0], "0");
        const open = JSON.parse(text.slice(1));
        assert.deepEqual(
            { pingInterval: open.pingInterval, pingTimeout: open.pingTimeout, maxPayload: open.maxPayload,
                upgrades: open.upgrades },
            { pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000, upgrades: ["websocket"] });
        const preflight = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, {
            method: "OPTIONS",
            headers: { Origin: origin, "Access-Control-Request-Method": "POST" },
        });
        assert.ok(preflight.status === 204 || preflight.status === 200, `preflight ${preflight.status}`);
        const pre = preflight.headers.get("access-control-allow-origin");
        assert.ok(pre === "*" || pre === origin, `preflight Access-Control-Allow-Origin: ${pre}`);
    });

    test("SIGINT stops the server promptly, with clients connected", T(), async () => {
        const own = await startServer("chat");
        const clients = [await connect(own, MODES.websocket), await connect(own, MODES.polling)];
        const gone = clients.map((c) => c.nextDisconnect(5000));
        const exited = new Promise((resolve) => {
            const timer = setInterval(() => {
                if (own.exited) {
                    clearInterval(timer);
                    resolve(own.exited);
                }
            }, 10);
        });
        process.kill(own.pid, "SIGINT");
        const r = await withTimeout(exited, 3000, "exit after SIGINT");
        assert.ok(r.code === 0 || r.signal === "SIGINT", `exit ${JSON.stringify(r)}`);
        await Promise.all(gone);
        await own.stop();
    });
});
