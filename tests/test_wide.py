import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape.nets import losses, networks as nw, wide


def _data(N=12, d=4, m=1, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(N, d, generator=g, dtype=torch.float64)
    Y = torch.randn(N, m, generator=g, dtype=torch.float64)
    return X, Y


# ------------------------------------------------------------------ rank decisions
def test_numerical_rank():
    A = np.diag([1.0, 1e-3, 1e-20])
    r = wide.numerical_rank(A)
    assert r.rank == 2 and r.tol == pytest.approx(3 * np.finfo(float).eps)
    assert wide.numerical_rank(A, rtol=1e-2).rank == 1
    assert r.rtol == wide.default_rank_rtol(A.shape) == 3 * np.finfo(float).eps
    assert wide.default_rank_rtol((40, 61)) == 61 * np.finfo(float).eps
    assert wide.numerical_rank(np.zeros((3, 2))).rank == 0
    with pytest.raises(ValueError, match="A"):
        wide.numerical_rank(np.ones(3))
    with pytest.raises(ValueError, match="A"):
        wide.numerical_rank([[np.nan]])
    with pytest.raises(ValueError, match="rtol"):
        wide.numerical_rank(A, rtol=-1.0)


# ------------------------------------------------------------------ Lemma 2.1
@pytest.mark.parametrize("loss", losses.NAMES)
@settings(max_examples=15)
@given(seed=st.integers(0, 10_000), act=st.sampled_from(["sigmoid", "tanh", "softplus", "linear"]),
       out_act=st.booleans())
def test_backprop_matches_autograd(loss, seed, act, out_act):
    # Lemma 2.1 of Nguyen & Hein (2017) against torch autograd, every loss, with and without σ at the output
    g = torch.Generator().manual_seed(seed)
    m = 3 if loss == "squared_hinge" else 2
    net = nw.MLP((3, 5, 4, m), act, output_activation=out_act)
    theta = nw.init_params(net, 1, g)[0] + 0.2 * torch.randn(net.n_params, generator=g, dtype=torch.float64)
    X = torch.randn(6, 3, generator=g, dtype=torch.float64)
    Y = torch.randn(6, m, generator=g, dtype=torch.float64)
    if loss == "squared_hinge":
        Y = torch.where(Y > 0, 1.0, -1.0).to(torch.float64)
    L = losses.get(loss)
    bp = wide.backprop(net, theta, X, Y, L)
    _, ga = nw.loss_and_grad(theta, X, Y, net, kind=L)
    assert torch.allclose(bp.flat(), ga, rtol=1e-10, atol=1e-12)
    assert len(bp.Delta) == net.depth and bp.Delta[0].shape == (6, 5)


def test_backprop_bad_input():
    X, Y = _data()
    net = nw.MLP((4, 3, 1), "tanh")
    theta = torch.zeros(net.n_params, dtype=torch.float64)
    with pytest.raises(ValueError, match="X"):
        wide.backprop(net, theta, X[:, :3], Y)
    with pytest.raises(ValueError, match="Y"):
        wide.backprop(net, theta, X, Y[:5])
    with pytest.raises(ValueError, match="theta"):
        wide.backprop(net, theta[:-1], X, Y)
    with pytest.raises(ValueError, match="name"):
        wide.backprop(net, theta, X, Y, loss="l1")
    with pytest.raises(ValueError, match="activation"):
        wide.backprop(net, theta, X, Y, activation="swish")


# ------------------------------------------------------------------ Lemma 4.3
@pytest.mark.parametrize("act", wide.COVERED_ACTIVATIONS)
@settings(max_examples=25)
@given(seed=st.integers(0, 1000), N=st.integers(3, 25), extra=st.integers(0, 5), deep=st.booleans())
def test_construction_has_full_rank(act, seed, N, extra, deep):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, 3))
    widths = (3, 4, N - 1 + extra) if deep else (3, N - 1 + extra)
    c = wide.full_rank_construction(X, widths, act, rng=rng)
    assert c.rank == N
    assert c.features.shape == (N, widths[-1])
    assert [W.shape for W, _ in c.params] == list(zip(widths[:-1], widths[1:]))


