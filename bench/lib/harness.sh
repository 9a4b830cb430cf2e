# Shell functions shared by bench/compare and bench/compare-engine: start a server on a free
# port, stop it by PID, wait for a quiet machine, record anomalies. Source it after setting
# `work` (a scratch directory) and `cores`.

server_pid=""
port=""

anomaly() {
    echo "ANOMALY: $*" | tee -a "$work/anomalies.txt" >&2
}

# start_server NAME COMMAND...: starts it (it must print "listening on 127.0.0.1:<port>");
# sets server_pid and port.
start_server() {
    local name=$1
    shift
    "$@" >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    port=""
    for _ in $(seq 300); do
        port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/server.out")
        [[ -n $port ]] && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.05
    done
    anomaly "$name did not print its listening line; stderr: $(tail -c 500 "$work/server.err")"
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    return 1
}

# stop_server NAME: SIGTERM by PID, then SIGKILL after 5 s.
stop_server() {
    local name=$1 status=0
    [[ -n $server_pid ]] || return 0
    if ! kill -0 "$server_pid" 2>/dev/null; then
        wait "$server_pid" || status=$?
        anomaly "$name (pid $server_pid) exited during the run, status $status;" \
            "stderr: $(tail -c 500 "$work/server.err")"
        server_pid=""
        return
    fi
    kill -TERM "$server_pid"
    for _ in $(seq 100); do
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$server_pid" 2>/dev/null; then
        anomaly "$name (pid $server_pid) ignored SIGTERM for 5 s; killed"
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" || status=$?
    ((status == 0 || status == 143)) || anomaly "$name exited with status $status after SIGTERM"
    server_pid=""
}

cleanup_server() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
}

# Busy CPU of the whole machine over one second, in % of one core.
machine_busy() {
    local a b
    read -ra a < <(head -1 /proc/stat)
    sleep 1
    read -ra b < <(head -1 /proc/stat)
    local total=0 idle i
    for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
    idle=$((b[4] - a[4] + b[5] - a[5]))
    ((total > 0)) || { echo 0; return; }
    echo $(((total - idle) * 100 * cores / total))
}

# wait_quiet TIMEOUT: until other processes use under 20% of one core (two readings).
wait_quiet() {
    local timeout=$1 busy waited=0
    ((timeout > 0)) || return 0
    while busy=$(machine_busy); ((busy >= 20)) || { busy=$(machine_busy); ((busy >= 20)); }; do
        if ((waited == 0)); then
            echo "  waiting for the machine to be quiet (other processes use ${busy}% CPU)" >&2
        fi
        if ((waited >= timeout)); then
            echo "  still ${busy}% busy after ${timeout}s; running anyway" >&2
            return
        fi
        sleep 4
        waited=$((waited + 5))
    done
}

# field KEY LINE: the value of KEY=value in a generator's summary line (a trailing % dropped).
field() {
    sed -n "s|.* $1=\([^ %]*\).*|\1|p" <<<" $2"
}
