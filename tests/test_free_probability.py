import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from landscape.rmt import free_probability as fp
from landscape.nets import networks
from landscape.rmt import random_matrix as rm


# ---------------------------------------------------------------- machinery against closed forms
def test_generic_density_reproduces_semicircle_and_marchenko_pastur():
    lam = np.linspace(-4, 7, 1201)
    for v in (0.5, 2.0):
        assert np.allclose(fp.density(fp.r_semicircle(v), lam), rm.semicircle_density(lam, v), atol=1e-12)
    for phi in (0.1, 0.5, 0.9):
        for s in (1.0, 0.5):
            got = fp.density(fp.r_marchenko_pastur(phi, s), lam)
            assert np.allclose(got, rm.marchenko_pastur_density(lam, phi, variance=s), atol=1e-12)


@pytest.mark.parametrize("z", [-0.3 + 0.05j, 4.0 + 2.0j])
def test_stieltjes_off_axis_is_the_integral_of_the_density(z):
    # G(z) = ∫ ρ(t)/(z − t) dt (eq. (11)) for the Wishart + Wigner law, by adaptive quadrature
    r = fp.wishart_wigner_r(0.05, 0.5)
    (a, b), = fp.support_intervals(r)
    f = lambda t, part: getattr(fp.density(r, np.array([t]))[0] / (z - t), part)
    re = integrate.quad(f, a, b, args=("real",), limit=200, epsabs=1e-12)[0]
    im = integrate.quad(f, a, b, args=("imag",), limit=200, epsabs=1e-12)[0]
    assert complex(fp.stieltjes(r, z)) == pytest.approx(re + 1j * im, abs=1e-8)


def _brute_density(r, lam):
    """Density from all roots of P(G; λ): the root with Im G < 0, if there is exactly one."""
    P = fp.stieltjes_polynomial(r, lam)
    out = np.zeros(lam.size)
    for i in range(lam.size):
        c = np.array([np.broadcast_to(p, lam.shape)[i] for p in P], dtype=complex)
        while abs(c[-1]) == 0:
            c = c[:-1]
        roots = np.roots(c[::-1])
        neg = roots[roots.imag < -1e-9]
        assert len(neg) <= 1
        out[i] = -neg.imag.min() / np.pi if len(neg) else 0.0
    return out


@settings(max_examples=15, deadline=None)
@given(st.floats(0.05, 3.0), st.floats(-4.0, 1.0), st.floats(0.3, 2.0))
def test_continuation_selects_the_same_root_as_brute_force(phi, log_eps, sigma):
    eps = 10.0**log_eps
    for r in (fp.wishart_wigner_r(eps, phi), fp.improved_r(eps, min(phi, 1.9), sigma),
              fp.r_product_wishart(eps, min(phi, 0.99))):
        edges = fp.support_edges(r)
        lam = np.concatenate([np.linspace(edges.min() - 1, edges.max() + 1, 150), edges + 1e-7, edges - 1e-7])
        assert np.allclose(fp.density(r, lam), _brute_density(r, lam), atol=1e-6)


def test_cubic_and_quartic_are_the_generic_stieltjes_polynomial():
    z = np.array([0.3 + 0.2j, -1.0, 2.5])
    gen = fp.stieltjes_polynomial(fp.wishart_wigner_r(0.07, 0.4), z)
    cub = fp.wishart_wigner_cubic(z, 0.07, 0.4)
    for g, c in zip(gen, cub):          # generic P = −(eq. (18) with ε)
        assert np.allclose(g, -np.asarray(c))
    gen = fp.stieltjes_polynomial(fp.improved_r(0.3, 0.6, 0.7), z)
    quart = fp.improved_quartic(z, 0.3, 0.6, 0.7)
    for g, q in zip(gen, quart):        # generic P = −(eq. (30) with ε, as "= 0")
        assert np.allclose(g, -np.asarray(q))


@pytest.mark.parametrize("eps,phi", [(0.01, 0.3), (0.2, 0.5), (0.05, 1.5), (1.0, 0.9)])
def test_density_mass_and_moments(eps, phi):
    r = fp.wishart_wigner_r(eps, phi)
    # free cumulants add: mean 1, variance φ + 2ε
    assert fp.integrate_density(r) == pytest.approx(1.0, abs=1e-9)
    assert fp.integrate_density(r, moment=1) == pytest.approx(1.0, abs=1e-9)
    assert fp.integrate_density(r, moment=2) == pytest.approx(1.0 + phi + 2 * eps, abs=1e-8)
    d = fp.wishart_wigner_density(np.linspace(-3, 8, 4000), eps, phi)
    assert np.trapezoid(d, dx=11 / 3999) == pytest.approx(1.0, abs=2e-3)


