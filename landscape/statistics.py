"""Small statistical helpers shared by the chapters, built on :mod:`scipy.stats`.

Every function is pure (random numbers only through an explicit ``numpy.random.Generator``),
validates its inputs and returns plain floats or arrays.  The chapters use them to turn data into
the estimate and standard error that :meth:`landscape.book.ledger.Ledger.test` decides on:

* :func:`bootstrap` — bootstrap replicates (``scipy.stats.bootstrap``, rows resampled jointly);
* :func:`pearson` — Pearson's r with its Fisher-z interval (``scipy.stats.pearsonr``);
* :func:`fisher_z` — the Fisher transform and its standard error :math:`1/\\sqrt{n-3}`;
* :func:`binned_means` — means in equal-width bins (``scipy.stats.binned_statistic``);
* :func:`weighted_line_fit` — straight line by weighted least squares with known variances;
* :func:`stouffer` — Stouffer's combination of independent z-scores;
* :func:`z_from_p`, :func:`chi2_z` — a p-value (or a χ² statistic) as a one-sided normal z-score;
* :func:`binomial_se` — standard error of a proportion (Agresti–Coull, positive also at 0 and n).
"""
from __future__ import annotations

import math

import numpy as np

from landscape import _validate

__all__ = [
    "bootstrap",
    "pearson",
    "fisher_z",
    "binned_means",
    "weighted_line_fit",
    "slope_z",
    "stouffer",
    "z_from_p",
    "t_z",
    "chi2_z",
    "binomial_se",
    "t_calibrated_se",
    "equal_ratio_test",
]


def bootstrap(statistic, arrays, n_boot: int, rng: np.random.Generator, *, paired: bool = True) -> np.ndarray:
    """Bootstrap replicates of ``statistic(*arrays)`` (:func:`scipy.stats.bootstrap`).

    ``paired=True``: the arrays share their first dimension and their rows are resampled jointly
    (one sample of cases).  ``paired=False``: each array is an independent sample and is resampled
    on its own (e.g. two ensembles, or one ensemble per width); the replicates of a difference of
    statistics of independent samples then carry both sampling errors.  The replicates are scipy's
    ``bootstrap_distribution``; their standard deviation is the bootstrap standard error.

    Parameters
    ----------
    statistic : callable taking the arrays (rows resampled) and returning a float
    arrays : sequence of arrays, each with a first dimension of length >= 2 (equal if ``paired``)
    n_boot : number of replicates, >= 1
    rng : numpy Generator (required)

    Returns
    -------
    (n_boot,) array of replicates

    Examples
    --------
    >>> x = np.arange(10.0)
    >>> bootstrap(np.mean, [x], 500, np.random.default_rng(0)).shape
    (500,)
    """
    from scipy import stats

    if not callable(statistic):
        raise ValueError("`statistic` must be callable")
    n_boot = _validate.integer("n_boot", n_boot, minimum=1)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"`rng` must be a numpy Generator; got {type(rng).__name__}")
    arrays = [np.asarray(a) for a in arrays]
    if not arrays:
        raise ValueError("`arrays` must contain at least one array")
    lengths = [a.shape[0] if a.ndim else 0 for a in arrays]
    if min(lengths) < 2 or (paired and len(set(lengths)) != 1):
        raise ValueError("`arrays` must each have a first dimension of length >= 2"
                         + (" (the same for all: paired)" if paired else ""))
    # scipy resamples index vectors (vectorized: a batch of them at once); the statistic sees rows
    samples = (np.arange(lengths[0]),) if paired else tuple(np.arange(n) for n in lengths)

    def on_indices(*idx, axis=-1):
        idx = [np.asarray(i, dtype=int) for i in idx]
        batch = idx[0].shape[:-1]
        rows = [i.reshape(-1, i.shape[-1]) for i in idx]
        if paired:
            out = [statistic(*(a[r] for a in arrays)) for r in rows[0]]
        else:
            out = [statistic(*(a[r[b]] for a, r in zip(arrays, rows))) for b in range(rows[0].shape[0])]
        return np.array(out, dtype=float).reshape(batch)

    res = stats.bootstrap(samples, on_indices, n_resamples=n_boot, vectorized=True, paired=paired,
                          method="percentile", rng=rng)
    return np.asarray(res.bootstrap_distribution, dtype=float).reshape(-1)


