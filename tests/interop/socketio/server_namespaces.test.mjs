// socketio_test_server namespaces and sockets: middleware refusal with data, server-side
// disconnect (with and without close), rooms, dynamic namespaces, fetch_sockets, and the
// disconnect reasons the server sees.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { afterEach, beforeEach, describe, test } from "node:test";

import {
    assertNoReconnection,
    assertNone,
    closeAll,
    connect,
    connectMany,
    isNodeTwin,
    manager,
    managerSocket,
    MODES,
    skipUnless,
    sleep,
    startServer,
    stopAndCheck,
    T,
    upgraded,
    withTimeout,
} from "./support.mjs";

// Known server bug (reported): over polling, s.disconnect(true) answers the pending GET with
// "41/private,\x1e41\x1e1" — the DISCONNECT packets and the Engine.IO close in one payload.
// socket.io-client handles the close at once and the DISCONNECTs a tick later, so its sockets
// see "transport close" (and reconnect). Node flushes the packets first ("41\x1e41/private,")
// and closes in a later response ("6\x1e1"), so the client sees "io server disconnect".
const TODO_POLLING_CLOSE = isNodeTwin("test") ? false :
    "server bug: over polling, disconnect(true) sends DISCONNECT and the Engine.IO close in one " +
    "payload; the client sees \"transport close\", not \"io server disconnect\"";

