#!/usr/bin/env python3
"""PyTorch peer for Tangent's eNTK sweep (bench/Tangent.Bench `entk`): Debian python3-torch 1.13 + functorch, CPU.

Model: the 784 -> w -> w -> 10 ReLU MLP in the NTK parameterization, z = (sigma_w / sqrt(fan_in)) W h + sigma_b b,
W, b ~ N(0, 1), sigma_w = sqrt(2), sigma_b = 0.1, float32, Gaussian inputs.

Methods:
  layerwise      K = sum_l (G_l G_l^T) o (c_l^2 H_l H_l^T + beta_l^2): H_l the layer inputs, G_l the output signals
                 dF_c/dz_l from one autograd.grad per output channel; never forms a per-example gradient.
  functorch-jac  per-example Jacobians by vmap(jacrev(f)) in sample blocks, then contraction over parameters.

Prints one JSON line: {"seconds": best wall time, "peak_mb": peak resident memory}.
Usage: ntk_peer.py --method layerwise --n 2048 --w 1024 --mode trace
"""
import argparse, json, math, resource, time

import torch
import torch.nn.functional as F

P_OUT, D_IN = 10, 784


def make_params(w, seed=0):
    g = torch.Generator().manual_seed(seed)
    dims = [D_IN, w, w, P_OUT]
    params, scales = [], []
    for fan_in, fan_out in zip(dims[:-1], dims[1:]):
        W = torch.randn(fan_out, fan_in, generator=g, dtype=torch.float64).float()
        b = torch.randn(fan_out, generator=g, dtype=torch.float64).float()
        params += [W, b]
        scales.append((math.sqrt(2.0) / math.sqrt(fan_in), 0.1))
    return params, scales


def forward(params, scales, x, keep=None):
    h = x
    layers = len(scales)
    for l in range(layers):
        W, b = params[2 * l], params[2 * l + 1]
        cw, cb = scales[l]
        z = F.linear(h, W) * cw + b * cb
        if keep is not None:
            keep.append((h, z))
        h = torch.relu(z) if l < layers - 1 else z
    return h


def layerwise(params, scales, x, traced):
    n = x.shape[0]
    keep = []
    out = forward(params, scales, x, keep)
    zs = [z for _, z in keep]
    signals = [[] for _ in zs]
    for c in range(P_OUT):
        grads = torch.autograd.grad(out[:, c].sum(), zs, retain_graph=c < P_OUT - 1)
        for l, g in enumerate(grads):
            signals[l].append(g)
    k = None
    for l, (h, _) in enumerate(keep):
        cw, cb = scales[l]
        inputs = (cw * cw) * (h.detach() @ h.detach().T) + cb * cb
        s = torch.stack(signals[l], 1)  # [n, p, out]
        if traced:
            wide = s.reshape(n, -1)
            term = (wide @ wide.T) * inputs
        else:
            rows = s.reshape(n * P_OUT, -1)
            term = (rows @ rows.T) * inputs.repeat_interleave(P_OUT, 0).repeat_interleave(P_OUT, 1)
        k = term if k is None else k + term
    return k


def functorch_jac(params, scales, x, traced, block=64):
    from functorch import vmap, jacrev
    n = x.shape[0]

    def single(ps, xi):
        return forward(ps, scales, xi.unsqueeze(0)).squeeze(0)

    blocks = []
    for s in range(0, n, block):
        jac = vmap(jacrev(single), (None, 0))(params, x[s:s + block])
        blocks.append(torch.cat([j.reshape(j.shape[0], P_OUT, -1) for j in jac], 2))
    J = torch.cat(blocks, 0)  # [n, p, P]
    if traced:
        return torch.einsum('icq,jcq->ij', J, J)
    rows = J.reshape(n * P_OUT, -1)
    return rows @ rows.T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--method', choices=['layerwise', 'functorch-jac'], required=True)
    ap.add_argument('--n', type=int, required=True)
    ap.add_argument('--w', type=int, required=True)
    ap.add_argument('--mode', choices=['trace', 'full'], default='trace')
    ap.add_argument('--repeats', type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(int(__import__('os').environ.get('OMP_NUM_THREADS', '2')))
    params, scales = make_params(a.w)
    x = torch.randn(a.n, D_IN, generator=torch.Generator().manual_seed(1), dtype=torch.float64).float()
    traced = a.mode == 'trace'
    repeats = a.repeats or (3 if a.n <= 2048 else 1)
    best = float('inf')
    for _ in range(repeats):
        t = time.perf_counter()
        if a.method == 'layerwise':
            ps = [p.clone().requires_grad_(False) for p in params]
            with torch.enable_grad():
                xs = x
                k = layerwise([p.requires_grad_(True) for p in ps], scales, xs, traced)
        else:
            k = functorch_jac(params, scales, x, traced)
        best = min(best, time.perf_counter() - t)
        del k
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"seconds": best, "peak_mb": peak_mb}))


if __name__ == '__main__':
    main()