def test_product_wishart_moments_from_density():
    for eps, phi in [(50.0, 1 / 16), (1.0, 0.25), (2.0, 0.7)]:
        r = fp.r_product_wishart(eps, phi)
        m2, m4 = fp.product_wishart_moments(eps, phi)
        assert fp.integrate_density(r) == pytest.approx(1.0, abs=1e-9)
        assert fp.integrate_density(r, moment=2) == pytest.approx(m2, rel=1e-8)
        assert fp.integrate_density(r, moment=4) == pytest.approx(m4, rel=1e-8)


def test_discriminant_reference_values():
    # (x−1)(x−2)(x−3) = x³ − 6x² + 11x − 6: Π(r_i − r_j)² = 1·4·1 = 4
    assert float(fp.discriminant([-6.0, 11.0, -6.0, 1.0])) == pytest.approx(4.0)
    assert float(fp.discriminant([1.0, 0.0, 1.0])) == pytest.approx(-4.0)   # x² + 1
    assert float(fp.discriminant([-6.0, 11.0, -6.0, 1.0, 0.0])) == pytest.approx(4.0)  # zero leading term


# ---------------------------------------------------------------- §4: index and critical energy
@given(st.floats(1e-3, 0.999))
def test_critical_energy_equals_printed_eq21(phi):
    assert fp.critical_energy(phi) == pytest.approx(fp.critical_energy_printed(phi), rel=1e-6, abs=1e-15)


def test_critical_energy_domain():
    assert fp.critical_energy(1.0) == 0.0
    assert np.all(fp.critical_energy(np.array([1.5, 3.0])) == 0.0)
    assert fp.critical_energy_printed(2.0) < 0          # the printed formula is meaningless there
    assert fp.index(1e-6, 2.0) == pytest.approx(0.25, abs=2e-3)   # atom 1 − 1/φ spreads symmetrically
    assert fp.index(1e-5, 1.0) > 0


def test_critical_energy_expansion_near_one():
    # sympy series of eq. (21): 2δ³/27 + 2δ⁴/81 + 8δ⁵/729 + O(δ⁶), δ = 1 − φ
    for d in (1e-1, 1e-2, 1e-3):
        assert fp.critical_energy(1 - d) == pytest.approx(2 * d**3 / 27 + 2 * d**4 / 81 + 8 * d**5 / 729, rel=1e-2 * d**2 + 1e-12)


@pytest.mark.parametrize("phi", [0.1, 0.5, 0.9])
def test_critical_energy_from_edge_and_discriminant(phi):
    ec = fp.critical_energy(phi)
    make = lambda e: fp.wishart_wigner_r(e, phi)
    assert fp.critical_energy_numeric(make, 10.0, method="edge") == pytest.approx(ec, rel=1e-9)
    assert fp.critical_energy_numeric(make, 10.0, method="discriminant") == pytest.approx(ec, rel=1e-9)
    assert fp.index(ec * (1 - 1e-6), phi) == 0.0
    a = fp.index(ec * (1 + np.array([1e-3, 1e-2])), phi)
    assert np.all(a > 0)
    assert np.log(a[1] / a[0]) / np.log(10) == pytest.approx(1.5, abs=5e-3)


def test_index_is_vectorised_and_monotone():
    eps = np.array([0.0, 0.01, 0.05, 0.1, 0.5, 2.0])
    a = fp.index(eps, 0.5)
    assert a.shape == eps.shape and a[0] == 0.0
    assert np.all(np.diff(a) >= 0) and a[-1] < 0.5


@pytest.mark.parametrize("phi,sigma", [(0.2, 1.0), (0.6, 0.5), (0.9, 2.0)])
def test_improved_critical_energy_eq32(phi, sigma):
    ec = fp.improved_critical_energy(phi, sigma)
    assert ec == pytest.approx(fp.improved_critical_energy(phi, sigma, printed=True), rel=1e-8)
    make = lambda e: fp.improved_r(e, phi, sigma)
    assert fp.critical_energy_numeric(make, 100.0, method="edge") == pytest.approx(ec, rel=1e-9)
    assert fp.critical_energy_numeric(make, 100.0, method="discriminant") == pytest.approx(ec, rel=1e-9)
    assert fp.improved_index(ec * 0.999, phi, sigma) == 0.0 and fp.improved_index(ec * 1.01, phi, sigma) > 0


