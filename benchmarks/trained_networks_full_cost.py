"""What the full profile of the trained-network chapter costs, measured per unit, and what batching gains.

The settings are those of the chapter, read from :data:`landscape.protocols.trained_networks.PROFILES`
(``full``): Becker ensembles (Adam steps and exact 726 × 726 Hessians per network, six data
sets), Choromanska's MNIST SGD runs (every width, ``networks_per_task`` networks trained together
as the chapter's tasks do), the index networks (SGD in float64 and exact Hessians) and the
annealing comparison.

For each part one unit is timed (an Adam step, a Hessian with its eigenvalues, an SGD step of a
batch of networks, an annealing step), multiplied by the full counts, and the table is printed
and saved (the report page shows it).  Index Hessians of widths 50 and 100 (P = 5 560 and 11 110
on 4000 images) take many minutes each and are extrapolated from width 25 as P² (the P
Hessian-vector products, each ∝ P) plus P³ (the eigenvalues), scaled by the measured split of
the two at width 25.

It also measures the speed-up of batched ensemble SGD (:func:`landscape.nets.ensembles.sgd`, a batch
of ``networks_per_task`` networks) over training the same networks one at a time (batch of one,
same code), at every width, and counts the floating-point operations of the whole profile to
estimate its time on one H100/H200-class GPU.  Runs in about five minutes.

Usage::

    .venv/bin/python benchmarks/trained_networks_full_cost.py [--threads 1]
"""
from __future__ import annotations

import argparse
import sys
import time

import torch

from landscape.nets import ensembles as en
from landscape.protocols import trained_networks as ex
from landscape.nets import networks as nw
from landscape.book import report
from landscape.compute import torch_threads
from landscape.protocols.trained_networks import UCI_SIZES

