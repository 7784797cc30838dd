#!/usr/bin/env bash
# The scaling table of docs/performance.md: the 784-1024-1024-10 MLP of docs/examples/fashion-mnist-60k.json trained
# on the first n Fashion-MNIST training images (all 10,000 test images as Q, 20 snapshots), recorded with Nyström
# snapshots and analyzed with factored operators (float32, as the example), and recorded dense and analyzed dense
# (float64) where that fits.
#
#   bench/scaling/run.sh OUT [n ...]        (default n: 2000 4000 8000 16000 30000 60000)
#
# Environment: TANGENT (the CLI, default: tangent), DENSE (sizes that also get a dense run, default "2000 4000"),
# RANK (the dense runs are also analyzed truncated to this rank, default 500, and bench/scaling/agree.py sets both
# low-rank analyses against the dense one in OUT/agree-n.md), REFINE (exact-product refinements of a third run at the
# dense sizes: Nyström rank RANK from the default 2·RANK + 50 landmarks, record.refine REFINE; default 2, 0: none).
# Each run is skipped when its analysis exists, so an interrupted table continues where it stopped. Prints one row per
# run: n, kind, training s, recording s, record peak GB, analyze s, analyze peak GB, channel, path-coupling corr.
set -euo pipefail
out=${1:?usage: bench/scaling/run.sh OUT [n ...]}
shift
sizes=${*:-2000 4000 8000 16000 30000 60000}
tangent=${TANGENT:-tangent}
dense=${DENSE:-2000 4000}
rank=${RANK:-500}
refine=${REFINE:-2}
here=$(cd "$(dirname "$0")" && pwd)
base=$here/../../docs/examples/fashion-mnist-60k.json
mkdir -p "$out"
row() { # n kind dir
  /usr/bin/python3 - "$@" <<'PY'
import json, sys
n, kind, d = sys.argv[1:4]
s = json.load(open(f"{d}/summary.json"))
a = json.load(open(f"{d}/analysis/summary.json"))
tr = open(f"{d}.train.time").read().split()
an = open(f"{d}.analyze.time").read().split()
print(f"| {int(n):,} | {kind} | {s['training_seconds']:.0f} | {s['kernel_seconds']:.0f} | {int(tr[1]) / 1e6:.1f} | "
      f"{float(an[0]):.0f} | {int(an[1]) / 1e6:.1f} | {a['channel_dim']} | {a['path_coupling_corr']:.4f} |")
PY
}
for n in $sizes; do
  kinds=lowrank
  for d in $dense; do [ "$d" = "$n" ] && kinds="lowrank dense" && [ "$refine" -gt 0 ] && kinds="$kinds refined"; done
  for kind in $kinds; do
    dir=$out/$kind-$n
    if [ ! -f "$dir/analysis/summary.json" ]; then
      sed -e "s/\"train_samples\": 60000/\"train_samples\": $n/" "$base" >"$dir.json"
      # Dense snapshots are recorded from float64 runs (the same seed; float32 is for Nyström recording).
      if [ "$kind" = dense ]; then
        sed -i -e 's/, "rank": [0-9]*, "landmarks": [0-9]*//' -e 's/"dtype": "float32"/"dtype": "float64"/' "$dir.json"
      fi
      # Refined Nyström snapshots: rank RANK, default landmarks, REFINE exact block products.
      if [ "$kind" = refined ]; then
        sed -i -e "s/\"rank\": [0-9]*, \"landmarks\": [0-9]*/\"rank\": $rank, \"landmarks\": 0, \"refine\": $refine/" \
          "$dir.json"
      fi
      /usr/bin/time -f "%e %M" -o "$dir.train.time" "$tangent" train --config "$dir.json" --out "$dir" --force \
        >"$dir.train.log" 2>&1
      /usr/bin/time -f "%e %M" -o "$dir.analyze.time" "$tangent" analyze "$dir" >"$dir.analyze.log" 2>&1
    fi
    row "$n" "$kind" "$dir"
  done
  if [ "$kinds" != lowrank ]; then # the agreement benchmark: truncation, Nyström and refined against dense
    [ -f "$out/dense-$n/analysis-rank$rank/summary.json" ] ||
      "$tangent" analyze "$out/dense-$n" --rank "$rank" >"$out/dense-$n.rank$rank.log" 2>&1
    refined=()
    [ -d "$out/refined-$n/analysis" ] && refined=("$out/refined-$n/analysis")
    /usr/bin/python3 "$here/agree.py" "$out/dense-$n/analysis" "$out/dense-$n/analysis-rank$rank" \
      "$out/lowrank-$n/analysis" "${refined[@]}" >"$out/agree-$n.md"
  fi
done
