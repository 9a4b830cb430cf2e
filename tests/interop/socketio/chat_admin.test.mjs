// chat_server "/admin": multiplexed with "/" over one Engine.IO connection (a shared Manager);
// get-stats counts the sockets of "/" only, emits `stats` and acks the same object.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";

import {
    assertNone,
    closeAll,
    connect,
    flush,
    manager,
    managerSocket,
    MARKER,
    MODES,
    skipUnless,
    startServer,
    stopAndCheck,
    T,
} from "./support.mjs";

describe("chat_server /admin", { skip: skipUnless("chat") }, () => {
    let server;
    // A server per test: get-stats counts every socket of "/" on it.
    beforeEach(async () => {
        server = await startServer("chat");
    });
    afterEach(async () => {
        closeAll();
        await stopAndCheck(server);
    });

    /** get-stats through the ack and through the `stats` event, which must agree. */
    async function stats(admin) {
        const before = admin.received("stats").length;
        const acked = await admin.emitAck("get-stats");
        const [args] = (await admin.waitFor("stats", { count: before + 1 })).slice(before);
        assert.deepEqual(args, [acked], "the stats event carries what the ack does");
        return acked;
    }

    for (const [mode, opts] of Object.entries(MODES)) {
        test(`"/" and "/admin" share one Engine.IO connection (${mode})`, T(), async () => {
            const m = manager(server, opts);
            const main = await managerSocket(m, "/");
            const engineId = m.engine.id;
            const admin = await managerSocket(m, "/admin");
            assert.ok(engineId, "an Engine.IO session id");
            assert.equal(main.socket.io, admin.socket.io, "one Manager");
            assert.equal(m.engine.id, engineId, "no second Engine.IO connection");
            assert.notEqual(main.id, admin.id, "each namespace has its own socket id");
            assert.deepEqual(await stats(admin), { clients: 1 });

            // Both namespaces work at once over the connection.
            const [st, echo] = await Promise.all([
                admin.emitAck("get-stats"),
                main.emitAckAll("binary-echo", [Buffer.from("multiplexed")]),
            ]);
            assert.deepEqual(st, { clients: 1 });
            assert.deepEqual(Buffer.from(echo[0]), Buffer.from("multiplexed"));
            assert.equal(m.engine.id, engineId);
            assertNone(admin, "welcome");
            assert.deepEqual(main.received("welcome"), [[{ id: main.id }]]);

            // Leaving "/" keeps "/admin" and the Engine.IO connection.
            // get-stats follows the DISCONNECT on the same connection, so the server has handled
            // the leave when it answers.
            main.socket.disconnect();
            assert.deepEqual(await stats(admin), { clients: 0 });
            assert.equal(admin.socket.connected, true);
            assert.equal(m.engine.id, engineId);
        });
    }

    test("get-stats counts the sockets of \"/\" only, as they come and go", T(), async () => {
        const adminOnly = await connect(server, { nsp: "/admin" });
        assert.deepEqual(await stats(adminOnly), { clients: 0 });

        const watcher = await connect(server, MODES.websocket);
        const p = await connect(server, MODES.polling);
        const m = manager(server);
        const shared = await managerSocket(m, "/");
        const sharedAdmin = await managerSocket(m, "/admin");
        const moreAdmins = await Promise.all([1, 2].map(() => connect(server, { nsp: "/admin" })));
        assert.deepEqual(await stats(adminOnly), { clients: 3 });
        assert.deepEqual(await stats(sharedAdmin), { clients: 3 });
        assert.deepEqual(await stats(moreAdmins[0]), { clients: 3 });

        // Admin sockets never appear in "/"'s presence events.
        await flush(watcher);
        const known = new Set([p.id, shared.id]);
        for (const [args] of watcher.received("user-connected")) assert.ok(known.has(args.id));

        const pId = p.id;
        p.close();
        await watcher.waitFor("user-disconnected", { filter: (x) => x.id === pId });
        assert.deepEqual(await stats(adminOnly), { clients: 2 });

        const sharedId = shared.id;
        shared.socket.disconnect();
        await watcher.waitFor("user-disconnected", { filter: (x) => x.id === sharedId });
        assert.deepEqual(await stats(sharedAdmin), { clients: 1 });

        // A refused "/" connection is not counted.
        const bad = await connect(server, { wait: false, auth: { token: "bad" } });
        await bad.nextConnectError();
        assert.deepEqual(await stats(adminOnly), { clients: 1 });
    });

    test('the "bad" token rule is for "/" only: "/admin" accepts it', T(), async () => {
        const watcher = await connect(server);
        const admin = await connect(server, { nsp: "/admin", auth: { token: "bad" } });
        assert.deepEqual(await stats(admin), { clients: 1 });
        await flush(watcher);
        assertNone(admin, "welcome");
        assertNone(watcher, "user-connected");
    });

    test("get-stats without an ack still emits stats", T(), async () => {
        const c = await connect(server);
        const admin = await connect(server, { nsp: "/admin" });
        admin.socket.emit("get-stats");
        const [args] = await admin.waitFor("stats");
        assert.deepEqual(args, [{ clients: 1 }]);
        assert.ok(c.socket.connected);
    });

    test('"/" events do not leak into "/admin" and back', T(), async () => {
        const m = manager(server);
        const main = await managerSocket(m, "/");
        const admin = await managerSocket(m, "/admin");
        const other = await connect(server);
        await main.waitFor("user-connected");
        assert.ok(Number.isInteger(await other.emitAck("enviar-mensaje", "to /")));
        await main.waitFor("enviar-mensaje");
        // "/admin" has no chat handlers: enviar-mensaje there is unknown, hence not acked. An ack
        // would come before the answer to the marker sent after it on the same socket.
        let acked = false;
        admin.socket.emit("enviar-mensaje", "on admin", () => { acked = true; });
        await flush(admin, MARKER.chatAdmin);
        assert.equal(acked, false, "enviar-mensaje on /admin was acked");
        await flush([main, other]);
        assert.deepEqual(main.payloads("enviar-mensaje"), ["to /"]);
        assertNone(other, "enviar-mensaje");
        assertNone(admin, "enviar-mensaje");
        assertNone(admin, "user-connected");
        assert.deepEqual(await stats(admin), { clients: 2 });
    });
});
