#!/usr/bin/env bash
# Builds the demo's pretrained base exactly as `cotbal demo` would (DemoConfig.Pretraining, default size) and packages
# it as the repository ships it: assets/demo-base/ = `cotbal export` of the base (LLaVA layout) + provenance.json.
#
#   bench/pretraining/make_demo_base.sh WORK_DIR [ASSETS_DIR=assets/demo-base]
#
# WORK_DIR keeps the pretraining (corpus, vision_tower, train, base); re-running resumes it, or only re-packages
# when it is done. On the project's 2-core VM it took 32 min 04 s, one torch thread (docs/benchmarks/pretraining.md).
# The weights are bit-identical on re-runs with the same thread count (1) on the same kind of CPU.
set -euo pipefail
work=$1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
assets=${2:-$here/assets/demo-base}
cotbal=(${COTBAL:-"$here/cotbal"})
# the options DemoConfig.Pretraining gives the default demo (ShippedBaseTests checks that they agree)
"${cotbal[@]}" pretrain --out "$work" --model demo --image-size 48 --benchmark-size default --benchmark-seed 1234 \
  --corpus-seed 1234 --samples 56000 --vision-steps 4000 --vision-lr 0.003 --steps 4000 --lr 0.001 --batch-size 32 \
  --seed 42 --checkpoint-every 250 --threads 1
stage="$assets.staging"
rm -rf "$stage"
"${cotbal[@]}" export --checkpoint "$work/base" --out "$stage" --format llava
# export names the tower by the staging folder's absolute path (LLaVA's builder reloads it from mm_vision_tower); the
# repository's copy names it relative to the repository's root, where LLaVA's scripts are run from (ShippedBaseTests)
/usr/bin/python3 - "$stage/config.json" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
fixed, n = re.subn(r'("mm_vision_tower": )"[^"]*"', r'\1"assets/demo-base/vision_tower"', text)
assert n == 1, f"{path}: expected one mm_vision_tower, found {n}"
open(path, "w").write(fixed)
PY
/usr/bin/python3 "$here/bench/pretraining/provenance.py" "$work" "$stage"
rm -rf "$assets"
mv "$stage" "$assets"
echo "shipped base: $assets"
