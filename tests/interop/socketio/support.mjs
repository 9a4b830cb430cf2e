// Helpers shared by the socket.io interop tests: npm socket.io-client 4.8 against our servers.
//
// Servers: SIO_CHAT_SERVER (apps/chat's chat_server), SIO_TEST_SERVER and SIO_PARITY_SERVER
// (tests/support's socketio_test_server and socketio_parity_server), each started with
// `--port 0` and stopped by PID.
// Unset, the binaries of build/ are used when present. Either may also be a command line, e.g.
// "node tests/interop/socketio/node_twins/chat_server.mjs": the Node reference, to check that
// a test expects what npm socket.io 4.8 does.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

import { io, Manager } from "socket.io-client";

import { patternBytes, sleep, toBuffer, withTimeout } from "../support/eio.mjs";
import { splitCommand, startCommand, stopAndCheck } from "../support/server.mjs";
import { threadArgs } from "../../support/process.mjs";

export { patternBytes, sleep, stopAndCheck, toBuffer, withTimeout };

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const BINARIES = {
    chat: { env: "SIO_CHAT_SERVER", fallback: ["build/apps/chat/chat_server"] },
    test: {
        env: "SIO_TEST_SERVER",
        fallback: ["build/tests/support/socketio_test_server"],
    },
    parity: {
        env: "SIO_PARITY_SERVER",
        fallback: ["build/tests/support/socketio_parity_server"],
    },
};

/** Command line ([file, ...args]) of a server ("chat" or "test"), or null when there is none. */
export function serverCommand(kind) {
    const { env, fallback } = BINARIES[kind];
    const line = process.env[env];
    if (line && line.trim()) return fs.existsSync(line) ? [line] : splitCommand(line);
    for (const rel of fallback) {
        const p = path.join(repoRoot, rel);
        if (fs.existsSync(p)) return [p];
    }
    return null;
}

/** True when the server of `kind` is the Node reference twin (node_twins/). */
export function isNodeTwin(kind) {
    return /node_twins/.test(serverCommand(kind)?.join(" ") ?? "");
}

/** node:test skip option when a server binary is missing. */
export function skipUnless(kind) {
    return serverCommand(kind) ? false : `${BINARIES[kind].env} is not set and no build/ binary`;
}

/**
 * Starts `kind` ("chat" | "test" | "parity") with --port 0 (and `--threads N` when SIO_THREADS is set and the
 * server is not a Node twin), waits for its "listening on" line (15 s at most) and returns {port,
 * url, host, pid, exited, output(), stop()} (the shape of ../support/server.mjs, so stopAndCheck
 * applies).
 */
export async function startServer(kind, { startTimeoutMs = 15000, args = [] } = {}) {
    const command = serverCommand(kind);
    if (!command) throw new Error(`no ${kind} server: set ${BINARIES[kind].env}`);
    const threads = isNodeTwin(kind) ? [] : threadArgs();
    return startCommand(command, [...threads, ...args], { startTimeoutMs });
}

/** The three ways a client may use the transports. */
export const MODES = {
    polling: { transports: ["polling"] },
    websocket: { transports: ["websocket"] },
    upgrade: { transports: ["polling", "websocket"] },
};

// Every socket and manager the tests open, so that closeAll() leaves nothing behind.
const opened = new Set();

/**
 * A socket.io-client socket that records every event it receives (onAny, attached before the
 * connection starts, so nothing sent right after CONNECT is missed).
 */
export class Client {
    constructor(socket) {
        this.socket = socket;
        this.events = [];
        this.waiters = new Set();
        opened.add(socket);
        socket.onAny((event, ...args) => {
            this.events.push({ event, args });
            for (const w of [...this.waiters]) w();
        });
    }

    get id() {
        return this.socket.id;
    }

    /** Argument lists of every `event` received so far. */
    received(event) {
        return this.events.filter((e) => e.event === event).map((e) => e.args);
    }

    /** First arguments of every `event` received so far. */
    payloads(event) {
        return this.received(event).map((args) => args[0]);
    }

    /**
     * Resolves with the argument lists of `event` once `count` of them (those `filter` accepts)
     * have arrived.
     */
    waitFor(event, { count = 1, filter = () => true, timeoutMs = 5000 } = {}) {
        const matching = () => this.received(event).filter((args) => filter(...args));
        let waiter;
        const done = new Promise((resolve) => {
            waiter = () => {
                const m = matching();
                if (m.length >= count) resolve(m);
            };
            this.waiters.add(waiter);
            waiter();
        });
        return withTimeout(done, timeoutMs, `${count} × "${event}" on ${this.id}`)
            .catch((err) => {
                err.message += ` (got ${matching().length})`;
                throw err;
            })
            .finally(() => this.waiters.delete(waiter));
    }

    /** Emits and resolves with the ack's first argument. */
    emitAck(event, ...args) {
        return this.socket.timeout(5000).emitWithAck(event, ...args);
    }

    /** Emits and resolves with all the ack's arguments; rejects after `timeoutMs`. */
    emitAckAll(event, args, timeoutMs = 5000) {
        return new Promise((resolve, reject) => {
            this.socket.timeout(timeoutMs).emit(event, ...args, (err, ...reply) => {
                if (err) reject(err);
                else resolve(reply);
            });
        });
    }

    /** Resolves with the next connect_error. */
    nextConnectError(timeoutMs = 5000) {
        return withTimeout(
            new Promise((resolve) => this.socket.once("connect_error", resolve)),
            timeoutMs,
            "connect_error");
    }

