"""The profile of the random-matrix chapter (landscape/protocols/free_probability) and its experiments."""
import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from landscape.nets import networks
from landscape.protocols import free_probability as fpp
from landscape.rmt import free_probability as fp

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "free_probability.md"


# ---------------------------------------------------------------- the profile
def test_the_learning_rate_shrinks_at_full():
    # the one setting smaller at full (tests/test_protocols.py checks every size): the longer full run takes smaller steps
    assert fpp.PROFILES["full"].fig2_lr <= fpp.PROFILES["quick"].fig2_lr


def test_todays_values():
    # the chapter's numbers before the profiles moved here; a change must be deliberate
    q, f = fpp.PROFILES["quick"], fpp.PROFILES["full"]
    assert (q.matrix_size, f.matrix_size) == (1000, 4000)
    assert (q.fig2_steps, q.fig2_lr, f.fig2_steps, f.fig2_lr) == (150, 2e-2, 3000, 1e-2)
    assert (q.rotations, f.rotations) == (8, 10)
    assert (q.product_wishart_size, f.product_wishart_size) == (300, 1000)
    assert (q.fig3_runs, f.fig3_runs) == (120, 200)
    assert q.gap_widths == (48, 96, 192, 512) and f.gap_widths == (48, 64, 96, 128, 192, 256, 384, 512)
    assert (q.gap_runs, f.gap_runs) == (24, 30)


@pytest.mark.parametrize("change, message", [
    (dict(matrix_size=5), "`matrix_size`"),
    (dict(fig2_steps=0), "`fig2_steps`"),
    (dict(fig2_lr=0.0), "`fig2_lr`"),
    (dict(rotations=1), "`rotations`"),
    (dict(product_wishart_size=2.5), "`product_wishart_size`"),
    (dict(fig3_runs=1), "`fig3_runs`"),
    (dict(gap_runs=1), "`gap_runs`"),
    (dict(gap_widths=(48,)), "`gap_widths`"),
    (dict(gap_widths=[48, 96]), "`gap_widths`"),
    (dict(gap_widths=(32, 96)), "`gap_widths[0]`"),
    (dict(gap_widths=(96, 48)), "strictly increasing"),
])
def test_bad_settings_fail_naming_the_field(change, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        dataclasses.replace(fpp.PROFILES["quick"], **change)


def test_chapter_reads_its_profile_here():
    text = CHAPTER.read_text()
    assert "cfg = free_probability_protocol.PROFILES[run.profile]" in text
    assert "from landscape.protocols import free_probability as free_probability_protocol" in text
    assert "{py:data}`landscape.protocols.free_probability.PROFILES`" in text
    assert "run.pick(" not in text
    # one device path: no generator is pinned to the CPU; the CPU-only parts are named instead
    assert 'device="cpu"' not in text
    assert "**CPU-only parts.**" in text
    assert not re.search(r"run\.(torch_generator|numpy_rng)\(\s*\d", text)


# ---------------------------------------------------------------- Fig. 2: the trained network
def test_trained_autoencoder_hessian_is_the_exact_hessian():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4))
    g = torch.Generator().manual_seed(0)
    out = fpp.trained_autoencoder_hessian(X, g, hidden=5, steps=40, lr=2e-2)
    # the same training by hand, then the exact torch Hessian and its split (eqs. (3)–(4))
    net = networks.MLP((4, 5, 4), activation="relu", bias=False)
    Xt = torch.from_numpy(X)
    theta = networks.init_params(net, 1, torch.Generator().manual_seed(0))
    theta0_loss = float(networks.loss(theta[0], Xt, Xt, net))
    theta, loss, _ = networks.train(theta, Xt, Xt, net, steps=40, lr=2e-2)
    H, H0, H1 = fp.gauss_newton_split(theta[0], Xt, Xt, net)
    assert np.allclose(out.H0, H0.numpy(), atol=1e-12)
    assert np.allclose(out.H1, H1.numpy(), atol=1e-12)
    assert out.loss == pytest.approx(float(loss.item()), rel=1e-12)
    assert out.loss < theta0_loss
    assert out.H0.shape == out.H1.shape == (net.n_params, net.n_params)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_trained_autoencoder_hessian_trains_on_the_generators_device():
    X = np.random.default_rng(1).normal(size=(30, 4))
    out = fpp.trained_autoencoder_hessian(X, torch.Generator(device="cuda").manual_seed(0), hidden=5, steps=20,
                                          lr=2e-2)
    assert np.isfinite(out.H0).all() and np.isfinite(out.H1).all() and np.isfinite(out.loss)


def test_trained_autoencoder_hessian_bad_input():
    with pytest.raises(ValueError, match="`X`"):
        fpp.trained_autoencoder_hessian(np.ones(5), torch.Generator(), steps=1, lr=0.1)
    with pytest.raises(ValueError, match="`hidden`"):
        fpp.trained_autoencoder_hessian(np.ones((5, 2)), torch.Generator(), hidden=0, steps=1, lr=0.1)


