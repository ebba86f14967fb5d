#!/usr/bin/env python3
"""Times `cotbal demo` stage by stage, and the auxiliary stage sequential vs concurrent.

    python3 bench/pipeline/demo_stages.py [--size default|tiny] [--jobs 1 2] [--seeds 1] [--out /tmp/demo-bench]
    python3 bench/pipeline/demo_stages.py --pack-ab [--jobs 2] [--out /tmp/demo-bench]

--pack-ab times packed against padded batches instead: the demo as it runs (every training packed; --seeds, default 1), then `cotbal run`
on the demo's benchmark with the demo's recorded config but "pack": false in every training budget, both with the
last --jobs value, and prints each stage's span and job CPU ratio (unpacked / packed).

For every --jobs value it runs `./cotbal demo --size SIZE --jobs N --seeds K --out OUT/jobsN` from a clean run
directory, then reads every job's state.json: a stage's wall time is the span from its first job's start
to its last job's finish (jobs of a stage overlap when N > 1). It prints one table per run (with the sums of the jobs' wall
and CPU seconds: CPU below wall means a job waited for a core; CPU growing with N means each instruction got
slower, e.g. shared caches), the speedup of each stage between the first and the last --jobs value next to the
best packings of the first run's job times on N slots (whole jobs longest first; and jobs split anywhere, the limit
of trainings run in segments: the run config's "segments", default N), whether the result
files are byte-identical, and the load average before and after (a figure taken on a loaded machine is not a
fair measurement; say so).
Standard library only (Debian python3).
"""
import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESULT_FILES = ["results.csv", "weights.json", "test_results.csv", "compare.json", "uncertainty.json"]


def stage_of(state):
    kind, name = state["kind"], state["name"]
    if kind == "train":
        if name.startswith("train-final-"):
            return "final trainings"
        if name == "train-mini" or name.endswith("-plus-mini"):
            return "auxiliary trainings"
        return "STL trainings"
    if kind == "evaluate":
        return "validation" if name.startswith("val-") else "test evaluation"
    return "subsets/results/weights/compare/report"


def parse(t):
    return datetime.fromisoformat(t.replace("Z", "+00:00"))


def stages(run):
    spans = {}
    jobs_dir = os.path.join(run, "jobs")
    for name in sorted(os.listdir(jobs_dir)):
        path = os.path.join(jobs_dir, name, "state.json")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            s = json.load(f)
        if s.get("started_utc") is None or s.get("finished_utc") is None:
            continue
        st = stage_of(s)
        start, end = parse(s["started_utc"]), parse(s["finished_utc"])
        lo, hi, times = spans.get(st, (start, end, []))
        spans[st] = (min(lo, start), max(hi, end), times + [(s["wall_seconds"], s.get("cpu_seconds", float("nan")))])
    return spans


def packed_span(durations, slots):
    """Span of the jobs scheduled longest first on `slots` identical slots (no start costs, no slowdown)."""
    ends = [0.0] * slots
    for d in sorted(durations, reverse=True):
        ends[ends.index(min(ends))] += d
    return max(ends)


def split_span(durations, slots):
    """Span when jobs may be cut anywhere and continued on another slot (a training in segments): the work spread evenly,
    but never below the longest job (its parts run one after another). The best `segments` can approach."""
    return max(max(durations), sum(durations) / slots)


def run_demo(a, jobs, out):
    subprocess.run([os.path.join(ROOT, "cotbal"), "demo", "--size", a.size, "--jobs", str(jobs), "--seeds", str(a.seeds), "--out", out],
                   check=True, stdout=subprocess.DEVNULL)


def table(label, run, total):
    print(f"\n{label}: wall time {total:.0f} s (load average now {os.getloadavg()})")
    print(f"{'stage':40} {'jobs':>4} {'span s':>8} {'sum of job wall s':>17} {'sum of job CPU s':>16}")
    for st, (lo, hi, times) in sorted(run.items(), key=lambda p: p[1][0]):
        print(f"{st:40} {len(times):4d} {(hi - lo).total_seconds():8.1f} {sum(w for w, _ in times):17.1f} {sum(c for _, c in times):16.1f}")


