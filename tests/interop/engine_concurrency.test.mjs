// 500 concurrent engine.io-client clients on websocket (and 50 on polling), each sends one message
// and gets its echo, counted exactly.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { Socket } from "engine.io-client";

import { ENGINE_PATH, assertServes, withTimeout } from "./support/eio.mjs";
import { startServer, stopAndCheck } from "./support/server.mjs";

const CLIENTS = 500;

let server;
// A crowd of Node clients on two shared cores can miss a 200 ms pong deadline; this file tests
// concurrency, not heartbeats, so it gives them time.
before(async () => {
    server = await startServer(["--ping-interval-ms", "2000", "--ping-timeout-ms", "5000"]);
});
after(async () => { await stopAndCheck(server); });

async function crowd(t, transports, CLIENTS) {
    const sockets = [];
    const echoes = new Map();
    const problems = [];
    const lateCloses = [];
    const sids = [];
    let opened = 0;
    try {
        const allDone = new Promise((resolve) => {
            let settled = 0;
            const settle = () => { if (++settled === CLIENTS) resolve(); };
            for (let i = 0; i < CLIENTS; i++) {
                const socket = new Socket(server.url, { path: ENGINE_PATH, transports });
                sockets.push(socket);
                let done = false;
                const finish = (problem) => {
                    if (done) return;
                    done = true;
                    if (problem) problems.push(`client ${i}: ${problem}`);
                    settle();
                };
                socket.on("open", () => {
                    opened++;
                    sids.push(socket.id);
                    socket.send(`client-${i}`);
                });
                // After its echo, each client sends a marker: the server echoes one session's
                // messages in order, so a duplicate of the echo would come before the marker's.
                socket.on("message", (m) => {
                    if (m === `marker-${i}`) return finish(null);
                    echoes.set(m, (echoes.get(m) ?? 0) + 1);
                    if (m !== `client-${i}`) finish(`got ${JSON.stringify(m)}`);
                    else if (echoes.get(m) === 1) socket.send(`marker-${i}`);
                });
                socket.on("error", (err) => finish(`error ${err?.message ?? err}`));
                socket.on("close", (reason, desc) => {
                    if (done) lateCloses.push(`client ${i} (${socket.transport?.name}): ${reason} ${desc?.message ?? ""}`);
                    finish(`closed before its echo: ${reason} ${desc?.message ?? ""}`);
                });
            }
        });
        await withTimeout(allDone, 60000, `${CLIENTS} echoes`).catch((err) => {
            err.message += ` (opened ${opened}, echoes ${echoes.size}, problems ${problems.slice(0, 5).join("; ")})`;
            throw err;
        });
        assert.deepEqual(problems, []);
        assert.equal(opened, CLIENTS, "all opened");
        assert.equal(echoes.size, CLIENTS, "one distinct echo per client");
        for (const [m, n] of echoes) assert.equal(n, 1, `${m} echoed ${n} times`);
        assert.equal(new Set(sids).size, CLIENTS, "distinct sids");
        assert.deepEqual(lateCloses.slice(0, 10), [],
            `${lateCloses.length} clients were closed after their echo, while answering pings`);
        t.diagnostic(`${CLIENTS} clients on ${transports.join("+")}: all echoed exactly once`);
    } finally {
        for (const s of sockets) s.close();
    }
}

test(`${CLIENTS} concurrent websocket clients each get their echo`, { timeout: 90000 }, async (t) => {
    await crowd(t, ["websocket"], CLIENTS);
    await assertServes(server);
});

// engine.io-client's Node polling (xmlhttprequest-ssl) is too slow for 500 clients to answer
// 300 ms heartbeats from one process; 50 still exercise concurrent long-polls.
test("50 concurrent polling clients each get their echo", { timeout: 90000 }, async (t) => {
    await crowd(t, ["polling"], 50);
    await assertServes(server);
});
