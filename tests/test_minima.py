import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate

from landscape.spin_glass import minima as m
from landscape.spin_glass.complexity import energy_barrier
from landscape.rmt.random_matrix import semicircle_log_potential

HS = [3, 4, 5, 6, 7, 8]


# --------------------------------------------------------------------------- Σ_U(r)
@pytest.mark.parametrize("H,Lambda", [(3, 6), (4, 5), (5, 4), (8, 3)])
@pytest.mark.parametrize("r", [-0.9, -0.4, 0.0, 0.3, 0.7, 0.95])
def test_sigma_U_matches_exact_conditioning_and_arxiv_not_prl(H, Lambda, r):
    # exact Gaussian conditioning of the spin glass in dimension Λ (no Monte Carlo): round-off only
    direct = m.sigma_U_by_conditioning(r, H, Lambda)
    np.testing.assert_allclose(m.sigma_U(r, H), direct, atol=1e-12)
    np.testing.assert_allclose(m.sigma_U(r, H, form="arxiv"), direct, atol=1e-12)


def test_prl_alpha_gives_a_different_and_indefinite_matrix():
    for H in HS:
        prl = m.sigma_U(0.99, H, form="prl")
        assert np.abs(prl - m.sigma_U(0.99, H)).max() > 0.1
        assert np.linalg.eigvalsh(prl)[0] < 0  # not a covariance matrix
        assert m.alpha_H(0.0, H) == m.alpha_H(0.0, H, version="prl") == pytest.approx(1 / H)


@pytest.mark.parametrize("H", HS)
def test_sigma_U_positive_definite_inside_and_limits_at_ends(H):
    r = np.linspace(-1, 1, 4001)[1:-1]
    lp, lm = m.sigma_U_eigenvalues(r, H)
    assert np.all(lp > 0) and np.all(lm > 0)
    lp1, lm1 = m.sigma_U_eigenvalues(1.0, H)
    assert lp1 == pytest.approx(4 * (H - 1) / (3 * H - 2), abs=1e-14) and lm1 == 0.0
    # the stable form tends continuously to the limit
    lp_near, _ = m.sigma_U_eigenvalues(1 - 1e-7, H)
    assert lp_near == pytest.approx(lp1, abs=1e-5)
    # symmetry under r -> -r: equal for even H, λ± swapped for odd H
    a, b = m.sigma_U_eigenvalues(-0.6, H)
    c, d = m.sigma_U_eigenvalues(0.6, H)
    assert (a, b) == pytest.approx((c, d) if H % 2 == 0 else (d, c), abs=1e-14)


@given(st.floats(-0.99, 0.99), st.sampled_from(HS))
def test_printed_b1_b2_equal_stable_form(r, H):
    np.testing.assert_allclose(m.sigma_U(r, H, form="arxiv"), m.sigma_U(r, H), atol=1e-9)


def test_log_volume_term_limit():
    for H in HS:
        assert m.log_volume_term(1.0, H) == pytest.approx(-0.5 * math.log(H - 1), abs=1e-15)
        r = 0.37
        assert m.log_volume_term(r, H) == pytest.approx(0.5 * math.log((1 - r**2) / (1 - r ** (2 * H - 2))))


# --------------------------------------------------------------------------- Ψ_H, Θ_H
def test_complexity_equals_abc_closed_form():
    # Auffinger–Ben Arous–Černý: Θ(u) = ½log(H−1) − (H−2)u²/(4(H−1)) − I1(u) for u <= −E∞,
    # I1(u) = −u√(u²−E∞²)/E∞² − log(−u + √(u²−E∞²)) + log E∞; written independently here
    for H in HS:
        Einf = energy_barrier(H)
        u = np.linspace(-3, -Einf, 50)
        root = np.sqrt(u**2 - Einf**2)
        I1 = -u * root / Einf**2 - np.log(-u + root) + np.log(Einf)
        abc = 0.5 * np.log(H - 1) - (H - 2) * u**2 / (4 * (H - 1)) - I1
        np.testing.assert_allclose(m.complexity(u, H), abc, atol=1e-12)


