#!/usr/bin/env python3
"""Scores relation_qa answers that write the two objects' places (and optionally their relation) before the verdict.

    git worktree add /tmp/wt 5931366 && cd /tmp/wt && git apply /path/to/repo/bench/learnability/patches/relation_places_first.patch
    ./cotbal data generate --out BENCH --image-size 48          # same images, pairs and verdicts as the default benchmark
    SEED=42 bench/learnability/stl.sh BENCH relation_qa assets/demo-base OUT 1 0.001
    python3 bench/learnability/relation_chain.py BENCH OUT/answers.jsonl

The patches apply to commit 5931366, the last one-word relation_qa; the benchmark generated at the current commit is
the shipped format (the last patch's, without the instruction suffix) and needs no patch. The patches
(docs/benchmarks/pretraining.md, "Writing the places out"): `relation_places_first` answers
"green diamond bottom, yellow square top right: no"; `relation_places_relation_first` also writes the first object's
relation to the second in the base's own words ("...: below it, no"); `relation_one_direction_chain` is the latter
with every yes/no question asked as "left of" / "above" (the pair swapped when it was "right of" / "below", so the
verdict is the same), which removes the question's direction word from the verdict. Prints, per question form
(left/right, above/below, which), the share of answers whose verdict, places, relation (when written) and whole
answer equal the reference's, and how the yes/no items were answered. Standard library only.
"""
import collections
import json
import sys


def form(question):
    line = question.split("\n")[1]
    if line.startswith("Which"):
        return "which"
    return "left/right" if " of the " in line else "above/below"


def parts(answer):
    """(places, relation or None, verdict) of a chain answer; a plain answer is all verdict."""
    if ": " not in answer:
        return None, None, answer
    places, rest = answer.split(": ", 1)
    if ", " in rest:
        relation, verdict = rest.rsplit(", ", 1)
        return places, relation, verdict
    return places, None, rest


def main(bench, answers):
    with open(f"{bench}/relation_qa_test.json") as f:
        items = {x["id"]: x for x in json.load(f)}
    hits, counts, yes_no = collections.Counter(), collections.Counter(), collections.Counter()
    with open(answers) as f:
        for line in f:
            row = json.loads(line)
            item = items[row["id"]]
            reference, prediction = item["conversations"][1]["value"], row["prediction"]
            kind = form(item["conversations"][0]["value"])
            (rp, rr, rv), (pp, pr, pv) = parts(reference), parts(prediction)
            for key in (kind, "all"):
                counts[key] += 1
                hits[key, "verdict"] += pv == rv
                hits[key, "places"] += rp is not None and pp == rp
                hits[key, "relation"] += rr is not None and pr == rr
                hits[key, "whole"] += prediction == reference
            if rv in ("yes", "no"):
                yes_no[pv if pv in ("yes", "no") else "other"] += 1
    has_relation = hits["all", "relation"] > 0 or any(parts(x["conversations"][1]["value"])[1] for x in items.values())
    keys = ["verdict", "places"] + (["relation"] if has_relation else []) + ["whole"]
    print(f"{'form':<12} {'items':>5} " + " ".join(f"{k:>8}" for k in keys))
    for kind in ["left/right", "above/below", "which", "all"]:
        print(f"{kind:<12} {counts[kind]:5d} " + " ".join(f"{hits[kind, k] / counts[kind]:8.3f}" for k in keys))
    print("yes/no items answered: " + ", ".join(f"{k} {v}" for k, v in yes_no.most_common()))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
