// Engine options a real engine.io-client 6.6 exercises: HTTPS/WSS (TLS relay, with a certificate
// made for the run), permessage-deflate, the sid cookie and allow_request. Node's twin has no
// flags for these, so they run against our server only.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import WebSocket from "ws";

import { ENGINE_PATH, openClient, withTimeout } from "./support/eio.mjs";
import { onlyOurs, PATIENT_HEARTBEAT, startServer, stopAndCheck } from "./support/server.mjs";

const T = { timeout: 20000 };

function echoAll(socket, messages, timeoutMs = 8000) {
    const got = [];
    const done = new Promise((resolve) => {
        socket.on("message", (m) => {
            got.push(m);
            if (got.length === messages.length) resolve(got);
        });
    });
    for (const m of messages) socket.send(m);
    return withTimeout(done, timeoutMs, `${messages.length} echoes`);
}

// Every server here has a 3 s pingTimeout (PATIENT_HEARTBEAT): with the conformance 200 ms, a
// polling client under load missed a pong mid-echo (interop.engine_options failed under
// stress-ng: "timed out after 8000 ms: 51 echoes" over TLS polling).
describe("HTTPS / WSS", { skip: onlyOurs("TLS flags") }, () => {
    let server;
    let dir;
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sio-tls-"));
        execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${dir}/key.pem`,
            "-out", `${dir}/cert.pem`, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        { stdio: "ignore" });
        server = await startServer(["--tls-cert", `${dir}/cert.pem`, "--tls-key", `${dir}/key.pem`, ...PATIENT_HEARTBEAT]);
    });
    after(async () => {
        await stopAndCheck(server);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const transports of [["polling"], ["websocket"], ["polling", "websocket"]]) {
        test(`text and binary echo over TLS (${transports.join(" then ")})`, T, async () => {
            const url = server.url.replace("http:", "https:");
            const ca = fs.readFileSync(`${dir}/cert.pem`);
            const socket = await openClient({ url }, { transports, ca, rejectUnauthorized: true });
            try {
                const messages = Array.from({ length: 50 }, (_, i) => `m${i}`);
                messages.push(new Uint8Array([0, 1, 2, 255]));
                const got = await echoAll(socket, messages);
                assert.deepEqual(got.slice(0, 50), messages.slice(0, 50));
                assert.deepEqual(new Uint8Array(got[50]), messages[50]);
                if (transports.length === 2)
                    await withTimeout(new Promise((r) => (socket.transport.name === "websocket" ? r() : socket.once("upgrade", r))), 5000, "upgrade");
                assert.equal(socket.transport.name, transports.at(-1));
            } finally {
                socket.close();
            }
        });
    }

    test("a plain-HTTP request on the TLS port is refused, the server goes on", T, async () => {
        await assert.rejects(fetch(`${server.url}${ENGINE_PATH}?EIO=4&transport=polling`));
        const res = await new Promise((resolve, reject) => {
            https.get(`${server.url.replace("http:", "https:")}${ENGINE_PATH}?EIO=4&transport=polling`,
                { ca: fs.readFileSync(`${dir}/cert.pem`) }, resolve).on("error", reject);
        });
        assert.equal(res.statusCode, 200);
        res.resume();
    });
});

describe("permessage-deflate", { skip: onlyOurs("--per-message-deflate") }, () => {
    let server;
    before(async () => { server = await startServer(["--per-message-deflate", ...PATIENT_HEARTBEAT]); });
    after(async () => { await stopAndCheck(server); });

    test("negotiated with a ws client; large and small messages both ways, text and binary", T, async () => {
        const ws = new WebSocket(`${server.url.replace("http", "ws")}${ENGINE_PATH}?EIO=4&transport=websocket`,
            { perMessageDeflate: { threshold: 0 } });
        const frames = [];
        ws.on("message", (data, isBinary) => frames.push({ data, isBinary }));
        await withTimeout(new Promise((r) => ws.once("open", r)), 5000, "open");
        assert.match(ws.extensions, /permessage-deflate/);
        const big = "4" + "abc".repeat(5000);
        const bin = Buffer.alloc(40000, 7);
        ws.send(big);
        ws.send("4small");
        ws.send(bin);
        await withTimeout((async () => { while (frames.length < 4) await new Promise((r) => setTimeout(r, 10)); })(), 5000, "echoes");
        assert.equal(frames[1].data.toString(), big);
        assert.equal(frames[2].data.toString(), "4small");
        assert.ok(frames[3].isBinary && Buffer.compare(frames[3].data, bin) === 0);
        ws.close();
    });

    test("engine.io-client with perMessageDeflate echoes exactly", T, async () => {
        const socket = await openClient(server, { transports: ["websocket"], perMessageDeflate: { threshold: 0 } });
        try {
            const messages = ["x".repeat(20000), "y", "é😀".repeat(3000)];
            assert.deepEqual(await echoAll(socket, messages), messages);
        } finally {
            socket.close();
        }
    });
});

describe("sid cookie and allow_request", { skip: onlyOurs("--cookie / --require-header") }, () => {
    let server;
    before(async () => { server = await startServer(["--cookie", "--require-header", "x-token", ...PATIENT_HEARTBEAT]); });
    after(async () => { await stopAndCheck(server); });

    test("a handshake without the header is refused: 403 {code: 4, message}", T, async () => {
        const res = await fetch(`${server.url}${ENGINE_PATH}?EIO=4&transport=polling`);
        assert.equal(res.status, 403);
        assert.deepEqual(await res.json(), { code: 4, message: "missing x-token header" });
    });

    test("with the header: open, and the sid cookie is set", T, async () => {
        const res = await fetch(`${server.url}${ENGINE_PATH}?EIO=4&transport=polling`, { headers: { "x-token": "1" } });
        assert.equal(res.status, 200);
        const open = JSON.parse((await res.text()).slice(1));
        assert.match(res.headers.get("set-cookie"), new RegExp(`^io=${open.sid}; Path=/; HttpOnly; SameSite=Lax`));
        const socket = await openClient(server, { transports: ["websocket"], extraHeaders: { "x-token": "1" } });
        assert.deepEqual(await echoAll(socket, ["hello"]), ["hello"]);
        socket.close();
    });
});
