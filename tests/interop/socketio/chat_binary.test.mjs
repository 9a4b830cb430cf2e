// chat_server binary: binary-echo acks its first argument back byte for byte (a 100 KB Buffer,
// JSON with nested buffers), over WebSocket and over polling; binary through broadcasts too.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, afterEach, before, describe, test } from "node:test";

import {
    closeAll,
    connect,
    connectMany,
    MODES,
    normalizeBinary,
    patternBytes,
    skipUnless,
    startServer,
    stopAndCheck,
    T,
    toBuffer,
} from "./support.mjs";

describe("chat_server binary", { skip: skipUnless("chat") }, () => {
    let server;
    before(async () => {
        server = await startServer("chat");
    });
    afterEach(() => closeAll());
    after(() => stopAndCheck(server));

    for (const [mode, opts] of Object.entries(MODES)) {
        test(`binary-echo returns a 100 KB buffer byte for byte (${mode})`, T(), async () => {
            const c = await connect(server, opts);
            const data = patternBytes(100 * 1024, 7);
            const reply = await c.emitAckAll("binary-echo", [data]);
            assert.equal(reply.length, 1);
            const got = toBuffer(reply[0]);
            assert.equal(got.length, data.length);
            assert.ok(got.equals(data), "bytes differ");
        });

        test(`binary-echo returns JSON with nested buffers unchanged (${mode})`, T(), async () => {
            const c = await connect(server, opts);
            const data = {
                name: "file.bin",
                parts: [patternBytes(10, 1), { inner: patternBytes(3000, 2), n: 1 }, "text"],
                empty: Buffer.alloc(0),
                allBytes: Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
                list: [1, [2, [patternBytes(1, 3)]]],
                meta: { unicode: "ünï 😀", nil: null, ok: true },
            };
            const reply = await c.emitAckAll("binary-echo", [data]);
            assert.equal(reply.length, 1);
            assert.deepEqual(normalizeBinary(reply[0]), data);
        });

        test(`binary-echo returns plain JSON too (${mode})`, T(), async () => {
            const c = await connect(server, opts);
            const value = { a: [1, "two", null], b: 1.5 };
            assert.deepEqual(await c.emitAckAll("binary-echo", [value]), [value]);
            assert.deepEqual(await c.emitAckAll("binary-echo", ["s"]), ["s"]);
        });
    }

    test("many buffers in flight at once come back to their own callers", T(), async () => {
        const clients = await connectMany(server, 3, MODES.polling);
        const ws = await connectMany(server, 3, MODES.websocket);
        const all = [...clients, ...ws];
        const sent = [];
        const replies = [];
        for (const [k, c] of all.entries()) {
            for (let i = 0; i < 10; i++) {
                const data = { k, i, bytes: patternBytes(1000 + i * 97 + k, k * 100 + i + 1) };
                sent.push(data);
                replies.push(c.emitAckAll("binary-echo", [data]));
            }
        }
        const got = await Promise.all(replies);
        for (let j = 0; j < sent.length; j++) {
            assert.deepEqual(normalizeBinary(got[j][0]), sent[j], `reply #${j}`);
        }
    });

    test("enviar-mensaje relays binary payloads to the others", T(), async () => {
        const [sender, wsReceiver] = await connectMany(server, 2, MODES.websocket);
        const pollReceiver = await connect(server, MODES.polling);
        const payload = { file: patternBytes(50000, 9), list: [patternBytes(5, 10), "x"] };
        assert.ok(Number.isInteger(await sender.emitAck("enviar-mensaje", payload)));
        for (const r of [wsReceiver, pollReceiver]) {
            const [args] = await r.waitFor("enviar-mensaje");
            assert.deepEqual(normalizeBinary(args), [payload]);
        }
    });

    test("to-room relays binary payloads to the members", T(), async () => {
        const [member, sender] = await connectMany(server, 2);
        const room = `bin-${crypto.randomUUID()}`;
        await member.emitAck("join", room);
        // Two buffers outside the payload: only the payload's travel, renumbered.
        const payload = [patternBytes(10, 11), { b: patternBytes(20, 12) }];
        await sender.emitAck("to-room",
            { before: patternBytes(7, 13), room, payload, after: patternBytes(8, 14) });
        const [args] = await member.waitFor("room-message");
        assert.deepEqual(normalizeBinary(args), [payload]);
    });

    test("10 attachments in one packet go through; 11 close the connection, as Node", T(), async () => {
        const c = await connect(server, MODES.websocket);
        const ten = Array.from({ length: 10 }, (_, i) => patternBytes(i + 1, i + 1));
        const [echo] = await c.emitAckAll("binary-echo", [ten]);
        assert.deepEqual(normalizeBinary(echo), ten);
        // socket.io-parser's Decoder refuses more than maxAttachments (10): "parse error".
        const bystander = await connect(server);
        const gone = c.nextDisconnect();
        c.socket.emit("binary-echo", Array.from({ length: 11 }, (_, i) => patternBytes(4, i + 1)));
        const [reason] = await gone;
        assert.match(reason, /^transport (close|error)$/);
        assert.deepEqual(await bystander.emitAckAll("binary-echo", [1]), [1]);
    });
});
