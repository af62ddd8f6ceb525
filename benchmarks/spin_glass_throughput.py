"""Throughput of the batched spin-glass energy-and-gradient evaluation (H = 3).

One evaluation of the energy and Euclidean gradient of Choromanska et al. (2015), eq. (2), at a
batch of B points is, for H = 3, one (B, Λ) × (Λ, Λ²) matrix product (the contraction
T·w, 2BΛ³ flops) followed by a batched matrix–vector product (2BΛ² flops).  This script times
:func:`landscape.spin_glass.hamiltonian.derivatives` (``order=1``) — the call :func:`landscape.spin_glass.sphere.minimise`
makes every step — and compares its flop rate with the float32 matrix-multiplication rate of
the same machine, measured in the same run on square matrices.

Memory: the couplings take Λ³ float32 numbers (Λ = 500: 0.5 GB, twice that while they are
symmetrised) and the intermediate T·w takes B·Λ² numbers (B = 1000, Λ = 500: 1 GB).  Sizes
that would not fit into the available memory are refused with a message instead of crashing.

Usage::

    .venv/bin/python benchmarks/spin_glass_throughput.py            # B = 1000, Λ = 100, 200, 500
    .venv/bin/python benchmarks/spin_glass_throughput.py --device cuda --lambdas 100 200 500 1000

Not run by the book or the tests.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import torch

from landscape.spin_glass import hamiltonian as spin_glass
from landscape.book import report

H = 3


def available_bytes(device: torch.device) -> int:
    """Free memory on ``device``: MemAvailable of /proc/meminfo on CPU, cudaMemGetInfo on CUDA."""
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))


def memory_needed(Lambda: int, batch: int, itemsize: int = 4) -> dict:
    """Bytes for couplings (×2 while symmetrising), the (B, Λ^{H-1}) intermediate and the points."""
    couplings = Lambda**H * itemsize
    return {
        "couplings": couplings,
        "peak_sampling": 2 * couplings,
        "intermediate": batch * Lambda ** (H - 1) * itemsize,
        "evaluation_total": couplings + batch * Lambda ** (H - 1) * itemsize + 4 * batch * Lambda * itemsize,
    }


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_call(fn, device, repeats: int, min_time: float = 0.5) -> float:
    """Best wall time of ``fn`` over ``repeats`` rounds (each round at least one call)."""
    fn()  # warm-up
    _sync(device)
    best = float("inf")
    for _ in range(repeats):
        n, start = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            _sync(device)
            elapsed = time.perf_counter() - start
            if elapsed >= min_time or n >= 50:
                break
        best = min(best, elapsed / n)
    return best


def matmul_rate(device, size: int, repeats: int) -> float:
    """Measured float32 GEMM rate (flop/s) on square ``size`` × ``size`` matrices."""
    g = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(size, size, generator=g, device=device)
    b = torch.randn(size, size, generator=g, device=device)
    t = time_call(lambda: torch.mm(a, b), device, repeats)
    return 2.0 * size**3 / t


def shaped_matmul_rate(device, batch: int, Lambda: int, repeats: int) -> float:
    """Rate of the bare (B, Λ) × (Λ, Λ²) product, the core of one evaluation."""
    g = torch.Generator(device=device).manual_seed(1)
    a = torch.randn(batch, Lambda, generator=g, device=device)
    b = torch.randn(Lambda, Lambda * Lambda, generator=g, device=device)
    t = time_call(lambda: a @ b, device, repeats)
    return 2.0 * batch * Lambda**3 / t


def energy_gradient_outer(couplings, w):
    """Energy and gradient through the (B, Λ²) × (Λ², Λ) product w⊗w · T (H = 3 only).

    The same 2BΛ³ flops as :func:`landscape.spin_glass.hamiltonian.derivatives` with ``order=1``, but the
    large matrix is the coupling tensor itself and the output is only (B, Λ): a better shape
    for GEMM.  Shown for comparison (a possible order-1 fast path for ``derivatives``).
    """
    L, s = couplings.Lambda, couplings.scale
    ww = (w[:, :, None] * w[:, None, :]).reshape(w.shape[0], L * L)
    vec = ww @ couplings.tensor.reshape(L * L, L)
    return s * (vec * w).sum(dim=1), H * s * vec


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--lambdas", type=int, nargs="+", default=[100, 200, 500])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--gemm-size", type=int, default=2048)
    parser.add_argument("--memory-fraction", type=float, default=0.8,
                        help="refuse sizes needing more than this fraction of the free memory")
    args = parser.parse_args(argv)
    if args.batch < 1 or any(L < 2 for L in args.lambdas):
        parser.error("--batch must be >= 1 and every --lambdas value >= 2")
    if not 0 < args.memory_fraction <= 1:
        parser.error("--memory-fraction must be in (0, 1]")
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda, but torch sees no GPU")
    device = torch.device(args.device)

    print(f"device {device}, torch {torch.__version__}, threads {torch.get_num_threads()}, batch B = {args.batch}")
    peak = matmul_rate(device, args.gemm_size, args.repeats)
    print(f"float32 matmul rate ({args.gemm_size}^2 x {args.gemm_size}^2): {peak / 1e9:.1f} GFLOP/s\n")
    header = (f"{'Λ':>5} {'couplings':>10} {'interm.':>9} {'eval/s':>10} {'points/s':>11} "
              f"{'GFLOP/s':>9} {'% matmul':>9} {'% (B,Λ)x(Λ,Λ²)':>16} {'w⊗w form % matmul':>19}")
    print(header)
    print("-" * len(header))
    status = 0
    table = []
    for L in args.lambdas:
        need = memory_needed(L, args.batch)
        free = available_bytes(device)
        budget = args.memory_fraction * free
        worst = max(need["peak_sampling"], need["evaluation_total"])
        if worst > budget:
            print(f"{L:>5} refused: needs {worst / 2**30:.2f} GiB (couplings Λ^3·4 B = {need['couplings'] / 2**30:.2f} GiB, "
                  f"×2 while symmetrising; intermediate B·Λ²·4 B = {need['intermediate'] / 2**30:.2f} GiB), "
                  f"but only {budget / 2**30:.2f} GiB of {free / 2**30:.2f} GiB free may be used")
            status = 1
            continue
        g = torch.Generator(device=device).manual_seed(L)
        couplings = spin_glass.sample_couplings(L, H, g, device=device, max_bytes=int(budget))
        w = spin_glass.random_sphere_points(args.batch, L, g, device=device)
        t = time_call(lambda: spin_glass.derivatives(couplings, w, order=1), device, args.repeats)
        flops = 2.0 * args.batch * L**3 + 4.0 * args.batch * L**2
        rate = flops / t
        shaped = shaped_matmul_rate(device, args.batch, L, args.repeats)
        E_ref, g_ref, _ = spin_glass.derivatives(couplings, w, order=1)
        E_alt, g_alt = energy_gradient_outer(couplings, w)
        if not (torch.allclose(E_alt, E_ref, rtol=1e-3, atol=1e-3 * L) and torch.allclose(g_alt, g_ref, rtol=1e-3, atol=1e-3)):
            print(f"{L:>5} warning: the w⊗w form disagrees with derivatives()")
        t_alt = time_call(lambda: energy_gradient_outer(couplings, w), device, args.repeats)
        print(f"{L:>5} {need['couplings'] / 2**30:>8.3f}Gi {need['intermediate'] / 2**30:>7.3f}Gi "
              f"{1 / t:>10.2f} {args.batch / t:>11.0f} {rate / 1e9:>9.1f} {100 * rate / peak:>8.0f}% "
              f"{100 * rate / shaped:>15.0f}% {100 * flops / t_alt / peak:>18.0f}%")
        table.append([L, round(need["couplings"] / 2**30, 3), round(args.batch / t), round(rate / 1e9, 1),
                      round(100 * rate / peak), round(100 * rate / shaped), round(100 * flops / t_alt / peak)])
        del couplings, w
    print("\n'eval/s': full-batch evaluations of energy and gradient per second; 'points/s' = B × eval/s;"
          "\n'% matmul': flop rate of the evaluation relative to the square float32 GEMM above;"
          "\n'% (B,Λ)x(Λ,Λ²)': relative to the bare matrix product of the same shape as in derivatives();"
          "\n'w⊗w form': the same evaluation as one (B,Λ²)x(Λ²,Λ) product (see energy_gradient_outer).")
    report.write_benchmark(
        "spin_glass_throughput", title=f"Spin-glass energy and gradient, H = 3, batch B = {args.batch}",
        command="python benchmarks/spin_glass_throughput.py " + " ".join(argv or sys.argv[1:]),
        columns=["Λ", "couplings (GiB)", "points/s", "GFLOP/s", "% of matmul", "% of same-shape product",
                 "w⊗w form, % of matmul"],
        rows=table,
        notes=f"Square float32 matmul rate measured in the same run: {peak / 1e9:.1f} GFLOP/s.")
    return status


if __name__ == "__main__":
    sys.exit(main())