@given(st.floats(0.0, 1.0), st.floats(0.0, 2.0), st.floats(0.0, 1.0), st.sampled_from(HS))
def test_printed_and_derived_psi_agree_at_v_equal_u_and_derived_is_larger(r, t, du, H):
    u = -energy_barrier(H) - du
    v = u - t
    printed = m.psi_H(r, v, u, H)
    derived = m.psi_H(r, v, u, H, form="derived")
    g = math.sqrt(H / (H - 1))
    gap = semicircle_log_potential(g * v) - semicircle_log_potential(g * u)
    assert derived - printed == pytest.approx(float(gap), abs=1e-10)
    assert derived >= printed - 1e-12
    assert m.psi_H(r, u, u, H) == pytest.approx(m.psi_H(r, u, u, H, form="derived"), abs=1e-12)


def test_r1_limit_closed_form_and_continuity():
    for H in HS:
        for u in [-energy_barrier(H), -2.0, -2.5]:
            for v in [u, u - 0.3]:
                lim = m.psi_H_at_r1(v, u, H)
                assert m.psi_H(1.0, v, u, H) == pytest.approx(lim, abs=1e-12)
                assert m.psi_H(1 - 1e-7, v, u, H) == pytest.approx(lim, abs=1e-5)
        # at v = u the limit is minus ABČ's I1: zero at the threshold
        assert m.psi_H_at_r1(-energy_barrier(H), -energy_barrier(H), H) == pytest.approx(0.0, abs=1e-12)


def test_pair_exponent_at_r1_reduces_to_one_point_exponent_in_bulk():
    # Ψ^(2)(r→1, v, v) = Θ(v) for |γ v| <= 2 (consistency of λ+(1) and the log-volume limit)
    for H in HS:
        v = np.linspace(-energy_barrier(H), energy_barrier(H), 9)
        pair = m._psi(1.0, v, 0.0 * v, H, "derived") + m.complexity(0.0 * v, H)
        np.testing.assert_allclose(pair, m.complexity(v, H), atol=1e-12)


def test_clustering_bound_sits_at_r1_and_orders():
    I = m.overlap_interval(0.02)
    assert I == (0.99, 1.0)
    u = np.linspace(-2.6, -energy_barrier(8), 12)
    prev = None
    for H in HS:
        sup, (r_star, v_star) = m.clustering_bound(u, H, I, return_argmax=True)
        assert sup.shape == u.shape
        # at the threshold Ψ(r, u, u) is flat in r to O(1e-9) (H = 8, r = 0.99); below it the sup is at r = 1
        np.testing.assert_allclose(sup, m.psi_H_at_r1(u, u, H), atol=1e-8)
        assert np.all(r_star[:-1] == 1.0)
        assert np.all(v_star == u)
        assert np.all(np.diff(sup) > 0)  # lower minima: fewer close pairs
        if prev is not None:
            assert np.all(sup > prev)  # deeper: more clustered at the same E/p
        prev = sup
    # the derived form has the same supremum; an interval away from 1 gives less
    np.testing.assert_allclose(m.clustering_bound(u, 3, I, form="derived"), m.clustering_bound(u, 3, I), atol=1e-12)
    assert np.all(m.clustering_bound(u, 3, (0.5, 0.9)) < m.clustering_bound(u, 3, I))
    assert isinstance(m.clustering_bound(-2.0, 3, I), float)


