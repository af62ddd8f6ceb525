"""The claim ledger: every check the book makes goes through here.

A chapter opens one :class:`Ledger` and records each claim with the paper and
equation/figure it comes from, the expected value or relation, the computed value,
the tolerance and where that tolerance comes from.  A claim that fails is written to
disk first and then raises :class:`ClaimFailed`, so that executing the chapter fails
(and with it the book build and CI) while the reproduction report still shows which
claim broke.

Statistical claims (a Monte-Carlo estimate against a formula, a fitted slope against zero)
go through :meth:`Ledger.test`, which takes the estimate and its standard error and *derives*
the outcome from a decision rule stated in advance: the claim **holds**, is **refuted**, or is
**inconclusive** at this profile, and the **margin** (standard errors between the estimate and
the decision boundary) is recorded so that a sweep over seeds can show how far each verdict is
from flipping.  In keep-going mode (``$LANDSCAPE_KEEP_GOING=1``, the runner's default) a failed
claim is recorded and the chapter goes on, so that every claim is evaluated.

The ledger files are JSON, one per chapter, in :func:`ledger_directory`.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from landscape.compute import PROFILES

__all__ = [
    "PAPERS",
    "VERDICTS",
    "SHOWN_VERDICTS",
    "OUTCOMES",
    "Z_RELATION",
    "ALPHA_AGREEMENT",
    "ClaimFailed",
    "Claim",
    "Ledger",
    "ledger_directory",
    "load_ledgers",
    "claims_frame",
]

#: Papers a claim can come from (key -> short citation shown in the report).
PAPERS: dict[str, str] = {
    "choromanska2015": "Choromanska et al. 2015",
    "becker2020": "Becker, Zhang & Lee 2020 (PRL)",
    "becker2018": "Becker, Zhang & Lee 2018 (arXiv:1808.00408)",
    "pennington2017": "Pennington & Bahri 2017",
    "nguyen2017": "Nguyen & Hein 2017",
    "auffinger2013": "Auffinger, Ben Arous & Černý 2013",
    "subag2017": "Subag 2017",
    "breiding2017": "Breiding 2017",
    "cartwright2013": "Cartwright & Sturmfels 2013",
    "book": "this book (a check of its own method)",
}

#: What a passing claim says about the paper.
#: ``reproduced`` – the paper's statement is confirmed as printed;
#: ``erratum`` – the printed statement is wrong and the check confirms the corrected one;
#: ``differs`` – the check confirms a result that differs from what the paper reports;
#: ``method`` – a check of the book's own machinery (solver against formula, theory against sampling, ...).
VERDICTS = ("reproduced", "erratum", "differs", "method")

#: What the report shows: the declared verdict of a claim that holds where it is decided, or
#: ``inconclusive`` for a statistical claim at a profile too small to decide it.
SHOWN_VERDICTS = ("reproduced", "erratum", "differs", "inconclusive", "method")

#: Outcomes of a statistical claim (:meth:`Ledger.test`).
OUTCOMES = ("holds", "inconclusive", "refuted")

#: Decision boundary, in standard errors, of a relation (``lower <= estimate <= upper``,
#: or ``rejects=``): the relation holds when the estimate lies this many standard errors inside
#: it, is refuted this many outside.  3.29 is the two-sided normal quantile of 1e-3.
Z_RELATION = 3.29

#: Size of an agreement test (``agrees_with=``): the probability, when the paper's value is
#: exactly right, that its check fails anyway.  1e-4 (3.89 standard errors for one entry,
#: Bonferroni over entries) keeps a 20-seed sweep of all claims free of false failures in
#: about nine sweeps of ten.
ALPHA_AGREEMENT = 1e-4

#: Power asked of an agreement test: a true deviation of ``resolution`` is detected with
#: probability at least 1 - 1e-3, else the agreement is only *inconclusive*.
_Z_POWER = 3.09

ENV_DIRECTORY = "LANDSCAPE_LEDGER_DIR"
ENV_KEEP_GOING = "LANDSCAPE_KEEP_GOING"


class ClaimFailed(AssertionError):
    """Raised when a recorded claim does not hold."""

    def __init__(self, claim: "Claim"):
        self.claim = claim
        super().__init__(claim.describe())


@dataclass
class Claim:
    """One ledger entry."""

    id: str
    chapter: str
    claim: str
    paper: str
    where: str
    expected: Any
    computed: Any
    tolerance: str
    basis: str
    passed: bool
    verdict: str
    profile: str = ""
    seed: int | None = None
    extra: dict = field(default_factory=dict)
    #: statistical claims only (:meth:`Ledger.test`): holds | inconclusive | refuted
    outcome: str | None = None
    #: standard errors between the estimate and the boundary of the claim's relation, positive on
    #: the claim's side (``agrees_with``: between the largest |z| and the rejection boundary)
    margin: float | None = None
    #: whether this profile is declared to decide the claim
    decided: bool = True

    @property
    def shown_verdict(self) -> str:
        return shown_verdict(asdict(self))

    @property
    def source(self) -> str:
        return f"{PAPERS.get(self.paper, self.paper)}, {self.where}"

    def __repr__(self) -> str:
        mark = "✓" if self.passed else "✗"
        return (f"{mark} {self.id}: computed {_short(self.computed)}; expected {_short(self.expected)} "
                f"(tolerance {self.tolerance})")

    def describe(self) -> str:
        status = "holds" if self.passed else "FAILED"
        return (
            f"claim '{self.id}' in chapter '{self.chapter}' {status}: {self.claim} "
            f"[{self.source}] expected {_short(self.expected)}, computed {_short(self.computed)}, "
            f"tolerance {self.tolerance} ({self.basis})"
        )


def shown_verdict(claim: dict) -> str:
    """The verdict the report shows for a claim record: ``inconclusive`` for a statistical claim
    that this profile does not decide (declared so, or the estimate within the margin)."""
    if claim.get("outcome") == "refuted":
        return "refuted"
    if claim.get("outcome") is not None and (not claim.get("decided", True)
                                             or claim["outcome"] == "inconclusive"):
        return "inconclusive"
    return claim["verdict"]


def _short(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list) and len(value) > 6:
        return "[" + ", ".join(_short(v) for v in value[:6]) + ", …]"
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return str(value)


def _interval(lower, upper) -> str:
    """``[lower, upper]`` as shown in the ledger, with a missing side as ∓∞."""
    lo = "-∞" if lower is None else _short(_plain(lower))
    hi = "+∞" if upper is None else _short(_plain(upper))
    return f"[{lo}, {hi}]"


def _plain(value):
    """Turn numpy scalars/arrays into JSON-friendly Python values (NaN/inf become strings)."""
    if isinstance(value, (str, bool)) or value is None:
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        return x if math.isfinite(x) else str(x)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    arr = np.asarray(value)
    if arr.ndim == 0:
        return _plain(arr.item())
    return [_plain(v) for v in arr.ravel().tolist()]


def _repo_root() -> Path | None:
    here = Path(__file__).resolve().parents[2]
    return here if (here / "_toc.yml").exists() else None


def ledger_directory() -> Path:
    """Where ledger files go: ``$LANDSCAPE_LEDGER_DIR``, else ``<repository>/_build/ledger``."""
    if os.environ.get(ENV_DIRECTORY):
        return Path(os.environ[ENV_DIRECTORY])
    root = _repo_root()
    return (root if root is not None else Path.cwd()) / "_build" / "ledger"


class Ledger:
    """The claims of one chapter.

    Parameters
    ----------
    chapter : str
        The chapter's file stem (``book/<chapter>.md``); the report links back to it.
    profile, seed, device : run parameters, recorded with every claim.
    directory : path, optional
        Where to write ``<chapter>.json``; default :func:`ledger_directory`.

    Examples
    --------
    >>> import tempfile
    >>> led = Ledger("demo", profile="quick", seed=0, directory=tempfile.mkdtemp())
    >>> led.close("one", "1 + 1 is 2", "book", "arithmetic", expected=2, computed=1 + 1,
    ...           atol=0, basis="exact integer arithmetic").passed
    True
    """

    def __init__(self, chapter: str, profile: str = "quick", seed: int | None = 0,
                 device: str | None = None, directory: str | os.PathLike | None = None,
                 keep_going: bool | None = None):
        if not chapter or not isinstance(chapter, str):
            raise ValueError("`chapter` must be a non-empty string (the chapter's file stem)")
        if keep_going is None:
            keep_going = os.environ.get(ENV_KEEP_GOING, "") not in ("", "0")
        self.keep_going = bool(keep_going)
        self.chapter = chapter
        self.profile = profile
        self.seed = seed
        self.device = str(device) if device is not None else None
        self.directory = Path(directory) if directory is not None else ledger_directory()
        self.claims: list[Claim] = []
        self._write()  # a fresh run starts with an empty ledger for this chapter

    # -- recording -----------------------------------------------------------------
    def _record(self, claim: Claim) -> Claim:
        if any(c.id == claim.id for c in self.claims):
            raise ValueError(f"claim id {claim.id!r} is already used in chapter {self.chapter!r}")
        if claim.paper not in PAPERS:
            raise ValueError(f"`paper` must be one of {sorted(PAPERS)}; got {claim.paper!r}")
        if claim.verdict not in VERDICTS:
            raise ValueError(f"`verdict` must be one of {VERDICTS}; got {claim.verdict!r}")
        if not claim.basis:
            raise ValueError("`basis` must say where the tolerance comes from")
        self.claims.append(claim)
        self._write()
        if not claim.passed and not self.keep_going:
            raise ClaimFailed(claim)
        return claim

    @property
    def failed(self) -> list[Claim]:
        """The claims recorded so far that did not hold."""
        return [c for c in self.claims if not c.passed]

    def _new(self, id, claim, paper, where, expected, computed, tolerance, basis, passed, verdict,
             extra=None, **statistics):
        return Claim(id=id, chapter=self.chapter, claim=claim, paper=paper, where=where,
                     expected=_plain(expected), computed=_plain(computed), tolerance=tolerance,
                     basis=basis, passed=bool(passed), verdict=verdict, profile=self.profile,
                     seed=self.seed, extra=_plain_dict(extra or {}), **statistics)

    def test(self, id: str, claim: str, paper: str, where: str, *, estimate, se, lower=None,
             upper=None, agrees_with=None, resolution=None, rejects=None,
             decided_at=("quick", "full"), basis: str, verdict: str = "reproduced") -> Claim:
        """Record a statistical claim; its outcome is derived from the estimate and its error.

        Exactly one decision rule is given:

        * ``lower`` and/or ``upper`` — the claim is the relation ``lower <= θ <= upper``.  The
          margin is ``m = min((estimate - lower)/se, (upper - estimate)/se)``; the relation
          **holds** if ``m >= Z_RELATION``, is **refuted** if ``m <= -Z_RELATION``, and is
          **inconclusive** in between.
        * ``rejects=v`` — the claim is that the paper's value ``v`` is excluded (a *differs* or
          *erratum* finding): margin ``m = |estimate - v|/se``; holds if ``m >= Z_RELATION``,
          else inconclusive (failing to exclude a value is never evidence against it).
        * ``agrees_with=v`` — the claim is ``θ = v`` exactly (a formula against sampling): the
          ``z``-scores ``(estimate - v)/se`` are tested at size :data:`ALPHA_AGREEMENT`
          (Bonferroni over entries).  A rejection **refutes** the claim.  Otherwise it **holds** if
          the test can see a deviation of ``resolution`` (``resolution/se >= z_crit + 3.09``:
          power 1 - 1e-3) and is **inconclusive** if it cannot.  ``resolution=None`` asks for
          no power (use it for a check whose standard error is the point, not the claim's size).
          The margin is ``z_crit - max|z|``.

        ``estimate`` and ``se`` may be arrays (one entry per case, all must hold; the margin is
        the smallest).  ``decided_at`` names the profiles at which the chapter declares the claim
        decidable.  The claim **fails** (and with it the build) if it is refuted, or if it is
        not *holds* at a profile that is declared to decide it.  At other profiles it is shown
        as *inconclusive at this profile* whatever its outcome, unless refuted.
        """
        from scipy import stats

        forms = sum(x is not None for x in (agrees_with, rejects)) + (lower is not None or upper is not None)
        if forms != 1:
            raise ValueError("`test` needs exactly one decision rule: `lower`/`upper`, `agrees_with` or `rejects`")
        if isinstance(decided_at, str):
            decided_at = (decided_at,)
        bad = [p for p in decided_at if p not in PROFILES]
        if bad:
            raise ValueError(f"`decided_at` must name profiles among {PROFILES}; got {bad}")
        est = np.atleast_1d(np.asarray(estimate, dtype=float))
        err = np.broadcast_to(np.asarray(se, dtype=float), est.shape).copy()
        if np.any(~(err > 0)):
            raise ValueError("`se` must be positive (a standard error of zero decides nothing; use `close`)")
        finite = bool(np.all(np.isfinite(est)) and np.all(np.isfinite(err)))
        extra = {"estimate": est.tolist(), "se": err.tolist()}
        if lower is not None or upper is not None:
            lo = -np.inf if lower is None else np.asarray(lower, dtype=float)
            hi = np.inf if upper is None else np.asarray(upper, dtype=float)
            m = float(np.min(np.minimum((est - lo) / err, (hi - est) / err))) if finite else -np.inf
            outcome = "holds" if m >= Z_RELATION else "refuted" if m <= -Z_RELATION else "inconclusive"
            margin, form = m, "relation"
            interval = _interval(lower, upper)
            rule = (f"holds if every estimate lies ≥ {Z_RELATION} s.e. inside {interval}, "
                    f"refuted if ≥ {Z_RELATION} s.e. outside")
            expected = f"in {interval}"
        elif rejects is not None:
            v = np.asarray(rejects, dtype=float)
            zs = np.abs(est - v) / err
            m = float(np.min(zs)) if finite else 0.0
            outcome = "holds" if m >= Z_RELATION else "inconclusive"
            margin, form = m, "rejects"
            rule = f"holds if every estimate lies ≥ {Z_RELATION} s.e. from the paper's value; else inconclusive"
            expected = f"≠ {_short(_plain(rejects))}"
        else:
            v = np.asarray(agrees_with, dtype=float)
            z_crit = float(stats.norm.isf(ALPHA_AGREEMENT / (2 * est.size)))
            zs = np.abs(est - v) / err
            worst = float(np.max(zs)) if finite else np.inf
            if worst > z_crit:
                outcome = "refuted"
            elif resolution is not None and np.any(np.asarray(resolution, dtype=float) / err < z_crit + _Z_POWER):
                outcome = "inconclusive"
            else:
                outcome = "holds"
            margin, form = z_crit - worst, "agreement"
            rule = (f"refuted if any |z| > {z_crit:.2f} (size {ALPHA_AGREEMENT:g}"
                    + (f", Bonferroni over {est.size}" if est.size > 1 else "") + ")"
                    + (f"; inconclusive unless a deviation of {_short(_plain(resolution))} would be seen "
                       f"(resolution/se ≥ {z_crit + _Z_POWER:.2f})" if resolution is not None else ""))
            expected = _plain(agrees_with)
            extra["max_abs_z"] = worst
        decided = self.profile in decided_at
        passed = finite and outcome != "refuted" and (outcome == "holds" or not decided)
        if not finite:
            outcome = "refuted"
        computed = est[0] if est.size == 1 else est
        err_shown = err[0] if err.size == 1 else err
        extra["rule"] = rule
        extra["form"] = form
        extra["decided_at"] = list(decided_at)
        tolerance = f"s.e. {_short(_plain(err_shown))}; {rule}"
        return self._record(self._new(id, claim, paper, where, expected, computed, tolerance, basis,
                                      passed, verdict, extra, outcome=outcome,
                                      margin=float(margin) if np.isfinite(margin) else None,
                                      decided=decided))

    def close(self, id: str, claim: str, paper: str, where: str, expected, computed, *,
              atol=0.0, rtol: float = 0.0, basis: str, verdict: str = "reproduced") -> Claim:
        """Record ``|computed - expected| <= atol + rtol |expected|`` (elementwise, all must hold).

        ``atol`` may be an array with one tolerance per entry (e.g. a multiple of each entry's
        standard error).
        """
        exp = np.asarray(expected, dtype=float)
        com = np.asarray(computed, dtype=float)
        if exp.shape != com.shape and exp.ndim != 0:
            raise ValueError(f"`expected` shape {exp.shape} and `computed` shape {com.shape} differ")
        atol_arr = np.asarray(atol, dtype=float)
        if np.any(atol_arr < 0) or rtol < 0:
            raise ValueError("`atol` and `rtol` must be non-negative")
        allowed = atol_arr + rtol * np.abs(exp)
        deviation = np.abs(com - exp)
        passed = bool(np.all(np.isfinite(com)) and np.all(deviation <= allowed))
        parts = []
        if atol_arr.ndim and atol_arr.size > 1:  # one tolerance per entry
            parts.append(f"±{atol_arr.min():.3g}…{atol_arr.max():.3g} per entry")
        elif float(atol_arr.max(initial=0.0)):
            parts.append(f"±{float(atol_arr.max()):.3g}")
        if rtol:
            parts.append(f"±{rtol:.3g} relative")
        tolerance = " + ".join(parts) if parts else "exact"
        extra = {"max_deviation": float(np.max(deviation)) if deviation.size else 0.0}
        return self._record(self._new(id, claim, paper, where, expected, computed, tolerance,
                                      basis, passed, verdict, extra))

    def bound(self, id: str, claim: str, paper: str, where: str, computed, *, lower=None,
              upper=None, basis: str, verdict: str = "reproduced") -> Claim:
        """Record ``lower <= computed <= upper`` (elementwise, all must hold; either side may be None)."""
        if lower is None and upper is None:
            raise ValueError("`bound` needs `lower`, `upper` or both")
        com = np.asarray(computed, dtype=float)
        ok = np.isfinite(com)
        if lower is not None:
            ok &= com >= np.asarray(lower, dtype=float)
        if upper is not None:
            ok &= com <= np.asarray(upper, dtype=float)
        interval = _interval(lower, upper)
        expected = f"in {interval}"
        return self._record(self._new(id, claim, paper, where, expected, computed, interval,
                                      basis, bool(np.all(ok)), verdict))

    def holds(self, id: str, claim: str, paper: str, where: str, passed: bool, *, expected: str,
              computed, basis: str, verdict: str = "reproduced") -> Claim:
        """Record a relation decided by the caller (e.g. an ordering or an exact count)."""
        if not isinstance(passed, (bool, np.bool_)):
            raise ValueError("`passed` must be a bool decided by the caller")
        return self._record(self._new(id, claim, paper, where, expected, computed, "relation",
                                      basis, bool(passed), verdict))

    # -- output ----------------------------------------------------------------------
    def _write(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        payload = {"chapter": self.chapter, "profile": self.profile, "seed": self.seed,
                   "device": self.device, "claims": [asdict(c) for c in self.claims]}
        path = self.directory / f"{self.chapter}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(payload, indent=1, ensure_ascii=False))
        tmp.replace(path)

    @property
    def path(self) -> Path:
        return self.directory / f"{self.chapter}.json"

    def frame(self):
        """The chapter's claims as a pandas DataFrame; displayed at the end of a chapter it is the
        compact claim table of the report (:func:`landscape.report.claims_table_html`), each row
        with the anchor ``claim-<chapter>-<id>`` that the report links to."""
        records = [asdict(c) for c in self.claims]
        table = LedgerTable(claims_frame(records))
        table.attrs["claims"] = records
        return table

    def _repr_html_(self):
        from .report import claims_table_html

        return claims_table_html([asdict(c) for c in self.claims])


def _plain_dict(d: dict) -> dict:
    return {str(k): _plain(v) for k, v in d.items()}


def load_ledgers(directory: str | os.PathLike | None = None) -> list[dict]:
    """Read every chapter's ledger file; returns a list of ``{"chapter", "profile", "seed", "claims"}``."""
    directory = Path(directory) if directory is not None else ledger_directory()
    if not directory.exists():
        return []
    out = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text())
        if isinstance(data, dict) and "claims" in data:
            out.append(data)
    return out


class LedgerTable(pd.DataFrame):
    """A claims DataFrame whose HTML form is the book's compact claim table
    (:func:`landscape.report.claims_table_html`, from the records in ``attrs["claims"]``);
    anything derived from it (a selection, a copy) is a plain DataFrame."""

    @property
    def _constructor(self):
        return pd.DataFrame

    def _repr_html_(self):
        from .report import claims_table_html

        return claims_table_html(self.attrs.get("claims", []))


def claims_frame(claims: list[dict]):
    """Tabulate claim records with the columns the report shows."""
    rows = [{
        "id": c["id"],
        "claim": c["claim"],
        "source": f"{PAPERS.get(c['paper'], c['paper'])}, {c['where']}",
        "expected": _short(c["expected"]),
        "computed": _short(c["computed"]),
        "tolerance": c["tolerance"],
        "tolerance from": c["basis"],
        "verdict": shown_verdict(c),
        "status": "pass" if c["passed"] else "FAIL",
    } for c in claims]
    return pd.DataFrame(rows, columns=["id", "claim", "source", "expected", "computed", "tolerance",
                                       "tolerance from", "verdict", "status"])
