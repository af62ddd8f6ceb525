"""Wide networks: the global-optimality conditions of Nguyen & Hein (2017), made computable.

Notation follows the paper and :mod:`landscape.nets.networks` alike: :math:`F_0 = X` (N × d),
:math:`G_k = F_{k-1} W_k + 1_N b_k^T`, :math:`F_k = \\sigma(G_k)` with
:math:`W_k \\in \\mathbb R^{n_{k-1} \\times n_k}`; the objective is
:math:`\\Phi = \\sum_{ij} l((F_L)_{ij} - Y_{ij})` (eq. (1)).  One deviation, stated wherever it
matters: the paper applies σ at the output layer too; we use a linear output layer (σ_L = id)
unless ``net.output_activation`` is set.  The proofs use only σ_L' > 0 at the output, so the
theorems hold verbatim for it.

Contents
--------
* rank decisions with a stated tolerance (:func:`numerical_rank`);
* Lemma 4.3's explicit construction of a layer with rank([F_k, 1_N]) = N
  (:func:`construction_layer`, :func:`construct_layers`, :func:`full_rank_construction`), its
  limit matrix (:func:`construction_limit`, :func:`construction_limit_deviation`) and its scan
  along α (:func:`construction_curve`, :func:`construction_windows`);
* Lemma 4.4 / Cor. 4.5: spectra of [F_k, 1_N] at random parameters (:func:`random_feature_spectrum`);
* Lemma 2.1, backpropagation in matrix form (:func:`backprop`);
* block Hessians (Definition 3.6) and the hypotheses and conclusion of Theorems 3.4 / 3.8 and
  Lemma 3.5 at a given network (:func:`check_global_optimality`); the σ' > 0 erratum
  (:data:`TANH_CUBE`, :func:`tanh_cube_counterexample`);
* training to critical points and the witnesses of suboptimal ones (:func:`train_to_critical`,
  :func:`suboptimal_critical_points`);
* linear separability by a linear program and Theorem 5.3 (:func:`linearly_separable`,
  :func:`check_separable_optimality`).

Where it runs: the torch parts (backprop, Hessians, training, :func:`random_feature_spectrum`)
on the device of their tensors or generator; the constructions, the rank decisions and the
linear programs are numpy/scipy float64 on the CPU (small dense problems decided at the rounding
level of LAPACK's SVD), and torch inputs are copied there for them.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from landscape import _validate
from landscape.nets import engine as _engine
from landscape.nets import losses as _losses
from landscape.nets import networks as _nw

__all__ = [
    "COVERED_ACTIVATIONS",
    "default_rank_rtol",
    "numerical_rank",
    "distinct_projection",
    "construction_layer",
    "construction_limit",
    "BOUNDED_LIMITS",
    "construction_limit_deviation",
    "construct_layers",
    "construction_curve",
    "construction_windows",
    "full_rank_construction",
    "random_feature_spectrum",
    "activation_pair",
    "backprop",
    "layer_slices",
    "block_hessian",
    "check_global_optimality",
    "TANH_CUBE",
    "tanh_cube_counterexample",
    "train_to_critical",
    "suboptimal_critical_points",
    "linearly_separable",
    "check_separable_optimality",
]

#: Activations satisfying Assumption 3.2 (Lemma 3.3): analytic, strictly increasing, bounded or
#: of exponential/linear growth.  ``relu`` and ``linear`` are accepted only where a contrast is shown.
COVERED_ACTIVATIONS = ("sigmoid", "tanh", "softplus")
_ALL_ACTIVATIONS = COVERED_ACTIVATIONS + ("relu", "linear")
_EPS = float(np.finfo(np.float64).eps)


# --------------------------------------------------------------------------------------------
# rank decisions
@dataclass
class Rank:
    """Numerical rank of a matrix: singular values ``s`` (descending), tolerance ``tol`` = rtol·s_max."""

    rank: int
    s: np.ndarray = field(repr=False)
    tol: float
    rtol: float

    @property
    def smallest(self) -> float:
        return float(self.s[-1]) if self.s.size else 0.0


def default_rank_rtol(shape) -> float:
    """The default relative rank tolerance of :func:`numerical_rank` for a matrix of ``shape`` (p, q):
    ``max(p, q) · eps`` (numpy's ``matrix_rank`` rule), the rounding error of a backward-stable SVD."""
    return max(shape) * _EPS


def numerical_rank(A, rtol: float | None = None) -> Rank:
    """Numerical rank: number of singular values above ``rtol · s_max``.

    Parameters
    ----------
    A : (p, q) array
    rtol : float, optional
        Relative tolerance; default ``max(p, q) · eps`` (numpy's ``matrix_rank`` rule), i.e. the
        size of the rounding error of a backward-stable SVD.

    Returns
    -------
    Rank with ``rank``, the singular values ``s``, the absolute ``tol`` and ``rtol``.

    Examples
    --------
    >>> numerical_rank(np.array([[1.0, 0.0], [0.0, 1e-20]])).rank
    1
    """
    A = _validate.finite_array("A", A)
    if A.ndim != 2:
        raise ValueError(f"`A` must be a 2-d array; got shape {A.shape}")
    if rtol is None:
        rtol = default_rank_rtol(A.shape)
    rtol = _validate.positive_float("rtol", rtol, allow_zero=True)
    s = np.linalg.svd(A, compute_uv=False)
    tol = rtol * (float(s[0]) if s.size else 0.0)
    return Rank(int(np.sum(s > tol)), s, tol, rtol)


def _augment(F):
    return np.hstack([F, np.ones((F.shape[0], 1))])


# --------------------------------------------------------------------------------------------
# Lemma 4.3: the explicit construction
def _distinct_rows(Z):
    Z = np.asarray(Z, dtype=float)
    if Z.shape[0] < 2:
        return math.inf
    sq = (Z * Z).sum(1)
    d2 = sq[:, None] + sq[None, :] - 2 * Z @ Z.T
    np.fill_diagonal(d2, np.inf)
    return float(np.sqrt(max(d2.min(), 0.0)))


def distinct_projection(Z, rng: np.random.Generator):
    """A direction ``a`` with distinct projections ⟨a, z_i⟩ (eq. (2) of Nguyen & Hein 2017).

    Draws ``a`` from the standard Gaussian; the set of bad ``a`` is a finite union of hyperplanes
    (measure zero), so one draw suffices unless two rows of ``Z`` coincide.

    Returns
    -------
    (a, gap) : the direction (unit norm) and the smallest gap between sorted projections.
    """
    Z = _validate.finite_array("Z", Z)
    if Z.ndim != 2:
        raise ValueError(f"`Z` must be a 2-d array; got shape {Z.shape}")
    if _distinct_rows(Z) <= 0:
        raise ValueError("`Z` must have distinct rows (Assumption 3.2.1: no identical samples)")
    a = rng.standard_normal(Z.shape[1])
    a /= np.linalg.norm(a)
    t = np.sort(Z @ a)
    gap = float(np.min(np.diff(t))) if t.size > 1 else math.inf
    if gap <= 0:
        raise ValueError("`Z` has rows with equal projections; draw again")
    return a, gap


def construction_layer(Z, width, activation, alpha, *, beta: float = 0.0, a=None, rng=None):
    """Weights ``(W, b)`` of Lemma 4.3 for one layer fed by features ``Z`` (N × n_{k-1}).

    Units j = 1..N−1 get :math:`w_j = -\\alpha a`, :math:`v_j = \\alpha\\langle z_{(j)}, a\\rangle + \\beta`
    where :math:`z_{(1)}, \\dots` are the rows sorted by ⟨a, z⟩, so that
    :math:`A_{ij} = \\sigma(\\alpha\\langle z_{(j)} - z_{(i)}, a\\rangle + \\beta)`; the remaining
    ``width − N + 1`` units get zero weights and bias.

    Parameters
    ----------
    Z : (N, n) array with distinct rows
    width : int >= N − 1
    activation : one of ``sigmoid, tanh, softplus`` (covered) or ``relu, linear`` (contrasts)
    alpha : float > 0, the scale that is sent to infinity in the proof
    beta : float, the offset β (σ(β) ≠ 0 is needed in the unbounded case)
    a : direction with distinct projections; if omitted it is drawn by :func:`distinct_projection`
        from ``rng``, which is then required (there is no default seed)
    rng : numpy Generator, used only when ``a`` is omitted

    Returns
    -------
    (W, b) with shapes (n, width) and (width,).

    Notes
    -----
    Nguyen & Hein (2017), proof of Lemma 4.3. For bounded σ, [1, A(α)] tends to a matrix whose
    row differences are upper triangular with diagonal (1, μ − σ(β), …); for σ of Assumption
    3.2(b) the Leibniz expansion is dominated by σ(β)^{N−1}.
    """
    Z = _validate.finite_array("Z", Z)
    if Z.ndim != 2:
        raise ValueError(f"`Z` must be a 2-d array; got shape {Z.shape}")
    N = Z.shape[0]
    width = _validate.integer("width", width, minimum=max(N - 1, 1))
    _validate.choice("activation", activation, _ALL_ACTIVATIONS)
    alpha = _validate.positive_float("alpha", alpha)
    beta = float(_validate.finite_array("beta", beta))
    if a is None:
        if not isinstance(rng, np.random.Generator):
            raise ValueError("give the direction `a`, or `rng` (a numpy Generator) to draw it from")
        a, _ = distinct_projection(Z, rng)
    a = _validate.finite_array("a", a)
    if a.shape != (Z.shape[1],):
        raise ValueError(f"`a` must have shape ({Z.shape[1]},); got {a.shape}")
    t = np.sort(Z @ a)
    W = np.zeros((Z.shape[1], width))
    b = np.zeros(width)
    W[:, :N - 1] = -alpha * a[:, None]
    b[:N - 1] = alpha * t[:N - 1] + beta
    return W, b


def construction_limit(N, mu, sigma_beta, gamma):
    """The limit :math:`E_\\infty = [1_N, A_\\infty]` of Lemma 4.3's matrix as α → ∞, shape (N, N).

    :math:`(A_\\infty)_{ij}` is γ above the diagonal (j > i), σ(β) on it and μ below it, for a bounded
    σ with limits μ = σ(−∞) < γ = σ(+∞) and the rows numbered by their projection, as in the proof.
    Subtracting consecutive rows leaves an upper-triangular matrix with diagonal
    (1, μ − σ(β), …, μ − σ(β)), so :math:`|\\det E_\\infty| = |\\mu - \\sigma(\\beta)|^{N-1}`.

    Examples
    --------
    >>> E = construction_limit(4, 0.0, 0.5, 1.0)
    >>> round(abs(float(np.linalg.det(E))), 12)   # 0.5 ** 3
    0.125
    """
    N = _validate.integer("N", N, minimum=2)
    mu, sigma_beta, gamma = (float(_validate.finite_array(n, v)) for n, v in
                             (("mu", mu), ("sigma_beta", sigma_beta), ("gamma", gamma)))
    if not mu < gamma:
        raise ValueError(f"`mu` must be below `gamma` (the limits of a bounded increasing σ); got {mu} and {gamma}")
    i, j = np.indices((N, N - 1))
    A = np.where(j > i, gamma, np.where(j == i, sigma_beta, mu))
    return np.hstack([np.ones((N, 1)), A])


#: Limits (μ, γ) = (σ(−∞), σ(+∞)) of the bounded activations, for :func:`construction_limit`.
BOUNDED_LIMITS = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def construction_limit_deviation(Z, activation, alpha, *, a, beta: float = 0.0):
    """Distance of Lemma 4.3's matrix :math:`E(\\alpha) = [1_N, A(\\alpha)]` from its limit
    :math:`E_\\infty` (:func:`construction_limit`), and the determinant of the limit.

    The layer is :func:`construction_layer` with n_k = N − 1 units, direction ``a`` and offset β, for
    σ = ``sigmoid`` or ``tanh`` with the limits μ < γ of :data:`BOUNDED_LIMITS`; the rows of
    :math:`E(\\alpha)` are numbered by their projection ⟨a, z⟩, as in the proof.  For a bounded σ with
    limits μ < γ and α·δ ≥ 40 (δ the smallest gap of the sorted projections) the entries differ
    from the limit by at most the σ-tails, 2e^{−40}, plus the rounding of α⟨a, z_j − z_i⟩.

    Returns
    -------
    (max |E(α) − E_∞|, log|det E_∞|, (N − 1) log|μ − σ(β)|): the last two agree by the
    upper-triangular row differences of the proof.
    """
    Z = _validate.finite_array("Z", Z)
    if Z.ndim != 2:
        raise ValueError(f"`Z` must be a 2-d array; got shape {Z.shape}")
    _validate.choice("activation", activation, tuple(BOUNDED_LIMITS))
    N = Z.shape[0]
    mu, gamma = BOUNDED_LIMITS[activation]
    sigma = _engine.ACTIVATIONS[activation].numpy
    s_beta = float(sigma(np.array(float(beta))))
    E_inf = construction_limit(N, mu, s_beta, gamma)
    W, b = construction_layer(Z, N - 1, activation, alpha, beta=beta, a=a)
    Z_sorted = Z[np.argsort(Z @ np.asarray(a))]  # the proof numbers the samples by their projection
    E_alpha = np.hstack([np.ones((N, 1)), sigma(Z_sorted @ W + b)])
    _, logdet = np.linalg.slogdet(E_inf)
    return float(np.abs(E_alpha - E_inf).max()), float(logdet), (N - 1) * math.log(abs(mu - s_beta))


def construct_layers(X, widths, activation, alpha, *, beta: float = 0.0, rng: np.random.Generator):
    """Parameters ``[(W_1, b_1), …, (W_k, b_k)]`` and features of the Lemma 4.3 construction.

    Layers 1..k−1 are Gaussian (variance 1/n_{l−1}, zero bias): their rows stay distinct with
    probability one (σ is injective); layer k is :func:`construction_layer`.  Any activation of
    ``("sigmoid", "tanh", "softplus", "relu", "linear")`` is accepted here so that the contrasts
    can be shown; :func:`full_rank_construction` is the validated entry point.  ``rng`` (a numpy
    Generator, required) draws the lower layers and the direction of layer k.

    Returns
    -------
    (params, F_k, min_row_distance_of_F_{k-1})
    """
    X = _validate.finite_array("X", X)
    widths = tuple(_validate.integer(f"widths[{i}]", n, minimum=1) for i, n in enumerate(widths))
    if len(widths) < 2:
        raise ValueError(f"`widths` must be (n_0, …, n_k) with k >= 1; got {widths}")
    if X.ndim != 2 or X.shape[1] != widths[0]:
        raise ValueError(f"`X` must have shape (N, widths[0]={widths[0]}); got {X.shape}")
    N = X.shape[0]
    if widths[-1] < N - 1:
        raise ValueError(f"`widths` must end with n_k >= N - 1 = {N - 1} (Lemma 4.3); got n_k = {widths[-1]}")
    _validate.choice("activation", activation, _ALL_ACTIVATIONS)
    if _distinct_rows(X) <= 0:
        raise ValueError("`X` must have distinct rows (Assumption 3.2.1)")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"`rng` must be a numpy Generator (no default seed); got {type(rng).__name__}")
    sigma = _engine.ACTIVATIONS[activation].numpy
    params, F = [], X
    for n_in, n_out in zip(widths[:-2], widths[1:-1]):
        W = rng.standard_normal((n_in, n_out)) / math.sqrt(n_in)
        b = np.zeros(n_out)
        params.append((W, b))
        F = sigma(F @ W + b)
    gap = _distinct_rows(F)
    W, b = construction_layer(F, widths[-1], activation, alpha, beta=beta, rng=rng)
    params.append((W, b))
    return params, sigma(F @ W + b), gap


