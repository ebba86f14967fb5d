#!/usr/bin/env python3
"""Data and scoring for the pair-relation learnability runs (docs/benchmarks/pretraining.md, "Learning to compare two objects").

  relation_data.py make CORPUS_DIR OUT_DIR [HELD_OUT=500]
      Writes LLaVA-format files next to the corpus' images (paths stay relative to CORPUS_DIR), reading and never
      changing CORPUS_DIR/pretrain.json (a `cotbal pretrain` corpus):
        pr_train.json / pr_val.json          the corpus' pair_relation items, the last HELD_OUT held out
        pr_qfirst_train.json / _val.json     the same with "<image>" moved after the question (the vicuna_v1
                                             template moves it back to the front, as LLaVA does: trains identically)
        pr_q2turn_train.json / _val.json     the question first in a turn of its own without the image (answer
                                             "."), then the item as it is: the image tokens come after the names
        op_train.json                        the corpus' object_place items (for mixes)
        two_train.json / two_val.json        own pair questions ("Where is the A relative to the B?", the
                                             PairRelationKind answer) about the 2-object scenes of the corpus'
                                             scene_summary and object_boxes items (every ordered pair, both orders)
        many_train.json                      the same for the scenes with 3 or more objects
        cot_train.json / cot_val.json        the 2- and more-object questions answered with both lookups first:
                                             "red circle top left, blue square center: left of it, above it."
        direct_train.json / direct_val.json  the same questions answered directly ("left of it, above it.")
      Scenes with a repeated object name are skipped (the question would be ambiguous).
  relation_data.py score DATA.json ANSWERS.jsonl
      Prints exact match of the first answer word (left/right/same), of the vertical part and of the whole
      answer, with the majority-answer chance of each, as JSON.
  relation_data.py curve TRAIN_LOG.jsonl [STEP,STEP,...]
      Per-task training loss per answer token, mean of the 50 steps ending at each step shown (default every 250).
"""
import collections
import json
import os
import re
import sys

LOCATIONS = {"top left": (0, 0), "top": (1, 0), "top right": (2, 0), "left": (0, 1), "center": (1, 1),
             "right": (2, 1), "bottom left": (0, 2), "bottom": (1, 2), "bottom right": (2, 2)}
COLOURS = "red|green|blue|yellow|purple"
SHAPES = "circle|square|triangle|diamond"


def relation(a, b):
    """PairRelationKind's answer for a = (column, row) relative to b."""
    horizontal = "same column" if a[0] == b[0] else "left of it" if a[0] < b[0] else "right of it"
    vertical = "same row" if a[1] == b[1] else "above it" if a[1] < b[1] else "below it"
    return f"{horizontal}, {vertical}."


def scene_of(item):
    """[(name, (column, row))] of a scene_summary or object_boxes item, or None if its names repeat."""
    answer = item["conversations"][1]["value"]
    if item["task"] == "scene_summary":
        body = answer.split(": ", 1)[1].rstrip(".")
        objects = []
        for part in body.split(", "):
            m = re.fullmatch(rf"((?:{COLOURS}) (?:{SHAPES})) (.+)", part)
            objects.append((m.group(1), LOCATIONS[m.group(2)]))
    else:
        objects = []
        for m in re.finditer(rf"((?:{COLOURS}) (?:{SHAPES})) \[([0-9.]+), ([0-9.]+), ([0-9.]+), ([0-9.]+)\]", answer):
            cx = (float(m.group(2)) + float(m.group(4))) / 2
            cy = (float(m.group(3)) + float(m.group(5))) / 2
            objects.append((m.group(1), (min(int(cx * 3), 2), min(int(cy * 3), 2))))
    names = [n for n, _ in objects]
    return objects if len(set(names)) == len(names) else None


def sample(sid, task, image, question, answer, question_first=False):
    human = f"{question}\n<image>" if question_first else f"<image>\n{question}"
    return {"id": sid, "task": task, "image": image,
            "conversations": [{"from": "human", "value": human}, {"from": "gpt", "value": answer}]}


def write(path, items):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(items, f, indent=0)
    os.replace(tmp, path)
    print(f"{path}: {len(items)} samples")