def pack_ab(a):
    n = a.jobs[-1]
    packed, unpacked = os.path.join(a.out, "packed"), os.path.join(a.out, "unpacked")
    for d in (packed, unpacked):
        shutil.rmtree(d, ignore_errors=True)
    t0 = time.time()
    run_demo(a, n, packed)
    packed_total = time.time() - t0
    with open(os.path.join(packed, "run.json")) as f:
        recorded = json.load(f)
    config = recorded["config"]
    config.pop("effective_jobs", None)
    config["jobs"] = n
    for budget in ("auxiliary", "single_task", "final"):
        config[budget]["pack"] = False
    config_file = os.path.join(a.out, "unpacked.json")
    with open(config_file, "w") as f:
        json.dump(config, f, indent=2)
    t0 = time.time()
    subprocess.run([os.path.join(ROOT, "cotbal"), "run", "--out", unpacked, "--data", recorded["data"], "--config", config_file],
                   check=True, stdout=subprocess.DEVNULL)
    unpacked_total = time.time() - t0
    runs = {"packed (the demo)": (stages(packed), packed_total), "unpacked (same config, pack false)": (stages(unpacked), unpacked_total)}
    for label, (run, total) in runs.items():
        table(label, run, total)
    (p, _), (u, _) = runs.values()
    print(f"\nspeedup of packing (unpacked span / packed span), --jobs {n}:")
    for st in p:
        if st in u:
            sp = (p[st][1] - p[st][0]).total_seconds()
            su = (u[st][1] - u[st][0]).total_seconds()
            cp, cu = sum(c for _, c in p[st][2]), sum(c for _, c in u[st][2])
            print(f"  {st:40} span {su / sp if sp > 0 else float('nan'):5.2f}x   job CPU {cu / cp if cp > 0 else float('nan'):5.2f}x")
    print(f"  {'whole procedure (the demo also generates data)':40} {unpacked_total / packed_total:5.2f}x")
    print(f"load average after: {os.getloadavg()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="default", choices=["default", "tiny"])
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--out", default="/tmp/cotbal-demo-bench")
    ap.add_argument("--seeds", type=int, default=1, help="final trainings per method (the demo's default is 3; these timings use 1)")
    ap.add_argument("--pack-ab", action="store_true",
                    help="instead: the demo (packed batches, its default), then the same procedure on its benchmark and config with "
                         "\"pack\": false in every training budget (cotbal run), both with the last --jobs value; compares the stages")
    a = ap.parse_args()
    print(f"load average before: {os.getloadavg()}  cores: {os.cpu_count()}")
    if a.pack_ab:
        return pack_ab(a)
    runs = {}
    for n in a.jobs:
        out = os.path.join(a.out, f"jobs{n}")
        shutil.rmtree(out, ignore_errors=True)
        t0 = time.time()
        run_demo(a, n, out)
        total = time.time() - t0
        runs[n] = (out, stages(out), total)
        table(f"--jobs {n}: demo", runs[n][1], total)
    if len(a.jobs) > 1:
        first, last = runs[a.jobs[0]], runs[a.jobs[-1]]
        print(f"\nspeedup --jobs {a.jobs[-1]} vs --jobs {a.jobs[0]} (and the best packings of the first run's jobs: whole jobs longest first,"
              f" and jobs split anywhere, which trainings in segments approach):")
        for st in first[1]:
            if st in last[1]:
                s1 = (first[1][st][1] - first[1][st][0]).total_seconds()
                s2 = (last[1][st][1] - last[1][st][0]).total_seconds()
                walls = [w for w, _ in first[1][st][2]]
                best = s1 / packed_span(walls, a.jobs[-1]) if s1 > 0 else float("nan")
                split = s1 / split_span(walls, a.jobs[-1]) if s1 > 0 else float("nan")
                print(f"  {st:40} {s1 / s2 if s2 > 0 else float('nan'):5.2f}x  (packing bound {best:4.2f}x whole, {split:4.2f}x split)")
        print(f"  {'whole demo':40} {first[2] / last[2]:5.2f}x")
        same = all(filecmp.cmp(os.path.join(first[0], f), os.path.join(last[0], f), shallow=False) for f in RESULT_FILES)
        print(f"result files identical: {same}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    sys.exit(main())