def test_construction_limit_matrix():
    # bounded σ: [1, A(α)] → E_∞ with |det E_∞| = |μ − σ(β)|^{N−1} (proof of Lemma 4.3)
    rng = np.random.default_rng(3)
    Z = rng.standard_normal((9, 2))
    a, gap = wide.distinct_projection(Z, rng)
    W, b = wide.construction_layer(Z, 8, "tanh", 40 / gap, beta=0.0, a=a)
    Zs = Z[np.argsort(Z @ a)]
    E = np.hstack([np.ones((9, 1)), np.tanh(Zs @ W + b)])
    i, j = np.indices((9, 8))
    E_inf = np.hstack([np.ones((9, 1)), np.where(j > i, 1.0, np.where(j == i, 0.0, -1.0))])
    assert np.abs(E - E_inf).max() < 1e-9
    assert abs(np.linalg.det(E_inf)) == pytest.approx(1.0)  # |μ − σ(0)| = 1


def test_linear_layers_cannot_reach_full_rank():
    # §4: rank [F_k, 1] ≤ rank [X, 1] ≤ d + 1 for linear activations
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 3))
    for alpha in (0.1, 10.0, 1e4):
        _, F, _ = wide.construct_layers(X, (3, 6, 25), "linear", alpha, rng=rng)
        assert wide.numerical_rank(np.hstack([F, np.ones((20, 1))]), rtol=1e-9).rank <= 4


def test_construction_bad_input():
    X = np.random.default_rng(0).standard_normal((6, 2))
    rng = np.random.default_rng(1)
    with pytest.raises(ValueError, match="activation"):
        wide.full_rank_construction(X, (2, 5), "relu", rng=rng)
    with pytest.raises(ValueError, match="activation"):
        wide.full_rank_construction(X, (2, 5), "linear", rng=rng)
    with pytest.raises(ValueError, match="widths"):
        wide.full_rank_construction(X, (2, 4), "tanh", rng=rng)  # n_k < N − 1
    with pytest.raises(ValueError, match="X"):
        wide.full_rank_construction(X, (3, 5), "tanh", rng=rng)  # shape mismatch
    with pytest.raises(ValueError, match="X"):
        wide.full_rank_construction(np.vstack([X, X[:1]]), (2, 6), "tanh", rng=rng)  # identical samples
    with pytest.raises(ValueError, match="widths"):
        wide.full_rank_construction(X, (2,), "tanh", rng=rng)
    with pytest.raises(ValueError, match="alpha"):
        wide.full_rank_construction(X, (2, 5), "tanh", alpha=0.0, rng=rng)
    with pytest.raises(ValueError, match="width"):
        wide.construction_layer(X, 3, "tanh", 1.0, rng=rng)
    with pytest.raises(ValueError, match="Z"):
        wide.distinct_projection(np.ones((3, 2)), np.random.default_rng(0))
    with pytest.raises(ValueError, match="a"):
        wide.construction_layer(X, 5, "tanh", 1.0, a=np.ones(3))


def test_construction_needs_an_explicit_random_stream():
    # no silent default seed: the direction (and the lower layers) come from a generator the caller gives
    X = np.random.default_rng(0).standard_normal((6, 2))
    with pytest.raises(TypeError, match="rng"):  # a required keyword
        wide.full_rank_construction(X, (2, 5), "tanh")
    with pytest.raises(ValueError, match="rng"):
        wide.full_rank_construction(X, (2, 5), "tanh", rng=0)
    with pytest.raises(ValueError, match="rng"):
        wide.construct_layers(X, (2, 5), "tanh", 1.0, rng=None)
    with pytest.raises(ValueError, match="rng"):
        wide.construction_layer(X, 5, "tanh", 1.0)
    # the same generator state gives the same construction
    a = wide.full_rank_construction(X, (2, 4, 5), "tanh", rng=np.random.default_rng(7))
    b = wide.full_rank_construction(X, (2, 4, 5), "tanh", rng=np.random.default_rng(7))
    assert a.alpha == b.alpha and np.array_equal(a.features, b.features)


