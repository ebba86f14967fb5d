#!/usr/bin/python3
"""Writes the metric reference fixtures of tests/CoTBal.Core.Tests/Metrics/Fixtures by running the
upstream scorers, unmodified, on the committed inputs (tests/reference/inputs/).

The upstream code is not in this repository (its licences and this project's rules keep it out): give
the script checkouts of the upstream repositories at the pinned commits below.

    /usr/bin/python3 tests/reference/make_metric_fixtures.py \
        --vqa-eval ~/src/VQA --cocoevalcap ~/src/coco-caption \
        --m4c ~/src/mmf/mmf/utils/m4c_evaluators.py --visatb ~/src/VisATB [--check]

--check compares with the committed fixtures instead of writing them (exit 1 on any difference).

Pinned upstream code (what each fixture field comes from):
  GT-Vision-Lab/VQA @ a013f00 (master)   PythonEvaluationTools/vqaEvaluation/vqaEval.py, VQAEval.evaluate
      -> vqa[].vqa. The file is Python 2: its only Python-2-only lines are two `print "..."`
      statements, which this script turns into print("...") calls (and checks that nothing else is
      touched) before running it under Python 3.
  tylin/coco-caption @ bfd1596           pycocoevalcap/{bleu/bleu.py, bleu/bleu_scorer.py, rouge/rouge.py,
      cider/cider.py, cider/cider_scorer.py}: Bleu(4), Rouge(), Cider() -> captions[], captions_corpus,
      captions_expected.json. Needs python3-future and numpy. The scorers receive the raw captions
      split on whitespace, which is what they accept for already tokenised text (our --tokenize none);
      the Stanford PTB tokenizer (Java) is never run, so METEOR/SPICE/PTB are not covered.
  facebookresearch/mmf @ 2dc099a         mmf/utils/m4c_evaluators.py, TextVQAAccuracyEvaluator
      -> vqa[].textvqa (LLaVA's llava/eval/m4c_evaluator.py is a copy of this class).
  YanqiDai/VisATB @ 52affcb              eval/qa.py match_pred_truth -> vqa[].em (against the first
      human answer: qa.py has one ground truth); eval/grounding_bbox.py match_pred_truth -> hit, and
      its get_grounding_box + box_iou (torch float32) on the boxes match_pred_truth extracts -> iou.
      Needs python3-torch and python3-torchvision (Debian 12: 1.13 / 0.14) and python3-tqdm.
  Not upstream: hit_inclusive = (upstream IoU >= 0.5), our --inclusive variant; iou is reported as 0
  where upstream's IoU is NaN/inf (degenerate boxes), as our per-item iou is.

Python 3 (Debian's /usr/bin/python3 3.11), standard library plus the packages named above.
"""

import argparse
import contextlib
import importlib.util
import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
INPUTS = os.path.join(HERE, "inputs")
FIXTURES = os.path.join(REPO, "tests", "CoTBal.Core.Tests", "Metrics", "Fixtures")

PY2_PRINT = re.compile(r'^(\s*)print "([^"\n]*)"$', re.M)


def load_module(name, path, source=None):
    spec = importlib.util.spec_from_loader(name, loader=None, origin=path)
    module = importlib.util.module_from_spec(spec)
    module.__file__ = path
    if source is None:
        with open(path, encoding="utf-8") as f:
            source = f.read()
    exec(compile(source, path, "exec"), module.__dict__)
    sys.modules[name] = module
    return module


def load_vqa_eval(checkout):
    path = os.path.join(checkout, "PythonEvaluationTools", "vqaEvaluation", "vqaEval.py")
    with open(path, encoding="utf-8") as f:
        source = f.read()
    ported, count = PY2_PRINT.subn(r'\1print("\2")', source)
    if count not in (0, 2):
        sys.exit(f"{path}: expected the 2 Python 2 print statements of commit a013f00, found {count}")
    # Nothing but those lines may differ.
    changed = [(a, b) for a, b in zip(source.splitlines(), ported.splitlines()) if a != b]
    assert len(changed) == count and all(b.strip() == f"print({a.strip()[6:]})" for a, b in changed), changed
    return load_module("vqaEval", path, ported)


class _Qa:
    """The two members VQAEval uses of its VQA helper objects (vqa.py): .qa and getQuesIds()."""

    def __init__(self, qa):
        self.qa = qa

    def getQuesIds(self):
        return list(self.qa)


def vqa_official(module, items):
    gts, res = {}, {}
    for n, item in enumerate(items):
        answers = [{"answer": a, "answer_confidence": "yes", "answer_id": k + 1} for k, a in enumerate(item["references"])]
        gts[n] = {"question_id": n, "answers": answers, "question_type": "none of the above", "answer_type": "other"}
        res[n] = {"question_id": n, "answer": item["prediction"]}
    # n = 17 digits: evalQA holds round(100 * acc, n), so this keeps every digit of the accuracy.
    evaluator = module.VQAEval(_Qa(gts), _Qa(res), n=17)
    with contextlib.redirect_stdout(sys.stderr):
        evaluator.evaluate()
    return [evaluator.evalQA[n] / 100 for n in range(len(items))]


