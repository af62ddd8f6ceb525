"""Batched critical-point search (vmap over runs) against a plain Python loop over runs.

Times :func:`landscape.critical_search.search` — gradient descent to a random level, then
Levenberg–Marquardt minimisation of J = |∇L|² with Hessian-vector products, exact Hessians of
kept points — once with all runs batched (``torch.func.vmap`` over runs) and once as
:func:`landscape.critical_search.search_loop` (the same code with batch size 1, called in a
Python loop), in the same process, on the same device, with the same settings. Reports runs
per second for both, the number of kept runs, and their ratio. (The two paths draw their
random tasks in a different order, so they search different but identically distributed
runs; that batched and single-run evaluations agree is tested in tests/test_critical_search.py.)

Usage::

    .venv/bin/python benchmarks/critical_search_batched.py                 # n = 4, φ = 1/4, 256 vs 16 runs
    .venv/bin/python benchmarks/critical_search_batched.py --n 16 --phi 0.5 --runs 128 --loop-runs 4

``--loop-runs`` runs are timed in the loop (it is slow) and its rate extrapolated per run;
the batched path runs ``--runs``. Not run by the book or the tests.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import torch

from landscape import critical_search as cs
from landscape.book import report


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--phi", type=float, default=0.25)
    ap.add_argument("--runs", type=int, default=256)
    ap.add_argument("--loop-runs", type=int, default=16)
    ap.add_argument("--activation", default="tanh")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--j-steps", type=int, default=45)
    ap.add_argument("--cg-iters", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    m = cs.samples_for_ratio(a.n, a.phi)
    dev = torch.device(a.device)
    kw = dict(gd_lr=0.1, gd_steps=300, j_steps=a.j_steps, cg_iters=a.cg_iters, zero_tol=1e-3,
              device=dev, threads=a.threads)

    def gen():
        g = torch.Generator(device=dev)
        g.manual_seed(a.seed)
        return g

    # warm-up (first vmap call traces)
    cs.search(a.n, m, 2, a.activation, gen(), **kw)

    t0 = time.perf_counter()
    loop = cs.search_loop(a.n, m, a.loop_runs, a.activation, gen(), **kw)
    t_loop = time.perf_counter() - t0

    t0 = time.perf_counter()
    batched = cs.search(a.n, m, a.runs, a.activation, gen(), batch=a.runs, **kw)
    t_batch = time.perf_counter() - t0

    rate_loop = a.loop_runs / t_loop
    rate_batch = a.runs / t_batch
    print(f"n = {a.n}, m = {m} (φ = {a.phi}), activation = {a.activation}, device = {dev}, "
          f"threads = {a.threads}, J-steps = {a.j_steps}, CG iterations = {a.cg_iters}")
    print(f"loop    : {a.loop_runs:5d} runs in {t_loop:7.2f} s = {rate_loop:8.2f} runs/s, kept {int(loop.kept.sum())}")
    print(f"batched : {a.runs:5d} runs in {t_batch:7.2f} s = {rate_batch:8.2f} runs/s, kept {int(batched.kept.sum())}")
    print(f"speed-up: {rate_batch / rate_loop:.1f}x")
    report.write_benchmark(
        "critical_search_batched", title=f"Critical-point search, n = {a.n}, φ = {a.phi}: batched against a loop",
        command="python benchmarks/critical_search_batched.py " + " ".join(argv or sys.argv[1:]),
        columns=["path", "runs", "seconds", "runs/s", "kept"],
        rows=[["Python loop over runs", a.loop_runs, round(t_loop, 2), round(rate_loop, 2), int(loop.kept.sum())],
              ["batched (vmap)", a.runs, round(t_batch, 2), round(rate_batch, 2), int(batched.kept.sum())]],
        notes=f"Speed-up {rate_batch / rate_loop:.1f}x (the issue asks for at least 10x on CPU).")

if __name__ == "__main__":
    main()
