"""Protocol of the chapter ``book/critical_points_search``: its settings and its summaries.

{cite:t}`pennington2017` (§6.4, Fig. 6) sample critical points of one-hidden-layer networks on
a memorisation task and relate their index to their energy.  The search itself is
:mod:`landscape.nets.critical_search`; this module holds the chapter's settings once
(:class:`SearchProfile`, :data:`PROFILES`, read by the chapter, the benchmarks and the tests),
the names of its random streams (:func:`stream`), and the computations the chapter reports on
its searches: which runs were kept and why, the budget check, the zero modes of linear
networks, the autodiff re-derivation of kept points, the least-squares minimum energies, the
index–energy fits and the trend statistics of Fig. 6.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from landscape import _validate
from landscape import statistics as _st
from landscape.nets import critical_search as _cs

__all__ = [
    "SearchProfile",
    "PROFILES",
    "stream",
    "search_summary",
    "discard_summary",
    "budget_check",
    "zero_count_table",
    "linear_zero_mode_check",
    "autodiff_check",
    "linear_minimum_rows",
    "index_energy_fits",
    "index_growth_z",
    "pooled_exponent",
    "eps_c_trend",
]


@dataclass(frozen=True, kw_only=True)
class SearchProfile:
    """Settings of one profile of the critical-point chapter (``book/critical_points_search.md``).

    Attributes
    ----------
    n : width of the n → n → n networks (P = 2n² weights)
    tanh_phis, tanh_runs : capacity ratios φ = 2n/m of the tanh searches, and runs per φ
    linear_phis, linear_runs : the same for the linear networks
    gd_lr, gd_steps : phase 1, gradient descent on L to a random level
        (:func:`landscape.nets.critical_search.descend_to_level`)
    max_iters : phase 2 iteration budget per run
        (:func:`landscape.nets.critical_search.minimise_gradient_norm`); the chapter shows that
        the kept sample does not change when it is doubled
    max_age : steps a Cholesky factor is reused (1 where a new Hessian costs little more than a
        reused step, as at n = 4)
    factor_dtype : ``"float64"`` or ``"float32"``, the dtype of H² and its factor (float32 halves
        their cost on a CPU at n = 16, with the same kept runs in a measured sample)
    zero_tol : fixed zero tolerance of the recorded index
    batch : runs searched together (two (batch, P, P) float64 tensors are held)
    linear_tasks : least-squares tasks per φ for the linear networks' mean minimum energy (no
        search needed, so many are cheap)
    alpha_max : the 3/2 law is fitted on index values 0 < α ≤ alpha_max
    fit_replicates : bootstrap replicates of the index–energy fits
    budget_replicates : bootstrap replicates of the budget check
    """

    n: int
    tanh_phis: tuple
    tanh_runs: int
    linear_phis: tuple
    linear_runs: int
    gd_lr: float = 0.1
    gd_steps: int = 2000
    max_iters: int = 1500
    max_age: int = 8
    factor_dtype: str = "float64"
    zero_tol: float = 1e-3
    batch: int = 256
    linear_tasks: int = 4000
    alpha_max: float = 0.45
    fit_replicates: int = 100
    budget_replicates: int = 400

    def __post_init__(self):
        for name in ("n", "tanh_runs", "linear_runs", "gd_steps", "max_iters", "max_age", "batch",
                     "linear_tasks", "fit_replicates", "budget_replicates"):
            _validate.integer(name, getattr(self, name), minimum=1)
        for name in ("tanh_phis", "linear_phis"):
            if not isinstance(getattr(self, name), tuple) or not getattr(self, name):
                raise ValueError(f"`{name}` must be a non-empty tuple; got {getattr(self, name)!r}")
        _validate.choice("factor_dtype", self.factor_dtype, ("float32", "float64"))
        _validate.positive_float("alpha_max", self.alpha_max)

    def search_settings(self) -> dict:
        """Keyword arguments of :func:`landscape.nets.critical_search.search` for this profile."""
        import torch

        return dict(gd_lr=self.gd_lr, gd_steps=self.gd_steps, max_iters=self.max_iters,
                    max_age=self.max_age, factor_dtype=getattr(torch, self.factor_dtype),
                    zero_tol=self.zero_tol, batch=self.batch)

    def searches(self) -> list:
        """Every search of the profile as ``(activation, phi, runs)``, in the chapter's order."""
        return ([("tanh", phi, self.tanh_runs) for phi in self.tanh_phis]
                + [("linear", phi, self.linear_runs) for phi in self.linear_phis])