def textvqa(module, items):
    evaluator = module.TextVQAAccuracyEvaluator()
    return [evaluator.eval_pred_list([{"pred_answer": i["prediction"], "gt_answers": i["references"]}]) for i in items]


def exact_match(module, items):
    return [1.0 if module.match_pred_truth(i["prediction"], i["references"][0]) else 0.0 for i in items]


def grounding(module, items):
    out = []
    pattern = r"\[(.*?)\]"  # match_pred_truth's own extraction, so iou is of the boxes it compares
    for i in items:
        pred, truth = i["prediction"], i["references"][0]
        boxes = []
        for text in (truth, pred):
            m = re.search(pattern, text)
            boxes.append(module.get_grounding_box(m.group(1) if m else "[0.0, 0.0, 0.0, 0.0]"))
        iou, _ = module.box_iou(boxes[0].unsqueeze(0), boxes[1].unsqueeze(0))
        value = float(iou.item())
        out.append({
            "iou": value if math.isfinite(value) else 0.0,
            "hit": 1.0 if module.match_pred_truth(pred, truth) else 0.0,
            "hit_inclusive": 1.0 if bool(iou >= 0.5) else 0.0,
        })
    return out


def captions(checkout, items):
    sys.path.insert(0, checkout)
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge

    gts = {i["id"]: list(i["references"]) for i in items}
    res = {i["id"]: [i["prediction"]] for i in items}
    with contextlib.redirect_stdout(sys.stderr):  # Bleu prints its counts
        bleu, _ = Bleu(4).compute_score(gts, res)
        rouge, rouge_items = Rouge().compute_score(gts, res)
        cider, cider_items = Cider().compute_score(gts, res)
        # Per item: the corpus formula applied to that item alone (what our per-item Bleu_n reports).
        bleu_items = [Bleu(4).compute_score({i["id"]: gts[i["id"]]}, {i["id"]: res[i["id"]]})[0] for i in items]
    corpus = {"Bleu_1": bleu[0], "Bleu_2": bleu[1], "Bleu_3": bleu[2], "Bleu_4": bleu[3],
              "ROUGE_L": float(rouge), "CIDEr": float(cider)}
    per_item = [{"ROUGE_L": float(r), "CIDEr": float(c), "bleu": [float(b) for b in bl]}
                for r, c, bl in zip(rouge_items, cider_items, bleu_items)]
    return corpus, per_item


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vqa-eval", required=True, help="checkout of GT-Vision-Lab/VQA at a013f00")
    parser.add_argument("--cocoevalcap", required=True, help="checkout of tylin/coco-caption at bfd1596 (holds pycocoevalcap/)")
    parser.add_argument("--m4c", required=True, help="mmf/utils/m4c_evaluators.py of facebookresearch/mmf at 2dc099a")
    parser.add_argument("--visatb", required=True, help="checkout of YanqiDai/VisATB at 52affcb (holds eval/)")
    parser.add_argument("--check", action="store_true", help="compare with the committed fixtures, write nothing")
    args = parser.parse_args()

    inputs = read_json(os.path.join(INPUTS, "crosscheck_inputs.json"))
    vqa_items, box_items, caption_items = inputs["vqa"], inputs["grounding"], inputs["captions"]

    vqa_module = load_vqa_eval(args.vqa_eval)
    m4c_module = load_module("m4c_evaluators", args.m4c)
    qa_module = load_module("visatb_qa", os.path.join(args.visatb, "eval", "qa.py"))
    box_module = load_module("visatb_grounding_bbox", os.path.join(args.visatb, "eval", "grounding_bbox.py"))

    fixture = {"vqa": [], "grounding": [], "captions": [], "captions_corpus": None}
    for item, v, t, e in zip(vqa_items, vqa_official(vqa_module, vqa_items), textvqa(m4c_module, vqa_items),
                             exact_match(qa_module, vqa_items)):
        fixture["vqa"].append({**item, "vqa": v, "textvqa": t, "em": e})
    for item, g in zip(box_items, grounding(box_module, box_items)):
        fixture["grounding"].append({**item, **g})
    corpus, per_item = captions(args.cocoevalcap, caption_items)
    fixture["captions"] = [{**item, **scores} for item, scores in zip(caption_items, per_item)]
    fixture["captions_corpus"] = corpus

    coco_items = read_jsonl(os.path.join(FIXTURES, "captions.jsonl"))
    coco_corpus, coco_per_item = captions(args.cocoevalcap, coco_items)
    coco = {"corpus": coco_corpus, "per_item": {i["id"]: s for i, s in zip(coco_items, coco_per_item)}}

    outputs = {
        os.path.join(FIXTURES, "reference_crosscheck.json"): json.dumps(fixture, indent=0, ensure_ascii=False),
        os.path.join(FIXTURES, "captions_expected.json"): json.dumps(coco, indent=0, ensure_ascii=False),
    }
    differ = False
    for path, text in outputs.items():
        if args.check:
            with open(path, encoding="utf-8") as f:
                same = f.read() == text
            print(f"{os.path.relpath(path, REPO)}: {'equal' if same else 'DIFFERS'}")
            differ |= not same
        else:
            tmp = path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, path)
            print(f"wrote {os.path.relpath(path, REPO)}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