def test_construction_curve_relu_is_homogeneous():
    # ReLU: A(α, β) = α A(1, β/α), so the rank at (α, β) equals the one at (cα, cβ) (the ratio s_N/s_1
    # is not invariant: the column of ones is not scaled); for α > β/δ, A is exactly upper
    # triangular with diagonal β in the sorted order; bounded σ reach rank N
    rng = np.random.default_rng(4)
    Z = rng.standard_normal((6, 3))
    a, gap = wide.distinct_projection(Z, rng)
    c1 = wide.construction_curve(Z, 5, "relu", [0.5 / gap, 2 / gap], beta=1.0, a=a)
    c2 = wide.construction_curve(Z, 5, "relu", [1 / gap, 4 / gap], beta=2.0, a=a)
    np.testing.assert_array_equal(c1[:, 1], c2[:, 1])
    W, b = wide.construction_layer(Z, 5, "relu", 2 / gap, beta=1.0, a=a)
    A = np.maximum(Z[np.argsort(Z @ a)] @ W + b, 0.0)
    assert np.all(np.tril(A, -1) == 0) and np.allclose(np.diag(A), 1.0, rtol=1e-12)
    assert wide.construction_curve(Z, 5, "tanh", [40 / gap], a=a)[0, 1] == 6
    with pytest.raises(ValueError, match="alphas"):
        wide.construction_curve(Z, 7, "tanh", [-1.0], a=a)


# ------------------------------------------------------------------ Lemma 4.4
def test_random_feature_spectrum():
    X = np.random.default_rng(2).standard_normal((15, 4))
    g = torch.Generator().manual_seed(0)
    S = wide.random_feature_spectrum(X, nw.MLP((4, 14, 1), "tanh"), 1, 10, g)
    assert S.shape == (10, 15)
    assert np.all(S[:, -1] > 15 * np.finfo(float).eps * S[:, 0])  # Lemma 4.4: full rank almost surely
    S_low = wide.random_feature_spectrum(X, nw.MLP((4, 6, 1), "tanh"), 1, 3, g)
    assert S_low.shape == (3, 7)  # at most n_k + 1 < N singular values
    with pytest.raises(ValueError, match="k"):
        wide.random_feature_spectrum(X, nw.MLP((4, 6, 1), "tanh"), 2, 3, g)
    with pytest.raises(ValueError, match="X"):
        wide.random_feature_spectrum(X[:, :3], nw.MLP((4, 6, 1), "tanh"), 1, 3, g)
    with pytest.raises(ValueError, match="draws"):
        wide.random_feature_spectrum(X, nw.MLP((4, 6, 1), "tanh"), 1, 0, g)


# ------------------------------------------------------------------ block Hessian and Theorem 3.8
@settings(max_examples=8)
@given(seed=st.integers(0, 1000), extra=st.integers(0, 4))
def test_output_block_hessian_null_count(seed, extra):
    # Φ depends on (W_2, b_2) only through [F_1, 1][W_2; b_2ᵀ]: block = 2[F,1]ᵀ[F,1] ⊗ I_m exactly
    X, Y = _data(N=8, d=3, m=2, seed=seed)
    net = nw.MLP((3, 7 + extra, 2), "tanh")
    theta = nw.init_params(net, 1, torch.Generator().manual_seed(seed))[0]
    H = wide.block_hessian(net, theta, X, Y, [2])
    F1 = nw.features(theta, X, net)[0]
    E = torch.cat([F1, torch.ones(8, 1, dtype=torch.float64)], 1)
    expected = torch.kron(2 * E.T @ E, torch.eye(2, dtype=torch.float64))
    assert torch.allclose(H, expected, atol=1e-10)
    ev = torch.linalg.eigvalsh(H).abs()
    assert int((ev <= 1e-9 * ev.max()).sum()) == (7 + extra + 1 - 8) * 2


