// Several processes writing at once (4 python writers x 250 inserts, each its own transaction):
// every change arrives exactly once, in change_id order, and together they are the table.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
    closeAll,
    connect,
    feedMarker,
    freshServer,
    python,
    query,
    stopAndCheck,
    subscribe,
} from "./support/feed.mjs";

const WRITERS = 4;
const PER_WRITER = 250;
const SETUP = "CREATE TABLE events(id INTEGER PRIMARY KEY, writer TEXT NOT NULL, seq INTEGER NOT NULL);";

let server;
before(async () => {
    server = await freshServer(SETUP, ["--tables", "events"]);
});
after(async () => {
    await stopAndCheck(server);
});

test(`${WRITERS} writers x ${PER_WRITER} inserts, concurrently`, { timeout: 60000 }, async () => {
    const s = await connect(server.url, { events: ["change"] });
    try {
        const ack = await subscribe(s, { table: "events" });
        assert.equal(ack.ok, true);
        const writers = [];
        for (let w = 0; w < WRITERS; w++) {
            writers.push(python({
                db: server.db,
                writer: {
                    sql: "INSERT INTO events(writer, seq) VALUES(?, ?)",
                    count: PER_WRITER,
                    params: [`w${w}`, "$i"],
                },
            }));
        }
        const done = await Promise.all(writers);
        assert.deepEqual(done, Array(WRITERS).fill({ done: PER_WRITER }));
        const total = WRITERS * PER_WRITER;
        await s.rec.count("change", total, 20000);
        // A duplicate would come before the marker's change.
        await feedMarker(server.db, s, "INSERT INTO events(writer, seq) VALUES('marker', 0);",
            (c) => c.row?.writer === "marker");

        const changes = s.rec.of("change").filter((c) => c.row?.writer !== "marker");
        assert.equal(changes.length, total, "exactly one change per insert");
        for (let i = 1; i < changes.length; i++) {
            assert.ok(changes[i].change_id > changes[i - 1].change_id,
                `change_id increases: #${i} ${changes[i].change_id} after ${changes[i - 1].change_id}`);
        }
        assert.ok(changes[0].change_id > ack.last_change_id);
        assert.ok(changes.every((c) => c.op === "insert" && c.old === null && c.table === "events"));

        // The rows delivered are the table, each once; the table's ids grow with commit order,
        // as change_ids do.
        const table = await query(server.db, "SELECT * FROM events WHERE writer <> 'marker' ORDER BY id");
        assert.equal(table.length, total);
        assert.deepEqual(changes.map((c) => c.row), table);
        // Each writer's own inserts arrive in its order.
        for (let w = 0; w < WRITERS; w++) {
            const seqs = changes.filter((c) => c.row.writer === `w${w}`).map((c) => c.row.seq);
            assert.deepEqual(seqs, [...Array(PER_WRITER).keys()]);
        }
    } finally {
        closeAll(s);
    }
});