def fisher_z(r, n: int):
    """Fisher's transform ``artanh(r)`` and its standard error ``1/sqrt(n − 3)``.

    ``r`` may be an array; values are clipped to ``±(1 − 1e-15)`` so that ``|r| = 1`` stays finite.

    Examples
    --------
    >>> z, se = fisher_z(0.5, 28)
    >>> round(z, 6), se
    (0.549306, 0.2)
    """
    r = _validate.finite_array("r", r)
    if np.any(np.abs(r) > 1):
        raise ValueError("`r` must lie in [-1, 1]")
    n = _validate.integer("n", n, minimum=4)
    z = np.arctanh(np.clip(r, -1 + 1e-15, 1 - 1e-15))
    return (float(z) if z.ndim == 0 else z), 1.0 / math.sqrt(n - 3)


def pearson(x, y, confidence: float = 0.95):
    """Pearson's correlation with its Fisher-z confidence interval.

    ``scipy.stats.pearsonr(x, y).confidence_interval(confidence)`` (which uses Fisher's z).

    Returns
    -------
    (r, low, high, se_z) with se_z = 1/sqrt(n − 3) the standard error of artanh(r)

    Examples
    --------
    >>> r, lo, hi, se = pearson([1, 2, 3, 4, 5.0], [2, 4, 5, 4, 5.0])
    >>> round(r, 4), round(se, 4)
    (0.7746, 0.7071)
    """
    from scipy import stats

    x = _validate.finite_array("x", x)
    y = _validate.finite_array("y", y)
    if x.ndim != 1 or x.shape != y.shape or x.size < 4:
        raise ValueError("`x` and `y` must be 1-d arrays of equal length >= 4")
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        raise ValueError("`x` and `y` must not be constant (the correlation is undefined)")
    confidence = float(_validate.in_interval("confidence", confidence, 0.0, 1.0, closed="neither"))
    res = stats.pearsonr(x, y)
    ci = res.confidence_interval(confidence_level=confidence)
    return float(res.statistic), float(ci.low), float(ci.high), 1.0 / math.sqrt(x.size - 3)


def binned_means(E, S, n_bins: int = 10):
    """Means of ``E`` and ``S`` in ``n_bins`` equal-width bins of ``E`` (empty bins dropped).

    ``scipy.stats.binned_statistic``; the last bin is closed on the right, so ``max E`` is counted.

    Returns
    -------
    e_means (k,), s_means (k,), counts (k,) for the k <= n_bins non-empty bins

    Examples
    --------
    >>> binned_means(np.array([0.0, 0.2, 0.9, 1.0]), np.array([1.0, 3.0, 5.0, 7.0]), 2)[1].tolist()
    [2.0, 6.0]
    """
    from scipy import stats

    E = _validate.finite_array("E", E)
    S = _validate.finite_array("S", S)
    n_bins = _validate.integer("n_bins", n_bins, minimum=1)
    if E.ndim != 1 or E.shape != S.shape or E.size < 2:
        raise ValueError(f"`E` and `S` must be 1-d arrays of equal length >= 2; got {E.shape}, {S.shape}")
    lo, hi = float(E.min()), float(E.max())
    edges = np.linspace(lo, hi, n_bins + 1) if hi > lo else np.array([lo - 0.5, hi + 0.5])
    both = stats.binned_statistic(E, [E, S], statistic="mean", bins=edges)
    counts = np.bincount(both.binnumber - 1, minlength=edges.size - 1)
    keep = counts > 0
    return both.statistic[0][keep], both.statistic[1][keep], counts[keep]


def weighted_line_fit(x, y, *, se=None, weights=None) -> dict:
    """Fit ``y = intercept + slope · x`` by weighted least squares.

    Give either ``se`` (known standard errors of ``y``: weights ``1/se²``, and the parameter
    errors follow from them) or ``weights`` (relative weights, e.g. counts: the parameter errors
    are then scaled by the residual variance, as in ``numpy.polyfit(..., cov=True)``).

    Returns
    -------
    dict with ``slope``, ``intercept``, ``se_slope``, ``se_intercept`` and ``chi2`` (the weighted
    residual sum of squares)

    Examples
    --------
    >>> fit = weighted_line_fit([0.0, 1.0, 2.0], [1.0, 3.0, 5.0], se=[0.1, 0.1, 0.1])
    >>> round(fit["slope"], 12), round(fit["intercept"], 12)
    (2.0, 1.0)
    """
    x = _validate.finite_array("x", x)
    y = _validate.finite_array("y", y)
    if x.ndim != 1 or x.shape != y.shape or x.size < 2:
        raise ValueError("`x` and `y` must be 1-d arrays of equal length >= 2")
    if (se is None) == (weights is None):
        raise ValueError("give exactly one of `se` (known errors) or `weights` (relative weights)")
    given = _validate.finite_array("se" if se is not None else "weights", se if se is not None else weights)
    if np.any(~(given > 0)):
        raise ValueError("`se` / `weights` must be positive and finite")
    w = np.broadcast_to(1.0 / given ** 2 if se is not None else given, x.shape).astype(float)
    if np.ptp(x) == 0:
        raise ValueError("`x` must not be constant (the slope is undefined)")
    A = np.vstack([np.ones_like(x), x]).T
    cov = np.linalg.inv(A.T @ (A * w[:, None]))
    intercept, slope = cov @ A.T @ (w * y)
    chi2 = float(np.sum(w * (y - intercept - slope * x) ** 2))
    if se is None:  # relative weights: scale by the residual variance (needs > 2 points)
        dof = x.size - 2
        if dof < 1:
            raise ValueError("with relative `weights` at least 3 points are needed for an error estimate")
        cov = cov * chi2 / dof
    return {"slope": float(slope), "intercept": float(intercept), "se_slope": float(math.sqrt(cov[1, 1])),
            "se_intercept": float(math.sqrt(cov[0, 0])), "chi2": chi2}