def _trained(widths, act="tanh", B=3, seed=0, X=None, Y=None):
    if X is None:
        X, Y = _data(N=10, d=3, seed=seed)
    net = nw.MLP(widths, act)
    th = nw.init_params(net, B, torch.Generator().manual_seed(seed))
    th, _, _ = nw.train(th, X, Y, net, kind=losses.get("squared"), steps=100, lr=0.02)
    th, _, _ = nw.levenberg_marquardt(th, X, Y, net, steps=60, grad_tol=1e-11)
    return net, th, X, Y


def test_check_global_optimality_wide():
    net, th, X, Y = _trained((3, 9, 1), B=2)
    for t in th:
        r = wide.check_global_optimality((net, t), X, Y, 1)
        assert r.critical and r.full_rank_Fk and r.nondegenerate and r.hypotheses and r.conclusion
        assert r.loss <= r.gap_bound * (1 + 1e-9) + 1e-28
        assert r.hessian_null_observed == r.hessian_null_predicted == 0
    net, th, X, Y = _trained((3, 14, 1), B=1)  # n_k ≥ N: the block is singular, hypotheses fail, conclusion holds
    r = wide.check_global_optimality((net, th[0]), X, Y, 1)
    assert r.hessian_null_observed == r.hessian_null_predicted == 5
    assert not r.hypotheses and r.lemma35 and r.conclusion


def test_levenberg_marquardt_descends():
    X, Y = _data(N=10, d=3)
    net = nw.MLP((3, 2, 1), "tanh")
    th0 = nw.init_params(net, 4, torch.Generator().manual_seed(1))
    start = nw.batched_loss(th0, X, Y, net, "half_sum")
    th, l, gn = nw.levenberg_marquardt(th0, X, Y, net, steps=50)
    assert torch.all(l <= start + 1e-12)


def test_theorem34_and_erratum():
    # N ≤ d + 1: Theorem 3.4 at trained points; and the σ = tanh(t³) counterexample (σ'(0) = 0)
    X, Y = _data(N=5, d=6)
    net, th, X, Y = _trained((6, 4, 2, 1), X=X, Y=Y)
    r = wide.check_global_optimality((net, th[0]), X, Y, 0)
    assert r.theorem == "3.4" and r.hypotheses and r.conclusion
    cube = (lambda z: torch.tanh(z ** 3), lambda z: 3 * z ** 2 * (1 - torch.tanh(z ** 3) ** 2))
    net_c = nw.MLP((6, 3, 1), "tanh")
    theta = torch.cat([torch.zeros(18 + 3, dtype=torch.float64), torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64),
                       Y.mean(0)])
    rc = wide.check_global_optimality((net_c, theta), X, Y, 0, activation=cube)
    assert rc.full_rank_Fk and rc.full_column_rank and rc.critical
    assert rc.hypotheses and not rc.conclusion  # the printed Theorem 3.4 fails for this σ


def test_check_global_optimality_bad_input():
    X, Y = _data(N=6, d=3)
    net = nw.MLP((3, 5, 1), "tanh")
    theta = torch.zeros(net.n_params, dtype=torch.float64)
    with pytest.raises(ValueError, match="model"):
        wide.check_global_optimality(theta, X, Y, 1)
    with pytest.raises(ValueError, match="model"):
        wide.check_global_optimality((net, theta[:-1]), X, Y, 1)
    with pytest.raises(ValueError, match="k"):
        wide.check_global_optimality((net, theta), X, Y, 2)
    with pytest.raises(ValueError, match="layers"):
        wide.check_global_optimality((net, theta), X, Y, 0, layers=[2])
    with pytest.raises(ValueError, match="X"):
        wide.check_global_optimality((net, theta), X[:, :2], Y, 1)
    with pytest.raises(ValueError, match="Y"):
        wide.check_global_optimality((net, theta), X, Y[:4], 1)
    with pytest.raises(ValueError, match="loss"):
        wide.check_global_optimality((net, theta), X, Y, 1, loss="squared_hinge")
    with pytest.raises(ValueError, match="grad_tol"):
        wide.check_global_optimality((net, theta), X, Y, 1, grad_tol=-1.0)
    with pytest.raises(ValueError, match="layers"):
        wide.block_hessian(net, theta, X, Y, [3])


