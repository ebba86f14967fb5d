#!/usr/bin/env python3
"""relation_qa with every yes/no item asked as a "which" question in its own direction (docs/benchmarks/pretraining.md).

    python3 bench/learnability/relation_which.py BENCH_DIR OUT_DIR
    SEED=42 bench/learnability/stl.sh OUT_DIR relation_qa assets/demo-base OUT 1 0.001

Writes OUT_DIR/relation_qa_{train,val,test}.json from BENCH_DIR's (a generated benchmark), with links to its images,
manifest.json and vocab.json, so that stl.sh can fine-tune and score on it. BENCH_DIR must hold the one-word
relation_qa of commit 5931366 or earlier (`git worktree add /tmp/wt 5931366`, then `./cotbal data generate` there);
since then relation_qa answers with a chain and this script refuses it. "Is the X to the left of the Y?" becomes
"Which is closer to the left, the X or the Y?" (right, above -> top, below -> bottom likewise), answered with the X
when the original answer was "yes" and the Y otherwise; "Which is closer to the top, ..." items are kept. Same
images, pairs and item ids; every word is in the benchmark's vocabulary.
"""
import json
import os
import re
import sys

SUFFIX = "\nAnswer the question using a single word or phrase."
DIRECTION = {"left": "left", "right": "right", "above": "top", "below": "bottom"}


def rewrite(item):
    question, answer = item["conversations"][0]["value"], item["conversations"][1]["value"]
    body = question[len("<image>\n"):-len(SUFFIX)]
    m = re.match(r"Is the (.+?) to the (left|right) of the (.+?)\?$", body) or re.match(r"Is the (.+?) (above|below) the (.+?)\?$", body)
    if m:
        x, relation, y = m.groups()
        item["conversations"][0]["value"] = f"<image>\nWhich is closer to the {DIRECTION[relation]}, the {x} or the {y}?{SUFFIX}"
        item["conversations"][1]["value"] = x if answer == "yes" else y
    return item


def main(src, dst):
    os.makedirs(dst, exist_ok=True)
    for name in ["manifest.json", "vocab.json", "images"]:
        if not os.path.exists(os.path.join(dst, name)):
            os.symlink(os.path.abspath(os.path.join(src, name)), os.path.join(dst, name))
    for split in ["train", "val", "test"]:
        with open(os.path.join(src, f"relation_qa_{split}.json")) as f:
            items = json.load(f)
        if not any(item["conversations"][1]["value"] in ("yes", "no") for item in items):
            sys.exit(f"{src}: relation_qa_{split}.json has no one-word yes/no answers: generate BENCH_DIR at commit 5931366 or earlier")
        items = [rewrite(item) for item in items]
        with open(os.path.join(dst, f"relation_qa_{split}.json"), "w") as f:
            json.dump(items, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