def make(corpus, out, held_out):
    items = json.load(open(os.path.join(corpus, "pretrain.json")))
    os.makedirs(out, exist_ok=True)
    pr = [i for i in items if i["task"] == "pair_relation"]
    train, val = pr[:-held_out], pr[-held_out:]
    write(os.path.join(out, "pr_train.json"), train)
    write(os.path.join(out, "pr_val.json"), val)
    for name, part in (("train", train), ("val", val)):
        moved = [dict(i, conversations=[{"from": "human", "value": i["conversations"][0]["value"].replace("<image>\n", "") + "\n<image>"},
                                        i["conversations"][1]]) for i in part]
        write(os.path.join(out, f"pr_qfirst_{name}.json"), moved)
    for name, part in (("train", train), ("val", val)):
        question = lambda i: i["conversations"][0]["value"].replace("<image>\n", "")
        two_turn = [dict(i, conversations=[{"from": "human", "value": question(i)}, {"from": "gpt", "value": "."}]
                         + i["conversations"]) for i in part]
        write(os.path.join(out, f"pr_q2turn_{name}.json"), two_turn)
    write(os.path.join(out, "op_train.json"), [i for i in items if i["task"] == "object_place"])
    two, many, cot = [], [], []
    cell_name = {v: k for k, v in LOCATIONS.items()}
    for item in items:
        if item["task"] not in ("scene_summary", "object_boxes"):
            continue
        objects = scene_of(item)
        if objects is None or len(objects) < 2:
            continue
        target = two if len(objects) == 2 else many
        for a_name, a in objects:
            for b_name, b in objects:
                if a_name != b_name:
                    q = f"Where is the {a_name} relative to the {b_name}?"
                    sid = f"{item['id']}-{a_name}-{b_name}".replace(" ", "_")
                    target.append(sample(sid, "pair_relation", item["image"], q, relation(a, b)))
                    cot.append(sample(sid, "pair_relation", item["image"], q,
                                      f"{a_name} {cell_name[a]}, {b_name} {cell_name[b]}: {relation(a, b)}"))
    scenes = sorted({s["image"] for s in two})
    val_scenes = set(scenes[-held_out // 2:])
    write(os.path.join(out, "two_train.json"), [s for s in two if s["image"] not in val_scenes])
    write(os.path.join(out, "two_val.json"), [s for s in two if s["image"] in val_scenes])
    write(os.path.join(out, "many_train.json"), many)
    cot_scenes = sorted({s["image"] for s in cot})
    cot_val = set(cot_scenes[-held_out // 2:])
    val = [s for s in cot if s["image"] in cot_val]
    cot_parts = {"train": [s for s in cot if s["image"] not in cot_val], "val": val[::max(1, len(val) // held_out)][:held_out]}
    for name, part in cot_parts.items():
        write(os.path.join(out, f"cot_{name}.json"), part)
        direct = [dict(s, conversations=[s["conversations"][0], {"from": "gpt", "value": s["conversations"][1]["value"].split(": ")[1]}])
                  for s in part]
        write(os.path.join(out, f"direct_{name}.json"), direct)


def score(data, answers):
    refs = {i["id"]: i["conversations"][-1]["value"] for i in json.load(open(data))}
    preds = {}
    for line in open(answers):
        r = json.loads(line)
        preds[r["id"]] = r["prediction"]  # `cotbal predict`'s native format
    relation_part = lambda s: s.split(": ")[-1]  # the cot answers name both cells first
    parts = {"first_word": lambda s: relation_part(s).split(" ")[0],
             "vertical": lambda s: relation_part(s).split(", ")[1] if ", " in relation_part(s) else "",
             "whole": lambda s: relation_part(s).strip()}
    if any(": " in v for v in refs.values()):
        parts["lookups"] = lambda s: s.split(": ")[0] if ": " in s else ""
    result = {"items": len(refs), "answered": sum(1 for k in refs if k in preds)}
    for name, f in parts.items():
        ref = [f(v) for v in refs.values()]
        hit = sum(1 for k, v in refs.items() if f(preds.get(k, "")) == f(v))
        result[name] = round(hit / len(refs), 3)
        result[name + "_chance"] = round(collections.Counter(ref).most_common(1)[0][1] / len(refs), 3)
    print(json.dumps(result))


def curve(log, steps):
    rows = [json.loads(line) for line in open(log)]
    last = rows[-1]["step"]
    steps = [int(s) for s in steps.split(",")] if steps else list(range(250, last + 1, 250))
    tasks = sorted(rows[0]["task_loss"])
    print("step " + " ".join(tasks) + " elapsed_s")
    for step in steps:
        window = [r for r in rows if step - 50 < r["step"] <= step]
        if not window:
            continue
        # a kind no sample of a step held has no loss there (null in the log): the mean is over the steps that held it
        held = [[r["task_loss"][t] for r in window if r["task_loss"][t] is not None] for t in tasks]
        means = [sum(v) / len(v) if v else None for v in held]
        print(f"{step} " + " ".join("-" if m is None else f"{m:.3f}" for m in means) + f" {window[-1]['elapsed_s']:.0f}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 500)
    elif sys.argv[1] == "curve":
        curve(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")
    elif sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
