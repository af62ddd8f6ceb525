"""Tests of landscape.statistics against known values and direct scipy/numpy computations."""
import math

import numpy as np
import pytest
from scipy import stats

from landscape import statistics as st


def test_bootstrap_se_of_mean_paired():
    # the bootstrap s.e. of a mean approaches sd/sqrt(n); tolerance: 4 x the Monte-Carlo s.e.
    # of a standard deviation estimated from 2000 replicates (relative s.e. 1/sqrt(2*2000))
    x = np.random.default_rng(0).normal(size=200)
    reps = st.bootstrap(np.mean, [x], 2000, np.random.default_rng(1))
    assert reps.shape == (2000,)
    assert abs(reps.std(ddof=1) / (x.std() / math.sqrt(200)) - 1) < 4 / math.sqrt(4000)


def test_bootstrap_rows_are_resampled_jointly_and_reproducibly():
    rng = np.random.default_rng(2)
    W = rng.normal(size=(30, 3))
    # paired: both arrays see the same rows, so a statistic of their difference is exactly zero
    reps = st.bootstrap(lambda a, b: float(np.sum(a - b)), [W, W.copy()], 50, np.random.default_rng(3))
    assert np.all(reps == 0)
    a = st.bootstrap(lambda w: w[:, 0].mean(), [W], 100, np.random.default_rng(4))
    b = st.bootstrap(lambda w: w[:, 0].mean(), [W], 100, np.random.default_rng(4))
    np.testing.assert_array_equal(a, b)


def test_bootstrap_independent_samples():
    # difference of means of independent samples: s.e. sqrt(s1²/n1 + s2²/n2); same 4-MC-s.e. tolerance
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=100), rng.normal(2.0, 3.0, size=60)
    reps = st.bootstrap(lambda a, b: a.mean() - b.mean(), [x, y], 2000, np.random.default_rng(6), paired=False)
    expected = math.sqrt(x.var() / 100 + y.var() / 60)
    assert abs(reps.std(ddof=1) / expected - 1) < 4 / math.sqrt(4000)


def test_bootstrap_bad_input():
    x = np.arange(10.0)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="arrays"):
        st.bootstrap(np.mean, [x, x[:5]], 10, rng)
    with pytest.raises(ValueError, match="arrays"):
        st.bootstrap(np.mean, [x[:1]], 10, rng, paired=False)
    with pytest.raises(ValueError, match="n_boot"):
        st.bootstrap(np.mean, [x], 0, rng)
    with pytest.raises(ValueError, match="rng"):
        st.bootstrap(np.mean, [x], 10, 0)
    with pytest.raises(ValueError, match="statistic"):
        st.bootstrap(None, [x], 10, rng)


def test_pearson_matches_scipy_and_fisher_z():
    x = [1, 2, 3, 4, 5.0]
    y = [2, 4, 5, 4, 5.0]
    r, lo, hi, se = st.pearson(x, y)
    assert math.isclose(r, 3 / math.sqrt(15), rel_tol=1e-12)
    assert math.isclose(se, 1 / math.sqrt(2))
    # the interval is Fisher's: tanh(artanh r ± z_{0.975}/sqrt(n − 3))
    z = math.atanh(r)
    q = stats.norm.ppf(0.975)
    assert math.isclose(lo, math.tanh(z - q * se), rel_tol=1e-9)
    assert math.isclose(hi, math.tanh(z + q * se), rel_tol=1e-9)
    with pytest.raises(ValueError, match="x"):
        st.pearson([1, 2, 3], [1, 2, 3])
    with pytest.raises(ValueError, match="constant"):
        st.pearson([1, 1, 1, 1], [1, 2, 3, 4])


def test_fisher_z():
    z, se = st.fisher_z(0.5, 28)
    assert math.isclose(z, 0.5 * math.log(3), rel_tol=1e-12) and se == 0.2
    zs, _ = st.fisher_z(np.array([0.0, 1.0, -1.0]), 10)
    assert zs[0] == 0 and np.isfinite(zs).all() and zs[1] == -zs[2] > 17
    with pytest.raises(ValueError, match="r"):
        st.fisher_z(1.5, 10)
    with pytest.raises(ValueError, match="n"):
        st.fisher_z(0.1, 3)


