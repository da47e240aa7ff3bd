"""1,000 steps of each optimizer on a 2-parameter problem: optimlib vs torch.optim.

Both minimise the book's bowl x^2/20 + y^2 with the gradient written out by hand, so the
timing is the optimizer's step and little else. Goal (issue 3): optimlib faster (ratio > 1).
Needs torch for the comparison (pip install torch==2.13.0). Run: make bench
"""
import time

import numpy as np

from optimlib import OPTIMIZERS

STEPS, REPEATS = 1000, 5
CURVATURE = np.array([0.1, 2.0])
SETTINGS = {"SGD": {"lr": 0.1}, "Momentum": {"lr": 0.1, "momentum": 0.9},
            "Nesterov": {"lr": 0.1, "momentum": 0.9}, "AdaGrad": {"lr": 0.1},
            "RMSprop": {"lr": 0.01, "decay_rate": 0.99}, "Adam": {"lr": 0.01}}


def time_optimlib(name):
    opt = OPTIMIZERS[name](**SETTINGS[name])
    params = {"xy": np.array([-7.0, 2.0])}
    t0 = time.perf_counter()
    for _ in range(STEPS):
        opt.update(params, {"xy": CURVATURE * params["xy"]})
    return time.perf_counter() - t0


def time_torch(name, torch):
    kw = SETTINGS[name]
    p = torch.tensor([-7.0, 2.0], dtype=torch.float64, requires_grad=True)
    curvature = torch.tensor(CURVATURE)
    opt = {"SGD": lambda: torch.optim.SGD([p], lr=kw["lr"]),
           "Momentum": lambda: torch.optim.SGD([p], lr=kw["lr"], momentum=kw.get("momentum", 0)),
           "Nesterov": lambda: torch.optim.SGD([p], lr=kw["lr"], momentum=kw.get("momentum", 0),
                                               nesterov=True),
           "AdaGrad": lambda: torch.optim.Adagrad([p], lr=kw["lr"], eps=1e-7),
           "RMSprop": lambda: torch.optim.RMSprop([p], lr=kw["lr"], alpha=kw.get("decay_rate", 0.99),
                                                  eps=1e-7),
           "Adam": lambda: torch.optim.Adam([p], lr=kw["lr"], eps=1e-7)}[name]()
    t0 = time.perf_counter()
    for _ in range(STEPS):
        p.grad = curvature * p.detach()
        opt.step()
    return time.perf_counter() - t0


try:
    import torch
    torch.set_num_threads(1)
except ImportError:
    torch = None
    print("torch is not installed: timing optimlib only (pip install torch==2.13.0 to compare)")

print(f"{STEPS} steps, 2 parameters, best of {REPEATS}")
print(f"{'optimizer':10s} {'optimlib µs/step':>17s} {'torch µs/step':>14s} {'torch/optimlib':>15s}")
for name in OPTIMIZERS:
    ours = min(time_optimlib(name) for _ in range(REPEATS)) / STEPS * 1e6
    if torch is None:
        print(f"{name:10s} {ours:17.1f}")
        continue
    theirs = min(time_torch(name, torch) for _ in range(REPEATS)) / STEPS * 1e6
    print(f"{name:10s} {ours:17.1f} {theirs:14.1f} {theirs / ours:14.1f}x")
print("goal: optimlib faster than torch.optim (torch/optimlib > 1)")
