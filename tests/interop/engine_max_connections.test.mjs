// --max-connections N: past N open connections a new one is not served (closed or refused);
// once some close, new clients are served again.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, test } from "node:test";

import { assertServes, rawWebSocket, sleep, withTimeout } from "./support/eio.mjs";
import { startServer, stopAndCheck } from "./support/server.mjs";

const MAX = 20;

let server;
before(async () => { server = await startServer(["--max-connections", String(MAX)]); });
after(async () => { await stopAndCheck(server); });

/** Tries a websocket upgrade; resolves "served" (101) or "refused" (closed/reset/no answer). */
async function tryUpgrade() {
    try {
        const ws = await rawWebSocket(server, undefined, { timeoutMs: 2000 });
        return { outcome: "served", socket: ws.socket };
    } catch (err) {
        return { outcome: `refused (${err.message})` };
    }
}

test(`connection ${MAX + 1} is not served while ${MAX} are open`, { timeout: 30000 }, async () => {
    const held = [];
    try {
        for (let i = 0; i < MAX; i++) {
            const r = await tryUpgrade();
            assert.equal(r.outcome, "served", `connection ${i + 1} of ${MAX}`);
            held.push(r.socket);
        }
        const extra = await tryUpgrade();
        if (extra.socket) extra.socket.destroy();
        assert.notEqual(extra.outcome, "served", `connection ${MAX + 1} was served`);
        // Closing some frees room again.
        for (const s of held.splice(0, 5)) s.destroy();
        let served = false;
        for (let i = 0; i < 20 && !served; i++) {
            await sleep(100);
            const r = await tryUpgrade();
            if (r.socket) {
                served = true;
                r.socket.destroy();
            }
        }
        assert.ok(served, "a connection is served again after 5 closed");
    } finally {
        for (const s of held) s.destroy();
    }
    await sleep(200);
    await assertServes(server);
});

test("plain TCP connections count too, and are freed on close", { timeout: 30000 }, async () => {
    // Let the previous test's connections (engine.io-client's keep-alive polls) wind down.
    await sleep(1000);
    let closedByServer = 0;
    const held = await Promise.all(Array.from({ length: MAX }, () => withTimeout(new Promise((resolve, reject) => {
        const s = net.connect(server.port, server.host, () => resolve(s));
        s.on("error", reject);
        s.on("close", () => closedByServer++);
    }), 5000, "connect")));
    try {
        await sleep(200);
        assert.equal(closedByServer, 0, "the server closed some of the first MAX connections");
        const extra = await tryUpgrade();
        if (extra.socket) extra.socket.destroy();
        assert.notEqual(extra.outcome, "served", `connection ${MAX + 1} was served`);
    } finally {
        for (const s of held) s.destroy();
    }
    await sleep(300);
    await assertServes(server);
});