def construction_curve(Z, width, activation, alphas, *, beta: float = 0.0, a, rtol: float | None = None):
    """Rank and relative smallest singular value of ``[F_k, 1_N]`` along a grid of α.

    ``F_k`` is the layer of :func:`construction_layer` with direction ``a`` (required: the curve
    is a property of one draw of the direction).

    Returns
    -------
    (len(alphas), 2) array: column 0 is :math:`s_N/s_1`, column 1 the numerical rank
    (:func:`numerical_rank` with ``rtol``).

    Notes
    -----
    For the ReLU, which is positively homogeneous, :math:`A(\\alpha, \\beta) = \\alpha A(1, \\beta/\\alpha)`: the
    unit j has its kink at :math:`\\langle a, z_{(j)}\\rangle + \\beta/\\alpha`, and the matrix is
    triangular once :math:`\\beta/\\alpha` is below the smallest gap δ of the sorted projections.
    Interpolating with kinks that sit just right of the data points forces slopes of order
    :math:`\\alpha\\,\\mathrm{gap}_i` to be undone at every next point, so :math:`s_N/s_1` falls like a
    product of the ratios :math:`\\alpha\\,\\mathrm{gap}_i`: whether any α is numerically full rank
    depends on how evenly the draw of ``a`` spaces the projections.
    """
    Z = _validate.finite_array("Z", Z)
    alphas = _validate.finite_array("alphas", alphas)
    if alphas.ndim != 1 or alphas.size < 1 or np.any(alphas <= 0):
        raise ValueError("`alphas` must be a non-empty 1-d array of positive numbers")
    sigma = _engine.ACTIVATIONS[activation].numpy
    out = np.empty((alphas.size, 2))
    for i, al in enumerate(alphas):
        W, b = construction_layer(Z, width, activation, float(al), beta=beta, a=a)
        r = numerical_rank(_augment(sigma(Z @ W + b)), rtol)
        out[i] = (r.smallest / float(r.s[0]), r.rank)
    return out