# ---------------------------------------------------------------- Fig. 3: H1 with noise residuals
def _inline_noise_h1(Z, m, runs, eps, rng):
    # the chapter's loop before it moved here
    evs = []
    for _ in range(runs):
        Xs = Z[rng.choice(len(Z), m, replace=False)]
        W1 = rng.normal(size=(16, 16)) / 4
        E = rng.normal(size=(m, 16)) * np.sqrt(2 * eps)
        evs.append(fp.relu_h1_eigenvalues(Xs, W1, E))
    return np.array(evs)


def test_noise_h1_spectra_reproduces_the_chapters_loop_and_eq_28():
    Z = np.random.default_rng(2).normal(size=(600, 16))
    got = fpp.noise_h1_spectra(Z, 128, 20, 50.0, np.random.default_rng(3))
    assert np.array_equal(got, _inline_noise_h1(Z, 128, 20, 50.0, np.random.default_rng(3)))
    assert got.shape == (20, 2 * 16 * 16)
    assert np.allclose(got, -got[:, ::-1])                       # ± singular values
    # the second moment is εφ/2 in expectation (eq. (28)), φ = 2n/m = 1/4
    m2 = (got**2).mean(1)
    m2_th, _ = fp.product_wishart_moments(50.0, 0.25)
    assert m2.mean() == pytest.approx(m2_th, abs=5 * m2.std(ddof=1) / np.sqrt(m2.size))


def test_noise_h1_spectra_bad_input():
    Z = np.ones((10, 4))
    with pytest.raises(ValueError, match="`m`"):
        fpp.noise_h1_spectra(Z, 11, 2, 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="`epsilon`"):
        fpp.noise_h1_spectra(Z, 5, 2, 0.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="`Z`"):
        fpp.noise_h1_spectra(np.ones(10), 5, 2, 1.0, np.random.default_rng(0))


# ---------------------------------------------------------------- Fig. 5: the H0 gap
def _inline_gaps(Z, ms, runs, rng):
    # the chapter's loop before it moved here
    gaps = {"digits": [], "Gaussian inputs": []}
    for m in ms:
        for src in gaps:
            g = []
            for _ in range(runs):
                Xs = Z[rng.choice(len(Z), m, replace=False)] if src == "digits" else rng.normal(size=(m, 16))
                W1, W2 = rng.normal(size=(2, 16, 16)) / 4
                g.append(np.linalg.eigvalsh(fp.relu_gauss_newton(Xs, W1, W2))[16])
            gaps[src].append(g)
    return gaps


def test_h0_gaps_reproduces_the_chapters_loop():
    Z = np.random.default_rng(4).normal(size=(300, 16))
    ms = np.array([48, 96])
    got = fpp.h0_gaps(Z, ms, 3, np.random.default_rng(5))
    want = _inline_gaps(Z, ms, 3, np.random.default_rng(5))
    assert tuple(got) == fpp.GAP_SOURCES
    for src in fpp.GAP_SOURCES:
        assert np.array_equal(got[src], np.array(want[src]))
        assert got[src].shape == (2, 3)
        assert np.all(got[src] > 0)


def test_h0_gaps_skips_exactly_the_zero_modes():
    # H0 of an n0–n0–n0 ReLU autoencoder has n0 zero eigenvalues (one rescaling symmetry per unit);
    # the gap is the next one, well above rounding
    rng = np.random.default_rng(6)
    Xs, (W1, W2) = rng.normal(size=(64, 16)), rng.normal(size=(2, 16, 16)) / 4
    ev = np.linalg.eigvalsh(fp.relu_gauss_newton(Xs, W1, W2))
    assert np.all(np.abs(ev[:16]) < 1e-10 * ev[-1]) and ev[16] > 1e-6 * ev[-1]


def test_h0_gaps_bad_input():
    Z = np.ones((100, 16))
    with pytest.raises(ValueError, match=r"`widths\[0\]`"):
        fpp.h0_gaps(Z, [16], 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="`runs`"):
        fpp.h0_gaps(Z, [48], 0, np.random.default_rng(0))


def test_gap_fit_recovers_one_scale():
    rng = np.random.default_rng(7)
    phi = 32 / np.array([48.0, 96.0, 192.0, 512.0])
    shape = (1 - np.sqrt(phi)) ** 2
    gaps = 0.7 * shape[:, None] * (1 + 0.01 * rng.normal(size=(4, 30)))
    f = fpp.gap_fit(gaps, phi)
    assert f.sigma == pytest.approx(0.7, rel=0.01)
    assert np.allclose(f.mean, gaps.mean(1)) and np.allclose(f.se, gaps.std(1, ddof=1) / np.sqrt(30))
    assert f.chi2 < 20 and f.p > 1e-3 and f.z < 3.29
    # a shape that one σ cannot fit is rejected
    bad = fpp.gap_fit(gaps * np.array([1.0, 1.2, 1.4, 1.6])[:, None], phi)
    assert bad.z > 5 and bad.chi2 > 100


def test_gap_fit_bad_input():
    with pytest.raises(ValueError, match="`phi`"):
        fpp.gap_fit(np.ones((2, 3)), [0.5, 1.0])
    with pytest.raises(ValueError, match="`gaps`"):
        fpp.gap_fit(np.ones((2, 3)), [0.5, 0.25, 0.1])
    with pytest.raises(ValueError, match="`gaps`"):
        fpp.gap_fit(np.ones((2, 1)), [0.5, 0.25])