# --------------------------------------------------------------------------- entropy
@pytest.mark.parametrize("H,Lambda,p,u", [(3, 13.2445, 0.8, -2.0), (5, 9.886, 0.8, -1.95), (8, 40.0, 0.3, -2.4)])
def test_expected_entropy_matches_quadrature_and_slope(H, Lambda, p, u):
    # the printed integral by quadrature, with σ = sqrt(H / (2(H − 1))) written out here
    sg = math.sqrt(H / (2 * (H - 1)))
    s = sg * math.sqrt(Lambda / (Lambda - 1)) * u
    integral = integrate.quad(lambda t: math.log(abs(s - t)) * math.sqrt(2 - t * t), -math.sqrt(2), math.sqrt(2))[0]
    printed = (-(Lambda - 1) * math.log(p) + (Lambda - 1) / 2 * math.log(Lambda / (2 * (Lambda - 1) * H * (H - 1)))
               - (Lambda - 1) / math.pi * integral)
    assert m.expected_entropy_quadrature(u, Lambda, H, p) == pytest.approx(printed, abs=1e-12)
    assert m.expected_entropy(u, Lambda, H, p) == pytest.approx(printed, abs=1e-9)
    with pytest.raises(ValueError, match="E_over_p"):
        m.expected_entropy_quadrature(0.0, Lambda, H, p)
    h = 1e-6
    fd = (m.expected_entropy(u + h, Lambda, H, p) - m.expected_entropy(u - h, Lambda, H, p)) / (2 * h)
    assert m.expected_entropy_slope(u, Lambda, H, p) == pytest.approx(fd, rel=1e-6)
    assert m.expected_entropy_slope(u, Lambda, H, p) > 0  # lower minima are narrower


def test_goe_log_det_monte_carlo_with_1_over_n_correction():
    g = torch.Generator().manual_seed(3)
    s = np.array([-1.8, -2.5])
    for n in (10, 40):
        mean, se = m.goe_log_det(s, n, 3000, g)
        expected = semicircle_log_potential(s, 0.5) + m.goe_log_det_mean_correction(s) / n
        # 4 standard errors of the Monte-Carlo mean, plus the o(1/n) remainder bounded by 0.5/n^2
        assert np.all(np.abs(mean - expected) <= 4 * se + 0.5 / n**2)


def test_entropy_monte_carlo_against_corrected_formula():
    g = torch.Generator().manual_seed(5)
    u = np.array([-2.0, -2.4])
    for weighted in (False, True):
        mean, se, frac = m.entropy_monte_carlo(u, 30, 3, 1.0, 3000, g, weighted=weighted)
        pred = m.expected_entropy_finite(u, 30, 3, 1.0, weighted=weighted)
        assert np.all(frac > 0.99)
        # 4 SE plus the O(1/Λ) remainder of the two-term expansion (≈ 1/Λ in our checks)
        assert np.all(np.abs(mean - pred) <= 4 * se + 1 / 30)