def construction_windows(Z, width, activation, alphas, *, beta: float = 0.0, rng: np.random.Generator,
                         directions: int, rtol: float | None = None):
    """For ``directions`` independent directions ``a``, the α of a grid at which the Lemma 4.3 layer
    has full rank, rank([F_k, 1_N]) = N.

    Each direction is drawn by :func:`distinct_projection` from ``rng`` (required, used in turn),
    and the scan along ``alphas`` is :func:`construction_curve`.  For bounded σ every direction
    gives a window reaching to α → ∞ (the limit matrix of the proof is non-singular); for the ReLU
    whether a window exists depends on how evenly the draw spaces the projections (see
    :func:`construction_curve`), so the *fraction* of directions with a non-empty window is the
    quantity to report.

    Returns
    -------
    list of ``directions`` arrays, each the (possibly empty) sub-array of ``alphas`` with numerical rank N.
    """
    Z = _validate.finite_array("Z", Z)
    if Z.ndim != 2:
        raise ValueError(f"`Z` must be a 2-d array; got shape {Z.shape}")
    directions = _validate.integer("directions", directions, minimum=1)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"`rng` must be a numpy Generator (no default seed); got {type(rng).__name__}")
    alphas = _validate.finite_array("alphas", alphas)
    out = []
    for _ in range(directions):
        a, _ = distinct_projection(Z, rng)
        curve = construction_curve(Z, width, activation, alphas, beta=beta, a=a, rtol=rtol)
        out.append(alphas[curve[:, 1] == Z.shape[0]])
    return out


@dataclass
class Construction:
    """Result of :func:`full_rank_construction`."""

    params: list = field(repr=False)
    features: np.ndarray = field(repr=False)
    alpha: float
    rank: int
    N: int
    smallest_singular_value: float
    largest_singular_value: float
    tol: float


