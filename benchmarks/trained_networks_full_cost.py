"""What the full profile of the trained-network chapter costs on this machine, measured per unit.

``book/trained_networks.md`` in its ``full`` profile trains 200 networks per (data set, depth)
for 2 × 4000 Adam steps and takes their exact 726 × 726 Hessians (six data sets); 1000 SGD runs
of 200 epochs on 4000 MNIST images for each of five widths; 100 networks per width
(10, 25, 50, 100) trained on the 4000 images and their exact Hessians; and 100 annealing runs
of 100 000 steps (continuous and 3-valued) for widths 10 and 25.

This script times one unit of each (an Adam step, a Hessian with its eigenvalues, an SGD
epoch, an annealing step; per network, in batches as the chapter runs them), multiplies by
the full counts, and prints and saves the table (shown on the report page). Index Hessians of
the widths 50 and 100 (P = 5 560 and 11 110 on 4000 images) take many minutes each and are
extrapolated from width 25 as P² (the P Hessian-vector products, each ∝ P) plus P³ (the
eigenvalues), scaled by the measured split of the two at width 25. Runs in about three minutes.

Usage::

    .venv/bin/python benchmarks/trained_networks_full_cost.py [--threads 1]
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import torch

from landscape import experiments as ex
from landscape import networks as nw
from landscape.book import report
from landscape.compute import torch_threads

# the full profile of book/trained_networks.md
SET_SIZES = {"boston": 506, "diabetes": 442, "yacht": 308, "energy": 768, "concrete": 1030, "wine": 1599}
BECKER_NETS, ADAM_STEPS = 200, 2 * 4000
MNIST_WIDTHS, MNIST_RUNS, EPOCHS, N_TRAIN = [25, 50, 100, 250, 500], 1000, 200, 4000
INDEX_WIDTHS, INDEX_NETS = [10, 25, 50, 100], 100
SA_WIDTHS, SA_RUNS, SA_STEPS, SA_IMAGES = [10, 25], 100, 100_000, 500


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    g = torch.Generator().manual_seed(0)
    rows, total = [], 0.0

    def add(part, unit, seconds, count):
        nonlocal total
        total += seconds * count
        rows.append([part, unit, round(seconds, 4), count, round(seconds * count / 3600, 2)])
        print(f"{part:38s} {unit:34s} {seconds:9.4f} s x {count:>11,d} = {seconds * count / 3600:8.2f} h", flush=True)

    with torch_threads(a.threads):
        archs = ex.becker_architectures(726, depths=(3, 7), n0=10)
        for name, m in SET_SIZES.items():
            X = torch.randn(m, 10, generator=g, dtype=torch.float64)
            Y = torch.randn(m, 1, generator=g, dtype=torch.float64)
            for H, net in archs.items():
                th = nw.init_params(net, 16, g, scale=2 ** 0.5)
                nw.train(th, X, Y, net, steps=2)                    # warm-up
                t, _ = timed(lambda: nw.train(th, X, Y, net, steps=20))
                add(f"Becker {name} (m = {m}), H = {H}", "Adam step per network", t / 20 / 16,
                    BECKER_NETS * ADAM_STEPS)
                t, _ = timed(lambda: ex.hessian_spectra(th[:2], X, Y, net, chunk=1))
                add(f"Becker {name} (m = {m}), H = {H}", "Hessian + eigenvalues per network", t / 2, BECKER_NETS)

        Xtr = torch.rand(N_TRAIN, 100, generator=g, dtype=torch.float64)
        Ytr = ex.one_hot(torch.randint(0, 10, (N_TRAIN,), generator=g).numpy(), dtype=torch.float64)
        def sgd_epoch(net, runs):
            """Seconds of one SGD epoch per run (the chapter's settings), and the runs' parameters."""
            th = nw.init_params(net, runs, g, scheme="uniform")
            t, _ = timed(lambda: ex.train_sgd(th, Xtr, Ytr, net, kind=ex.cross_entropy, epochs=1, batch_size=20,
                                              lr=0.2, decay=0.1, generator=g))
            return t / runs, th

        for n1 in MNIST_WIDTHS:
            t, _ = sgd_epoch(nw.MLP((100, n1, 10)), 8)
            add(f"MNIST SGD, n1 = {n1}", "epoch of 4000 images per run", t, MNIST_RUNS * EPOCHS)

        split = {}
        for n1 in INDEX_WIDTHS:
            net = nw.MLP((100, n1, 10))
            t_sgd, th = sgd_epoch(net, 4)
            add(f"index, n1 = {n1}", "SGD epoch per network", t_sgd, INDEX_NETS * EPOCHS)
            if n1 <= 25:
                t_h, Hs = timed(lambda: nw.batched_hessian(th[:1], Xtr, Ytr, net, ex.cross_entropy, chunk=1))
                t_e, _ = timed(lambda: torch.linalg.eigvalsh(Hs))
                split[n1] = (net.n_params, t_h, t_e)
                add(f"index, n1 = {n1}", "Hessian + eigenvalues per network", t_h + t_e, INDEX_NETS)
            else:
                P0, t_h, t_e = split[25]
                r = net.n_params / P0
                add(f"index, n1 = {n1}", "same, extrapolated (P², P³)", t_h * r ** 2 + t_e * r ** 3, INDEX_NETS)

        Xs, Ys = Xtr[:SA_IMAGES], Ytr[:SA_IMAGES]
        for n1 in SA_WIDTHS:
            net = nw.MLP((100, n1, 10))
            th = nw.init_params(net, 8, g, scheme="uniform")
            t, _ = timed(lambda: ex.simulated_annealing(th, Xs, Ys, net, kind=ex.cross_entropy, steps=200,
                                                        n_moves=max(1, net.n_params // 100), generator=g))
            add(f"annealing, n1 = {n1}", "step per run (two chains)", 2 * t / 200 / 8, SA_RUNS * SA_STEPS)

    print(f"full profile of trained_networks: {total / 3600:.0f} h with {a.threads} thread(s) on the CPU")
    report.write_benchmark(
        "trained_networks_full_cost",
        title="Cost of the full profile of the trained-network chapter, extrapolated from timed units",
        command="python benchmarks/trained_networks_full_cost.py " + " ".join(argv or sys.argv[1:]),
        columns=["part", "unit", "seconds per unit", "units", "hours"], rows=rows,
        notes=(f"Total {total / 3600:.0f} hours on the CPU with {a.threads} thread(s). Random data of the "
               "chapter's sizes; the index Hessians of widths 50 and 100 are extrapolated from width 25, "
               "which underestimates them (one width-100 Hessian timed on its own, on a machine shared with "
               "another job, took 570 s plus 131 s for its eigenvalues, peak memory 4.7 GB). The SGD runs of "
               "the annealing comparison are not included."))


if __name__ == "__main__":
    main()
