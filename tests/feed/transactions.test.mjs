// Transactions: nothing from a rolled-back transaction or savepoint; the rest of a committed
// transaction arrives in statement order, with consecutive change ids.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
    closeAll,
    connect,
    feedMarker,
    freshServer,
    python,
    query,
    sqlite,
    stopAndCheck,
    subscribe,
} from "./support/feed.mjs";

const SETUP = `
CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT NOT NULL);
INSERT INTO notes VALUES(100, 'keep');
`;

let server;
before(async () => {
    server = await freshServer(SETUP, ["--tables", "notes"]);
});
after(async () => {
    await stopAndCheck(server);
});

const summary = (c) => [c.op, c.row?.id ?? c.old.id, c.row?.text ?? null];

test("rolled-back transaction and savepoint leave nothing", { timeout: 20000 }, async () => {
    const s = await connect(server.url, { events: ["change"] });
    try {
        const ack = await subscribe(s, { table: "notes" });
        assert.equal(ack.ok, true);
        await sqlite(server.db, `
            BEGIN;
            INSERT INTO notes VALUES(1, 'rolled back');
            UPDATE notes SET text = 'rolled back too' WHERE id = 100;
            DELETE FROM notes WHERE id = 100;
            ROLLBACK;

            BEGIN;
            INSERT INTO notes VALUES(2, 'a');
            SAVEPOINT sp;
            INSERT INTO notes VALUES(3, 'in savepoint');
            UPDATE notes SET text = 'a changed in savepoint' WHERE id = 2;
            DELETE FROM notes WHERE id = 100;
            ROLLBACK TO sp;
            RELEASE sp;
            SAVEPOINT kept;
            INSERT INTO notes VALUES(4, 'in kept savepoint');
            RELEASE kept;
            UPDATE notes SET text = 'b' WHERE id = 2;
            COMMIT;

            INSERT INTO notes VALUES(5, 'marker');`);
        // The marker is the last write: anything the transactions above wrongly sent came first.
        await s.rec.until((r) => r.of("change").some((c) => c.row?.id === 5), 5000, "the marker");
        const changes = s.rec.of("change");
        assert.deepEqual(changes.map(summary), [
            ["insert", 2, "a"],
            ["insert", 4, "in kept savepoint"],
            ["update", 2, "b"],
            ["insert", 5, "marker"],
        ]);
        assert.deepEqual(changes[2].old, { id: 2, text: "a" });
        const ids = changes.map((c) => c.change_id);
        assert.deepEqual(ids.slice(0, 3), [ids[0], ids[0] + 1, ids[0] + 2],
            "one transaction's changes have consecutive ids");
        assert.ok(ids[3] > ids[2]);
        assert.deepEqual(await query(server.db, "SELECT * FROM notes ORDER BY id"), [
            { id: 2, text: "b" }, { id: 4, text: "in kept savepoint" }, { id: 5, text: "marker" },
            { id: 100, text: "keep" }]);
    } finally {
        closeAll(s);
    }
});

test("a multi-statement transaction arrives in statement order", { timeout: 20000 }, async () => {
    const s = await connect(server.url, { events: ["change"] });
    try {
        const ack = await subscribe(s, { table: "notes" });
        assert.equal(ack.ok, true);
        await sqlite(server.db, `
            BEGIN;
            INSERT INTO notes VALUES(10, 'x');
            UPDATE notes SET text = 'x2' WHERE id = 10;
            INSERT INTO notes VALUES(9, 'y');
            DELETE FROM notes WHERE id = 100;
            UPDATE notes SET text = text || '!' WHERE id IN (9, 10);
            DELETE FROM notes WHERE id = 10;
            COMMIT;`);
        await s.rec.count("change", 7, 5000);
        // An eighth change would come before the marker's.
        await feedMarker(server.db, s, "INSERT INTO notes VALUES(1000, 'marker');",
            (c) => c.row?.id === 1000);
        const changes = s.rec.of("change").filter((c) => c.row?.id !== 1000);
        assert.equal(changes.length, 7);
        const [first] = changes;
        assert.deepEqual(changes.map((c) => c.change_id), [0, 1, 2, 3, 4, 5, 6].map((i) => first.change_id + i));
        assert.ok(first.change_id > ack.last_change_id);
        // The multi-row UPDATE visits rows in rowid order.
        assert.deepEqual(changes.map(summary), [
            ["insert", 10, "x"],
            ["update", 10, "x2"],
            ["insert", 9, "y"],
            ["delete", 100, null],
            ["update", 9, "y!"],
            ["update", 10, "x2!"],
            ["delete", 10, null],
        ]);
        assert.deepEqual(changes[3].old, { id: 100, text: "keep" });
        assert.deepEqual(changes[6].old, { id: 10, text: "x2!" });
    } finally {
        closeAll(s);
    }
});

test("committed_at is the commit's time, one per transaction", {
    timeout: 20000,
    todo: "committed_at is each statement's time (trigger DEFAULT strftime('now')), not the commit's",
}, async () => {
    const s = await connect(server.url, { events: ["change"] });
    try {
        const ack = await subscribe(s, { table: "notes" });
        assert.equal(ack.ok, true);
        const [[{ began }], [{ ended }]] = await python({
            db: server.db,
            steps: [
                { query: "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS began" },
                { sql: "BEGIN" },
                { sql: "INSERT INTO notes VALUES(50, 'first')" },
                { sleep_ms: 400 },
                { sql: "INSERT INTO notes VALUES(51, 'second')" },
                { sleep_ms: 400 },
                { query: "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS ended" },
                { sql: "COMMIT" },
            ],
        });
        await s.rec.count("change", 2, 5000);
        const [a, b] = s.rec.of("change");
        assert.equal(a.committed_at, b.committed_at, "one commit, one committed_at");
        assert.ok(Date.parse(a.committed_at) >= Date.parse(ended),
            `committed_at ${a.committed_at} is not before the COMMIT (${ended}; began ${began})`);
    } finally {
        closeAll(s);
    }
});