    /** Resolves with the next disconnect's [reason, description]. */
    nextDisconnect(timeoutMs = 5000) {
        return withTimeout(
            new Promise((resolve) => this.socket.once("disconnect", (...a) => resolve(a))),
            timeoutMs,
            `disconnect of ${this.id}`);
    }

    close() {
        this.socket.disconnect();
        opened.delete(this.socket);
    }
}

/** A connect_error with what engine.io-client knows of the failed request, for diagnostics. */
function describe(err) {
    const parts = [err.message];
    if (err.data !== undefined) parts.push(`data ${JSON.stringify(err.data)}`);
    const d = err.description;
    if (d !== undefined) parts.push(`description ${d instanceof Error ? `${d.code ?? ""} ${d.message}` : d}`);
    const xhr = err.context;
    if (xhr && typeof xhr === "object" && "status" in xhr) {
        parts.push(`status ${xhr.status} body ${JSON.stringify(String(xhr.responseText ?? "").slice(0, 200))}`);
    }
    return parts.join("; ");
}

/** Waits until the socket connects; rejects with its connect_error. */
function connected(socket, timeoutMs) {
    return withTimeout(
        new Promise((resolve, reject) => {
            if (socket.connected) return resolve();
            socket.once("connect", resolve);
            socket.once("connect_error", (err) => reject(new Error(`connect_error: ${describe(err)}`)));
        }),
        timeoutMs,
        "connect");
}

/**
 * Opens a socket on its own Manager (forceNew) with reconnection off unless asked; resolves once
 * connected (or, with {wait: false}, at once).
 */
export async function connect(server, { nsp = "/", wait = true, timeoutMs = 8000, ...opts } = {}) {
    const socket = io(server.url + nsp, { forceNew: true, reconnection: false, ...opts });
    const client = new Client(socket);
    if (wait) {
        try {
            await connected(socket, timeoutMs);
        } catch (err) {
            client.close();
            throw err;
        }
    }
    return client;
}

/** Connects `n` clients in parallel. */
export function connectMany(server, n, opts = {}) {
    return Promise.all(Array.from({ length: n }, () => connect(server, opts)));
}

/** A Manager of our own, for several namespaces on one Engine.IO connection. */
export function manager(server, opts = {}) {
    const m = new Manager(server.url, { reconnection: false, ...opts });
    opened.add(m);
    return m;
}

/** A socket of `m` for `nsp`, recorded; resolves once connected (unless {wait: false}). */
export async function managerSocket(m, nsp, { wait = true, timeoutMs = 8000, ...opts } = {}) {
    const client = new Client(m.socket(nsp, opts));
    if (wait) await connected(client.socket, timeoutMs);
    return client;
}

/** Resolves once the Manager's Engine.IO connection runs over WebSocket (after the upgrade). */
export function upgraded(m, timeoutMs = 5000) {
    if (m.engine?.transport?.name === "websocket") return Promise.resolve();
    return withTimeout(new Promise((resolve) => m.engine.once("upgrade", () => resolve())),
        timeoutMs, "upgrade to websocket");
}

/** Closes every socket and manager still open. */
export function closeAll() {
    for (const s of opened) s.disconnect(); // Socket#disconnect or Manager#disconnect

    opened.clear();
}

/** Binary values as Buffers, recursively, so that deepEqual compares bytes. */
export function normalizeBinary(v) {
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return toBuffer(v);
    if (Array.isArray(v)) return v.map(normalizeBinary);
    if (v && typeof v === "object") {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalizeBinary(x)]));
    }
    return v;
}

/** What a JSON round trip makes of `v` (-0 becomes 0, undefined members vanish, ...). */
export function viaJson(v) {
    return JSON.parse(JSON.stringify(v));
}

/** Asserts that `client` has received no `event` (optionally matching `filter`). */
export function assertNone(client, event, filter = () => true, what = "") {
    const got = client.received(event).filter((args) => filter(...args));
    assert.deepEqual(got, [], `${client.id} got unexpected "${event}" ${what}`);
}

/**
 * Marker requests: an acked event whose answer the server queues on the asking socket and which
 * has no other effect. "/" of chat_server: binary-echo; every namespace of socketio_test_server:
 * rooms; "/admin" of chat_server: get-stats (which also emits `stats` to the asker).
 */
export const MARKER = {
    chat: ["binary-echo", "marker"],
    chatAdmin: ["get-stats"],
    test: ["rooms"],
};

/**
 * Resolves once each client has received everything the server had sent it before this call: the
 * answer to a marker request (see MARKER) is queued behind it on the socket's connection. This is
 * how a test proves that something did NOT arrive: whatever the server did before (a broadcast
 * from another socket, on another thread, whose ack we already have) comes first, so checking
 * after flush() is not a guess about how long to wait.
 */
export async function flush(clients, marker = MARKER.chat) {
    const [event, ...args] = marker;
    await Promise.all([clients].flat().map((c) => c.emitAckAll(event, args, 10000)));
}

/**
 * Asserts that the Manager `m` will never try to reconnect. socket.io-client decides it at once,
 * before it emits "disconnect" or "connect_error": Manager#_close sets skipReconnect, and a
 * scheduled attempt sets _reconnecting. So this needs no waiting for an attempt that does not
 * come. (Private fields of socket.io-client 4.8, pinned by the lockfile.)
 */
export function assertNoReconnection(m, what = "") {
    assert.equal(m._reconnecting, false, `a reconnection is scheduled ${what}`);
    assert.equal(m.skipReconnect, true, `the Manager may still reconnect ${what}`);
}

/** Sets the node:test timeout of each test. */
export const T = (ms = 15000) => ({ timeout: ms });
