"""Batched critical-point search: FLOP rate against this machine's matmul rate, and batched against a loop.

Two measurements, in one process, on the same device, side by side:

(a) **Throughput of a search step.** One phase-2 iteration of
    :func:`landscape.nets.critical_search.minimise_gradient_norm` with a fresh factor (exact Hessian
    in closed form, H², batched Cholesky, solve, trial gradient) for ``--step-batch`` networks
    of the full profile's size (n = 16, P = 512), timed over ``--steps`` iterations with
    ``max_age=1`` (every accepted step forms a new Hessian); floating-point operations counted
    from the search's own counters (:meth:`SearchResult.flops` formulas). Compared with the
    float64 matrix-product rate of the same machine measured just before (square products of
    size P and a batched product of the same shapes as H²).
(b) **Batched against one run at a time.** The quick profile's search
    (:data:`landscape.protocols.critical_points_search.PROFILES` ``["quick"]``: n = 4, its budget and settings)
    for ``--runs`` runs in one batch, and :func:`landscape.nets.critical_search.search_loop` (the same
    code with a batch of one, in a Python loop) for ``--loop-runs`` runs; runs per CPU second
    of both and their ratio.

Usage::

    .venv/bin/python benchmarks/critical_search_batched.py            # batch 1024 for both
    .venv/bin/python benchmarks/critical_search_batched.py --step-batch 256 --runs 256

Not run by the book or the tests. The machine may be shared: CPU time (``process_time``) is
reported next to wall time.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import torch

from landscape.nets import critical_search as cs
from landscape.protocols.critical_points_search import PROFILES
from landscape.book import report
from landscape.compute import torch_threads


def matmul_rate(P, batch, dtype, device, repeats=5):
    """Measured FLOP/s of a P×P product and of a batched (batch, P, P) product."""
    A = torch.randn(P, P, dtype=dtype, device=device)
    Bm = torch.randn(batch, P, P, dtype=dtype, device=device)
    A @ A
    t0 = time.process_time()
    for _ in range(repeats):
        A @ A
    single = 2 * P ** 3 * repeats / (time.process_time() - t0)
    Bm @ Bm
    t0 = time.process_time()
    for _ in range(max(1, repeats // 2)):
        Bm @ Bm
    batched = 2 * P ** 3 * batch * max(1, repeats // 2) / (time.process_time() - t0)
    return single, batched


def step_throughput(n, phi, batch, steps, device, seed):
    """FLOP/s of phase-2 iterations with a new exact Hessian and factor at every accepted step."""
    prof = PROFILES["full"]
    m = cs.samples_for_ratio(n, phi)
    g = torch.Generator(device=device).manual_seed(seed)
    X, Y, theta, levels = cs.draw_runs(n, m, batch, "tanh", g, device=device)
    theta, _, _ = cs.descend_to_level(theta, X, Y, levels, lr=prof.gd_lr, max_steps=200)
    cs.minimise_gradient_norm(theta[:8], X[:8], Y[:8], max_iters=2, max_age=1)     # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    res = cs.minimise_gradient_norm(theta, X, Y, max_iters=steps, max_age=1, stop_j=0.0)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    # max_age=1: every accepted step refactors, so no Hessian-vector products are made
    flop = cs.flop_count(n, m, iterations=int(res.iterations.sum()), hessians=int(res.hessians.sum()),
                         factorizations=int(res.factorizations.sum()), hvps=0)
    return flop, wall, cpu, res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--step-batch", type=int, default=1024)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--phi", type=float, default=0.5)
    ap.add_argument("--runs", type=int, default=1024)
    ap.add_argument("--loop-runs", type=int, default=8)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    dev = torch.device(a.device)
    full, quick = PROFILES["full"], PROFILES["quick"]
    P = 2 * full.n ** 2
    rows = []
    with torch_threads(a.threads):
        single, batched = matmul_rate(P, 64, torch.float64, dev)
        flop, wall, cpu, res = step_throughput(full.n, a.phi, a.step_batch, a.steps, dev, a.seed)
        rate = flop / cpu
        print(f"float64 matmul {P}x{P}: {single / 1e9:.1f} GFLOP/s; batched (64, {P}, {P}): {batched / 1e9:.1f} GFLOP/s")
        print(f"search steps, batch {a.step_batch}, n = {full.n}: {flop / 1e9:.0f} GFLOP in {cpu:.1f} s CPU "
              f"({wall:.1f} s wall) = {rate / 1e9:.1f} GFLOP/s = {100 * rate / single:.0f} % of the matmul rate", flush=True)
        rows += [["float64 matmul", f"{P}×{P}", "", "", round(single / 1e9, 1), ""],
                 ["float64 batched matmul", f"64×{P}×{P}", "", "", round(batched / 1e9, 1), ""],
                 ["search step (new Hessian + H² + Cholesky)", f"n = {full.n}, φ = {a.phi}, batch {a.step_batch}",
                  round(cpu, 1), round(wall, 1), round(rate / 1e9, 1), f"{100 * rate / single:.0f} % of matmul"]]
        # (b) batched against a loop, the quick profile's search
        m = cs.samples_for_ratio(quick.n, a.phi)
        kw = quick.search_settings()
        kw.pop("batch")
        cs.search(quick.n, m, 2, "tanh", torch.Generator(device=dev).manual_seed(a.seed), device=dev, **kw)
        c0, t0 = time.process_time(), time.perf_counter()
        loop = cs.search_loop(quick.n, m, a.loop_runs, "tanh", torch.Generator(device=dev).manual_seed(a.seed),
                              device=dev, threads=None, **kw)
        c_loop, w_loop = time.process_time() - c0, time.perf_counter() - t0
        c0, t0 = time.process_time(), time.perf_counter()
        bat = cs.search(quick.n, m, a.runs, "tanh", torch.Generator(device=dev).manual_seed(a.seed), batch=a.runs,
                        device=dev, threads=None, **kw)
        c_bat, w_bat = time.process_time() - c0, time.perf_counter() - t0
    r_loop, r_bat = a.loop_runs / c_loop, a.runs / c_bat
    speedup = r_bat / r_loop
    print(f"quick search n = {quick.n}, φ = {a.phi}: loop {a.loop_runs} runs in {c_loop:.1f} s CPU = {r_loop:.2f} runs/s "
          f"(kept {int(loop.kept.sum())}); batched {a.runs} runs in {c_bat:.1f} s CPU = {r_bat:.1f} runs/s "
          f"(kept {int(bat.kept.sum())}); speed-up {speedup:.0f}x")
    rows += [["quick search, Python loop over runs", f"n = {quick.n}, φ = {a.phi}, {a.loop_runs} runs", round(c_loop, 1),
              round(w_loop, 1), "", f"{r_loop:.2f} runs/s, kept {int(loop.kept.sum())}"],
             ["quick search, batched", f"n = {quick.n}, φ = {a.phi}, {a.runs} runs", round(c_bat, 1), round(w_bat, 1), "",
              f"{r_bat:.1f} runs/s, kept {int(bat.kept.sum())}"]]
    report.write_benchmark(
        "critical_search_batched",
        title="Critical-point search: step FLOP rate against the matmul rate, and batched against a loop",
        command="python benchmarks/critical_search_batched.py " + " ".join(argv or sys.argv[1:]),
        columns=["what", "size", "CPU s", "wall s", "GFLOP/s", "result"], rows=rows,
        notes=(f"Search steps reach {100 * rate / single:.0f} % of the float64 matmul rate of this machine "
               f"(target ≥ 30 %); batched search {speedup:.0f}x faster per run than one run at a time "
               f"at batch {a.runs} (target ≥ 50x). {a.threads} thread(s) on {dev}; rates from CPU time."))
    return {"matmul": single, "batched_matmul": batched, "step_rate": rate, "speedup": speedup}


if __name__ == "__main__":
    main()
