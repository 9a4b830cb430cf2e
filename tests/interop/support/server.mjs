// Spawns the server under test and stops it by PID.
//
// SIO_SERVER_CMD is a command line: the path to conformance_server, or
// "node bench/node/engine_echo_server.mjs" for the Node twin. Unset, the Node twin is used.
// SIO_REFERENCE=node says the server is Node's; tests of behaviour that only our server adds
// skip themselves then (see `onlyOurs`).
import { spawn } from "node:child_process";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const twinScript = path.join(repoRoot, "bench/node/engine_echo_server.mjs");

/** True when the server under test is the Node reference (explicitly, or by default). */
export const isNodeReference =
    process.env.SIO_REFERENCE === "node" || !process.env.SIO_SERVER_CMD;

/**
 * Server flags for files that test something other than heartbeats: the conformance settings
 * (ping every 300 ms, 200 ms to answer) would let CPU contention on a shared 2-core machine drop
 * a client mid-test.
 */
export const RELAXED_HEARTBEAT = ["--ping-interval-ms", "2000", "--ping-timeout-ms", "5000"];

/** Skip option for node:test: skips, with a reason, behaviour that Node's engine.io lacks. */
export function onlyOurs(reason) {
    return isNodeReference ? `Node's engine.io lacks this behaviour: ${reason}` : false;
}

/** Splits a command line on blanks, honouring '...' and "..." quotes (no other shell syntax). */
export function splitCommand(line) {
    const words = [];
    let word = null;
    let quote = null;
    for (const ch of line) {
        if (quote) {
            if (ch === quote) quote = null;
            else word += ch;
        } else if (ch === "'" || ch === '"') {
            quote = ch;
            word ??= "";
        } else if (/\s/.test(ch)) {
            if (word !== null) words.push(word);
            word = null;
        } else {
            word = (word ?? "") + ch;
        }
    }
    if (quote) throw new Error(`unbalanced ${quote} in SIO_SERVER_CMD: ${line}`);
    if (word !== null) words.push(word);
    return words;
}

function serverCommand() {
    const line = process.env.SIO_SERVER_CMD;
    if (!line || !line.trim()) return [process.execPath, twinScript];
    return splitCommand(line);
}

const LISTENING = /^listening on 127\.0\.0\.1:(\d+)\s*$/;

/**
 * Starts the server with `--port 0` plus `extraArgs`, waits (15 s at most) for its
 * "listening on 127.0.0.1:<port>" line and returns {port, url, host, pid, exited, output(), stop()}.
 * stop() sends SIGTERM, then SIGKILL after 3 s, and resolves to {code, signal, killed,
 * diedEarly} — diedEarly is set when the process had exited before stop() was called.
 */
export async function startServer(extraArgs = [], { startTimeoutMs = 15000 } = {}) {
    const [cmd, ...args] = serverCommand();
    const child = spawn(cmd, [...args, "--port", "0", ...extraArgs], {
        cwd: repoRoot,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let exitInfo = null;
    const exited = new Promise((resolve) => {
        child.on("exit", (code, signal) => {
            exitInfo = { code, signal };
            resolve(exitInfo);
        });
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d) => {
        stderr += d;
        if (stderr.length > 200000) stderr = stderr.slice(-100000);
    });
    child.stdout.setEncoding("utf8");

    const port = await new Promise((resolve, reject) => {
        let buffered = "";
        const timer = setTimeout(() => {
            reject(new Error(`no "listening on" line within ${startTimeoutMs} ms from ${cmd}; ` +
                `stdout: ${JSON.stringify(stdout)} stderr: ${JSON.stringify(stderr.slice(-2000))}`));
        }, startTimeoutMs);
        const onData = (d) => {
            stdout += d;
            buffered += d;
            let nl;
            while ((nl = buffered.indexOf("\n")) >= 0) {
                const line = buffered.slice(0, nl);
                buffered = buffered.slice(nl + 1);
                const m = LISTENING.exec(line);
                if (m) {
                    clearTimeout(timer);
                    resolve(Number(m[1]));
                    return;
                }
            }
        };
        child.stdout.on("data", onData);
        child.on("error", (err) => {
            clearTimeout(timer);
            reject(new Error(`cannot spawn ${cmd}: ${err.message}`));
        });
        exited.then(({ code, signal }) => {
            clearTimeout(timer);
            reject(new Error(`${cmd} exited (code ${code}, signal ${signal}) before listening; ` +
                `stderr: ${stderr.slice(-2000)}`));
        });
    });
    // Keep draining stdout so that a chatty server never blocks on a full pipe.
    child.stdout.on("data", (d) => {
        stdout += d;
        if (stdout.length > 200000) stdout = stdout.slice(-100000);
    });

    let stopping = null;
    const stop = () => {
        if (stopping) return stopping;
        const diedEarly = exitInfo !== null;
        stopping = (async () => {
            let killed = false;
            if (!diedEarly) {
                child.kill("SIGTERM");
                const timer = setTimeout(() => {
                    if (exitInfo === null) {
                        killed = true;
                        child.kill("SIGKILL");
                    }
                }, 3000);
                await exited;
                clearTimeout(timer);
            }
            return { ...exitInfo, killed, diedEarly };
        })();
        return stopping;
    };

    return {
        port,
        host: "127.0.0.1",
        url: `http://127.0.0.1:${port}`,
        pid: child.pid,
        /** null while running, else {code, signal}. */
        get exited() {
            return exitInfo;
        },
        output: () => ({ stdout, stderr }),
        stop,
    };
}

/**
 * Stops the server and fails if it had died on its own, needed SIGKILL, or exited with an error
 * (a sanitizer report makes the exit code non-zero). For node:test `after` hooks.
 */
export async function stopAndCheck(server) {
    if (!server) return;
    const r = await server.stop();
    const { stderr } = server.output();
    const tail = stderr.slice(-4000);
    if (r.diedEarly) {
        throw new Error(`server died during the tests (code ${r.code}, signal ${r.signal}); ` +
            `stderr tail:\n${tail}`);
    }
    if (r.killed) throw new Error(`server ignored SIGTERM for 3 s and was killed; stderr:\n${tail}`);
    if (!(r.code === 0 || (r.code === null && r.signal === "SIGTERM"))) {
        throw new Error(`server exited with code ${r.code} signal ${r.signal} on SIGTERM; ` +
            `stderr tail:\n${tail}`);
    }
}
