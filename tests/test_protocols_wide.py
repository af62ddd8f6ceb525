"""The profile of the chapter ``book/wide_networks`` (landscape/protocols/wide_networks.py) and the
table-building functions it holds."""
import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from landscape.nets import networks as nw, wide
from landscape.protocols import wide_networks as proto

QUICK = proto.PROFILES["quick"]
# a profile small enough for unit tests: the same code paths, a few networks and steps
TINY = dataclasses.replace(QUICK, name="tiny", runs=2, adam_steps=30, lm_steps=30, narrow_lm_steps=10,
                           narrow_newton_steps=1, extra_narrow_batches=1, robust_runs=1, robust_steps=20,
                           robust_newton_steps=1, hinge_runs=2, hinge_steps=30)


def _data(N=8, d=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(N, d, generator=g, dtype=torch.float64), torch.randn(N, 1, generator=g, dtype=torch.float64))


def _generator(seed=0):
    return lambda *key: torch.Generator().manual_seed(seed)


# ------------------------------------------------------------------ the profile
def test_todays_values():
    # the chapter's numbers before the profile moved here; a change must be deliberate
    q, f = proto.PROFILES["quick"], proto.PROFILES["full"]
    assert (q.N, f.N) == (20, 50) and (q.digits, f.digits) == (80, 150) and (q.runs, f.runs) == (8, 32)
    assert (q.robust_runs, f.robust_runs) == (3, 12) and (q.robust_steps, f.robust_steps) == (300, 1500)
    assert (q.random_draws, f.random_draws) == (60, 400)
    assert (q.hinge_N, f.hinge_N) == (50, 60) and (q.hinge_runs, f.hinge_runs) == (8, 40)
    assert (q.hinge_steps, f.hinge_steps) == (1000, 4000)
    for cfg in (q, f):  # the training settings the sections share, equal at both profiles
        assert (cfg.narrow_factor, cfg.extra_narrow_batches) == (3, 8)
        assert (cfg.adam_steps, cfg.lr, cfg.lm_steps, cfg.narrow_lm_steps, cfg.lm_grad_tol) == (200, 0.02, 60, 300, 1e-10)
        assert (cfg.narrow_newton_steps, cfg.robust_newton_steps, cfg.newton_below) == (5, 6, 1e-2)
        assert cfg.hinge_grad_tol == 1e-12
    assert q.squared_training() == dict(loss="squared", adam_steps=200, lr=0.02, lm_steps=60, lm_grad_tol=1e-10,
                                        newton_steps=0)
    assert q.squared_training(narrow=True)["lm_steps"] == 300 and q.squared_training(narrow=True)["newton_steps"] == 5