FULL = ex.PROFILES["full"]
SET_SIZES = {name: (442 if name == "diabetes" else UCI_SIZES[name][0]) for name in FULL.becker_sets}
#: Peak rates of one H100 SXM / H200 GPU without tensor cores (FLOP/s): float32 67 T, float64 34 T.
GPU_PEAK = {"float32": 67e12, "float64": 34e12}
#: Share of the peak assumed for these small batched products (the CPU reaches 12–40 % of its own).
GPU_EFFICIENCY = 0.2


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def sgd_step_flops(net: nw.MLP, batch: int) -> float:
    """FLOPs of one SGD step of one network: forward (2·bs·a·b per layer), weight gradient (same),
    input gradient (same, all layers but the first)."""
    layers = list(zip(net.widths[:-1], net.widths[1:]))
    return sum((2 if k == 0 else 3) * 2 * batch * a * b for k, (a, b) in enumerate(layers))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    g = torch.Generator().manual_seed(0)
    rows, total, flops = [], 0.0, {"float32": 0.0, "float64": 0.0}
    speedups = []

    def add(part, unit, seconds, count, flop_per_unit=0.0, dtype="float64"):
        nonlocal total
        total += seconds * count
        flops[dtype] += flop_per_unit * count
        rows.append([part, unit, round(seconds, 6), count, round(seconds * count / 3600, 3)])
        print(f"{part:36s} {unit:40s} {seconds:10.6f} s x {count:>11,d} = {seconds * count / 3600:8.3f} h",
              flush=True)

    with torch_threads(a.threads):
        archs = ex.becker_architectures(726, depths=(3, 7), n0=10)
        adam_steps = FULL.adam_steps * len(FULL.becker_learning_rates)
        for name, m in SET_SIZES.items():
            X = torch.randn(m, 10, generator=g, dtype=torch.float64)
            Y = torch.randn(m, 1, generator=g, dtype=torch.float64)
            for H, net in archs.items():
                th = nw.init_params(net, 8, g, scale=2 ** 0.5)
                en.adam(th, X, Y, net, steps=1)                     # warm-up
                t, _ = timed(lambda: en.adam(th, X, Y, net, steps=10))
                add(f"Becker {name} (m = {m}), H = {H}", "Adam step per network (batched)", t / 11 / 8,
                    FULL.becker_networks * adam_steps, 6 * m * net.n_params)
                t, _ = timed(lambda: ex.hessian_spectra(th[:2], X, Y, net, chunk=1))
                P = net.n_params
                add(f"Becker {name} (m = {m}), H = {H}", "Hessian + eigenvalues per network", t / 2,
                    FULL.becker_networks, 2 * m * P * P + 4 * P ** 3)

        dt = getattr(torch, FULL.sgd_dtype)
        bs, steps_per_epoch = FULL.batch_size, FULL.mnist_train // FULL.batch_size
        Xtr = torch.rand(FULL.mnist_train, 100, generator=g, dtype=torch.float64)
        Ytr = ex.one_hot(torch.randint(0, 10, (FULL.mnist_train,), generator=g).numpy(), dtype=torch.float64)

        def sgd_step(net, runs, k_steps, dtype):
            """Seconds of one SGD step per network with ``runs`` networks trained together."""
            th = en.init(net, range(runs), seed=0, purpose="bench", scheme="uniform", dtype=dtype)
            X, Y = Xtr[:k_steps * bs].to(dtype), Ytr[:k_steps * bs].to(dtype)
            kw = dict(kind="cross_entropy", epochs=1, batch_size=bs, lr=FULL.lr, decay=FULL.decay, seed=0,
                      purpose="bench")
            en.sgd(th, X[:bs], Y[:bs], net, **kw)                                  # warm-up
            t, _ = timed(lambda: en.sgd(th, X, Y, net, **kw))
            return t / k_steps / runs

        def vmap_step(net, runs, k_steps, dtype):
            """The same per network with the previous path: torch.func.vmap of the gradient of one network."""
            from torch.func import grad, vmap

            th = en.init(net, range(runs), seed=0, purpose="bench", scheme="uniform", dtype=dtype)
            X, Y = Xtr.to(dtype), Ytr.to(dtype)
            gfun = vmap(grad(lambda t, xb, yb: nw.loss(t, xb, yb, net, ex.cross_entropy)))
            rows = torch.stack([torch.randperm(FULL.mnist_train, generator=g)[:k_steps * bs] for _ in range(runs)])

            def go():
                t = th
                for s in range(k_steps):
                    r = rows[:, s * bs:(s + 1) * bs]
                    t = t - FULL.lr * gfun(t, X[r], Y[r])
                return t
            t, _ = timed(go)
            return t / k_steps / runs

        for n1 in FULL.mnist_widths:
            net = nw.MLP((100, n1, 10))
            batched = sgd_step(net, FULL.networks_per_task, 10, dt)
            single = sgd_step(net, 1, 100, dt)
            old = vmap_step(net, FULL.networks_per_task, 5, dt)
            speedups.append([n1, round(single * 1e6, 1), round(old * 1e6, 1), round(batched * 1e6, 2),
                             round(single / batched, 1), round(old / batched, 1)])
            print(f"  SGD step per network, n1 = {n1}: one at a time {single * 1e6:.1f} µs, "
                  f"{FULL.networks_per_task} by vmap {old * 1e6:.1f} µs, {FULL.networks_per_task} batched "
                  f"{batched * 1e6:.2f} µs: {single / batched:.1f}x and {old / batched:.1f}x", flush=True)
            add(f"MNIST SGD, n1 = {n1} ({FULL.sgd_dtype})", f"step per network, {FULL.networks_per_task} together",
                batched, FULL.mnist_runs * FULL.epochs * steps_per_epoch, sgd_step_flops(net, bs), FULL.sgd_dtype)

        split = {}
        index_steps = FULL.index_epochs * (FULL.index_images // bs)
        Xi, Yi = Xtr[:FULL.index_images], Ytr[:FULL.index_images]
        for n1 in FULL.index_widths:
            net = nw.MLP((100, n1, 10))
            add(f"index, n1 = {n1} (float64)", f"SGD step per network, {FULL.index_networks_per_task} together",
                sgd_step(net, FULL.index_networks_per_task, 20, torch.float64), FULL.index_networks * index_steps,
                sgd_step_flops(net, bs))
            P = net.n_params
            hessian_flops = 8 * FULL.index_images * 10 * P * P + 4 * P ** 3
            if n1 <= 25:
                th = en.init(net, range(1), seed=0, purpose="bench", scheme="uniform", dtype=torch.float64)
                t_h, Hs = timed(lambda: nw.batched_hessian(th, Xi, Yi, net, ex.cross_entropy, chunk=1))
                t_e, _ = timed(lambda: torch.linalg.eigvalsh(Hs))
                split[n1] = (P, t_h, t_e)
                add(f"index, n1 = {n1}", "Hessian + eigenvalues per network", t_h + t_e, FULL.index_networks,
                    hessian_flops)
            else:
                P0, t_h, t_e = split[25]
                r = P / P0
                add(f"index, n1 = {n1}", "same, extrapolated (P², P³)", t_h * r ** 2 + t_e * r ** 3,
                    FULL.index_networks, hessian_flops)

        Xs, Ys = Xtr[:FULL.sa_images].to(dt), Ytr[:FULL.sa_images].to(dt)
        for n1 in FULL.sa_widths:
            net = nw.MLP((100, n1, 10))
            th = nw.init_params(net, FULL.sa_networks, g, scheme="uniform", dtype=dt)
            t, _ = timed(lambda: ex.simulated_annealing(th, Xs, Ys, net, kind="cross_entropy", steps=50,
                                                        n_moves=max(1, net.n_params // 100), generator=g))
            add(f"annealing, n1 = {n1}", "step per run (two chains)", 2 * t / 50 / FULL.sa_networks,
                FULL.sa_networks * FULL.sa_steps, 2 * 2 * FULL.sa_images * net.n_params, FULL.sgd_dtype)
            add(f"annealing, n1 = {n1}", "SGD step per network (comparison runs)",
                sgd_step(net, FULL.sa_networks, 10, dt), FULL.sa_networks * FULL.sa_sgd_epochs * (FULL.sa_images // bs),
                sgd_step_flops(net, bs), FULL.sgd_dtype)

    gpu_s = sum(f / (GPU_PEAK[d] * GPU_EFFICIENCY) for d, f in flops.items())
    mnist_h = sum(r[4] for r in rows if r[0].startswith("MNIST"))
    summary = (f"full profile of trained_networks: {total / 3600:.1f} core-hours with {a.threads} thread(s) "
               f"({mnist_h:.2f} h of it the MNIST SGD runs); {flops['float32'] / 1e15:.2f} PFLOP in float32 and "
               f"{flops['float64'] / 1e15:.2f} PFLOP in float64: {gpu_s / 3600:.2f} GPU-hours on one H100/H200 at "
               f"{GPU_EFFICIENCY:.0%} of its peak (67 TFLOP/s float32, 34 TFLOP/s float64, no tensor cores)")
    print(summary)
    print("batched SGD speed-up per width over one at a time, and over vmap: "
          + ", ".join(f"n1 = {n}: {s}x, {v}x" for n, _, _, _, s, v in speedups))
    report.write_benchmark(
        "trained_networks_full_cost",
        title="Cost of the full profile of the trained-network chapter, extrapolated from timed units",
        command="python benchmarks/trained_networks_full_cost.py " + " ".join(argv or sys.argv[1:]),
        columns=["part", "unit", "seconds per unit", "units", "hours"], rows=rows,
        notes=(summary + ". Batched ensemble SGD (landscape.nets.ensembles.sgd, float32) against the same networks "
               "trained one at a time with the same code, and against the previous path (torch.func.vmap of one "
               "network's gradient), µs per network and step: "
               + "; ".join(f"n1 = {n}: {s1} (alone), {so} (vmap), {sb} (batched): {s}× and {v}×"
                           for n, s1, so, sb, s, v in speedups)
               + ". Random data of the chapter's sizes; the index Hessians of widths 50 and 100 are extrapolated "
               "from width 25 (one width-100 Hessian timed on its own earlier took 570 s plus 131 s for its "
               "eigenvalues, peak memory 4.7 GB). FLOP counts: SGD 2·bs·(2·n0·n1 + 3·n1·n_out) per step, Adam "
               "6·m·P per step, Hessians 2·m·P² (closed form) or 8·m·n_out·P² (autodiff) plus 4·P³ for the "
               "eigenvalues, annealing 4·m·P per step."))


if __name__ == "__main__":
    main()
