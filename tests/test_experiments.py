"""Tests of landscape.protocols.trained_networks: protocols of the papers' trained-network experiments."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape import compute
from landscape.protocols import trained_networks as ex
from landscape.nets import networks as nw
from landscape.spin_glass import hamiltonian as spin_glass


# --- architectures ------------------------------------------------------------------------------
def test_becker_architectures_726():
    # Becker et al. 2020: 726 weights, input 10, no biases -> 2 x 22 (H = 3) and 6 x 11 (H = 7),
    # the widths settled in chapter relu_to_spin_glass (each paper version misprints one of them).
    archs = ex.becker_architectures(726, (3, 7), 10)
    assert archs[3].widths == (10, 22, 22, 1)
    assert archs[7].widths == (10, 11, 11, 11, 11, 11, 11, 1)
    assert all(net.n_params == 726 and not net.bias for net in archs.values())


@given(st.integers(1, 30), st.integers(2, 6), st.integers(1, 12))
@settings(max_examples=40, deadline=None)
def test_becker_architectures_roundtrip(n1, H, n0):
    N = int(spin_glass.parameter_count(n1, H, n0))
    net = ex.becker_architectures(N, (H,), n0)[H]
    assert net.n_params == N and net.widths[1] == n1


def test_becker_architectures_bad_input():
    with pytest.raises(ValueError, match="non-integer"):
        ex.becker_architectures(727, (3,), 10)
    with pytest.raises(ValueError, match="n_weights"):
        ex.becker_architectures(0)
    with pytest.raises(ValueError, match="depths"):
        ex.becker_architectures(726, (1,))


# --- data -----------------------------------------------------------------------------------------
def test_regression_sets():
    X, y, desc = ex.regression_set("boston", np.random.default_rng(0))
    assert X.shape == (506, 10) and y.shape == (506,) and "principal components" in desc
    np.testing.assert_allclose(X.mean(0), 0, atol=1e-10)
    np.testing.assert_allclose(X.std(0), 1, atol=1e-10)
    assert abs(y.std() - 1) < 1e-12
    X, y, _ = ex.regression_set("diabetes", np.random.default_rng(0))
    assert X.shape == (442, 10)
    X, y, desc = ex.regression_set("yacht", np.random.default_rng(0))
    assert X.shape == (308, 10) and "stand-in" in desc
    with pytest.raises(ValueError, match="name"):
        ex.regression_set("mnist", np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_features"):
        ex.regression_set("diabetes", np.random.default_rng(0), n_features=12)


def test_mnist_10x10():
    Xtr, ytr, Xte, yte = ex.mnist_10x10(300, 200, np.random.default_rng(0))
    assert Xtr.shape == (300, 100) and Xte.shape == (200, 100)
    assert Xtr.min() >= 0 and Xtr.max() <= 1 and set(np.unique(ytr)) <= set(range(10))
    with pytest.raises(ValueError, match="n_test"):
        ex.mnist_10x10(4000, 1001, np.random.default_rng(0))


def test_one_hot_and_cross_entropy():
    Y = ex.one_hot([0, 2, 1], 3)
    assert Y.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    # uniform logits: cross-entropy log k
    assert math.isclose(float(ex.cross_entropy(torch.zeros(3, 3, dtype=torch.float64), Y)), math.log(3), rel_tol=1e-12)
    with pytest.raises(ValueError, match="labels"):
        ex.one_hot([0, 3], 3)


# --- statistics -----------------------------------------------------------------------------------
def test_pairwise_distances():
    W = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])
    np.testing.assert_allclose(ex.pairwise_distances(W), [5.0, 1.0, math.sqrt(18)])
    np.testing.assert_allclose(ex.pairwise_distances(torch.tensor(W)), [5.0, 1.0, math.sqrt(18)])
    with pytest.raises(ValueError, match="thetas"):
        ex.pairwise_distances(np.zeros((1, 3)))


def test_entropy_rule():
    lam = np.array([[4.0, 1.0, 1e-9, -2.0]])
    # -log 4 - log 1 - 2 log(0.1)
    np.testing.assert_allclose(ex.entropy(lam, 0.1), -math.log(4) - 2 * math.log(0.1))
    with pytest.raises(ValueError, match="floor"):
        ex.entropy(lam, 0.0)


@given(st.lists(st.floats(0.01, 100), min_size=2, max_size=20))
def test_entropy_positive_definite_is_minus_logdet(vals):
    lam = np.array(vals)
    assert math.isclose(ex.entropy(lam, 1e-3), -np.log(lam).sum(), rel_tol=1e-12, abs_tol=1e-12)


def test_energy_entropy_slope():
    # binned_means itself is tested in test_statistics.py
    # S linear in E: the bin means lie on the same line, so the slope is recovered exactly
    E = np.random.default_rng(1).random(500)
    assert math.isclose(ex.energy_entropy_slope(E, -2.0 * E + 3.0), -2.0, rel_tol=1e-9)
    with pytest.raises(ValueError, match="E"):
        ex.binned_means(np.array([1.0]), np.array([1.0]))
    with pytest.raises(ValueError, match="two non-empty bins"):
        ex.energy_entropy_slope(np.ones(5), np.ones(5))


def test_bootstrap_standard_error_of_mean():
    # the bootstrap s.e. of a mean approaches sd/sqrt(n); tolerance: 4 x the Monte-Carlo s.e.
    # of a standard deviation estimated from 2000 replicates (relative s.e. 1/sqrt(2*2000) = 1.6%)
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    reps = ex.bootstrap(np.mean, [x], 2000, np.random.default_rng(1))
    expected = x.std() / math.sqrt(200)
    assert abs(reps.std(ddof=1) / expected - 1) < 4 / math.sqrt(4000)
    with pytest.raises(ValueError, match="arrays"):
        ex.bootstrap(np.mean, [x, x[:10]], 10, rng)
    with pytest.raises(ValueError, match="n_boot"):
        ex.bootstrap(np.mean, [x], 0, rng)


def test_fit_exp_power_law_recovers_parameters():
    n = np.array([25, 50, 100, 250, 500.0])
    fit = ex.fit_exp_power_law(n, 0.7 * np.exp(1.3 * n ** -0.4))
    assert math.isclose(fit["alpha"], 1.3, rel_tol=1e-5) and math.isclose(fit["beta"], -0.4, rel_tol=1e-5)
    np.testing.assert_allclose(fit["scale"](n), np.exp(1.3 * n ** -0.4), rtol=1e-5)
    with pytest.raises(ValueError, match="n1"):
        ex.fit_exp_power_law(n[:3], np.ones(3))


def test_normalised_index_and_threshold():
    lam = np.array([[-1.0, -5e-4, 0.0, 2.0], [1.0, 2.0, 3.0, 4.0]])
    np.testing.assert_allclose(ex.normalised_index(lam, 1e-3), [0.25, 0.0])
    np.testing.assert_allclose(ex.normalised_index(lam, 0.0), [0.5, 0.0])
    with pytest.raises(ValueError, match="threshold"):
        ex.normalised_index(lam, -1.0)


def test_pearson_interval_covers():
    # Fisher z interval of a sample correlation; reference r computed by hand in the docstring
    r, lo, hi, se = ex.pearson([1, 2, 3, 4, 5.0], [2, 4, 5, 4, 5.0])
    assert math.isclose(r, 3 / math.sqrt(15), rel_tol=1e-12) and lo < r < hi
    assert math.isclose(se, 1 / math.sqrt(2))
    with pytest.raises(ValueError, match="x"):
        ex.pearson([1, 2, 3], [1, 2, 3])


# --- optimisers -------------------------------------------------------------------------------------
def _toy(m=60, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(m, 3, generator=g, dtype=torch.float64)
    Y = (X @ torch.tensor([[1.0], [-2.0], [0.5]], dtype=torch.float64))
    return X, Y, g


def test_simulated_annealing_decreases_loss_and_respects_values():
    X, Y, g = _toy()
    net = nw.MLP((3, 1), activation="linear", bias=False)
    th0 = torch.zeros(3, 3, dtype=torch.float64)
    L0 = nw.batched_loss(th0, X, Y, net)
    th, L, acc = ex.simulated_annealing(th0, X, Y, net, steps=400, t_start=0.1, t_end=1e-4, step_size=0.2, generator=g)
    assert bool((L < 0.1 * L0).all()) and bool(((acc > 0) & (acc < 1)).all())
    torch.testing.assert_close(L, nw.batched_loss(th, X, Y, net))
    thq, Lq, _ = ex.simulated_annealing(th0, X, Y, net, steps=200, values=[-1.0, 0.0, 1.0], generator=g)
    assert set(thq.unique().tolist()) <= {-1.0, 0.0, 1.0}
    with pytest.raises(ValueError, match="values"):
        ex.simulated_annealing(th0, X, Y, net, steps=5, values=[1.0])
    with pytest.raises(ValueError, match="n_moves"):
        ex.simulated_annealing(th0, X, Y, net, steps=5, n_moves=4)


def test_quantize():
    t = torch.tensor([[-0.8, -0.2, 0.4, 0.6]])
    assert ex.quantize(t, [-1.0, 0.0, 1.0]).tolist() == [[-1.0, 0.0, 0.0, 1.0]]


def test_hessian_spectra_matches_networks_hessian():
    X, Y, g = _toy(20)
    net = nw.MLP((3, 4, 1), bias=False)
    th = nw.init_params(net, 2, g)
    ev = ex.hessian_spectra(th, X, Y, net, chunk=1)
    ref = np.linalg.eigvalsh(nw.hessian(th[1], X, Y, net).numpy())
    np.testing.assert_allclose(ev[1], ref, atol=1e-10)


def test_accuracy_and_threads():
    net = nw.MLP((2, 2), activation="linear", bias=False)
    th = torch.tensor([[1.0, 0.0, 0.0, 1.0]], dtype=torch.float64)  # identity map
    X = torch.tensor([[2.0, 1.0], [0.0, 3.0]], dtype=torch.float64)
    assert ex.accuracy(th, X, [0, 0], net).tolist() == [0.5]
    before = torch.get_num_threads()
    with compute.torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="n"):
        compute.torch_threads(0)


# --- profiles and task units ------------------------------------------------------------------------
def test_profiles_are_defined_once_and_validated():
    quick, full = ex.PROFILES["quick"], ex.PROFILES["full"]
    assert quick.name == "quick" and full.name == "full"
    assert full.mnist_runs == 1000 and full.epochs == 200 and full.mnist_train == 4000   # Choromanska §5
    assert full.becker_networks == 200 and len(full.becker_sets) == 6
    assert quick.index_epochs == quick.epochs * quick.mnist_train // quick.index_images
    ranges = full.task_ranges(full.mnist_runs, full.networks_per_task)
    assert sum(c for _, c in ranges) == full.mnist_runs and ranges[1][0] == full.networks_per_task
    assert quick.task_ranges(5, 2) == [(0, 2), (2, 2), (4, 1)]
    with pytest.raises(Exception):
        quick.epochs = 3                                    # frozen
    import dataclasses
    with pytest.raises(ValueError, match="epochs"):
        dataclasses.replace(quick, epochs=0)
    with pytest.raises(ValueError, match="sgd_dtype"):
        dataclasses.replace(quick, sgd_dtype="float16")
    with pytest.raises(ValueError, match="index_images"):
        dataclasses.replace(quick, index_images=quick.mnist_train + 1)


def test_mnist_sgd_task_does_not_depend_on_the_split():
    # networks 2 and 3 trained in a task of four and in a task of two: the same end points up to
    # float32 round-off (quick profile, width 25)
    whole = ex.mnist_sgd_task(0, 0, profile="quick", width=25, first=0, count=4)
    part = ex.mnist_sgd_task(0, 1, profile="quick", width=25, first=2, count=2)
    for key in ("train", "test"):
        np.testing.assert_allclose(part[key], whole[key][2:], rtol=1e-4)
    np.testing.assert_allclose(part["acc"], whole["acc"][2:], atol=2e-3)   # at most 2 of 1000 images
    assert whole["test"].shape == (4,) and np.all(whole["acc"] > 0.5)
    with pytest.raises(ValueError, match="profile"):
        ex.mnist_sgd_task(0, 0, profile="medium", width=25, first=0, count=1)


# --- named streams: the chapter and the task functions draw the same ones -------------------------------
def test_becker_task_draws_the_named_streams(monkeypatch):
    # the chapter shows becker_set(seed, name); becker_task trains on the same data from starts drawn
    # from ("becker-init", name, depth): with Adam and the spectra stubbed out, its end points are the starts
    name = ex.PROFILES["quick"].becker_sets[1]
    seen = {}

    def no_adam(th, X, Y, net, steps, lr):
        seen["X"] = X
        return th, torch.zeros(th.shape[0], dtype=th.dtype), torch.zeros(th.shape[0], dtype=th.dtype)

    monkeypatch.setattr(ex._en, "adam", no_adam)
    monkeypatch.setattr(ex, "hessian_spectra", lambda th, X, Y, net, chunk=1: np.zeros((th.shape[0], 1)))
    out = ex.becker_task(3, 0, profile="quick", set_index=1, depth=3)
    net = ex.becker_architectures(726, depths=(3,))[3]
    start = nw.init_params(net, ex.PROFILES["quick"].becker_networks,
                           compute.torch_stream(3, ("becker-init", name, 3)), scale=2 ** 0.5)
    np.testing.assert_array_equal(out["theta"], start.numpy())
    np.testing.assert_array_equal(seen["X"].numpy(), ex.becker_set(3, name)[0])
    # the stand-ins draw their data from ("becker-set", name), the MNIST split from "mnist-split"
    np.testing.assert_array_equal(ex.becker_set(3, "yacht")[0],
                                  ex.regression_set("yacht", compute.numpy_stream(3, ("becker-set", "yacht")))[0])
    assert not np.array_equal(ex.becker_set(3, "yacht")[0], ex.becker_set(4, "yacht")[0])
    Xtr = ex.mnist_split(3, 50, 20)[0]
    np.testing.assert_array_equal(Xtr, ex.mnist_10x10(50, 20, compute.numpy_stream(3, "mnist-split"))[0])


# --- the chapter's statistics --------------------------------------------------------------------------
def test_gather_and_run_tasks(tmp_path):
    params = [{"w": 1}, {"w": 2}, {"w": 1}]
    res = [{"x": np.array([1.0, 2.0])}, {"x": np.array([3.0])}, {"x": np.array([4.0])}]
    got = ex.gather(params, res, "w", "x")
    assert got[1].tolist() == [1.0, 2.0, 4.0] and got[2].tolist() == [3.0]
    with pytest.raises(ValueError, match="lengths"):
        ex.gather(params, res[:2], "w", "x")
    out = ex.run_tasks(_echo_task, [{"k": 2}, {"k": 5}], seed=7, profile="quick", cache=tmp_path)
    assert out == [(7, 0, 2, "quick", "cpu"), (7, 1, 5, "quick", "cpu")]


def _echo_task(seed, index, *, profile, device, k):
    return (seed, index, k, profile, device)


def test_distances_and_directions():
    W = np.array([[0.0, 2.0], [2.0, 0.0], [0.0, 4.0]])
    assert ex.mean_pairwise_distance(W) == pytest.approx((math.sqrt(8) + 2 + math.sqrt(20)) / 3)
    assert np.allclose(np.linalg.norm(ex.directions(W), axis=1), 1.0)
    with pytest.raises(ValueError, match="zero rows"):
        ex.directions(np.zeros((2, 3)))
    rng = np.random.default_rng(0)
    near, far = 0.1 * rng.standard_normal((15, 5)), 3.0 * rng.standard_normal((15, 5))
    d = ex.distance_difference(far, near, np.random.default_rng(1), 200)
    assert d["deep − shallow"] == pytest.approx(d["deep"] - d["shallow"]) and d["deep − shallow"] / d["se"] > 5
    # directions ignore the scale: 3 × the same weights are as far apart as the weights
    s = ex.distance_difference(3.0 * near, near, np.random.default_rng(1), 50, on_sphere=True)
    assert s["deep − shallow"] == pytest.approx(0.0, abs=1e-12)


def test_slope_comparison_and_spread_trend():
    rng = np.random.default_rng(2)
    E = rng.random(200)
    shallow, deep = (E, 3.0 * E + 0.05 * rng.standard_normal(200)), (E, 1.0 * E + 0.05 * rng.standard_normal(200))
    r = ex.slope_comparison(shallow, deep, np.random.default_rng(3), 100)
    assert r["shallow"] == pytest.approx(3.0, abs=0.1) and r["deep"] == pytest.approx(1.0, abs=0.1)
    assert r["shallow − deep"] / r["se diff"] > 10
    z = rng.standard_normal(400)
    samples = [z[:200], 4.0 * z[200:]]
    slope, se = ex.spread_trend([10.0, 100.0], samples, np.random.default_rng(4), 100)
    assert slope == pytest.approx(np.log(4 * np.std(z[200:], ddof=1) / np.std(z[:200], ddof=1)) / np.log(10))
    assert 0 < se < 0.1
    with pytest.raises(ValueError, match="n1"):
        ex.log_sd_slope([10.0], [z])
    d, s = ex.mean_difference(np.ones(4) + np.arange(4), np.arange(4.0))
    assert d == 1.0 and s == pytest.approx(np.sqrt(2 * np.var(np.arange(4.0), ddof=1) / 4))