def full_rank_construction(X, widths, activation, *, alpha: float | None = None, beta: float | None = None,
                           rng: np.random.Generator, rtol: float | None = None,
                           max_doublings: int = 60) -> Construction:
    """Lemma 4.3: parameters of layers 1..k with rank([F_k, 1_N]) = N, for n_k ≥ N − 1.

    Parameters
    ----------
    X : (N, d) inputs with distinct rows
    widths : (d, n_1, …, n_k), the widths up to the wide layer k; n_k ≥ N − 1
    activation : ``"sigmoid"``, ``"tanh"`` or ``"softplus"`` (Assumption 3.2, Lemma 3.3)
    alpha : the scale of the construction; default: among α = 1, 2, 4, …, 2^max_doublings with
        the largest numerical rank, the smallest whose s_N/s_1 is within a factor 2 of the best
        (bounded σ: the plateau of the limit α → ∞; softplus: the finite window where the matrix
        is numerically non-singular, which can be empty for large N)
    beta : the offset β; default 0 for bounded σ and 1 for softplus (σ(β) ≠ 0 is needed)
    rng : numpy Generator (required): one integer is drawn from it to seed the random lower layers
        and the direction, so that every α of the scan uses the same draw
    rtol : rank tolerance relative to the largest singular value (:func:`numerical_rank`)

    Returns
    -------
    Construction with the parameters, F_k, the α used, the rank and the extreme singular values
    of [F_k, 1_N].

    Examples
    --------
    >>> X = np.arange(12.0).reshape(6, 2) ** 0.5
    >>> full_rank_construction(X, (2, 5), "tanh", rng=np.random.default_rng(0)).rank
    6
    """
    _validate.choice("activation", activation, COVERED_ACTIVATIONS)
    if beta is None:
        beta = 1.0 if activation == "softplus" else 0.0
    max_doublings = _validate.integer("max_doublings", max_doublings, minimum=0)
    alphas = [alpha] if alpha is not None else [2.0**j for j in range(max_doublings + 1)]
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"`rng` must be a numpy Generator (no default seed); got {type(rng).__name__}")
    seed = int(rng.integers(2**32))
    trials = []
    for al in alphas:
        params, F, _ = construct_layers(X, widths, activation, al, beta=beta, rng=np.random.default_rng(seed))
        r = numerical_rank(_augment(F), rtol)
        trials.append((r.rank, r.smallest / float(r.s[0]), al, params, F, r))
    top = max(t[0] for t in trials)
    best_ratio = max(t[1] for t in trials if t[0] == top)
    # the smallest α whose conditioning is within a factor 2 of the best one (bounded σ plateau)
    _, _, al, params, F, r = next(t for t in trials if t[0] == top and t[1] >= 0.5 * best_ratio)
    return Construction(params, F, float(al), r.rank, F.shape[0], r.smallest, float(r.s[0]), r.tol)


# --------------------------------------------------------------------------------------------
# Lemma 4.4 / Cor 4.5: random parameters
def random_feature_spectrum(X, net: "_nw.MLP", k: int, draws: int, generator, *, scale: float = 1.0,
                            bias_scale: float = 0.0):
    """Singular values of [F_k, 1_N] for ``draws`` random parameter vectors.

    Weights are N(0, scale²/n_{l−1}), biases N(0, bias_scale²) (``networks.init_params`` plus biases).
    ``generator`` (a ``torch.Generator``, required: there is no default seed) draws the parameters
    on its own device, where the features and their singular values are computed too.

    Returns
    -------
    numpy array (draws, min(N, n_k + 1)) of singular values, descending in each row.

    Notes
    -----
    Nguyen & Hein (2017), Lemma 4.4: for analytic σ and n_k ≥ N − 1 the set where
    rank([F_k, 1_N]) < N has measure zero, so every draw should have σ_N > 0.
    """
    import torch

    k = _validate.integer("k", k, minimum=1, maximum=net.depth - 1 if net.depth > 1 else 1)
    draws = _validate.integer("draws", draws, minimum=1)
    bias_scale = _validate.positive_float("bias_scale", bias_scale, allow_zero=True)
    if not isinstance(generator, torch.Generator):
        raise ValueError(f"`generator` must be a torch.Generator (no default seed); got {type(generator).__name__}")
    Xt = torch.as_tensor(_validate.finite_array("X", X), dtype=torch.float64, device=generator.device)
    if Xt.ndim != 2 or Xt.shape[1] != net.widths[0]:
        raise ValueError(f"`X` must have shape (N, {net.widths[0]}); got {tuple(Xt.shape)}")
    thetas = _nw.init_params(net, draws, generator, scale=scale)
    if bias_scale > 0 and net.bias:
        for sl, (_, bs) in zip(layer_slices(net), net.shapes()):
            nb = bs[0]
            thetas[:, sl.stop - nb:sl.stop] = bias_scale * torch.randn(
                draws, nb, generator=generator, dtype=thetas.dtype, device=thetas.device)
    out = []
    for th in thetas:
        F = _nw.features(th, Xt, net)[k - 1]
        E = torch.cat([F, torch.ones(F.shape[0], 1, dtype=F.dtype, device=F.device)], 1)
        out.append(torch.linalg.svdvals(E).cpu().numpy())
    return np.stack(out)


# --------------------------------------------------------------------------------------------
# Lemma 2.1: backpropagation in matrix form
def activation_pair(activation):
    """``(σ, σ')`` as torch callables for a name of ``networks.ACTIVATIONS`` (from the table
    :data:`landscape.nets.engine.ACTIVATIONS`), or a given pair."""
    if isinstance(activation, tuple) and len(activation) == 2 and all(callable(f) for f in activation):
        return activation
    act = _engine.ACTIVATIONS[_validate.choice("activation", activation, _nw.ACTIVATIONS)]

    def slope(z):
        return act.slope(z, act.value(z))

    return act.value, slope


def layer_slices(net: "_nw.MLP"):
    """Slices of the flat parameter vector holding (W_l, b_l), l = 1..L (``networks`` order)."""
    out, i = [], 0
    for (a, b), bs in net.shapes():
        n = a * b + (bs[0] if bs is not None else 0)
        out.append(slice(i, i + n))
        i += n
    return out


@dataclass
class Backprop:
    """Matrices of Lemma 2.1: pre-activations G_k, features F_k, Δ_k and the gradients."""

    G: list
    F: list
    Delta: list
    grad_W: list
    grad_b: list

    def flat(self):
        """The gradient as one vector in ``networks``' parameter order."""
        import torch

        parts = []
        for gW, gb in zip(self.grad_W, self.grad_b):
            parts.append(gW.reshape(-1))
            if gb is not None:
                parts.append(gb)
        return torch.cat(parts)


