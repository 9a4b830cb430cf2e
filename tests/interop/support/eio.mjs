// Helpers shared by the Engine.IO interop tests: engine.io-client sockets, plain HTTP requests
// and raw TCP/WebSocket exchanges for malformed input.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import http from "node:http";
import net from "node:net";

import { Socket } from "engine.io-client";

export const ENGINE_PATH = "/engine.io/";
/** The conformance server's (and its Node twin's) settings, as announced in the handshake. */
export const PING_INTERVAL_MS = 300;
export const PING_TIMEOUT_MS = 200;
export const MAX_PAYLOAD = 1e6;

/** Rejects with `what` when `promise` has not settled within `ms`. */
export function withTimeout(promise, ms, what) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens an engine.io-client Socket; resolves once "open" fired. */
export function openClient(server, opts = {}, timeoutMs = 10000) {
    const socket = new Socket(server.url, { path: ENGINE_PATH, ...opts });
    const opened = new Promise((resolve, reject) => {
        const onError = (err) => {
            reject(new Error(`engine.io-client error before open: ${err?.message ?? err} ` +
                `${err?.description?.message ?? ""}`));
        };
        socket.once("error", onError);
        socket.once("close", (reason, desc) => {
            reject(new Error(`closed before open: ${reason} ${desc?.message ?? ""}`));
        });
        socket.once("open", () => {
            socket.off("error", onError);
            resolve(socket);
        });
    });
    return withTimeout(opened, timeoutMs, `open (${JSON.stringify(opts)})`).catch((err) => {
        socket.close();
        throw err;
    });
}

/** Resolves with the next message the socket receives. */
export function nextMessage(socket, timeoutMs = 5000) {
    return withTimeout(
        new Promise((resolve, reject) => {
            socket.once("message", resolve);
            socket.once("close", (reason) => reject(new Error(`closed: ${reason}`)));
        }),
        timeoutMs,
        "next message");
}

/** Collects the next `count` messages, in arrival order. */
export function collectMessages(socket, count, timeoutMs = 10000) {
    const got = [];
    return withTimeout(
        new Promise((resolve, reject) => {
            const onMessage = (m) => {
                got.push(m);
                if (got.length === count) {
                    socket.off("message", onMessage);
                    resolve(got);
                }
            };
            socket.on("message", onMessage);
            socket.once("close", (reason) =>
                reject(new Error(`closed after ${got.length}/${count} messages: ${reason}`)));
        }),
        timeoutMs,
        `${count} messages`).catch((err) => {
        err.message += ` (received ${got.length})`;
        throw err;
    });
}

/** Resolves with {reason, description} when the socket closes. */
export function closed(socket, timeoutMs = 5000) {
    return withTimeout(
        new Promise((resolve) => socket.once("close", (reason, description) =>
            resolve({ reason, description }))),
        timeoutMs,
        "close");
}

/** Any binary a client may receive (Buffer, ArrayBuffer, typed array) as a Buffer. */
export function toBuffer(data) {
    if (Buffer.isBuffer(data)) return data;
    if (data instanceof ArrayBuffer) return Buffer.from(data);
    if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    throw new TypeError(`not binary: ${typeof data} ${Object.prototype.toString.call(data)}`);
}

/** Deterministic pseudo-random bytes (so that a failure is reproducible). */
export function patternBytes(n, seed = 1) {
    const b = Buffer.allocUnsafe(n);
    let x = seed >>> 0 || 1;
    for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        b[i] = x & 0xff;
    }
    return b;
}

/** Proves the server still works: a new client (default transports) opens and gets an echo. */
export async function assertServes(server, opts = {}) {
    assert.equal(server.exited, null, `server process exited: ${JSON.stringify(server.exited)}`);
    const socket = await openClient(server, opts);
    try {
        const text = `fresh-${crypto.randomUUID()}`;
        const echo = nextMessage(socket);
        socket.send(text);
        assert.equal(await echo, text);
    } finally {
        socket.close();
    }
}

/** One HTTP request on its own connection; resolves with {status, headers, body: Buffer}. */
export function httpRequest(server, { method = "GET", path, headers = {}, body } = {}) {
    return withTimeout(
        new Promise((resolve, reject) => {
            const req = http.request({
                host: server.host,
                port: server.port,
                method,
                path,
                headers,
                agent: false,
            }, (res) => {
                const chunks = [];
                res.on("data", (c) => chunks.push(c));
                res.on("end", () => resolve({
                    status: res.statusCode,
                    headers: res.headers,
                    body: Buffer.concat(chunks),
                }));
                res.on("error", reject);
            });
            req.on("error", reject);
            req.end(body);
        }),
        10000,
        `${method} ${path}`);
}

/** Body of an error answer, parsed; asserts 400 + JSON {code, message}. */
export function assertEngineError(res, code, message) {
    const text = res.body.toString("utf8");
    assert.equal(res.status, 400, `status (body ${JSON.stringify(text)})`);
    let json;
    assert.doesNotThrow(() => { json = JSON.parse(text); }, `JSON body, got ${JSON.stringify(text)}`);
    assert.deepEqual(json, { code, message });
    assert.match(String(res.headers["content-type"]), /^application\/json/);
}

