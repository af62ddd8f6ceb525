"""Tests of landscape.spin_glass.sphere: the batched minimiser on the sphere and the Hessian spectrum."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape.spin_glass import sphere
from landscape.spin_glass import hamiltonian as sg

F64 = torch.float64


def _setup(Lambda, H, batch, seed=0):
    g = torch.Generator().manual_seed(seed)
    c = sg.sample_couplings(Lambda, H, g, dtype=F64)
    w0 = sg.random_sphere_points(batch, Lambda, g, dtype=F64)
    return c, w0


# --------------------------------------------------------------------------------------
# H = 2: the problem is an eigenproblem, so everything has an exact reference
# --------------------------------------------------------------------------------------
def test_h2_descent_reaches_ground_state_and_spectrum_is_exact():
    # E(w) = s w^T T w with s = Λ^{-1/2}; on |w|^2 = Λ the minimum is Λ s λ_min(T), attained
    # at the bottom eigenvector, and the Riemannian Hessian there has eigenvalues
    # 2 s (λ_j - λ_min), j >= 2 (all other critical points are saddles).
    L = 30
    c, w0 = _setup(L, 2, 8, seed=3)
    lam = torch.linalg.eigvalsh(c.tensor)
    res = sphere.minimise(c, w0, grad_tol=1e-9, max_steps=20000)
    assert bool(res.converged.all())
    ground = L * c.scale * lam[0]
    assert torch.allclose(res.energy, ground.expand(8), rtol=1e-10, atol=1e-10)
    ev = sphere.hessian_spectrum(c, res.w, batch_size=3)
    expected = 2 * c.scale * (lam[1:] - lam[0])
    assert torch.allclose(ev, expected.expand(8, L - 1), atol=1e-7)
    assert sphere.index(ev, 1e-8).tolist() == [0] * 8


# --------------------------------------------------------------------------------------
# End points are critical points on the sphere
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("H", [3, 4])
def test_end_points_are_critical_and_on_sphere(H):
    L = 12 if H == 4 else 25
    c, w0 = _setup(L, H, 16, seed=H)
    res = sphere.minimise(c, w0, grad_tol=1e-7)
    assert bool(res.converged.all())
    assert torch.allclose((res.w ** 2).sum(1), torch.full((16,), float(L), dtype=F64), rtol=1e-12)
    # the reported energy and gradient agree with an independent evaluation
    assert torch.allclose(res.energy, sg.energy(c, res.w), rtol=1e-12, atol=1e-12)
    rg = sg.gradient(c, res.w).norm(dim=1)
    assert torch.allclose(rg, res.grad_norm, rtol=1e-6, atol=1e-12)
    assert bool((rg <= 1e-7).all())
    assert bool((res.energy < sg.energy(c, w0)).all())
    # descent from random starts ends in local minima (index 0) for these small systems
    ev = sphere.hessian_spectrum(c, res.w)
    assert bool((sphere.index(ev, 1e-6) == 0).all())


def test_frozen_start_takes_no_step_and_batches_are_independent():
    # Batched and single-row evaluations round differently (different BLAS blockings), so the
    # comparisons below use tolerances from the conditioning of each quantity, not bit equality.
    L, tol = 20, 1e-8
    c, w0 = _setup(L, 3, 6, seed=5)
    first = sphere.minimise(c, w0, grad_tol=tol)
    assert bool(first.converged.all())
    # a start with |grad| <= tol is frozen: re-evaluating its gradient in another batch changes it
    # by round-off, ~1e-16 * |Euclidean gradient| = O(1e-16 sqrt(Λ)) << tol, so a tolerance of 2 tol
    # cannot be crossed; the only change to the point is the retraction's rounding (a few ulp of √Λ)
    mixed = torch.cat([first.w[:2], w0[2:]])
    again = sphere.minimise(c, mixed, grad_tol=2 * tol)
    assert again.steps[:2].tolist() == [0, 0]
    assert torch.allclose(again.w[:2], first.w[:2], rtol=0, atol=1e-13)
    # each start evolves as if it were alone.  (a) Over a few steps: round-off (1e-16 √Λ) grows by at
    # most 1 + μ + lr·max|λ| <= 2.9 per heavy-ball step (lr·max|λ| <= 1 for the default step), so
    # after 10 steps the difference is below 1e-16 · √20 · 2.9^10 ≈ 2e-11.
    few = sphere.minimise(c, w0, max_steps=10, grad_tol=1e-12)
    for i in (2, 5):
        alone = sphere.minimise(c, w0[i:i + 1], max_steps=10, grad_tol=1e-12)
        assert torch.allclose(alone.w[0], few.w[i], rtol=0, atol=1e-9)
    # (b) To convergence: both runs stop within |grad|/λ_min of the same minimum (λ_min the
    # smallest Hessian eigenvalue there), so they agree to 2 tol/λ_min, with a factor 2 for the
    # quadratic model; energies to (2 tol)²/λ_min.  The step counts may differ by a few where
    # the gradient norm crosses tol.
    lam_min = sphere.hessian_spectrum(c, first.w)[:, 0]
    for i in (2, 5):
        alone = sphere.minimise(c, w0[i:i + 1], grad_tol=tol)
        assert bool(alone.converged[0]) and float(lam_min[i]) > 0
        assert float((alone.w[0] - first.w[i]).norm()) <= 2 * 2 * tol / float(lam_min[i]) + 1e-12
        assert abs(float(alone.energy[0] - first.energy[i])) <= 4 * tol**2 / float(lam_min[i]) + 1e-12 * L
        assert abs(int(alone.steps[0]) - int(first.steps[i])) <= 5


def test_chunked_evaluation_matches(monkeypatch):
    c, w0 = _setup(15, 3, 10, seed=2)
    whole = sphere.minimise(c, w0, max_steps=50)
    monkeypatch.setattr(sphere, "CHUNK_BYTES", 15 * 15 * 8 * 3)  # 3 rows per chunk
    chunked = sphere.minimise(c, w0, max_steps=50)
    assert torch.allclose(whole.w, chunked.w, atol=1e-12)
    assert whole.steps.tolist() == chunked.steps.tolist() == [50] * 10
    assert not bool(whole.converged.any())


def test_float32_and_unnormalised_start():
    g = torch.Generator().manual_seed(0)
    c = sg.sample_couplings(20, 3, g)  # float32
    w0 = 3.0 * torch.randn(5, 20, generator=g)  # not on the sphere: rescaled
    res = sphere.minimise(c, w0, grad_tol=1e-3)
    assert res.w.dtype == torch.float32 and bool(res.converged.all())
    assert torch.allclose(res.w.norm(dim=1), torch.full((5,), math.sqrt(20.0)), rtol=1e-5)
    # float64 couplings with float32 points: converted once, same answer type
    c64 = sg.Couplings(c.tensor.double(), c.Lambda, c.H)
    res2 = sphere.minimise(c64, w0, grad_tol=1e-3)
    assert res2.w.dtype == torch.float32


# --------------------------------------------------------------------------------------
# The step size: O(1) curvature independent of Λ, monotone descent at lr = 1/L(H)
# --------------------------------------------------------------------------------------
def test_default_lr_value():
    # 1 / (4 sqrt(H(H-1))): H = 3 -> 1/(4 sqrt 6)
    assert sphere.default_lr(3) == pytest.approx(1 / (4 * math.sqrt(6)), rel=1e-15)
    assert sphere.default_lr(2) == pytest.approx(1 / (4 * math.sqrt(2)), rel=1e-15)


@pytest.mark.parametrize("H,L", [(2, 10), (2, 40), (3, 10), (3, 40), (4, 12)])
def test_plain_descent_with_default_lr_is_monotone(H, L):
    c, w0 = _setup(L, H, 8, seed=10 * H + L)
    prev = sg.energy(c, w0)
    w = w0
    for _ in range(40):  # one step at a time, momentum off
        res = sphere.minimise(c, w, max_steps=1, momentum=0.0, grad_tol=1e-12)
        assert bool((res.energy <= prev + 1e-10).all())
        prev, w = res.energy, res.w


@pytest.mark.parametrize("L", [10, 30, 80])
def test_curvature_is_order_one_in_lambda(L):
    # largest Riemannian curvature at local minima (where |E|/Λ is largest, so the shift
    # -H E/Λ adds to the bulk) stays below the heavy-ball stability limit 2(1+μ)/lr and
    # below 2/lr (plain GD stability) for every Λ; it is close to 1/lr = 4 sqrt(H(H-1)).
    H = 3
    c, w0 = _setup(L, H, 12, seed=L)
    res = sphere.minimise(c, w0, grad_tol=1e-6)
    ev = sphere.hessian_spectrum(c, res.w)
    top = float(ev[:, -1].max())
    inv_lr = 1 / sphere.default_lr(H)
    assert top < 2 * inv_lr
    assert 0.6 * inv_lr < top < 1.4 * inv_lr


# --------------------------------------------------------------------------------------
# hessian_spectrum and index
# --------------------------------------------------------------------------------------
def test_hessian_spectrum_matches_direct_eigvalsh_and_batching():
    c, w0 = _setup(12, 3, 7, seed=1)
    ev = sphere.hessian_spectrum(c, w0, batch_size=2)
    ref = torch.linalg.eigvalsh(sg.hessian(c, w0))
    assert ev.shape == (7, 11)
    assert torch.allclose(ev, ref, atol=1e-10)
    assert bool((ev[:, 1:] >= ev[:, :-1]).all())


def test_hessian_spectrum_by_finite_differences_along_geodesics():
    # second derivative of E along the great circle w cos t + √Λ u sin t equals u^T Hess u
    c, w0 = _setup(10, 3, 1, seed=4)
    w = w0[0]
    L = 10
    basis = sg.tangent_basis(w0)[0]
    Hm = sg.hessian(c, w0)[0]
    for j in (0, 4):
        u = basis[:, j]
        h = 1e-4
        pts = torch.stack([w * math.cos(t) + math.sqrt(L) * u * math.sin(t) for t in (-h, 0.0, h)])
        e = sg.energy(c, pts)
        second = float((e[0] - 2 * e[1] + e[2]) / h**2) / L  # d/dt = √Λ along unit tangent u
        assert second == pytest.approx(float(Hm[j, j]), rel=1e-5, abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=1, max_size=20), st.floats(0, 3))
def test_index_counts_below_minus_tol(values, tol):
    ev = torch.tensor([sorted(values)], dtype=F64)
    k = int(sphere.index(ev, tol)[0])
    assert k == sum(v < -tol for v in values)
    assert 0 <= k <= len(values)
    assert int(sphere.index(ev, tol + 1.0)[0]) <= k  # monotone in tol


def test_index_accepts_numpy():
    assert sphere.index(np.array([[-2.0, -1.0, 1.0]]), 0.5).tolist() == [2]


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------
def test_bad_inputs():
    c, w0 = _setup(8, 3, 2)
    with pytest.raises(ValueError, match="couplings"):
        sphere.minimise("x", w0)
    with pytest.raises(ValueError, match="w0"):
        sphere.minimise(c, w0[:, :5])
    with pytest.raises(ValueError, match="w0"):
        sphere.minimise(c, w0.numpy())
    with pytest.raises(ValueError, match="w0"):
        sphere.minimise(c, torch.full((2, 8), float("nan"), dtype=F64))
    with pytest.raises(ValueError, match="w0"):
        sphere.minimise(c, torch.zeros(2, 8, dtype=F64))
    with pytest.raises(ValueError, match="w0"):
        sphere.minimise(c, torch.ones(2, 8, dtype=torch.long))
    with pytest.raises(ValueError, match="lr"):
        sphere.minimise(c, w0, lr=-1.0)
    with pytest.raises(ValueError, match="max_steps"):
        sphere.minimise(c, w0, max_steps=-1)
    with pytest.raises(ValueError, match="grad_tol"):
        sphere.minimise(c, w0, grad_tol=0.0)
    with pytest.raises(ValueError, match="momentum"):
        sphere.minimise(c, w0, momentum=1.0)
    with pytest.raises(ValueError, match="progress"):
        sphere.minimise(c, w0, progress="yes")
    with pytest.raises(ValueError, match="couplings"):
        sphere.hessian_spectrum(None, w0)
    with pytest.raises(ValueError, match="w"):
        sphere.hessian_spectrum(c, 2 * w0)
    with pytest.raises(ValueError, match="batch_size"):
        sphere.hessian_spectrum(c, w0, batch_size=0)
    with pytest.raises(ValueError, match="tol"):
        sphere.index(torch.zeros(2, 3), -1.0)
    with pytest.raises(ValueError, match="eigenvalues"):
        sphere.index(torch.zeros(3), 0.0)
    with pytest.raises(ValueError, match="eigenvalues"):
        sphere.index(torch.tensor([[float("nan")]]), 0.0)
    with pytest.raises(ValueError, match="H"):
        sphere.default_lr(1)


def test_doctests():
    import doctest

    failures, _ = doctest.testmod(sphere)
    assert failures == 0


def test_descent_experiment_table():
    g = torch.Generator().manual_seed(7)
    df = sphere.descent_experiment(15, 3, n_starts=20, n_draws=2, generator=g, dtype=F64, grad_tol_rms=1e-6)
    assert len(df) == 40 and set(df["draw"]) == {0, 1}
    assert df["converged"].all()
    assert (df["grad_norm"] <= 1e-6 * math.sqrt(15)).all()
    assert (df["index"] == 0).all() and (df["lambda_min"] > 0).all()
    assert df["energy"].between(-3, 0).all()
    with pytest.raises(ValueError, match="n_starts"):
        sphere.descent_experiment(15, 3, n_starts=0)
    with pytest.raises(ValueError, match="Lambda"):
        sphere.descent_experiment(1, 3, n_starts=5)
    with pytest.raises(ValueError, match="grad_tol_rms"):
        sphere.descent_experiment(10, 3, n_starts=5, grad_tol_rms=0)
    with pytest.raises(ValueError, match="continue_saddles"):
        sphere.descent_experiment(10, 3, n_starts=5, continue_saddles=1.0)
    with pytest.raises(ValueError, match="continue_saddles"):
        sphere.descent_experiment(10, 3, n_starts=5, continue_saddles=10.0, hessian=False)


def test_descent_experiment_continues_saddles():
    # A tolerance far above the gradient at a random point (RMS O(1)) stops every start at step 0,
    # where the energy is O(1) above the minima and the index is of order Λ/2; continued with a
    # 1e7 times smaller tolerance (1e-6 RMS) they must reach minima, as in test_descent_experiment_table
    # (descent from random starts converges to a saddle with probability zero).
    g = torch.Generator().manual_seed(7)
    df = sphere.descent_experiment(15, 3, n_starts=20, n_draws=1, generator=g, dtype=F64,
                                   grad_tol_rms=10.0, index_tol=0.0, continue_saddles=1e7)
    assert (df["steps"] == 0).all() and (df["index"] > 0).all()
    assert (df["index_continued"] == 0).all() and df["converged_continued"].all()
    assert (df["energy_continued"] < df["energy"]).all() and (df["steps_continued"] > 0).all()
    # rows of index 0 are left as they were
    g = torch.Generator().manual_seed(7)
    tight = sphere.descent_experiment(15, 3, n_starts=20, n_draws=1, generator=g, dtype=F64,
                                      grad_tol_rms=1e-6, continue_saddles=10.0)
    assert (tight["index"] == 0).all() and (tight["steps_continued"] == 0).all()
    assert (tight["energy_continued"] == tight["energy"]).all()
    assert (tight["index_continued"] == tight["index"]).all()