#: The chapter's profiles: ``quick`` (n = 4, a few hundred runs, CI) and ``full`` (the paper's
#: n = 16 and six capacity ratios, 8000 tanh runs each).
PROFILES = {
    "quick": SearchProfile(n=4, tanh_phis=(1 / 8, 1 / 4, 1 / 2), tanh_runs=256, linear_phis=(1 / 4, 1 / 2),
                           linear_runs=32, gd_steps=300, max_iters=1600, max_age=1, batch=256,
                           linear_tasks=4000, alpha_max=0.45, fit_replicates=100),
    "full": SearchProfile(n=16, tanh_phis=(1 / 16, 1 / 8, 1 / 4, 1 / 2, 2 / 3, 1.0), tanh_runs=8000,
                          linear_phis=(1 / 8, 1 / 4, 1 / 2, 2 / 3), linear_runs=1000, gd_steps=2000,
                          max_iters=1500, factor_dtype="float32", batch=512, linear_tasks=40000,
                          alpha_max=0.15, fit_replicates=400),
}


def stream(use: str, activation: str | None = None, phi: float | None = None) -> tuple:
    """The name of one of the chapter's random streams (a purpose for ``run.torch_generator`` /
    ``run.numpy_rng``, :func:`landscape.compute.stream_seed`).

    A stream is named by its use, and by the activation and capacity ratio it belongs to, so a
    search at φ = 1/4 draws the same stream whatever other φ a profile lists.

    Examples
    --------
    >>> stream("search", "tanh", 0.25)
    ('search', 'tanh', 'phi=0.25')
    >>> stream("autodiff-check")
    ('autodiff-check',)
    """
    if not isinstance(use, str) or not use:
        raise ValueError(f"`use` must be a non-empty string; got {use!r}")
    out = [use]
    if activation is not None:
        out.append(_validate.choice("activation", activation, _cs.ACTIVATIONS))
    if phi is not None:
        out.append(f"phi={_validate.positive_float('phi', phi):.6g}")
    return tuple(out)


def search_summary(searches) -> list:
    """One row per search: runs, kept runs, how phase 2 ended, runs that reached their level,
    median iterations, the largest kept J.

    ``searches`` maps φ to a :class:`landscape.nets.critical_search.SearchResult` (or is an
    iterable of such dicts); returns a list of dicts, one per search, for a table.
    """
    if isinstance(searches, dict):
        searches = [searches]
    rows = []
    for res in searches:
        for phi, r in res.items():
            rows.append(dict(activation=r.activation, phi=phi, m=r.m, runs=len(r.kept), kept=int(r.kept.sum()),
                             **{name: int((r.status_names == name).sum()) for name in _cs.STATUS},
                             reached_level=int(r.reached.sum()), median_iterations=float(np.median(r.iterations)),
                             max_J_kept=float(r.j[r.kept].max()) if r.kept.any() else np.nan))
    return rows


