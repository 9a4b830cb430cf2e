// Connection state recovery (socket.io 4.6+) and backpressure, against socketio_test_server with
// --recovery / --max-buffered-bytes: a client that loses its connection and comes back within the
// window keeps its id and rooms and gets every broadcast it missed, in order, once; a client
// that never reads cannot grow the server's memory: volatile packets are dropped and anything
// else disconnects it.
import assert from "node:assert/strict";
import net from "node:net";
import fs from "node:fs";
import { after, before, describe, test } from "node:test";

import {
    closeAll,
    connect,
    flush,
    isNodeTwin,
    MARKER,
    skipUnless,
    sleep,
    startServer,
    stopAndCheck,
    T,
} from "./support.mjs";

async function ack(client, event, ...args) {
    return client.socket.timeout(5000).emitWithAck(event, ...args);
}

describe("connection state recovery", { skip: skipUnless("test") || (isNodeTwin("test") && "C++ flags") }, () => {
    let server;
    before(async () => {
        server = await startServer("test", { args: ["--recovery"] });
    });
    after(async () => {
        closeAll();
        await stopAndCheck(server);
    });

    for (const transports of [["websocket"], ["polling"]]) {
        test(`a client that loses its connection gets its id, rooms and missed broadcasts (${transports})`, T(20000), async () => {
            const c = await connect(server, { transports, reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 200 });
            const d = await connect(server, { transports: ["websocket"] });
            const id = c.id;
            assert.equal(c.socket.recovered, false);
            assert.equal(await ack(c, "join", "r"), true);
            await ack(d, "room-emit", { room: "r", event: "tick", args: [1] });
            await c.waitFor("tick", { count: 1 });

            // The transport dies under the client (as a network failure would); it reconnects.
            const reconnected = new Promise((resolve) => c.socket.io.once("reconnect", resolve));
            c.socket.io.engine.close();
            for (const n of [2, 3, 4])
                await ack(d, "room-emit", { room: "r", event: "tick", args: [n] });
            await reconnected;
            await new Promise((resolve) => (c.socket.connected ? resolve() : c.socket.once("connect", resolve)));

            assert.equal(c.socket.recovered, true, "socket.recovered after a reconnection in the window");
            assert.equal(c.id, id, "same id");
            await c.waitFor("tick", { count: 4 });
            // Every tick was acked to d before: a duplicate would come before the marker's answer.
            await flush(c, MARKER.test);
            assert.deepEqual(c.received("tick").map((args) => args[0]), [1, 2, 3, 4], "each missed tick once, in order");
            const rooms = await ack(c, "rooms");
            assert.ok(rooms.includes("r") && rooms.includes(id), `rooms restored: ${JSON.stringify(rooms)}`);
            assert.equal((await ack(c, "stats")).recovered, true);

            // Live delivery goes on afterwards.
            await ack(d, "room-emit", { room: "r", event: "tick", args: [5] });
            await c.waitFor("tick", { count: 5 });
        });
    }

    test("an unknown pid gets a fresh session (recovered false, new id)", T(), async () => {
        const c = await connect(server, { transports: ["websocket"], auth: { pid: "Abogus", offset: "x-1" } });
        assert.equal(c.socket.recovered, false);
        assert.deepEqual((await ack(c, "stats")).recovered, false);
    });
});

function rssKb(pid) {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

describe("backpressure: a reader that never reads", { skip: skipUnless("test") || (isNodeTwin("test") && "Node has no bound") }, () => {
    let server;
    before(async () => {
        server = await startServer("test", { args: ["--max-buffered-bytes", String(1 << 20)] });
    });
    after(async () => {
        closeAll();
        await stopAndCheck(server);
    });

    /**
     * A raw WebSocket that completes the handshakes, asks for a flood, then stops reading; then,
     * when `marker` is given ({room, event}), asks for a room-emit of `event` to `room`, which
     * the server handles after the flood (one socket's packets are handled in order). Resolves
     * with {sock, closed, sid} (sid: its Socket.IO id).
     */
    async function stalledClient({ isVolatile, marker }) {
        const sock = net.connect(server.port, "127.0.0.1");
        await new Promise((resolve) => sock.once("connect", resolve));
        sock.write("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n" +
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        let seen = "";
        await new Promise((resolve) => {
            const onData = (b) => {
                seen += b.toString("latin1");
                if (seen.includes("0{")) { sock.off("data", onData); resolve(); }
            };
            sock.on("data", onData);
        });
        const frame = (text) => {
            const payload = Buffer.from(text);
            const mask = Buffer.from([1, 2, 3, 4]);
            const masked = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]));
            const len = payload.length;
            const head = len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.from([0x81, 0x80 | 126, len >> 8, len & 255]);
            return Buffer.concat([head, mask, masked]);
        };
        // The CONNECT answer carries the socket's id.
        const sid = await new Promise((resolve) => {
            const onData = (b) => {
                seen += b.toString("latin1");
                const m = /40\{"sid":"([^"]+)"/.exec(seen);
                if (m) { sock.off("data", onData); resolve(m[1]); }
            };
            sock.on("data", onData);
            sock.write(frame("40"));
        });
        sock.pause(); // never read again: the kernel buffers fill, then the server's queue grows
        const closed = new Promise((resolve) => sock.once("close", resolve));
        sock.write(frame(`42["flood",{"count":20000,"size":1000,"volatile":${isVolatile}}]`));
        if (marker) sock.write(frame(`42["room-emit",${JSON.stringify({ ...marker, args: [] })}]`));
        return { sock, closed, sid };
    }

    test("a non-volatile flood past max_buffered_bytes disconnects that client; RSS stays bounded", T(30000), async () => {
        const other = await connect(server, { transports: ["websocket"] });
        const before = rssKb(server.pid);
        const { sock } = await stalledClient({ isVolatile: false });
        // 20 MB asked for, 1 MiB allowed: the server cuts the client off instead of queueing it.
        // (The stalled client cannot see the close itself: it reads nothing, not even the FIN.)
        let reasons = [];
        for (let i = 0; i < 100 && !reasons.includes("send buffer full"); i++) {
            await sleep(100);
            reasons = (await ack(other, "disconnect-log")).map((e) => e.reason);
        }
        assert.ok(reasons.includes("send buffer full"), `server-side reasons: ${JSON.stringify(reasons)}`);
        sock.destroy();
        const growth = rssKb(server.pid) - before;
        assert.ok(growth < 16 * 1024, `server RSS grew by ${growth} KiB for a 20 MB flood to a stalled reader`);
        // Everyone else is served as before.
        assert.deepEqual((await ack(other, "stats")).recovered, false);
    });

    test("a volatile flood to a stalled reader is dropped past the bound; the client stays", T(30000), async () => {
        const other = await connect(server, { transports: ["websocket"] });
        const before = rssKb(server.pid);
        const { sock, sid } = await stalledClient({
            isVolatile: true,
            marker: { room: other.id, event: "flood-done" },
        });
        // The flood has been handled (and would have cut the client off) once the marker comes.
        await other.waitFor("flood-done", { timeoutMs: 20000 });
        const growth = rssKb(server.pid) - before;
        assert.ok(growth < 16 * 1024, `server RSS grew by ${growth} KiB`);
        const log = await ack(other, "disconnect-log");
        assert.deepEqual(log.filter((e) => e.id === sid), [],
            "volatile packets are dropped, the client is not disconnected");
        assert.equal(sock.destroyed, false);
        sock.destroy();
    });
});