def backprop(net: "_nw.MLP", theta, X, Y, loss="squared", activation=None) -> Backprop:
    """Lemma 2.1 of Nguyen & Hein (2017): Δ_k and ∇_{W_k}Φ, ∇_{b_k}Φ in matrix form.

    .. math::
        \\Delta_L = l'(F_L - Y) \\circ \\sigma_L'(G_L),\\quad
        \\Delta_k = (\\Delta_{k+1} W_{k+1}^T) \\circ \\sigma'(G_k),\\quad
        \\nabla_{W_k}\\Phi = F_{k-1}^T \\Delta_k,\\quad \\nabla_{b_k}\\Phi = \\Delta_k^T 1_N.

    Parameters
    ----------
    net : networks.MLP (σ_L = identity unless ``net.output_activation``)
    theta : flat parameters (P,)
    X, Y : (N, d) and (N, m) tensors
    loss : name or :class:`landscape.nets.losses.Loss`; Φ = Σ l(F_L − Y)
    activation : optional ``(σ, σ')`` pair overriding ``net.activation``

    Returns
    -------
    Backprop with lists indexed by layer 1..L (position 0 is layer 1).
    """
    import torch

    loss = _losses.get(loss)
    _nw._check_data(X, Y, net)
    sigma, dsigma = activation_pair(activation if activation is not None else net.activation)
    params = _nw.unflatten(theta, net)
    L = net.depth
    Fs, Gs, h = [], [], X
    for l, (W, b) in enumerate(params, start=1):
        g = h @ W + (b if b is not None else 0)
        out_act = l < L or net.output_activation
        h = sigma(g) if out_act else g
        Gs.append(g)
        Fs.append(h)
    Delta = [None] * L
    dL = dsigma(Gs[-1]) if net.output_activation else torch.ones_like(Gs[-1])
    Delta[-1] = loss.residual_grad(Fs[-1], Y) * dL
    for l in range(L - 2, -1, -1):
        Delta[l] = (Delta[l + 1] @ params[l + 1][0].T) * dsigma(Gs[l])
    inputs = [X] + Fs[:-1]
    gW = [inputs[l].T @ Delta[l] for l in range(L)]
    gb = [Delta[l].sum(0) if params[l][1] is not None else None for l in range(L)]
    return Backprop(Gs, Fs, Delta, gW, gb)


# --------------------------------------------------------------------------------------------
# Block Hessians and the hypotheses of Theorems 3.4 / 3.8
def block_hessian(net: "_nw.MLP", theta, X, Y, layers, loss="squared"):
    """Hessian of Φ with respect to the parameters of ``layers`` (1-based), Definition 3.6.

    Returns
    -------
    torch tensor (t, t), t = Σ_{l ∈ layers} (n_{l−1} + 1) n_l.
    """
    import torch

    loss = _losses.get(loss)
    L = net.depth
    layers = sorted({_validate.integer("layers", l, minimum=1, maximum=L) for l in layers})
    if not layers:
        raise ValueError("`layers` must name at least one layer in [1, L]")
    sl = layer_slices(net)
    idx = torch.cat([torch.arange(sl[l - 1].start, sl[l - 1].stop) for l in layers]).to(theta.device)
    H = _nw.hessian(theta, X, Y, net, kind=loss)
    return H[idx][:, idx]


@dataclass
class OptimalityReport:
    """Hypotheses and conclusion of Thm 3.4 (k = 0) or Thm 3.8 / Lemma 3.5 (k ≥ 1) at one network.

    Every decision is stored with the number behind it and the tolerance used.
    """

    theorem: str
    k: int
    N: int
    n_k: int
    loss: float
    global_min: float
    gap: float
    grad_norm: float
    grad_norm_layer: float
    critical: bool
    rank_Fk: int
    sv_min_Fk: float
    sv_max_Fk: float
    rank_tol: float
    full_rank_Fk: bool
    column_ranks: list
    sv_min_W: list
    full_column_rank: bool
    hessian_layers: list
    hessian_eig_min_abs: float
    hessian_eig_max_abs: float
    hessian_tol: float
    hessian_null_observed: int
    hessian_null_predicted: int
    nondegenerate: bool
    wide: bool
    hypotheses: bool
    lemma35: bool
    gap_bound: float
    conclusion: bool
    loss_tol: float

    def as_dict(self):
        return asdict(self)