def discard_summary(results: dict) -> dict:
    """What the discard rule and the budget did over the searches ``results`` (φ → SearchResult).

    Returns ``discarded`` and ``kept`` (run counts), ``converged`` (kept runs with J ≤ stop_j),
    ``median_weight_norm`` of the kept points, ``start_norm`` (√(P/n), the norm of an N(0, 1/n)
    start), ``gained`` (energies of the runs kept at the full budget but not at half of it) and
    ``kept_half_mean`` (mean energy of the runs kept at half the budget).
    """
    rs = list(results.values())
    if not rs:
        raise ValueError("`results` must hold at least one search")
    n = rs[0].n
    kept_half = np.concatenate([r.energy_half_budget[r.kept_half_budget] for r in rs])
    return {"discarded": int(sum((~r.kept).sum() for r in rs)), "kept": int(sum(r.kept.sum() for r in rs)),
            "converged": int(sum((r.status_names[r.kept] == "converged").sum() for r in rs)),
            "median_weight_norm": float(np.median(np.concatenate([r.weight_norm[r.kept] for r in rs]))),
            "start_norm": math.sqrt(2 * n * n / n),
            "gained": np.concatenate([r.energy[r.kept & ~r.kept_half_budget] for r in rs]),
            "kept_half_mean": float(kept_half.mean()) if kept_half.size else float("nan")}


def budget_check(results: dict, rng_for, n_boot: int = 400):
    """:func:`landscape.nets.critical_search.budget_dependence` for every search of ``results``.

    Parameters
    ----------
    results : φ → SearchResult
    rng_for : function φ → numpy Generator (the bootstrap stream of that φ)
    n_boot : bootstrap replicates

    Returns
    -------
    rows (list of dicts, one per φ), estimates (k, 2) and standard errors (k, 2) of the shifts of
    the mean and of the lower decile of the kept energies from half to the full budget
    """
    rows, est, se = [], [], []
    for phi, r in results.items():
        bd = _cs.budget_dependence(r, rng_for(phi), n_boot=n_boot)
        est.append(bd["estimate"])
        se.append(bd["se"])
        rows.append(dict(phi=phi, kept_half_budget=bd["kept_half"], kept_full_budget=bd["kept_full"],
                         runs_changed=bd["changed"], shift_mean=bd["estimate"][0], se_mean=bd["se"][0],
                         shift_decile=bd["estimate"][1], se_decile=bd["se"][1]))
    return rows, np.array(est, dtype=float).reshape(-1, 2), np.array(se, dtype=float).reshape(-1, 2)


def zero_count_table(searches: dict) -> list:
    """Per search (``{label: {φ: SearchResult}}``): kept runs, median smallest |eigenvalue| and
    the histogram of zero-eigenvalue counts at the fixed tolerance (rows for a table)."""
    rows = []
    for label, res in searches.items():
        for phi, r in res.items():
            k = r.kept
            rows.append(dict(activation=label, phi=phi, kept=int(k.sum()),
                             smallest_abs_eig_median=float(np.nanmedian(r.min_abs_eig[k])) if k.any() else np.nan,
                             zero_counts=np.bincount(r.zero[k]).tolist() if k.any() else []))
    return rows


def linear_zero_mode_check(lin_results: dict, n: int) -> dict:
    """The zero modes of the linear networks' kept points against the GL(n) orbit dimensions.

    For a linear n → n → n network the critical points are orbits of
    :math:`W_1 \\to W_1 A,\\ W_2 \\to A^{-1} W_2`, of dimension :math:`n^2 - (n-r)^2` when the
    hidden layer carries rank r, so that many Hessian eigenvalues vanish (:math:`n^2` at the
    minima).  Zero modes are counted per point by :func:`landscape.nets.critical_search.zero_modes`.

    Returns
    -------
    dict: ``modes`` (φ → zero_modes output), ``allowed`` (the orbit dimensions), ``determined``,
    ``zeros``, ``negatives`` (of the determined points), ``in_set``, ``passed`` (at least half
    determined, every determined count allowed, every minimum with exactly n²) and
    ``fixed_tol_minima_not_minima`` (points the fixed tolerance counts as minima that the
    per-point tolerance does not)
    """
    n = _validate.integer("n", n, minimum=1)
    allowed = sorted({n * n - (n - r) ** 2 for r in range(n + 1)})
    modes = {phi: _cs.zero_modes(r.eigenvalues[r.kept], np.sqrt(r.j[r.kept])) for phi, r in lin_results.items()}
    det = np.concatenate([zm["determined"] for zm in modes.values()])
    zeros = np.concatenate([zm["zero"] for zm in modes.values()])[det]
    negs = np.concatenate([zm["negative"] for zm in modes.values()])[det]
    in_set = np.isin(zeros, allowed)
    fixed_min = np.concatenate([r.negative[r.kept] == 0 for r in lin_results.values()])
    det_min = np.concatenate([(zm["negative"] == 0) & zm["determined"] for zm in modes.values()])
    return {"modes": modes, "allowed": allowed, "determined": det, "zeros": zeros, "negatives": negs,
            "in_set": in_set,
            "passed": bool(det.size and det.mean() >= 0.5 and in_set.all() and np.all(zeros[negs == 0] == n * n)),
            "fixed_tol_minima_not_minima": int(np.sum(fixed_min & ~det_min))}


