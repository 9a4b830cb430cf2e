// Volatile packets, as socket.io 4.8: dropped whenever the transport is not writable — over
// WebSocket while a write is in flight, over polling when no GET is parked — not only past a
// byte bound. A burst emitted in one go therefore reaches a WebSocket client as its first packet
// only (the first starts a write; the others find it in flight), and a polling client as at most
// that one. The burst's ack is sent after it, so what arrived before the ack is all there is.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { closeAll, connect, MODES, skipUnless, startServer, stopAndCheck, T } from "./support.mjs";

const COUNT = 50;

describe("volatile", { skip: skipUnless("parity") }, () => {
    let server;
    before(async () => {
        server = await startServer("parity");
    });
    after(async () => {
        closeAll();
        await stopAndCheck(server);
    });

    /** The "v" payloads `c` received since `from`, in order. */
    const volatiles = (c, from) =>
        c.events.slice(from).filter((e) => e.event === "v").map((e) => e.args[0]);

    test("a burst to a WebSocket client: the first goes, the rest are dropped", T(), async () => {
        const c = await connect(server, MODES.websocket);
        assert.deepEqual(await c.emitAck("echo", "warm"), "warm");
        const from = c.events.length;
        assert.equal(await c.emitAck("burst", { count: COUNT }), true);
        assert.deepEqual(volatiles(c, from), [0]);
        // The transport is writable again once that write completed: the next burst sends one.
        const again = c.events.length;
        assert.equal(await c.emitAck("burst", { count: COUNT }), true);
        assert.deepEqual(volatiles(c, again), [0]);
    });

    test("a volatile broadcast burst: each WebSocket client gets the first only", T(), async () => {
        const clients = await Promise.all([1, 2, 3].map(() => connect(server, MODES.websocket)));
        for (const c of clients) assert.equal(await c.emitAck("echo", 1), 1);
        const marks = clients.map((c) => c.events.length);
        assert.equal(await clients[0].emitAck("burst", { count: COUNT, all: true }), true);
        // Each client's own ack after the burst, so the burst has reached it.
        for (const c of clients) assert.equal(await c.emitAck("echo", 2), 2);
        clients.forEach((c, i) => assert.deepEqual(volatiles(c, marks[i]), [0], `client ${i}`));
    });

    test("a burst to a polling client: at most the first, with a GET parked", T(), async () => {
        const c = await connect(server, MODES.polling);
        const from = c.events.length;
        assert.equal(await c.emitAck("burst", { count: COUNT }), true);
        const got = volatiles(c, from);
        assert.ok(got.length <= 1 && (got.length === 0 || got[0] === 0), JSON.stringify(got));
    });
});
