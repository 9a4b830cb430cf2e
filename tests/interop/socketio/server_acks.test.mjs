// socketio_test_server acks the other way: the server emits with an ack to one client
// (socket.timeout(2s).emitWithAck) and to everyone (io.timeout(1s).emit with acks counted).
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";

import {
    closeAll,
    connect,
    connectMany,
    flush,
    isNodeTwin,
    MARKER,
    MODES,
    normalizeBinary,
    patternBytes,
    skipUnless,
    sleep,
    startServer,
    stopAndCheck,
    T,
} from "./support.mjs";

const ACK_TIMEOUT_MS = 2000; // socketio_test_server's request-ack
const BROADCAST_TIMEOUT_MS = 1000; // and broadcast-with-ack

// Known server bug (reported): socket::start_ack does `pending.handler = std::move(handler)`,
// and Boost 1.81's any_completion_handler move assignment copies `other` as an lvalue into its
// unconstrained converting constructor, which wraps itself forever: the first
// socket.emit_with_ack overflows the stack and the server dies with SIGSEGV.
const TODO_EMIT_WITH_ACK = isNodeTwin("test") ? false :
    "server bug: socket.emit_with_ack crashes the server (SIGSEGV, endless recursion in " +
    "Boost 1.81 any_completion_handler move assignment, src/server/socket.cpp start_ack)";

describe("server-to-client acks (socket.emit_with_ack)", { skip: skipUnless("test") }, () => {
    let server;
    // A server per test, so that one crash (see TODO_EMIT_WITH_ACK) does not hide the others.
    beforeEach(async () => {
        server = await startServer("test");
    });
    afterEach(async () => {
        closeAll();
        try {
            await stopAndCheck(server);
        } catch (err) {
            // The todo tests below report the crash themselves; the suite stays green.
            if (!TODO_EMIT_WITH_ACK || !/died during the tests/.test(err.message)) throw err;
        }
    });

    /** Runs a test body, turning "the server died" into a clear error. */
    const alive = (fn) => async () => {
        try {
            await fn();
        } catch (err) {
            // Only for the message: gives a crash a moment to be reaped (never decides pass/fail).
            await sleep(50);
            if (server.exited) {
                err.message = `server died (${JSON.stringify(server.exited)}): ${err.message}`;
            }
            throw err;
        }
    };
    const TT = (ms) => T(ms);

    for (const [mode, opts] of Object.entries(MODES)) {
        test(`the client's ack reaches the server's callback (${mode})`, TT(), alive(async () => {
            const c = await connect(server, opts);
            c.socket.on("question", (a, b, cb) => cb("answer", a + b, { nested: [a, b] }));
            const reply = await c.emitAck("request-ack", "question", 1, 2);
            assert.deepEqual(reply, { ok: true, reply: ["answer", 3, { nested: [1, 2] }] });
        }));

        test(`binary in the client's ack reaches the server byte for byte (${mode})`,
            TT(), alive(async () => {
                const c = await connect(server, opts);
                const big = patternBytes(50000, 3);
                c.socket.on("give-binary", (name, cb) =>
                    cb({ name, data: big, parts: [patternBytes(3, 4), "t"] }, patternBytes(9, 5)));
                const reply = await c.emitAck("request-ack", "give-binary", "f.bin");
                assert.deepEqual(normalizeBinary(reply), {
                    ok: true,
                    reply: [{ name: "f.bin", data: big, parts: [patternBytes(3, 4), "t"] },
                        patternBytes(9, 5)],
                });
            }));
    }

    test("the server's emit carries its arguments, binary included", TT(), alive(async () => {
        const c = await connect(server);
        let seen;
        c.socket.on("inspect", (...args) => {
            const cb = args.pop();
            seen = args;
            cb("seen");
        });
        const bytes = patternBytes(1000, 8);
        const reply = await c.emitAck("request-ack", "inspect", { a: 1 }, bytes, null, "ü😀");
        assert.deepEqual(reply, { ok: true, reply: ["seen"] });
        assert.deepEqual(normalizeBinary(seen), [{ a: 1 }, bytes, null, "ü😀"]);
    }));

    test("an ack with no arguments gives an empty reply", TT(), alive(async () => {
        const c = await connect(server);
        c.socket.on("empty", (cb) => cb());
        assert.deepEqual(await c.emitAck("request-ack", "empty"), { ok: true, reply: [] });
    }));

    test("a late ack (before the timeout) still counts", TT(), alive(async () => {
        const c = await connect(server);
        c.socket.on("slow", (cb) => setTimeout(() => cb("late"), 500));
        assert.deepEqual(await c.emitAck("request-ack", "slow"), { ok: true, reply: ["late"] });
    }));

    test("a client that never answers makes the server time out", TT(), alive(async () => {
        const c = await connect(server);
        let asked = 0;
        c.socket.on("ignored", () => asked++); // never calls the ack
        const t0 = Date.now();
        const [reply] = await c.emitAckAll("request-ack", ["ignored"], ACK_TIMEOUT_MS + 3000);
        const elapsed = Date.now() - t0;
        assert.equal(asked, 1);
        assert.deepEqual(reply, { ok: false, error: "operation has timed out" });
        assert.ok(elapsed >= ACK_TIMEOUT_MS - 100, `timed out after ${elapsed} ms`);
        assert.ok(c.socket.connected);
    }));

    test("an event the client has no handler for times out too", TT(), alive(async () => {
        const c = await connect(server);
        const [reply] = await c.emitAckAll("request-ack", ["nobody-listens"], ACK_TIMEOUT_MS + 3000);
        assert.deepEqual(reply, { ok: false, error: "operation has timed out" });
    }));

    test("concurrent acks are matched to their own requests", TT(), alive(async () => {
        const c = await connect(server, MODES.polling);
        c.socket.on("double", (n, cb) => setTimeout(() => cb(n * 2), (n * 37) % 200));
        const replies = await Promise.all(Array.from({ length: 40 },
            (_, n) => c.emitAck("request-ack", "double", n)));
        replies.forEach((r, n) => assert.deepEqual(r, { ok: true, reply: [n * 2] }));
    }));
});