def autodiff_check(result, X, Y, theta, zero_tol: float) -> dict:
    """Recompute gradient, Hessian and index of the kept points of ``result`` by automatic differentiation.

    Parameters
    ----------
    result : SearchResult of a tanh search; X, Y, theta : its tasks and end points
        (:func:`landscape.nets.critical_search.search_points` with the same generator state)
    zero_tol : eigenvalues below −zero_tol count as negative (as in the search)

    Returns
    -------
    dict: ``hessian_diff`` (largest entry of closed form − autodiff Hessian), ``grad_max``
    (largest autodiff |∇L|), ``index_same`` (every kept point's autodiff index equals the
    recorded one) and ``kept`` (kept points compared)
    """
    import torch

    from landscape.nets import engine, networks

    if result.activation != "tanh":
        raise ValueError(f"`result` must be a tanh search; got {result.activation!r}")
    zero_tol = _validate.positive_float("zero_tol", zero_tol, allow_zero=True)
    n = result.n
    H_cf = engine.hessian(theta, X, Y)
    net = networks.MLP((n, n, n), activation="tanh", bias=False)
    hdiff, gmax, same = 0.0, 0.0, True
    kept = np.flatnonzero(result.kept)
    for b in kept:
        H_ad = networks.hessian(theta[b], X[b], Y[b], net)
        hdiff = max(hdiff, float((H_ad - H_cf[b]).abs().max()))
        gmax = max(gmax, float(networks.loss_and_grad(theta[b], X[b], Y[b], net)[1].norm()))
        same &= int((torch.linalg.eigvalsh(H_ad) < -zero_tol).sum()) == int(result.negative[b])
    return {"hessian_diff": hdiff, "grad_max": gmax, "index_same": bool(same), "kept": int(kept.size)}


def linear_minimum_rows(lin_results: dict, modes: dict, n_tasks: int, generator_for, device=None) -> list:
    """The linear networks' minimum energy, run by run and on average (Pennington & Bahri §6.4; the chapter's erratum).

    For each φ: the largest gap between the energy of the search's index-0 points (zero modes
    determined, no negative eigenvalue; ``modes`` from :func:`linear_zero_mode_check`) and the
    least-squares energy of their task, and the mean and standard error of the least-squares
    energy over ``n_tasks`` fresh tasks drawn from ``generator_for(φ)``, next to
    ½(1 − φ/2) (:func:`landscape.nets.critical_search.linear_minimum_energy`) and the printed ½(1 − φ).
    """
    n_tasks = _validate.integer("n_tasks", n_tasks, minimum=2)
    rows = []
    for phi, r in lin_results.items():
        k0 = np.zeros_like(r.kept)
        k0[np.flatnonzero(r.kept)] = modes[phi]["determined"] & (modes[phi]["negative"] == 0)
        Xl, Yl = _cs.sample_tasks(r.n, r.m, n_tasks, generator_for(phi), device=device)
        e_ls = _cs.least_squares_energy(Xl, Yl).cpu().numpy()
        rows.append(dict(phi=phi, minima=int(k0.sum()),
                         max_gap_to_lstsq=float(np.abs(r.energy[k0] - r.ls_energy[k0]).max()) if k0.any() else np.nan,
                         tasks=n_tasks, mean_lstsq=e_ls.mean(), se=e_ls.std(ddof=1) / math.sqrt(e_ls.size),
                         half_1_minus_phi_over_2=_cs.linear_minimum_energy(r.n, r.m),
                         printed_half_1_minus_phi=0.5 * (1 - phi)))
    return rows


