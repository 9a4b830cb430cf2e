// Large values: a 500 KB TEXT and 100 KB BLOBs (inserted by python) arrive whole, BLOBs as
// binary attachments (Buffer) byte-exact, in changes and in snapshot rows.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";

import {
    closeAll,
    connect,
    freshServer,
    normalize,
    python,
    query,
    stopAndCheck,
    subscribe,
} from "./support/feed.mjs";

const SETUP = "CREATE TABLE files(id INTEGER PRIMARY KEY, name TEXT, body TEXT, data BLOB, extra BLOB);";

let server;
before(async () => {
    server = await freshServer(SETUP, ["--tables", "files"]);
});
after(async () => {
    await stopAndCheck(server);
});

// 500 KB of varied text: ASCII, multi-byte characters, quotes and backslashes.
function bigText(kb) {
    const unit = "Lorem \"ipsum\" \\ dolor — ünïcödé ✓ 😀\n";
    const parts = [];
    for (let bytes = 0, i = 0; bytes < kb * 1024; i++) {
        parts.push(`${i}:${unit}`);
        bytes += Buffer.byteLength(parts[i]);
    }
    return parts.join("");
}

test("large TEXT and BLOB values, live and in the snapshot", { timeout: 30000 }, async () => {
    const text = bigText(500);
    const blob = randomBytes(100 * 1024);
    const small = Buffer.from([0, 1, 2, 255, 0x22, 0x5c, 0]);
    const blob2 = randomBytes(100 * 1024);
    const s = await connect(server.url, { events: ["change"] });
    let late;
    try {
        const ack = await subscribe(s, { table: "files" });
        assert.equal(ack.ok, true);
        await python({
            db: server.db,
            steps: [
                { sql: "INSERT INTO files VALUES(1, 'big', ?, ?, ?)",
                    params: [text, { $hex: blob.toString("hex") }, { $hex: small.toString("hex") }] },
                { sql: "UPDATE files SET data = ?, extra = NULL WHERE id = 1",
                    params: [{ $hex: blob2.toString("hex") }] },
                { sql: "INSERT INTO files VALUES(2, 'empty', '', ?, NULL)", params: [{ $hex: "" }] },
            ],
        });
        await s.rec.count("change", 3, 15000);
        const [ins, upd, empty] = s.rec.of("change");

        assert.equal(ins.op, "insert");
        assert.equal(ins.row.body.length, text.length);
        assert.ok(ins.row.body === text, "the 500 KB text arrives unchanged");
        assert.ok(Buffer.isBuffer(ins.row.data), `data is a Buffer, got ${typeof ins.row.data}`);
        assert.ok(ins.row.data.equals(blob), "the 100 KB blob is byte-exact");
        assert.ok(Buffer.isBuffer(ins.row.extra) && ins.row.extra.equals(small));

        assert.equal(upd.op, "update");
        assert.ok(Buffer.isBuffer(upd.row.data) && upd.row.data.equals(blob2), "new blob");
        assert.ok(Buffer.isBuffer(upd.old.data) && upd.old.data.equals(blob), "old blob");
        assert.ok(Buffer.isBuffer(upd.old.extra) && upd.old.extra.equals(small));
        assert.equal(upd.row.extra, null);
        assert.ok(upd.row.body === text && upd.old.body === text);

        // A zero-length BLOB is still a BLOB.
        assert.ok(Buffer.isBuffer(empty.row.data), `empty blob: ${JSON.stringify(empty.row.data)}`);
        assert.equal(empty.row.data.length, 0);
        assert.equal(empty.row.body, "");

        late = await connect(server.url);
        const snap = await subscribe(late, { table: "files" });
        assert.equal(snap.ok, true);
        assert.equal(snap.rows.length, 2);
        assert.ok(Buffer.isBuffer(snap.rows[0].data) && snap.rows[0].data.equals(blob2));
        assert.ok(snap.rows[0].body === text);
        assert.ok(Buffer.isBuffer(snap.rows[1].data) && snap.rows[1].data.length === 0);
        assert.deepEqual(normalize(snap.rows), await query(server.db, "SELECT * FROM files ORDER BY id"));
    } finally {
        closeAll(s, late);
    }
});
