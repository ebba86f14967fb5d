#!/usr/bin/env python3
"""Times the auxiliary stage of `cotbal run` (mini + every plus-mini training) with --jobs 1 and --jobs N, alternating.

    python3 bench/pipeline/aux_stage.py --data DATA --config CONFIG [--jobs 1 2] [--rounds 2] [--out /tmp/aux-bench]
                                        [--cotbal "dotnet /path/cotbal.dll"]

Each round runs `cotbal run --data DATA --config CONFIG --out OUT/rR-jobsN --jobs N` once per --jobs value (the order
reversed every other round, so a drift of the machine's load hits both sides), from a fresh run directory, and stops
it (SIGTERM; the run stays resumable) as soon as every auxiliary training's state.json says done. It prints, per run,
the stage's span (first auxiliary start to last auxiliary finish), the sums of the jobs' wall and CPU seconds, the
time from the command's start to the first auxiliary job's start, and the speedup per round, whether the
auxiliary models (each training's final model.bin) are byte-identical across all runs, and the load average before and
after each run (a figure taken on a loaded machine is not a fair wall-time measurement; say so).
The cheaper sibling of demo_stages.py: the stage the issue's target is about, at the demo's sizes, without the rest of
the procedure. Standard library only (Debian python3).
"""
import argparse
import glob
import hashlib
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from datetime import datetime

from demo_stages import packed_span, split_span   # the same packing bounds as the whole demo's stages

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse(t):
    return datetime.fromisoformat(t.replace("Z", "+00:00"))


def auxiliary(run):
    """State of every auxiliary training (train-mini, train-*-plus-mini) once the subsets job has listed them."""
    states = {}
    for path in glob.glob(os.path.join(run, "jobs", "train-*", "state.json")):
        name = os.path.basename(os.path.dirname(path))
        if name == "train-mini" or name.endswith("-plus-mini"):
            try:
                with open(path) as f:
                    states[name] = json.load(f)
            except (OSError, json.JSONDecodeError):
                states[name] = None   # being replaced right now
    return states


def expected_count(data):
    """1 mini + one plus-mini per task with a validation set (the balanced tasks when none is fixed)."""
    with open(os.path.join(data, "manifest.json")) as f:
        manifest = json.load(f)
    return 1 + sum(1 for t in manifest["tasks"] if t.get("val") and t.get("has_validation", True))


def models_digest(run):
    """sha256 of every auxiliary training's final model.bin (its training_summary.json's final_checkpoint): the model the
    stage hands on to the validations. ConcurrentRunTests compares every checkpoint kept; this compares the results."""
    digest = {}
    for path in sorted(glob.glob(os.path.join(run, "jobs", "train-*", "training_summary.json"))):
        job = os.path.basename(os.path.dirname(path))
        if job == "train-mini" or job.endswith("-plus-mini"):
            with open(path) as f:
                final = json.load(f)["final_checkpoint"]
            with open(os.path.join(final, "model.bin"), "rb") as f:
                digest[f"{job}/{os.path.basename(final)}"] = hashlib.sha256(f.read()).hexdigest()
    return digest


def one_run(cotbal, data, config, out, jobs, count):
    load_before = os.getloadavg()
    t0 = time.time()
    p = subprocess.Popen(cotbal + ["run", "--data", data, "--config", config, "--out", out, "--jobs", str(jobs)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    while True:
        states = auxiliary(out)
        if len(states) == count and all(s and s["status"] == "done" for s in states.values()):
            break
        if p.poll() is not None:
            raise SystemExit(f"{out}: cotbal exited with {p.returncode} before the auxiliary stage ended")
        time.sleep(0.2)
    p.send_signal(signal.SIGTERM)
    p.wait()
    load_after = os.getloadavg()
    starts = [parse(s["started_utc"]) for s in states.values()]
    ends = [parse(s["finished_utc"]) for s in states.values()]
    span = (max(ends) - min(starts)).total_seconds()
    wall = sum(s["wall_seconds"] for s in states.values())
    cpu = sum(s.get("cpu_seconds", float("nan")) for s in states.values())
    first = min(starts).timestamp() - t0
    return {"span": span, "wall": wall, "cpu": cpu, "to_first_job": first, "load": (load_before, load_after),
            "models": models_digest(out), "walls": [s["wall_seconds"] for s in states.values()]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--out", default="/tmp/cotbal-aux-bench")
    ap.add_argument("--cotbal", default=os.path.join(ROOT, "cotbal"), help="how to call cotbal (words, e.g. 'dotnet /x/cotbal.dll')")
    a = ap.parse_args()
    cotbal = shlex.split(a.cotbal)
    count = expected_count(a.data)
    print(f"load average at start: {os.getloadavg()}  cores: {os.cpu_count()}  auxiliary trainings: {count}")
    print(f"{'round':>5} {'jobs':>4} {'span s':>8} {'sum wall s':>10} {'sum CPU s':>10} {'start s':>8}  load before -> after")
    results, digests = [], []
    sequential_walls = None
    for r in range(a.rounds):
        order = a.jobs if r % 2 == 0 else list(reversed(a.jobs))
        spans = {}
        for n in order:
            out = os.path.join(a.out, f"r{r}-jobs{n}")
            subprocess.run(["rm", "-rf", out], check=True)
            m = one_run(cotbal, a.data, a.config, out, n, count)
            spans[n] = m["span"]
            digests.append(m["models"])
            if n == 1 and sequential_walls is None:
                sequential_walls = m["walls"]
            lb, la = m["load"]
            print(f"{r:5d} {n:4d} {m['span']:8.1f} {m['wall']:10.1f} {m['cpu']:10.1f} {m['to_first_job']:8.1f}  "
                  f"{lb[0]:.2f} -> {la[0]:.2f}", flush=True)
        results.append(spans)
    lo, hi = min(a.jobs), max(a.jobs)
    for r, spans in enumerate(results):
        print(f"round {r}: auxiliary stage --jobs {hi} vs --jobs {lo}: {spans[lo] / spans[hi]:.2f}x")
    if sequential_walls is not None:
        total = sum(sequential_walls)
        whole, split = total / packed_span(sequential_walls, hi), total / split_span(sequential_walls, hi)
        print(f"packing bounds from the first --jobs 1 run's job times on {hi} slots: {whole:.2f}x whole jobs, {split:.2f}x split anywhere")
    same = all(d == digests[0] for d in digests) and len(digests[0]) > 0
    print(f"auxiliary models (each training's final model.bin) identical across runs: {same} ({len(digests[0])} files)")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    sys.exit(main())
