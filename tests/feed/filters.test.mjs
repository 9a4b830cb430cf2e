// `where` filters: equality, typed (numbers with numbers, strings with text, null with NULL,
// true/false with 1/0), applied to the snapshot rows and to both sides of an update.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
    closeAll,
    connect,
    freshServer,
    sqlite,
    stopAndCheck,
    subscribe,
} from "./support/feed.mjs";

// `anything` has no declared type, so SQLite keeps the type it is given ('5' stays TEXT).
const SETUP = `
CREATE TABLE tasks(id INTEGER PRIMARY KEY, status TEXT, owner TEXT, done INTEGER, score REAL,
                   anything);
INSERT INTO tasks VALUES(1, 'open',   'ann', 0, 1.5, 5);
INSERT INTO tasks VALUES(2, 'closed', NULL,  1, 2.0, '5');
INSERT INTO tasks VALUES(3, 'open',   NULL,  1, 2,   5.0);
INSERT INTO tasks VALUES(4, 'closed', 'bob', 0, NULL, NULL);
`;

let server;
before(async () => {
    server = await freshServer(SETUP, ["--tables", "tasks"]);
});
after(async () => {
    await stopAndCheck(server);
});

const ids = (rows) => rows.map((r) => r.id);
const brief = (c) => [c.op, c.row?.id ?? null, c.old?.id ?? null];

test("updates moving rows into and out of the filter are delivered", { timeout: 20000 }, async () => {
    const s = await connect(server.url, { events: ["change"] });
    try {
        const ack = await subscribe(s, { table: "tasks", where: { status: "open" } });
        assert.equal(ack.ok, true);
        assert.deepEqual(ids(ack.rows), [1, 3]);
        await sqlite(server.db, `
            INSERT INTO tasks VALUES(10, 'open', 'cy', 0, 0, 0);            -- in
            INSERT INTO tasks VALUES(11, 'closed', 'cy', 0, 0, 0);          -- never in
            UPDATE tasks SET status = 'open' WHERE id = 4;                  -- moves in
            UPDATE tasks SET status = 'closed' WHERE id = 1;                -- moves out
            UPDATE tasks SET owner = 'dan' WHERE id = 11;                   -- stays out
            UPDATE tasks SET owner = 'eve' WHERE id = 3;                    -- stays in
            UPDATE tasks SET owner = 'fay' WHERE id = 1;                    -- now out
            DELETE FROM tasks WHERE id = 11;                                -- out
            DELETE FROM tasks WHERE id = 10;                                -- in
            INSERT INTO tasks VALUES(12, 'OPEN', NULL, 0, 0, 0);            -- case differs
            INSERT INTO tasks VALUES(99, 'open', 'marker', 0, 0, 0);`);
        // The marker is the last write: anything the filter wrongly let through came first.
        await s.rec.until((r) => r.of("change").some((c) => c.row?.id === 99), 5000, "marker");
        const changes = s.rec.of("change");
        assert.deepEqual(changes.map(brief), [
            ["insert", 10, null],
            ["update", 4, 4],
            ["update", 1, 1],
            ["update", 3, 3],
            ["delete", null, 10],
            ["insert", 99, null],
        ]);
        const [, intoFilter, outOfFilter] = changes;
        assert.equal(intoFilter.old.status, "closed");
        assert.equal(intoFilter.row.status, "open");
        assert.equal(outOfFilter.old.status, "open");
        assert.equal(outOfFilter.row.status, "closed");
        assert.ok(changes.every((c) => c.sub === ack.sub));
    } finally {
        closeAll(s);
    }
});

