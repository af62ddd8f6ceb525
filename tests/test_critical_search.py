import math

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

from landscape.nets import critical_search as cs
from landscape.nets import engine
from landscape.nets import networks as nw


def _problem(n=3, m=7, act="tanh", seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    X, Y = cs.sample_tasks(n, m, 1, g)
    theta = torch.randn(2 * n * n, generator=g, dtype=torch.float64) * scale
    return theta, X[0], Y[0], nw.MLP((n, n, n), activation=act, bias=False)


def _start(n, m, B, seed, act="tanh", gd_steps=200):
    # the search's own phase 1 from its own random draws (the order of search())
    g = torch.Generator().manual_seed(seed)
    X, Y = cs.sample_tasks(n, m, B, g)
    th = torch.randn(B, 2 * n * n, generator=g, dtype=torch.float64) / math.sqrt(n)
    levels = torch.rand(B, generator=g, dtype=torch.float64) * engine.loss(th, X, Y, act)
    th, _, _ = cs.descend_to_level(th, X, Y, levels, act, max_steps=gd_steps)
    return th, X, Y


def test_search_activations_are_in_the_engine_table():
    assert set(cs.ACTIVATIONS) <= set(engine.ACTIVATIONS)


def test_capacity_ratio_and_linear_minimum():
    assert cs.capacity_ratio(16, 128) == 0.25
    assert cs.samples_for_ratio(16, 0.25) == 128
    # ½(1 − n/m): n = 16, m = 64 → 0.375
    assert cs.linear_minimum_energy(16, 64) == 0.375
    # Monte Carlo: least-squares residual energy, mean over 400 tasks, tolerance 4 standard errors
    g = torch.Generator().manual_seed(3)
    n, m = 4, 16
    X, Y = cs.sample_tasks(n, m, 400, g)
    B = torch.linalg.lstsq(X, Y).solution
    eps = ((X @ B - Y) ** 2).sum((1, 2)).numpy() / (2 * m * n)
    se = eps.std(ddof=1) / math.sqrt(eps.size)
    assert abs(eps.mean() - cs.linear_minimum_energy(n, m)) < 4 * se


def test_index_counts():
    c = cs.index_from_eigenvalues(np.array([[-2.0, -1e-9, 0.0, 3.0], [-1.0, -1.0, 1.0, 1.0]]), 1e-6)
    assert list(c["negative"]) == [1, 2] and list(c["zero"]) == [2, 0]
    assert np.allclose(c["alpha"], [0.25, 0.5])


def test_search_finds_true_critical_points():
    # Small tanh problem: kept points must have |∇L|² < 1e-6 (the discard rule) and their
    # recorded index must agree with a fresh autodiff Hessian of networks.loss.
    n, m = 3, 12
    res = cs.search(n, m, 24, "tanh", torch.Generator().manual_seed(0), gd_steps=200, max_iters=300,
                    zero_tol=1e-7)
    assert res.kept.sum() >= 12
    assert np.all(res.j[res.kept] < 1e-6)
    assert np.all(np.isnan(res.alpha[~res.kept]))
    assert np.all(res.negative[res.kept] + res.zero[res.kept] <= 2 * n * n)
    # same search, reproduced from the same generator stream
    res2 = cs.search(n, m, 24, "tanh", torch.Generator().manual_seed(0), gd_steps=200, max_iters=300,
                     zero_tol=1e-7)
    assert np.array_equal(res.negative, res2.negative) and np.array_equal(res.iterations, res2.iterations)
    assert np.allclose(res.energy, res2.energy, rtol=0, atol=1e-12)
    # recorded index = index of a fresh autodiff Hessian of networks.loss at a kept point
    kept = np.flatnonzero(res.kept)
    assert np.all(res.status[res.kept] >= 0) and set(res.status_names) <= set(cs.STATUS)
    assert np.all(res.iterations <= 300) and res.flops() > 0
    assert kept.size and res.eigenvalues.shape == (24, 2 * n * n)


def test_descend_to_level_stops_at_level():
    g = torch.Generator().manual_seed(1)
    n, m, B = 3, 9, 5
    X, Y = cs.sample_tasks(n, m, B, g)
    th = torch.randn(B, 2 * n * n, generator=g, dtype=torch.float64) / math.sqrt(n)
    L0 = engine.loss(th, X, Y)
    levels = 0.9 * L0
    out, reached, steps = cs.descend_to_level(th, X, Y, levels, lr=0.05, max_steps=500)
    assert bool(reached.all())
    assert torch.all(engine.loss(out, X, Y) <= levels)
    # it stopped as soon as it got there: one step fewer was still above the level
    for b in range(B):
        again, _, _ = cs.descend_to_level(th[b:b + 1], X[b:b + 1], Y[b:b + 1], levels[b:b + 1] * 0, lr=0.05,
                                          max_steps=int(steps[b]) - 1)
        assert float(engine.loss(again, X[b:b + 1], Y[b:b + 1])[0]) > float(levels[b])
        assert torch.allclose(cs.descend_to_level(th[b:b + 1], X[b:b + 1], Y[b:b + 1], levels[b:b + 1],
                                                  lr=0.05, max_steps=500)[0], out[b:b + 1], rtol=0, atol=1e-14)


def test_fit_recovers_exponent_and_energy():
    alpha = np.linspace(0.01, 0.2, 12)
    eps_c, a0, p = 0.3, 2.0, 1.5
    eps = eps_c + (alpha / a0) ** (1 / p)
    fit = cs.fit_index_energy(alpha, eps)
    assert abs(fit["exponent"] - p) < 1e-4 and abs(fit["eps_c"] - eps_c) < 1e-6
    assert abs(fit["alpha0"] - a0) < 1e-3
    fixed = cs.fit_index_energy(alpha, eps, exponent=1.5)
    assert abs(fixed["eps_c"] - eps_c) < 1e-10


def test_bootstrap_se_matches_spread():
    # synthetic runs: index k ~ uniform 1..8 of P = 64, energy = law + N(0, 0.01²)
    rng = np.random.default_rng(0)
    k = rng.integers(1, 9, 800)
    e = 0.2 + (k / 64 / 1.0) ** (2 / 3) + 0.01 * rng.standard_normal(800)
    out = cs.bootstrap_fit(e, k, 64, np.random.default_rng(1), alpha_max=0.2, n_boot=100, exponent=1.5)
    assert abs(out["eps_c"] - 0.2) < 4 * out["eps_c_se"]
    assert 0 < out["eps_c_se"] < 0.02


def test_bad_input():
    with pytest.raises(ValueError, match="`n`"):
        cs.capacity_ratio(0, 4)
    with pytest.raises(ValueError, match="`m`"):
        cs.capacity_ratio(4, 2.5)
    with pytest.raises(ValueError, match="`phi`"):
        cs.samples_for_ratio(16, 0.3)
    with pytest.raises(ValueError, match="`m`"):
        cs.linear_minimum_energy(4, 3)
    with pytest.raises(ValueError, match="`runs`"):
        cs.sample_tasks(2, 3, 0)
    with pytest.raises(ValueError, match="`n`"):
        cs.search(-1, 4, 2)
    with pytest.raises(ValueError, match="`m`"):
        cs.search(2, 0, 2)
    with pytest.raises(ValueError, match="`activation`"):
        cs.search(2, 4, 2, "swish")
    with pytest.raises(ValueError, match="`activation`"):
        cs.search_loop(2, 4, 2, "relu")
    th, X, Y, _ = _problem()
    with pytest.raises(ValueError, match="`activation`"):
        cs.minimise_gradient_norm(th[None], X[None], Y[None], "relu")
    with pytest.raises(ValueError, match="`activation`"):
        cs.kept_spectra(th[None], X[None], Y[None], "gelu")
    with pytest.raises(ValueError, match="`max_iters`"):
        cs.minimise_gradient_norm(th[None], X[None], Y[None], max_iters=-1)
    with pytest.raises(ValueError, match="`max_age`"):
        cs.minimise_gradient_norm(th[None], X[None], Y[None], max_age=0)
    with pytest.raises(ValueError, match="`damping`"):
        cs.minimise_gradient_norm(th[None], X[None], Y[None], damping=0)
    with pytest.raises(ValueError, match="`record_at`"):
        cs.minimise_gradient_norm(th[None], X[None], Y[None], record_at=-2)
    with pytest.raises(ValueError, match="`thetas`"):
        cs.minimise_gradient_norm(th, X, Y)
    with pytest.raises(ValueError, match="`max_steps`"):
        cs.descend_to_level(th[None], X[None], Y[None], torch.zeros(1, dtype=torch.float64), max_steps=-1)
    with pytest.raises(ValueError, match="`levels`"):
        cs.descend_to_level(th[None], X[None], Y[None], torch.zeros(2, dtype=torch.float64))
    with pytest.raises(ValueError, match="`dtype`"):
        cs.search(2, 4, 2, dtype=torch.int64)
    with pytest.raises(ValueError, match="`batch`"):
        cs.search(2, 4, 2, batch=0)
    with pytest.raises(ValueError, match="`zero_tol`"):
        cs.index_from_eigenvalues([1.0], -1)
    with pytest.raises(ValueError, match="`eigenvalues`"):
        cs.index_from_eigenvalues([np.nan], 0.0)
    with pytest.raises(ValueError, match="`negative`"):
        cs.mean_energy_by_index([0.1, 0.2], [1], 4)
    with pytest.raises(ValueError, match="`alpha`"):
        cs.fit_index_energy([0.0, 0.1, 0.2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="alpha_max"):
        cs.bootstrap_fit([0.1], [1], 4, np.random.default_rng(0), alpha_max=-1)


def test_least_squares_energy_bad_input():
    with pytest.raises(ValueError, match="`X`"):
        cs.least_squares_energy(torch.zeros(2, 3, 4), torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match="`X`"):
        cs.least_squares_energy(torch.zeros(3, 4), torch.zeros(3, 4))


def test_doctests():
    import doctest

    failures, _ = doctest.testmod(cs)
    assert failures == 0


def test_bootstrap_se_matches_sampling_spread():
    # the bootstrap standard error (scipy.stats.bootstrap over runs) estimates the spread of the
    # fitted ε_c over independent data sets: compare it with 40 such data sets (factor 1.6 either
    # way: the s.d. of 40 values is known to ~11%, the bootstrap s.e. to ~7% with 100 replicates)
    def data(rng):
        k = rng.integers(1, 9, 400)
        return 0.2 + (k / 64) ** (2 / 3) + 0.02 * rng.standard_normal(400), k

    rng = np.random.default_rng(7)
    fits = []
    for _ in range(40):
        a, m, _, w = _per_index(*data(rng))
        fits.append(cs.fit_index_energy(a, m, exponent=1.5, weights=w)["eps_c"])
    e, k = data(np.random.default_rng(8))
    out = cs.bootstrap_fit(e, k, 64, np.random.default_rng(9), alpha_max=0.2, n_boot=100, exponent=1.5)
    ratio = out["eps_c_se"] / np.std(fits, ddof=1)
    assert 1 / 1.6 < ratio < 1.6
    assert out["n_ok"] == 100 and out["eps_c_lo"] < out["eps_c"] < out["eps_c_hi"]


def _per_index(e, k):
    tab = cs.mean_energy_by_index(e, k, 64, min_count=2)
    tab = tab[(tab["alpha"] > 0) & (tab["alpha"] <= 0.2)]
    return tab["alpha"].to_numpy(), tab["mean"].to_numpy(), 1.5, np.sqrt(tab["count"].to_numpy())


def test_zero_modes_follow_gradient_norm():
    # a point critical to 1e-12 with a −3e-4 eigenvalue is a saddle, not a minimum with an extra zero
    lam = [[-3e-4] + [1e-13] * 15 + [0.5, 2.0],
           [1e-11] * 16 + [0.5, 2.0, 3.0, 1.0],
           [-4e-3, 7e-4, 1e-5, 3e-6] + [1.0] * 4]
    zm0 = cs.zero_modes(np.array(lam[0])[None], [1e-12])
    assert (int(zm0["negative"][0]), int(zm0["zero"][0]), bool(zm0["determined"][0])) == (1, 15, True)
    zm1 = cs.zero_modes(np.array(lam[1])[None], [3e-11])
    assert int(zm1["zero"][0]) == 16 and bool(zm1["determined"][0])
    # |∇L| = 4e-4: τ = 0.04, and the eigenvalues 1.0 lie within a factor 100 above it: undetermined
    zm2 = cs.zero_modes(np.array(lam[2])[None], [4e-4])
    assert not bool(zm2["determined"][0])
    with pytest.raises(ValueError, match="`grad_norm`"):
        cs.zero_modes(np.ones((2, 3)), [1.0])
    with pytest.raises(ValueError, match="`gap`"):
        cs.zero_modes(np.ones((1, 3)), [1.0], gap=1.0)


def test_search_stores_kept_spectra():
    res = cs.search(2, 8, 6, "tanh", torch.Generator().manual_seed(0), gd_steps=50, max_iters=40)
    assert res.eigenvalues.shape == (6, 8)
    assert np.all(np.isnan(res.eigenvalues[~res.kept]))
    if res.kept.any():
        assert np.allclose(np.abs(res.eigenvalues[res.kept]).min(1), res.min_abs_eig[res.kept])


def test_lm_converges_on_linear_networks_and_runs_leave_the_batch():
    # linear networks: every critical point is an orbit of GL(n); LM on ∇L reaches J ≤ stop_j in
    # a few dozen iterations, and each run stops as soon as it has converged
    th, X, Y = _start(3, 12, 6, seed=4, act="linear")
    res = cs.minimise_gradient_norm(th, X, Y, "linear", max_iters=400, stop_j=1e-24)
    assert torch.all(res.status == 0) and torch.all(res.j <= 1e-24)
    assert int(res.iterations.max()) < 400 and len(set(res.iterations.tolist())) > 1
    # the end points are critical by autodiff of networks.loss
    net = nw.MLP((3, 3, 3), activation="linear", bias=False)
    for b in range(6):
        assert float(nw.loss_and_grad(res.theta[b], X[b], Y[b], net)[1].norm()) < 1e-11


def test_recorded_half_budget_equals_a_search_with_that_budget():
    # the J recorded after k iterations is what a budget of k returns (each run's arithmetic is its own)
    th, X, Y = _start(3, 12, 8, seed=5)
    full = cs.minimise_gradient_norm(th, X, Y, max_iters=80, record_at=40)
    half = cs.minimise_gradient_norm(th, X, Y, max_iters=40)
    assert torch.allclose(full.j_at, half.j, rtol=1e-10, atol=1e-300)
    assert torch.allclose(full.loss_at, half.loss, rtol=0, atol=1e-13)
    # J never increases: accepted steps lower it
    assert torch.all(full.j <= full.j_at)
    # a float32 factor changes the steps, not what is accepted: J still never increases
    f32 = cs.minimise_gradient_norm(th, X, Y, max_iters=40, factor_dtype=torch.float32)
    assert f32.j.dtype == torch.float64 and torch.all(f32.j <= engine.loss_grad(th, X, Y)[1].pow(2).sum(1))


def test_search_points_rerun_the_search():
    # the same generator state gives the end points whose energy and index search recorded, batch by batch
    kw = dict(gd_steps=40, max_iters=60, batch=2, zero_tol=1e-3)
    res = cs.search(2, 8, 3, "tanh", torch.Generator().manual_seed(4), **kw)
    X, Y, th = cs.search_points(2, 8, 3, "tanh", torch.Generator().manual_seed(4), **kw)
    assert th.shape == (3, 8) and X.shape == (3, 8, 2)
    np.testing.assert_allclose(engine.loss(th, X, Y).numpy() / 2, res.energy, rtol=1e-12)
    np.testing.assert_allclose(engine.loss_grad(th, X, Y)[1].pow(2).sum(1).numpy(), res.j, rtol=1e-10)
    # the draws are those of draw_runs, batch after batch
    g = torch.Generator().manual_seed(4)
    X1, Y1, th0, levels = cs.draw_runs(2, 8, 2, "tanh", g)
    assert torch.equal(X1, X[:2]) and torch.equal(Y1, Y[:2]) and torch.equal(cs.draw_runs(2, 8, 1, "tanh", g)[0], X[2:])
    assert torch.all(levels <= engine.loss(th0, X1, Y1)) and torch.all(levels >= 0)
    with pytest.raises(TypeError, match="unexpected"):
        cs.search_points(2, 8, 1, "tanh", torch.Generator(), learning_rate=0.1)


def test_search_loop_equals_batched_search_of_one():
    kw = dict(gd_steps=40, max_iters=60)
    loop = cs.search_loop(2, 8, 3, "tanh", torch.Generator().manual_seed(2), **kw)
    g = torch.Generator().manual_seed(2)
    ones = [cs.search(2, 8, 1, "tanh", g, batch=1, **kw) for _ in range(3)]
    assert np.array_equal(loop.j, np.concatenate([o.j for o in ones]))


def test_flop_count_adds_the_phases():
    from landscape.nets import engine

    n, m = 4, 16
    P = 2 * n * n
    grad, hvp = engine.flops(n, n, n, m, "grad"), engine.flops(n, n, n, m, "hvp")
    assert cs.flop_count(n, m, gd_steps=5) == 5 * grad
    assert cs.flop_count(n, m, iterations=2, hvps=0) == 2 * (grad + 4 * P * P)
    # by default every iteration is counted with a Hessian-vector product (an upper bound)
    assert cs.flop_count(n, m, iterations=2) == 2 * (grad + 4 * P * P) + 2 * (hvp - grad)
    assert cs.flop_count(n, m, hessians=1) == engine.flops(n, n, n, m, "hessian") + 2 * P ** 3
    with pytest.raises(ValueError, match="iterations"):
        cs.flop_count(n, m, iterations=-1)