# ------------------------------------------------------------------ separability and Theorem 5.3
def test_linearly_separable():
    xor = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    assert not wide.linearly_separable(xor, np.array([0, 0, 1, 1])).separable
    lifted = np.hstack([xor, (xor[:, :1] * xor[:, 1:])])  # x₁x₂ makes XOR separable
    assert wide.linearly_separable(lifted, np.array([0, 0, 1, 1])).separable
    # {0, 1} vs {3} on a line with |h|, |c| ≤ 1: max_t min(−c, −h−c, 3h+c) is at c = −1, h = 1/2, t = 1/2
    s = wide.linearly_separable(np.array([[0.0], [1.0], [3.0]]), np.array([0, 0, 1]))
    assert s.margins[0] == pytest.approx(0.5, abs=1e-9)
    # N ≤ n + 1 points in general position are separable under any labelling
    rng = np.random.default_rng(0)
    F = rng.standard_normal((6, 5))
    assert wide.linearly_separable(F, rng.integers(0, 3, 6)).separable
    with pytest.raises(ValueError, match="F"):
        wide.linearly_separable(np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="labels"):
        wide.linearly_separable(F, np.zeros(5))
    with pytest.raises(ValueError, match="tol"):
        wide.linearly_separable(F, np.zeros(6), tol=-1.0)


def test_check_separable_optimality():
    rng = np.random.default_rng(1)
    X = torch.tensor(rng.standard_normal((12, 3)))
    lab = (X[:, 0] > 0).long() + (X[:, 1] > 0.5).long()
    Y = torch.where(torch.nn.functional.one_hot(lab, 3) > 0, 1.0, -1.0).to(torch.float64)
    net = nw.MLP((3, 8, 3), "tanh")
    th = nw.init_params(net, 2, torch.Generator().manual_seed(0))
    th, _, _ = nw.train(th, X, Y, net, kind=losses.get("squared_hinge"), steps=1500, lr=0.03, grad_tol=1e-12)
    for t in th:
        r = wide.check_separable_optimality((net, t), X, Y, 1)
        if r.hypotheses:
            assert r.conclusion
        if r.conclusion:
            assert r.separable  # Φ = 0 with a linear output means separable last-hidden features
    with pytest.raises(ValueError, match="Y"):
        wide.check_separable_optimality((net, th[0]), X, 2 * Y, 1)
    with pytest.raises(ValueError, match="model"):
        wide.check_separable_optimality(th[0], X, Y, 1)
    with pytest.raises(ValueError, match="k"):
        wide.check_separable_optimality((net, th[0]), X, Y, 5)


@pytest.mark.parametrize("N, mu, s_beta", [(5, 0.0, 0.5), (12, -1.0, 0.0), (40, -1.0, 0.0)])
def test_construction_limit_determinant(N, mu, s_beta):
    # |det E_inf| = |mu - sigma(beta)|^(N-1): the proof's row differences are upper triangular
    E = wide.construction_limit(N, mu, s_beta, 1.0)
    sign, logdet = np.linalg.slogdet(E)
    assert sign != 0 and logdet == pytest.approx((N - 1) * np.log(abs(mu - s_beta)), abs=1e-9)
    with pytest.raises(ValueError, match="`mu`"):
        wide.construction_limit(N, 1.0, 0.5, 1.0)
    with pytest.raises(ValueError, match="`N`"):
        wide.construction_limit(1, 0.0, 0.5, 1.0)