# --------------------------------------------------------------------------- bad input
def test_bad_input_raises_value_errors():
    I = (0.99, 1.0)
    with pytest.raises(ValueError, match="E_over_p"):
        m.clustering_bound(-1.0, 3, I)  # above the threshold −1.633
    with pytest.raises(ValueError, match="r_interval"):
        m.clustering_bound(-2.0, 3, (0.9, 1.1))
    with pytest.raises(ValueError, match="r_interval"):
        m.clustering_bound(-2.0, 3, (0.9, 0.5))
    with pytest.raises(ValueError, match="r_interval"):
        m.clustering_bound(-2.0, 3, 0.5)
    with pytest.raises(ValueError, match="H"):
        m.clustering_bound(-2.0, 2, I)
    with pytest.raises(ValueError, match="form"):
        m.clustering_bound(-2.0, 3, I, form="other")
    with pytest.raises(ValueError, match="p"):
        m.expected_entropy(-2.0, 13, 3, 1.5)
    with pytest.raises(ValueError, match="p"):
        m.expected_entropy(-2.0, 13, 3, 0.0)
    with pytest.raises(ValueError, match="E_over_p"):
        m.expected_entropy(-1.0, 13, 3, 0.8)
    with pytest.raises(ValueError, match="Lambda"):
        m.expected_entropy(-2.0, 1.0, 3, 0.8)
    with pytest.raises(ValueError, match="E_over_p"):
        m.expected_entropy_slope(-1.0, 13, 3)
    with pytest.raises(ValueError, match="E_over_p"):
        m.expected_entropy_finite(np.nan, 13, 3, 0.8)
    with pytest.raises(ValueError, match="weighted"):
        m.expected_entropy_finite(-2.0, 13, 3, 0.8, weighted="yes")
    with pytest.raises(ValueError, match="r"):
        m.sigma_U(1.5, 3)
    with pytest.raises(ValueError, match="r"):
        m.sigma_U(1.0, 3, form="prl")  # printed forms are 0/0 at r = 1
    with pytest.raises(ValueError, match="r"):
        m.sigma_U_eigenvalues(-1.2, 3)
    with pytest.raises(ValueError, match="r"):
        m.sigma_U_by_conditioning(1.0, 3)
    with pytest.raises(ValueError, match="Lambda"):
        m.sigma_U_by_conditioning(0.5, 8, 6)
    with pytest.raises(ValueError, match="version"):
        m.alpha_H(0.5, 3, version="x")
    with pytest.raises(ValueError, match="r"):
        m.b1(2.0, 3)
    with pytest.raises(ValueError, match="r"):
        m.b2(np.nan, 3)
    with pytest.raises(ValueError, match="r"):
        m.log_volume_term(1.01, 3)
    with pytest.raises(ValueError, match="u"):
        m.complexity(np.inf, 3)
    with pytest.raises(ValueError, match="v"):
        m.psi_H(0.5, -1.9, -2.0, 3)  # v above E/p
    with pytest.raises(ValueError, match="E_over_p"):
        m.psi_H_at_r1(-2.0, 0.0, 3)
    with pytest.raises(ValueError, match="d"):
        m.overlap_interval(5.0)
    with pytest.raises(ValueError, match="d"):
        m.overlap_interval(-0.1)
    with pytest.raises(ValueError, match="H"):
        m.sigma(1)
    with pytest.raises(ValueError, match="H"):
        m.sigma(2.5)
    with pytest.raises(ValueError, match="Lambda"):
        m.entropy_admissible_max(0.5, 3)
    with pytest.raises(ValueError, match="s"):
        m.goe_log_det_mean_correction(-1.0)  # inside the support [−√2, √2]
    with pytest.raises(ValueError, match="s"):
        m.goe_log_det_variance(0.3)
    with pytest.raises(ValueError, match="n_samples"):
        m.goe_log_det(-2.0, 5, 1)
    with pytest.raises(ValueError, match="n"):
        m.goe_log_det(-2.0, 0, 10)
    with pytest.raises(ValueError, match="Lambda"):
        m.entropy_monte_carlo(-2.0, 1, 3, 1.0, 10)
    with pytest.raises(ValueError, match="weighted"):
        m.entropy_monte_carlo(-2.0, 10, 3, 1.0, 10, weighted=1)


def test_sample_minima_finds_true_minima_and_rejects_bad_input():
    g = torch.Generator().manual_seed(2)
    res = m.sample_minima(14, 3, 40, 2, g)
    assert len(res.energy) >= 2 and res.n_converged == 80
    assert np.all(res.min_eig > 0) and np.all(res.hits >= 1) and res.hits.sum() <= 80
    assert np.all(np.abs(res.overlaps) <= 1 + 1e-9) and np.all(res.overlaps < 1 - 1e-6)  # merged duplicates
    assert len(res.overlaps) == len(res.pair_energy)
    assert torch.get_num_threads() >= 1
    with pytest.raises(ValueError, match="Lambda"):
        m.sample_minima(2, 3, 10)
    with pytest.raises(ValueError, match="n_starts"):
        m.sample_minima(10, 3, 1)
    with pytest.raises(ValueError, match="threads"):
        m.sample_minima(10, 3, 10, threads=0)
