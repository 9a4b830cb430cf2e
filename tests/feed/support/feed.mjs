// Harness of the feed tests: a fresh SQLite file per test file, sio-server on it (spawned and
// stopped by PID), other processes writing to it (the sqlite3 CLI, python3), and socket.io-client
// sockets that record what they receive.
//
// SIO_SERVER_BIN: the sio-server binary (ctest sets it; default build/apps/sio-server/sio-server).
// SIO_SQLITE3, SIO_PYTHON: the writers (default sqlite3 on PATH, /usr/bin/python3).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

import { io } from "socket.io-client";

import { spawnServer, stopAndCheck as stopAndCheckProcess, threadArgs } from "../../support/process.mjs";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const serverBin =
    process.env.SIO_SERVER_BIN || path.join(repoRoot, "build/apps/sio-server/sio-server");
export const sqlite3Bin = process.env.SIO_SQLITE3 || "sqlite3";
export const pythonBin =
    process.env.SIO_PYTHON || (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
const dbScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "db.py");

const LISTENING = /^listening on (?:http:\/\/)?127\.0\.0\.1:(\d+)\s*$/;

/** The columns every change event carries, sorted. */
export const CHANGE_KEYS = ["change_id", "committed_at", "old", "op", "row", "sub", "table"];
/** ISO 8601 UTC, as committed_at must be. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Rejects with `what` when `promise` has not settled within `ms`. */
export function withTimeout(promise, ms, what) {
    let timer;
    return Promise.race([
        promise,
        new Promise((_, reject) => {
            timer = setTimeout(() => {
                const label = typeof what === "function" ? what() : what;
                reject(new Error(`timed out after ${ms} ms: ${label}`));
            }, ms);
        }),
    ]).finally(() => clearTimeout(timer));
}

/**
 * Runs a program to completion with `input` on stdin; resolves to {code, signal, stdout, stderr}.
 * `env` adds to (or overrides) this process's environment.
 */
export function run(cmd, args, { input = "", timeoutMs = 30000, cwd, env } = {}) {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, {
            cwd,
            env: { ...process.env, ...env },
            stdio: ["pipe", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`${cmd} ${args.join(" ")} ran over ${timeoutMs} ms; stderr: ${stderr}`));
        }, timeoutMs);
        child.stdout.setEncoding("utf8");
        child.stderr.setEncoding("utf8");
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", (err) => {
            clearTimeout(timer);
            reject(new Error(`cannot run ${cmd}: ${err.message}`));
        });
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            resolve({ code, signal, stdout, stderr });
        });
        child.stdin.on("error", () => {}); // a program that exits early closes its stdin
        child.stdin.end(input);
    });
}

/**
 * Runs an SQL script through the sqlite3 CLI (busy timeout 5 s, stops at the first error);
 * resolves to its output (which starts with the pragma's "5000").
 */
export async function sqlite(db, script) {
    const r = await run(sqlite3Bin, ["-bail", "-cmd", "PRAGMA busy_timeout=5000", db], { input: script });
    if (r.code !== 0) throw new Error(`sqlite3 failed (${r.code}): ${r.stderr}\nscript: ${script.slice(0, 500)}`);
    return r.stdout;
}