def index_energy_fits(results: dict, rng_for, *, alpha_max: float, n_boot: int):
    """The 3/2 law fitted at every φ, with p = 3/2 fixed and with p free (Fig. 6(a)).

    Parameters
    ----------
    results : φ → SearchResult (tanh); rng_for : function (φ, "fixed" | "free") → numpy Generator
    alpha_max, n_boot : as :func:`landscape.nets.critical_search.bootstrap_fit`

    Returns
    -------
    rows (one dict per φ: kept runs, index values fitted, ε_c and its s.e., α0, the free exponent
    with s.e. and 95 % interval, ε_c of the free fit) and tables (φ → per-index mean energies)
    """
    rows, tabs = [], {}
    for phi, r in results.items():
        kk = r.kept
        tabs[phi] = _cs.mean_energy_by_index(r.energy[kk], r.negative[kk], r.n_params)
        fixed = _cs.bootstrap_fit(r.energy[kk], r.negative[kk], r.n_params, rng_for(phi, "fixed"),
                                  alpha_max=alpha_max, n_boot=n_boot, exponent=1.5)
        free = _cs.bootstrap_fit(r.energy[kk], r.negative[kk], r.n_params, rng_for(phi, "free"),
                                 alpha_max=alpha_max, n_boot=n_boot, exponent=None)
        rows.append(dict(phi=phi, kept=int(kk.sum()), points=fixed["n_points"], eps_c=fixed["eps_c"],
                         eps_c_se=fixed["eps_c_se"], alpha0=fixed["alpha0"], p=free["exponent"],
                         p_se=free["exponent_se"], p_lo=free["exponent_lo"], p_hi=free["exponent_hi"],
                         eps_c_free=free["eps_c"]))
    return rows, tabs


def index_growth_z(energy, negative):
    """One-sided Spearman test that the index grows with the energy, as a normal score.

    Returns ``(z, rho)``: z = Φ⁻¹(1 − p) of the one-sided p-value (p floored at 1e-300), ρ the
    rank correlation.  Under no trend z is standard normal (Pennington & Bahri, Fig. 6(a)).
    """
    from scipy import stats

    e = _validate.finite_array("energy", energy)
    k = np.asarray(negative)
    if k.shape != e.shape or e.size < 3:
        raise ValueError("`energy` and `negative` must have the same shape, with at least 3 points")
    res = stats.spearmanr(e, k, alternative="greater")
    return float(stats.norm.isf(max(res.pvalue, 1e-300))), float(res.statistic)


def pooled_exponent(p, se):
    """Inverse-variance weighted mean of exponents ``p`` with standard errors ``se`` (non-finite or
    zero ``se`` left out); returns ``(mean, se)``."""
    p = np.asarray(p, dtype=float)
    se = np.asarray(se, dtype=float)
    if p.shape != se.shape or p.ndim != 1:
        raise ValueError("`p` and `se` must be 1-d arrays of equal length")
    ok = np.isfinite(se) & (se > 0) & np.isfinite(p)
    if not ok.any():
        raise ValueError("no exponent has a finite positive standard error")
    w = 1 / se[ok] ** 2
    return float((w * p[ok]).sum() / w.sum()), float(1 / math.sqrt(w.sum()))


def eps_c_trend(phi, eps_c, se):
    """Slope dε_c/dφ of an inverse-variance weighted line through the fitted ε_c, and its
    standard error (:func:`landscape.statistics.weighted_line_fit` with known errors)."""
    fit = _st.weighted_line_fit(phi, eps_c, se=se)
    return fit["slope"], fit["se_slope"]