def test_binned_means_matches_hand_computation():
    E = np.array([0.0, 0.1, 0.9, 1.0])
    c, s, n = st.binned_means(E, np.array([1.0, 3.0, 5.0, 7.0]), 2)
    np.testing.assert_allclose(c, [0.05, 0.95])
    np.testing.assert_allclose(s, [2.0, 6.0])
    assert n.tolist() == [2, 2]
    # an empty middle bin is dropped; the maximum falls in the last bin
    c, s, n = st.binned_means(np.array([0.0, 0.05, 1.0]), np.array([1.0, 2.0, 3.0]), 3)
    assert n.tolist() == [2, 1] and s.tolist() == [1.5, 3.0]
    # constant E: one bin with everything
    c, s, n = st.binned_means(np.ones(4), np.arange(4.0), 5)
    assert n.tolist() == [4] and s.tolist() == [1.5]
    with pytest.raises(ValueError, match="E"):
        st.binned_means(np.array([1.0]), np.array([1.0]))
    with pytest.raises(ValueError, match="n_bins"):
        st.binned_means(E, E, 0)


def test_weighted_line_fit_known_errors_and_relative_weights():
    rng = np.random.default_rng(7)
    x = np.linspace(0, 1, 8)
    se = rng.uniform(0.5, 2.0, 8)
    y = 1.0 - 2.0 * x + rng.normal(size=8) * se
    fit = st.weighted_line_fit(x, y, se=se)
    # against numpy's weighted polyfit (weights 1/se) with unscaled covariance
    p, cov = np.polyfit(x, y, 1, w=1 / se, cov="unscaled")
    assert math.isclose(fit["slope"], p[0], rel_tol=1e-10) and math.isclose(fit["intercept"], p[1], rel_tol=1e-10)
    assert math.isclose(fit["se_slope"], math.sqrt(cov[0, 0]), rel_tol=1e-10)
    assert math.isclose(fit["chi2"], float(np.sum(((y - np.polyval(p, x)) / se) ** 2)), rel_tol=1e-10)
    # relative weights: errors scaled by the residual variance (polyfit's cov=True)
    w = rng.integers(1, 5, 8).astype(float)
    fit_w = st.weighted_line_fit(x, y, weights=w)
    p, cov = np.polyfit(x, y, 1, w=np.sqrt(w), cov=True)
    assert math.isclose(fit_w["slope"], p[0], rel_tol=1e-10)
    assert math.isclose(fit_w["se_slope"], math.sqrt(cov[0, 0]), rel_tol=1e-10)
    with pytest.raises(ValueError, match="exactly one"):
        st.weighted_line_fit(x, y)
    with pytest.raises(ValueError, match="positive"):
        st.weighted_line_fit(x, y, se=np.zeros(8))
    with pytest.raises(ValueError, match="constant"):
        st.weighted_line_fit(np.ones(3), [1.0, 2.0, 3.0], se=1.0)


def test_stouffer_and_z_scores():
    assert st.stouffer([1.0, 2.0, 3.0, 2.0]) == 4.0
    assert st.stouffer([2.5]) == 2.5
    assert math.isclose(st.z_from_p(0.025), stats.norm.ppf(0.975), rel_tol=1e-12)
    assert st.z_from_p(0.5) == 0.0
    # χ² of 2 d.o.f.: P(χ² > x) = exp(−x/2) exactly
    assert math.isclose(st.chi2_z(13.8, 2), stats.norm.isf(math.exp(-6.9)), rel_tol=1e-12)
    with pytest.raises(ValueError, match="z"):
        st.stouffer([])
    with pytest.raises(ValueError, match="p"):
        st.z_from_p(1.5)
    with pytest.raises(ValueError, match="dof"):
        st.chi2_z(1.0, 0)


