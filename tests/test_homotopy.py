import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape.spin_glass import homotopy as hm
from landscape.spin_glass import hamiltonian as sg


def _spin_glass_tensors(n, L, H, seed):
    g = torch.Generator().manual_seed(seed)
    return np.stack([sg.sample_couplings(L, H, g, dtype=torch.float64).tensor.numpy() for _ in range(n)])


# --- counts -------------------------------------------------------------------------------
def test_complex_count_int_values():
    # Cartwright & Sturmfels 2013, Thm 1.2: sum_{k<L} (H-1)^k
    assert hm.complex_count_int(5, 3) == 31
    assert hm.complex_count_int(3, 4) == 13
    assert hm.complex_count_int(4, 5) == 85
    assert hm.complex_count_int(7, 2) == 7


@given(st.integers(1, 8), st.integers(3, 7))
@settings(max_examples=25, deadline=None)
def test_diagonal_start_enumerates_every_class(L, H):
    rng = np.random.default_rng(L * 10 + H)
    d = rng.normal(size=L) + 1j * rng.normal(size=L)
    a = rng.normal(size=L) + 1j * rng.normal(size=L)
    x, lam = hm.diagonal_start(d, H, a, gamma=np.exp(0.3j))
    assert len(x) == hm.complex_count_int(L, H) == sum(math.comb(L, k) * (H - 2) ** (k - 1) for k in range(1, L + 1))
    np.testing.assert_allclose(x @ a, 1.0, atol=1e-9)
    lhs = np.exp(0.3j) * d * x ** (H - 1)
    rel = np.abs(lhs - lam[:, None] * x).max(axis=1) / (np.abs(lam) * np.abs(x).max(axis=1))
    assert rel.max() < 1e-12


# --- solver --------------------------------------------------------------------------------
@pytest.mark.parametrize("L,H", [(2, 3), (4, 3), (6, 3), (3, 4), (5, 4), (3, 5), (4, 5)])
def test_solver_finds_every_class(L, H):
    res = hm.tensor_eigenpairs_batch(_spin_glass_tensors(3, L, H, seed=L + 17 * H), rng=np.random.default_rng(1))
    for r in res:
        assert r.n_lost == 0 and r.n_found == hm.complex_count_int(L, H)
        assert r.residual.max() < 1e-10
        assert r.condition.max() < 1e10
        assert r.min_separation > 1e-6
        # parity: non-real classes come in conjugate pairs
        assert (r.n_found - r.n_real) % 2 == 0


def test_solutions_satisfy_eigen_equation_and_reals_are_critical_points():
    T = _spin_glass_tensors(1, 4, 3, seed=5)[0]
    r = hm.tensor_eigenpairs(T, rng=np.random.default_rng(2))
    v, _ = hm.contract(np.broadcast_to(T.astype(complex), (r.n_found,) + T.shape), r.x)
    np.testing.assert_allclose(v, r.lam[:, None] * r.x, atol=1e-12)
    w, lam = r.real_pairs()
    # real classes are critical points of the Hamiltonian on the sphere: Riemannian gradient zero
    c = sg.Couplings(tensor=torch.as_tensor(T), Lambda=4, H=3)
    wt = sg.project_to_sphere(torch.as_tensor(w))
    assert sg.gradient(c, wt).abs().max() < 1e-10


def test_real_count_is_invariant_to_the_homotopy_seed():
    T = _spin_glass_tensors(4, 4, 4, seed=9)
    a = [r.n_real for r in hm.tensor_eigenpairs_batch(T, rng=np.random.default_rng(1))]
    b = [r.n_real for r in hm.tensor_eigenpairs_batch(T, rng=np.random.default_rng(2))]
    assert a == b


def test_orthogonally_decomposable_tensor_has_known_real_eigenvectors():
    # T = sum_i e_i^{x3} in an orthonormal basis Q: its eigenvectors include the columns of Q (λ = 1).
    Q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))
    T = sum(np.einsum("i,j,k->ijk", Q[:, i], Q[:, i], Q[:, i]) for i in range(3))
    r = hm.tensor_eigenpairs(T, rng=np.random.default_rng(3))
    assert r.n_found == 7
    w, lam = r.real_pairs()
    for i in range(3):
        assert np.min(np.abs(np.abs(w @ Q[:, i]) - 1.0)) < 1e-10