/** Runs a db.py program (see its docstring); resolves to its JSON output. */
export async function python(program, { timeoutMs = 60000 } = {}) {
    const r = await run(pythonBin, [dbScript], { input: JSON.stringify(program), timeoutMs });
    if (r.code !== 0) throw new Error(`python writer failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout);
}

/** Rows of one query, read by another process (python); BLOBs as {$hex}. */
export async function query(db, sql, params = []) {
    const [rows] = await python({ db, steps: [{ query: sql, params }] });
    return rows;
}

/** Makes a temp dir with app.db, runs `setupSql` on it first (sqlite3 CLI) when given. */
export async function makeDb(setupSql) {
    const dir = await mkdtemp(path.join(os.tmpdir(), "sio-feed-"));
    const db = path.join(dir, "app.db");
    if (setupSql) await sqlite(db, setupSql);
    return { dir, db };
}

/**
 * Spawns sio-server on `db` (an SQLite file or a postgresql:// URL) with `--port 0`, `--threads N`
 * when SIO_THREADS is set (see threadArgs), and `args`, and waits (15 s at most) for its
 * listening line; resolves to spawnServer's handle
 * (../../support/process.mjs) plus `url`. stop() sends SIGTERM and resolves to {code, signal,
 * killed, diedEarly} (SIGKILL after 6 s).
 */
export async function spawnSioServer(db, args = [], { startTimeoutMs = 15000 } = {}) {
    const server = await spawnServer([serverBin, "--db", db], {
        extraArgs: [...threadArgs(), ...args],
        listening: LISTENING,
        startTimeoutMs,
        graceMs: 6000,
        cwd: repoRoot,
        name: "sio-server",
    });
    return Object.assign(server, { url: `http://127.0.0.1:${server.port}` });
}

/**
 * Spawns sio-server on `db` with `--port 0` and `args`, waits (15 s at most) for its listening
 * line; resolves to {url, port, pid, db, dir, output(), stop()} (and the rest of spawnSioServer's
 * handle). stop() sends SIGTERM and resolves to {code, signal, killed, diedEarly} (SIGKILL after
 * 6 s).
 */
export async function startServer({ db, dir, args = [], startTimeoutMs = 15000 }) {
    return Object.assign(await spawnSioServer(db, args, { startTimeoutMs }), { db, dir });
}

/**
 * Stops the server (contract: status 0 within 5 s of SIGTERM), removes its directory, and throws
 * if it had died on its own, needed SIGKILL or exited with another status.
 */
export async function stopAndCheck(server) {
    if (!server) return;
    try {
        await stopAndCheckProcess(server, { exitZero: true });
    } finally {
        await rm(server.dir, { recursive: true, force: true });
    }
}

/** A fresh database set up with `setupSql` and sio-server on it. */
export async function freshServer(setupSql, args = []) {
    const { dir, db } = await makeDb(setupSql);
    try {
        return await startServer({ db, dir, args });
    } catch (err) {
        await rm(dir, { recursive: true, force: true });
        throw err;
    }
}

/**
 * A connected socket.io-client socket (websocket only unless `opts` says otherwise) that records
 * every event named in `events` from the moment it is created, so nothing can be missed.
 */
export async function connect(url, { events = [], timeoutMs = 5000, ...opts } = {}) {
    const socket = io(url, {
        transports: ["websocket"],
        forceNew: true,
        reconnection: false,
        ...opts,
    });
    const rec = recorder(socket, events);
    socket.rec = rec;
    try {
        await withTimeout(
            new Promise((resolve, reject) => {
                socket.once("connect", resolve);
                socket.once("connect_error", reject);
            }),
            timeoutMs,
            `connect to ${url}`);
    } catch (err) {
        socket.close();
        throw err;
    }
    return socket;
}

/**
 * Records events on a socket: rec.log is [{event, args, at, wall}] in arrival order (`at`:
 * performance.now(), `wall`: Date.now()); rec.of(event) the first arguments of that event;
 * rec.until(pred, ms, what) waits until pred(rec) holds.
 */
export function recorder(socket, events) {
    const log = [];
    const waiters = new Set();
    const rec = {
        log,
        of: (event) => log.filter((e) => e.event === event).map((e) => e.args[0]),
        until(pred, ms, what) {
            if (pred(rec)) return Promise.resolve();
            let waiter;
            const p = new Promise((resolve) => {
                waiter = () => {
                    if (pred(rec)) {
                        waiters.delete(waiter);
                        resolve();
                    }
                };
                waiters.add(waiter);
            });
            return withTimeout(p, ms, what).finally(() => waiters.delete(waiter));
        },
        /** Waits for `n` events named `event` in all. */
        count(event, n, ms) {
            return rec.until((r) => r.of(event).length >= n, ms,
                () => `${n} ${event} events (got ${rec.of(event).length})`);
        },
        clear: () => log.splice(0, log.length),
        push(event, args) {
            log.push({ event, args, at: performance.now(), wall: Date.now() });
            for (const w of [...waiters]) w();
        },
    };
    for (const event of events) socket.on(event, (...args) => rec.push(event, args));
    return rec;
}

/**
 * emit with ack and a timeout; resolves to the ack's first argument. When the socket records,
 * the ack is also logged as event "ack:<event>" at the moment it arrived, so tests can tell what
 * came before it.
 */
export function request(socket, event, payload, ms = 5000) {
    return new Promise((resolve, reject) => {
        socket.timeout(ms).emit(event, payload, (err, answer) => {
            if (err) {
                reject(new Error(`no ack to ${event} ${JSON.stringify(payload)} within ${ms} ms`));
                return;
            }
            socket.rec?.push(`ack:${event}`, [answer]);
            resolve(answer);
        });
    });
}

/** Subscribes; resolves to the ack. */
export function subscribe(socket, payload, ms = 10000) {
    return request(socket, "subscribe", payload, ms);
}

/**
 * Writes `sql` (one marker row, through the sqlite3 CLI like the tests' other writes) and waits
 * until each socket's recorder holds a change with `isMarker(change)`. The feed sends a
 * subscriber its changes in change_id order, so whatever the server would send for the writes
 * before the marker (a duplicate, a change that should have been filtered out) has arrived by
 * then: this is how a test proves that something did NOT arrive. The sockets must be subscribed
 * to the marker's row. Callers leave the marker out of what they compare.
 */
export async function feedMarker(db, sockets, sql, isMarker, ms = 10000) {
    await sqlite(db, sql);
    await Promise.all([sockets].flat().map((s) => s.rec.until(
        (r) => r.of("change").some((c) => isMarker(c)), ms, "the marker change")));
}

/** Closes every socket given (ignores undefined). */
export function closeAll(...sockets) {
    for (const s of sockets.flat()) s?.close();
}

/** Rows with Buffers (as received) turned into {$hex}, as db.py reports them, for comparison. */
export function normalize(value) {
    if (Buffer.isBuffer(value)) return { $hex: value.toString("hex") };
    if (value instanceof ArrayBuffer) return { $hex: Buffer.from(value).toString("hex") };
    if (Array.isArray(value)) return value.map(normalize);
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
    }
    return value;
}

/** Sorted keys of an object, to assert a payload has exactly these. */
export const keysOf = (o) => Object.keys(o).sort();

/** p-th percentile (0..100) of numbers, nearest rank. */
export function percentile(values, p) {
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[rank];
}