/** Polling handshake; resolves with the parsed open packet ({sid, upgrades, ...}). */
export async function pollingHandshake(server) {
    const res = await httpRequest(server, { path: `${ENGINE_PATH}?EIO=4&transport=polling` });
    const text = res.body.toString("utf8");
    assert.equal(res.status, 200, `handshake status, body ${JSON.stringify(text)}`);
    assert.equal(text[0], "0", `open packet, got ${JSON.stringify(text)}`);
    return JSON.parse(text.slice(1));
}

/**
 * Sends raw bytes on a new TCP connection (optionally half-closing), then reads until the server
 * closes or `timeoutMs` passes. Resolves with {data: Buffer, closedByServer, elapsedMs, error}.
 */
export function rawExchange(server, bytes, { end = false, timeoutMs = 5000, onConnect } = {}) {
    return new Promise((resolve) => {
        const start = Date.now();
        const chunks = [];
        let error = null;
        let done = false;
        const socket = net.connect(server.port, server.host);
        const finish = (closedByServer) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            socket.destroy();
            resolve({ data: Buffer.concat(chunks), closedByServer, elapsedMs: Date.now() - start, error });
        };
        const timer = setTimeout(() => finish(false), timeoutMs);
        socket.on("connect", () => {
            onConnect?.(socket);
            if (bytes !== undefined && bytes !== null) socket.write(bytes);
            if (end) socket.end();
        });
        socket.on("data", (c) => chunks.push(c));
        socket.on("end", () => finish(true));
        socket.on("close", () => finish(true));
        socket.on("error", (err) => {
            error = err.code ?? err.message;
            finish(true);
        });
    });
}

/**
 * Opens a raw WebSocket to /engine.io/ (no client library): resolves with {socket, head}
 * once the 101 answer arrived; `head` holds the bytes received after it.
 */
export function rawWebSocket(server, query = "EIO=4&transport=websocket", { timeoutMs = 5000 } = {}) {
    let socket;
    return withTimeout(
        new Promise((resolve, reject) => {
            socket = net.connect(server.port, server.host);
            const key = crypto.randomBytes(16).toString("base64");
            let buf = Buffer.alloc(0);
            const onData = (c) => {
                buf = Buffer.concat([buf, c]);
                const end = buf.indexOf("\r\n\r\n");
                if (end < 0) return;
                socket.off("data", onData);
                const head = buf.subarray(0, end).toString("latin1");
                if (!/^HTTP\/1\.1 101 /.test(head)) {
                    socket.destroy();
                    reject(new Error(`upgrade refused: ${JSON.stringify(head)}`));
                    return;
                }
                const accept = crypto.createHash("sha1")
                    .update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
                if (!head.toLowerCase().includes(`sec-websocket-accept: ${accept.toLowerCase()}`)) {
                    socket.destroy();
                    reject(new Error(`bad Sec-WebSocket-Accept in ${JSON.stringify(head)}`));
                    return;
                }
                resolve({ socket, head: buf.subarray(end + 4) });
            };
            socket.on("data", onData);
            socket.on("error", reject);
            socket.on("connect", () => {
                socket.write(
                    `GET ${ENGINE_PATH}?${query} HTTP/1.1\r\n` +
                    `Host: ${server.host}:${server.port}\r\n` +
                    "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
                    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
            });
            socket.on("close", () => reject(new Error("closed before the upgrade answer")));
        }),
        timeoutMs,
        "raw websocket upgrade").catch((err) => {
        socket.destroy();
        throw err;
    });
}

/** A client-to-server (masked) WebSocket frame. */
export function wsFrame(opcode, payload, { fin = true, mask = crypto.randomBytes(4) } = {}) {
    const data = Buffer.from(payload);
    let header;
    if (data.length < 126) {
        header = Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | data.length]);
    } else if (data.length < 65536) {
        header = Buffer.alloc(4);
        header[0] = (fin ? 0x80 : 0) | opcode;
        header[1] = 0x80 | 126;
        header.writeUInt16BE(data.length, 2);
    } else {
        header = Buffer.alloc(10);
        header[0] = (fin ? 0x80 : 0) | opcode;
        header[1] = 0x80 | 127;
        header.writeBigUInt64BE(BigInt(data.length), 2);
    }
    const masked = Buffer.from(data);
    for (let i = 0; i < masked.length; i++) masked[i] ^= mask[i & 3];
    return Buffer.concat([header, mask, masked]);
}

/** Parses the unmasked server frames at the start of `buf`: [{opcode, payload}], rest. */
export function parseServerFrames(buf) {
    const frames = [];
    let off = 0;
    while (buf.length - off >= 2) {
        const b0 = buf[off];
        const b1 = buf[off + 1];
        let len = b1 & 0x7f;
        let hdr = 2;
        if (len === 126) {
            if (buf.length - off < 4) break;
            len = buf.readUInt16BE(off + 2);
            hdr = 4;
        } else if (len === 127) {
            if (buf.length - off < 10) break;
            len = Number(buf.readBigUInt64BE(off + 2));
            hdr = 10;
        }
        if (b1 & 0x80) hdr += 4;
        if (buf.length - off < hdr + len) break;
        frames.push({ fin: !!(b0 & 0x80), opcode: b0 & 0x0f, payload: buf.subarray(off + hdr, off + hdr + len) });
        off += hdr + len;
    }
    return { frames, rest: buf.subarray(off) };
}

/** Printable rendering of raw bytes for failure messages (first `max` bytes). */
export function showBytes(buf, max = 300) {
    const s = JSON.stringify(buf.subarray(0, max).toString("latin1"));
    return buf.length > max ? `${s}... (${buf.length} bytes)` : s;
}
