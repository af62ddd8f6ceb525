"""Time the homotopy eigenpair solver per tensor for each (Λ, H).

:func:`landscape.spin_glass.homotopy.tensor_eigenpairs_batch` tracks ((H−1)^Λ − 1)/(H − 2) paths per
tensor (Becker et al. 2020, eq. (5)), all tensors of a batch at once.  For every (Λ, H) this
script solves ``--tensors`` random spin-glass coupling tensors in one batch and records the
wall and CPU time per tensor, the number of paths, how many tensors needed a second homotopy,
and how many classes were lost (must be 0).  The machine is shared, so CPU time is the more
stable number.

Outputs (default directory ``_build/benchmarks``):

* ``eigenpair_solver.json`` – the table;
* ``eigenpair_solver.png`` – seconds per tensor against the number of paths;
* ``eigenpair_solver.md``  – a Markdown table, for inclusion in the report page.

Usage::

    .venv/bin/python benchmarks/eigenpair_solver.py                 # the chapter's sizes, 20 tensors each
    .venv/bin/python benchmarks/eigenpair_solver.py --full --tensors 100

The sizes are those the chapter solves (:data:`landscape.protocols.critical_points_complex.PROFILES`);
``--full`` adds larger ones that the chapter does not solve, to show how the cost grows with the
number of paths.  Each size draws its tensors and homotopy starts from streams named by (Λ, H).

Not run by the book or the tests.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from landscape.book import report
from landscape.compute import numpy_stream, torch_stream
from landscape.protocols.critical_points_complex import PROFILES
from landscape.spin_glass import counting

QUICK = list(PROFILES["quick"].sizes)
#: beyond the chapter: larger tensors, for the growth of the cost with the number of paths
BEYOND = [(7, 3), (8, 3), (6, 4), (3, 6), (4, 6)]
FULL = QUICK + [size for size in BEYOND if size not in QUICK]


def time_size(L: int, H: int, n: int, seed: int) -> dict:
    tensors = counting.sample_tensors(n, L, H, torch_stream(seed, ("eigenpair-benchmark", L, H), "cpu"))
    wall0, cpu0 = time.perf_counter(), time.process_time()
    res = counting.tensor_eigenpairs_batch(tensors, rng=numpy_stream(seed, ("eigenpair-benchmark", L, H)))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"Lambda": L, "H": H, "paths": counting.complex_count(L, H), "tensors": n,
            "wall_per_tensor_s": wall / n, "cpu_per_tensor_s": cpu / n,
            "retried": int(sum(r.attempts > 1 for r in res)), "lost": int(sum(r.n_lost for r in res)),
            "mean_real": float(np.mean([r.n_real for r in res])),
            "max_residual": float(max(r.residual.max() for r in res))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also the larger sizes")
    parser.add_argument("--tensors", type=int, default=20, help="tensors per (Λ, H) (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "_build" / "benchmarks")
    args = parser.parse_args(argv)
    if args.tensors < 1:
        parser.error("--tensors must be >= 1")
    rows = []
    for L, H in (FULL if args.full else QUICK):
        row = time_size(L, H, args.tensors, args.seed)
        rows.append(row)
        print(f"Λ={L:2d} H={H}  paths={row['paths']:5d}  {1e3 * row['wall_per_tensor_s']:8.1f} ms wall/tensor  "
              f"{1e3 * row['cpu_per_tensor_s']:8.1f} ms cpu/tensor  retried={row['retried']}  lost={row['lost']}",
              flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "eigenpair_solver.json").write_text(json.dumps(rows, indent=1))
    lines = ["| Λ | H | paths | ms/tensor (wall) | ms/tensor (CPU) | retried | lost |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['Lambda']} | {r['H']} | {r['paths']} | {1e3 * r['wall_per_tensor_s']:.1f} | "
              f"{1e3 * r['cpu_per_tensor_s']:.1f} | {r['retried']} | {r['lost']} |" for r in rows]
    (args.out / "eigenpair_solver.md").write_text("\n".join(lines) + "\n")
    report.write_benchmark(
        "eigenpair_solver", title="Homotopy eigenpair solver (Becker et al. eq. (5) paths per tensor)",
        command=f"python benchmarks/eigenpair_solver.py{' --full' if args.full else ''} --tensors {args.tensors}",
        columns=["Λ", "H", "paths", "ms/tensor (wall)", "ms/tensor (CPU)", "retried", "lost"],
        rows=[[r["Lambda"], r["H"], r["paths"], round(1e3 * r["wall_per_tensor_s"], 1),
               round(1e3 * r["cpu_per_tensor_s"], 1), r["retried"], r["lost"]] for r in rows],
        notes="'lost' counts eigenpair classes a homotopy failed to find; it must be 0.",
        directory=args.out)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.8), facecolor="white")
    for H in sorted({r["H"] for r in rows}):
        sub = [r for r in rows if r["H"] == H]
        ax.plot([r["paths"] for r in sub], [r["cpu_per_tensor_s"] for r in sub], "o-", label=f"H = {H}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("paths per tensor, eq. (5)")
    ax.set_ylabel("CPU seconds per tensor")
    ax.set_title(f"homotopy eigenpair solver, {args.tensors} tensors per size")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out / "eigenpair_solver.png", dpi=120)
    print(f"wrote {args.out}/eigenpair_solver.{{json,md,png}}")


if __name__ == "__main__":
    main()
