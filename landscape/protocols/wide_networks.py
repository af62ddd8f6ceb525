"""Protocol of the chapter ``book/wide_networks``: its settings and its tables.

{cite:t}`nguyen2017` prove that wide networks (one hidden layer with n_k ≥ N − 1, a pyramid
above it) have no suboptimal critical points of a certain kind.  The mathematics — the Lemma 4.3
construction, random feature spectra, Lemma 2.1, the hypotheses and conclusions of Theorems 3.4,
3.8 and 5.3, training to critical points — is :mod:`landscape.nets.wide`.  This module holds the
chapter's settings once (:class:`WideNetworksProfile`, :data:`PROFILES`), the networks it trains
(:func:`theorem38_architectures`) and the loops that build its tables from those functions.

Random streams are passed in as callables that return a *fresh* generator
(``lambda: run.torch_generator("purpose", dev)``), or one per key
(``lambda label: run.torch_generator(("purpose", label), dev)``): where several settings call the
same stream they start from the same random numbers, on purpose (common random numbers).

Where the work runs: training, Hessians and the Lemma 4.4 spectra run on the device of the data
and generators given; the Lemma 4.3 constructions, numerical ranks (SVD with a stated tolerance)
and the separability linear programs are numpy/scipy float64 on the CPU.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from landscape import _validate
from landscape.nets import losses as _losses
from landscape.nets import networks as _nw
from landscape.nets import wide as _wide

__all__ = [
    "WideNetworksProfile",
    "PROFILES",
    "Architecture",
    "EndPoints",
    "theorem38_architectures",
    "backprop_table",
    "construction_table",
    "random_rank_table",
    "theorem38_runs",
    "REPORT_COLUMNS",
    "narrow_witness_search",
    "end_point_spectra",
    "tolerance_table",
    "tolerance_decisions_agree",
    "ROBUST_LOSSES",
    "robust_loss_runs",
    "theorem34_runs",
    "theorem53_runs",
]


@dataclass(frozen=True, kw_only=True)
class WideNetworksProfile:
    """Settings of ``book/wide_networks`` at one profile.

    Attributes
    ----------
    name : the profile's name
    N : diabetes training points of the Lemma 2.1 check and the Theorem 3.8 and robust-loss runs
    digits : digits of the Lemma 4.3 construction (d = 64)
    runs : networks trained per architecture and activation (Theorems 3.8 and 3.4)
    narrow_factor : the narrow network (n₁ = 2) trains ``narrow_factor · runs`` networks per batch
    extra_narrow_batches : at most this many further narrow batches are trained while no
        suboptimal critical point has been seen
    adam_steps, lr : full-batch Adam before Levenberg–Marquardt (Theorems 3.8, 3.4); ``lr`` is the
        step size of every Adam run of the chapter
    lm_steps, narrow_lm_steps : Levenberg–Marquardt steps, wide (and Theorem 3.4) and narrow networks
    lm_grad_tol : Levenberg–Marquardt stops a member at this gradient norm
    narrow_newton_steps : exact Newton steps after Levenberg–Marquardt, narrow networks only
    robust_runs, robust_steps : networks per robust loss and their Adam steps
    robust_newton_steps, newton_below : Newton steps after Adam for the robust losses, from the
        members whose gradient norm is below ``newton_below``
    random_draws : random parameter draws per (activation, width) for Lemma 4.4
    hinge_N, hinge_runs, hinge_steps, hinge_grad_tol : Theorem 5.3 — diabetes patients, networks
        per width, Adam steps and the gradient norm at which a member stops
    """

    name: str
    N: int
    digits: int
    runs: int
    narrow_factor: int = 3
    extra_narrow_batches: int = 8
    adam_steps: int = 200
    lr: float = 0.02
    lm_steps: int = 60
    narrow_lm_steps: int = 300
    lm_grad_tol: float = 1e-10
    narrow_newton_steps: int = 5
    robust_runs: int
    robust_steps: int
    robust_newton_steps: int = 6
    newton_below: float = 1e-2
    random_draws: int
    hinge_N: int
    hinge_runs: int
    hinge_steps: int
    hinge_grad_tol: float = 1e-12

    def __post_init__(self):
        _validate.integer("N", self.N, minimum=3)
        _validate.integer("digits", self.digits, minimum=3)
        for name in ("runs", "narrow_factor", "adam_steps", "lm_steps", "narrow_lm_steps", "robust_runs",
                     "robust_steps", "random_draws", "hinge_runs", "hinge_steps"):
            _validate.integer(name, getattr(self, name), minimum=1)
        for name in ("extra_narrow_batches", "narrow_newton_steps", "robust_newton_steps"):
            _validate.integer(name, getattr(self, name), minimum=0)
        _validate.integer("hinge_N", self.hinge_N, minimum=6)  # three classes by terciles
        for name in ("lr", "newton_below"):
            _validate.positive_float(name, getattr(self, name))
        for name in ("lm_grad_tol", "hinge_grad_tol"):
            _validate.positive_float(name, getattr(self, name), allow_zero=True)

    def squared_training(self, *, narrow: bool = False) -> dict:
        """Keyword arguments of :func:`landscape.nets.wide.train_to_critical` for the squared-loss
        runs: Adam, Levenberg–Marquardt and, for the narrow network, Newton steps."""
        return dict(loss="squared", adam_steps=self.adam_steps, lr=self.lr,
                    lm_steps=self.narrow_lm_steps if narrow else self.lm_steps, lm_grad_tol=self.lm_grad_tol,
                    newton_steps=self.narrow_newton_steps if narrow else 0)


#: ``quick``: N = 20 diabetes points, 80 digits, 8 networks per setting; ``full``: N = 50,
#: 150 digits, 32 networks and longer training of the robust and squared-hinge runs.
PROFILES = {
    "quick": WideNetworksProfile(name="quick", N=20, digits=80, runs=8, robust_runs=3, robust_steps=300,
                                 random_draws=60, hinge_N=50, hinge_runs=8, hinge_steps=1000),
    "full": WideNetworksProfile(name="full", N=50, digits=150, runs=32, robust_runs=12, robust_steps=1500,
                                random_draws=400, hinge_N=60, hinge_runs=40, hinge_steps=4000),
}


# --------------------------------------------------------------------------------------------
# Lemma 2.1, Lemma 4.3, Lemma 4.4
def backprop_table(X, Y, new_init_generator, new_perturbation_generator, *, hidden=(7, 5),
                   activations=("sigmoid", "tanh", "softplus"), perturbation: float = 0.3) -> list:
    """Lemma 2.1 (:func:`landscape.nets.wide.backprop`) against autograd, every loss but the
    squared hinge, at random parameters of a network ``d → hidden → m``.

    Per activation the parameters are ``init_params`` from a fresh ``new_init_generator()`` plus
    ``perturbation`` times a standard normal vector from a fresh ``new_perturbation_generator()``
    (non-zero biases), on the generators' device.

    Returns
    -------
    rows ``{"activation", "loss", "max |difference| / max |grad|"}``.
    """
    import torch

    perturbation = _validate.positive_float("perturbation", perturbation, allow_zero=True)
    widths = (X.shape[1], *hidden, Y.shape[1])
    rows = []
    for act in activations:
        net = _nw.MLP(widths, act)
        theta = _nw.init_params(net, 1, new_init_generator())[0]
        theta = theta + perturbation * torch.randn(theta.shape, generator=new_perturbation_generator(),
                                                   dtype=theta.dtype, device=theta.device)
        for name in _losses.NAMES[:-1]:
            loss = _losses.get(name)
            g_lemma = _wide.backprop(net, theta, X, Y, loss).flat()
            _, g_auto = _nw.loss_and_grad(theta, X, Y, net, kind=loss)
            rows.append({"activation": act, "loss": name,
                         "max |difference| / max |grad|": float((g_lemma - g_auto).abs().max() / g_auto.abs().max())})
    return rows


def construction_table(sets: dict, new_rng) -> list:
    """Lemma 4.3 (:func:`landscape.nets.wide.full_rank_construction`) on each data set, for every
    covered activation and three architectures: (d, N − 1), (d, 8, N − 1) and (d, N + 20).

    ``sets`` maps a label to an (N, d) numpy array; ``new_rng()`` returns a fresh numpy Generator
    for each construction.  Numpy float64, on the CPU.

    Returns
    -------
    rows ``{"data", "activation", "widths", "N", "alpha", "rank [F_k, 1]", "s_N / s_1"}``.
    """
    rows = []
    for label, Z in sets.items():
        n, dd = Z.shape
        for act in _wide.COVERED_ACTIVATIONS:
            for widths in [(dd, n - 1), (dd, 8, n - 1), (dd, n + 20)]:
                c = _wide.full_rank_construction(Z, widths, act, rng=new_rng())
                rows.append({"data": label, "activation": act, "widths": str(widths), "N": n, "alpha": c.alpha,
                             "rank [F_k, 1]": c.rank, "s_N / s_1": c.smallest_singular_value / c.largest_singular_value})
    return rows


def random_rank_table(X, draws: int, new_generator, *, activations=("tanh", "sigmoid", "softplus", "relu")):
    """Lemma 4.4 / Corollary 4.5: rank of [F_1, 1_N] at random Gaussian parameters
    (:func:`landscape.nets.wide.random_feature_spectrum`) for one hidden layer of width N − 6
    (below), N − 1 (at) and 2N (above the width condition).

    A draw has rank N when s_N/s_1 > max(N, n_k + 1)·eps (:func:`landscape.nets.wide.numerical_rank`'s
    default rule, :func:`landscape.nets.wide.default_rank_rtol`).  ``new_generator()`` returns a fresh torch Generator per (activation, width),
    whose device the draws run on.

    Returns
    -------
    rows : list of dict
        keys ``activation``, ``n_k``, ``regime``, ``fraction rank N``, ``median s_N/s_1`` and ``min s_N/s_1``
    spectra : dict
        ``spectra[(activation, n_k)]``, the s_N/s_1 of every draw (0 below the width)
    """
    X = _validate.finite_array("X", X)
    draws = _validate.integer("draws", draws, minimum=1)
    N, d = X.shape
    rows, spectra = [], {}
    for act in activations:
        for n_k in (N - 6, N - 1, 2 * N):
            S = _wide.random_feature_spectrum(X, _nw.MLP((d, n_k, 1), act), 1, draws, new_generator())
            rel = S[:, N - 1] / S[:, 0] if S.shape[1] >= N else np.zeros(draws)
            tol = _wide.default_rank_rtol((N, n_k + 1))
            spectra[(act, n_k)] = rel
            rows.append({"activation": act, "n_k": n_k,
                         "regime": "below" if n_k < N - 1 else ("at" if n_k == N - 1 else "above"),
                         "fraction rank N": float(np.mean(rel > tol)), "median s_N/s_1": float(np.median(rel)),
                         "min s_N/s_1": float(rel.min())})
    return rows, spectra


# --------------------------------------------------------------------------------------------
# Theorem 3.8 on trained networks
@dataclass(frozen=True)
class Architecture:
    """One trained setting of the Theorem 3.8 section: ``widths`` (d, n_1, …, 1), the activation,
    the wide layer k, and whether it is the narrow contrast (trained longer, see
    :meth:`WideNetworksProfile.squared_training`)."""

    label: str
    widths: tuple
    activation: str
    k: int = 1
    narrow: bool = False


def theorem38_architectures(d: int, N: int) -> tuple:
    """The chapter's networks for Theorem 3.8 on N points in d dimensions: n₁ = N − 1 for three
    activations, n₁ = N + 10, a pyramid (N − 1, 8) on the wide layer, a non-pyramidal (N − 1, 2, 4),
    the narrow n₁ = 2 and the ReLU with n₁ = N − 1."""
    d = _validate.integer("d", d, minimum=1)
    N = _validate.integer("N", N, minimum=3)
    return (
        Architecture("wide, n₁ = N−1", (d, N - 1, 1), "tanh"),
        Architecture("wide, n₁ = N−1", (d, N - 1, 1), "sigmoid"),
        Architecture("wide, n₁ = N−1", (d, N - 1, 1), "softplus"),
        Architecture("wider, n₁ = N+10", (d, N + 10, 1), "tanh"),
        Architecture("wide + pyramid, (N−1, 8)", (d, N - 1, 8, 1), "tanh"),
        Architecture("non-pyramidal, (N−1, 2, 4)", (d, N - 1, 2, 4, 1), "tanh"),
        Architecture("narrow, n₁ = 2", (d, 2, 1), "tanh", narrow=True),
        Architecture("ReLU, n₁ = N−1", (d, N - 1, 1), "relu"),
    )


@dataclass
class EndPoints:
    """The trained end points of one architecture and their Theorem 3.8 reports."""

    architecture: Architecture
    net: object
    thetas: object
    reports: list


#: The fields of :class:`landscape.nets.wide.OptimalityReport` that the chapter tabulates per run.
REPORT_COLUMNS = ("critical", "full_rank_Fk", "full_column_rank", "nondegenerate", "hypotheses", "lemma35",
                  "conclusion", "loss", "grad_norm", "hessian_null_observed", "hessian_null_predicted", "gap_bound",
                  "sv_min_Fk")


def theorem38_runs(architectures, X, Y, cfg: WideNetworksProfile, generator_for):
    """Train every architecture to critical points of the squared loss and check Theorem 3.8.

    Each architecture trains ``cfg.runs`` networks (``cfg.narrow_factor · cfg.runs`` for the
    narrow one) from ``init_params`` drawn by ``generator_for(label)``, with
    :func:`landscape.nets.wide.train_to_critical` and :meth:`WideNetworksProfile.squared_training`,
    and checks each end point with :func:`landscape.nets.wide.check_global_optimality` at its wide layer k.

    Returns
    -------
    (rows, end_points): one row per end point with ``network``, ``activation``, ``P`` and
    :data:`REPORT_COLUMNS`; ``end_points[(label, activation)]`` an :class:`EndPoints`.
    """
    rows, end_points = [], {}
    for arch in architectures:
        net = _nw.MLP(arch.widths, arch.activation)
        batch = cfg.narrow_factor * cfg.runs if arch.narrow else cfg.runs
        th = _nw.init_params(net, batch, generator_for(arch.label))
        th = _wide.train_to_critical(th, X, Y, net, **cfg.squared_training(narrow=arch.narrow))
        reps = [_wide.check_global_optimality((net, t), X, Y, arch.k) for t in th]
        end_points[(arch.label, arch.activation)] = EndPoints(arch, net, th, reps)
        for r in reps:
            rows.append({"network": arch.label, "activation": arch.activation, "P": net.n_params,
                         **{key: getattr(r, key) for key in REPORT_COLUMNS}})
    return rows, end_points


def narrow_witness_search(end_points: EndPoints, X, Y, cfg: WideNetworksProfile, generator_for):
    """Train further batches of the narrow network, each from ``generator_for(j)``, j = 0, 1, …,
    until a suboptimal critical point (:func:`landscape.nets.wide.suboptimal_critical_points`) is
    among all its runs, or ``cfg.extra_narrow_batches`` batches have been added.

    Returns
    -------
    (losses, critical, extra_batches): Φ and ‖∇Φ‖ ≤ 1e-8 of every narrow run (the given ones first),
    and the number of batches added.
    """
    net = end_points.net
    losses = [r.loss for r in end_points.reports]
    critical = [r.critical for r in end_points.reports]
    batch = cfg.narrow_factor * cfg.runs
    extra = 0
    while not _wide.suboptimal_critical_points(losses, critical) and extra < cfg.extra_narrow_batches:
        th = _nw.init_params(net, batch, generator_for(extra))
        th = _wide.train_to_critical(th, X, Y, net, **cfg.squared_training(narrow=True))
        for t in th:
            r = _wide.check_global_optimality((net, t), X, Y, end_points.architecture.k)
            losses.append(r.loss)
            critical.append(r.critical)
        extra += 1
    return losses, critical, extra


def end_point_spectra(end_points, X, Y) -> list:
    """For one-hidden-layer end points: the singular values of [F_1, 1_N] (numpy, CPU) and the
    |eigenvalues| of the squared-loss block Hessian on I = {2} (Definition 3.6), which equals
    2[F_1, 1_N]ᵀ[F_1, 1_N] ⊗ I.

    ``end_points`` is an iterable of :class:`EndPoints`.  Returns a list of ``(sv, eig)`` pairs of numpy arrays.
    """
    import torch

    sq = _losses.get("squared")
    out = []
    for ep in end_points:
        if ep.net.depth != 2:
            raise ValueError(f"`end_points` must have one hidden layer; got widths {ep.net.widths}")
        for t in ep.thetas:
            F1 = _nw.features(t, X, ep.net)[0].detach().cpu().numpy()
            sv = _wide.numerical_rank(np.hstack([F1, np.ones((F1.shape[0], 1))])).s
            eig = torch.linalg.eigvalsh(_wide.block_hessian(ep.net, t, X, Y, [2], sq)).abs().cpu().numpy()
            out.append((sv, eig))
    return out


def tolerance_table(spectra, N: int, rank_rtols, hessian_rtols) -> list:
    """How many end points have rank [F_1, 1_N] = N (s_i > rtol·s_1), a non-degenerate block Hessian
    (every |λ| > τ·max|λ|), and both, for every pair of tolerances.

    Returns rows ``{"rank rtol", "Hessian rtol", "rank N", "non-degenerate", "both", "of runs"}``.
    """
    N = _validate.integer("N", N, minimum=1)
    rows = []
    for rt in rank_rtols:
        for hr in hessian_rtols:
            full = [int(np.sum(sv > rt * sv[0])) == N for sv, _ in spectra]
            nondeg = [bool(np.all(e > hr * e.max())) for _, e in spectra]
            rows.append({"rank rtol": rt, "Hessian rtol": hr, "rank N": sum(full), "non-degenerate": sum(nondeg),
                         "both": sum(f and n for f, n in zip(full, nondeg)), "of runs": len(spectra)})
    return rows


def tolerance_decisions_agree(spectra, N: int, hessian_rtols) -> bool:
    """Whether a block-Hessian tolerance τ and a rank tolerance √τ decide alike at every end point
    (the eigenvalues of 2[F, 1]ᵀ[F, 1] are 2 s_i², so the two tests are the same test)."""
    N = _validate.integer("N", N, minimum=1)
    return all([int(np.sum(sv > math.sqrt(hr) * sv[0])) == N for sv, _ in spectra]
               == [bool(np.all(e > hr * e.max())) for _, e in spectra] for hr in hessian_rtols)


# --------------------------------------------------------------------------------------------
# Robust losses, Theorem 3.4, Theorem 5.3
#: The robust losses of Fig. 1 (§3.2), in the chapter's order.
ROBUST_LOSSES = ("pseudo_huber", "blake_zisserman", "corrupted_gaussian", "cauchy")


def robust_loss_runs(X, Y, cfg: WideNetworksProfile, generator_for) -> list:
    """Theorem 3.8 with the robust losses: ``cfg.robust_runs`` tanh networks with n₁ = N − 1 per loss
    (starts from ``generator_for(loss name)``), Adam then Newton from near-critical members
    (:func:`landscape.nets.wide.train_to_critical`), checked by
    :func:`landscape.nets.wide.check_global_optimality` (Φ − N min l).

    Returns rows ``{"loss", "grad norm", "rank N", "non-degenerate", "hypotheses", "Φ − N min l", "global min"}``.
    """
    N, d = X.shape
    net = _nw.MLP((d, N - 1, 1), "tanh")
    rows = []
    for name in ROBUST_LOSSES:
        loss = _losses.get(name)
        th = _nw.init_params(net, cfg.robust_runs, generator_for(name))
        th = _wide.train_to_critical(th, X, Y, net, loss=loss, adam_steps=cfg.robust_steps, lr=cfg.lr,
                                     newton_steps=cfg.robust_newton_steps, newton_below=cfg.newton_below)
        for t in th:
            r = _wide.check_global_optimality((net, t), X, Y, 1, loss=loss)
            rows.append({"loss": name, "grad norm": r.grad_norm, "rank N": r.full_rank_Fk,
                         "non-degenerate": r.nondegenerate, "hypotheses": r.hypotheses, "Φ − N min l": r.gap,
                         "global min": r.conclusion})
    return rows


def theorem34_runs(X, Y, cfg: WideNetworksProfile, new_generator, *, hidden=(6, 3),
                   activations=("sigmoid", "tanh", "softplus")) -> list:
    """Theorem 3.4 (linearly independent inputs, N ≤ d + 1): ``cfg.runs`` pyramidal networks
    d → hidden → 1 per activation, all starting from a fresh ``new_generator()`` (the same starts for
    every activation), trained with :meth:`WideNetworksProfile.squared_training` and checked at k = 0.

    Returns rows ``{"activation", "rank [X,1]", "col ranks W2, W3", "critical", "hypotheses", "Φ", "global min"}``.
    """
    widths = (X.shape[1], *hidden, Y.shape[1])
    rows = []
    for act in activations:
        net = _nw.MLP(widths, act)
        th = _nw.init_params(net, cfg.runs, new_generator())
        th = _wide.train_to_critical(th, X, Y, net, **cfg.squared_training())
        for t in th:
            r = _wide.check_global_optimality((net, t), X, Y, 0)
            rows.append({"activation": act, "rank [X,1]": r.rank_Fk, "col ranks W2, W3": r.column_ranks,
                         "critical": r.critical, "hypotheses": r.hypotheses, "Φ": r.loss, "global min": r.conclusion})
    return rows


def theorem53_runs(X, Y, cfg: WideNetworksProfile, generator_for, *, hidden_widths=(3, 4, 8)) -> list:
    """Theorem 5.3 (1) with the squared-hinge loss: for each n₁ of ``hidden_widths``,
    ``cfg.hinge_runs`` tanh networks d → n₁ → m from ``generator_for(n₁)``, trained by Adam
    (``cfg.hinge_steps``, stopping at ‖∇Φ‖ ≤ ``cfg.hinge_grad_tol``) and checked by
    :func:`landscape.nets.wide.check_separable_optimality` at k = 1 (separability by an LP, on the CPU).

    Returns rows ``{"n₁", "separable F₁", "min margin", "full col rank W₂", "grad norm", "critical", "Φ", "Φ = 0"}``.
    """
    hinge = _losses.get("squared_hinge")
    rows = []
    for n1 in hidden_widths:
        net = _nw.MLP((X.shape[1], n1, Y.shape[1]), "tanh")
        th = _nw.init_params(net, cfg.hinge_runs, generator_for(n1))
        th = _wide.train_to_critical(th, X, Y, net, loss=hinge, adam_steps=cfg.hinge_steps, lr=cfg.lr,
                                     adam_grad_tol=cfg.hinge_grad_tol)
        for t in th:
            r = _wide.check_separable_optimality((net, t), X, Y, 1)
            rows.append({"n₁": n1, "separable F₁": r.separable, "min margin": float(r.margins.min()),
                         "full col rank W₂": r.full_column_rank, "grad norm": r.grad_norm, "critical": r.critical,
                         "Φ": r.loss, "Φ = 0": r.conclusion})
    return rows
