"""Seed sweeps: execute every chapter at many seeds and tabulate how stable each verdict is.

A verdict that flips with the seed is not a reproduction.  :func:`run_sweep` executes each
chapter once per seed, in keep-going mode (every claim is evaluated even after one fails), into
``_build/sweep/<profile>/seed-<k>/``; a (seed, chapter) pair that finished before is not run
again, so an interrupted sweep resumes.  :func:`stability` then reduces the ledgers to one row
per claim: how often it held, was inconclusive or was refuted, how often it failed, and the
smallest margin (standard errors from the boundary of its relation) over the seeds.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from .ledger import Z_RELATION, load_ledgers

__all__ = ["parse_seeds", "sweep_directory", "run_sweep", "stability", "write_stability",
           "load_stability", "stability_html"]


def parse_seeds(text: str) -> list[int]:
    """``"0-19"``, ``"3"``, ``"0,4,7-9"`` → a sorted list of distinct non-negative seeds."""
    seeds: set[int] = set()
    try:
        for part in str(text).split(","):
            part = part.strip()
            if "-" in part:
                a, b = (int(x) for x in part.split("-", 1))
                if b < a:
                    raise ValueError
                seeds.update(range(a, b + 1))
            else:
                seeds.add(int(part))
    except ValueError:
        raise ValueError(f"`seeds` must look like '0-19' or '0,3,5-7' (non-negative integers); got {text!r}") from None
    if not seeds or min(seeds) < 0:
        raise ValueError(f"`seeds` must be non-negative integers; got {text!r}")
    return sorted(seeds)


def sweep_directory(profile: str = "quick", root: Path | None = None) -> Path:
    """``<repository>/_build/sweep/<profile>``."""
    from .runner import repo_root

    return (root or repo_root()) / "_build" / "sweep" / profile


def _done_marker(base: Path, seed: int, stem: str) -> Path:
    return base / f"seed-{seed}" / "done" / f"{stem}.json"


def _execute_one(stem: str, seed: int, profile: str, device: str, base: Path, threads: int) -> dict:
    """Execute one chapter at one seed in its own process (the runner sets process-wide
    environment variables, so two chapters cannot share one)."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = str(threads)
    folder = base / f"seed-{seed}"
    cmd = [sys.executable, "-m", "landscape", "execute", stem, "--seed", str(seed), "--profile", profile,
           "--device", device, "--out", str(folder)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    record = {"chapter": stem, "seed": seed, "seconds": round(time.perf_counter() - t0, 1),
              "returncode": proc.returncode, "message": (proc.stdout + proc.stderr)[-2000:]}
    marker = _done_marker(base, seed, stem)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(record, indent=1))
    return record


def run_sweep(seeds: list[int], *, profile: str = "quick", device: str = "cpu",
              only: list[str] | None = None, jobs: int = 1, fresh: bool = False,
              root: Path | None = None, echo=print) -> Path:
    """Execute the chapters at every seed (``jobs`` chapters at once) and write the stability
    table; returns the path of ``stability.json``.  Finished (seed, chapter) pairs are reused
    unless ``fresh``."""
    from tqdm.auto import tqdm

    from landscape import _validate
    from .runner import SUMMARY_PAGES, chapters

    jobs = _validate.integer("jobs", jobs, minimum=1, maximum=64)
    every = [c for c in chapters(root) if c not in SUMMARY_PAGES]
    if only:
        unknown = [c for c in only if c not in every]
        if unknown:
            raise ValueError(f"`only` names unknown chapter(s) {unknown}; chapters are {every}")
        every = [c for c in every if c in only]
    base = sweep_directory(profile, root)
    units = [(seed, stem) for seed in seeds for stem in every]
    todo = [(seed, stem) for seed, stem in units
            if fresh or not _done_marker(base, seed, stem).exists()]
    echo(f"sweep: {len(units)} chapter runs ({len(seeds)} seeds × {len(every)} chapters), "
         f"{len(units) - len(todo)} already done, {jobs} at a time")
    threads = 1 if jobs > 1 else max(1, (os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_execute_one, stem, seed, profile, device, base, threads): (seed, stem)
                   for seed, stem in todo}
        bar = tqdm(total=len(futures), desc="sweep", unit="chapter", file=sys.stderr, disable=None)
        for fut in as_completed(futures):
            rec = fut.result()
            bar.update(1)
            flag = "" if rec["returncode"] == 0 else "   FAILED"
            echo(f"  seed {rec['seed']:>3d} {rec['chapter']:<28s} {rec['seconds']:7.1f} s{flag}")
        bar.close()
    rows = stability(base, seeds=seeds, chapters=every)
    return write_stability(base, rows, profile=profile, seeds=seeds)


def _ledgers_by_seed(base: Path, seeds, chapters) -> list[dict]:
    out = []
    for seed in seeds:
        for book in load_ledgers(base / f"seed-{seed}" / "ledger"):
            if chapters is None or book["chapter"] in chapters:
                out.append(book)
    return out


