// chat_server under load: 300 WebSocket clients each send 5 enviar-mensaje; every client gets
// exactly the 5 × 299 messages of the others, in each sender's order, and the 1500 ack ids are
// unique.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { io } from "socket.io-client";

import { skipUnless, startServer, stopAndCheck, T, withTimeout } from "./support.mjs";

const CLIENTS = 300;
const PER_CLIENT = 5;
const CONNECT_BATCH = 50;

describe("chat_server load", { skip: skipUnless("chat") }, () => {
    let server;
    const sockets = [];
    before(async () => {
        server = await startServer("chat");
    });
    after(async () => {
        for (const s of sockets) s.disconnect();
        await stopAndCheck(server);
    });

    test(`${CLIENTS} clients × ${PER_CLIENT} messages: every delivery exactly once`,
        T(90000), async () => {
            // Per receiver: what it got from each sender (by sender index, in arrival order).
            const got = Array.from({ length: CLIENTS }, () => new Map());
            const counts = new Array(CLIENTS).fill(0);
            const bad = [];
            const expected = PER_CLIENT * (CLIENTS - 1);
            let complete = 0;
            let allDone;
            const done = new Promise((resolve) => {
                allDone = resolve;
            });

            const open = (k) => new Promise((resolve, reject) => {
                const s = io(server.url, {
                    forceNew: true,
                    reconnection: false,
                    transports: ["websocket"],
                });
                sockets[k] = s;
                s.on("enviar-mensaje", (p) => {
                    if (!p || !Number.isInteger(p.from) || !Number.isInteger(p.seq)) {
                        bad.push({ at: k, p });
                        return;
                    }
                    const list = got[k].get(p.from) ?? [];
                    list.push(p.seq);
                    got[k].set(p.from, list);
                    if (++counts[k] === expected && ++complete === CLIENTS) allDone();
                });
                s.once("connect", resolve);
                s.once("connect_error", (err) => reject(new Error(`client ${k}: ${err.message}`)));
            });
            for (let k = 0; k < CLIENTS; k += CONNECT_BATCH) {
                await withTimeout(
                    Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, CLIENTS - k) },
                        (_, i) => open(k + i))),
                    20000, `connect clients ${k}..${k + CONNECT_BATCH - 1}`);
            }
            assert.equal(new Set(sockets.map((s) => s.id)).size, CLIENTS, "distinct socket ids");

            // Everyone is connected (each got its CONNECT), so every broadcast reaches all others.
            const acks = await withTimeout(Promise.all(sockets.flatMap((s, k) =>
                Array.from({ length: PER_CLIENT },
                    (_, seq) => s.timeout(30000).emitWithAck("enviar-mensaje", { from: k, seq })))),
            40000, "acks");
            await withTimeout(done, 40000, "deliveries").catch((err) => {
                const short = counts.map((c, k) => [k, c]).filter(([, c]) => c !== expected);
                err.message += `; ${short.length} clients short, e.g. ${JSON.stringify(short.slice(0, 5))}`;
                throw err;
            });
            // Anything extra (duplicates) would have arrived by the time of a final round trip.
            await Promise.all(sockets.map((s) => s.timeout(10000).emitWithAck("binary-echo", 0)));

            assert.deepEqual(bad, [], "malformed payloads");
            assert.equal(acks.length, CLIENTS * PER_CLIENT);
            assert.ok(acks.every((id) => Number.isSafeInteger(id)), "integer ack ids");
            assert.equal(new Set(acks).size, acks.length, "unique ack ids");
            for (let k = 0; k < CLIENTS; k++) {
                const ids = acks.slice(k * PER_CLIENT, (k + 1) * PER_CLIENT);
                for (let i = 1; i < ids.length; i++) {
                    assert.ok(ids[i] > ids[i - 1], `ack ids of client ${k} increase: ${ids}`);
                }
            }
            let total = 0;
            const inOrder = Array.from({ length: PER_CLIENT }, (_, i) => i);
            for (let k = 0; k < CLIENTS; k++) {
                assert.equal(counts[k], expected, `messages at client ${k}`);
                assert.equal(got[k].has(k), false, `client ${k} got its own messages`);
                assert.equal(got[k].size, CLIENTS - 1, `senders seen by client ${k}`);
                for (const [from, seqs] of got[k]) {
                    assert.deepEqual(seqs, inOrder, `client ${k} from ${from}: once each, in order`);
                }
                total += counts[k];
            }
            assert.equal(total, CLIENTS * (CLIENTS - 1) * PER_CLIENT);
        });
});
