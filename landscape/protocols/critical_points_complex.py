"""Settings and tables of the chapter ``book/critical_points_complex``.

The chapter solves the critical-point equations T·w^{H−1} = λw of random spin-glass tensors for every
complex solution with the homotopy solver (:func:`landscape.spin_glass.homotopy.tensor_eigenpairs_batch`)
and compares the number of verified eigenpair classes with eq. (5) of Becker, Zhang & Lee (2020),
:func:`landscape.spin_glass.counting.complex_count`; it then evaluates eq. (5) against depth at a
fixed number of parameters (arXiv Fig. 2).  :class:`CriticalPointsComplexProfile` holds the sizes
(Λ, H) solved and the number of tensors per size; :data:`PROFILES` the quick and full instances;
:func:`solve_random_tensors` and :func:`complex_counts_over_depth` build the chapter's two tables.

The tensors are drawn on the device of the generator passed in; the homotopy solver is numpy and runs
on the CPU.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscape import _validate
from landscape.progress import progress_bar
from landscape.spin_glass import counting, hamiltonian

__all__ = ["CriticalPointsComplexProfile", "PROFILES", "SIZES", "solve_summary", "solve_random_tensors",
           "complex_counts_over_depth"]

#: The (Λ, H) solved at both profiles: Λ = 2…6 at H = 3, Λ = 2…5 at H = 4 and at H = 5.
SIZES = tuple((L, 3) for L in range(2, 7)) + tuple((L, 4) for L in range(2, 6)) + tuple((L, 5) for L in range(2, 6))


@dataclass(frozen=True, kw_only=True)
class CriticalPointsComplexProfile:
    """Settings of ``book/critical_points_complex`` at one profile.

    Attributes
    ----------
    name : the profile's name
    tensors_per_size : random spin-glass tensors solved per (Λ, H), >= 1
    sizes : the ``(Lambda, H)`` pairs solved, Λ >= 2 and H >= 3 (tensors proper; H = 2, a symmetric
        matrix, is the chapter's separate check), no pair twice; the same at both profiles
        (:data:`SIZES`)
    """

    name: str
    tensors_per_size: int
    sizes: tuple = SIZES

    def __post_init__(self):
        _validate.integer("tensors_per_size", self.tensors_per_size, minimum=1)
        if not isinstance(self.sizes, tuple) or not self.sizes:
            raise ValueError(f"`sizes` must be a non-empty tuple of (Lambda, H) pairs; got {self.sizes!r}")
        for i, size in enumerate(self.sizes):
            if not isinstance(size, tuple) or len(size) != 2:
                raise ValueError(f"`sizes[{i}]` must be a pair (Lambda, H); got {size!r}")
            _validate.integer(f"sizes[{i}].Lambda", size[0], minimum=2)
            _validate.integer(f"sizes[{i}].H", size[1], minimum=3)
        if len(set(self.sizes)) != len(self.sizes):
            raise ValueError(f"`sizes` must not repeat a (Lambda, H) pair; got {self.sizes!r}")

    @property
    def total_tensors(self) -> int:
        """Tensors solved over all sizes (the cost of the chapter)."""
        return self.tensors_per_size * len(self.sizes)


#: ``quick``: 3 random tensors per (Λ, H); ``full``: 20.  The sizes are the same (:data:`SIZES`).
PROFILES = {
    "quick": CriticalPointsComplexProfile(name="quick", tensors_per_size=3),
    "full": CriticalPointsComplexProfile(name="full", tensors_per_size=20),
}


def solve_summary(Lambda: int, H: int, results) -> dict:
    """One row of the chapter's table of solved tensors: the classes found against eq. (5) and the checks.

    ``results`` are the :class:`~landscape.spin_glass.homotopy.EigenpairResult` of the tensors of one
    size (Λ, H).  The row holds eq. (5) (:func:`~landscape.spin_glass.counting.complex_count`), the
    fewest and most verified classes found, the classes lost and the tensors that needed a second
    homotopy, the worst residual, condition number and separation, the mean number of real classes,
    and the mean number of complex-conjugation orbits (N_C + N_R)/2 (what "up to complex conjugation"
    in Becker et al. 2020 before eq. (5) would count).
    """
    Lambda = _validate.integer("Lambda", Lambda, minimum=1)
    H = _validate.integer("H", H, minimum=2)
    results = list(results)
    if not results:
        raise ValueError("`results` must hold the solver's result for at least one tensor")
    return {
        "Lambda": Lambda, "H": H, "eq. (5)": counting.complex_count(Lambda, H), "tensors": len(results),
        "min found": min(r.n_found for r in results), "max found": max(r.n_found for r in results),
        "lost": sum(r.n_lost for r in results), "retried": sum(r.attempts > 1 for r in results),
        "max residual": max(float(r.residual.max()) for r in results),
        "max condition": max(float(r.condition.max()) for r in results),
        "min separation": min(r.min_separation for r in results),
        "mean real": np.mean([r.n_real for r in results]),
        "conjugation orbits": np.mean([(r.n_found + r.n_real) / 2 for r in results]),
    }


def solve_random_tensors(sizes, tensors_per_size: int, generator, *, rng: np.random.Generator,
                         progress: bool = True):
    """Solve ``tensors_per_size`` random spin-glass tensors of each size for all their eigenpairs.

    For each ``(Lambda, H)`` in ``sizes``, in order, draws the tensors with
    :func:`~landscape.spin_glass.counting.sample_tensors` from ``generator`` (torch, on any device)
    and solves them with :func:`~landscape.spin_glass.counting.tensor_eigenpairs_batch` driven by
    ``rng`` (numpy; the solver runs on the CPU).

    Returns
    -------
    table : pandas.DataFrame, one :func:`solve_summary` row per size
    solved : dict ``(Lambda, H)`` → list of :class:`~landscape.spin_glass.homotopy.EigenpairResult`
    """
    import pandas as pd

    tensors_per_size = _validate.integer("tensors_per_size", tensors_per_size, minimum=1)
    rows, solved = [], {}
    for L, H in progress_bar(list(sizes), desc="solving", enabled=progress):
        tensors = counting.sample_tensors(tensors_per_size, L, H, generator)
        solved[(L, H)] = counting.tensor_eigenpairs_batch(tensors, rng=rng)
        rows.append(solve_summary(L, H, solved[(L, H)]))
    return pd.DataFrame(rows), solved


def complex_counts_over_depth(N_e_values, H_grid):
    """Eq. (5) against depth at fixed numbers of parameters N_e (Becker et al. 2018, arXiv Fig. 2).

    With the arXiv's architecture Λ = n0, the positive root of N_e = (H−1)n0² + n0
    (:func:`~landscape.spin_glass.hamiltonian.effective_weights_arxiv`, sign-corrected, and
    :func:`~landscape.spin_glass.hamiltonian.effective_weights_arxiv_as_printed`); eq. (5) is
    evaluated as a real function of the non-integer Λ, as in the paper.

    Returns
    -------
    table : pandas.DataFrame, one row per N_e: the depth of the maximum and the maximum
        (:func:`~landscape.spin_glass.counting.depth_peak`), the depth of the maximum with the printed
        Λ, the count at the first and last depth, and whether the count falls strictly after the
        maximum and rises strictly before it
    curves : dict N_e → (count with the corrected Λ, count with the printed Λ), arrays over ``H_grid``
    """
    import pandas as pd

    H_grid = np.asarray(H_grid)
    rows, curves = [], {}
    for N_e in N_e_values:
        nc = counting.complex_count(hamiltonian.effective_weights_arxiv(N_e, H_grid), H_grid)
        ncp = counting.complex_count(hamiltonian.effective_weights_arxiv_as_printed(N_e, H_grid), H_grid)
        curves[N_e] = (nc, ncp)
        peak = counting.depth_peak(H_grid, nc)
        rows.append({"N_e": N_e, "argmax H": peak["argmax_H"], "max N_C": peak["max"],
                     "argmax H (printed Lambda)": counting.depth_peak(H_grid, ncp)["argmax_H"],
                     f"N_C at H={H_grid[0]}": nc[0], f"N_C at H={H_grid[-1]}": nc[-1],
                     "decreasing after max": peak["decreasing_after"],
                     "increasing before max": peak["increasing_before"]})
    return pd.DataFrame(rows), curves
