// Snapshot agreement under load: while another process inserts, updates and deletes, clients
// subscribe at different moments; the ack's rows plus every change after last_change_id must
// replay to exactly the table as read from the database once the writer has stopped.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";

import {
    closeAll,
    connect,
    freshServer,
    python,
    query,
    sleep,
    sqlite,
    stopAndCheck,
    subscribe,
} from "./support/feed.mjs";

const SETUP = `
CREATE TABLE churn(id INTEGER PRIMARY KEY, v INTEGER, s TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
INSERT INTO churn(v, s) SELECT i * 7, 'seed' || i FROM n;
`;
const SUBSCRIBERS = 5;

let server;
before(async () => {
    server = await freshServer(SETUP, ["--tables", "churn"]);
});
after(async () => {
    await stopAndCheck(server);
});

/** Applies changes to rows keyed by id, checking each against what the client holds. */
function replay(rows, changes, label) {
    const table = new Map(rows.map((r) => [r.id, r]));
    for (const c of changes) {
        if (c.op === "insert") {
            assert.ok(!table.has(c.row.id), `${label}: insert of id ${c.row.id} (change ${c.change_id}) already held`);
            table.set(c.row.id, c.row);
        } else if (c.op === "update") {
            assert.deepEqual(table.get(c.old.id), c.old, `${label}: update ${c.change_id} old row`);
            table.delete(c.old.id);
            table.set(c.row.id, c.row);
        } else {
            assert.equal(c.op, "delete");
            assert.deepEqual(table.get(c.old.id), c.old, `${label}: delete ${c.change_id} old row`);
            table.delete(c.old.id);
        }
    }
    return [...table.values()].sort((a, b) => a.id - b.id);
}

test("ack rows + later changes = the table, while a writer runs", { timeout: 60000 }, async (t) => {
    const stopFile = path.join(server.dir, "stop-writer");
    const writer = python({
        db: server.db,
        churn: { table: "churn", stop_file: stopFile, seed: 42, max_ops: 20000 },
    });
    const sockets = [];
    try {
        for (let i = 0; i < SUBSCRIBERS; i++) {
            // Spreads the subscribers over the writer's run (pacing, not synchronization: each
            // one's snapshot and changes are checked against the database, whenever it came).
            await sleep(150);
            const s = await connect(server.url, { events: ["change"] });
            sockets.push(s);
            // The change listener is in place before subscribing: anything early is caught.
            const ack = await subscribe(s, { table: "churn" });
            assert.equal(ack.ok, true);
            assert.equal(ack.truncated, undefined);
        }
        await sleep(300); // lets the writer run on past the last subscription (pacing)
        await writeFile(stopFile, "");
        const { ops } = await writer;
        assert.ok(ops > 50, `the writer did some work (${ops} ops)`);
        // One last change, after the writer's: when it arrives, everything before it has.
        await sqlite(server.db, "INSERT INTO churn(v, s) VALUES(-1, 'marker');");
        const table = await query(server.db, "SELECT * FROM churn ORDER BY id");
        const ackIds = [];
        for (const [i, s] of sockets.entries()) {
            await s.rec.until((r) => r.of("change").some((c) => c.row?.s === "marker"), 10000,
                `subscriber ${i} sees the marker`);
            const ackAt = s.rec.log.findIndex((e) => e.event === "ack:subscribe");
            const early = s.rec.log.slice(0, ackAt).filter((e) => e.event === "change");
            assert.equal(early.length, 0, `subscriber ${i}: no change before the ack`);
            const ack = s.rec.log[ackAt].args[0];
            ackIds.push(ack.last_change_id);
            const changes = s.rec.of("change");
            for (const c of changes) {
                assert.ok(c.change_id > ack.last_change_id,
                    `subscriber ${i}: change ${c.change_id} <= last_change_id ${ack.last_change_id}`);
            }
            for (let k = 1; k < changes.length; k++) {
                assert.ok(changes[k].change_id > changes[k - 1].change_id,
                    `subscriber ${i}: change ids increase`);
            }
            assert.deepEqual(replay(ack.rows, changes, `subscriber ${i}`), table,
                `subscriber ${i} (last_change_id ${ack.last_change_id}) rebuilds the table`);
        }
        // The subscriptions really were taken at different moments of the writer's run.
        assert.ok(new Set(ackIds).size > 1, `distinct snapshot points: ${ackIds}`);
        t.diagnostic(`writer ops: ${ops}; snapshot points (last_change_id): ${ackIds.join(", ")}`);
    } finally {
        await writeFile(stopFile, "").catch(() => {});
        await writer.catch(() => {});
        closeAll(sockets);
    }
});