def test_improved_expansion_eq33():
    # sympy: 8σ²δ³/27 + 8σ²δ⁴/27 + O(δ⁵)
    for d in (1e-2, 1e-3):
        assert fp.improved_critical_energy(1 - d, 0.5) == pytest.approx(2 * d**3 / 27 * (1 + d), rel=5 * d**2)


# ---------------------------------------------------------------- against sampled matrices
def test_sampled_wishart_plus_wigner_matches_theory():
    n, phi, eps = 600, 0.5, 0.05
    g = torch.Generator().manual_seed(3)
    H = rm.sample_wishart(n, int(n / phi), generator=g) + rm.sample_goe(n, generator=g, variance=2 * eps)
    ev = np.linalg.eigvalsh(H.numpy())
    r = fp.wishart_wigner_r(eps, phi)
    ks = fp.empirical_cdf_distance(ev, lambda x: fp.distribution_function(r, x))
    assert ks < 2 * np.log(n) / n
    # the test has power: the law with twice the energy is rejected
    wrong = fp.wishart_wigner_r(2 * eps, phi)
    assert fp.empirical_cdf_distance(ev, lambda x: fp.distribution_function(wrong, x)) > 2 * np.log(n) / n
    sd = np.sqrt(2 * np.log(n)) / np.pi / n
    assert np.mean(ev < 0) == pytest.approx(fp.index(eps, phi), abs=4 * sd + 2 / n)


def _residual_hessian(theta, X, E, net):
    """:math:`H_1 = (1/m)\\sum_{i\\mu} E_{\\mu i}\\,\\nabla^2_\\theta \\hat y_{i\\mu}` for given residuals E (m × n_out), eq. (4)/(23).

    With E replaced by noise of variance 2ε this is the matrix of Fig. 3 of Pennington & Bahri.
    """
    from torch.func import hessian as _hessian

    if E.shape != (X.shape[0], net.widths[-1]):
        raise ValueError(f"`E` must have shape ({X.shape[0]}, {net.widths[-1]}); got {tuple(E.shape)}")
    return _hessian(lambda t: (networks.forward(t, X, net) * E).sum() / X.shape[0])(theta)


def test_relu_h1_equals_exact_hessian():
    net = networks.MLP((4, 5, 3), activation="relu", bias=False)
    g = torch.Generator().manual_seed(0)
    theta = networks.init_params(net, 1, g)[0]
    X = torch.randn(20, 4, generator=g, dtype=torch.float64)
    E = torch.randn(20, 3, generator=g, dtype=torch.float64)
    H1 = _residual_hessian(theta, X, E, net).numpy()
    W1 = theta[:20].reshape(4, 5).numpy()
    assert np.allclose(np.linalg.eigvalsh(H1), fp.relu_h1_eigenvalues(X.numpy(), W1, E.numpy()), atol=1e-12)
    Y = torch.randn(20, 3, generator=g, dtype=torch.float64)
    H, H0, H1b = fp.gauss_newton_split(theta, X, Y, net)
    assert torch.allclose(H0 + H1b, H)
    assert torch.allclose(H0, fp.gauss_newton(theta, X, net))
    assert np.linalg.eigvalsh(H0.numpy()).min() > -1e-12
    Eres = (networks.forward(theta, X, net) - Y)
    assert torch.allclose(H1b, _residual_hessian(theta, X, Eres, net), atol=1e-12)


def test_haar_orthogonal():
    Q = fp.haar_orthogonal(50, np.random.default_rng(0))
    assert np.allclose(Q @ Q.T, np.eye(50), atol=1e-12)


