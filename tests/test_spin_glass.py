import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from landscape.spin_glass import hamiltonian as sg


# --- Λ(N_e, H, n0) -------------------------------------------------------------------------
def test_726_weight_networks():
    # PRL text: input 10; 2 hidden layers (H = 3) and 6 hidden layers (H = 7) with 726 weights.
    assert sg.hidden_width(726, 3, 10) == pytest.approx(22.0, abs=1e-12)
    assert sg.hidden_width(726, 7, 10) == pytest.approx(11.0, abs=1e-12)
    assert sg.effective_weights(726, 3, 10) == pytest.approx((22**2 * 10) ** (1 / 3), rel=1e-14)
    assert sg.effective_weights(726, 7, 10) == pytest.approx((11**6 * 10) ** (1 / 7), rel=1e-14)


def test_h2_is_the_linear_limit():
    assert sg.hidden_width(110, 2, 10) == pytest.approx(10.0)
    assert sg.effective_weights(110, 2, 10) == pytest.approx(10.0)


@given(st.floats(10, 1e6), st.integers(2, 40), st.integers(1, 100))
def test_parameter_count_round_trip(N_e, H, n0):
    n1 = sg.hidden_width(N_e, H, n0)
    assert sg.parameter_count(n1, H, n0) == pytest.approx(N_e, rel=1e-10)
    lam = sg.effective_weights(N_e, H, n0)
    assert lam == pytest.approx(math.exp(((H - 1) * math.log(n1) + math.log(n0)) / H), rel=1e-12)


@given(st.floats(10, 1e6), st.integers(2, 40))
def test_arxiv_corrected_round_trip_and_printed_offset(N_e, H):
    lam = sg.effective_weights_arxiv(N_e, H)
    assert sg.parameter_count_arxiv(lam, H) == pytest.approx(N_e, rel=1e-10)
    assert sg.effective_weights_arxiv_as_printed(N_e, H) - lam == pytest.approx(1 / (H - 1), rel=1e-9)


def test_vectorised_over_arrays():
    out = sg.effective_weights(np.array([100.0, 726.0]), np.array([[3], [7]]), 10)
    assert out.shape == (2, 2)


@pytest.mark.parametrize("args, name", [((0, 3, 10), "N_e"), ((100, 1, 10), "H"), ((100, 2.5, 10), "H"),
                                        ((100, 3, 0), "n0"), ((np.nan, 3, 10), "N_e")])
def test_effective_weights_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        sg.effective_weights(*args)


# --- the Hamiltonian ----------------------------------------------------------------------
@pytest.mark.parametrize("H", [2, 3, 4, 5])
def test_derivatives_match_autograd(H):
    g = torch.Generator().manual_seed(H)
    c = sg.sample_couplings(5, H, g, dtype=torch.float64)
    w = sg.random_sphere_points(3, 5, g, dtype=torch.float64)
    E, grad, hess = sg.derivatives(c, w)
    for b in range(3):
        f = lambda v: sg.energy(c, v[None])[0]
        assert torch.allclose(grad[b], torch.func.grad(f)(w[b]), atol=1e-12)
        assert torch.allclose(hess[b], torch.func.hessian(f)(w[b]), atol=1e-12)
    # Euler's relation for a homogeneous form of degree H
    assert torch.allclose((grad * w).sum(1), H * E, atol=1e-12)


def test_symmetrised_energy_equals_raw_sum():
    g = torch.Generator().manual_seed(0)
    raw = torch.randn(4, 4, 4, generator=g, dtype=torch.float64)
    g2 = torch.Generator().manual_seed(0)
    c = sg.sample_couplings(4, 3, g2, dtype=torch.float64)
    w = torch.randn(2, 4, dtype=torch.float64)
    direct = torch.einsum("ijk,bi,bj,bk->b", raw, w, w, w) / 4.0
    assert torch.allclose(sg.energy(c, w), direct, atol=1e-12)


def test_riemannian_hessian_matches_second_derivative_along_geodesics():
    g = torch.Generator().manual_seed(1)
    c = sg.sample_couplings(6, 3, g, dtype=torch.float64)
    w = sg.random_sphere_points(1, 6, g, dtype=torch.float64)
    basis = sg.tangent_basis(w)[0]
    hess = sg.hessian(c, w)[0]
    R = math.sqrt(6)
    for j in range(5):
        v = basis[:, j]
        def along(t):  # geodesic through w with unit tangent v
            return (w[0] * torch.cos(t / R) + R * v * torch.sin(t / R))[None]
        second = torch.func.grad(torch.func.grad(lambda t: sg.energy(c, along(t))[0]))(torch.tensor(0.0, dtype=torch.float64))
        assert float(second) == pytest.approx(float(hess[j, j]), abs=1e-10)


def test_tangent_basis_is_orthonormal_and_tangent():
    w = sg.random_sphere_points(4, 7, torch.Generator().manual_seed(2), dtype=torch.float64)
    Q = sg.tangent_basis(w)
    assert torch.allclose(Q.transpose(1, 2) @ Q, torch.eye(6, dtype=torch.float64).expand(4, 6, 6), atol=1e-12)
    assert torch.allclose(torch.einsum("bi,bij->bj", w, Q), torch.zeros(4, 6, dtype=torch.float64), atol=1e-12)


def test_covariance_by_monte_carlo():
    # E H(w)H(w') = Λ r^H; 4 standard errors per overlap (seeded).
    rng = np.random.default_rng(0)
    pts = rng.normal(size=(4, 5))
    pts *= math.sqrt(5) / np.linalg.norm(pts, axis=1, keepdims=True)
    samples = sg.energy_samples(5, 3, pts, 20000, torch.Generator().manual_seed(0))
    prod = samples[:, :1] * samples
    se = prod.std(axis=0) / math.sqrt(prod.shape[0])
    np.testing.assert_array_less(np.abs(prod.mean(0) - sg.covariance(pts[:1], pts, 5, 3)), 4 * se)


def test_bad_input_on_the_sphere():
    g = torch.Generator().manual_seed(0)
    c = sg.sample_couplings(4, 3, g)
    with pytest.raises(ValueError, match="sphere"):
        sg.gradient(c, torch.ones(2, 4) * 3)
    with pytest.raises(ValueError, match="shape"):
        sg.energy(c, torch.ones(2, 5))
    with pytest.raises(ValueError, match="torch"):
        sg.energy(c, np.ones((2, 4)))
    with pytest.raises(ValueError, match="Lambda"):
        sg.sample_couplings(0, 3, g)
    with pytest.raises(ValueError, match="H"):
        sg.sample_couplings(4, 1, g)
    with pytest.raises(ValueError, match="GiB"):
        sg.sample_couplings(2000, 3, g)
    with pytest.raises(ValueError, match="Lambda"):
        sg.covariance(np.ones(3), np.ones(3), 0, 3)
    with pytest.raises(ValueError, match="points"):
        sg.energy_samples(3, 3, np.ones((2, 4)), 10)
