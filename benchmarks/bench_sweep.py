"""A 100 x 100 grid of (lr, momentum) for Momentum on Rosenbrock, 300 steps: one batch vs a loop.

Goal (issue 3): the batch takes <= 1 s and is >= 30x faster than a Python loop over the
10,000 settings. Both are measured here, in this run. Run: make bench
"""
import time

import numpy as np

from optimlib import Momentum, run, sweep

STEPS = 300
lrs = np.geomspace(1e-5, 1e-2, 100)
momenta = np.linspace(0.0, 0.99, 100)
lr_grid, momentum_grid = (a.reshape(-1, 1) for a in np.meshgrid(lrs, momenta))


def batched():
    return run(Momentum(lr=lr_grid, momentum=momentum_grid), "rosenbrock", steps=STEPS)


def looped():
    return [run(Momentum(lr=float(lr), momentum=float(mu)), "rosenbrock", steps=STEPS)
            for lr, mu in zip(lr_grid[:, 0], momentum_grid[:, 0])]


batched()  # warm up
times = []
for _ in range(5):
    t0 = time.perf_counter()
    batch = batched()
    times.append(time.perf_counter() - t0)
t_batch = min(times)
t0 = time.perf_counter()
singles = looped()
t_loop = time.perf_counter() - t0

same = all(np.array_equal(batch.points[:, i], s.points, equal_nan=True) for i, s in enumerate(singles))
print(f"grid 100 x 100 (lr x momentum), Momentum on Rosenbrock, {STEPS} steps")
print(f"  diverged: {batch.diverged.sum()} of {len(singles)} settings; batch == loop exactly: {same}")
print(f"  batched run : {t_batch:8.3f} s  (best of 5; goal <= 1 s)")
print(f"  Python loop : {t_loop:8.3f} s  (one pass)")
print(f"  speed-up    : {t_loop / t_batch:8.1f} x  (goal >= 30 x)")

# Issue 7: a 200 x 200 (lr, momentum) map on the ill-conditioned quadratic, recomputed live
# when a noise slider moves. Goal: <= 1 s.
map_times = []
for noise in (0.0, 0.1, 0.0):
    t0 = time.perf_counter()
    result = sweep("Momentum", "book", start=(-7, 2), steps=300, noise=noise, seed=0,
                   lr=np.geomspace(0.2, 5, 200), momentum=np.linspace(0, 0.95, 200))
    map_times.append(time.perf_counter() - t0)
print(f"map 200 x 200 (lr x momentum), Momentum on x²/20 + y², 300 steps, via sweep()")
print(f"  recompute   : {max(map_times):8.3f} s  (slowest of 3, noise 0 / 0.1 / 0; goal <= 1 s)")
