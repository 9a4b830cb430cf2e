// Raw WebSocket frames (no client library) against /engine.io/: good edge cases are served,
// malformed or oversized frames close that connection and session, and the server goes on.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
    ENGINE_PATH,
    assertEngineError,
    assertServes,
    httpRequest,
    parseServerFrames,
    rawWebSocket,
    showBytes,
    sleep,
    withTimeout,
    wsFrame,
} from "./support/eio.mjs";
import { startServer, stopAndCheck, RELAXED_HEARTBEAT } from "./support/server.mjs";

const OP = { cont: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa };

let server;
before(async () => { server = await startServer(RELAXED_HEARTBEAT); });
after(async () => { await stopAndCheck(server); });

/** A raw Engine.IO websocket: frames as they arrive, and when/how the server ended it. */
async function openRaw() {
    const { socket, head } = await rawWebSocket(server);
    let buf = Buffer.from(head);
    const frames = [];
    const waiters = [];
    let ended = null;
    const endedP = new Promise((resolve) => {
        const done = (how) => {
            if (ended) return;
            ended = { how, at: Date.now() };
            resolve(ended);
            for (const w of waiters.splice(0)) w();
        };
        socket.on("end", () => done("end"));
        socket.on("close", () => done("close"));
        socket.on("error", (err) => done(`error ${err.code}`));
    });
    const pump = () => {
        const { frames: got, rest } = parseServerFrames(buf);
        buf = Buffer.from(rest);
        frames.push(...got);
        for (const w of waiters.splice(0)) w();
    };
    socket.on("data", (c) => {
        buf = Buffer.concat([buf, c]);
        pump();
    });
    pump();
    let read = 0;
    const raw = {
        socket,
        frames,
        get ended() { return ended; },
        /** Resolves with the next unread frame. */
        async next(timeoutMs = 5000) {
            await withTimeout(new Promise((resolve, reject) => {
                const check = () => {
                    if (frames.length > read) resolve();
                    else if (ended) reject(new Error(`connection ended (${ended.how}) with no frame`));
                    else waiters.push(check);
                };
                check();
            }), timeoutMs, "next frame");
            return frames[read++];
        },
        /** Next non-ping Engine.IO text frame. */
        async nextData(timeoutMs = 5000) {
            for (;;) {
                const f = await raw.next(timeoutMs);
                if (f.opcode === OP.text && f.payload.toString() === "2") {
                    socket.write(wsFrame(OP.text, "3"));
                    continue;
                }
                return f;
            }
        },
        /** Resolves when the server has ended the connection (FIN, RST or close). */
        closed: (timeoutMs = 5000) => withTimeout(endedP, timeoutMs, "server closes the connection"),
        /**
         * Resolves when the server sent a close frame or ended the connection: a server may wait
         * for the client's close frame (RFC 6455 closing handshake) before closing TCP.
         */
        closing: (timeoutMs = 5000) => withTimeout(new Promise((resolve) => {
            const check = () => {
                const f = frames.find((x) => x.opcode === OP.close);
                if (f) resolve({ how: "close frame", at: Date.now() });
                else if (ended) resolve(ended);
                else waiters.push(check);
            };
            check();
        }), timeoutMs, "server closes the connection or sends a close frame"),
    };
    const open = await raw.next();
    assert.equal(open.opcode, OP.text);
    assert.match(open.payload.toString(), /^0\{/, `open packet, got ${showBytes(open.payload)}`);
    raw.sid = JSON.parse(open.payload.toString().slice(1)).sid;
    return raw;
}

/**
 * The session must be gone. Polls for up to 10 s: the server ends it when it reads the close or
 * the reset, which on a loaded machine may take a while after our side is done.
 */
async function assertSessionGone(sid) {
    const deadline = Date.now() + 10000;
    let res;
    for (;;) {
        res = await httpRequest(server, { path: `${ENGINE_PATH}?EIO=4&transport=polling&sid=${sid}` });
        // Until then a GET on the websocket session gets another error (code 3, "Bad request").
        const unknown = res.status === 400 && /"code":1\b/.test(res.body.toString("utf8"));
        if (unknown || Date.now() > deadline) break;
        await sleep(100); // pacing between requests, not synchronization
    }
    assertEngineError(res, 1, "Session ID unknown");
}

/** Close frames the server sent, as [code, ...]. */
const closeCodes = (raw) => raw.frames.filter((f) => f.opcode === OP.close)
    .map((f) => (f.payload.length >= 2 ? f.payload.readUInt16BE(0) : null));

describe("well-formed edge cases", () => {
    test("a fragmented text message is reassembled", { timeout: 10000 }, async () => {
        const raw = await openRaw();
        raw.socket.write(wsFrame(OP.text, "4he", { fin: false }));
        raw.socket.write(wsFrame(OP.cont, "ll", { fin: false }));
        raw.socket.write(wsFrame(OP.cont, "o"));
        const f = await raw.nextData();
        assert.equal(f.opcode, OP.text);
        assert.equal(f.payload.toString(), "4hello");
        raw.socket.destroy();
    });

    test("a ping control frame between fragments is answered with a pong", { timeout: 10000 }, async () => {
        const raw = await openRaw();
        raw.socket.write(wsFrame(OP.binary, Buffer.from([1, 2]), { fin: false }));
        raw.socket.write(wsFrame(OP.ping, "are you there"));
        raw.socket.write(wsFrame(OP.cont, Buffer.from([3])));
        const pong = await raw.nextData();
        assert.equal(pong.opcode, OP.pong);
        assert.equal(pong.payload.toString(), "are you there");
        const echo = await raw.nextData();
        assert.equal(echo.opcode, OP.binary);
        assert.deepEqual([...echo.payload], [1, 2, 3]);
        raw.socket.destroy();
    });

    test("a client close frame is answered with a close frame and the session ends", { timeout: 10000 }, async () => {
        const raw = await openRaw();
        const payload = Buffer.alloc(2);
        payload.writeUInt16BE(1000);
        raw.socket.write(wsFrame(OP.close, payload));
        await raw.closed();
        assert.deepEqual(closeCodes(raw).slice(0, 1), [1000], `frames ${JSON.stringify(raw.frames.map((f) => f.opcode))}`);
        await assertSessionGone(raw.sid);
    });
});

describe("malformed frames", () => {
    test("a truncated frame, then the client closes: session ends, server serves", { timeout: 15000 }, async () => {
        const raw = await openRaw();
        const full = wsFrame(OP.text, "4this frame is cut short");
        raw.socket.end(full.subarray(0, 9));
        await raw.closed();
        await assertSessionGone(raw.sid);
        await assertServes(server);
    });

    test("a truncated frame header, then reset: session ends, server serves", { timeout: 15000 }, async () => {
        const raw = await openRaw();
        raw.socket.write(Buffer.from([0x81, 0xfe, 0x00]));
        // Lets the bytes leave before the reset; the test holds whether or not the server read them.
        await sleep(20);
        raw.socket.resetAndDestroy();
        await assertSessionGone(raw.sid);
        await assertServes(server);
    });

    for (const [what, bytes] of [
        ["declared length 2^40", (() => {
            const h = Buffer.alloc(14);
            h[0] = 0x82;
            h[1] = 0x80 | 127;
            h.writeBigUInt64BE(1n << 40n, 2);
            return h; // mask key is zero; no payload follows
        })()],
        ["declared length 2^63 (MSB set, invalid)", (() => {
            const h = Buffer.alloc(14);
            h[0] = 0x82;
            h[1] = 0x80 | 127;
            h.writeBigUInt64BE(1n << 63n, 2);
            return h;
        })()],
        ["declared length 1e6+1 with a little payload", (() => {
            const h = Buffer.alloc(14);
            h[0] = 0x81;
            h[1] = 0x80 | 127;
            h.writeBigUInt64BE(1000001n, 2);
            return Buffer.concat([h, Buffer.from("4abc")]);
        })()],
        ["an unmasked client frame", Buffer.concat([Buffer.from([0x81, 0x06]), Buffer.from("4hello")])],
        ["a reserved opcode (0x3)", wsFrame(0x3, "4x")],
        ["RSV1 set without an extension", (() => {
            const f = wsFrame(OP.text, "4x");
            f[0] |= 0x40;
            return f;
        })()],
        ["a continuation frame with nothing to continue", wsFrame(OP.cont, "4x")],
        ["a fragmented control frame", wsFrame(OP.ping, "x", { fin: false })],
        ["a control frame of 126 bytes", wsFrame(OP.ping, "p".repeat(126))],
        ["invalid UTF-8 in a text frame", wsFrame(OP.text, Buffer.from([0x34, 0xff, 0xfe, 0xc0, 0x80]))],
        ["a new data frame inside a fragmented message", Buffer.concat([
            wsFrame(OP.text, "4a", { fin: false }), wsFrame(OP.text, "4b")])],
    ]) {
        test(`${what}: that connection is closed, the server serves`, { timeout: 15000 }, async (t) => {
            const raw = await openRaw();
            raw.socket.write(bytes);
            const ended = await raw.closing(5000).catch(() => null);
            assert.ok(ended, `connection still open 5 s after ${what}; frames ${JSON.stringify(raw.frames.map((f) => [f.opcode, f.payload.toString("latin1").slice(0, 40)]))}`);
            const echoes = raw.frames.filter((f) => f.opcode === OP.text || f.opcode === OP.binary).slice(1)
                .filter((f) => f.payload.toString() !== "2");
            assert.deepEqual(echoes.map((f) => showBytes(f.payload, 40)), [], "nothing echoed");
            t.diagnostic(`ended by ${ended.how}; close codes ${JSON.stringify(closeCodes(raw))}`);
            await assertSessionGone(raw.sid);
            await assertServes(server);
        });
    }

    test("an invalid Engine.IO packet in a text frame closes the session", { timeout: 15000 }, async () => {
        const raw = await openRaw();
        raw.socket.write(wsFrame(OP.text, "X"));
        await raw.closing(5000);
        await assertSessionGone(raw.sid);
        await assertServes(server);
    });

    test("fragments adding up to more than 1e6 bytes close that connection", { timeout: 15000 }, async () => {
        const raw = await openRaw();
        raw.socket.write(wsFrame(OP.binary, Buffer.alloc(600000, 1), { fin: false }));
        raw.socket.write(wsFrame(OP.cont, Buffer.alloc(600000, 2)));
        const ended = await raw.closing(5000).catch(() => null);
        assert.ok(ended, "connection still open");
        const echoes = raw.frames.filter((f) => f.opcode === OP.binary);
        assert.equal(echoes.length, 0, "nothing echoed");
        await assertSessionGone(raw.sid);
        await assertServes(server);
    });
});
