import math

import mpmath
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape.spin_glass import counting as c


# --- eq. (5) -------------------------------------------------------------------------------
def test_complex_count_exact_integers():
    assert c.complex_count(5, 3) == 31 and isinstance(c.complex_count(5, 3), int)
    assert c.complex_count(100, 3) == 2**100 - 1          # exact beyond float precision
    assert c.complex_count(4, 2) == 4                      # H = 2 limit: Λ
    assert c.complex_count(np.int64(3), np.int64(4)) == 13


@given(st.floats(1, 500), st.integers(2, 40))
def test_complex_count_log_consistent(L, H):
    lg = c.complex_count(L, H, log=True)
    if H == 2:
        assert lg == pytest.approx(math.log(L))
    else:
        expected = float(mpmath.log((mpmath.mpf(H) - 1) ** L - 1) - mpmath.log(H - 2))
        assert lg == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_complex_count_vectorised_and_limit():
    L = np.arange(1, 20, dtype=float)
    np.testing.assert_allclose(c.complex_count(L, 3), 2**L - 1, rtol=1e-12)
    near = ((1 + 1e-8) ** L - 1) / 1e-8
    np.testing.assert_allclose(c.complex_count(L, 2.0 + 0 * L), near, rtol=1e-6)


# --- eq. (6) as printed -------------------------------------------------------------------
def test_eq6_special_cases():
    # Λ = 2: both 2F1 are 1/(1-z), eq. (6) = sqrt(H)
    H = np.arange(2, 12)
    np.testing.assert_allclose(c.expected_real_count_eq6(2, H), np.sqrt(H), rtol=1e-12)
    # H = 2: Edelman-Kostlan-Shub (1994) expected real eigenvalues of an n x n Ginibre matrix
    for n in (2, 3, 7, 20):
        eks = 0.5 + math.sqrt(2) * float(mpmath.gamma(n + 0.5) * mpmath.hyp2f1(1, -0.5, n, 0.5)
                                         / (mpmath.gamma(n) * mpmath.sqrt(mpmath.pi)))
        assert c.expected_real_count_eq6(n, 2) == pytest.approx(eks, rel=1e-12)


def test_eq6_large_lambda_in_log_space():
    lg = c.expected_real_count_eq6(10_000, 3, log=True)
    assert np.isfinite(lg) and lg == pytest.approx(10_000 * 0.5 * math.log(2), rel=1e-3)
    assert np.isfinite(c.expected_real_count_eq6(2345.5, 4, log=True))


# --- corrected count (Kac-Rice) -----------------------------------------------------------
def test_kac_rice_closed_forms():
    H = np.arange(2, 15)
    np.testing.assert_allclose(c.expected_real_count(2, H), np.sqrt(3 * H - 2), rtol=1e-9)  # binary forms
    np.testing.assert_allclose(c.expected_real_count(np.arange(1, 40), 2), np.arange(1, 40), rtol=1e-12)
    np.testing.assert_allclose(c.expected_real_count(1, np.arange(3, 9)), 1.0, rtol=1e-9)


def test_goe_density_integrates_to_n():
    for n in (1, 2, 5, 30, 101):
        assert c.goe_weighted_density_integral(n, 1e-9) == pytest.approx(n, rel=1e-6)


def test_goe_density_against_sampling():
    # E tr exp(-c X^2) for the GOE with density ∝ exp(-tr X^2/2), by direct sampling
    rng = np.random.default_rng(0)
    n, m, cc = 4, 40000, 0.3
    A = rng.normal(size=(m, n, n))
    X = (A + A.transpose(0, 2, 1)) / 2  # diag var 1, off-diag var 1/2
    ev = np.linalg.eigvalsh(X)
    vals = np.exp(-cc * ev**2).sum(axis=1)
    se = vals.std(ddof=1) / math.sqrt(m)
    assert abs(vals.mean() - c.goe_weighted_density_integral(n, cc)) < 4 * se


@given(st.integers(2, 30), st.integers(3, 8))
@settings(max_examples=30, deadline=None)
def test_real_count_between_one_and_complex_count(L, H):
    r = c.expected_real_count(L, H)
    assert 1.0 <= r <= c.complex_count(L, H)
    assert r > c.expected_real_count_eq6(L, H)   # the symmetric law has more real eigenpairs


