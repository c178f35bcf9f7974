#!/usr/bin/env bash
# Runs scripts/slurm/sweep.sbatch on a real, one-node Slurm cluster started on this machine (loopback only), the way a
# user runs it on a cluster: bench built once (release), the array submitted, its shards merged with `bench merge`.
# Checks that every configuration of the sweep appears exactly once, and that a task requeued mid-way
# (scontrol requeue) completes with --resume. Installs Debian's slurm-wlm and munge when missing (needs root; the
# daemons run as root too). Stops the daemons it started, by their PIDs, and removes what it created, also on failure.
# Needs root. Environment (all optional):
#   REVBENCH_TEST_SWEEP  bench sweep options (default: a tiny vit_tiny_test sweep of 8 configurations)
#   REVBENCH_TEST_TASKS  array size (default 2)
#   SWIFTPM_SCRATCH      SwiftPM scratch folder for the build (default .build)
#   REVBENCH_BENCH       an already built bench binary (then nothing is built)
#   REVBENCH_TEST_PORT   slurmctld's port; slurmd takes the next one (default 16817)
#   REVBENCH_TEST_TIMEOUT  seconds the array may take (default 240)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
sweep=${REVBENCH_TEST_SWEEP:---models vit_tiny_test --depths 2,4,6,8 --batches 2,4 --rounds 1 --steps 1 --warmup 1}
tasks=${REVBENCH_TEST_TASKS:-2}
scratch=${SWIFTPM_SCRATCH:-.build}
port=${REVBENCH_TEST_PORT:-16817}
timeout=${REVBENCH_TEST_TIMEOUT:-240}
cred_expire=5
node=revbench-node
started=$SECONDS

say() { echo "test-local: $*"; }
fail() { echo "test-local: FAILED: $*" >&2; exit 1; }
elapsed() { echo "$((SECONDS - started)) s"; }

[ "$(id -u)" -eq 0 ] || fail "needs root (it installs packages and runs slurmctld, slurmd and munged as root)"
case $tasks in '' | *[!0-9]* | 0) fail "REVBENCH_TEST_TASKS must be a positive integer (got '$tasks')" ;; esac

