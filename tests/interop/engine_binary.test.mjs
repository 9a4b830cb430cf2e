// Binary messages both ways, byte-exact, over polling (base64 "b" packets) and websocket
// (binary frames), sent as Buffer, ArrayBuffer and Uint8Array.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { collectMessages, openClient, patternBytes, toBuffer } from "./support/eio.mjs";
import { startServer, stopAndCheck, RELAXED_HEARTBEAT } from "./support/server.mjs";

const SIZES = [0, 1, 2, 3, 4, 125, 126, 127, 65535, 65536, 65537, 100 * 1024];

let server;
before(async () => { server = await startServer(RELAXED_HEARTBEAT); });
after(async () => { await stopAndCheck(server); });

const asKind = {
    Buffer: (b) => b,
    ArrayBuffer: (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength),
    Uint8Array: (b) => new Uint8Array(b),
};

function describeMismatch(got, want) {
    if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
    const i = got.findIndex((x, k) => x !== want[k]);
    return `first differing byte at ${i}: ${got[i]} vs ${want[i]}`;
}

for (const [name, transports] of [["polling", ["polling"]], ["websocket", ["websocket"]]]) {
    describe(`binary over ${name}`, () => {
        for (const kind of Object.keys(asKind)) {
            test(`${kind} of sizes ${SIZES.join(", ")} comes back byte-exact`, { timeout: 30000 }, async () => {
                const socket = await openClient(server, { transports });
                try {
                    const payloads = SIZES.map((n, i) => patternBytes(n, 7 + i));
                    const got = collectMessages(socket, payloads.length, 20000);
                    for (const p of payloads) socket.send(asKind[kind](p));
                    const echoes = await got;
                    echoes.forEach((m, i) => {
                        assert.notEqual(typeof m, "string",
                            `echo of binary #${i} (${SIZES[i]} bytes) came back as text ${JSON.stringify(m.slice(0, 50))}`);
                        const b = toBuffer(m);
                        assert.ok(b.equals(payloads[i]),
                            `echo #${i} (${SIZES[i]} bytes): ${describeMismatch(b, payloads[i])}`);
                    });
                    assert.equal(socket.transport.name, name);
                } finally {
                    socket.close();
                }
            });
        }

        test("every byte value 0..255 survives", { timeout: 15000 }, async () => {
            const socket = await openClient(server, { transports });
            try {
                const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
                const got = collectMessages(socket, 2);
                socket.send(all);
                socket.send(Buffer.from(all).reverse());
                const [a, b] = (await got).map(toBuffer);
                assert.ok(a.equals(all), describeMismatch(a, all));
                assert.ok(b.equals(Buffer.from(all).reverse()));
            } finally {
                socket.close();
            }
        });

        test("text and binary interleaved keep their kind and order", { timeout: 15000 }, async () => {
            const socket = await openClient(server, { transports });
            try {
                const sent = [];
                for (let i = 0; i < 50; i++) {
                    sent.push(i % 2 ? `text ${i}` : patternBytes(i * 37, i + 1));
                }
                const got = collectMessages(socket, sent.length);
                for (const m of sent) socket.send(m);
                const echoes = await got;
                echoes.forEach((m, i) => {
                    if (typeof sent[i] === "string") {
                        assert.equal(m, sent[i], `#${i}`);
                    } else {
                        assert.notEqual(typeof m, "string", `#${i} came back as text`);
                        assert.ok(toBuffer(m).equals(sent[i]), `#${i}: ${describeMismatch(toBuffer(m), sent[i])}`);
                    }
                });
            } finally {
                socket.close();
            }
        });
    });
}

test("binary both ways across an upgrade (default transports)", { timeout: 30000 }, async () => {
    const socket = await openClient(server, {});
    try {
        const payloads = SIZES.map((n, i) => patternBytes(n, 100 + i));
        const got = collectMessages(socket, payloads.length * 2, 20000);
        for (const p of payloads) socket.send(p);
        await new Promise((r) => (socket.transport.name === "websocket" ? r() : socket.once("upgrade", r)));
        for (const p of payloads) socket.send(p);
        const echoes = (await got).map(toBuffer);
        echoes.forEach((b, i) => {
            const want = payloads[i % payloads.length];
            assert.ok(b.equals(want), `echo #${i}: ${describeMismatch(b, want)}`);
        });
    } finally {
        socket.close();
    }
});