def test_h2_is_the_matrix_eigenproblem():
    A = np.random.default_rng(1).normal(size=(5, 5))
    A = A + A.T
    r = hm.tensor_eigenpairs(A, rng=np.random.default_rng(0))
    assert r.n_found == r.n_real == 5
    np.testing.assert_allclose(np.sort(r.lam.real), np.linalg.eigvalsh(A), atol=1e-12)


def test_non_symmetric_tensor_via_partial_symmetrisation():
    X = np.random.default_rng(2).normal(size=(3, 3, 3))
    Ts = hm.partial_symmetrize(X)
    r = hm.tensor_eigenpairs(Ts, symmetric="tail", rng=np.random.default_rng(0))
    assert r.n_found == 7
    # eigen-equation of the original (un-symmetrised) tensor
    v = np.einsum("ijk,bj,bk->bi", X, r.x, r.x)
    np.testing.assert_allclose(v, r.lam[:, None] * r.x, atol=1e-11)


def test_lost_paths_are_reported_not_hidden(monkeypatch):
    # sabotage the tracker: every path fails -> the result must say so, and tensor_eigenpairs must raise
    def broken(T_flat, owner, z0, *args, **kwargs):
        return z0, np.zeros(len(z0), dtype=bool), 0

    monkeypatch.setattr(hm, "_track", broken)
    T = _spin_glass_tensors(1, 3, 3, seed=0)
    r = hm.tensor_eigenpairs_batch(T, rng=np.random.default_rng(0), max_attempts=2)[0]
    assert r.n_lost == 7 and r.n_found == 0 and r.attempts == 2
    with pytest.raises(RuntimeError, match="lost 7 of 7"):
        hm.tensor_eigenpairs(T[0], rng=np.random.default_rng(0), max_attempts=1)
    assert hm.tensor_eigenpairs(T[0], rng=np.random.default_rng(0), max_attempts=1, allow_lost=True).n_lost == 7


# --- bad input -----------------------------------------------------------------------------
RNG = np.random.default_rng(0)


def test_rng_is_required_and_must_be_a_generator():
    T = _spin_glass_tensors(1, 3, 3, seed=0)
    with pytest.raises(TypeError, match="rng"):
        hm.tensor_eigenpairs_batch(T)  # no silent default seed
    for bad in (0, None, "0"):
        with pytest.raises(ValueError, match="rng"):
            hm.tensor_eigenpairs_batch(T, rng=bad)


def test_bad_tensors():
    with pytest.raises(ValueError, match="square"):
        hm.tensor_eigenpairs(np.zeros((2, 3, 3)), rng=RNG)
    with pytest.raises(ValueError, match="order H >= 2"):
        hm.tensor_eigenpairs(np.zeros(3), rng=RNG)
    with pytest.raises(ValueError, match="symmetric"):
        hm.tensor_eigenpairs(np.random.default_rng(0).normal(size=(3, 3, 3)), rng=RNG)
    with pytest.raises(ValueError, match="finite"):
        hm.tensor_eigenpairs(np.full((2, 2, 2), np.nan), rng=RNG)
    with pytest.raises(ValueError, match="numeric"):
        hm.tensor_eigenpairs(np.array([["a", "b"], ["c", "d"]]), rng=RNG)
    with pytest.raises(ValueError, match="symmetric"):
        hm.tensor_eigenpairs(np.zeros((2, 2, 2)), symmetric="bogus", rng=RNG)
    with pytest.raises(ValueError, match="max_attempts"):
        hm.tensor_eigenpairs_batch(np.zeros((1, 2, 2, 2)), rng=RNG, max_attempts=0)
    with pytest.raises(ValueError, match="H"):
        hm.diagonal_start(np.ones(2), 2, np.ones(2))
    with pytest.raises(ValueError, match="Lambda"):
        hm.complex_count_int(2.5, 3)
    with pytest.raises(ValueError, match="H"):
        hm.complex_count_int(3, 1)
    with pytest.raises(ValueError, match="at least 2 axes"):
        hm.partial_symmetrize(np.zeros(3))


def test_accepts_float32_torch_couplings():
    g = torch.Generator().manual_seed(4)
    c32 = sg.sample_couplings(4, 3, g)  # float32, symmetric only to single precision
    r = hm.tensor_eigenpairs(c32.tensor, rng=np.random.default_rng(0))
    assert r.n_found == 15 and r.residual.max() < 1e-10
