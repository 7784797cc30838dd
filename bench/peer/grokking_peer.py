#!/usr/bin/env python3
"""Independent PyTorch run of Gromov's published grokking setting, to check Tangent's `study grokking --preset full`.

Setting (Gromov 2023, "Grokking modular arithmetic"): modular addition mod p = 97, a random half of the p^2 pairs for
training, inputs the concatenated one-hots of a and b (2p features), the network 2p -> N -> p with activation x^2 and
no biases (N = 500), MSE against one-hot targets (PyTorch's mean over all n*p entries), AdamW lr 1e-2, weight decay 5,
betas (0.9, 0.98), eps 1e-8, full batch.

Initializations (--init):
  cuberoot   N(0, 0.25 / (2N)^(2/3)) for both layers: std 0.05 at N = 500 (the initialization of the authors' public
             reproduction code, d-doshi/Grokking, utils/models.py `fcn`);
  fanin      N(0, 1 / fan_in) per layer (Tangent's standard parameterization with sigma_w = 1).

Prints one JSON line per seed: the first step at which train accuracy reaches 99 %, and held-out accuracy 50 % and 95 %,
and the ratio held-out-95 / train-99 (Tangent's grokking criterion asks for at least 5).
Needs Debian's python3-torch (1.13); never a runtime dependency of Tangent.
Usage: /usr/bin/python3 bench/peer/grokking_peer.py --init cuberoot --seeds 0 1 2 --steps 400
"""
import argparse, json, math, time

import torch
import torch.nn.functional as F


def data(p, frac, seed):
    g = torch.Generator().manual_seed(seed)
    a = torch.arange(p).repeat_interleave(p)
    b = torch.arange(p).repeat(p)
    y = (a + b) % p
    x = torch.cat([F.one_hot(a, p), F.one_hot(b, p)], dim=1).float()
    order = torch.randperm(p * p, generator=g)
    n = int(frac * p * p)
    tr, te = order[:n], order[n:]
    return x[tr], y[tr], x[te], y[te]


def first(steps, values, level):
    return next((s for s, v in zip(steps, values) if v >= level), None)


def run(args, seed):
    torch.manual_seed(seed)
    p, width = args.p, args.width
    xtr, ytr, xte, yte = data(p, args.frac, seed + 1000)
    w1 = torch.empty(width, 2 * p)
    w2 = torch.empty(p, width)
    if args.init == "cuberoot":
        std = math.sqrt(0.25) / (2 * width) ** (1 / 3)
        torch.nn.init.normal_(w1, 0.0, std)
        torch.nn.init.normal_(w2, 0.0, std)
    else:
        torch.nn.init.normal_(w1, 0.0, 1 / math.sqrt(2 * p))
        torch.nn.init.normal_(w2, 0.0, 1 / math.sqrt(width))
    w1.requires_grad_(True)
    w2.requires_grad_(True)
    opt = torch.optim.AdamW([w1, w2], lr=args.lr, weight_decay=args.wd, betas=(0.9, 0.98), eps=1e-8)
    target = F.one_hot(ytr, p).float()
    f = lambda x: (x @ w1.T).square() @ w2.T
    steps, train_acc, test_acc = [], [], []
    for step in range(1, args.steps + 1):
        opt.zero_grad()
        loss = F.mse_loss(f(xtr), target)
        loss.backward()
        opt.step()
        with torch.no_grad():
            steps.append(step)
            train_acc.append((f(xtr).argmax(1) == ytr).float().mean().item())
            test_acc.append((f(xte).argmax(1) == yte).float().mean().item())
    t99, h50, h95 = first(steps, train_acc, 0.99), first(steps, test_acc, 0.5), first(steps, test_acc, 0.95)
    return {"init": args.init, "seed": seed, "wd": args.wd, "lr": args.lr, "train_99": t99, "held_out_50": h50, "held_out_95": h95,
            "ratio": (h95 / t99) if t99 and h95 else None, "final_train": train_acc[-1], "final_test": test_acc[-1]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--p", type=int, default=97)
    ap.add_argument("--width", type=int, default=500)
    ap.add_argument("--frac", type=float, default=0.5)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--wd", type=float, default=5.0)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--init", choices=["cuberoot", "fanin"], default="cuberoot")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    for seed in args.seeds:
        t = time.time()
        r = run(args, seed)
        r["seconds"] = round(time.time() - t, 1)
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