def check_global_optimality(model, X, Y, k, *, loss="squared", layers=None, rtol: float | None = None,
                            hessian_rtol: float = 1e-9, grad_tol: float = 1e-8, loss_tol: float = 1e-8,
                            activation=None) -> OptimalityReport:
    """Check the hypotheses and the conclusion of Theorem 3.4 (k = 0) or 3.8 (k ≥ 1) at a network.

    Parameters
    ----------
    model : ``(net, theta)`` with ``net`` a :class:`landscape.nets.networks.MLP` and ``theta`` its flat
        parameters (a torch tensor)
    X, Y : (N, d), (N, m) torch tensors
    k : the wide layer, 0 ≤ k ≤ L − 1 (k = 0 is the input layer: Theorem 3.4)
    loss : name of :data:`landscape.nets.losses.NAMES` (not ``squared_hinge``) or a Loss
    layers : the set I ⊆ {k+1, …, L} of Theorem 3.8 (default: all of them)
    rtol : rank tolerance relative to the largest singular value (default: size·eps)
    hessian_rtol : eigenvalues of the block Hessian with |λ| ≤ hessian_rtol·max|λ| count as zero
    grad_tol : a point is critical when ‖∇Φ‖ ≤ grad_tol
    loss_tol : the conclusion holds when Φ − N m min l ≤ loss_tol

    Returns
    -------
    OptimalityReport.  ``hypotheses`` are those of Thm 3.8 (n_k ≥ N−1, critical, non-degenerate on
    I, W_{k+2..L} of full column rank) or, for k = 0, of Thm 3.4 (rank[X, 1] = N, critical, W_{2..L}
    of full column rank).  ``lemma35`` are those of Lemma 3.5 (rank[F_k, 1] = N, full column rank,
    critical).  ``gap_bound`` is a quantitative form of Lemma 3.5's argument for the squared loss:
    Φ − 0 ≤ (‖∇_{k+1}Φ‖ / (2 s_N ∏_{l>k+1} s_min(W_l) min σ'(G_{l−1})))² (inf if rank[F_k,1] < N).
    ``hessian_null_predicted`` = (n_k + 1 − rank[F_k, 1])·n_{k+1}: Φ depends on (W_{k+1}, b_{k+1})
    only through [F_k, 1][W_{k+1}; b_{k+1}^T], so that many exact zero eigenvalues are forced (a
    lower bound in general, exact for one hidden layer and the squared loss, where the block is
    2[F_k,1]ᵀ[F_k,1] ⊗ I).  Here the rank is taken at tolerance √hessian_rtol, because those
    eigenvalues scale as the squared singular values.
    """
    import torch

    if not (isinstance(model, tuple) and len(model) == 2 and isinstance(model[0], _nw.MLP)):
        raise ValueError("`model` must be a pair (net, theta) with net a landscape.nets.networks.MLP")
    net, theta = model
    loss = _losses.get(loss)
    if loss.name == "squared_hinge":
        raise ValueError("`loss` 'squared_hinge' belongs to Theorem 5.3: use check_separable_optimality")
    L = net.depth
    k = _validate.integer("k", k, minimum=0, maximum=L - 1)
    _nw._check_data(X, Y, net)
    if theta.ndim != 1 or theta.shape[0] != net.n_params:
        raise ValueError(f"`model` theta must have shape ({net.n_params},); got {tuple(theta.shape)}")
    if layers is None:
        layers = list(range(k + 1, L + 1))
    layers = sorted(set(int(l) for l in layers))
    if k + 1 not in layers or any(l <= k or l > L for l in layers):
        raise ValueError(f"`layers` must be a subset of [{k + 1}, {L}] containing {k + 1}; got {layers}")
    hessian_rtol = _validate.positive_float("hessian_rtol", hessian_rtol, allow_zero=True)
    grad_tol = _validate.positive_float("grad_tol", grad_tol, allow_zero=True)
    loss_tol = _validate.positive_float("loss_tol", loss_tol, allow_zero=True)

    bp = backprop(net, theta, X, Y, loss, activation=activation)
    g = bp.flat()
    sl = layer_slices(net)
    N, m = Y.shape
    value = float(loss(bp.F[-1], Y))
    gmin = N * m * loss.minimum
    Fk = X if k == 0 else bp.F[k - 1]
    rk = numerical_rank(_augment(Fk.detach().cpu().numpy()), rtol)
    params = _nw.unflatten(theta, net)
    col_ranks, sv_min_W = [], []
    for l in range(k + 2, L + 1):
        r = numerical_rank(params[l - 1][0].detach().cpu().numpy(), rtol)
        col_ranks.append(r.rank)
        sv_min_W.append(r.smallest)
    full_col = all(r == net.widths[l] for r, l in zip(col_ranks, range(k + 2, L + 1)))
    grad_norm = float(g.norm())
    grad_layer = float(g[sl[k]].norm())
    critical = grad_norm <= grad_tol
    n_k = net.widths[k]
    # block Hessian on I (not a hypothesis of Thm 3.4, reported anyway)
    H = block_hessian(net, theta, X, Y, layers, loss) if activation is None else None
    if H is not None:
        eig = torch.linalg.eigvalsh(0.5 * (H + H.T)).abs().cpu().numpy()
        htol = hessian_rtol * float(eig.max())
        e_min, e_max, null_obs = float(eig.min()), float(eig.max()), int(np.sum(eig <= htol))
    else:
        htol, e_min, e_max, null_obs = math.nan, math.nan, math.nan, -1
    # the forced null space has eigenvalues ∝ s_i² of [F_k, 1]: a Hessian tolerance τ is a rank tolerance √τ
    rk_h = numerical_rank(_augment(Fk.detach().cpu().numpy()), math.sqrt(hessian_rtol))
    null_pred = (n_k + 1 - rk_h.rank) * net.widths[k + 1]
    nondeg = null_obs == 0
    full_rank = rk.rank == N
    wide = n_k >= N - 1
    if k == 0:
        theorem = "3.4"
        hyp = full_rank and full_col and critical
    else:
        theorem = "3.8"
        hyp = wide and critical and nondeg and full_col
    lemma35 = full_rank and full_col and critical
    # quantitative Lemma 3.5 (squared loss, σ' > 0 bounded below on the data)
    if full_rank and full_col and loss.name == "squared":
        _, dsig = activation_pair(activation if activation is not None else net.activation)
        factor = rk.smallest
        for l in range(k + 2, L + 1):
            factor *= sv_min_W[l - k - 2] * float(dsig(bp.G[l - 2]).min())
        if net.output_activation:
            factor *= float(dsig(bp.G[-1]).min())
        bound = (grad_layer / (2 * factor)) ** 2 if factor > 0 else math.inf
    else:
        bound = math.inf
    gap = value - gmin
    return OptimalityReport(
        theorem=theorem, k=k, N=N, n_k=n_k, loss=value, global_min=gmin, gap=gap, grad_norm=grad_norm,
        grad_norm_layer=grad_layer, critical=critical, rank_Fk=rk.rank, sv_min_Fk=rk.smallest,
        sv_max_Fk=float(rk.s[0]), rank_tol=rk.tol, full_rank_Fk=full_rank, column_ranks=col_ranks,
        sv_min_W=sv_min_W, full_column_rank=full_col, hessian_layers=layers, hessian_eig_min_abs=e_min,
        hessian_eig_max_abs=e_max, hessian_tol=htol, hessian_null_observed=null_obs,
        hessian_null_predicted=null_pred, nondegenerate=nondeg, wide=wide, hypotheses=hyp, lemma35=lemma35,
        gap_bound=bound, conclusion=gap <= loss_tol, loss_tol=loss_tol)


# --------------------------------------------------------------------------------------------
# The erratum: σ' > 0 is needed (Assumption 3.2 / proof of Theorem 3.4)
def _tanh_cube(z):
    return (z ** 3).tanh()


def _tanh_cube_slope(z):
    return 3 * z ** 2 * (1 - (z ** 3).tanh() ** 2)


#: σ(t) = tanh(t³) and σ'(t) = 3t²(1 − tanh²(t³)) as an ``activation`` pair for :func:`backprop` and
#: :func:`check_global_optimality`: analytic, bounded and strictly increasing (Assumption 3.2 as
#: printed), yet σ'(0) = 0.
TANH_CUBE = (_tanh_cube, _tanh_cube_slope)


@dataclass
class Counterexample:
    """Result of :func:`tanh_cube_counterexample`: a network, its activation pair and two points."""

    net: "_nw.MLP"
    activation: tuple
    theta_critical: object = field(repr=False)
    theta_interpolating: object = field(repr=False)


