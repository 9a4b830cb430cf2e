// The server's life: SIGTERM with clients connected and writes going on exits 0 within 5 s and
// closes every client; a restart on the same file keeps change ids increasing and catches up
// (with `since`) on what other processes committed while it was down.
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { test } from "node:test";

import {
    closeAll,
    connect,
    feedMarker,
    freshServer,
    sleep,
    sqlite,
    startServer,
    subscribe,
    withTimeout,
} from "./support/feed.mjs";

const SETUP = "CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT NOT NULL);";

test("SIGTERM closes every client and exits 0 within 5 s", { timeout: 30000 }, async () => {
    const server = await freshServer(SETUP, ["--tables", "jobs"]);
    const { dir, db } = server;
    const sockets = [];
    let writing = true;
    const writer = (async () => {
        for (let i = 0; writing; i++) await sqlite(db, `INSERT INTO jobs(state) VALUES('w${i}');`);
    })();
    try {
        for (const transports of [["websocket"], ["polling"], ["websocket"]]) {
            const s = await connect(server.url, { events: ["change", "disconnect"], transports });
            assert.equal((await subscribe(s, { table: "jobs" })).ok, true);
            sockets.push(s);
        }
        // Changes are flowing to every client when the signal comes.
        for (const s of sockets) await s.rec.count("change", 1, 10000);
        const reasons = [];
        const started = Date.now();
        const r = await server.stop();
        const took = Date.now() - started;
        assert.equal(r.diedEarly, false);
        assert.equal(r.killed, false, "it did not need SIGKILL");
        assert.equal(r.code, 0, `exit status (signal ${r.signal})`);
        assert.ok(took < 5000, `exited within 5 s (took ${took} ms)`);
        for (const s of sockets) {
            await s.rec.count("disconnect", 1, 5000);
            assert.equal(s.connected, false);
            reasons.push(s.rec.of("disconnect")[0]);
        }
        // A polling client between two requests may see its next one refused: any reason.
        assert.ok(reasons.every((r) => typeof r === "string"));
    } finally {
        writing = false;
        await writer.catch(() => {});
        closeAll(sockets);
        await server.stop();
        await rm(dir, { recursive: true, force: true });
    }
});

test("idle clients see the transport close on SIGTERM", { timeout: 30000 }, async () => {
    const server = await freshServer(SETUP, ["--tables", "jobs"]);
    const { dir, db } = server;
    const sockets = [];
    try {
        for (const transports of [["websocket"], ["polling"]]) {
            sockets.push(await connect(server.url, { events: ["disconnect"], transports }));
        }
        // The polling client's long poll is waiting on the server (there is no event for that
        // on the client side; this pause is not what the assertions below depend on).
        await sleep(300);
        const r = await server.stop();
        assert.equal(r.code, 0);
        for (const s of sockets) await s.rec.count("disconnect", 1, 5000);
        // As Node's io.close(): a close frame, or a close packet answering the pending poll.
        assert.deepEqual(sockets.map((s) => s.rec.of("disconnect")[0]),
            ["transport close", "transport close"]);
    } finally {
        closeAll(sockets);
        await server.stop();
        await rm(dir, { recursive: true, force: true });
    }
});

test("a restart continues the change ids and catches up on writes made meanwhile", { timeout: 30000 }, async () => {
    let server = await freshServer(SETUP, ["--tables", "jobs"]);
    const { dir, db } = server;
    let s;
    try {
        s = await connect(server.url, { events: ["change"] });
        assert.equal((await subscribe(s, { table: "jobs" })).ok, true);
        await sqlite(db, "INSERT INTO jobs VALUES(1, 'new'); INSERT INTO jobs VALUES(2, 'new');");
        await s.rec.count("change", 2, 5000);
        const lastSeen = s.rec.of("change").at(-1).change_id;
        s.close();
        const r = await server.stop();
        assert.equal(r.code, 0);

        // Written while no server runs: the triggers log them all the same.
        await sqlite(db, `
            UPDATE jobs SET state = 'done' WHERE id = 1;
            INSERT INTO jobs VALUES(3, 'new');
            DELETE FROM jobs WHERE id = 2;`);

        server = await startServer({ db, dir, args: ["--tables", "jobs"] });
        s = await connect(server.url, { events: ["change"] });
        const ack = await subscribe(s, { table: "jobs", since: lastSeen });
        assert.equal(ack.ok, true, JSON.stringify(ack));
        await s.rec.count("change", 3, 5000);
        await sqlite(db, "INSERT INTO jobs VALUES(4, 'new');");
        await s.rec.count("change", 4, 5000);
        // A duplicate replay or live change would come before the marker's.
        await feedMarker(db, s, "INSERT INTO jobs VALUES(1000, 'marker');", (c) => c.row?.id === 1000);
        const changes = s.rec.of("change").filter((c) => c.row?.id !== 1000);
        assert.deepEqual(changes.map((c) => [c.op, (c.row ?? c.old).id]),
            [["update", 1], ["insert", 3], ["delete", 2], ["insert", 4]]);
        assert.deepEqual(changes.map((c) => c.change_id), [1, 2, 3, 4].map((i) => lastSeen + i));

        const fresh = await connect(server.url);
        const snap = await subscribe(fresh, { table: "jobs" });
        closeAll(fresh);
        assert.deepEqual(snap.rows, [{ id: 1, state: "done" }, { id: 3, state: "new" }, { id: 4, state: "new" },
            { id: 1000, state: "marker" }]);
        assert.equal(snap.last_change_id, changes[3].change_id + 1, "the marker's change is the newest");
    } finally {
        closeAll(s);
        const r = await withTimeout(server.stop(), 10000, "stop");
        await rm(dir, { recursive: true, force: true });
        assert.equal(r.code, 0);
    }
});