def test_binomial_se():
    p, se = st.binomial_se(30, 100)
    pt = 32 / 104
    assert p == 0.3 and math.isclose(se, math.sqrt(pt * (1 - pt) / 104), rel_tol=1e-12)
    assert st.binomial_se(0, 10)[1] > 0 and st.binomial_se(10, 10)[1] > 0
    with pytest.raises(ValueError, match="k"):
        st.binomial_se(11, 10)
    with pytest.raises(ValueError, match="n"):
        st.binomial_se(0, 0)


def test_slope_z_matches_least_squares_and_the_normal_limit():
    # equal errors: the slope is the ordinary least-squares slope (numpy.polyfit), its s.e. is
    # se/sqrt(Sxx), and with very many degrees of freedom the t tail is the normal tail
    rng = np.random.default_rng(3)
    x = np.log([100.0, 200.0, 400.0, 800.0])
    y = 0.3 - 0.05 * x + rng.normal(scale=0.01, size=x.size)
    b, b_se, z = st.slope_z(x, y, 0.01, 10**7)
    assert b == pytest.approx(np.polyfit(x, y, 1)[0], rel=1e-12)
    assert b_se == pytest.approx(0.01 / np.sqrt(np.sum((x - x.mean()) ** 2)), rel=1e-12)
    assert z == pytest.approx(b / b_se, abs=1e-4)
    # few degrees of freedom: the same t-statistic is a weaker z
    assert abs(st.slope_z(x, y, 0.01, 3)[2]) < abs(z)


def test_slope_z_rejects_bad_input():
    with pytest.raises(ValueError, match="`x`"):
        st.slope_z([1.0, 1.0], [0.0, 1.0], 0.1, 5)
    with pytest.raises(ValueError, match="`se`"):
        st.slope_z([0.0, 1.0], [0.0, 1.0], 0.0, 5)
    with pytest.raises(ValueError, match="`dof`"):
        st.slope_z([0.0, 1.0], [0.0, 1.0], 0.1, 0)


def test_t_z_is_the_normal_score_of_the_t_tail_and_odd():
    assert st.t_z(1.5, 10**9) == pytest.approx(1.5, abs=1e-6)
    assert st.t_z(2.0, 4) == pytest.approx(stats.norm.isf(stats.t.sf(2.0, 4)), rel=1e-12)
    assert st.t_z(-30.0, 7) == pytest.approx(-st.t_z(30.0, 7), rel=1e-12)
    assert np.isfinite(st.t_z(-30.0, 7))
    with pytest.raises(ValueError, match="`dof`"):
        st.t_z(1.0, 0)


def test_t_calibrated_se():
    from scipy import stats

    # a t statistic at the df-quantile of tail p is exactly z = 3.29 calibrated standard errors
    se = st.t_calibrated_se(2.0, 5)
    t_crit = stats.t.isf(stats.norm.sf(3.29), 5)
    assert np.isclose(3.29 * se, 2.0 * t_crit)
    assert np.isclose(st.t_calibrated_se(1.0, 10**7), 1.0, atol=1e-5)
    assert np.all(np.diff(st.t_calibrated_se(1.0, np.array([2, 5, 20]))) < 0)
    with pytest.raises(ValueError, match="`df`"):
        st.t_calibrated_se(1.0, 0)


def test_equal_ratio_test_size_and_power():
    rng = np.random.default_rng(3)
    shape = np.array([0.05, 0.2, 0.5])
    # one σ fits (unequal spreads): z is N(0, 1)-like; 200 repetitions, fewer than 2% beyond 2.33
    zs = [st.equal_ratio_test([s * (1 + c * rng.standard_normal(24)) for s, c in zip(shape, (0.3, 0.1, 0.05))],
                              shape)[2] for _ in range(200)]
    assert np.mean(np.array(zs) > 2.33) < 0.04
    # a 30% change of the ratio at the smallest shape is seen
    g = [s * (1 + 0.1 * rng.standard_normal(24)) for s in shape]
    g[0] = 0.7 * g[0]
    assert st.equal_ratio_test(g, shape)[2] > 5
    with pytest.raises(ValueError, match="`groups`"):
        st.equal_ratio_test([np.ones(3)], [1.0])