# ---------------------------------------------------------------- bad input
def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="phi"):
        fp.wishart_wigner_density(0.5, 0.1, 0.0)
    with pytest.raises(ValueError, match="phi"):
        fp.index(0.1, -1.0)
    with pytest.raises(ValueError, match="phi"):
        fp.critical_energy(0.0)
    with pytest.raises(ValueError, match="phi"):
        fp.improved_critical_energy(-0.5)
    with pytest.raises(ValueError, match="epsilon"):
        fp.wishart_wigner_density(0.5, -0.1, 0.5)
    with pytest.raises(ValueError, match="epsilon"):
        fp.index(np.array([0.1, -1.0]), 0.5)
    with pytest.raises(ValueError, match="epsilon"):
        fp.improved_index(-1.0, 0.5)
    with pytest.raises(ValueError, match="epsilon"):
        fp.product_wishart_density(0.0, 0.0, 0.5)
    with pytest.raises(ValueError, match="lam"):
        fp.wishart_wigner_density(np.array([0.0, np.nan]), 0.1, 0.5)
    with pytest.raises(ValueError, match="lam"):
        fp.improved_density(np.inf, 0.1, 0.5)
    with pytest.raises(ValueError, match="sigma"):
        fp.improved_density(0.0, 0.1, 0.5, sigma=0.0)
    with pytest.raises(ValueError, match="z"):
        fp.stieltjes(fp.r_semicircle(1.0), 1.0 - 0.1j)
    with pytest.raises(ValueError, match="eigenvalues"):
        fp.empirical_cdf_distance([np.nan], lambda x: x)
    with pytest.raises(ValueError, match="n"):
        fp.haar_orthogonal(0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="method"):
        fp.critical_energy_numeric(lambda e: fp.wishart_wigner_r(e, 0.5), 1.0, method="x")
    with pytest.raises(ValueError, match="shapes"):
        fp.relu_h1_eigenvalues(np.ones((3, 2)), np.ones((3, 2)), np.ones((3, 2)))


def test_failed_root_selection_raises():
    # a "semicircle with negative variance" is no law: no root with Im G <= 0 is reached
    with pytest.raises(fp.RootSelectionError):
        fp.density(fp.RationalR((0.0, -1.0), (1.0,)), np.linspace(-1, 1, 5))
    with pytest.raises(fp.RootSelectionError):
        fp.stieltjes(fp.r_product_wishart(-1.0, 0.5), np.array([0.3j]))


def test_density_is_fast():
    import time

    lam = np.linspace(-1, 4, 4000)
    fp.wishart_wigner_density(lam, 0.1, 0.5)
    t = time.perf_counter()
    fp.wishart_wigner_density(lam, 0.1, 0.5)
    assert time.perf_counter() - t < 0.5   # ~0.03 s unloaded; generous for a shared CI machine


def test_relu_gauss_newton_equals_torch_jacobian():
    net = networks.MLP((4, 5, 3), activation="relu", bias=False)
    g = torch.Generator().manual_seed(1)
    theta = networks.init_params(net, 1, g)[0]
    X = torch.randn(30, 4, generator=g, dtype=torch.float64)
    H0 = fp.gauss_newton(theta, X, net).numpy()
    H0b = fp.relu_gauss_newton(X.numpy(), theta[:20].reshape(4, 5).numpy(), theta[20:].reshape(5, 3).numpy())
    assert np.allclose(H0, H0b, atol=1e-13)
    with pytest.raises(ValueError, match="shapes"):
        fp.relu_gauss_newton(np.ones((3, 2)), np.ones((3, 2)), np.ones((2, 2)))


def test_wishart_eigenvalues_bidiagonal_model():
    rng = np.random.default_rng(5)
    n, m, reps = 120, 240, 64
    ev = np.array([fp.wishart_eigenvalues(n, m, rng) for _ in range(reps)])
    m1, m2 = ev.mean(1), (ev**2).mean(1)
    # E tr W / n = 1 and E tr W² / n = 1 + n/m + 1/m exactly (real Gaussian entries)
    assert m1.mean() == pytest.approx(1.0, abs=4 * m1.std() / np.sqrt(reps))
    assert m2.mean() == pytest.approx(1.0 + n / m + 1 / m, abs=4 * m2.std() / np.sqrt(reps))
    g = torch.Generator().manual_seed(5)
    dense = np.array([np.linalg.eigvalsh(rm.sample_wishart(n, m, generator=g).numpy()) for _ in range(reps)])
    se = np.sqrt(ev.var(0) / reps + dense.var(0) / reps)
    assert np.all(np.abs(ev.mean(0) - dense.mean(0)) < 5 * se)
    with pytest.raises(ValueError, match="m"):
        fp.wishart_eigenvalues(10, 5, rng)


