// chat_server presence and auth: welcome, user-connected, user-disconnected, the "bad" token,
// and reconnection with a new id. Each test has a server of its own, so that no other test's
// clients show up in the presence events.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";

import {
    assertNoReconnection,
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
    withTimeout,
} from "./support.mjs";

describe("chat_server presence", { skip: skipUnless("chat") }, () => {
    let server;
    beforeEach(async () => {
        server = await startServer("chat");
    });
    afterEach(async () => {
        closeAll();
        await stopAndCheck(server);
    });

    for (const [mode, opts] of Object.entries(MODES)) {
        test(`welcome carries the socket's own id, once (${mode})`, T(), async () => {
            const a = await connect(server, opts);
            const [args] = await a.waitFor("welcome");
            assert.deepEqual(args, [{ id: a.id }]);
            await flush(a);
            assert.equal(a.received("welcome").length, 1);
            assertNone(a, "user-connected");
        });
    }

    test("user-connected reaches every other socket, never the newcomer", T(), async () => {
        const a = await connect(server);
        const b = await connect(server, MODES.polling);
        await a.waitFor("user-connected");
        const c = await connect(server, MODES.websocket);
        await a.waitFor("user-connected", { count: 2 });
        await b.waitFor("user-connected");
        await flush([a, b, c]);
        assert.deepEqual(a.received("user-connected"), [[{ id: b.id }], [{ id: c.id }]]);
        assert.deepEqual(b.received("user-connected"), [[{ id: c.id }]]);
        assertNone(c, "user-connected");
        for (const x of [a, b, c]) assert.deepEqual(x.received("welcome"), [[{ id: x.id }]]);
    });

    test("user-disconnected reaches the others whatever the cause", T(), async () => {
        const a = await connect(server);
        const leavers = [
            // The client leaves the namespace ("client namespace disconnect").
            { client: await connect(server, MODES.polling), leave: (x) => x.socket.disconnect() },
            { client: await connect(server, MODES.websocket), leave: (x) => x.socket.disconnect() },
            // The whole Engine.IO connection goes ("transport close").
            { client: await connect(server, MODES.websocket), leave: (x) => x.socket.io.engine.close() },
            { client: await connect(server, MODES.polling), leave: (x) => x.socket.io.engine.close() },
            // The TCP connection dies without a close frame.
            {
                client: await connect(server, MODES.websocket),
                leave: (x) => x.socket.io.engine.transport.ws._socket.destroy(),
            },
        ];
        const ids = leavers.map((l) => l.client.id);
        await a.waitFor("user-connected", { count: leavers.length });
        for (const l of leavers) l.leave(l.client);
        await a.waitFor("user-disconnected", { count: leavers.length });
        await flush(a);
        assert.deepEqual(
            a.payloads("user-disconnected").map((p) => p.id).sort(),
            [...ids].sort());
        for (const args of a.received("user-disconnected")) assert.equal(args.length, 1);
        assert.deepEqual(Object.keys(a.payloads("user-disconnected")[0]), ["id"]);
    });

    test('auth token "bad" is refused with "unauthorized", no retry, no presence', T(), async () => {
        const a = await connect(server);
        for (const opts of [MODES.polling, MODES.websocket, MODES.upgrade]) {
            // Reconnection on: a middleware refusal must still not be retried.
            const bad = await connect(server, {
                ...opts,
                wait: false,
                auth: { token: "bad" },
                reconnection: true,
                reconnectionDelay: 50,
                reconnectionDelayMax: 50,
            });
            let errors = 0;
            bad.socket.on("connect_error", () => errors++);
            const err = await bad.nextConnectError();
            assert.equal(err.message, "unauthorized");
            assert.equal(err.data, undefined);
            assertNoReconnection(bad.socket.io, "after a middleware refusal");
            assert.equal(errors, 1, "connect_error count");
            assert.equal(bad.socket.connected, false);
            assert.equal(bad.socket.active, false, "socket.active after a middleware refusal");
            assertNone(bad, "welcome");
        }
        await flush(a);
        assertNone(a, "user-connected");
        assertNone(a, "user-disconnected");
    });

    test('any other token, or none, is accepted', T(), async () => {
        const auths = [undefined, {}, { token: "good" }, { token: "BAD" }, { token: "bad " },
            { token: 42 }, { token: null }, { token: ["bad"] }, { other: "bad" }];
        for (const auth of auths) {
            const c = await connect(server, auth === undefined ? {} : { auth });
            const [args] = await c.waitFor("welcome");
            assert.deepEqual(args, [{ id: c.id }], JSON.stringify(auth));
        }
    });

    test("after a refusal, the same Engine.IO connection still serves /admin", T(), async () => {
        const a = await connect(server);
        const m = manager(server);
        const bad = await managerSocket(m, "/", { wait: false, auth: { token: "bad" } });
        const err = await bad.nextConnectError();
        assert.equal(err.message, "unauthorized");
        const admin = await managerSocket(m, "/admin");
        assert.deepEqual(await admin.emitAck("get-stats"), { clients: 1 });
        await flush(a);
        await flush(admin, MARKER.chatAdmin);
        assertNone(a, "user-connected");
        assertNone(admin, "welcome");
    });

    for (const [mode, opts] of Object.entries(MODES)) {
        test(`a reconnected client is a new socket, with presence events (${mode})`, T(), async () => {
            const observer = await connect(server);
            const x = await connect(server, {
                ...opts,
                reconnection: true,
                reconnectionDelay: 100,
                reconnectionDelayMax: 100,
                randomizationFactor: 0,
            });
            const oldId = x.id;
            // Its first welcome may come in a frame of its own, after CONNECT: wait for it too.
            await x.waitFor("welcome");
            await observer.waitFor("user-connected", { filter: (p) => p.id === oldId });
            const reasons = [];
            x.socket.on("disconnect", (reason) => reasons.push(reason));
            const reconnected = withTimeout(
                new Promise((resolve) => x.socket.io.once("reconnect", resolve)), 5000,
                "reconnect");
            // The transport goes away under the client (as when the server or network drops it).
            if (x.socket.io.engine.transport.name === "websocket") {
                x.socket.io.engine.transport.ws._socket.destroy();
            } else {
                x.socket.io.engine.close();
            }
            await reconnected;
            await x.waitFor("welcome", { count: 2 });
            const newId = x.id;
            assert.notEqual(newId, oldId);
            assert.equal(reasons.length, 1);
            assert.match(reasons[0], /^(transport close|transport error|forced close)$/);
            assert.deepEqual(x.received("welcome"), [[{ id: oldId }], [{ id: newId }]]);
            await observer.waitFor("user-disconnected", { filter: (p) => p.id === oldId });
            await observer.waitFor("user-connected", { filter: (p) => p.id === newId });
            await flush([observer, x]);
            assert.deepEqual(observer.payloads("user-connected"), [{ id: oldId }, { id: newId }]);
            assert.deepEqual(observer.payloads("user-disconnected"), [{ id: oldId }]);
        });
    }
});
