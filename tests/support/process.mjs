// Servers under test as child processes: spawned with `--port 0`, found ready by the
// "listening on ...:<port>" line they print, stopped by PID with SIGTERM (SIGKILL after a grace
// period), with their stdout and stderr kept for error messages.
//
// Used by the interop (tests/interop), feed (tests/feed) and e2e (tests/e2e) harnesses; each
// wraps the handle of spawnServer in the shape its tests know.
import { spawn } from "node:child_process";
import path from "node:path";
import process from "node:process";

/** Output kept per stream: past MAX_OUTPUT characters, the oldest are dropped down to KEEP_OUTPUT. */
const MAX_OUTPUT = 200000;
const KEEP_OUTPUT = 100000;
const keepTail = (s) => (s.length > MAX_OUTPUT ? s.slice(-KEEP_OUTPUT) : s);

// Children still running: SIGKILLed should this process exit (a crashed test file, a timeout), so
// that no server is left behind.
const running = new Set();
process.on("exit", () => {
    for (const child of running) {
        try {
            child.kill("SIGKILL");
        } catch {
            // already gone
        }
    }
});

/**
 * `["--threads", N]` when SIO_THREADS is set (ctest sets 2 for every interop and feed test, and 4
 * for a second run of those that cross shards), else none. Forced whatever the core count, so
 * that hand-over between shards, cross-shard broadcast and recovery run on a 1-core machine too.
 * The harnesses add it to our servers only, never to a Node twin (which has no such flag).
 */
export function threadArgs() {
    const n = process.env.SIO_THREADS;
    if (n === undefined || n.trim() === "") return [];
    if (!/^[1-9][0-9]*$/.test(n.trim())) throw new Error(`SIO_THREADS must be a positive integer, got ${JSON.stringify(n)}`);
    return ["--threads", n.trim()];
}

/**
 * Spawns `command` ([file, ...args]) with `--port 0` and `extraArgs` appended, and resolves once
 * a line of its stdout matches `listening`.
 *
 * Options:
 *   extraArgs       arguments after `--port 0` (default none)
 *   listening       RegExp tested on each stdout line, without its "\n"; its first capture
 *                   group is the port (required)
 *   startTimeoutMs  how long to wait for that line (default 15000)
 *   graceMs         what stop() waits after SIGTERM before SIGKILL (default 3000)
 *   cwd, env        of the child (default: this process's)
 *   name            the server's name in stopAndCheck's messages (default: the file's base name)
 *
 * Resolves to a handle:
 *   port      the port of the listening line (a number)
 *   pid       the child's PID
 *   name      as above
 *   graceMs   as above
 *   exited    a Promise of {code, signal}, resolved when the child exits
 *   status    null while the child runs, then {code, signal}
 *   output()  {stdout, stderr} so far (each trimmed to its last 100-200 kB)
 *   stop({graceMs})  sends SIGTERM, then SIGKILL after graceMs if the child still runs; resolves
 *             to {code, signal, killed, diedEarly}. `killed`: SIGKILL was needed; `diedEarly`: the
 *             child had exited before the first stop() call (which then sends nothing). Every
 *             later call returns the first call's promise.
 *
 * Rejects when the child cannot be spawned, exits before the line, or the line does not come
 * within startTimeoutMs; a child still running then is stopped (as stop()) before the rejection.
 * Stdout is drained all along, so a chatty server never blocks on a full pipe.
 */
export async function spawnServer(command, {
    extraArgs = [],
    listening,
    startTimeoutMs = 15000,
    graceMs: defaultGraceMs = 3000,
    cwd,
    env,
    name,
} = {}) {
    if (!(listening instanceof RegExp)) throw new TypeError("spawnServer: `listening` must be a RegExp");
    const [file, ...args] = command;
    name ??= path.basename(file);
    const child = spawn(file, [...args, "--port", "0", ...extraArgs], {
        cwd,
        env,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let status = null;
    const exited = new Promise((resolve) => {
        child.on("exit", (code, signal) => {
            status = { code, signal };
            running.delete(child);
            resolve(status);
        });
    });
    if (child.pid !== undefined) running.add(child);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d) => {
        stderr = keepTail(stderr + d);
    });
    child.stdout.setEncoding("utf8");

    let stopping = null;
    const stop = ({ graceMs = defaultGraceMs } = {}) => {
        stopping ??= (async () => {
            const diedEarly = status !== null;
            let killed = false;
            if (!diedEarly) {
                child.kill("SIGTERM");
                const timer = setTimeout(() => {
                    if (status === null) {
                        killed = true;
                        child.kill("SIGKILL");
                    }
                }, graceMs);
                await exited;
                clearTimeout(timer);
            }
            return { ...status, killed, diedEarly };
        })();
        return stopping;
    };

    const port = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(
            `no "listening on" line within ${startTimeoutMs} ms from ${file}; ` +
            `stdout: ${JSON.stringify(stdout.slice(-2000))} stderr: ${JSON.stringify(stderr.slice(-2000))}`)),
        startTimeoutMs);
        let buffered = "";
        let found = false;
        child.stdout.on("data", (d) => {
            stdout = keepTail(stdout + d);
            if (found) return;
            buffered += d;
            let nl;
            while ((nl = buffered.indexOf("\n")) >= 0) {
                const m = listening.exec(buffered.slice(0, nl));
                buffered = buffered.slice(nl + 1);
                if (m) {
                    found = true;
                    clearTimeout(timer);
                    resolve(Number(m[1]));
                    return;
                }
            }
        });
        child.on("error", (err) => {
            clearTimeout(timer);
            reject(new Error(`cannot spawn ${file}: ${err.message}`));
        });
        exited.then(({ code, signal }) => {
            clearTimeout(timer);
            reject(new Error(`${file} exited (code ${code}, signal ${signal}) before listening; ` +
                `stderr: ${stderr.slice(-2000)}`));
        });
    }).catch(async (err) => {
        // Never leave a half-started server behind.
        if (child.pid !== undefined && status === null) await stop();
        throw err;
    });

    return {
        port,
        pid: child.pid,
        name,
        graceMs: defaultGraceMs,
        exited,
        get status() {
            return status;
        },
        output: () => ({ stdout, stderr }),
        stop,
    };
}

/**
 * Stops `server` (any handle with stop(), output() and optionally name and graceMs, as
 * spawnServer's) and throws if it had died on its own, needed SIGKILL, or exited with an error (a
 * sanitizer report makes the exit code non-zero). Death by the SIGTERM itself counts as a clean
 * exit unless `exitZero` is set, which asks for status 0. Does nothing without a server. For
 * node:test `after` hooks.
 */
export async function stopAndCheck(server, { exitZero = false } = {}) {
    if (!server) return;
    const r = await server.stop();
    const name = server.name ?? "server";
    const tail = server.output().stderr.slice(-4000);
    if (r.diedEarly) {
        throw new Error(`${name} died during the tests (code ${r.code}, signal ${r.signal}); ` +
            `stderr tail:\n${tail}`);
    }
    if (r.killed) {
        const grace = server.graceMs === undefined ? "the grace period" : `${server.graceMs / 1000} s`;
        throw new Error(`${name} ignored SIGTERM for ${grace} and was killed; stderr:\n${tail}`);
    }
    const clean = r.code === 0 || (!exitZero && r.code === null && r.signal === "SIGTERM");
    if (!clean) {
        throw new Error(`${name} exited with code ${r.code} signal ${r.signal} on SIGTERM; ` +
            `stderr tail:\n${tail}`);
    }
}
