import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from landscape.spin_glass import paths

widths_strategy = st.lists(st.integers(1, 4), min_size=1, max_size=4).flatmap(
    lambda hidden: st.integers(1, 5).map(lambda d: (d, *hidden, 1)))


@given(widths_strategy, st.integers(0, 2**32 - 1))
def test_path_expansion_is_the_forward_pass(widths, seed):
    rng = np.random.default_rng(seed)
    W = paths.random_weights(widths, rng)
    X = rng.normal(size=(20, widths[0]))
    np.testing.assert_allclose(paths.path_expansion(W, X, q=0.7), paths.relu_forward(W, X, q=0.7), atol=1e-12)
    assert len(paths.enumerate_paths(widths)) == paths.network_mass(widths)


@given(st.lists(st.integers(1, 3000), min_size=1, max_size=12).flatmap(
    lambda ws: st.integers(1, 5000).map(lambda d: (d, *ws, 1))))
def test_theorem_31_chain(widths):
    b = paths.mass_size_bounds(widths)
    tol = 1e-9
    assert b["log_upper"] >= b["log_N"] - tol
    assert b["log_N"] >= b["log_lower"] - tol
    assert b["log_lower"] >= b["log_Lambda"] - tol
    # the proof's step holds once the input layer is in the maximum
    assert paths.network_size(widths) <= paths.proof_intermediate_bound(widths, include_input=True)


def test_proof_step_counterexample():
    assert paths.network_size((100, 2, 1)) == 202
    assert paths.proof_intermediate_bound((100, 2, 1), include_input=False) == 8


def test_theorem_32_bound_at_half():
    eps = np.linspace(0, 0.5, 11)
    np.testing.assert_allclose(paths.sign_correlation_bound(0.5, eps), (1 - 2 * eps) / (1 + 2 * eps))


@given(st.floats(0.05, 0.5), st.floats(0, 1), st.floats(0, 1))
def test_lemma_81_holds(p, a, b):
    eps_plus = a * p
    eps_minus = b * (p - eps_plus)
    z1, z2 = paths.disagreement_counts(4000, p, eps_plus, eps_minus)
    p_hat, eps_hat = np.mean(z1 > 0), np.mean(z1 != z2)
    if z2.std() == 0 or eps_hat > p_hat:
        return
    assert paths.sign_correlation(z1, z2) >= paths.sign_correlation_bound(p_hat, eps_hat) - 1e-12


@given(st.floats(1.0, 5.0), st.integers(0, 2**32 - 1))
def test_theorem_33_holds(c, seed):
    rng = np.random.default_rng(seed)
    m = 10
    t = rng.integers(math.ceil(m / c), math.floor(m * c) + 1, size=27)
    pi = rng.random(27)
    corr = paths.uniformity_correlation(t, m, pi)
    assert 1 / c**2 - 1e-12 <= corr <= 1 + 1e-12


def test_bad_input():
    with pytest.raises(ValueError, match="n_H"):
        paths.check_widths((3, 2, 2))
    with pytest.raises(ValueError, match=r"widths\[1\]"):
        paths.check_widths((3, 0, 1))
    with pytest.raises(ValueError, match="widths"):
        paths.check_widths((3,))
    rng = np.random.default_rng(0)
    W = paths.random_weights((3, 2, 1), rng)
    with pytest.raises(ValueError, match="X"):
        paths.relu_forward(W, np.ones((2, 4)))
    with pytest.raises(ValueError, match="weights"):
        paths.relu_forward([W[0], np.ones((3, 1))], np.ones((2, 3)))
    with pytest.raises(ValueError, match="epsilon"):
        paths.sign_correlation_bound(0.3, 0.4)
    with pytest.raises(ValueError, match="p"):
        paths.sign_correlation_bound(0.7, 0.1)
    with pytest.raises(ValueError, match="paths"):
        paths.enumerate_paths((100, 100, 100, 100, 1))
    with pytest.raises(ValueError, match="multiplicities"):
        paths.uniformity_correlation([1, 2], 3, [1.0])


def test_sign_correlation_excess_se_matches_the_spread_of_replicates():
    # z2 flips z1 with probability 0.1 (and z1 is biased, a = 0.2): the delta-method s.e. of
    # corr − c/(2 − c) against the spread of 400 independent replicates of n = 2000 samples.
    # The s.d. of 400 draws has a relative s.e. ≈ 1/sqrt(800) ≈ 3.5 %; 15 % is over four of those.
    rng = np.random.default_rng(11)
    excess, ses = [], []
    for _ in range(400):
        z1 = np.where(rng.random(2000) < 0.6, 1.0, -1.0)
        z2 = np.where(rng.random(2000) < 0.1, -z1, z1)
        c = np.mean(z1 * z2)
        excess.append(paths.sign_correlation(z1, z2) - c / (2 - c))
        ses.append(paths.sign_correlation_excess_se(z1, z2))
    assert np.std(excess, ddof=1) == pytest.approx(np.mean(ses), rel=0.15)


def test_path_weight_products_and_excess_se_reject_bad_input():
    W = paths.random_weights((3, 2, 1), np.random.default_rng(0))
    with pytest.raises(ValueError, match="paths"):
        paths.path_weight_products(W, np.zeros((4, 2), dtype=int))
    with pytest.raises(ValueError, match="z1"):
        paths.sign_correlation_excess_se(np.ones(5), np.ones(4))
    with pytest.raises(ValueError, match="both signs"):
        paths.sign_correlation_excess_se(np.ones(5), np.array([1.0, -1, 1, -1, 1]))


def test_mass_size_chain_holds_at_equality_and_names_bad_slack():
    # (1, 1, 1): log Ψ = 0, N = H = 2, so log(Ψ²H) = log N = log(Ψ^{2/H} H / d^{1/H}) = log 2 exactly
    b = paths.mass_size_bounds((1, 1, 1))
    assert b["log_upper"] == b["log_N"] == b["log_lower"] == math.log(2)
    assert paths.mass_size_chain_holds((1, 1, 1), slack=0.0)
    assert paths.mass_size_chain_holds((1, 1))
    assert paths.mass_size_chain_holds((100, 2, 1))  # where the proof's step fails, the theorem holds
    with pytest.raises(ValueError, match="slack"):
        paths.mass_size_chain_holds((3, 1), slack=-1.0)
    with pytest.raises(ValueError, match="n_H"):
        paths.mass_size_chain_holds((3, 2))


@given(st.lists(st.integers(1, 3000), min_size=1, max_size=12).flatmap(
    lambda ws: st.integers(1, 5000).map(lambda d: (d, *ws, 1))))
def test_mass_size_chain_holds_is_the_three_comparisons(widths):
    b = paths.mass_size_bounds(widths)
    tol = 1e-9
    by_hand = (b["log_upper"] >= b["log_N"] - tol and b["log_N"] >= b["log_lower"] - tol
               and b["log_lower"] >= b["log_Lambda"] - tol)
    assert by_hand  # Theorem 3.1
    assert paths.mass_size_chain_holds(widths, tol) == by_hand
