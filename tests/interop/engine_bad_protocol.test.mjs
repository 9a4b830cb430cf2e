// Well-formed HTTP that breaks the Engine.IO protocol: answered as Node's engine.io does
// (400 + {"code":N,"message":...}), or the session closed; then a fresh client still works.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
    ENGINE_PATH,
    assertEngineError,
    assertServes,
    httpRequest,
    pollingHandshake,
    rawExchange,
    showBytes,
} from "./support/eio.mjs";
import { onlyOurs, startServer, stopAndCheck, RELAXED_HEARTBEAT } from "./support/server.mjs";

let server;
before(async () => { server = await startServer(RELAXED_HEARTBEAT); });
after(async () => { await stopAndCheck(server); });

const get = (query) => httpRequest(server, { path: `${ENGINE_PATH}?${query}` });
const post = (query, body, contentType = "text/plain;charset=UTF-8") => httpRequest(server, {
    method: "POST",
    path: `${ENGINE_PATH}?${query}`,
    headers: { "Content-Type": contentType },
    body,
});

const WS_HEADERS = "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

describe("handshake errors", () => {
    // engine.io reads any EIO other than "4" as protocol 3, which is refused (allowEIO3 false).
    for (const [what, query] of [
        ["missing EIO", "transport=polling"],
        ["EIO=3", "EIO=3&transport=polling"],
        ["EIO=abc", "EIO=abc&transport=polling"],
        ["EIO=5", "EIO=5&transport=polling"],
        ["EIO= (empty)", "EIO=&transport=polling"],
    ]) {
        test(`${what}: 400 code 5 "Unsupported protocol version"`, { timeout: 10000 }, async () => {
            assertEngineError(await get(query), 5, "Unsupported protocol version");
            await assertServes(server);
        });
    }

    for (const [what, query] of [
        ["unknown transport", "EIO=4&transport=foo"],
        ["missing transport", "EIO=4"],
        ["webtransport over HTTP", "EIO=4&transport=webtransport"],
        ["unknown transport checked before EIO", "EIO=3&transport=foo"],
    ]) {
        test(`${what}: 400 code 0 "Transport unknown"`, { timeout: 10000 }, async () => {
            assertEngineError(await get(query), 0, "Transport unknown");
            await assertServes(server);
        });
    }

    test("unknown sid: 400 code 1 \"Session ID unknown\" (GET and POST)", { timeout: 10000 }, async () => {
        assertEngineError(await get("EIO=4&transport=polling&sid=doesnotexist"), 1, "Session ID unknown");
        assertEngineError(await post("EIO=4&transport=polling&sid=doesnotexist", "4hello"), 1, "Session ID unknown");
        await assertServes(server);
    });

    test("POST handshake: 400 code 2 \"Bad handshake method\"", { timeout: 10000 }, async () => {
        assertEngineError(await post("EIO=4&transport=polling", "4hello"), 2, "Bad handshake method");
        await assertServes(server);
    });

    test("PUT handshake: 400 code 2 \"Bad handshake method\"", { timeout: 10000 }, async () => {
        const res = await httpRequest(server, { method: "PUT", path: `${ENGINE_PATH}?EIO=4&transport=polling`, body: "" });
        assertEngineError(res, 2, "Bad handshake method");
    });

    test("websocket transport without Upgrade: 400 code 3 \"Bad request\"", { timeout: 10000 }, async () => {
        assertEngineError(await get("EIO=4&transport=websocket"), 3, "Bad request");
        await assertServes(server);
    });

    test("polling sid used with transport=websocket without Upgrade: 400 code 3", { timeout: 10000 }, async () => {
        const { sid } = await pollingHandshake(server);
        assertEngineError(await get(`EIO=4&transport=websocket&sid=${sid}`), 3, "Bad request");
    });

    test("error answers carry CORS headers", { timeout: 10000 }, async () => {
        const res = await httpRequest(server, {
            path: `${ENGINE_PATH}?EIO=4&transport=foo`,
            headers: { Origin: "http://example.test" },
        });
        assertEngineError(res, 0, "Transport unknown");
        const allow = res.headers["access-control-allow-origin"];
        assert.ok(allow === "*" || allow === "http://example.test", `Access-Control-Allow-Origin ${allow}`);
    });
});

describe("websocket upgrade errors", () => {
    for (const [what, query, message] of [
        ["unknown sid", "EIO=4&transport=websocket&sid=doesnotexist", "Session ID unknown"],
        ["unknown transport", "EIO=4&transport=foo", "Transport unknown"],
    ]) {
        test(`${what}: 400 and closed`, { timeout: 10000 }, async () => {
            const r = await rawExchange(server, `GET ${ENGINE_PATH}?${query} HTTP/1.1\r\nHost: x\r\n${WS_HEADERS}\r\n`);
            const text = r.data.toString("latin1");
            assert.match(text, /^HTTP\/1\.1 400 /, showBytes(r.data));
            assert.ok(text.includes(message), `body names "${message}": ${showBytes(r.data)}`);
            assert.ok(r.closedByServer, "connection closed");
            await assertServes(server);
        });
    }

    test("missing Sec-WebSocket-Key: 400 and closed", { timeout: 10000 }, async () => {
        const r = await rawExchange(server,
            `GET ${ENGINE_PATH}?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`);
        assert.match(r.data.toString("latin1"), /^HTTP\/1\.1 400 /, showBytes(r.data));
        assert.ok(r.closedByServer, "connection closed");
        await assertServes(server);
    });

    test("upgrade on another path is never accepted", { timeout: 10000 }, async () => {
        const r = await rawExchange(server, `GET /elsewhere HTTP/1.1\r\nHost: x\r\n${WS_HEADERS}\r\n`, { timeoutMs: 3000 });
        const text = r.data.toString("latin1");
        assert.doesNotMatch(text, /^HTTP\/1\.1 101 /, showBytes(r.data));
        // Node ends the socket after 1 s without an answer; a 404 is as good.
        assert.ok(r.closedByServer || /^HTTP\/1\.1 404 /.test(text), `neither closed nor 404: ${showBytes(r.data)}`);
    });
});