def tanh_cube_counterexample(X, Y, width: int) -> Counterexample:
    """The counterexample to Theorem 3.4 as printed: a critical point that is not a global minimum.

    The network is d → ``width`` → 1 with σ = tanh(t³) (:data:`TANH_CUBE`) in the hidden layer.

    * ``theta_critical``: W_1 = 0, b_1 = 0, W_2 = (1, 2, …, width)ᵀ (full column rank), b_2 = mean(Y).
      Then F_1 = σ(0) = 0 and σ'(G_1) = σ'(0) = 0, so every gradient of Lemma 2.1 vanishes
      exactly, while Φ = Σ_i (y_i − ȳ)² > 0.
    * ``theta_interpolating``: unit 1 carries G_1[:, 0] = σ⁻¹(y / s), s = 2 max|y|, solved on the
      full-row-rank [X, 1_N] by its pseudo-inverse (numpy, on the CPU), and W_2 = s e_1: Φ = 0 up to rounding.

    The proof of Theorem 3.4 (Nguyen & Hein 2017) cancels σ'(G_k) "as by assumption σ' is strictly
    positive", which "strictly increasing" does not give; the corrected assumption adds σ' > 0.

    Parameters
    ----------
    X : (N, d) torch tensor with rank [X, 1_N] = N (linearly independent inputs, N ≤ d + 1)
    Y : (N, 1) torch tensor of targets, not all equal
    width : hidden units, >= 1

    Returns
    -------
    Counterexample with the tensors on the device and dtype of ``X``.
    """
    import torch

    width = _validate.integer("width", width, minimum=1)
    if X.ndim != 2 or Y.ndim != 2 or Y.shape != (X.shape[0], 1):
        raise ValueError(f"`X` must be (N, d) and `Y` (N, 1); got {tuple(X.shape)} and {tuple(Y.shape)}")
    N, d = X.shape
    X1 = _augment(X.detach().cpu().numpy())
    if numerical_rank(X1).rank != N:
        raise ValueError("`X` must have linearly independent rows with a constant, rank [X, 1_N] = N (Theorem 3.4)")
    if float(Y.max() - Y.min()) <= 0:
        raise ValueError("`Y` must not be constant (then the critical point would be a global minimum)")
    opts = dict(dtype=X.dtype, device=X.device)
    net = _nw.MLP((d, width, 1), "tanh")  # the activation is overridden by TANH_CUBE wherever it is used
    W2 = torch.arange(1.0, width + 1.0, **opts)
    theta_critical = torch.cat([torch.zeros(d * width + width, **opts), W2, Y.mean(0)])
    s = 2 * float(Y.abs().max())
    target = torch.sign(Y[:, 0] / s) * torch.atanh(Y[:, 0] / s).abs() ** (1 / 3)
    V = torch.as_tensor(np.linalg.pinv(X1) @ target.detach().cpu().numpy(), **opts)
    W1 = torch.zeros(d, width, **opts)
    W1[:, 0] = V[:d]
    b1 = torch.zeros(width, **opts)
    b1[0] = V[d]
    W2g = torch.zeros(width, **opts)
    W2g[0] = s
    theta_interpolating = torch.cat([W1.reshape(-1), b1, W2g, torch.zeros(1, **opts)])
    return Counterexample(net, TANH_CUBE, theta_critical, theta_interpolating)


# --------------------------------------------------------------------------------------------
# Training to critical points, and suboptimal ones
def train_to_critical(thetas, X, Y, net: "_nw.MLP", *, loss="squared", adam_steps: int, lr: float,
                      adam_grad_tol: float = 0.0, lm_steps: int = 0, lm_grad_tol: float = 1e-10,
                      newton_steps: int = 0, newton_below: float | None = None):
    """Train an ensemble of networks to critical points of Φ = Σ l(F_L − Y) (eq. (1)).

    Theorems 3.4, 3.8 and 5.3 of Nguyen & Hein (2017) speak of critical points, ∇Φ = 0, which
    first-order training approaches only slowly; to test them at ‖∇Φ‖ ≤ 1e-8 three stages run on
    all members at once:

    1. full-batch Adam on Φ (:func:`landscape.nets.networks.train`), ``adam_steps`` steps of size
       ``lr``; members with ‖∇Φ‖ ≤ ``adam_grad_tol`` stop moving;
    2. if ``lm_steps`` > 0, Levenberg–Marquardt on Σ r² (:func:`landscape.nets.networks.levenberg_marquardt`,
       squared loss only), members stopping at gradient norm ≤ ``lm_grad_tol``: quadratic
       convergence to interpolating points of wide networks;
    3. if ``newton_steps`` > 0, damped exact Newton steps on ∇Φ (:func:`landscape.nets.networks.newton_refine`),
       from every member, or, with ``newton_below``, only from the members whose gradient norm
       after the previous stage is below it (far from a critical point Newton can jump far or overflow).

    Parameters
    ----------
    thetas : (B, P) starting parameters
    X, Y : (N, d), (N, m) tensors on the device of ``thetas``
    loss : a name of :data:`landscape.nets.losses.NAMES` or a Loss

    Returns
    -------
    (B, P) tensor of end points.
    """
    loss = _losses.get(loss)
    adam_steps = _validate.integer("adam_steps", adam_steps, minimum=0)
    lm_steps = _validate.integer("lm_steps", lm_steps, minimum=0)
    newton_steps = _validate.integer("newton_steps", newton_steps, minimum=0)
    if lm_steps and loss.name != "squared":
        raise ValueError(f"`lm_steps` must be 0 for the loss {loss.name!r}: Levenberg–Marquardt minimises Σ r²")
    if newton_below is not None:
        newton_below = _validate.positive_float("newton_below", newton_below)
    th, _, gn = _nw.train(thetas, X, Y, net, kind=loss, steps=adam_steps, lr=lr, grad_tol=adam_grad_tol)
    if lm_steps:
        th, _, gn = _nw.levenberg_marquardt(th, X, Y, net, steps=lm_steps, grad_tol=lm_grad_tol)
    if newton_steps:
        if newton_below is None:
            th, _, _ = _nw.newton_refine(th, X, Y, net, kind=loss, steps=newton_steps)
        else:
            near = gn < newton_below
            if bool(near.any()):
                th[near] = _nw.newton_refine(th[near], X, Y, net, kind=loss, steps=newton_steps)[0]
    return th