describe("broadcast acks (io.timeout().emit_with_ack)", { skip: skipUnless("test") }, () => {
    let server;
    // A server per test: broadcast-with-ack counts every socket of "/".
    beforeEach(async () => {
        server = await startServer("test");
    });
    afterEach(async () => {
        closeAll();
        await stopAndCheck(server);
    });

    test("a broadcast ack counts every answer", T(), async () => {
        const clients = await connectMany(server, 4, MODES.websocket);
        clients.forEach((c, k) => c.socket.on("ping-all", (cb) => cb(`pong-${k}`)));
        // A 30 s timeout: completing well before it proves the server did not wait it out, with
        // a margin no scheduler delay eats (with 1 s, a loaded machine could blur the two).
        const t0 = Date.now();
        const [r] = await clients[0].emitAckAll("broadcast-with-ack", [{ timeout_ms: 30000 }], 40000);
        assert.equal(r.count, 4);
        assert.equal(r.timeout, false);
        assert.ok(Date.now() - t0 < 15000, "all answered: no need to wait");
        assert.deepEqual(r.responses.map(([x]) => x).sort(), ["pong-0", "pong-1", "pong-2", "pong-3"]);
    });

    test("a broadcast ack with a silent client times out with the answers it got", T(), async () => {
        const clients = await connectMany(server, 3);
        const silent = await connect(server, MODES.polling);
        clients.forEach((c) => c.socket.on("ping-all", (cb) => cb("pong")));
        let silentAsked = 0;
        silent.socket.on("ping-all", () => silentAsked++);
        const t0 = Date.now();
        const r = await clients[1].emitAck("broadcast-with-ack");
        const elapsed = Date.now() - t0;
        assert.deepEqual({ count: r.count, timeout: r.timeout }, { count: 3, timeout: true });
        assert.equal(silentAsked, 1);
        assert.ok(elapsed >= BROADCAST_TIMEOUT_MS - 100, `answered after ${elapsed} ms`);
    });

    test("a broadcast ack reaches only \"/\"", T(), async () => {
        const c = await connect(server);
        const dyn = await connect(server, { nsp: "/dyn-acks" });
        const priv = await connect(server, { nsp: "/private", auth: { token: "ok" } });
        c.socket.on("ping-all", (cb) => cb("main"));
        for (const x of [dyn, priv]) x.socket.on("ping-all", (cb) => cb("wrong"));
        const r = await c.emitAck("broadcast-with-ack");
        assert.deepEqual(r, { count: 1, timeout: false, responses: [["main"]] });
        // The broadcast went out before its ack came back: anything it sent dyn and priv comes
        // before the answers to their markers.
        await flush([dyn, priv], MARKER.test);
        assert.equal(dyn.received("ping-all").length, 0);
        assert.equal(priv.received("ping-all").length, 0);
    });

    test("a broadcast ack with only the requester connected counts one", T(), async () => {
        const c = await connect(server, MODES.polling);
        c.socket.on("ping-all", (cb) => cb({ me: true }));
        assert.deepEqual(await c.emitAck("broadcast-with-ack"),
            { count: 1, timeout: false, responses: [[{ me: true }]] });
    });
});
