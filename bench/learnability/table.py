#!/usr/bin/env python3
"""Markdown table of STL scores against chance: python3 table.py CHANCE_DIR RUN_LABEL=RUN_PREFIX ...

CHANCE_DIR holds chance-TASK.json (cotbal evaluate --json of chance_answers.py's answers); RUN_PREFIX-TASK/scores.json
are the STL runs of stl.sh (or RUN_PREFIX holds {} where the task name goes). Prints, per task, chance, each run's score and the issue's bar (accuracy tasks: chance +
0.25; grounding: 0.5 hits; OCR: 0.5; captions: 1.5 x the constant caption's CIDEr).
"""
import json
import os
import sys

TASKS = ["caption", "region_caption", "attribute_vqa", "relation_qa", "counting", "ocr", "grounding"]


def score(path):
    if not os.path.exists(path):
        return None
    scores = json.load(open(path))["scores"]
    return scores.get("CIDEr", scores.get("accuracy"))


def bar(task, chance):
    if task in ("caption", "region_caption"):
        return 1.5 * chance
    if task == "grounding":
        return 0.5
    if task == "ocr":
        return 0.5
    return chance + 0.25


def main(chance_dir, runs):
    labels = [r.split("=", 1) for r in runs]
    print("| task | metric | chance | " + " | ".join(l for l, _ in labels) + " | bar |")
    print("|---|---|---:|" + "---:|" * len(labels) + "---:|")
    for task in TASKS:
        chance = score(f"{chance_dir}/chance-{task}.json")
        metric = "CIDEr" if "caption" in task else ("hits" if task == "grounding" else "EM")
        cells = []
        for _, prefix in labels:
            folder = prefix.replace("{}", task) if "{}" in prefix else f"{prefix}-{task}"
            s = score(f"{folder}/scores.json")
            cells.append("-" if s is None else f"{s:.3f}" + (" (met)" if s >= bar(task, chance) else ""))
        print(f"| {task} | {metric} | {chance:.3f} | " + " | ".join(cells) + f" | {bar(task, chance):.3f} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