def suboptimal_critical_points(losses, critical, *, margin: float = 1e-3):
    """Losses of the certified suboptimal critical points among end points of one architecture.

    An end point is a witness of a suboptimal critical point when it is critical (``critical``,
    e.g. ‖∇Φ‖ ≤ 1e-8 from :func:`check_global_optimality`) and its loss exceeds the best loss of
    all end points by more than ``margin``: the width condition n_k ≥ N − 1 of Theorem 3.8 is
    what rules such points out (Nguyen & Hein 2017, §1 and §3.2).

    Returns
    -------
    list of the witnesses' losses (empty if there is none), in the order given.
    """
    losses = _validate.finite_array("losses", losses)
    critical = np.asarray(critical, dtype=bool)
    if losses.ndim != 1 or losses.size == 0 or critical.shape != losses.shape:
        raise ValueError(f"`losses` and `critical` must be non-empty 1-d and of equal length; got {losses.shape}, {critical.shape}")
    margin = _validate.positive_float("margin", margin, allow_zero=True)
    best = float(losses.min())
    return [float(v) for v, c in zip(losses, critical) if c and v > best + margin]


# --------------------------------------------------------------------------------------------
# Section 5: separability and Theorem 5.3
@dataclass
class Separability:
    """One-vs-rest linear separability (Definition 5.1) decided by a linear program."""

    separable: bool
    margins: np.ndarray
    tol: float


def linearly_separable(F, labels, *, tol: float | None = None) -> Separability:
    """Decide Definition 5.1 for the rows of ``F`` by one linear program per class.

    For class j with signs s_i = ±1 the LP maximises t subject to s_i(⟨h, f_i⟩ + c) ≥ t,
    −1 ≤ h, c ≤ 1, t ≤ 1 (scipy ``linprog``, HiGHS).  The rows are separable for class j iff
    t* > tol; t* is the ∞-norm-normalised margin, in the units of F.

    Parameters
    ----------
    F : (N, n) features
    labels : (N,) integer class labels, or an (N, m) ±1 encoding
    tol : default ``1e-6 · (1 + max|F|)``: ten times HiGHS' primal feasibility tolerance (1e-7),
        so a margin that is only solver noise is never taken for separation

    Returns
    -------
    Separability with ``separable`` (all classes), per-class ``margins`` and ``tol``.

    Examples
    --------
    >>> linearly_separable(np.array([[0.0], [1.0], [2.0]]), np.array([0, 0, 1])).separable
    True
    """
    from scipy.optimize import linprog

    F = _validate.finite_array("F", F)
    if F.ndim != 2:
        raise ValueError(f"`F` must be a 2-d array; got shape {F.shape}")
    lab = np.asarray(labels)
    if lab.ndim == 2:
        if lab.shape[0] != F.shape[0]:
            raise ValueError(f"`labels` must have {F.shape[0]} rows; got {lab.shape}")
        S = np.where(lab > 0, 1.0, -1.0)
    elif lab.ndim == 1 and lab.shape[0] == F.shape[0]:
        classes = np.unique(lab)
        S = np.where(lab[:, None] == classes[None, :], 1.0, -1.0)
        if classes.size == 2:
            S = S[:, 1:]
    else:
        raise ValueError(f"`labels` must have shape ({F.shape[0]},) or ({F.shape[0]}, m); got {lab.shape}")
    if tol is None:
        tol = 1e-6 * (1 + float(np.abs(F).max(initial=0.0)))
    tol = _validate.positive_float("tol", tol, allow_zero=True)
    N, n = F.shape
    Ft = np.hstack([F, np.ones((N, 1))])
    margins = []
    for s in S.T:
        if np.all(s > 0) or np.all(s < 0):
            margins.append(1.0)
            continue
        A = np.hstack([-s[:, None] * Ft, np.ones((N, 1))])
        c = np.zeros(n + 2)
        c[-1] = -1.0
        bounds = [(-1, 1)] * (n + 1) + [(None, 1)]
        res = linprog(c, A_ub=A, b_ub=np.zeros(N), bounds=bounds, method="highs")
        if res.status != 0:
            raise RuntimeError(f"linprog failed: {res.message}")
        margins.append(-float(res.fun))
    margins = np.asarray(margins)
    return Separability(bool(np.all(margins > tol)), margins, tol)


@dataclass
class SeparableReport:
    """Hypotheses and conclusion of Theorem 5.3 (1) at one network."""

    k: int
    loss: float
    grad_norm: float
    critical: bool
    separable: bool
    margins: np.ndarray
    separability_tol: float
    column_ranks: list
    full_column_rank: bool
    hypotheses: bool
    conclusion: bool
    loss_tol: float

    def as_dict(self):
        return asdict(self)


def check_separable_optimality(model, X, Y, k, *, rtol: float | None = None, grad_tol: float = 1e-8,
                               loss_tol: float = 1e-8) -> SeparableReport:
    """Theorem 5.3 (1): at a critical point of the squared-hinge objective (4) whose layer-k
    features are linearly separable and whose W_{k+2..L} have full column rank, Φ = 0.

    ``Y`` is the ±1 class encoding (N, m); k = 0 tests the inputs (statement 2).
    """
    import torch  # noqa: F401

    if not (isinstance(model, tuple) and len(model) == 2 and isinstance(model[0], _nw.MLP)):
        raise ValueError("`model` must be a pair (net, theta) with net a landscape.nets.networks.MLP")
    net, theta = model
    L = net.depth
    k = _validate.integer("k", k, minimum=0, maximum=L - 1)
    _nw._check_data(X, Y, net)
    if not bool(((Y == 1) | (Y == -1)).all()):
        raise ValueError("`Y` must be a ±1 class encoding")
    loss = _losses.get("squared_hinge")
    bp = backprop(net, theta, X, Y, loss)
    g = bp.flat()
    Fk = X if k == 0 else bp.F[k - 1]
    sep = linearly_separable(Fk.detach().cpu().numpy(), Y.cpu().numpy())
    params = _nw.unflatten(theta, net)
    col = [numerical_rank(params[l - 1][0].detach().cpu().numpy(), rtol).rank for l in range(k + 2, L + 1)]
    full_col = all(r == net.widths[l] for r, l in zip(col, range(k + 2, L + 1)))
    value = float(loss(bp.F[-1], Y))
    gn = float(g.norm())
    crit = gn <= grad_tol
    return SeparableReport(k=k, loss=value, grad_norm=gn, critical=crit, separable=sep.separable,
                           margins=sep.margins, separability_tol=sep.tol, column_ranks=col,
                           full_column_rank=full_col, hypotheses=crit and sep.separable and full_col,
                           conclusion=value <= loss_tol, loss_tol=loss_tol)
