#!/usr/bin/env bash
# Real-Slurm integration test of `cotbal run --plan slurm` (docs/pipeline.md, "Integration test on a real Slurm").
#
#   sudo tests/slurm/run-integration.sh [WORK_DIR]
#
# Needs root and apt (Debian 12: slurm-wlm 22.05). Installs slurmctld, slurmd, slurm-client and munge if missing,
# starts a single-node cluster whose configuration and state live in WORK_DIR (default: a fresh folder under /tmp),
# runs a cut-down tiny procedure (3 tasks, 16 samples each, budgets of a few steps) in-process as the reference, writes its Slurm plan into a run folder whose path holds a
# space, submits it, cancels a training mid-level (once it wrote a checkpoint), submits again at once (the overlap
# case: the first chain's other jobs still run), waits for the queue to drain and checks:
#   - every job is done and the results are byte-identical to the in-process run;
#   - the cancelled training ran twice (2 attempts, 2 logs), resumed from its checkpoint, and its wall time counts both;
#   - no job of the run is left in the queue (no DependencyNeverSatisfied chain);
#   - jobcomp (filetxt) shows the cancel and no failed job.
# The daemons are stopped by their PID files on exit. Exit status 0 = pass. Environment: KEEP=1 keeps WORK_DIR;
# CPUS (default: the machine's cores, at most 2) are the node's CPUs; NICE (default 10) is the daemons' niceness,
# inherited by the jobs. Exit 77 = skipped: the Slurm packages could not be installed (no package source).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-$(mktemp -d /tmp/cotbal-slurm-it.XXXXXX)}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
chmod 0755 "$work"   # munged runs as user munge and keeps its log and seed under $work (mktemp makes 0700)
started=$(date +%s)
log() { printf '[%4ds] %s\n' "$(( $(date +%s) - started ))" "$*"; }
fail() { log "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (installs packages, starts munged as user munge)"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  log "installing slurmctld slurmd slurm-client munge"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurmctld slurmd slurm-client munge >"$work/apt.log" 2>&1 \
    || { apt-get update -q >>"$work/apt.log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurmctld slurmd slurm-client munge >>"$work/apt.log" 2>&1; } \
    || { log "SKIP: apt-get install failed (no package source reachable?; see $work/apt.log)"; exit 77; }
fi

# --- the cluster: munged, slurmctld, slurmd; everything under $work/cluster -------------------------------------
cluster="$work/cluster"
mkdir -p "$cluster/state" "$cluster/spool" "$cluster/log"
munge_pid="$cluster/munge/munged.pid"   # in a folder munge may write to
stop() {
  local code=$?
  for pidfile in "$cluster/slurmd.pid" "$cluster/slurmctld.pid" "$munge_pid"; do
    if [ -s "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    fi
  done
  log "daemons stopped; total $(( $(date +%s) - started ))s; exit $code"
  if [ "$code" = 0 ] && [ -z "${KEEP:-}" ]; then rm -rf "$work"; else log "kept $work"; fi
}
trap stop EXIT
trap 'exit 130' INT TERM

[ -f /etc/munge/munge.key ] || { mungekey --create >/dev/null 2>&1 || fail "no munge key"; chown munge:munge /etc/munge/munge.key; }
mkdir -p /run/munge "$cluster/munge"
chown munge:munge /run/munge "$cluster/munge"
chmod 0755 /run/munge
runuser -u munge -- munged --pid-file="$munge_pid" --log-file="$cluster/munge/munged.log" --seed-file="$cluster/munge/munged.seed" \
  --socket=/run/munge/munge.socket.2 || fail "munged did not start"
munge -n | unmunge >/dev/null || fail "munge round trip failed"

host=$(hostname -s)
cpus=${CPUS:-$(nproc)}
[ "$cpus" -le 2 ] || cpus=2
mem=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) * 9 / 10 ))
export SLURM_CONF="$cluster/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=cotbal-it
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$cluster/state
SlurmdSpoolDir=$cluster/spool
SlurmctldPidFile=$cluster/slurmctld.pid
SlurmdPidFile=$cluster/slurmd.pid
SlurmctldLogFile=$cluster/log/slurmctld.log
SlurmdLogFile=$cluster/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$cluster/jobcomp.txt
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SlurmdParameters=config_overrides
KillWait=10
MinJobAge=600
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=it Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
nice -n "${NICE:-10}" slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start (see $cluster/log/slurmctld.log)"
nice -n "${NICE:-10}" slurmd -f "$SLURM_CONF" || fail "slurmd did not start (see $cluster/log/slurmd.log)"
for _ in $(seq 60); do
  state=$(sinfo -h -n "$host" -o '%T' 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 1
done
[ "$state" = idle ] || fail "node not idle after 60 s (state '$state'; logs in $cluster/log)"
log "cluster up: node $host, $cpus CPUs, ${mem} MiB"

# --- reference: the tiny procedure in-process --------------------------------------------------------------------
# The tiny benchmark cut to the three tasks of the end-to-end tests (two balanced, chat fixed) at 16 training samples
# each, with the small budgets of tests/CoTBal.Pipeline.Tests/SmallBenchmark.cs; the auxiliary trainings run 12 steps
# and checkpoint every 3, so there is time to cancel one between checkpoints.
cotbal="$repo/cotbal"
"$cotbal" --help >/dev/null     # builds the CLI once, before jobs start
"$cotbal" data generate --size tiny --seed 7 --train-size 16 --val-size 4 --test-size 4 --out "$work/data" --overwrite >/dev/null
python3 - "$work/data/manifest.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
m["tasks"] = [t for t in m["tasks"] if t["name"] in ("attribute_vqa", "counting", "chat")]
m["task_names"] = [t["name"] for t in m["tasks"]]
json.dump(m, open(sys.argv[1], "w"), indent=2)
EOF
cat >"$work/config.json" <<'EOF'
{
  "model": "demo", "methods": ["cotbal", "ew"], "mini_min_samples": 4, "max_new_tokens": 6, "eval_batch_size": 16, "threads": 1,
  "auxiliary":   {"epochs": 1, "min_steps": 12, "batch_size": 8, "learning_rate": 0.003, "checkpoint_every": 3},
  "single_task": {"epochs": 1, "min_steps": 3, "batch_size": 8, "learning_rate": 0.003, "checkpoint_every": 1},
  "final":       {"epochs": 1, "min_steps": 4, "batch_size": 8, "learning_rate": 0.003, "checkpoint_every": 1}
}
EOF
ref="$work/inproc"
t0=$(date +%s)
nice -n "${NICE:-10}" "$cotbal" run --data "$work/data" --out "$ref" --config "$work/config.json" >"$work/inproc.log" 2>&1 \
  || fail "in-process run failed (see $work/inproc.log)"
log "in-process run: $(( $(date +%s) - t0 ))s"

# --- the Slurm run ---------------------------------------------------------------------------------------------
run="$work/slurm run"
"$cotbal" run --data "$work/data" --out "$run" --config "$work/config.json" --plan slurm >/dev/null
queue() { squeue -h -o '%i %j %T %r' | awk -v p="$(basename "$run" | tr -c 'A-Za-z0-9._\n-' '_'):" 'index($2, p) == 1'; }
t0=$(date +%s)
"$run/slurm/submit.sh" >"$work/submit-1.log"
jobs_total=$(wc -l <"$work/submit-1.log")
log "submitted $jobs_total jobs"

# cancel a level-2 training once it wrote a checkpoint (mid-level: other trainings run or wait beside it)
victim=""
for _ in $(seq 600); do
  for name in $(awk '{print $1}' "$work/submit-1.log" | tr -d ':' | grep '^train-'); do
    if compgen -G "$run/jobs/$name/checkpoint-*" >/dev/null && queue | grep -q " [^ ]*:$name RUNNING"; then victim=$name; break 2; fi
  done
  sleep 0.5
done
[ -n "$victim" ] || fail "no training reached a checkpoint while running"
victim_id=$(queue | awk -v n=":$victim" '$3 == "RUNNING" && substr($2, length($2) - length(n) + 1) == n {print $1}')
scancel "$victim_id"
log "cancelled $victim (job $victim_id) mid-level"
for _ in $(seq 60); do queue | grep -q "^$victim_id " || break; sleep 0.5; done
# scancel's SIGTERM reached cotbal: the attempt is recorded as interrupted, with its time
read -r status wall < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["status"], s["wall_seconds"])' "$run/jobs/$victim/state.json")
[ "$status" = interrupted ] || fail "$victim: state '$status' after the cancel, expected interrupted"
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 0 else 1)' "$wall" || fail "$victim: the cancelled attempt's time was not recorded"
log "$victim: interrupted after ${wall}s"
dead=$(queue | grep -c 'DependencyNeverSatisfied' || true)
[ "$dead" = 0 ] || fail "$dead job(s) left waiting for a dependency that can never be satisfied"

