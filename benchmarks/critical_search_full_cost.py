"""What the full profile of the critical-point chapter costs, from a sample of its own searches.

The settings come from the chapter's profile definition, :data:`landscape.protocols.critical_points_search.PROFILES`
``["full"]`` (n, every φ, runs per φ, gradient-descent steps, phase-2 budget, factor reuse) —
nothing is copied here. For every search of the profile (tanh and linear, every φ) this script
runs ``--runs`` complete searches with exactly those settings (phase 1, phase 2 until each run
converges, stalls or uses its budget, spectra of kept points), measures their CPU time, counts
their floating-point operations, and extrapolates to the profile's run counts:

* core-hours on this machine (CPU time per run × runs, summed);
* floating-point operations of the whole profile, and the time they take on one H100/H200-class
  GPU at its float64 peak (67 TFLOP/s on the tensor cores of an H100/H200 SXM) and at a stated
  efficiency (the fraction of the matmul rate the search reaches on this CPU, measured by
  ``critical_search_batched.py``; 30 % by default) — an estimate, not a measurement.

Runs differ a lot in their iteration counts, so a few runs per φ give a rough estimate: the
table shows the spread.

Usage::

    .venv/bin/python benchmarks/critical_search_full_cost.py [--runs 8] [--threads 1] [--device cpu]
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

#: float64 peak of one H100/H200 SXM GPU on its tensor cores, FLOP/s (NVIDIA data sheets).
GPU_FP64_PEAK = 67e12


def sample_cost(activation, phi, runs, device, seed):
    """CPU seconds, wall seconds and FLOPs of ``runs`` complete full-profile searches at this φ."""
    prof = PROFILES["full"]
    settings = prof.search_settings()
    settings["batch"] = runs
    m = cs.samples_for_ratio(prof.n, phi)
    g = torch.Generator(device=device).manual_seed(seed)
    c0, t0 = time.process_time(), time.perf_counter()
    res = cs.search(prof.n, m, runs, activation, g, device=device, threads=None, **settings)
    return m, time.process_time() - c0, time.perf_counter() - t0, res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=8, help="sampled searches per φ")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--gpu-efficiency", type=float, default=0.3)
    a = ap.parse_args(argv)
    dev = torch.device(a.device)
    prof = PROFILES["full"]
    rows, core_s, flop_total = [], 0.0, 0.0
    with torch_threads(a.threads):
        for activation, phi, runs in prof.searches():
            m, cpu, wall, res = sample_cost(activation, phi, a.runs, dev, a.seed)
            per_run, flop_run = cpu / a.runs, res.flops() / a.runs
            core_s += runs * per_run
            flop_total += runs * flop_run
            rows.append([activation, round(phi, 4), m, a.runs, int(res.kept.sum()),
                         int(np.median(res.iterations)), int(res.iterations.max()), round(per_run, 2),
                         round(flop_run / 1e9, 1), runs, round(runs * per_run / 3600, 2)])
            print(f"{activation:6s} φ = {phi:.4g} (m = {m:3d}): {a.runs} runs, kept {int(res.kept.sum())}, "
                  f"iterations median {int(np.median(res.iterations))} max {int(res.iterations.max())}: "
                  f"{per_run:.2f} s CPU per run ({wall / a.runs:.2f} s wall), {flop_run / 1e9:.1f} GFLOP per run "
                  f"-> {runs} runs = {runs * per_run / 3600:.2f} core-hours", flush=True)
    gpu_peak_min = flop_total / GPU_FP64_PEAK / 60
    gpu_min = gpu_peak_min / a.gpu_efficiency
    print(f"full profile of critical_points_search: {core_s / 3600:.1f} core-hours on {dev} "
          f"({a.threads} thread(s)); {flop_total:.2e} FLOP = {gpu_peak_min:.1f} min on one H100/H200 at the "
          f"float64 peak, {gpu_min:.0f} min at {100 * a.gpu_efficiency:.0f} % of it")
    report.write_benchmark(
        "critical_search_full_cost",
        title="Cost of the full profile of the critical-point chapter (n = 16), extrapolated from sampled searches",
        command="python benchmarks/critical_search_full_cost.py " + " ".join(argv or sys.argv[1:]),
        columns=["activation", "φ", "m", "sampled runs", "kept", "median iterations", "max iterations",
                 "CPU s per run", "GFLOP per run", "runs in profile", "core-hours"],
        rows=rows,
        notes=(f"Total {core_s / 3600:.1f} core-hours on {dev} with {a.threads} thread(s) (target ≤ 10), "
               f"settings from critical_points_search.PROFILES['full']; {flop_total:.2e} floating-point operations, "
               f"{gpu_peak_min:.1f} min on one H100/H200-class GPU at its 67 TFLOP/s float64 peak, about "
               f"{gpu_min:.0f} min at {100 * a.gpu_efficiency:.0f} % efficiency (an estimate, not measured). "
               f"{a.runs} sampled runs per φ: iteration counts vary from run to run, so this is a rough estimate."))
    return core_s / 3600, flop_total


if __name__ == "__main__":
    main()
