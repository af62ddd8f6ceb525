import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate

from landscape.rmt import random_matrix as rm


@pytest.mark.parametrize("variance", [0.5, 1.0, 3.0])
def test_semicircle_is_a_density_with_that_variance(variance):
    s = 2 * np.sqrt(variance)
    mass = integrate.quad(lambda x: rm.semicircle_density(x, variance), -s, s)[0]
    second = integrate.quad(lambda x: x**2 * rm.semicircle_density(x, variance), -s, s)[0]
    assert mass == pytest.approx(1.0, abs=1e-9)
    assert second == pytest.approx(variance, rel=1e-8)
    assert rm.semicircle_cdf(s, variance) == pytest.approx(1.0)
    assert rm.semicircle_cdf(0.0, variance) == pytest.approx(0.5)


@given(st.floats(-6, 6), st.floats(0.2, 4))
def test_log_potential_matches_quadrature(x, variance):
    s = 2 * np.sqrt(variance)
    f = lambda y: np.log(abs(x - y)) * rm.semicircle_density(y, variance)
    points = [x] if -s < x < s else None
    numeric = integrate.quad(f, -s, s, points=points, limit=200)[0]
    assert float(rm.semicircle_log_potential(x, variance)) == pytest.approx(numeric, abs=1e-6)


def test_log_potential_vectorised_and_asymptotic():
    x = np.array([-50.0, 0.0, 1.0, 50.0])
    out = rm.semicircle_log_potential(x)
    assert out.shape == (4,)
    assert out[-1] == pytest.approx(np.log(50) - 1 / (2 * 50**2), abs=1e-6)


@pytest.mark.parametrize("ratio", [0.1, 0.5, 0.9, 2.0])
def test_marchenko_pastur_mass(ratio):
    lo, hi = rm.marchenko_pastur_edges(ratio)
    mass = integrate.quad(lambda x: rm.marchenko_pastur_density(x, ratio), lo, hi, limit=200)[0]
    expected = 1.0 if ratio <= 1 else 1.0 / ratio  # the rest is the point mass at zero
    assert mass == pytest.approx(expected, abs=1e-7)


def test_goe_and_wishart_spectra_match_their_laws():
    # Kolmogorov distance of the pooled spectrum; for n = 400 and 5 draws the finite-n error
    # of the edge is O(n^{-2/3}) ~ 2e-2 and the sampling error ~ 1/sqrt(2000) ~ 2e-2.
    g = torch.Generator().manual_seed(0)
    ev = torch.linalg.eigvalsh(rm.sample_goe(400, 5, g, variance=2.0)).ravel().numpy()
    ev.sort()
    emp = np.arange(1, ev.size + 1) / ev.size
    assert np.max(np.abs(emp - rm.semicircle_cdf(ev, 2.0))) < 0.05
    W = rm.sample_wishart(200, 800, 3, g)
    ev = torch.linalg.eigvalsh(W).ravel().numpy()
    lo, hi = rm.marchenko_pastur_edges(0.25)
    assert ev.min() > lo - 0.05 and ev.max() < hi + 0.1
    assert ev.mean() == pytest.approx(1.0, abs=0.02)


def test_bad_input():
    with pytest.raises(ValueError, match="n"):
        rm.sample_goe(0)
    with pytest.raises(ValueError, match="variance"):
        rm.semicircle_density(0.0, variance=-1)
    with pytest.raises(ValueError, match="x"):
        rm.semicircle_log_potential(np.nan)
    with pytest.raises(ValueError, match="ratio"):
        rm.marchenko_pastur_density(1.0, 0.0)
    with pytest.raises(ValueError, match="m"):
        rm.sample_wishart(3, 0)
