#!/usr/bin/env python3
"""relation_qa accuracy by question form, with the answers each form got (is the model a constant predictor there?).

    python3 bench/learnability/relation_forms.py BENCH_DIR ANSWERS.jsonl [ANSWERS.jsonl ...]

BENCH_DIR is the benchmark the answers come from (its relation_qa_test.json gives the questions); every ANSWERS file is
`cotbal predict` output on that test file (for example OUT/answers.jsonl of bench/learnability/stl.sh). Forms: "which"
("Which is closer to the top, the X or the Y?"), "left/right" and "above/below" (yes/no or a choice of two words).
"""
import collections
import json
import sys


def form(question):
    if "Which" in question:
        return "which"
    return "left/right" if " left" in question or " right" in question else "above/below"


def main(bench, paths):
    questions = {s["id"]: s["conversations"][0]["value"] for s in json.load(open(f"{bench}/relation_qa_test.json"))}
    for path in paths:
        right, total, given = collections.Counter(), collections.Counter(), collections.defaultdict(collections.Counter)
        for line in open(path):
            answer = json.loads(line)
            f = form(questions[answer["id"]])
            total[f] += 1
            right[f] += answer["prediction"] == answer["references"][0]
            given[f][answer["prediction"] if len(answer["prediction"].split()) == 1 else "<a name>"] += 1
        print(path)
        for f in sorted(total):
            answers = ", ".join(f"{a} {n}" for a, n in given[f].most_common())
            print(f"  {f:12s} {right[f] / total[f]:.3f} of {total[f]:3d}   answers: {answers}")
        print(f"  {'all':12s} {sum(right.values()) / sum(total.values()):.3f} of {sum(total.values())}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
