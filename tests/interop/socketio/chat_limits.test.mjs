// chat_server limits: a message over maxHttpBufferSize (1e6 bytes) disconnects its sender only;
// the server goes on serving everyone else. Just under the limit goes through.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";

import {
    assertNone,
    closeAll,
    connect,
    MODES,
    patternBytes,
    skipUnless,
    startServer,
    stopAndCheck,
    T,
    toBuffer,
} from "./support.mjs";

const MAX_HTTP_BUFFER_SIZE = 1e6;
// 42["enviar-mensaje","..."] around a string of `n` characters.
const FRAMING = '42["enviar-mensaje",""]'.length;

describe("chat_server limits", { skip: skipUnless("chat") }, () => {
    let server;
    before(async () => {
        server = await startServer("chat");
    });
    afterEach(() => closeAll());
    after(() => stopAndCheck(server));

    /** Proves that `a` and `b` still talk through the server. */
    async function stillServes(a, b, tag) {
        assert.ok(a.socket.connected && b.socket.connected, "bystanders stay connected");
        assert.ok(Number.isInteger(await a.emitAck("enviar-mensaje", tag)));
        await b.waitFor("enviar-mensaje", { filter: (p) => p === tag });
        const fresh = await connect(server);
        assert.deepEqual(await fresh.emitAckAll("binary-echo", ["ok"]), ["ok"]);
    }

    for (const mode of ["websocket", "polling"]) {
        test(`a message over the limit disconnects its sender only (${mode})`, T(), async () => {
            const [a, b] = await Promise.all([connect(server), connect(server, MODES.polling)]);
            const big = await connect(server, MODES[mode]);
            const bigId = big.id;
            const gone = big.nextDisconnect();
            big.socket.emit("enviar-mensaje", "x".repeat(MAX_HTTP_BUFFER_SIZE + 1 - FRAMING + 10));
            const [reason] = await gone;
            assert.match(reason, /^transport (close|error)$/);
            for (const x of [a, b]) {
                await x.waitFor("user-disconnected", { filter: (p) => p.id === bigId });
            }
            await stillServes(a, b, `after big ${mode}`);
            assertNone(a, "enviar-mensaje", (p) => typeof p === "string" && p.length > 1000);
            assertNone(b, "enviar-mensaje", (p) => typeof p === "string" && p.length > 1000);
        });

        test(`a binary attachment over the limit disconnects its sender only (${mode})`,
            T(), async () => {
                const [a, b] = await Promise.all([connect(server), connect(server)]);
                const big = await connect(server, MODES[mode]);
                const gone = big.nextDisconnect();
                big.socket.emit("binary-echo", patternBytes(MAX_HTTP_BUFFER_SIZE + 100), () => {});
                const [reason] = await gone;
                assert.match(reason, /^transport (close|error)$/);
                await stillServes(a, b, `after big binary ${mode}`);
            });

        test(`a message just under the limit goes through (${mode})`, T(), async () => {
            const [sender, r] = await Promise.all([
                connect(server, MODES[mode]),
                connect(server, MODES.websocket),
            ]);
            const text = "y".repeat(MAX_HTTP_BUFFER_SIZE - FRAMING - 100);
            assert.ok(Number.isInteger(await sender.emitAck("enviar-mensaje", text)));
            const [[got]] = await r.waitFor("enviar-mensaje");
            assert.equal(got, text);
            // Polling carries binary as base64 ("b" + 4/3 of the bytes) in the same POST body.
            const size = mode === "polling" ? Math.floor((MAX_HTTP_BUFFER_SIZE - 200) * 3 / 4) - 100
                : MAX_HTTP_BUFFER_SIZE - 1000;
            const bytes = patternBytes(size, 5);
            const [echo] = await sender.emitAckAll("binary-echo", [bytes], 10000);
            assert.ok(toBuffer(echo).equals(bytes));
            assert.ok(sender.socket.connected);
        });
    }

    test("the server goes on after several oversized clients at once", T(20000), async () => {
        const [a, b] = await Promise.all([connect(server), connect(server)]);
        const bigs = await Promise.all(Array.from({ length: 6 },
            (_, i) => connect(server, i % 2 ? MODES.polling : MODES.websocket)));
        const gone = Promise.all(bigs.map((x) => x.nextDisconnect(10000)));
        for (const x of bigs) x.socket.emit("enviar-mensaje", "z".repeat(MAX_HTTP_BUFFER_SIZE + 5));
        await gone;
        await stillServes(a, b, "after many big");
    });
});