def test_relu_closed_form_hessian_equals_torch():
    net = networks.MLP((4, 6, 3), activation="relu", bias=False)
    g = torch.Generator().manual_seed(2)
    theta = networks.init_params(net, 1, g)[0]
    X = torch.randn(25, 4, generator=g, dtype=torch.float64)
    Y = torch.randn(25, 3, generator=g, dtype=torch.float64)
    H, H0, H1 = fp.gauss_newton_split(theta, X, Y, net)
    (W1, _), (W2, _) = networks.unflatten(theta, net)
    E = (networks.forward(theta, X, net) - Y).numpy()
    H1c = fp.relu_h1(X.numpy(), W1.numpy(), E)
    assert np.allclose(H1c, H1.numpy(), atol=1e-13)
    assert np.allclose(fp.relu_gauss_newton(X.numpy(), W1.numpy(), W2.numpy()) + H1c, H.numpy(), atol=1e-13)
    with pytest.raises(ValueError, match="shapes"):
        fp.relu_h1(np.ones((3, 2)), np.ones((3, 2)), np.ones((2, 2)))


# ---------------------------------------------------------------- functions the chapter calls
def test_critical_energies_numeric_is_eq_21_at_every_phi():
    phis = np.array([0.1, 0.5, 0.9])
    for method in ("edge", "discriminant"):
        got = fp.critical_energies_numeric(fp.wishart_wigner_r, phis, 10.0, method=method)
        assert got.shape == phis.shape
        assert np.allclose(got, fp.critical_energy(phis), rtol=1e-8)
    sigma = 0.5
    got = fp.critical_energies_numeric(lambda e, p: fp.improved_r(e, p, sigma), phis, 1e3)
    assert np.allclose(got, fp.improved_critical_energy(phis, sigma), rtol=1e-8)


def test_index_law_fit_finds_the_three_halves_law():
    xs = np.logspace(-4, -2, 9)
    phis = np.array([0.25, 0.75])
    exponents, prefactors = fp.index_law_fit(fp.index, fp.critical_energy, phis, xs)
    assert np.allclose(exponents, 1.5, atol=5e-3) and np.all(prefactors > 0)
    # the chapter's inline fit, which this replaces, gives the same numbers bit for bit
    fits = np.array([np.polyfit(np.log(xs), np.log(fp.index(fp.critical_energy(p) * (1 + xs), p)), 1) for p in phis])
    assert np.array_equal(exponents, fits[:, 0]) and np.array_equal(prefactors, np.exp(fits[:, 1]))
    # and the law has the power to reject: α ∝ x² is fitted as 2
    e2, a2 = fp.index_law_fit(lambda e, p: (e / fp.critical_energy(p) - 1) ** 2 * 3.0, fp.critical_energy, phis, xs)
    assert np.allclose(e2, 2.0) and np.allclose(a2, 3.0)
    with pytest.raises(ValueError, match="xs"):
        fp.index_law_fit(fp.index, fp.critical_energy, phis, np.array([1e-3]))


def test_onset_coefficients_of_eqs_22_and_33():
    c3, c4 = fp.onset_coefficients(fp.critical_energy, 1e-2)
    assert c3 == pytest.approx(2 / 27, abs=1e-6) and c4 == pytest.approx(2 / 81, abs=1e-3)
    # eq. (33): ε_c ≈ 8σ²(1 − φ)³/27 + 8σ²(1 − φ)⁴/27; Richardson error O(δ²) = 1e-4 times an O(σ²) coefficient
    c3i, c4i = fp.onset_coefficients(lambda p: fp.improved_critical_energy(p, 1.0), 1e-2)
    assert c3i == pytest.approx(8 / 27, abs=1e-4) and c4i == pytest.approx(8 / 27, abs=1e-2)
    c3h, _ = fp.onset_coefficients(lambda p: fp.improved_critical_energy(p, 0.5), 1e-2)
    assert c3h == pytest.approx(2 / 27, abs=1e-5)
    # exact on a cubic with a quadratic correction except for the O(δ²) Richardson error
    c3p, c4p = fp.onset_coefficients(lambda p: 2 * (1 - p) ** 3 + 5 * (1 - p) ** 4, 1e-3)
    # (up to the rounding of 1 − (1 − δ), relative 1e-13 at δ = 1e-3)
    assert c3p == pytest.approx(2.0, abs=1e-10) and c4p == pytest.approx(5.0, abs=1e-7)
    with pytest.raises(ValueError, match="delta"):
        fp.onset_coefficients(fp.critical_energy, 0.0)