def stability(base: Path, *, seeds=None, chapters=None) -> list[dict]:
    """One row per claim over the sweep's seeds: outcome counts, failures and margins."""
    if seeds is None:
        seeds = sorted(int(p.name.split("-", 1)[1]) for p in Path(base).glob("seed-*"))
    rows: dict[tuple[str, str], dict] = {}
    for book in _ledgers_by_seed(Path(base), seeds, chapters):
        for c in book["claims"]:
            key = (c["chapter"], c["id"])
            row = rows.setdefault(key, {
                "chapter": c["chapter"], "id": c["id"], "claim": c["claim"], "verdict": c["verdict"],
                "form": (c.get("extra") or {}).get("form", "exact"), "decided": c.get("decided", True),
                "runs": 0, "failed": 0, "holds": 0, "inconclusive": 0, "refuted": 0,
                "margins": [], "failed_seeds": []})
            row["runs"] += 1
            if not c["passed"]:
                row["failed"] += 1
                row["failed_seeds"].append(c.get("seed"))
            outcome = c.get("outcome") or ("holds" if c["passed"] else "refuted")
            row[outcome] += 1
            if c.get("margin") is not None:
                row["margins"].append(float(c["margin"]))
    out = []
    for row in rows.values():
        margins = row.pop("margins")
        row["min_margin"] = min(margins) if margins else None
        row["mean_margin"] = sum(margins) / len(margins) if margins else None
        sd = (math.sqrt(sum((m - row["mean_margin"]) ** 2 for m in margins) / (len(margins) - 1))
              if len(margins) > 1 else None)
        row["sd_margin"] = sd
        # normal approximation to the chance that another seed crosses the decision boundary
        row["flip_estimate"] = None
        if row["form"] in ("relation", "rejects") and row["decided"] and sd:
            row["flip_estimate"] = 0.5 * math.erfc((row["mean_margin"] - Z_RELATION) / (sd * math.sqrt(2)))
        row["weak"] = bool(row["failed"] or (row["form"] in ("relation", "rejects") and row["decided"]
                                              and row["min_margin"] is not None
                                              and row["min_margin"] < Z_RELATION))
        out.append(row)
    return out


def write_stability(base: Path, rows: list[dict], *, profile: str, seeds: list[int]) -> Path:
    path = Path(base) / "stability.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"profile": profile, "seeds": list(seeds), "rows": rows,
               "failed_claims": sum(r["failed"] for r in rows)}
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False))
    return path


def load_stability(profile: str = "quick", root: Path | None = None) -> dict | None:
    """The last sweep's table for ``profile``, or ``None`` if no sweep was run."""
    try:
        path = sweep_directory(profile, root) / "stability.json"
    except RuntimeError:
        return None
    return json.loads(path.read_text()) if path.exists() else None


def _fmt(x, digits=2) -> str:
    return "—" if x is None else f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def stability_html(profile: str = "quick", root: Path | None = None, data: dict | None = None) -> str:
    """The report page's table: per statistical claim, outcomes over seeds and the smallest margin."""
    import html

    from .report import claim_anchor

    data = data if data is not None else load_stability(profile, root)
    if not data:
        return ("<p>No seed sweep has been run for this build. <code>python -m landscape sweep "
                "--seeds 0-19</code> runs one and the next build of this page shows it.</p>")
    rows = data["rows"]
    stat = [r for r in rows if r["form"] != "exact"]
    exact = [r for r in rows if r["form"] == "exact"]
    seeds = data["seeds"]
    span = f"{seeds[0]}–{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) else ", ".join(map(str, seeds))
    head = (f"<p>Profile <code>{html.escape(data['profile'])}</code>, seeds {span} ({len(seeds)} seeds): "
            f"<strong>{data['failed_claims']} failed claim evaluations</strong> over {sum(r['runs'] for r in rows)}; "
            f"{sum(r['failed'] == 0 for r in exact)} of {len(exact)} exact checks pass at every seed. "
            f"Rows in bold are below margin {Z_RELATION} at some seed or failed.</p>")
    body = []
    for r in sorted(stat, key=lambda r: (not r["weak"], r["chapter"], r["id"])):
        anchor = claim_anchor(r["chapter"], r["id"])
        cells = [f'<a href="{html.escape(r["chapter"])}.html#{anchor}">{html.escape(r["id"])}</a>',
                 html.escape(r["chapter"].replace("_", " ")), html.escape(r["form"]),
                 "yes" if r["decided"] else "no", f"{r['holds']}/{r['inconclusive']}/{r['refuted']}",
                 str(r["failed"]), _fmt(r["min_margin"]), _fmt(r["mean_margin"]), _fmt(r["sd_margin"]),
                 "—" if r["flip_estimate"] is None else f"{r['flip_estimate']:.1e}"]
        tag = "strong" if r["weak"] else "span"
        body.append("<tr>" + "".join(f"<td><{tag}>{c}</{tag}></td>" for c in cells) + "</tr>")
    table = ("<table class='table ls-wrap'><thead><tr><th>claim</th><th>chapter</th><th>rule</th><th>decided here</th>"
             "<th>holds/inconcl./refuted</th><th>failed</th><th>min margin</th><th>mean</th><th>s.d.</th>"
             "<th>flip (normal approx.)</th></tr></thead><tbody>" + "".join(body) + "</tbody></table>")
    return head + table