# ------------------------------------------------------------------ functions the chapter used to hold
def test_random_feature_spectrum_needs_a_generator():
    # no silent default stream: the caller names the generator, and the draws follow its device
    X = np.random.default_rng(2).standard_normal((8, 3))
    net = nw.MLP((3, 7, 1), "tanh")
    with pytest.raises(TypeError):
        wide.random_feature_spectrum(X, net, 1, 2)  # a required argument
    for bad in (None, 0, np.random.default_rng(0)):
        with pytest.raises(ValueError, match="generator"):
            wide.random_feature_spectrum(X, net, 1, 2, bad)
    a = wide.random_feature_spectrum(X, net, 1, 3, torch.Generator().manual_seed(5), bias_scale=1.0)
    b = wide.random_feature_spectrum(X, net, 1, 3, torch.Generator().manual_seed(5), bias_scale=1.0)
    np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_random_feature_spectrum_on_the_generators_device():
    X = np.random.default_rng(2).standard_normal((8, 3))
    S = wide.random_feature_spectrum(X, nw.MLP((3, 7, 1), "tanh"), 1, 4,
                                     torch.Generator(device="cuda").manual_seed(0), bias_scale=1.0)
    assert S.shape == (4, 8) and np.all(S[:, -1] > 0)


def test_construction_windows():
    rng = np.random.default_rng(3)
    Z = rng.standard_normal((8, 3))
    alphas = np.logspace(-1, 6, 15)
    # bounded σ: every direction reaches rank N, and from some α on stays there (the limit is non-singular)
    windows = wide.construction_windows(Z, 7, "tanh", alphas, rng=np.random.default_rng(1), directions=4)
    assert len(windows) == 4 and all(w.size > 0 and w[-1] == alphas[-1] for w in windows)
    # the same as drawing the directions one after the other and scanning each
    rng_a = np.random.default_rng(9)
    by_hand = []
    for _ in range(3):
        a, _ = wide.distinct_projection(Z, rng_a)
        by_hand.append(alphas[wide.construction_curve(Z, 7, "relu", alphas, beta=1.0, a=a)[:, 1] == 8])
    got = wide.construction_windows(Z, 7, "relu", alphas, beta=1.0, rng=np.random.default_rng(9), directions=3)
    assert all(np.array_equal(x, y) for x, y in zip(got, by_hand))
    with pytest.raises(ValueError, match="directions"):
        wide.construction_windows(Z, 7, "tanh", alphas, rng=rng, directions=0)
    with pytest.raises(ValueError, match="rng"):
        wide.construction_windows(Z, 7, "tanh", alphas, rng=None, directions=1)


@pytest.mark.parametrize("act", ["sigmoid", "tanh"])
def test_construction_limit_deviation(act):
    # at α·δ = 40 the matrix equals the limit of the proof up to the σ-tails; the two log-determinants agree
    rng = np.random.default_rng(6)
    Z = rng.standard_normal((10, 3))
    a, gap = wide.distinct_projection(Z, rng)
    dev, logdet, predicted = wide.construction_limit_deviation(Z, act, 40 / gap, a=a)
    # σ-tails ≤ 2e^{-40}; the cancellation in α⟨a, z_j⟩ − α⟨a, z_i⟩ costs ≈ eps·α·max|⟨a, z⟩| (the chapter's basis, ×10)
    assert dev <= 10 * np.finfo(float).eps * (40 / gap) * np.abs(Z @ a).max() + 2 * math.exp(-40)
    assert logdet == pytest.approx(predicted, abs=1e-9)
    mu, gamma = wide.BOUNDED_LIMITS[act]
    assert mu < gamma
    far, _, _ = wide.construction_limit_deviation(Z, act, 0.1 / gap, a=a)  # small α: far from the limit
    assert far > 0.01
    with pytest.raises(ValueError, match="activation"):
        wide.construction_limit_deviation(Z, "softplus", 1.0, a=a)