describe("bad polling payloads", () => {
    test("a well-formed payload is echoed exactly (text, empty text, base64 binary, empty binary)", { timeout: 10000 }, async () => {
        const { sid } = await pollingHandshake(server);
        const body = "4hello\x1e4\x1ebAQID/w==\x1eb\x1e4é€😀";
        const res = await post(`EIO=4&transport=polling&sid=${sid}`, body);
        assert.equal(res.status, 200);
        assert.equal(res.body.toString(), "ok");
        const poll = await get(`EIO=4&transport=polling&sid=${sid}`);
        assert.equal(poll.status, 200);
        assert.equal(poll.body.toString("utf8"), body);
    });

    test("an unknown packet type closes that session", { timeout: 10000 }, async () => {
        const { sid } = await pollingHandshake(server);
        const res = await post(`EIO=4&transport=polling&sid=${sid}`, "X");
        // Node answers this POST 200 "ok" and then closes the session; a 400 is as good.
        assert.ok(res.status === 200 || res.status === 400, `POST status ${res.status}`);
        assertEngineError(await get(`EIO=4&transport=polling&sid=${sid}`), 1, "Session ID unknown");
        await assertServes(server);
    });

    for (const [what, body] of [
        ["an empty body", ""],
        ["a lone separator", "\x1e"],
        ["a packet type out of range", "9"],
    ]) {
        test(`${what} closes that session`, { timeout: 10000 }, async () => {
            const { sid } = await pollingHandshake(server);
            const res = await post(`EIO=4&transport=polling&sid=${sid}`, body);
            assert.ok(res.status === 200 || res.status === 400, `POST status ${res.status}`);
            assertEngineError(await get(`EIO=4&transport=polling&sid=${sid}`), 1, "Session ID unknown");
            await assertServes(server);
        });
    }

    test("bad base64 ('bAQI*') closes that session",
        { timeout: 10000, skip: onlyOurs("Buffer.from(s, 'base64') silently drops bad characters") },
        async () => {
            const { sid } = await pollingHandshake(server);
            const res = await post(`EIO=4&transport=polling&sid=${sid}`, "bAQI*");
            assert.ok(res.status === 200 || res.status === 400, `POST status ${res.status}`);
            const next = await get(`EIO=4&transport=polling&sid=${sid}`);
            assertEngineError(next, 1, "Session ID unknown");
            await assertServes(server);
        });

    test("a binary (octet-stream) POST closes that session with 400", { timeout: 10000 }, async () => {
        const { sid } = await pollingHandshake(server);
        const res = await post(`EIO=4&transport=polling&sid=${sid}`, Buffer.from([4, 1, 2, 3]), "application/octet-stream");
        assert.equal(res.status, 400);
        assertEngineError(await get(`EIO=4&transport=polling&sid=${sid}`), 1, "Session ID unknown");
        await assertServes(server);
    });

    test("two overlapping GETs close that session with 400", { timeout: 10000 }, async () => {
        const { sid } = await pollingHandshake(server);
        // Whichever the server sees second is refused, and the one it had parked is released:
        // which one that is depends on scheduling, not on the order we sent them in.
        const both = await Promise.all([get(`EIO=4&transport=polling&sid=${sid}`),
            get(`EIO=4&transport=polling&sid=${sid}`)]);
        assert.deepEqual(both.map((r) => r.status).sort(), [200, 400],
            "one poll refused, the parked one released");
        assertEngineError(await get(`EIO=4&transport=polling&sid=${sid}`), 1, "Session ID unknown");
        await assertServes(server);
    });

    test("PUT/DELETE on a live polling session: 500 as Node (polling.ts onRequest), session lives on", { timeout: 10000 }, async () => {
        const { sid } = await pollingHandshake(server);
        for (const method of ["PUT", "DELETE"]) {
            const res = await httpRequest(server, { method, path: `${ENGINE_PATH}?EIO=4&transport=polling&sid=${sid}`, body: "" });
            assert.equal(res.status, 500, `${method}: status ${res.status}, body ${JSON.stringify(res.body.toString())}`);
        }
        const next = await get(`EIO=4&transport=polling&sid=${sid}`);
        assert.equal(next.status, 200, "the session survives");
    });

    test("a close packet (\"1\") ends the session", { timeout: 10000 }, async () => {
        const { sid } = await pollingHandshake(server);
        const res = await post(`EIO=4&transport=polling&sid=${sid}`, "1");
        assert.equal(res.status, 200);
        assertEngineError(await get(`EIO=4&transport=polling&sid=${sid}`), 1, "Session ID unknown");
    });
});