def test_sample_wishart_wigner_eigenvalues_follow_eq_18():
    n, phi, eps = 400, 0.5, 0.02
    ev = fp.sample_wishart_wigner_eigenvalues(n, phi, eps, np.random.default_rng(0), torch.Generator().manual_seed(0))
    assert ev.shape == (n,) and np.all(np.diff(ev) >= 0)
    # the chapter's inline draw, which this replaces, gives the same numbers bit for bit
    rng, g = np.random.default_rng(0), torch.Generator().manual_seed(0)
    lam_w = fp.wishart_eigenvalues(n, int(round(n / phi)), rng)
    W = rm.sample_goe(n, generator=g, variance=2 * eps).numpy()
    assert np.array_equal(ev, np.linalg.eigvalsh(np.diag(lam_w) + W))
    ks = fp.empirical_cdf_distance(ev, lambda x: fp.distribution_function(fp.wishart_wigner_r(eps, phi), x))
    assert ks < 2 * np.log(n) / n
    with pytest.raises(ValueError, match="phi"):
        fp.sample_wishart_wigner_eigenvalues(n, 2.0, eps, rng, g)
    with pytest.raises(ValueError, match="epsilon"):
        fp.sample_wishart_wigner_eigenvalues(n, phi, 0.0, rng, g)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_sample_wishart_wigner_eigenvalues_on_the_generators_device():
    g = torch.Generator(device="cuda").manual_seed(0)
    ev = fp.sample_wishart_wigner_eigenvalues(200, 0.5, 0.02, np.random.default_rng(0), g)
    assert isinstance(ev, np.ndarray) and np.isfinite(ev).all()


def test_sample_product_wishart_h1_moments_of_eq_28():
    n, eps = 300, 50.0
    for phi in (1 / 4, 1 / 2):
        ev = fp.sample_product_wishart_h1(n, phi, eps, np.random.default_rng(1))
        assert ev.shape == (2 * n,) and np.allclose(ev[:n], -ev[n:])
        m2, m4 = fp.product_wishart_moments(eps, phi)
        assert np.mean(ev**2) == pytest.approx(m2, rel=6 / n)
        assert np.mean(ev**4) == pytest.approx(m4, rel=12 / n)
    # the chapter's inline draw, which this replaces
    rng = np.random.default_rng(1)
    mh = int(n / 0.5)
    xh = rng.normal(size=(n, mh))
    eh = rng.normal(size=(n, mh)) * np.sqrt(2 * eps)
    s = np.linalg.svd(eh @ xh.T / (2 * mh), compute_uv=False)
    assert np.array_equal(ev, np.concatenate([s, -s]))
    with pytest.raises(ValueError, match="phi"):
        fp.sample_product_wishart_h1(n, 0.0, eps, rng)


def test_rotation_test_is_exact_when_h0_commutes_with_every_rotation():
    rng = np.random.default_rng(2)
    A = rng.normal(size=(40, 40))
    H1 = (A + A.T) / 2
    # H0 = c·I: H0 + QH1Qᵀ = Q(H0 + H1)Qᵀ, the same spectrum for every Q
    r = fp.rotation_test(3.0 * np.eye(40), H1, 4, rng)
    assert r.rotated.shape == (4, 40) and r.distance.shape == (4,) and r.distance_between.shape == (3,)
    assert np.all(r.distance < 1e-12) and np.all(r.distance_between < 1e-12)
    assert np.all(r.rotated_index == r.index) and r.count_shift == 0.0


def test_rotation_test_sees_aligned_eigenvectors():
    # H0 and H1 diagonal in one basis, with their large and small entries paired so that H has no
    # negative eigenvalue; a random rotation breaks the alignment and negative eigenvalues appear
    n = 60
    H0 = np.diag(np.linspace(0.0, 2.0, n))
    H1 = np.diag(np.linspace(0.6, -1.0, n))
    r = fp.rotation_test(H0, H1, 6, np.random.default_rng(3))
    assert r.index == 0.0 and np.all(r.rotated_index > 0) and r.count_shift > 0
    assert np.allclose(r.eigenvalues, np.sort(np.diag(H0 + H1)))
    with pytest.raises(ValueError, match="H1"):
        fp.rotation_test(H0, H1[:-1, :-1], 6, np.random.default_rng(3))
    with pytest.raises(ValueError, match="rotations"):
        fp.rotation_test(H0, H1, 1, np.random.default_rng(3))
    with pytest.raises(ValueError, match="single eigenvalue"):
        fp.rotation_test(np.eye(5), np.zeros((5, 5)), 2, np.random.default_rng(3))