def slope_z(x, y, se, dof):
    """Least-squares slope of ``y`` on ``x``, its standard error, and the one-sided z-score of slope/s.e.

    The points ``y_i`` are means with standard errors ``se_i`` on ``dof_i`` degrees of freedom each.
    The slope :math:`b = \\sum_i c_i y_i` with :math:`c_i = (x_i - \\bar x)/\\sum_j (x_j - \\bar x)^2`
    has variance :math:`\\sum_i c_i^2 \\mathrm{se}_i^2`; :math:`b/\\mathrm{s.e.}` is referred to a
    Student t with Welch–Satterthwaite degrees of freedom, and its upper tail is returned as a
    normal z-score (positive when the slope is positive), so the ledger can decide on it with se 1.

    Returns
    -------
    (slope, se_slope, z)

    Examples
    --------
    >>> b, b_se, z = slope_z([0.0, 1.0, 2.0], [1.0, 2.0, 3.0], [0.1, 0.1, 0.1], [7, 7, 7])
    >>> round(b, 12), round(b_se, 6), z > 5
    (1.0, 0.070711, True)
    """
    x = _validate.finite_array("x", x)
    y = _validate.finite_array("y", y)
    if x.ndim != 1 or x.shape != y.shape or x.size < 2:
        raise ValueError("`x` and `y` must be 1-d arrays of equal length >= 2")
    if np.ptp(x) == 0:
        raise ValueError("`x` must not be constant (the slope is undefined)")
    se = np.broadcast_to(_validate.finite_array("se", se), x.shape)
    dof = np.broadcast_to(_validate.finite_array("dof", dof), x.shape)
    if np.any(~(se > 0)):
        raise ValueError("`se` must be positive")
    if np.any(~(dof >= 1)):
        raise ValueError("`dof` must be >= 1")
    c = (x - x.mean()) / np.sum((x - x.mean()) ** 2)
    var = c**2 * se**2
    nu = var.sum() ** 2 / np.sum(var**2 / dof)
    b, b_se = float(c @ y), float(np.sqrt(var.sum()))
    return b, b_se, t_z(b / b_se, nu)


def stouffer(z) -> float:
    """Stouffer's combination :math:`\\sum_k z_k / \\sqrt K` of independent z-scores (again N(0, 1)).

    Examples
    --------
    >>> round(stouffer([1.0, 2.0, 3.0, 2.0]), 12)
    4.0
    """
    z = _validate.finite_array("z", z).reshape(-1)
    if z.size < 1:
        raise ValueError("`z` must contain at least one z-score")
    return float(z.sum() / math.sqrt(z.size))


def z_from_p(p) -> float:
    """The one-sided normal z-score of a p-value, ``Φ⁻¹(1 − p)`` (large z: small p).

    Examples
    --------
    >>> round(z_from_p(0.025), 4)
    1.96
    """
    from scipy import stats

    p = float(_validate.in_interval("p", p, 0.0, 1.0))
    return float(stats.norm.isf(p))


def t_z(t: float, dof: float) -> float:
    """The normal z-score with the same upper tail as a Student t statistic: ``Φ⁻¹(1 − F_t(t; dof))``.

    Computed through the small tail of ``|t|`` with the sign put back, so a large negative ``t``
    gives a large negative z instead of rounding ``1 − ε`` to 1 (``−inf``).

    Examples
    --------
    >>> round(t_z(2.0, 10**9), 6), round(t_z(-40.0, 5), 2) == -round(t_z(40.0, 5), 2)
    (2.0, True)
    """
    from scipy import stats

    t = float(_validate.finite_array("t", t))
    dof = _validate.positive_float("dof", dof)
    return float(math.copysign(stats.norm.isf(stats.t.sf(abs(t), dof)), t))


