"""Protocol of the chapter ``book/free_probability``: its settings and its network experiments.

{cite:t}`pennington2017` model the Hessian of a one-hidden-layer network as H = H0 + H1 and compute
its spectrum by free addition of R transforms; the mathematics is :mod:`landscape.rmt.free_probability`.
This module holds the chapter's settings once (:class:`FreeProbabilityProfile`, :data:`PROFILES`)
and the experiments on bias-free ReLU autoencoders that the chapter runs on whitened 4×4 digits:
the trained network of Fig. 2 and its Hessian split (:func:`trained_autoencoder_hessian`), the
H1 spectra with noise residuals of Fig. 3 (:func:`noise_h1_spectra`), and the H0 gaps of Fig. 5
with their one-parameter Marchenko–Pastur fit (:func:`h0_gaps`, :func:`gap_fit`).

The random draws of the last three come, in the chapter, from one numpy stream shared in a fixed
order (Fig. 2's image subset and rotations, the Gaussian-factor check, Fig. 3, Fig. 5), so these
functions keep numpy and the CPU: drawing them on another device would change every later draw.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscape import _validate
from landscape import statistics as _st
from landscape.rmt import free_probability as _fp

__all__ = [
    "FreeProbabilityProfile",
    "PROFILES",
    "AutoencoderHessian",
    "trained_autoencoder_hessian",
    "noise_h1_spectra",
    "GAP_SOURCES",
    "h0_gaps",
    "GapFit",
    "gap_fit",
]


@dataclass(frozen=True, kw_only=True)
class FreeProbabilityProfile:
    """Settings of ``book/free_probability`` at one profile.

    Attributes
    ----------
    name : the profile's name
    matrix_size : size n >= 10 of the sampled Wishart + Wigner matrices of Fig. 1 (φ = n/m)
    fig2_steps : Adam steps >= 1 training the 16–20–16 autoencoder of Fig. 2
    fig2_lr : its learning rate, > 0
    rotations : Haar rotations >= 2 of H1 in the free-independence test of Fig. 2
    product_wishart_size : size n >= 10 of the Gaussian-factor check of the product-Wishart law (28)
    fig3_runs : networks >= 2 per φ pooled in Fig. 3 (H1 with noise residuals)
    gap_widths : numbers of examples m of Fig. 5, strictly increasing, each > 32 (φ = 32/m < 1), at least 2
    gap_runs : networks >= 2 per m and input source in Fig. 5
    """

    name: str
    matrix_size: int
    fig2_steps: int
    fig2_lr: float
    rotations: int
    product_wishart_size: int
    fig3_runs: int
    gap_widths: tuple
    gap_runs: int

    def __post_init__(self):
        _validate.integer("matrix_size", self.matrix_size, minimum=10)
        _validate.integer("fig2_steps", self.fig2_steps, minimum=1)
        _validate.positive_float("fig2_lr", self.fig2_lr)
        _validate.integer("rotations", self.rotations, minimum=2)
        _validate.integer("product_wishart_size", self.product_wishart_size, minimum=10)
        _validate.integer("fig3_runs", self.fig3_runs, minimum=2)
        _validate.integer("gap_runs", self.gap_runs, minimum=2)
        _validate.increasing_integers("gap_widths", self.gap_widths, minimum=33, min_length=2)


#: ``quick``: 1000 × 1000 matrices, a short training run and few networks per figure; ``full``:
#: 4000 × 4000 matrices, 3000 training steps at a smaller rate, and Fig. 5 over 8 widths and 30 runs
#: as in the paper.
PROFILES = {
    "quick": FreeProbabilityProfile(name="quick", matrix_size=1000, fig2_steps=150, fig2_lr=2e-2, rotations=8,
                                    product_wishart_size=300, fig3_runs=120, gap_widths=(48, 96, 192, 512),
                                    gap_runs=24),
    "full": FreeProbabilityProfile(name="full", matrix_size=4000, fig2_steps=3000, fig2_lr=1e-2, rotations=10,
                                   product_wishart_size=1000, fig3_runs=200,
                                   gap_widths=(48, 64, 96, 128, 192, 256, 384, 512), gap_runs=30),
}


def _inputs(name, X):
    X = _validate.finite_array(name, X)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"`{name}` must be a non-empty (examples, features) array; got shape {X.shape}")
    return X


@dataclass(frozen=True)
class AutoencoderHessian:
    """The exact Hessian split of a trained bias-free ReLU autoencoder (eqs. (3)–(4)).

    Attributes
    ----------
    H0 : (P, P) Gauss–Newton part JᵀJ/m (:func:`landscape.rmt.free_probability.relu_gauss_newton`)
    H1 : (P, P) residual part (:func:`landscape.rmt.free_probability.relu_h1`)
    loss : the mse loss (1/2m)Σ|ŷ − x|² after training
    """

    H0: np.ndarray
    H1: np.ndarray
    loss: float


def trained_autoencoder_hessian(X, generator, *, hidden: int = 20, steps: int, lr: float) -> AutoencoderHessian:
    """Train the bias-free ReLU autoencoder n0–hidden–n0 of Fig. 2 on X and split its Hessian.

    Parameters
    ----------
    X : (m, n0) inputs, which are also the targets (float64)
    generator : torch generator of the initialisation; training runs on its device
    hidden : width of the hidden layer (20 in Fig. 2)
    steps, lr : full-batch Adam steps and learning rate on the mse loss of eq. (2)

    Returns
    -------
    :class:`AutoencoderHessian`: H0 and H1 of eqs. (3)–(4) in closed form, computed in numpy (float64,
    CPU) from the trained weights and residuals.
    """
    import torch

    from landscape.nets import networks

    X = _inputs("X", X)
    hidden = _validate.integer("hidden", hidden, minimum=1)
    n0 = X.shape[1]
    net = networks.MLP((n0, hidden, n0), activation="relu", bias=False)
    Xt = torch.from_numpy(X).to(generator.device)
    theta = networks.init_params(net, 1, generator)
    theta, loss, _ = networks.train(theta, Xt, Xt, net, steps=steps, lr=lr)
    W1, W2 = (w.cpu().numpy() for w, _ in networks.unflatten(theta[0], net))
    E = (networks.forward(theta[0], Xt, net) - Xt).cpu().numpy()
    return AutoencoderHessian(H0=_fp.relu_gauss_newton(X, W1, W2), H1=_fp.relu_h1(X, W1, E), loss=float(loss.item()))


def noise_h1_spectra(Z, m, runs, epsilon, rng: np.random.Generator):
    """Eigenvalues of H1 (eq. (23)) of bias-free n0–n0–n0 ReLU autoencoders at initialisation, Fig. 3.

    Each run draws m of the rows of Z without replacement, first-layer weights N(0, 1/n0) and
    residuals N(0, 2ε) in place of ŷ − y (in that order, from ``rng``), and computes the spectrum with
    :func:`landscape.rmt.free_probability.relu_h1_eigenvalues`; φ = 2n0/m.

    Returns
    -------
    (runs, 2·n0²) array, each row sorted ascending.
    """
    Z = _inputs("Z", Z)
    n0 = Z.shape[1]
    m = _validate.integer("m", m, minimum=1, maximum=len(Z))
    runs = _validate.integer("runs", runs, minimum=1)
    epsilon = _validate.positive_float("epsilon", epsilon)
    evs = []
    for _ in range(runs):
        Xs = Z[rng.choice(len(Z), m, replace=False)]
        W1 = rng.normal(size=(n0, n0)) / np.sqrt(n0)
        E = rng.normal(size=(m, n0)) * np.sqrt(2 * epsilon)
        evs.append(_fp.relu_h1_eigenvalues(Xs, W1, E))
    return np.array(evs)


#: The two input sources of Fig. 5: rows of the data set, and Gaussian inputs (assumption 3 of the paper).
GAP_SOURCES = ("digits", "Gaussian inputs")


def h0_gaps(Z, widths, runs, rng: np.random.Generator):
    """Smallest nonzero eigenvalue of H0 of bias-free n0–n0–n0 ReLU autoencoders at initialisation (Fig. 5).

    For each m in ``widths`` and each source of :data:`GAP_SOURCES` (in that order, interleaved),
    ``runs`` networks: inputs are m rows of Z drawn without replacement, or N(0, 1) inputs of the same
    size; W1, W2 are N(0, 1/n0).  H0 = JᵀJ/m (eq. (3), :func:`landscape.rmt.free_probability.relu_gauss_newton`)
    has n0 zero eigenvalues, one per hidden unit (the rescaling symmetry of a ReLU unit), so the gap
    is the (n0 + 1)-th smallest eigenvalue.

    Returns
    -------
    dict source -> (len(widths), runs) array of gaps; φ = 2n0/m.
    """
    Z = _inputs("Z", Z)
    n0 = Z.shape[1]
    widths = [_validate.integer(f"widths[{i}]", m, minimum=n0 + 1, maximum=len(Z)) for i, m in enumerate(widths)]
    runs = _validate.integer("runs", runs, minimum=1)
    gaps = {src: [] for src in GAP_SOURCES}
    for m in widths:
        for src in GAP_SOURCES:
            g = []
            for _ in range(runs):
                Xs = Z[rng.choice(len(Z), m, replace=False)] if src == "digits" else rng.normal(size=(m, n0))
                W1, W2 = rng.normal(size=(2, n0, n0)) / np.sqrt(n0)
                g.append(np.linalg.eigvalsh(_fp.relu_gauss_newton(Xs, W1, W2))[n0])
            gaps[src].append(g)
    return {src: np.array(g) for src, g in gaps.items()}


@dataclass(frozen=True)
class GapFit:
    """One-scale Marchenko–Pastur fit of gaps, gap ≈ σ(1 − √φ)² (Fig. 5).

    Attributes
    ----------
    mean, se : (k,) mean gap and its standard error over runs, per φ
    sigma : the weighted least-squares scale σ (weights 1/se²)
    chi2 : the weighted residual sum of squares at σ (k − 1 degrees of freedom, nominally)
    statistic, p, z : the Alexander–Govern test that gap/(1 − √φ)² has one mean at every φ
        (:func:`landscape.statistics.equal_ratio_test`); z = Φ⁻¹(1 − p)
    """

    mean: np.ndarray
    se: np.ndarray
    sigma: float
    chi2: float
    statistic: float
    p: float
    z: float


def gap_fit(gaps, phi) -> GapFit:
    """Fit gap ≈ σ(1 − √φ)² with one σ and test whether one σ fits (Fig. 5).

    Parameters
    ----------
    gaps : (k, runs) gaps, one row per φ (as :func:`h0_gaps` returns them)
    phi : (k,) ratios φ < 1
    """
    gaps = _validate.finite_array("gaps", gaps)
    phi = _validate.in_interval("phi", phi, 0.0, 1.0, closed="neither")
    if gaps.ndim != 2 or gaps.shape[1] < 2 or phi.shape != (gaps.shape[0],):
        raise ValueError(f"`gaps` must be (k, runs >= 2) with one φ per row; got {gaps.shape} and {phi.shape}")
    shape = (1 - np.sqrt(phi)) ** 2
    mean, se = gaps.mean(1), gaps.std(1, ddof=1) / np.sqrt(gaps.shape[1])
    w = 1 / se**2
    sigma = np.sum(w * mean * shape) / np.sum(w * shape**2)
    chi2 = np.sum(w * (mean - sigma * shape) ** 2)
    statistic, p, z = _st.equal_ratio_test(list(gaps), shape)
    return GapFit(mean=mean, se=se, sigma=float(sigma), chi2=float(chi2), statistic=float(statistic), p=float(p),
                  z=float(z))