# resubmit at once: the first chain's pending jobs are cancelled, its running ones are waited for; SBATCH_ARGS
# overrides the plan's memory request
SBATCH_ARGS="--mem=900M" "$run/slurm/submit.sh" >"$work/submit-2.log"
report_id=$(awk '$1 == "report:" {print $3}' "$work/submit-2.log")
scontrol show job "$report_id" | grep -q "MinMemoryNode=900M" || { scontrol show job "$report_id"; fail "SBATCH_ARGS did not override --mem"; }
first_report=$(awk '$1 == "report:" {print $3}' "$work/submit-1.log")
if queue | grep -q "^$first_report "; then fail "the first submission's pending report job was not cancelled"; fi
log "resubmitted ($(grep -c 'pending job' "$work/submit-2.log" || true) cancel line(s), $(grep -c 'still running' "$work/submit-2.log" || true) running twin(s))"
for _ in $(seq 1800); do
  [ -z "$(queue)" ] && break
  if queue | grep -q 'DependencyNeverSatisfied'; then queue; fail "a chain is stuck after the resubmission"; fi
  sleep 1
done
[ -z "$(queue)" ] || { queue; fail "queue not drained after 30 min"; }
log "Slurm run finished: $(( $(date +%s) - t0 ))s from first submission"

# --- checks ------------------------------------------------------------------------------------------------------
"$cotbal" run --out "$run" --status >"$work/status.txt"
grep -Eq '^[0-9]+ done; ' "$work/status.txt" || { cat "$work/status.txt"; fail "not every job is done"; }
for f in results.csv weights.json test_results.csv compare.json compare.txt; do
  cmp -s "$ref/$f" "$run/$f" || fail "$f differs from the in-process run"
done
[ -f "$run/report/report.md" ] || fail "no report"
attempts=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["attempts"])' "$run/jobs/$victim/state.json")
[ "$attempts" = 2 ] || fail "$victim: $attempts attempts, expected 2"
[ "$(wc -l <"$run/jobs/$victim/attempt-logs.txt")" = 2 ] || fail "$victim: expected 2 attempt logs"
grep -q "resuming an interrupted attempt" "$run/slurm/logs/$victim"-*.out || fail "$victim did not resume"
grep -q "JobId=$victim_id .*JobState=CANCELLED" "$cluster/jobcomp.txt" || fail "jobcomp does not show the cancel"
if grep -q "JobState=FAILED" "$cluster/jobcomp.txt"; then grep "JobState=FAILED" "$cluster/jobcomp.txt"; fail "a job failed"; fi
cat "$work/status.txt"
log "PASS: $jobs_total jobs, results identical to the in-process run; $victim cancelled and resumed ($attempts attempts)"
