#!/usr/bin/env python3
"""Writes STAGE/provenance.json for a base exported from a `cotbal pretrain` folder WORK (make_demo_base.sh calls it).

Records the request (WORK/request.json, what ShippedBase compares with the demo's own request), the command that makes
it, the SHA-256 of every weight file (ShippedBase.Verify checks them), what the tower's pretraining measured, the
LLaVA stage's per-kind losses over its first and last 100 steps, the wall time of both stages as their logs recorded
them, and the machine.
    python3 provenance.py WORK STAGE
"""
import datetime
import hashlib
import json
import os
import platform
import subprocess
import sys

work, stage = sys.argv[1], sys.argv[2]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def window(rows, kind):
    values = [r["task_loss"][kind] for r in rows if r["task_loss"].get(kind) is not None]
    return round(sum(values) / len(values), 4) if values else None


with open(os.path.join(work, "request.json")) as f:
    request = json.load(f)
with open(os.path.join(work, "vision_tower", "vision_pretraining.json")) as f:
    vision = json.load(f)
with open(os.path.join(work, "train", "train_log.jsonl")) as f:
    log = [json.loads(line) for line in f if line.strip()]
kinds = list(log[0]["task_loss"])
weights = sorted(os.path.relpath(os.path.join(d, n), stage) for d, _, names in os.walk(stage) for n in names if n.endswith(".safetensors"))
cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())
try:
    commit = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
except (OSError, subprocess.CalledProcessError):
    commit = None
provenance = {
    "command": "bench/pretraining/make_demo_base.sh WORK   (cotbal pretrain with DemoConfig.Pretraining's default options, then cotbal export --format llava)",
    "request": request,
    "sha256": {name: sha256(os.path.join(stage, name)) for name in weights},
    "vision_tower": vision,
    "llava_stage": {
        "steps": log[-1]["step"],
        "wall_seconds": round(log[-1]["elapsed_s"], 1),
        "loss_first_100_steps": {k: window(log[:100], k) for k in kinds},
        "loss_last_100_steps": {k: window(log[-100:], k) for k in kinds},
    },
    "machine": {"cpu": cpu, "cores": os.cpu_count(), "threads": 1},
    "made": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
    "packaged_at_commit": commit,
}
with open(os.path.join(stage, "provenance.json"), "w") as f:
    json.dump(provenance, f, indent=2)
    f.write("\n")
print(f"provenance: {len(weights)} weight file(s), LLaVA stage {log[-1]['step']} steps")
