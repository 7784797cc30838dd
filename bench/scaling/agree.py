"""The low-rank analyses of a run against its dense analysis: the dataset-scale issue's agreement targets.

    /usr/bin/python3 bench/scaling/agree.py DENSE_ANALYSIS LOW_RANK_ANALYSIS [...]

Each argument is an analysis directory (RUN/analysis, RUN/analysis-rank500, ...). Prints, for each low-rank one, the
channel dimension (target: within 2 % of the dense one), the largest relative error of W_S's top-50 eigenvalues
(target: 1 %), the path-coupling correlation (target: within 0.005) and the certificate's verdict.
"""
import json
import sys

import numpy as np


def load(d):
    s = json.load(open(f"{d}/summary.json"))
    return s, np.load(f"{d}/W_S_eigenvalues.npy")


ref, ref_eig = load(sys.argv[1])
top = min(50, ref["channel_dim"])
print(f"| analysis | channel | W_S top-{top} max rel. error | path coupling corr | certificate | targets |")
print("|---|---|---|---|---|---|")
print(f"| {sys.argv[1]} | {ref['channel_dim']} | — | {ref['path_coupling_corr']:.4f} | — | — |")
for d in sys.argv[2:]:
    s, eig = load(d)
    rel = float(np.max(np.abs(eig[:top] - ref_eig[:top]) / ref_eig[:top]))
    channel = abs(s["channel_dim"] - ref["channel_dim"]) <= 0.02 * ref["channel_dim"]
    corr = abs(s["path_coupling_corr"] - ref["path_coupling_corr"]) <= 0.005
    met = [name for name, ok in (("channel", channel), ("top-50", rel <= 0.01), ("corr", corr)) if ok]
    cert = "captured" if s.get("low_rank_channel_captured") else f"not captured (rank {s.get('low_rank_rank_needed')})"
    print(f"| {d} | {s['channel_dim']} | {rel:.2g} | {s['path_coupling_corr']:.4f} | {cert} | "
          f"{', '.join(met) or 'none'} met |")