def chi2_z(chi2: float, dof: int) -> float:
    """A χ² goodness-of-fit statistic as a z-score: ``z_from_p(P(χ²_dof > chi2))``.

    ``z ≥ 3.29`` means the model is rejected at p ≤ 5·10⁻⁴.

    Examples
    --------
    >>> round(chi2_z(13.815510557964274, 2), 4)  # p = 0.001
    3.0902
    """
    from scipy import stats

    chi2 = _validate.positive_float("chi2", chi2, allow_zero=True)
    dof = _validate.integer("dof", dof, minimum=1)
    return float(stats.norm.isf(stats.chi2.sf(chi2, dof)))


def binomial_se(k: int, n: int):
    """A proportion ``k/n`` and its Agresti–Coull standard error.

    The standard error is that of :math:`\\tilde p = (k + 2)/(n + 4)`,
    :math:`\\sqrt{\\tilde p(1-\\tilde p)/(n + 4)}`, which stays positive at ``k = 0`` and ``k = n``
    (where the plain :math:`\\sqrt{\\hat p(1-\\hat p)/n}` is zero and would decide nothing).

    Returns
    -------
    (k/n, se)

    Examples
    --------
    >>> p, se = binomial_se(0, 96)
    >>> p, round(se, 4)
    (0.0, 0.014)
    """
    n = _validate.integer("n", n, minimum=1)
    k = _validate.integer("k", k, minimum=0, maximum=n)
    pt = (k + 2) / (n + 4)
    return k / n, math.sqrt(pt * (1 - pt) / (n + 4))


def t_calibrated_se(se, df, z: float = 3.29):
    """A standard error inflated so that a normal test at ``z`` standard errors has the size of
    Student's t test with ``df`` degrees of freedom.

    Parameters
    ----------
    se : standard error(s) of a mean estimated from ``df + 1`` samples (s/√n)
    df : degrees of freedom (≥ 1) of the sample standard deviation
    z : the normal decision boundary the ledger applies (3.29 for relations, the agreement
        test's critical value for ``agrees_with``)

    Returns
    -------
    se · t_df⁻¹(1 − p) / z, with p = 1 − Φ(z): an estimate that lies z such standard errors from
    a value is exactly as far from it as a t statistic at the same tail probability.

    Examples
    --------
    >>> round(float(t_calibrated_se(1.0, 10**6)), 3)
    1.0
    >>> float(t_calibrated_se(1.0, 3)) > 3
    True
    """
    from scipy import stats

    df = np.asarray(df, dtype=float)
    if np.any(~(df >= 1)):
        raise ValueError(f"`df` must be >= 1; got {df!r}")
    z = float(z)
    if not z > 0:
        raise ValueError(f"`z` must be positive; got {z!r}")
    return np.asarray(se, dtype=float) * stats.t.isf(stats.norm.sf(z), df) / z


def equal_ratio_test(groups, shape):
    """Test that ``groups[i] / shape[i]`` has the same mean in every group (one scale σ fits
    ``E groups[i] = σ shape[i]``), allowing unequal variances; returns ``(statistic, p, z)``.

    Parameters
    ----------
    groups : sequence of 1-d samples (at least 2 groups, each with at least 2 values)
    shape : (len(groups),) positive reference shape

    Returns
    -------
    statistic, p-value of the Alexander–Govern test (``scipy.stats.alexandergovern``), and the
    one-sided normal score z = Φ⁻¹(1 − p) (large z: one σ does not fit; capped at 37 where p
    underflows).

    Notes
    -----
    Used for Fig. 5 of Pennington & Bahri (2017): a χ² goodness of fit with standard errors
    estimated from a few runs per group is not χ²-distributed (its weights are themselves
    random); the Alexander–Govern test is built for that case.
    """
    from scipy import stats

    shape = np.asarray(shape, dtype=float)
    if len(groups) < 2 or shape.shape != (len(groups),) or np.any(~(shape > 0)):
        raise ValueError("`groups` needs >= 2 samples and `shape` one positive value per group")
    ratios = []
    for g, s in zip(groups, shape):
        g = np.asarray(g, dtype=float)
        if g.ndim != 1 or g.size < 2 or not np.all(np.isfinite(g)):
            raise ValueError("every group must be a finite 1-d sample of at least 2 values")
        ratios.append(g / s)
    res = stats.alexandergovern(*ratios)
    p = float(res.pvalue)
    # p below the smallest normal double would give z = inf; 1e-300 caps z at 37
    return float(res.statistic), p, float(stats.norm.isf(max(p, 1e-300)))
