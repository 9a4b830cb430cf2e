// Presence: `clients` on connection (own id included), then `user-connected` /
// `user-disconnected` about the others, never about oneself. Websocket and polling clients.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { closeAll, connect, freshServer, sleep, stopAndCheck } from "./support/feed.mjs";

const EVENTS = ["clients", "user-connected", "user-disconnected"];

let server;
before(async () => {
    server = await freshServer();
});
after(async () => {
    await stopAndCheck(server);
});

async function waitForNoClients() {
    const deadline = Date.now() + 5000;
    for (;;) {
        const status = await (await fetch(`${server.url}/healthz`)).json();
        if (status.clients === 0) return;
        if (Date.now() > deadline) throw new Error(`clients still connected: ${JSON.stringify(status)}`);
        await sleep(50);
    }
}

function assertNothingAboutItself(socket) {
    for (const e of socket.rec.log) {
        if (e.event === "clients") continue;
        assert.notEqual(e.args[0].id, socket.id, `${e.event} about the socket itself`);
    }
}

for (const [name, transports] of [
    ["websocket", ["websocket"]],
    ["polling", ["polling"]],
]) {
    test(`presence over ${name}`, { timeout: 20000 }, async () => {
        let a, b, c, d;
        try {
            a = await connect(server.url, { events: EVENTS, transports });
            await a.rec.count("clients", 1, 5000);
            assert.deepEqual(a.rec.of("clients"), [[a.id]], "the first client sees only itself");

            b = await connect(server.url, { events: EVENTS, transports });
            await b.rec.count("clients", 1, 5000);
            assert.equal(b.rec.of("clients").length, 1);
            assert.deepEqual([...b.rec.of("clients")[0]].sort(), [a.id, b.id].sort());
            await a.rec.count("user-connected", 1, 5000);
            assert.deepEqual(a.rec.of("user-connected"), [{ id: b.id }]);

            c = await connect(server.url, { events: EVENTS, transports });
            await c.rec.count("clients", 1, 5000);
            assert.deepEqual([...c.rec.of("clients")[0]].sort(), [a.id, b.id, c.id].sort());
            await a.rec.count("user-connected", 2, 5000);
            await b.rec.count("user-connected", 1, 5000);
            assert.deepEqual(a.rec.of("user-connected"), [{ id: b.id }, { id: c.id }]);
            assert.deepEqual(b.rec.of("user-connected"), [{ id: c.id }]);

            const bId = b.id;
            b.close();
            await a.rec.count("user-disconnected", 1, 5000);
            await c.rec.count("user-disconnected", 1, 5000);
            assert.deepEqual(a.rec.of("user-disconnected"), [{ id: bId }]);
            assert.deepEqual(c.rec.of("user-disconnected"), [{ id: bId }]);

            // Marker: a newcomer, whose user-connected reaches a and c after anything late or
            // duplicated about the others.
            d = await connect(server.url, { events: EVENTS, transports });
            const isD = (p) => p.id === d.id;
            for (const s of [a, c]) {
                await s.rec.until((r) => r.of("user-connected").some(isD), 5000, "the marker");
            }
            for (const s of [a, c]) assertNothingAboutItself(s);
            assert.equal(a.rec.of("clients").length, 1, "clients is sent once");
            assert.equal(a.rec.of("user-connected").filter((p) => !isD(p)).length, 2);
            assert.equal(a.rec.of("user-disconnected").length, 1);
            assert.equal(c.rec.of("user-connected").filter((p) => !isD(p)).length, 0,
                "c saw nobody but the marker arrive after it");
            assert.equal(c.rec.of("user-disconnected").length, 1);
        } finally {
            closeAll(a, b, c, d);
            // The next case starts with nobody connected.
            await waitForNoClients();
        }
    });
}
