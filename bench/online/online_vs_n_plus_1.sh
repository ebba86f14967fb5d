#!/usr/bin/env bash
# Online CoTBal against the N+1 original on the built-in benchmark (docs/weighting/cotbal-online.md).
#
#     bench/online/online_vs_n_plus_1.sh [OUT_DIR] [SEEDS]      # defaults: /tmp/online-bench, 3
#
# Runs `cotbal demo` at its default size with the final methods ew, cotbal (N+1) and cotbal-online, SEEDS seeds each
# (resumable: run it again to continue), then prints from RUN/report/report.json: dI% and dE% of every method with
# their intervals, the Spearman agreement of the online weights and C with the N+1 ones (seed-bootstrap interval),
# and the measuring cost of cotbal-online next to the N+1 preparation's cost. Long: the N+1 preparation plus
# 3 x SEEDS final trainings, not timed yet; note the load average.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:-/tmp/online-bench}"
SEEDS="${2:-3}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$ROOT/cotbal" demo --methods ew,cotbal,cotbal-online --seeds "$SEEDS" --out "$OUT"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT/report/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("\nmethod        dI%      [95%]              dE%      [95%]")
for m, v in r["methods"].items():
    iv = v.get("intervals") or {}
    di, de = iv.get("delta_i") or {}, iv.get("delta_e") or {}
    print(f"{m:12s} {v['delta_i']:+7.2f}  [{di.get('lower', float('nan')):+.2f}, {di.get('upper', float('nan')):+.2f}]"
          f"   {v['delta_e']:6.2f}  [{de.get('lower', float('nan')):+.2f}, {de.get('upper', float('nan')):+.2f}]")
o = r.get("cotbal_online")
if o is None:
    sys.exit("no cotbal_online section in the report")
for key, name in [("spearman_weights", "weights"), ("spearman_c", "off-diagonal C")]:
    a = o["agreement"].get(key)
    if a:
        print(f"Spearman({name}, online vs N+1): {a['mean']:+.2f} [{a['lower']}, {a['upper']}] over {a['seeds']} seeds; per seed {a['per_seed']}")
print(f"cotbal-online measuring: {o['measure_seconds']:.1f} s of {o['wall_seconds']:.1f} s = {o['extra_cost']:.3f} x the rest of its training")
cost = r.get("cost", {})
print("stage costs (report.json 'cost'):", json.dumps(cost, indent=1)[:2000])
PY
