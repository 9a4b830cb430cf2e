// chat_server rooms: join, leave, to-room (members but the sender get room-message; the sender
// need not be a member), with and without acks.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, afterEach, before, describe, test } from "node:test";

import {
    assertNone,
    closeAll,
    connectMany,
    flush,
    MODES,
    skipUnless,
    startServer,
    stopAndCheck,
    T,
} from "./support.mjs";

describe("chat_server rooms", { skip: skipUnless("chat") }, () => {
    let server;
    before(async () => {
        server = await startServer("chat");
    });
    afterEach(() => closeAll());
    after(() => stopAndCheck(server));

    const room = () => `room-${crypto.randomUUID()}`;

    for (const [mode, opts] of Object.entries(MODES)) {
        test(`to-room reaches the members but the sender, once (${mode})`, T(), async () => {
            const [m1, m2, m3, outsider, other] = await connectMany(server, 5, opts);
            const r = room();
            for (const m of [m1, m2, m3]) assert.equal(await m.emitAck("join", r), true);

            // A non-member sends: every member gets it.
            assert.equal(await outsider.emitAck("to-room", { room: r, payload: { n: 1 } }), true);
            // A member sends: the other members get it, not the sender.
            assert.equal(await m1.emitAck("to-room", { room: r, payload: { n: 2 } }), true);
            await m1.waitFor("room-message");
            await Promise.all([m2, m3].map((m) => m.waitFor("room-message", { count: 2 })));
            await flush([m1, m2, m3, outsider, other]);
            assert.deepEqual(m1.received("room-message"), [[{ n: 1 }]]);
            for (const m of [m2, m3]) {
                assert.deepEqual(m.received("room-message"), [[{ n: 1 }], [{ n: 2 }]]);
            }
            assertNone(outsider, "room-message");
            assertNone(other, "room-message");
            for (const c of [m1, m2, m3, outsider, other]) assertNone(c, "enviar-mensaje");
        });
    }

    test("leave stops delivery; acks are true", T(), async () => {
        const [a, b, sender] = await connectMany(server, 3);
        const r = room();
        assert.equal(await a.emitAck("join", r), true);
        assert.equal(await b.emitAck("join", r), true);
        assert.equal(await sender.emitAck("to-room", { room: r, payload: "before" }), true);
        await a.waitFor("room-message");
        await b.waitFor("room-message");
        assert.equal(await b.emitAck("leave", r), true);
        assert.equal(await sender.emitAck("to-room", { room: r, payload: "after" }), true);
        await a.waitFor("room-message", { count: 2 });
        await flush([a, b]);
        assert.deepEqual(a.payloads("room-message"), ["before", "after"]);
        assert.deepEqual(b.payloads("room-message"), ["before"]);
        // Leaving a room one is not in, or twice, is harmless.
        assert.equal(await b.emitAck("leave", r), true);
        assert.equal(await b.emitAck("leave", room()), true);
    });

    test("join twice is one membership; rooms are independent", T(), async () => {
        const [a, b, sender] = await connectMany(server, 3);
        const r1 = room();
        const r2 = room();
        assert.equal(await a.emitAck("join", r1), true);
        assert.equal(await a.emitAck("join", r1), true);
        assert.equal(await b.emitAck("join", r2), true);
        await sender.emitAck("to-room", { room: r1, payload: "one" });
        await sender.emitAck("to-room", { room: r2, payload: "two" });
        await a.waitFor("room-message");
        await b.waitFor("room-message");
        await flush([a, b]);
        assert.deepEqual(a.payloads("room-message"), ["one"]);
        assert.deepEqual(b.payloads("room-message"), ["two"]);
    });

    test("join, leave and to-room work without acks", T(), async () => {
        const [a, b, sender] = await connectMany(server, 3);
        const r = room();
        a.socket.emit("join", r);
        b.socket.emit("join", r);
        // Acked events on the same sockets come after the plain ones: once acked, they joined.
        await a.emitAck("join", r);
        await b.emitAck("join", r);
        sender.socket.emit("to-room", { room: r, payload: { plain: 1 } });
        await a.waitFor("room-message");
        await b.waitFor("room-message");
        b.socket.emit("leave", r);
        await b.emitAck("leave", r);
        sender.socket.emit("to-room", { room: r, payload: { plain: 2 } });
        await a.waitFor("room-message", { count: 2 });
        // The sender's marker is answered after its plain to-room was handled (one socket's
        // packets are handled in order); then a and b have all that to-room sent them.
        await flush(sender);
        await flush([a, b]);
        assert.deepEqual(a.payloads("room-message"), [{ plain: 1 }, { plain: 2 }]);
        assert.deepEqual(b.payloads("room-message"), [{ plain: 1 }]);
    });

    test("to-room to an empty room reaches no one and is acked", T(), async () => {
        const [a, sender] = await connectMany(server, 2);
        assert.equal(await sender.emitAck("to-room", { room: room(), payload: 1 }), true);
        await flush(a);
        assertNone(a, "room-message");
    });

    test("a socket's own id is a room: to-room to it reaches only that socket", T(), async () => {
        const [a, b, sender] = await connectMany(server, 3);
        assert.equal(await sender.emitAck("to-room", { room: a.id, payload: "direct" }), true);
        const [[got]] = await a.waitFor("room-message");
        assert.equal(got, "direct");
        await flush([b, sender]);
        assertNone(b, "room-message");
        assertNone(sender, "room-message");
    });

    test("room-message payloads keep any JSON value", T(), async () => {
        const [a, sender] = await connectMany(server, 2, MODES.polling);
        const r = room();
        await a.emitAck("join", r);
        const values = [{ deep: [1, [2, [3]]] }, "ünï 😀 مرحبا", 1.5, 0, null, false, [], ""];
        for (const payload of values) await sender.emitAck("to-room", { room: r, payload });
        const got = await a.waitFor("room-message", { count: values.length });
        assert.deepEqual(got.map((args) => args[0]), values);
    });

    test("a member who disconnects is no longer in the room", T(), async () => {
        const [a, b, sender] = await connectMany(server, 3);
        const r = room();
        await a.emitAck("join", r);
        await b.emitAck("join", r);
        const bId = b.id;
        b.close();
        await a.waitFor("user-disconnected", { filter: (p) => p.id === bId });
        await sender.emitAck("to-room", { room: r, payload: "after b left" });
        await a.waitFor("room-message");
        assert.deepEqual(a.payloads("room-message"), ["after b left"]);
    });
});
