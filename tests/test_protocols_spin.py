"""The profiles of the spin-glass chapters (landscape/protocols: spin_glass_landscape,
relu_to_spin_glass, clustering_of_minima, entropy_of_minima) and the helpers they hold."""
import dataclasses
from types import SimpleNamespace

import pytest

from landscape.protocols import clustering_of_minima, entropy_of_minima, relu_to_spin_glass, spin_glass_landscape

MODULES = (spin_glass_landscape, relu_to_spin_glass, clustering_of_minima, entropy_of_minima)


def test_todays_values():
    # the chapters' numbers before the profiles moved here; a change must be deliberate
    sgl = spin_glass_landscape.PROFILES
    assert sgl["quick"].Lambdas == (25, 50, 100) and sgl["full"].Lambdas == (25, 50, 100, 200, 300, 400, 500)
    assert all(c.end_points == 1000 and c.n_draws == 8 and c.max_steps == 20000 for c in sgl.values())
    relu = relu_to_spin_glass.PROFILES
    assert (relu["quick"].covariance_draws, relu["full"].covariance_draws) == (40000, 400000)
    assert (relu["quick"].random_architectures, relu["full"].random_architectures) == (3000, 30000)
    assert relu["quick"].lemma_points == relu["full"].lemma_points == 20000
    clu = clustering_of_minima.PROFILES
    assert clu["quick"].samples == ((3, 30, 120, 3), (4, 16, 100, 1)) and clu["quick"].total_starts == 460
    assert (clu["quick"].bound_energies, clu["full"].bound_energies) == (120, 600)
    ent = entropy_of_minima.PROFILES
    assert ent["quick"].goe_sizes == (6, 12, 24, 48) and ent["full"].goe_sizes[-1] == 192
    assert (ent["quick"].sampled_Lambda, ent["full"].sampled_Lambda) == (30, 60)
    assert (ent["quick"].energy_bins, ent["full"].energy_bins) == (5, 10)


