#!/usr/bin/env python3
"""Chance level of a task of a generated `shapes` benchmark, as a constant predictor on its test items.

Writes an answers file in `cotbal evaluate`'s native JSONL format in which every test item of TASK gets the same
prediction: the most frequent training answer (exact-match tasks; ties -> the lexicographically smallest), the most
frequent training caption (caption tasks), or the mean training box with two decimals (grounding). Score it with
`cotbal evaluate --metric M` like a model's answers.

    python3 chance_answers.py BENCH_DIR TASK OUT.jsonl
"""
import collections
import json
import re
import sys


def answer(sample):
    return sample["conversations"][-1]["value"]


def references(sample):
    return sample.get("references") or [answer(sample)]


def main(bench, task, out):
    manifest = json.load(open(f"{bench}/manifest.json"))
    info = next(t for t in manifest["tasks"] if t["name"] == task)
    train = json.load(open(f"{bench}/{info['train']['file']}"))
    test = json.load(open(f"{bench}/{info['test']['file']}"))
    if info["metric"] == "grounding":
        boxes = [[float(v) for v in re.findall(r"[-0-9.]+", answer(s))] for s in train]
        mean = [sum(b[i] for b in boxes) / len(boxes) for i in range(4)]
        constant = "[" + ", ".join(f"{v:.2f}" for v in mean) + "]"
    else:
        counts = collections.Counter(answer(s) for s in train)
        constant = min(counts, key=lambda a: (-counts[a], a))
    with open(out, "w") as f:
        for s in test:
            f.write(json.dumps({"id": s["id"], "task": task, "prediction": constant, "references": references(s)}) + "\n")
    print(f"{task}: constant prediction {constant!r} for {len(test)} test items")


if __name__ == "__main__":
    main(*sys.argv[1:4])
