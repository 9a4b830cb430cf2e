// enviar-mensaje {author, body}: acked with the new row id, relayed unchanged to every other
// client (not the sender), and seen by `messages` subscribers as an insert; bad payloads are
// acked {error} and store nothing.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
    ISO_UTC,
    closeAll,
    connect,
    freshServer,
    keysOf,
    query,
    request,
    stopAndCheck,
    subscribe,
} from "./support/feed.mjs";

let server;
before(async () => {
    server = await freshServer();
});
after(async () => {
    await stopAndCheck(server);
});

const EVENTS = ["enviar-mensaje", "change"];

test("a message is stored, acked with its id, relayed to the others", { timeout: 20000 }, async () => {
    const sockets = [];
    try {
        const sender = await connect(server.url, { events: EVENTS });
        const other1 = await connect(server.url, { events: EVENTS });
        const other2 = await connect(server.url, { events: EVENTS, transports: ["polling"] });
        const watcher = await connect(server.url, { events: EVENTS });
        sockets.push(sender, other1, other2, watcher);
        const sub = await subscribe(watcher, { table: "messages" });
        assert.equal(sub.ok, true);
        assert.deepEqual(sub.rows, []);

        // Extra fields, binary too, travel unchanged: the relay is the payload as received.
        const payload = {
            author: "ana",
            body: "hola, ¿qué tal? 😀",
            extra: [1, { nested: null }],
            pic: Buffer.from([0, 1, 255]),
        };
        const id = await request(sender, "enviar-mensaje", payload);
        assert.ok(Number.isInteger(id), `ack is an integer row id, got ${JSON.stringify(id)}`);

        for (const s of [other1, other2, watcher]) await s.rec.count("enviar-mensaje", 1, 5000);
        await watcher.rec.count("change", 1, 5000);
        const second = await request(sender, "enviar-mensaje", { author: "bo", body: "" });
        assert.ok(Number.isInteger(second) && second > id);
        for (const s of [other1, other2, watcher]) await s.rec.count("enviar-mensaje", 2, 5000);
        await watcher.rec.count("change", 2, 5000);
        // Markers: a message from other1 (reaching sender, other2 and watcher) and then one from
        // other2 (reaching other1). Anything wrongly relayed or duplicated before comes first.
        const isMarker = (p) => p?.author === "marker";
        await request(other1, "enviar-mensaje", { author: "marker", body: "1" });
        await request(other2, "enviar-mensaje", { author: "marker", body: "2" });
        for (const s of [sender, other1, other2, watcher]) {
            await s.rec.until((r) => r.of("enviar-mensaje").some(isMarker), 5000, "a marker");
        }
        await watcher.rec.until((r) => r.of("change").filter((c) => isMarker(c.row)).length === 2,
            5000, "the markers' changes");
        const relayed = (s) => s.rec.of("enviar-mensaje").filter((p) => !isMarker(p));

        for (const s of [other1, other2, watcher]) {
            assert.deepEqual(relayed(s), [payload, { author: "bo", body: "" }]);
        }
        assert.deepEqual(relayed(sender), [], "the sender does not get its own");

        const changes = watcher.rec.of("change").filter((c) => !isMarker(c.row));
        const [c1, c2] = changes;
        assert.equal(changes.length, 2);
        assert.equal(c1.op, "insert");
        assert.equal(c1.table, "messages");
        assert.equal(c1.sub, sub.sub);
        assert.equal(c1.old, null);
        assert.deepEqual(keysOf(c1.row), ["author", "body", "created_at", "id"]);
        assert.equal(c1.row.id, id);
        assert.equal(c1.row.author, "ana");
        assert.equal(c1.row.body, "hola, ¿qué tal? 😀");
        assert.match(c1.row.created_at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
        assert.match(c1.committed_at, ISO_UTC);
        assert.equal(c2.row.id, second);
        assert.ok(c2.change_id > c1.change_id);
        assert.deepEqual(await query(server.db,
            "SELECT id, author, body FROM messages WHERE author <> 'marker' ORDER BY id"), [
            { id, author: "ana", body: "hola, ¿qué tal? 😀" }, { id: second, author: "bo", body: "" }]);
        // Not subscribed: no change events.
        assert.deepEqual(other1.rec.of("change"), []);
    } finally {
        closeAll(sockets);
    }
});

test("bad payloads are acked {error} and store nothing", { timeout: 20000 }, async () => {
    const sockets = [];
    try {
        const sender = await connect(server.url, { events: EVENTS });
        const other = await connect(server.url, { events: EVENTS });
        const watcher = await connect(server.url, { events: EVENTS });
        sockets.push(sender, other, watcher);
        assert.equal((await subscribe(watcher, { table: "messages" })).ok, true);
        const before = await query(server.db, "SELECT count(*) AS n FROM messages");
        const bad = [
            { body: "no author" },
            { author: "no body" },
            {},
            { author: 1, body: "x" },
            { author: "x", body: 2 },
            { author: null, body: "x" },
            { author: "x", body: ["a"] },
            { author: { a: 1 }, body: "x" },
            "just a string",
            null,
        ];
        for (const payload of bad) {
            const ack = await request(sender, "enviar-mensaje", payload);
            assert.deepEqual(keysOf(ack ?? {}), ["error"], `${JSON.stringify(payload)} → ${JSON.stringify(ack)}`);
            assert.equal(typeof ack.error, "string");
            assert.ok(ack.error.length > 0);
        }
        // Marker: a valid message after the bad ones. What they wrongly relayed or inserted would
        // reach other and watcher before it.
        const marker = { author: "marker", body: "m" };
        const markerId = await request(sender, "enviar-mensaje", marker);
        for (const s of [other, watcher]) await s.rec.count("enviar-mensaje", 1, 5000);
        await watcher.rec.count("change", 1, 5000);
        assert.deepEqual(await query(server.db, "SELECT count(*) AS n FROM messages"),
            [{ n: before[0].n + 1 }]);
        for (const s of [other, watcher]) {
            assert.deepEqual(s.rec.of("enviar-mensaje"), [marker], "nothing relayed but the marker");
        }
        assert.deepEqual(sender.rec.of("enviar-mensaje"), []);
        assert.deepEqual(watcher.rec.of("change").map((c) => c.row.id), [markerId],
            "nothing inserted but the marker");
        for (const s of [sender, other]) assert.deepEqual(s.rec.of("change"), []);
    } finally {
        closeAll(sockets);
    }
});