@pytest.mark.parametrize("module, change, message", [
    (spin_glass_landscape, dict(Lambdas=()), "`Lambdas`"),
    (spin_glass_landscape, dict(Lambdas=(50, 25)), "strictly increasing"),
    (spin_glass_landscape, dict(Lambdas=(2, 25)), "`Lambdas[0]`"),
    (spin_glass_landscape, dict(n_draws=1), "`n_draws`"),
    (spin_glass_landscape, dict(n_starts=0), "`n_starts`"),
    (relu_to_spin_glass, dict(covariance_draws=1), "`covariance_draws`"),
    (relu_to_spin_glass, dict(gate_draws=2.5), "`gate_draws`"),
    (clustering_of_minima, dict(bound_energies=1), "`bound_energies`"),
    (clustering_of_minima, dict(samples=()), "`samples`"),
    (clustering_of_minima, dict(samples=((3, 30, 120),)), "`samples[0]`"),
    (clustering_of_minima, dict(samples=((3, 2, 120, 3),)), "`samples[0].Lambda`"),
    (clustering_of_minima, dict(samples=((3, 30, 120, 3), (3, 30, 50, 1))), "repeat"),
    (entropy_of_minima, dict(goe_sizes=(12, 6)), "strictly increasing"),
    (entropy_of_minima, dict(law_Lambdas=(1, 13)), "`law_Lambdas[0]`"),
    (entropy_of_minima, dict(energy_bins=0), "`energy_bins`"),
    (entropy_of_minima, dict(sampled_Lambda=2), "`sampled_Lambda`"),
])
def test_bad_settings_fail_naming_the_field(module, change, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        dataclasses.replace(module.PROFILES["quick"], **change)


@pytest.mark.parametrize("verdict, passed, expected", [
    ("inconclusive", True, "undecided"),
    ("inconclusive", False, "undecided"),
    ("holds", True, "yes"),
    ("differs", True, "yes"),
    ("refuted", False, "no"),
    ("failed", False, "no"),
])
def test_decided_follows_the_claim(verdict, passed, expected):
    claim = SimpleNamespace(shown_verdict=verdict, passed=passed)
    assert spin_glass_landscape.decided(claim, "yes", "no", "undecided") == expected


def test_decided_with_ledger_claims(tmp_path):
    # the same on the ledger's own claims: a claim decided only at full is 'undecided' at quick
    from landscape.book.ledger import Ledger

    ledger = Ledger("demo", profile="quick", seed=0, directory=tmp_path, keep_going=True)
    strong = ledger.test("s", "positive", "book", "x", estimate=10.0, se=1.0, lower=0.0, basis="b")
    weak = ledger.test("w", "positive", "book", "x", estimate=10.0, se=1.0, lower=0.0, basis="b",
                       decided_at=("full",))
    wrong = ledger.test("r", "positive", "book", "x", estimate=-10.0, se=1.0, lower=0.0, basis="b")
    assert [spin_glass_landscape.decided(c, "yes", "no", "undecided") for c in (strong, weak, wrong)] == \
        ["yes", "undecided", "no"]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_chapter_reads_its_profile_here(module):
    # the chapter takes its settings from the module, not from run.pick or a per-chapter copy
    import re
    from pathlib import Path

    name = module.__name__.rsplit(".", 1)[1]
    text = (Path(__file__).resolve().parents[1] / "book" / f"{name}.md").read_text()
    assert f"cfg = {name}.PROFILES[run.profile]" in text
    assert "run.pick(" not in text
    # named random streams only: no bare integer purposes
    assert not re.search(r"run\.(torch_generator|numpy_rng)\(\s*\d", text)


@pytest.mark.parametrize("device", [
    "cpu", pytest.param("cuda", marks=pytest.mark.skipif(not __import__("torch").cuda.is_available(),
                                                         reason="needs a CUDA device"))])
def test_the_chapters_library_calls_run_on_the_generators_device(device):
    # the chapters no longer pin their generators to the CPU: each sampler they feed draws on the
    # generator's device, so `--device cuda` reaches it
    import numpy as np
    import torch

    from landscape.spin_glass import hamiltonian, minima, sphere

    g = torch.Generator(device=device).manual_seed(0)
    c = hamiltonian.sample_couplings(8, 3, g, dtype=torch.float64)
    assert c.tensor.device.type == device
    assert hamiltonian.random_sphere_points(4, 8, g).device.type == device
    base = np.ones((2, 6))
    assert np.isfinite(hamiltonian.energy_samples(6, 3, base, 100, g)).all()
    assert np.isfinite(minima.goe_log_det([-2.0], 6, 50, g)[0]).all()
    assert np.isfinite(minima.entropy_monte_carlo([-2.2], 13, 3, 1.0, 200, g)[0]).all()
    assert len(minima.sample_minima(12, 3, 10, 1, g).energy) >= 1
    assert len(sphere.descent_experiment(12, 3, n_starts=8, n_draws=2, generator=g)) == 16


# ---------------------------------------------------------------------------------------------
# the chapters' tables, moved out of the chapters (issue 14): relu_to_spin_glass
# ---------------------------------------------------------------------------------------------
def test_random_widths_draws_depth_then_input_then_hidden():
    import numpy as np

    rng = np.random.default_rng(3)
    widths = relu_to_spin_glass.random_widths(rng, max_depth=4, max_input=9, max_hidden=2)
    by_hand = np.random.default_rng(3)
    depth = int(by_hand.integers(1, 5))
    expected = (int(by_hand.integers(1, 10)),) + tuple(int(by_hand.integers(1, 3)) for _ in range(depth - 1)) + (1,)
    assert widths == expected
    assert rng.random() == by_hand.random()  # the stream is left where the chapter's next draw expects it
    # the maxima are reached and never passed
    many = [relu_to_spin_glass.random_widths(rng, max_depth=3, max_input=2, max_hidden=2) for _ in range(300)]
    assert {len(w) - 1 for w in many} == {1, 2, 3}
    assert {w[0] for w in many} == {1, 2} and {n for w in many for n in w[1:-1]} == {1, 2}
    assert all(w[-1] == 1 for w in many)


@pytest.mark.parametrize("change, message", [
    (dict(max_depth=0), "`max_depth`"),
    (dict(max_input=1.5), "`max_input`"),
    (dict(max_hidden=0), "`max_hidden`"),
    (dict(rng=3), "`rng`"),
])
def test_random_widths_rejects_bad_input_naming_it(change, message):
    import numpy as np

    args = dict(rng=np.random.default_rng(0), max_depth=2, max_input=3, max_hidden=3) | change
    with pytest.raises(ValueError, match=message):
        relu_to_spin_glass.random_widths(**args)


def test_path_identity_table_reproduces_its_rows_by_hand():
    import numpy as np

    from landscape.spin_glass import paths

    table = relu_to_spin_glass.path_identity_table(4, np.random.default_rng(11), n_inputs=7)
    assert list(table.columns) == ["widths", "paths", "mass", "active outputs", "max |difference|", "scale"]
    assert len(table) == 4
    rng = np.random.default_rng(11)
    for _, row in table.iterrows():
        widths = relu_to_spin_glass.random_widths(rng, max_depth=5, max_input=6, max_hidden=5)
        weights = paths.random_weights(widths, rng)
        out = paths.relu_forward(weights, rng.normal(size=(7, widths[0])))
        assert row["widths"] == widths
        assert row["paths"] == row["mass"] == int(np.prod(widths))
        assert row["active outputs"] == np.mean(out > 0)
        assert row["scale"] == (np.max(np.abs(out)) if np.any(out) else 1.0)
        assert row["max |difference|"] < 1e-12  # eq. (1) is an identity


def test_path_identity_table_rejects_bad_input_naming_it():
    import numpy as np

    with pytest.raises(ValueError, match="`n_architectures`"):
        relu_to_spin_glass.path_identity_table(0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="`n_inputs`"):
        relu_to_spin_glass.path_identity_table(2, np.random.default_rng(0), n_inputs=0)


def test_mass_size_table_on_known_architectures():
    import numpy as np

    from landscape.spin_glass import paths

    # depth at most 2, an input up to 100 wide and hidden layers of 1 or 2 units: the proof's step
    # N <= H n_max^2 over layers 1..H fails as for the widths (100, 2, 1) of the chapter's erratum
    table = relu_to_spin_glass.mass_size_table(200, np.random.default_rng(2), max_depth=2, max_input=100, max_hidden=2)
    assert list(table.columns) == ["log_upper", "log_N", "log_lower", "log_Lambda", "H", "N", "chain holds",
                                   "proof step (layers 1..H)", "proof step (all layers)"]
    assert table["chain holds"].all() and table["proof step (all layers)"].all()
    assert not table["proof step (layers 1..H)"].all()
    rng = np.random.default_rng(2)
    for _, row in table.iloc[:20].iterrows():
        widths = relu_to_spin_glass.random_widths(rng, max_depth=2, max_input=100, max_hidden=2)
        assert row["H"] == len(widths) - 1 and row["N"] == sum(a * b for a, b in zip(widths[:-1], widths[1:]))
        assert row["log_N"] == pytest.approx(np.log(row["N"]))
        assert row["proof step (layers 1..H)"] == (row["N"] <= row["H"] * max(widths[1:]) ** 2)
        assert row["log_upper"] == paths.mass_size_bounds(widths)["log_upper"]


def test_mass_size_table_rejects_bad_input_naming_it():
    import numpy as np

    with pytest.raises(ValueError, match="`n_architectures`"):
        relu_to_spin_glass.mass_size_table(-1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="`slack`"):
        relu_to_spin_glass.mass_size_table(2, np.random.default_rng(0), slack=-1e-9)
    with pytest.raises(ValueError, match="`max_input`"):
        relu_to_spin_glass.mass_size_table(2, np.random.default_rng(0), max_input=0)


# ---------------------------------------------------------------------------------------------
# spin_glass_landscape: the descent experiment over Λ and its per-Λ summary
# ---------------------------------------------------------------------------------------------
def _small_descent_profile():
    return dataclasses.replace(spin_glass_landscape.PROFILES["quick"], name="small", Lambdas=(5, 7), n_draws=2,
                               n_starts=3, max_steps=300)


def test_descent_runs_is_descent_experiment_at_every_lambda():
    import pandas as pd
    import torch

    from landscape.spin_glass import sphere

    cfg = _small_descent_profile()
    gens = {L: torch.Generator().manual_seed(L) for L in cfg.Lambdas}
    runs = spin_glass_landscape.descent_runs(cfg, gens, H=3, grad_tol_rms=1e-3, index_tol=1e-3, continue_saddles=10.0,
                                             progress=False)
    by_hand = pd.concat([sphere.descent_experiment(L, 3, n_starts=3, n_draws=2, generator=torch.Generator().manual_seed(L),
                                                   grad_tol_rms=1e-3, max_steps=300, index_tol=1e-3, continue_saddles=10.0)
                         for L in (5, 7)], ignore_index=True)
    pd.testing.assert_frame_equal(runs, by_hand)
    assert list(runs["Lambda"]) == [5] * 6 + [7] * 6


def test_descent_runs_rejects_bad_input_naming_it():
    import torch

    cfg = _small_descent_profile()
    with pytest.raises(ValueError, match="`generators`"):
        spin_glass_landscape.descent_runs(cfg, {5: torch.Generator()}, progress=False)
    with pytest.raises(ValueError, match="`profile`"):
        spin_glass_landscape.descent_runs(dataclasses.asdict(cfg), {}, progress=False)
    with pytest.raises(ValueError, match="`progress`"):
        spin_glass_landscape.descent_runs(cfg, {L: torch.Generator() for L in cfg.Lambdas}, progress="yes")


def test_descent_summary_by_hand():
    import math

    import numpy as np
    import pandas as pd

    # Λ = 10: draw 0 ends at -1.0 and -1.2, draw 1 at -1.4 and -1.4; Λ = 20: one saddle of index 2
    runs = pd.DataFrame({"Lambda": [10, 10, 10, 10, 20, 20, 20, 20], "draw": [0, 0, 1, 1, 0, 0, 1, 1],
                         "energy": [-1.0, -1.2, -1.4, -1.4, -1.5, -1.5, -1.6, -1.8],
                         "index": [0, 0, 0, 0, 0, 2, 0, 0], "steps": [10, 20, 30, 40, 1, 2, 3, 5]})
    s = spin_glass_landscape.descent_summary(runs)
    assert list(s.index) == [10, 20]
    assert list(s.columns) == ["mean", "mean_se", "spread", "spread_se", "lowest", "pooled std", "minima %",
                               "max index", "median steps"]
    sd = math.sqrt(0.02)  # standard deviation of two values 0.2 apart
    np.testing.assert_allclose(s.loc[10, ["mean", "mean_se", "spread", "spread_se", "lowest"]].to_numpy(float),
                               [-1.25, 0.15, sd / 2, sd / 2, -1.4])
    np.testing.assert_allclose(s.loc[20, ["mean", "mean_se", "spread", "spread_se", "lowest"]].to_numpy(float),
                               [-1.6, 0.1, sd / 2, sd / 2, -1.8])
    assert s.loc[10, "pooled std"] == pytest.approx(np.std([-1.0, -1.2, -1.4, -1.4], ddof=1))
    assert (s.loc[10, "minima %"], s.loc[20, "minima %"]) == (100.0, 75.0)
    assert (s.loc[10, "max index"], s.loc[20, "max index"]) == (0, 2)
    assert (s.loc[10, "median steps"], s.loc[20, "median steps"]) == (25.0, 2.5)


def test_descent_summary_rejects_bad_input_naming_it():
    import pandas as pd

    with pytest.raises(ValueError, match="`runs`"):
        spin_glass_landscape.descent_summary({"Lambda": [10]})
    with pytest.raises(ValueError, match="`runs`.*steps"):
        spin_glass_landscape.descent_summary(pd.DataFrame({"Lambda": [10], "draw": [0], "energy": [-1.0], "index": [0]}))


# ---------------------------------------------------------------------------------------------
# entropy_of_minima: the finite-Λ law table and the sampled minima binned by energy
# ---------------------------------------------------------------------------------------------
def test_finite_lambda_law_table_by_hand():
    import numpy as np
    import torch

    from landscape.spin_glass import minima

    u = [-2.1, -2.4]
    table = entropy_of_minima.finite_lambda_law_table((5, 8), u, 60, torch.Generator().manual_seed(4), H=3, p=1.0)
    assert list(table.columns) == ["Λ", "weighted", "E/p", "Monte Carlo", "se", "eq. (8)", "corrected",
                                   "MC − eq. (8)", "MC − corrected"]
    # one stream for the whole table, Λ by Λ, eq. (9)'s weighting first
    gen = torch.Generator().manual_seed(4)
    k = 0
    for L in (5, 8):
        for weighted in (False, True):
            mean, se, _ = minima.entropy_monte_carlo(np.array(u), L, 3, 1.0, 60, gen, weighted=weighted)
            rows = table.iloc[k:k + 2]
            assert list(rows["Λ"]) == [L, L] and list(rows["weighted"]) == [weighted, weighted]
            np.testing.assert_array_equal(rows["Monte Carlo"], mean)
            np.testing.assert_array_equal(rows["se"], se)
            np.testing.assert_array_equal(rows["eq. (8)"], minima.expected_entropy(np.array(u), L, 3, 1.0))
            np.testing.assert_array_equal(rows["corrected"],
                                          minima.expected_entropy_finite(np.array(u), L, 3, 1.0, weighted=weighted))
            k += 2
    np.testing.assert_allclose(table["MC − corrected"], table["Monte Carlo"] - table["corrected"])


@pytest.mark.parametrize("change, message", [
    (dict(Lambdas=()), "`Lambdas`"),
    (dict(Lambdas=(1, 5)), "`Lambdas`"),
    (dict(energies=[-2.1, float("nan")]), "`energies`"),
    (dict(energies=[]), "`energies`"),
    (dict(n_samples=1), "`n_samples`"),
])
def test_finite_lambda_law_table_rejects_bad_input_naming_it(change, message):
    import torch

    args = dict(Lambdas=(5,), energies=[-2.1], n_samples=20, generator=torch.Generator().manual_seed(0)) | change
    with pytest.raises(ValueError, match=message):
        entropy_of_minima.finite_lambda_law_table(**args)


def test_energy_bin_table_by_hand():
    import math

    import numpy as np

    # quantile edges 0, 1.5, 3: the two lowest minima in bin 0, the two highest (the top edge included) in bin 1
    bt = entropy_of_minima.energy_bin_table([3.0, 0.0, 1.0, 2.0], [4.0, 1.0, 2.0, 3.0], [3.0, 1.0, 1.0, 3.0],
                                            [0.0, 0.0, 0.0, 0.0], 2)
    assert list(bt.columns) == ["n", "u", "S", "S_sd", "census", "census_se2", "se", "z"]
    assert list(bt.n) == [2, 2]
    np.testing.assert_allclose(bt.u, [0.5, 2.5])
    np.testing.assert_allclose(bt.S, [1.5, 3.5])
    np.testing.assert_allclose(bt.S_sd, [math.sqrt(0.5)] * 2)
    np.testing.assert_allclose(bt.census, [1.0, 3.0])
    np.testing.assert_allclose(bt.se, [0.5, 0.5])  # sqrt(0.5 / 2 + 0)
    np.testing.assert_allclose(bt.z, [1.0, 1.0])
    # the census standard errors add in quadrature over the bin: sqrt(0.3^2 + 0.4^2) / 2
    bt = entropy_of_minima.energy_bin_table([0.0, 1.0], [1.0, 2.0], [1.0, 1.0], [0.3, 0.4], 1)
    assert bt.census_se2.iloc[0] == pytest.approx(0.25)
    # a minimum without a census value drops out of its bin's census mean and of that mean's standard
    # error: sqrt(0.1^2 + 0.1^2) / 2 over the two minima that have one (dividing by all three understated it)
    bt = entropy_of_minima.energy_bin_table([0.0, 1.0, 2.0], [1.0, 2.0, 3.0], [float("nan"), 1.0, 2.0],
                                            [float("nan"), 0.1, 0.1], 1)
    assert bt.census.iloc[0] == 1.5
    assert bt.census_se2.iloc[0] == pytest.approx(math.sqrt(0.02) / 2)


@pytest.mark.parametrize("change, message", [
    (dict(energy=[0.0, float("inf"), 1.0]), "`energy`"),
    (dict(energy=[0.0]), "`energy`"),
    (dict(entropy=[1.0, 2.0]), "`entropy`"),
    (dict(census=[1.0]), "`census`"),
    (dict(census_se=[[0.1, 0.1, 0.1]]), "`census_se`"),
    (dict(n_bins=0), "`n_bins`"),
])
def test_energy_bin_table_rejects_bad_input_naming_it(change, message):
    args = dict(energy=[0.0, 1.0, 2.0], entropy=[1.0, 2.0, 3.0], census=[1.0, 1.0, 1.0], census_se=[0.1, 0.1, 0.1],
                n_bins=2) | change
    with pytest.raises(ValueError, match=message):
        entropy_of_minima.energy_bin_table(**args)


def test_overlap_pairs_lie_on_the_sphere_at_the_asked_overlaps():
    import numpy as np

    r = np.linspace(-0.9, 1.0, 5)
    base, pairs = relu_to_spin_glass.overlap_pairs(6, r, np.random.default_rng(3))
    np.testing.assert_allclose(base @ base, 6.0, rtol=1e-13)
    np.testing.assert_allclose((pairs**2).sum(axis=1), 6.0, rtol=1e-13)
    np.testing.assert_allclose(pairs @ base / 6, r, atol=1e-13)
    with pytest.raises(ValueError, match="overlaps"):
        relu_to_spin_glass.overlap_pairs(6, [1.5], np.random.default_rng(0))
    with pytest.raises(ValueError, match="Lambda"):
        relu_to_spin_glass.overlap_pairs(1, [0.5], np.random.default_rng(0))


def test_covariance_table_matches_its_parts():
    import numpy as np
    import torch

    from landscape.spin_glass import hamiltonian

    r = np.array([-0.5, 0.0, 1.0])
    gen = lambda H: torch.Generator().manual_seed(10 + H)  # noqa: E731
    table, by_depth = relu_to_spin_glass.covariance_table(5, r, (2, 3), 400, np.random.default_rng(1), gen)
    assert list(table.columns) == ["H", "overlap", "theory", "monte carlo", "se"] and len(table) == 6
    # the same numbers by hand, from the same streams in the same order
    base, pairs = relu_to_spin_glass.overlap_pairs(5, r, np.random.default_rng(1))
    for H in (2, 3):
        s = hamiltonian.energy_samples(5, H, np.vstack([base[None], pairs]), 400, gen(H))
        prod = s[:, :1] * s[:, 1:]
        mean, se, theory = by_depth[H]
        np.testing.assert_array_equal(mean, prod.mean(axis=0))
        np.testing.assert_array_equal(se, prod.std(axis=0, ddof=1) / np.sqrt(400))
        np.testing.assert_allclose(theory, 5 * r**H, atol=1e-12)
        # at overlap 1 the product is H(w)², whose mean is the variance Λ: within 5 standard errors
        assert abs(mean[-1] - 5) < 5 * se[-1]
    with pytest.raises(ValueError, match="n_draws"):
        relu_to_spin_glass.covariance_table(5, r, (2,), 1, np.random.default_rng(1), gen)


def test_lemma81_table():
    import numpy as np

    from landscape.spin_glass import paths

    t = relu_to_spin_glass.lemma81_table(1000, [0.2, 0.4])
    assert len(t) > 0 and (t.eps <= t.p).all()
    assert (t["corr"] >= t["bound"] - 1e-12).all()  # Lemma 8.1 holds on the grid
    # E Z2 by the corrected expansion is exact; the printed one is not wherever a sign flips
    np.testing.assert_allclose(t["corrected E Z2"], t["E Z2"], atol=1e-12)
    assert (np.abs(t["printed E Z2"] - t["E Z2"]) > 1e-6).any()
    # one row by hand: p = 0.2, eps+ = 0.2/5, eps- = 0
    z1, z2 = paths.disagreement_counts(1000, 0.2, 0.04, 0.0)
    row = t[(np.isclose(t.p, 0.2)) & (np.isclose(t.eps, 0.04))].iloc[0]
    assert row["corr"] == pytest.approx(paths.sign_correlation(z1, z2))
    with pytest.raises(ValueError, match="n_points"):
        relu_to_spin_glass.lemma81_table(1, [0.2])