describe("socketio_test_server namespaces", { skip: skipUnless("test") }, () => {
    let server;
    // A server per test: fetch and disconnect-log see every socket of the server.
    beforeEach(async () => {
        server = await startServer("test");
    });
    afterEach(async () => {
        closeAll();
        await stopAndCheck(server);
    });

    /**
     * Polls disconnect-log until `id` is in it (10 s at most: the log is written on the leaver's
     * thread, the asker may be on another); resolves with its entry.
     */
    async function reasonOf(asker, id) {
        const deadline = Date.now() + 10000;
        for (;;) {
            const entry = (await asker.emitAck("disconnect-log")).find((e) => e.id === id);
            if (entry) return entry;
            if (Date.now() > deadline) throw new Error(`${id} is not in the disconnect log`);
            await sleep(20); // pacing between requests, not synchronization
        }
    }

    for (const [mode, opts] of Object.entries(MODES)) {
        test(`a middleware refusal carries its message and data (${mode})`, T(), async () => {
            for (const auth of [undefined, {}, { token: "nope" }, { token: 1 }]) {
                const c = await connect(server, {
                    ...opts,
                    nsp: "/private",
                    wait: false,
                    ...(auth ? { auth } : {}),
                });
                const err = await c.nextConnectError();
                assert.equal(err.message, "not allowed", JSON.stringify(auth));
                assert.deepEqual(err.data, { reason: "no token" });
                assert.equal(c.socket.connected, false);
                assertNone(c, "welcome-private");
            }
            const ok = await connect(server, { ...opts, nsp: "/private", auth: { token: "ok" } });
            const [args] = await ok.waitFor("welcome-private");
            assert.deepEqual(args, [{ id: ok.id }]);
        });
    }

    test("a refusal is not retried, even with reconnection on", T(), async () => {
        const c = await connect(server, {
            nsp: "/private",
            wait: false,
            reconnection: true,
            reconnectionDelay: 50,
            reconnectionDelayMax: 50,
        });
        let errors = 0;
        c.socket.on("connect_error", () => errors++);
        await c.nextConnectError();
        assertNoReconnection(c.socket.io, "after a middleware refusal");
        assert.equal(errors, 1);
        assert.equal(c.socket.active, false);
    });

    test("a refusal on one namespace leaves the others of the connection alone", T(), async () => {
        const m = manager(server);
        const main = await managerSocket(m, "/");
        const engineId = m.engine.id;
        const refused = await managerSocket(m, "/private", { wait: false });
        const err = await refused.nextConnectError();
        assert.equal(err.message, "not allowed");
        assert.deepEqual(err.data, { reason: "no token" });
        assert.equal(main.socket.connected, true);
        assert.deepEqual(await main.emitAck("rooms"), [main.id]);
        // The same socket and Manager, with the token this time (socket.io-client's retry idiom).
        refused.socket.auth = { token: "ok" };
        refused.socket.connect();
        await refused.waitFor("welcome-private");
        assert.equal(refused.socket.connected, true);
        assert.equal(m.engine.id, engineId, "one Engine.IO connection throughout");
    });

    for (const [mode, opts] of Object.entries(MODES)) {
        test(`disconnect-me: the client sees "io server disconnect" and stays away (${mode})`,
            T(), async () => {
                const observer = await connect(server);
                const c = await connect(server, { ...opts, reconnection: true, reconnectionDelay: 50 });
                const id = c.id;
                let attempts = 0;
                c.socket.io.on("reconnect_attempt", () => attempts++);
                const gone = c.nextDisconnect();
                c.socket.emit("disconnect-me", false);
                const [reason] = await gone;
                assert.equal(reason, "io server disconnect");
                assertNoReconnection(c.socket.io, "after a server disconnect");
                assert.equal(c.socket.active, false);
                assert.equal(attempts, 0);
                assert.deepEqual(await reasonOf(observer, id),
                    { id, nsp: "/", reason: "server namespace disconnect" });
            });
    }

    test("disconnect-me(false) ends one namespace, not the connection", T(), async () => {
        const m = manager(server);
        const main = await managerSocket(m, "/");
        const dyn = await managerSocket(m, "/dyn-keep");
        const engineId = m.engine.id;
        const gone = dyn.nextDisconnect();
        dyn.socket.emit("disconnect-me", false);
        assert.equal((await gone)[0], "io server disconnect");
        // Answered after the server handled disconnect-me, on the same connection.
        assert.deepEqual(await main.emitAck("rooms"), [main.id]);
        assert.equal(main.socket.connected, true);
        assert.equal(m.engine.id, engineId);
    });

    for (const [mode, opts] of Object.entries(MODES)) {
        test(`disconnect-me(true) ends every namespace of the connection (${mode})`,
            T(), async () => {
            const observer = await connect(server);
            const m = manager(server, { ...opts, reconnection: true, reconnectionDelay: 50 });
            const main = await managerSocket(m, "/");
            const priv = await managerSocket(m, "/private", { auth: { token: "ok" } });
            // Upgrade mode: on WebSocket by then, so the polling-only bug cannot make it flaky.
            if (mode === "upgrade") await upgraded(m);
            let attempts = 0;
            m.on("reconnect_attempt", () => attempts++);
            const engineClosed = withTimeout(new Promise((resolve) => m.once("close", resolve)),
                5000, "Engine.IO close");
            const gone = [main.nextDisconnect(), priv.nextDisconnect()];
            const ids = [main.id, priv.id];
            priv.socket.emit("disconnect-me", true);
            assert.deepEqual((await Promise.all(gone)).map(([reason]) => reason),
                ["io server disconnect", "io server disconnect"]);
            await engineClosed;
            assertNoReconnection(m, "after a server disconnect");
            assert.equal(attempts, 0, "no reconnection after a server disconnect");
            assert.equal(main.socket.active, false);
            assert.equal(priv.socket.active, false);
            for (const [i, nsp] of [[0, "/"], [1, "/private"]]) {
                assert.deepEqual(await reasonOf(observer, ids[i]),
                    { id: ids[i], nsp, reason: "server namespace disconnect" });
            }
        });
    }

    test("the server sees the disconnect reasons socket.io names", T(), async () => {
        const observer = await connect(server);
        const cases = [
            { opts: MODES.websocket, leave: (c) => c.socket.disconnect(),
                reason: "client namespace disconnect" },
            { opts: MODES.polling, leave: (c) => c.socket.disconnect(),
                reason: "client namespace disconnect" },
            { opts: MODES.websocket, leave: (c) => c.socket.io.engine.close(),
                reason: "transport close" },
            { opts: MODES.polling, leave: (c) => c.socket.io.engine.close(),
                reason: "transport close" },
            { opts: MODES.websocket, leave: (c) => c.socket.io.engine.transport.ws._socket.destroy(),
                reason: "transport close" },
        ];
        for (const { opts, leave, reason } of cases) {
            const c = await connect(server, opts);
            const id = c.id;
            leave(c);
            assert.deepEqual(await reasonOf(observer, id), { id, nsp: "/", reason },
                `${opts.transports} ${leave}`);
        }
    });

    test("rooms: a socket starts in its own room; join and leave change the set", T(), async () => {
        const c = await connect(server, MODES.polling);
        assert.deepEqual(await c.emitAck("rooms"), [c.id]);
        assert.equal(await c.emitAck("join", "a"), true);
        assert.equal(await c.emitAck("join", "b"), true);
        assert.equal(await c.emitAck("join", "a"), true);
        assert.deepEqual((await c.emitAck("rooms")).sort(), [c.id, "a", "b"].sort());
        assert.equal(await c.emitAck("leave", "a"), true);
        assert.deepEqual((await c.emitAck("rooms")).sort(), [c.id, "b"].sort());
        // Rooms are per namespace.
        const m = manager(server);
        const main = await managerSocket(m, "/");
        const dyn = await managerSocket(m, "/dyn-rooms");
        await main.emitAck("join", "only-main");
        assert.deepEqual(await dyn.emitAck("rooms"), [dyn.id]);
        assert.deepEqual((await main.emitAck("rooms")).sort(), [main.id, "only-main"].sort());
    });

    for (const [mode, opts] of Object.entries(MODES)) {
        test(`a dynamic namespace is created on first use (${mode})`, T(), async () => {
            const name = `/dyn-${crypto.randomUUID()}`;
            const a = await connect(server, { ...opts, nsp: name });
            assert.deepEqual(await a.waitFor("welcome-dyn"), [[name]]);
            const b = await connect(server, { ...opts, nsp: name });
            assert.deepEqual(await b.waitFor("welcome-dyn"), [[name]]);
            // The namespace's handlers work, and its sockets are apart from "/".
            assert.deepEqual(await a.emitAck("rooms"), [a.id]);
            const other = await connect(server, { ...opts, nsp: "/dyn-other" });
            assert.deepEqual(await other.waitFor("welcome-dyn"), [["/dyn-other"]]);
        });
    }

    test("a namespace no one accepts is refused with \"Invalid namespace\"", T(), async () => {
        for (const nsp of ["/nope", "/dyn", "/Dyn-x", "/admin"]) {
            const c = await connect(server, { nsp, wait: false });
            const err = await c.nextConnectError();
            assert.equal(err.message, "Invalid namespace", nsp);
        }
        // The connection of a refused namespace still serves the others.
        const m = manager(server);
        const bad = await managerSocket(m, "/nope", { wait: false });
        await bad.nextConnectError();
        const good = await managerSocket(m, "/dyn-after-refusal");
        assert.deepEqual(await good.waitFor("welcome-dyn"), [["/dyn-after-refusal"]]);
    });

    test("a dynamic namespace shares the Engine.IO connection with \"/\"", T(), async () => {
        const m = manager(server, MODES.websocket);
        const main = await managerSocket(m, "/");
        const engineId = m.engine.id;
        const dyn = await managerSocket(m, "/dyn-mux");
        await dyn.waitFor("welcome-dyn");
        assert.equal(m.engine.id, engineId);
        assert.deepEqual(await main.emitAck("rooms"), [main.id]);
        assert.deepEqual(await dyn.emitAck("rooms"), [dyn.id]);
    });

    test("fetch_sockets lists the sockets of \"/\", by room too", T(), async () => {
        const [a, b] = await connectMany(server, 2, MODES.websocket);
        const c = await connect(server, MODES.polling);
        // Other namespaces are not listed.
        await connect(server, { nsp: "/dyn-fetch" });
        await connect(server, { nsp: "/private", auth: { token: "ok" } });
        assert.deepEqual((await a.emitAck("fetch")).sort(), [a.id, b.id, c.id].sort());
        await b.emitAck("join", "club");
        await c.emitAck("join", "club");
        assert.deepEqual((await a.emitAck("fetch", "club")).sort(), [b.id, c.id].sort());
        assert.deepEqual(await a.emitAck("fetch", b.id), [b.id]);
        assert.deepEqual(await a.emitAck("fetch", "empty-room"), []);
        const cId = c.id;
        c.close();
        await reasonOf(a, cId);
        assert.deepEqual((await a.emitAck("fetch")).sort(), [a.id, b.id].sort());
        assert.deepEqual(await a.emitAck("fetch", "club"), [b.id]);
    });

    test("fetch_sockets sees many sockets across the server's threads", T(), async () => {
        const clients = await connectMany(server, 40, MODES.websocket);
        const ids = clients.map((c) => c.id).sort();
        assert.deepEqual((await clients[7].emitAck("fetch")).sort(), ids);
    });
});