# --- packages -------------------------------------------------------------------------------------------------------
need=(slurmctld slurmd sbatch squeue scontrol munged)
missing=()
for c in "${need[@]}"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
if [ ${#missing[@]} -gt 0 ]; then
    command -v apt-get >/dev/null 2>&1 || fail "missing ${missing[*]} and no apt-get: install Slurm (slurmctld, slurmd, client) and munge"
    say "installing slurm-wlm and munge (missing: ${missing[*]})"
    t0=$SECONDS
    # Keep the packages' init scripts from starting daemons of their own (no systemd here).
    policy=/usr/sbin/policy-rc.d made_policy=''
    if [ ! -e "$policy" ]; then
        trap 'rm -f "$policy"' EXIT
        printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && made_policy=1
    fi
    rc=0
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge; } \
        > /tmp/revbench-slurm-apt.log 2>&1 || rc=$?
    [ -z "$made_policy" ] || { rm -f "$policy"; trap - EXIT; }
    [ $rc -eq 0 ] || { tail -20 /tmp/revbench-slurm-apt.log >&2; fail "apt-get install slurm-wlm munge failed (exit $rc; log above)"; }
    rm -f /tmp/revbench-slurm-apt.log
    say "installed slurm-wlm and munge in $((SECONDS - t0)) s"
fi

# --- what the sweep must produce ------------------------------------------------------------------------------------
# The grid of the sweep's --models, --depths, --batches and --variants (depth counts once when not given).
option() { # option NAME DEFAULT: the value after NAME in the sweep options
    local prev='' w
    for w in $sweep; do [ "$prev" = "$1" ] && { echo "$w"; return; }; prev=$w; done
    echo "$2"
}
count() { echo "$1" | tr ',' '\n' | grep -c . || true; }
expected=$(( $(count "$(option --models "")") * $(count "$(option --depths "-")") * $(count "$(option --batches "")") \
    * $(count "$(option --variants standard,reversible,checkpointed)") ))
[ "$expected" -gt 0 ] || fail "REVBENCH_TEST_SWEEP needs --models and --batches (got '$sweep')"

# --- build once -----------------------------------------------------------------------------------------------------
if [ -n "${REVBENCH_BENCH:-}" ]; then
    bench=$(cd "$(dirname "$REVBENCH_BENCH")" && pwd)/$(basename "$REVBENCH_BENCH")
    [ -x "$bench" ] || fail "REVBENCH_BENCH '$REVBENCH_BENCH' is not an executable"
else
    t0=$SECONDS
    say "building bench (release, scratch path $scratch)"
    swift build -c release --product bench --scratch-path "$scratch" || fail "swift build -c release --product bench failed"
    bench=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/bench
    say "built $bench in $((SECONDS - t0)) s"
fi

# --- the cluster ----------------------------------------------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/revbench-slurm.XXXXXX")
chmod 755 "$tmp"   # munged wants every directory above its socket searchable by all
pids=() job='' logs=() ok=''
cleanup() {
    local rc=$? p i
    trap - EXIT INT TERM
    if [ -n "$job" ] && [ -f "$tmp/slurmctld.pid" ]; then
        scancel "$job" 2>/dev/null || true
        for i in $(seq 1 30); do [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break; sleep 0.5; done
    fi
    if [ -z "$ok" ]; then
        for f in "${logs[@]}" "$tmp"/log/*.log; do
            [ -f "$f" ] && { echo "--- last lines of $f" >&2; tail -15 "$f" >&2; }
        done
    fi
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done          # slurmd, slurmctld, munged: newest first
    for p in "${pids[@]}"; do
        for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$p" 2>/dev/null; then echo "test-local: PID $p did not stop on SIGTERM; killing it" >&2; kill -9 "$p" 2>/dev/null || true; fi
    done
    rm -f "${logs[@]}"
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# started DAEMON PIDFILE: waits for the PID file a forking daemon writes and records its PID (stopped first-last).
started_daemon() {
    local i
    for i in $(seq 1 100); do [ -s "$2" ] && break; sleep 0.1; done
    [ -s "$2" ] || fail "$1 did not start (no $2)"
    pids=("$(cat "$2")" "${pids[@]}")
}

mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/log" "$tmp/shards"
if command -v mungekey >/dev/null 2>&1; then
    mungekey --create --keyfile="$tmp/munge/munge.key"
else
    dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
fi
chmod 600 "$tmp/munge/munge.key"
socket=$tmp/munge/munge.socket
munged --socket="$socket" --key-file="$tmp/munge/munge.key" --pid-file="$tmp/munge/munged.pid" \
    --seed-file="$tmp/munge/munged.seed" --log-file="$tmp/log/munged.log" --origin=127.0.0.1 \
    || fail "munged did not start (see $tmp/log/munged.log)"
started_daemon munged "$tmp/munge/munged.pid"

host=$(hostname -s 2>/dev/null || hostname)
[ -n "$host" ] || fail "this machine has no hostname (slurmctld names its host by it)"
cpus=$(nproc)
memory=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
export SLURM_CONF=$tmp/slurm.conf
cat > "$SLURM_CONF" <<EOF
# One-node cluster on the loopback address, written by scripts/slurm/test-local.sh; removed when it ends.
ClusterName=revbench-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire: how long a requeued job waits before it starts again (default 120 s).
AuthInfo=socket=$socket,cred_expire=$cred_expire
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
# No systemd or cgroups needed (containers): processes tracked through /proc, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
InactiveLimit=0
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 NodeHostname=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -c -f "$SLURM_CONF" || fail "slurmctld did not start"
started_daemon slurmctld "$tmp/slurmctld.pid"
for i in $(seq 1 60); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.5; done
scontrol ping 2>/dev/null | grep -q UP || fail "slurmctld does not answer on 127.0.0.1:$port"
slurmd -N "$node" -f "$SLURM_CONF" || fail "slurmd did not start"
started_daemon slurmd "$tmp/slurmd.pid"
state=
for i in $(seq 1 60); do
    state=$(sinfo -h -n "$node" -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break; sleep 0.5
done
[ "$state" = idle ] || fail "node $node is '$state', not idle, 30 s after slurmd started"
say "Slurm $(sinfo -V | awk '{print $2}') up on 127.0.0.1 ($cpus CPUs, $memory MiB) after $(elapsed)"

# --- the array ------------------------------------------------------------------------------------------------------
# Submitted as users do, from the repository root, with the script's own directives; only the resources the
# one-node cluster has and the tiny sweep are set from outside.
job=$(REVBENCH_BENCH="$bench" REVBENCH_SHARDS="$tmp/shards" REVBENCH_SWEEP="$sweep" \
    sbatch --parsable --array="0-$((tasks - 1))" --cpus-per-task=1 --mem=1G --time=00:10:00 scripts/slurm/sweep.sbatch) \
    || fail "sbatch refused scripts/slurm/sweep.sbatch"
job=${job%%;*}
for i in $(seq 0 $((tasks - 1))); do logs+=("$root/revbench-sweep-${job}_$i.log"); done
say "submitted array job $job ($tasks tasks): bench sweep $sweep"

# Requeue task 0 once its shard holds a row (it has more to run); it must resume with --resume.
shard0=$tmp/shards/shard-0.csv
deadline=$((SECONDS + timeout))
until [ -f "$shard0" ] && [ "$(wc -l < "$shard0")" -ge 2 ]; do
    [ $SECONDS -lt $deadline ] || fail "task 0 wrote no row in $timeout s"
    [ -n "$(squeue -h -j "${job}_0" -t RUNNING,PENDING,CONFIGURING 2>/dev/null)" ] || fail "task 0 ended before writing a row (see its log)"
    sleep 0.1
done
scontrol requeue "${job}_0" || fail "scontrol requeue ${job}_0 failed"
requeued_at=$(date +%s)
rows_at_requeue=$(($(wc -l < "$shard0") - 1))
say "requeued task ${job}_0 with $rows_at_requeue rows in its shard ($(elapsed))"
# Slurm holds a requeued job back while its old credential may still be live (cred_expire), then waits for its next
# scheduling pass (up to a minute); once the credential has expired, let the task start at once.
sleep $((cred_expire + 2))
if [ "$(squeue -h -j "${job}_0" -o %T 2>/dev/null)" = PENDING ]; then
    scontrol update jobid="${job}_0" StartTime=now || fail "cannot release the requeued task ${job}_0"
fi

until [ -z "$(squeue -h -j "$job" 2>/dev/null)" ]; do
    [ $SECONDS -lt $deadline ] || fail "the array did not finish in $timeout s"
    sleep 0.5
done
say "array finished after $(elapsed)"

# --- checks ---------------------------------------------------------------------------------------------------------
for i in $(seq 0 $((tasks - 1))); do
    info=$(scontrol -o show job "${job}_$i")
    st=$(echo "$info" | grep -o 'JobState=[A-Z_]*'); ec=$(echo "$info" | grep -o ' ExitCode=[0-9:]*')
    if [ "$st" != JobState=COMPLETED ] || [ "$ec" != " ExitCode=0:0" ]; then fail "task $i: $st$ec (see its log)"; fi
    [ -f "$tmp/shards/shard-$i.csv" ] || fail "task $i wrote no shard-$i.csv"
done
restarts=$(scontrol -o show job "${job}_0" | grep -o 'Restarts=[0-9]*')
[ "$restarts" = Restarts=1 ] || fail "task 0 has $restarts, expected Restarts=1 after the requeue"
[ "$(grep -c '^sweep.sbatch: task 0/' "${logs[0]}")" -eq 2 ] || fail "task 0's log does not hold both attempts"
resumed=$(grep -- '^--resume: ' "${logs[0]}" | tail -1)
# "--resume: K of N configurations already in FILE, M to run"
k=$(echo "$resumed" | awk '{print $2}'); m=$(echo "$resumed" | awk '{print $(NF-2)}')
if [ -z "$resumed" ] || [ "$k" -lt 1 ] || [ "$m" -lt 1 ]; then
    fail "the requeued task did not resume mid-way (its log says: '${resumed:-no --resume line}')"
fi
restart=$(scontrol -o show job "${job}_0" | grep -o ' StartTime=[^ ]*' | cut -d= -f2)
say "task 0 started again $(( $(date -d "$restart" +%s) - requeued_at )) s after the requeue and resumed: $resumed"

"$bench" merge -o "$tmp/sweep.csv" "$tmp"/shards/shard-*.csv || fail "bench merge failed"
# Every configuration (all but the measured columns) once, in the shards together and in the merged file.
# Without --threads in the sweep, sweep.sbatch gives bench the task's --cpus-per-task (1 here).
threads=$(option --threads 1)
check_once() { # check_once FILE...: prints "rows distinct duplicates failed other-threads"
    awk -v threads="$threads" '
    function split_csv(line, f,    n, i, c, q, cur) {
        n = 0; cur = ""; q = 0
        for (i = 1; i <= length(line); i++) {
            c = substr(line, i, 1)
            if (q) { if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { cur = cur c; i++ } else q = 0 } else cur = cur c }
            else if (c == "\"") q = 1
            else if (c == ",") { f[++n] = cur; cur = "" }
            else cur = cur c
        }
        f[++n] = cur; return n
    }
    FNR == 1 { n = split_csv($0, h); for (i = 1; i <= n; i++) col[h[i]] = i; next }
    {
        split_csv($0, f)
        key = f[col["model"]] " " f[col["variant"]] " " f[col["depth"]] " " f[col["width"]] " " f[col["heads"]] " " \
              f[col["image_size"]] " " f[col["patch_size"]] " " f[col["transitions"]] " " f[col["attention"]] " " \
              f[col["batch"]] " " f[col["threads"]]
        rows++; if (seen[key]++ == 0) distinct++; else dup++
        if (f[col["error"]] != "") failed++
        if (f[col["threads"]] != threads) other++
    }
    END { printf "%d %d %d %d %d\n", rows, distinct, dup, failed, other }' "$@"
}
read -r rows distinct dup failed other < <(check_once "$tmp"/shards/shard-*.csv)
[ "$dup" -eq 0 ] || fail "the shards measured $dup configurations twice ($rows rows, $distinct distinct)"
[ "$failed" -eq 0 ] || fail "$failed rows of the shards record an error"
[ "$other" -eq 0 ] || fail "$other rows of the shards ran on another thread count than $threads"
[ "$distinct" -eq "$expected" ] || fail "the shards hold $distinct configurations, the sweep has $expected"
read -r mrows mdistinct mdup _ _ < <(check_once "$tmp/sweep.csv")
if [ "$mrows" -ne "$expected" ] || [ "$mdistinct" -ne "$expected" ] || [ "$mdup" -ne 0 ]; then
    fail "the merged file has $mrows rows, $mdistinct distinct configurations, $mdup duplicates; expected $expected once each"
fi
per_shard=$(for i in $(seq 0 $((tasks - 1))); do echo -n "$(($(wc -l < "$tmp/shards/shard-$i.csv") - 1)) "; done)
say "merged $tasks shards (rows per shard: ${per_shard% }) into $expected rows, every configuration exactly once"

ok=1
say "passed in $(elapsed) (Slurm array, requeue + --resume, bench merge); stopping the daemons"
