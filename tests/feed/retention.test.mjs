// Retention (--retain 10): a `since` older than the kept window cannot be caught up: `resync`
// {sub, table, reason} and an ack that says so; subscribing again without `since` works, and a
// `since` inside the window still replays.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
    closeAll,
    connect,
    freshServer,
    keysOf,
    sleep,
    sqlite,
    stopAndCheck,
    subscribe,
} from "./support/feed.mjs";

const RETAIN = 10;
const SETUP = "CREATE TABLE log(id INTEGER PRIMARY KEY, n INTEGER NOT NULL);";

let server;
before(async () => {
    server = await freshServer(SETUP, ["--tables", "log", "--retain", String(RETAIN)]);
});
after(async () => {
    await stopAndCheck(server);
});

const inserts = (from, count) =>
    [...Array(count).keys()].map((i) => `INSERT INTO log VALUES(${from + i}, ${from + i});`).join("\n");

async function expectResync(since, label) {
    const s = await connect(server.url, { events: ["change", "resync"] });
    try {
        const ack = await subscribe(s, { table: "log", since });
        assert.notEqual(ack.ok, true, `${label}: the ack must say it cannot catch up: ${JSON.stringify(ack)}`);
        assert.equal(typeof ack.error, "string");
        await s.rec.count("resync", 1, 5000);
        const [resync] = s.rec.of("resync");
        assert.deepEqual(keysOf(resync), ["reason", "sub", "table"], label);
        assert.equal(resync.table, "log");
        assert.equal(typeof resync.sub, "string");
        assert.equal(typeof resync.reason, "string");
        assert.ok(resync.reason.length > 0);
        assert.equal(ack.sub, resync.sub);

        // Subscribing again without since works. Its ack comes after anything the first
        // subscribe sent (a second resync, a replay), so it also serves as a marker.
        const again = await subscribe(s, { table: "log" });
        assert.equal(again.ok, true);
        assert.equal(again.sub, resync.sub);
        assert.equal(s.rec.of("resync").length, 1);
        assert.deepEqual(s.rec.of("change"), [], `${label}: nothing replayed`);
        await sqlite(server.db, "UPDATE log SET n = -n WHERE id = 1;");
        await s.rec.count("change", 1, 5000);
        assert.equal(s.rec.of("change")[0].sub, again.sub);
        return again;
    } finally {
        closeAll(s);
    }
}

test("since older than the retained window: resync, then a plain subscribe", { timeout: 30000 }, async () => {
    const live = await connect(server.url, { events: ["change"] });
    try {
        const ack0 = await subscribe(live, { table: "log" });
        await sqlite(server.db, inserts(1, 200));
        await live.rec.count("change", 200, 10000);
        const ids = live.rec.of("change").map((c) => c.change_id);
        // The log is trimmed on the server's own schedule: wait until a probe asking for the
        // oldest change is refused (15 s at most).
        const deadline = Date.now() + 15000;
        for (;;) {
            const probe = await connect(server.url);
            try {
                const answer = await subscribe(probe, { table: "log", since: ack0.last_change_id });
                if (answer.ok !== true) break;
            } finally {
                closeAll(probe);
            }
            assert.ok(Date.now() < deadline, "the log was not trimmed within 15 s");
            await sleep(200); // pacing between probes, not synchronization
        }
        const again = await expectResync(ack0.last_change_id, "since before the first change");
        assert.equal(again.rows.length, 200);
        await expectResync(ids[100], "since in the middle");

        // Inside the window: replayed as usual.
        const s = await connect(server.url, { events: ["change", "resync"] });
        try {
            const newest = (await subscribe(s, { table: "log", where: { id: 999 } })).last_change_id;
            const inside = await subscribe(s, { table: "log", since: newest - 5 });
            assert.equal(inside.ok, true, JSON.stringify(inside));
            await s.rec.count("change", 5, 5000);
            // A sixth replayed change, or a resync, would come before the marker's change.
            await sqlite(server.db, "INSERT INTO log VALUES(5000, 5000);");
            await s.rec.until((r) => r.of("change").some((c) => c.row?.id === 5000), 5000, "the marker");
            assert.deepEqual(s.rec.of("change").filter((c) => c.row?.id !== 5000).map((c) => c.change_id),
                [1, 2, 3, 4, 5].map((i) => newest - 5 + i));
            assert.deepEqual(s.rec.of("resync"), []);
        } finally {
            closeAll(s);
        }
    } finally {
        closeAll(live);
    }
});

test("the window is enforced as soon as the changes are delivered", {
    timeout: 30000,
}, async () => {
    const live = await connect(server.url, { events: ["change"] });
    try {
        const ack0 = await subscribe(live, { table: "log" });
        await sqlite(server.db, inserts(1000, 200));
        await live.rec.count("change", 200, 10000);
        await expectResync(ack0.last_change_id, "since just before 200 changes");
    } finally {
        closeAll(live);
    }
});
