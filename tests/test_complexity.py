"""Tests of landscape.spin_glass.complexity (Choromanska et al. 2015 §4 and Thms 11.1–11.2; ABČ 2013)."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from landscape.spin_glass import complexity as cx

HS = range(3, 11)


# --------------------------------------------------------------------------------------
# reference values
# --------------------------------------------------------------------------------------
def test_energy_barrier_values():
    # E_inf(H) = 2 sqrt((H-1)/H): H = 3 -> 2 sqrt(2/3) = 1.632993161855452 (ABČ 2013 quote 1.633)
    assert cx.energy_barrier(3) == pytest.approx(2 * math.sqrt(2 / 3), rel=1e-15)
    assert cx.energy_barrier(2) == pytest.approx(math.sqrt(2), rel=1e-15)
    assert cx.energy_barrier(4) == pytest.approx(math.sqrt(3), rel=1e-15)


@pytest.mark.parametrize("H", [3, 4, 7, 10])
@pytest.mark.parametrize("k", [0, 1, 5])
def test_thresholds_agree_with_40_digit_roots(H, k):
    # independent root of the printed Θ_{k,H} at 40 digits (mpmath); 8 significant digits
    # are asked for, double precision gives ~15
    ref = cx.index_threshold_mp(H, k)
    assert cx.index_threshold(H, k) == pytest.approx(ref, rel=1e-13)


def test_E0_3_matches_literature():
    # ABČ (2013): E_0(3) ≈ 1.657; here 1.6569983635...
    value, tol = cx.E0_LITERATURE[3]
    assert abs(cx.index_threshold(3, 0) - value) <= tol / 2
    assert cx.index_threshold(3, 0) == pytest.approx(1.6569983635, abs=1e-10)


@pytest.mark.parametrize("H", HS)
def test_threshold_ordering_and_limit(H):
    ks = np.arange(0, 12)
    E = cx.index_threshold(H, ks)
    Einf = cx.energy_barrier(H)
    assert np.all(np.diff(E) < 0)          # E_0 > E_1 > ...
    assert np.all(E > Einf)                # ... > E_inf
    # E_k -> E_inf: near -E_inf, I(u) ~ c |u+E_inf|^{3/2}, so E_k - E_inf ~ (k+1)^{-2/3}
    far = cx.index_threshold(H, 10**6)
    assert 0 < far - Einf < (E[0] - Einf) * 2e-3
    # and the (k+1)^{-2/3} law holds asymptotically
    a, b = cx.index_threshold(H, 10**5) - Einf, cx.index_threshold(H, 8 * 10**5 + 7) - Einf
    assert a / b == pytest.approx(4.0, rel=0.02)


@pytest.mark.parametrize("H", HS)
def test_theta_vanishes_at_threshold(H):
    for k in (0, 3):
        Ek = cx.index_threshold(H, k)
        assert abs(cx.theta(-Ek, H, k)) < 1e-13
        assert cx.theta(-Ek - 1e-6, H, k) < 0 < cx.theta(-Ek + 1e-6, H, k)
    # E_0 is also the zero of Θ_H (Θ_H = Θ_{0,H} below -E_inf)
    assert abs(cx.theta(-cx.index_threshold(H, 0), H)) < 1e-13


# --------------------------------------------------------------------------------------
# identities and properties
# --------------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.integers(2, 12), st.floats(1e-6, 4.0))
def test_rate_equals_goe_rate_function(H, delta):
    # I(u) = I_1(v) = ∫_{√2}^{v} sqrt(x^2 - 2) dx with v = -u sqrt(H/(2(H-1)))
    u = -cx.energy_barrier(H) - delta
    v = -u * math.sqrt(H / (2 * (H - 1)))
    I1, _ = integrate.quad(lambda x: math.sqrt(x * x - 2), math.sqrt(2), v, epsabs=1e-13, epsrel=1e-12)
    assert cx.rate(u, H) == pytest.approx(I1, rel=1e-8, abs=1e-13)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 12), st.floats(-6, 6), st.integers(1, 8))
def test_corollary_4_1_and_ordering(H, u, k):
    Einf = cx.energy_barrier(H)
    t0 = cx.theta(u, H, 0)
    tk = cx.theta(u, H, k)
    if u < -Einf:
        assert tk < t0                     # Corollary 4.1 (strict below the barrier)
        assert cx.theta(u, H) == pytest.approx(t0, abs=1e-14)  # minima dominate below -E_inf
    else:
        assert tk == t0
    assert cx.theta(u, H, k) <= cx.theta(u, H) + 1e-14  # index-k points are a subset


@pytest.mark.parametrize("H", [2, 3, 5, 10])
def test_continuity_and_monotonicity(H):
    Einf = cx.energy_barrier(H)
    for k in (None, 0, 2):
        eps = 1e-9
        left, right = cx.theta(-Einf - eps, H, k), cx.theta(-Einf + eps, H, k)
        assert abs(left - right) < 1e-8
        u = np.linspace(-4, 3, 4001)
        t = cx.theta(u, H, k)
        assert np.all(np.diff(t) >= -1e-15)  # non-decreasing, as the counts are cumulative
    assert abs(cx.theta(-1e-12, H) - cx.theta(1e-12, H)) < 1e-12


def test_printed_theta_k_is_not_monotone_erratum():
    # Choromanska's printed Θ_{k,H} for u >= -E_inf decreases for u > 0
    u = np.array([0.0, 1.0])
    p = cx.theta_k_as_printed(u, 3, 0)
    assert p[1] < p[0]
    assert np.all(cx.theta(u, 3, 0) == cx.theta(-cx.energy_barrier(3), 3, 0))
    # identical below the barrier
    assert cx.theta_k_as_printed(-2.0, 3, 1) == cx.theta(-2.0, 3, 1)


def test_h2_has_no_band():
    # Θ_{k,2}(-E_inf) = 0: the zero is at the barrier itself
    assert cx.theta(-cx.energy_barrier(2), 2, 0) == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(ValueError, match="H"):
        cx.index_threshold(2, 0)


def test_vectorised_shapes():
    u = np.linspace(-3, 1, 12).reshape(3, 4)
    assert cx.theta(u, 3).shape == (3, 4)
    assert cx.theta(u, 3, k=2).shape == (3, 4)
    assert isinstance(cx.theta(-1.0, 3), float)
    assert cx.index_threshold(3, np.array([[0, 1], [2, 3]])).shape == (2, 2)


# --------------------------------------------------------------------------------------
# Theorems 11.1 / 11.2
# --------------------------------------------------------------------------------------
def test_thm_11_1_regimes_values():
    H, L = 3, 1000
    # u > 0: log(4 sqrt 2 / sqrt(pi (H-2))) + log(L)/2 + L log(H-1)/2
    ref = math.log(4 * math.sqrt(2) / math.sqrt(math.pi)) + 0.5 * math.log(L) + L * 0.5 * math.log(2)
    assert cx.log_mean_critical_points(0.7, H, L) == pytest.approx(ref, rel=1e-14)
    # u = -E_inf: Airy Ai(0) = 0.355028053887817...
    E = cx.energy_barrier(H)
    ref = math.log(2 * 0.3550280538878172 * math.sqrt(6) / 3) - math.log(L) / 3 + L * cx.theta(-E, H)
    assert cx.log_mean_critical_points(-E, H, L) == pytest.approx(ref, rel=1e-14)
    # middle regime, u = -1: 2 sqrt(6 (E^2 - 1)) / (pi)   [(2-H) u = 1]
    ref = math.log(2 * math.sqrt(6 * (E * E - 1)) / math.pi) + L * cx.theta(-1.0, H)
    assert cx.log_mean_critical_points(-1.0, H, L) == pytest.approx(ref, rel=1e-14)


def test_thm_11_1_below_barrier_direct_formula():
    # evaluate h, I1, Φ' literally (quadrature for I1) and compare
    H, L, u = 4, 500, -1.9
    v = -u * math.sqrt(H / (2 * (H - 1)))
    s2 = math.sqrt(2)
    h = abs((v - s2) / (v + s2)) ** 0.25 + abs((v + s2) / (v - s2)) ** 0.25
    I1 = integrate.quad(lambda x: math.sqrt(abs(x * x - 2)), s2, v, epsabs=1e-14)[0]
    dI1 = math.sqrt(v * v - 2)
    dphi = -(H - 2) / H * v
    pref = h / math.sqrt(2 * H * math.pi) * math.exp(I1 - v / 2 * dI1) / (-dphi + dI1)
    ref = math.log(pref) - 0.5 * math.log(L) + L * cx.theta(u, H)
    assert cx.log_mean_critical_points(u, H, L) == pytest.approx(ref, rel=1e-10)
    assert cx.log_mean_minima(u, H, L) == cx.log_mean_critical_points(u, H, L)


@pytest.mark.parametrize("H", [3, 5])
def test_thm_11_1_crossover_exponents_match(H):
    # the fixed-u prefactor below -E_inf diverges like |v - √2|^{-1/4}; on the crossover scale
    # |u + E_inf| ~ Λ^{-2/3} this turns Λ^{-1/2} into Λ^{-1/2 + 1/6} = Λ^{-1/3}, the power at u = -E_inf
    E = cx.energy_barrier(H)
    logs = []
    for L in (1e10, 1e13):  # corrections are O(|u + E_inf|^{1/2}) = O(Λ^{-1/3})
        u = -E - L ** (-2 / 3)
        logs.append(cx.log_mean_critical_points(u, H, L) - L * cx.theta(u, H))
    slope = (logs[1] - logs[0]) / math.log(1e3)
    assert slope == pytest.approx(-1 / 3, abs=2e-3)
    # the middle-regime prefactor ~ 1/|u| near 0: on |u| ~ Λ^{-1/2} it grows like Λ^{1/2}, the u > 0 power
    logs = []
    for L in (1e6, 1e9):
        u = -L ** -0.5
        logs.append(cx.log_mean_critical_points(u, H, L) - L * cx.theta(u, H))
    slope = (logs[1] - logs[0]) / math.log(1e3)
    assert slope == pytest.approx(0.5, abs=1e-3)


# --------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------
def test_bad_inputs():
    with pytest.raises(ValueError, match="H"):
        cx.energy_barrier(1)
    with pytest.raises(ValueError, match="H"):
        cx.energy_barrier(2.5)
    with pytest.raises(ValueError, match="u"):
        cx.theta(float("nan"), 3)
    with pytest.raises(ValueError, match="u"):
        cx.theta([0.0, float("inf")], 3, k=1)
    with pytest.raises(ValueError, match="k"):
        cx.theta(-2.0, 3, k=-1)
    with pytest.raises(ValueError, match="H"):
        cx.theta(-2.0, 1)
    with pytest.raises(ValueError, match="H"):
        cx.index_threshold(2)
    with pytest.raises(ValueError, match="k"):
        cx.index_threshold(3, -1)
    with pytest.raises(ValueError, match="k"):
        cx.index_threshold(3, 1.5)
    with pytest.raises(ValueError, match="u"):
        cx.rate(0.0, 3)
    with pytest.raises(ValueError, match="u"):
        cx.rate(float("nan"), 3)
    with pytest.raises(ValueError, match="k"):
        cx.theta_k_as_printed(0.0, 3, -2)
    with pytest.raises(ValueError, match="u"):
        cx.log_mean_critical_points(0.0, 3, 100)
    with pytest.raises(ValueError, match="H"):
        cx.log_mean_critical_points(-1.0, 2, 100)
    with pytest.raises(ValueError, match="Lambda"):
        cx.log_mean_critical_points(-1.0, 3, -5)
    with pytest.raises(ValueError, match="u"):
        cx.log_mean_minima(-1.0, 3, 100)


def test_doctests():
    import doctest

    failures, _ = doctest.testmod(cx)
    assert failures == 0


def test_minima_level():
    for L in (25, 100, 1000):
        u = cx.minima_level(1e-3, 3, L)
        assert u < -cx.energy_barrier(3)
        assert cx.log_mean_minima(u, 3, L) == pytest.approx(math.log(1e-3), abs=1e-9)
    # it approaches -E_0 from below as Λ grows (Θ_H(-E_0) = 0)
    us = [cx.minima_level(1e-3, 3, L) for L in (100, 1000, 10000)]
    assert us[0] < us[1] < us[2] < -cx.index_threshold(3, 0)
    with pytest.raises(ValueError, match="count"):
        cx.minima_level(0.0, 3, 100)
    with pytest.raises(ValueError, match="count"):
        cx.minima_level(1e300, 3, 100)
    with pytest.raises(ValueError, match="Lambda"):
        cx.minima_level(1e-3, 3, 0)
    with pytest.raises(ValueError, match="u"):
        cx.log_mean_critical_points_bulk(-2.0, 3, 100)