@pytest.mark.parametrize("change, message", [
    (dict(N=2), "`N`"),
    (dict(digits=2.5), "`digits`"),
    (dict(runs=0), "`runs`"),
    (dict(narrow_factor=0), "`narrow_factor`"),
    (dict(extra_narrow_batches=-1), "`extra_narrow_batches`"),
    (dict(lr=0.0), "`lr`"),
    (dict(lm_grad_tol=-1e-10), "`lm_grad_tol`"),
    (dict(newton_below=0.0), "`newton_below`"),
    (dict(random_draws=0), "`random_draws`"),
    (dict(hinge_N=5), "`hinge_N`"),
    (dict(hinge_steps=0), "`hinge_steps`"),
])
def test_bad_settings_fail_naming_the_field(change, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(QUICK, **change)


def test_chapter_reads_its_profile_here():
    text = (Path(__file__).resolve().parents[1] / "book" / "wide_networks.md").read_text()
    assert "cfg = wide_networks.PROFILES[run.profile]" in text
    assert "{py:data}`landscape.protocols.wide_networks.PROFILES`" in text
    assert "run.pick(" not in text
    assert not re.search(r"run\.(torch_generator|numpy_rng)\(\s*\d", text)  # named streams only
    assert 'torch.device("cpu")' not in text  # one device path: the run's
    assert "startswith(\"narrow" not in text  # the narrow network is marked by its Architecture


# ------------------------------------------------------------------ Lemma 2.1, 4.3, 4.4 tables
def test_backprop_table():
    X, Y = _data()
    rows = proto.backprop_table(X, Y, _generator(1), _generator(2))
    assert len(rows) == 3 * 5 and {r["activation"] for r in rows} == {"sigmoid", "tanh", "softplus"}
    assert max(r["max |difference| / max |grad|"] for r in rows) < 1e-12
    assert proto.backprop_table(X, Y, _generator(1), _generator(2)) == rows  # fresh streams: reproducible


def test_construction_table():
    Z = np.random.default_rng(0).standard_normal((7, 3))
    rows = proto.construction_table({"z": Z}, lambda: np.random.default_rng(4))
    assert len(rows) == 3 * 3 and {r["widths"] for r in rows} == {"(3, 6)", "(3, 8, 6)", "(3, 27)"}
    bounded = [r for r in rows if r["activation"] != "softplus"]
    assert all(r["rank [F_k, 1]"] == r["N"] == 7 for r in bounded)  # Lemma 4.3


def test_random_rank_table():
    X = np.random.default_rng(1).standard_normal((10, 5))
    rows, spectra = proto.random_rank_table(X, 4, _generator(3))
    assert [(r["activation"], r["n_k"]) for r in rows][:3] == [("tanh", 4), ("tanh", 9), ("tanh", 20)]
    assert set(spectra) == {(r["activation"], r["n_k"]) for r in rows}
    below = [r for r in rows if r["regime"] == "below"]
    assert all(r["fraction rank N"] == 0.0 for r in below)  # n_k + 1 < N columns
    analytic = [r for r in rows if r["regime"] != "below" and r["activation"] != "relu"]
    assert all(r["fraction rank N"] == 1.0 for r in analytic)  # Lemma 4.4
    with pytest.raises(ValueError, match="draws"):
        proto.random_rank_table(X, 0, _generator(3))


# ------------------------------------------------------------------ Theorem 3.8 runs
def test_theorem38_architectures():
    archs = proto.theorem38_architectures(10, 20)
    assert len(archs) == 8 and [a.label for a in archs if a.narrow] == ["narrow, n₁ = 2"]
    assert all(a.widths[0] == 10 and a.widths[-1] == 1 and a.k == 1 for a in archs)
    assert archs[0].widths == (10, 19, 1) and {a.activation for a in archs[:3]} == {"tanh", "sigmoid", "softplus"}
    with pytest.raises(ValueError, match="`N`"):
        proto.theorem38_architectures(10, 2)


@pytest.fixture(scope="module")
def trained():
    X, Y = _data(N=8, d=3)
    archs = (proto.Architecture("wide", (3, 7, 1), "tanh"), proto.Architecture("narrow", (3, 2, 1), "tanh", narrow=True))
    rows, ends = proto.theorem38_runs(archs, X, Y, TINY, lambda label: torch.Generator().manual_seed(len(label)))
    return X, Y, archs, rows, ends


def test_theorem38_runs(trained):
    X, Y, archs, rows, ends = trained
    assert set(ends) == {("wide", "tanh"), ("narrow", "tanh")}
    assert ends[("wide", "tanh")].thetas.shape[0] == TINY.runs
    assert ends[("narrow", "tanh")].thetas.shape[0] == TINY.narrow_factor * TINY.runs
    assert len(rows) == (1 + TINY.narrow_factor) * TINY.runs
    assert set(rows[0]) == {"network", "activation", "P"} | set(proto.REPORT_COLUMNS)
    # the same as training and checking by hand with the profile's settings
    ep = ends[("wide", "tanh")]
    th = nw.init_params(ep.net, TINY.runs, torch.Generator().manual_seed(4))
    th = wide.train_to_critical(th, X, Y, ep.net, **TINY.squared_training())
    assert torch.equal(th, ep.thetas)
    assert [r.loss for r in ep.reports] == [wide.check_global_optimality((ep.net, t), X, Y, 1).loss for t in th]
    # n₁ = N − 1 with LM: every end point interpolates (Theorem 3.8's conclusion)
    assert all(r["conclusion"] for r in rows if r["network"] == "wide")


def test_narrow_witness_search(trained):
    X, Y, _, _, ends = trained
    ep = ends[("narrow", "tanh")]
    losses, critical, extra = proto.narrow_witness_search(ep, X, Y, dataclasses.replace(TINY, extra_narrow_batches=0),
                                                         _generator())
    assert extra == 0 and losses == [r.loss for r in ep.reports] and critical == [r.critical for r in ep.reports]
    # a batch is added only while there is no witness, and each adds narrow_factor · runs runs
    losses, critical, extra = proto.narrow_witness_search(ep, X, Y, TINY, _generator(5))
    had_witness = bool(wide.suboptimal_critical_points([r.loss for r in ep.reports], [r.critical for r in ep.reports]))
    assert extra == (0 if had_witness else 1)
    assert len(losses) == len(critical) == len(ep.reports) + extra * TINY.narrow_factor * TINY.runs
    assert len(ep.reports) == TINY.narrow_factor * TINY.runs  # the given end points are not modified


def test_end_point_spectra_and_tolerances(trained):
    X, Y, _, _, ends = trained
    spectra = proto.end_point_spectra([ends[("wide", "tanh")]], X, Y)
    assert len(spectra) == TINY.runs
    for sv, eig in spectra:  # the output block is 2[F,1]ᵀ[F,1]: eigenvalues 2 s_i²
        np.testing.assert_allclose(np.sort(eig)[::-1], 2 * sv ** 2, rtol=1e-8, atol=1e-10 * eig.max())
    assert proto.tolerance_decisions_agree(spectra, 8, (1e-12, 1e-9, 1e-6))
    with pytest.raises(ValueError, match="one hidden layer"):
        proto.end_point_spectra([dataclasses.replace(ends[("wide", "tanh")], net=nw.MLP((3, 7, 2, 1)))], X, Y)


def test_tolerance_table_counts():
    sv = np.array([1.0, 1e-4])
    spectra = [(sv, 2 * sv ** 2), (np.array([1.0, 1e-5]), 2 * np.array([1.0, 1e-10]))]
    rows = proto.tolerance_table(spectra, 2, (1e-12, 1e-5), (1e-12, 1e-9))
    got = {(r["rank rtol"], r["Hessian rtol"]): (r["rank N"], r["non-degenerate"], r["both"]) for r in rows}
    assert got == {(1e-12, 1e-12): (2, 2, 2), (1e-12, 1e-9): (2, 1, 1), (1e-5, 1e-12): (1, 2, 1), (1e-5, 1e-9): (1, 1, 1)}
    assert all(r["of runs"] == 2 for r in rows)
    assert proto.tolerance_decisions_agree(spectra, 2, (1e-12, 1e-9, 1e-6))
    assert not proto.tolerance_decisions_agree([(sv, np.array([2.0, 1e-30]))], 2, (1e-12,))


# ------------------------------------------------------------------ robust losses, Theorems 3.4 and 5.3
def test_robust_loss_runs():
    X, Y = _data(N=6, d=3)
    rows = proto.robust_loss_runs(X, Y, TINY, lambda name: torch.Generator().manual_seed(len(name)))
    assert [r["loss"] for r in rows] == list(proto.ROBUST_LOSSES) * TINY.robust_runs
    assert all(np.isfinite(r["grad norm"]) for r in rows)
    assert all(r["global min"] for r in rows if r["hypotheses"])  # Theorem 3.8 wherever it applies


def test_theorem34_runs():
    X, Y = _data(N=5, d=6)
    rows = proto.theorem34_runs(X, Y, TINY, _generator(2), hidden=(4, 2))
    assert len(rows) == 3 * TINY.runs and [r["activation"] for r in rows[::TINY.runs]] == ["sigmoid", "tanh", "softplus"]
    assert all(r["rank [X,1]"] == 5 for r in rows)  # independent inputs
    assert all(r["global min"] for r in rows if r["hypotheses"])  # Theorem 3.4


def test_theorem53_runs():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(9, 3, generator=g, dtype=torch.float64)
    labels = np.arange(9) % 3
    Y = torch.as_tensor(np.where(labels[:, None] == np.arange(3)[None, :], 1.0, -1.0))
    rows = proto.theorem53_runs(X, Y, TINY, lambda n1: torch.Generator().manual_seed(n1), hidden_widths=(3, 5))
    assert [r["n₁"] for r in rows] == [3] * TINY.hinge_runs + [5] * TINY.hinge_runs
    assert all(r["Φ = 0"] for r in rows if r["separable F₁"] and r["critical"] and r["full col rank W₂"])  # Theorem 5.3