def test_growth_rate_is_half_log_h_minus_one():
    L = np.array([2000.0, 3000, 4000])
    for H in (3, 5):
        assert c.growth_rate(L, c.expected_real_count(L, H, log=True)) == pytest.approx(0.5 * math.log(H - 1), rel=2e-3)
        assert c.growth_rate(L, c.expected_real_count_eq6(L, H, log=True)) == pytest.approx(0.5 * math.log(H - 1), rel=2e-3)


def test_non_integer_lambda_interpolates_in_log():
    a, b = c.expected_real_count(7, 3, log=True), c.expected_real_count(8, 3, log=True)
    assert c.expected_real_count(7.25, 3, log=True) == pytest.approx(0.75 * a + 0.25 * b)


def test_becker_asymptotic_exponent_is_half_log_h_times_lambda():
    from landscape.spin_glass import hamiltonian as sg

    N_e, H, n0 = 1e14, 4, 10
    lam = sg.effective_weights(N_e, H, n0)
    assert c.becker_asymptotic_exponent(N_e, H, n0) == pytest.approx(0.5 * math.log(H) * lam, rel=1e-3)


# --- Monte Carlo (statistical, fixed seeds) ------------------------------------------------
def test_monte_carlo_spin_glass_matches_kac_rice_not_eq6():
    g = torch.Generator().manual_seed(11)
    mc = c.monte_carlo_real_count(3, 3, 300, g, rng=np.random.default_rng(0))
    assert mc["lost"] == 0
    assert abs(mc["mean"] - c.expected_real_count(3, 3)) < 4 * mc["se"]
    assert (mc["mean"] - c.expected_real_count_eq6(3, 3)) > 10 * mc["se"]


def test_monte_carlo_iid_matches_eq6():
    g = torch.Generator().manual_seed(12)
    mc = c.monte_carlo_real_count(2, 4, 600, g, model="iid", rng=np.random.default_rng(0))
    assert abs(mc["mean"] - c.expected_real_count_eq6(2, 4)) < 4 * mc["se"]


def test_spin_glass_sampler_law_is_symmetric():
    g = torch.Generator().manual_seed(0)
    T = c.sample_tensors(3, 3, 3, g)
    np.testing.assert_allclose(T, T.transpose(0, 2, 1, 3), atol=1e-12)
    X = c.sample_tensors(2, 3, 3, g, model="iid")
    np.testing.assert_allclose(X, X.transpose(0, 1, 3, 2), atol=1e-12)


# --- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [c.complex_count, c.expected_real_count, c.expected_real_count_eq6])
def test_bad_lambda_and_h(fn):
    with pytest.raises(ValueError, match="Lambda"):
        fn(0, 3)
    with pytest.raises(ValueError, match="Lambda"):
        fn(np.nan, 3)
    with pytest.raises(ValueError, match="H"):
        fn(3, 1)
    with pytest.raises(ValueError, match="H"):
        fn(3, 2.5)


def test_other_bad_input():
    with pytest.raises(ValueError, match="Lambda"):
        c.expected_real_count(30_000, 3)
    with pytest.raises(ValueError, match="n"):
        c.goe_weighted_density_integral(0, 0.1)
    with pytest.raises(ValueError, match="c"):
        c.goe_weighted_density_integral(3, -1.0)
    with pytest.raises(ValueError, match="model"):
        c.sample_tensors(2, 3, 3, model="gue")
    with pytest.raises(ValueError, match="Lambda"):
        c.sample_tensors(2, 2.5, 3)
    with pytest.raises(ValueError, match="same length"):
        c.growth_rate([1.0], [2.0])
    with pytest.raises(ValueError, match="H"):
        c.becker_asymptotic_exponent(100, 2, 10)
    with pytest.raises(ValueError, match="positive"):
        c.becker_asymptotic_exponent(-1, 3, 10)
    with pytest.raises(ValueError, match="Lambda"):
        c.monte_carlo_real_count(0, 3, 10, rng=np.random.default_rng(0))
