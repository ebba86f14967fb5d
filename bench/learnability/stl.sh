#!/usr/bin/env bash
# One single-task (STL) fine-tuning of the demo model on a task of a generated benchmark, from a base (or from
# random weights with BASE=none), then greedy answers on the task's test split scored with the task's metric.
#   bench/learnability/stl.sh BENCH_DIR TASK BASE OUT_DIR [EPOCHS] [LR]
# SEED=N picks the seed of init and data order (default 42). Prints "TASK BASE steps score" and leaves OUT_DIR/{train,answers.jsonl,scores.json}. One torch thread.
set -euo pipefail
bench=$1 task=$2 base=$3 out=$4 epochs=${5:-3} lr=${6:-0.003} seed=${SEED:-42}   # SEED=N: another init/data order
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cotbal=(${COTBAL:-"$here/cotbal"})   # COTBAL="dotnet /path/cotbal.dll" runs a fixed build
metric=$(python3 -c "import json,sys; m=json.load(open('$bench/manifest.json')); print(next(t['metric'] for t in m['tasks'] if t['name']=='$task'))")
init=(); [ "$base" != none ] && init=(--init "$base")
mkdir -p "$out"
"${cotbal[@]}" train --data "$bench/${task}_train.json" --images "$bench" --model "$here/configs/models/demo.json" --tokenizer "$bench/vocab.json" \
  --epochs "$epochs" --batch-size 32 --lr "$lr" --seed "$seed" --threads 1 --progress none --checkpoint-every 1000 --out "$out/train" "${init[@]}" >/dev/null
ckpt=$(ls -d "$out"/train/checkpoint-* | tail -1)
"${cotbal[@]}" predict --checkpoint "$ckpt" --data "$bench/${task}_test.json" --images "$bench" --out "$out/answers.jsonl" --batch-size 50 --max-new-tokens 48 >/dev/null
score=$("${cotbal[@]}" evaluate --answers "$out/answers.jsonl" --metric "$metric" --json "$out/scores.json" | tr -s ' ' | tr '\n' ' ')
echo "$task $base steps=$(basename "$ckpt") $score"