test("typed equality in snapshot rows and live changes", { timeout: 20000 }, async () => {
    // Before any write: rows 1..4 of SETUP have changed in the previous test, so start over.
    await sqlite(server.db, `
        DELETE FROM tasks;
        INSERT INTO tasks VALUES(1, 'open',   'ann', 0, 1.5, 5);
        INSERT INTO tasks VALUES(2, 'closed', NULL,  1, 2.0, '5');
        INSERT INTO tasks VALUES(3, 'open',   NULL,  1, 2,   5.0);
        INSERT INTO tasks VALUES(4, 'closed', 'bob', 0, NULL, NULL);`);
    const cases = [
        // [where, snapshot ids, live ids among the inserts below]
        [{ owner: null }, [2, 3], [21, 24]],
        [{ score: null }, [4], [24]],
        [{ done: true }, [2, 3], [22]],
        [{ done: false }, [1, 4], [20, 21, 23, 24]],
        [{ done: 1 }, [2, 3], [22]],
        [{ anything: 5 }, [1, 3], [20, 22]],
        [{ anything: 5.0 }, [1, 3], [20, 22]],
        [{ anything: "5" }, [2], [21]],
        [{ score: 2 }, [2, 3], [23]],
        [{ score: 1.5 }, [1], []],
        [{ owner: "ann", status: "open" }, [1], [20]],
        [{ owner: "ann", status: "closed" }, [], []],
        [{ status: "5" }, [], [23]],
        [{ status: 5 }, [], []],
    ];
    const sockets = [];
    try {
        const subs = [];
        for (const [where, snapshotIds] of cases) {
            const s = await connect(server.url, { events: ["change"] });
            sockets.push(s);
            const ack = await subscribe(s, { table: "tasks", where });
            assert.equal(ack.ok, true, `subscribe ${JSON.stringify(where)}: ${JSON.stringify(ack)}`);
            assert.deepEqual(ids(ack.rows), snapshotIds, `snapshot rows of ${JSON.stringify(where)}`);
            subs.push(ack.sub);
            // A second subscription on each socket shows when the whole batch has gone by.
            const marker = await subscribe(s, { table: "tasks", where: { status: "marker" } });
            assert.equal(marker.ok, true);
        }
        await sqlite(server.db, `
            INSERT INTO tasks VALUES(20, 'open',   'ann', 0, 0.5, 5);
            INSERT INTO tasks VALUES(21, 'closed', NULL,  0, 0.5, '5');
            INSERT INTO tasks VALUES(22, 'closed', 'x',   1, 0.5, 5.0);
            INSERT INTO tasks VALUES(23, '5',      'x',   0, 2.0, '5.0');
            INSERT INTO tasks VALUES(24, 'closed', NULL,  0, NULL, x'05');
            INSERT INTO tasks VALUES(25, 'marker', 'x',   2, 9, 9);`);
        for (const s of sockets) {
            await s.rec.until((r) => r.of("change").some((c) => c.row?.id === 25), 5000, "marker");
        }
        for (let i = 0; i < cases.length; i++) {
            const [where, , liveIds] = cases[i];
            const got = sockets[i].rec.of("change").filter((c) => c.sub === subs[i]);
            assert.deepEqual(got.map((c) => c.row.id), liveIds, `live changes of ${JSON.stringify(where)}`);
        }
    } finally {
        closeAll(sockets);
    }
});

test("snapshot and live agree on integers beyond 2^53 (sent as strings)", {
    timeout: 20000,
}, async () => {
    await sqlite(server.db, "INSERT INTO tasks VALUES(9007199254740993, 'big', NULL, 0, 0, 0);");
    const s = await connect(server.url, { events: ["change"] });
    try {
        const where = { id: "9007199254740993" };
        const ack = await subscribe(s, { table: "tasks", where });
        assert.equal(ack.ok, true);
        await sqlite(server.db, "UPDATE tasks SET owner = 'zed' WHERE id = 9007199254740993;");
        const marker = await subscribe(s, { table: "tasks", where: { status: "marker2" } });
        assert.equal(marker.ok, true);
        await sqlite(server.db, "INSERT INTO tasks VALUES(26, 'marker2', 'x', 0, 0, 0);");
        await s.rec.until((r) => r.of("change").some((c) => c.row?.id === 26), 5000, "marker");
        const live = s.rec.of("change").filter((c) => c.sub === ack.sub);
        assert.equal(ack.rows.length, live.length,
            `the snapshot has ${ack.rows.length} rows for ${JSON.stringify(where)} but ` +
            `${live.length} live changes matched it`);
    } finally {
        closeAll(s);
    }
});
