"""What the full profile of the critical-point chapter costs on this machine, measured per step.

The chapter ``book/critical_points_search.md`` runs, in its ``full`` profile, 8000 searches at
n = 16 for each of six capacity ratios φ (tanh) and 1000 for each of four (linear), every search
being up to 2000 gradient-descent steps on L and 300 Levenberg–Marquardt steps on J = |∇L|²
with 160 conjugate-gradient iterations each. A batch keeps computing every run until all of
its runs have stopped, so the time of a run is close to 2000 × (GD step) + 300 × (LM step).

This script times both steps per run (a batch of ``--batch`` runs, ``--lm-steps`` LM steps with
no early stop) for every φ of the full profile, extrapolates to the full run counts and prints
and saves the table (shown on the report page). It runs in about two minutes on one core.

Usage::

    .venv/bin/python benchmarks/critical_search_full_cost.py [--batch 16] [--threads 1] [--device cpu]
"""
from __future__ import annotations

import argparse
import math
import sys
import time

import torch

from landscape import critical_search as cs
from landscape.book import report
from landscape.compute import torch_threads

# the full profile of book/critical_points_search.md (its settings cell)
N = 16
TANH_PHIS, TANH_RUNS = [1 / 16, 1 / 8, 1 / 4, 1 / 2, 2 / 3, 1.0], 8000
LINEAR_PHIS, LINEAR_RUNS = [1 / 8, 1 / 4, 1 / 2, 2 / 3], 1000
GD_STEPS, LM_STEPS, CG_ITERS = 2000, 300, 160


def step_times(activation, phi, batch, lm_steps, device, seed):
    """Seconds per run for one GD step and one LM step at this φ (batch of ``batch`` runs)."""
    m = cs.samples_for_ratio(N, phi)
    g = torch.Generator(device=device)
    g.manual_seed(seed)
    X, Y = cs.sample_tasks(N, m, batch, g, device=device)
    theta = torch.randn(batch, 2 * N * N, generator=g, device=device, dtype=X.dtype) / math.sqrt(N)
    never = torch.zeros(batch, dtype=X.dtype, device=device)    # level 0: no run stops early
    cs.descend_to_level(theta, X, Y, never, activation, max_steps=2)   # warm-up (vmap tracing)
    t0 = time.perf_counter()
    cs.descend_to_level(theta, X, Y, never, activation, max_steps=100)
    gd = (time.perf_counter() - t0) / 100 / batch
    t0 = time.perf_counter()
    cs.minimise_gradient_norm(theta, X, Y, activation, steps=lm_steps, cg_iters=CG_ITERS, stop_j=0.0)
    lm = (time.perf_counter() - t0) / lm_steps / batch
    return m, gd, lm


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lm-steps", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    dev = torch.device(a.device)
    rows, total = [], 0.0
    with torch_threads(a.threads):
        for activation, phis, runs in (("tanh", TANH_PHIS, TANH_RUNS), ("linear", LINEAR_PHIS, LINEAR_RUNS)):
            for phi in phis:
                m, gd, lm = step_times(activation, phi, a.batch, a.lm_steps, dev, a.seed)
                per_run = GD_STEPS * gd + LM_STEPS * lm
                total += runs * per_run
                rows.append([activation, round(phi, 4), m, round(1e3 * gd, 3), round(1e3 * lm, 1),
                             round(per_run, 1), runs, round(runs * per_run / 3600, 1)])
                print(f"{activation:6s} φ = {phi:.4g} (m = {m:3d}): GD step {1e3 * gd:7.3f} ms/run, "
                      f"LM step {1e3 * lm:7.1f} ms/run -> {per_run:6.1f} s per run, "
                      f"{runs} runs = {runs * per_run / 3600:6.1f} h", flush=True)
    print(f"full profile of critical_points_search: {total / 3600:.0f} h with {a.threads} thread(s) on {dev}")
    report.write_benchmark(
        "critical_search_full_cost",
        title="Cost of the full profile of the critical-point chapter (n = 16), extrapolated from timed steps",
        command="python benchmarks/critical_search_full_cost.py " + " ".join(argv or sys.argv[1:]),
        columns=["activation", "φ", "m", "GD step (ms/run)", "LM step (ms/run)", "s per run", "runs", "hours"],
        rows=rows,
        notes=(f"Total {total / 3600:.0f} hours on {dev} with {a.threads} thread(s): per run "
               f"{GD_STEPS} GD steps + {LM_STEPS} LM steps of {CG_ITERS} CG iterations, batches of "
               f"{a.batch} runs. Hessians and eigenvalues of kept points (about 0.1 s per point) are not included."))


if __name__ == "__main__":
    main()
