#!/usr/bin/env bash
# The scaling table of docs/performance.md: the 784-1024-1024-10 MLP of docs/examples/fashion-mnist-60k.json trained
# on the first n Fashion-MNIST training images (all 10,000 test images as Q, 20 snapshots), recorded with Nyström
# snapshots and analyzed with factored operators, and recorded dense and analyzed dense where that fits.
#
#   bench/scaling/run.sh OUT [n ...]        (default n: 2000 4000 8000 16000 30000 60000)
#
# Environment: TANGENT (the CLI, default: tangent), DENSE (sizes that also get a dense run, default "2000 4000").
# Each run is skipped when its analysis exists, so an interrupted table continues where it stopped. Prints one row per
# run: n, kind, training s, recording s, record peak GB, analyze s, analyze peak GB, channel, path-coupling corr.
set -euo pipefail
out=${1:?usage: bench/scaling/run.sh OUT [n ...]}
shift
sizes=${*:-2000 4000 8000 16000 30000 60000}
tangent=${TANGENT:-tangent}
dense=${DENSE:-2000 4000}
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
  for d in $dense; do [ "$d" = "$n" ] && kinds="lowrank dense"; done
  for kind in $kinds; do
    dir=$out/$kind-$n
    if [ ! -f "$dir/analysis/summary.json" ]; then
      sed -e "s/\"train_samples\": 60000/\"train_samples\": $n/" "$base" >"$dir.json"
      [ "$kind" = dense ] && sed -i -e 's/, "rank": [0-9]*, "landmarks": [0-9]*//' "$dir.json"
      /usr/bin/time -f "%e %M" -o "$dir.train.time" "$tangent" train --config "$dir.json" --out "$dir" --force \
        >"$dir.train.log" 2>&1
      /usr/bin/time -f "%e %M" -o "$dir.analyze.time" "$tangent" analyze "$dir" >"$dir.analyze.log" 2>&1
    fi
    row "$n" "$kind" "$dir"
  done
done