def test_tanh_cube_counterexample():
    # the σ' > 0 erratum: an exact critical point with Φ = N·var(y) > 0, and an interpolating point
    X, Y = _data(N=5, d=6, seed=3)
    ce = wide.tanh_cube_counterexample(X, Y, 4)
    assert ce.net.widths == (6, 4, 1) and ce.activation is wide.TANH_CUBE
    sq = losses.get("squared")
    bad = wide.backprop(ce.net, ce.theta_critical, X, Y, sq, activation=ce.activation)
    good = wide.backprop(ce.net, ce.theta_interpolating, X, Y, sq, activation=ce.activation)
    assert float(bad.flat().abs().max()) <= 1e-12
    assert float(sq(bad.F[-1], Y)) == pytest.approx(float(((Y - Y.mean()) ** 2).sum()), rel=1e-12)
    assert float(sq(good.F[-1], Y)) < 1e-20
    assert wide.TANH_CUBE[1](torch.zeros(1, dtype=torch.float64)).item() == 0.0  # σ'(0) = 0
    with pytest.raises(ValueError, match="rank"):
        wide.tanh_cube_counterexample(*_data(N=9, d=3), 4)  # N > d + 1: not independent
    with pytest.raises(ValueError, match="constant"):
        wide.tanh_cube_counterexample(X, torch.ones_like(Y), 4)
    with pytest.raises(ValueError, match="width"):
        wide.tanh_cube_counterexample(X, Y, 0)
    with pytest.raises(ValueError, match="Y"):
        wide.tanh_cube_counterexample(X, torch.cat([Y, Y], 1), 4)


def test_train_to_critical_is_the_three_stages():
    X, Y = _data(N=10, d=3)
    net = nw.MLP((3, 2, 1), "tanh")
    th0 = nw.init_params(net, 3, torch.Generator().manual_seed(2))
    sq = losses.get("squared")
    got = wide.train_to_critical(th0, X, Y, net, adam_steps=30, lr=0.02, lm_steps=20, newton_steps=2)
    th, _, _ = nw.train(th0, X, Y, net, kind=sq, steps=30, lr=0.02)
    th, _, _ = nw.levenberg_marquardt(th, X, Y, net, steps=20, grad_tol=1e-10)
    th, _, _ = nw.newton_refine(th, X, Y, net, kind=sq, steps=2)
    assert torch.equal(got, th)
    assert torch.equal(th0, nw.init_params(net, 3, torch.Generator().manual_seed(2)))  # the starts are not changed


def test_train_to_critical_newton_only_near_critical_points():
    X, Y = _data(N=10, d=3)
    net = nw.MLP((3, 9, 1), "tanh")
    cauchy = losses.get("cauchy")
    th0 = nw.init_params(net, 4, torch.Generator().manual_seed(0))
    adam, _, gn = nw.train(th0, X, Y, net, kind=cauchy, steps=40, lr=0.02)
    cut = float(gn.median())
    got = wide.train_to_critical(th0, X, Y, net, loss=cauchy, adam_steps=40, lr=0.02, newton_steps=3, newton_below=cut)
    far = gn >= cut
    assert bool(far.any()) and torch.equal(got[far], adam[far])  # untouched where Newton could jump far
    assert not torch.equal(got[~far], adam[~far])
    with pytest.raises(ValueError, match="lm_steps"):
        wide.train_to_critical(th0, X, Y, net, loss=cauchy, adam_steps=1, lr=0.02, lm_steps=1)
    with pytest.raises(ValueError, match="adam_steps"):
        wide.train_to_critical(th0, X, Y, net, adam_steps=-1, lr=0.02)
    with pytest.raises(ValueError, match="newton_below"):
        wide.train_to_critical(th0, X, Y, net, adam_steps=1, lr=0.02, newton_steps=1, newton_below=0.0)


def test_suboptimal_critical_points():
    losses_ = [0.5, 0.2, 0.9, 0.2005, 3.0]
    critical = [True, True, False, True, True]
    # critical and above the best (0.2) by more than the margin; 0.9 is not critical, 0.2005 within 1e-3
    assert wide.suboptimal_critical_points(losses_, critical) == [0.5, 3.0]
    assert wide.suboptimal_critical_points(losses_, critical, margin=1.0) == [3.0]
    assert wide.suboptimal_critical_points([0.1], [True]) == []
    with pytest.raises(ValueError, match="losses"):
        wide.suboptimal_critical_points([], [])
    with pytest.raises(ValueError, match="losses"):
        wide.suboptimal_critical_points([0.1, 0.2], [True])
    with pytest.raises(ValueError, match="margin"):
        wide.suboptimal_critical_points([0.1], [True], margin=-1.0)
