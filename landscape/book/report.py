"""HTML tables for the reproduction report page, built from the chapters' ledger files."""
from __future__ import annotations

import functools
import html
import json
import re

from .ledger import PAPERS, SHOWN_VERDICTS, ledger_directory, load_ledgers, shown_verdict

__all__ = ["summary_html", "findings_html", "claims_html", "claims_table_html", "claim_anchor", "chapter_title",
           "claim_text", "timings_html", "results_html", "stability_html"]


def stability_html(profile: str = "quick") -> str:
    """The last seed sweep's stability table (see :mod:`landscape.book.sweep`)."""
    from .sweep import stability_html as table

    return table(profile)


def claim_anchor(chapter: str, claim_id: str) -> str:
    """The HTML id of a ledger entry, ``claim-<chapter>-<id>``: the chapter's closing table gives
    each row this id and the report links to it."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{chapter}-{claim_id}").strip("-")
    return f"claim-{slug}"


@functools.lru_cache(maxsize=None)
def chapter_title(stem: str) -> str:
    """The chapter's title: the first level-1 Markdown heading of ``book/<stem>.md`` outside code
    cells (the file stem if the chapter cannot be read)."""
    from .runner import repo_root

    try:
        text = (repo_root() / "book" / f"{stem}.md").read_text()
    except (OSError, RuntimeError):
        return stem.replace("_", " ")
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("# "):
            return line[2:].strip()
    return stem.replace("_", " ")


def _chapter_link(stem: str, anchor: str | None = None, text: str | None = None) -> str:
    href = f"{stem}.html" + (f"#{anchor}" if anchor else "")
    return f'<a href="{html.escape(href)}">{html.escape(text if text is not None else chapter_title(stem))}</a>'


#: ASCII spellings of mathematical symbols in claim texts and what the report shows instead.
_SYMBOLS = [(">=", "≥"), ("<=", "≤"), ("!=", "≠"), ("->", "→"), ("+-", "±"), ("sqrt", "√"), ("^2", "²"),
            ("^3", "³"), ("^{-1}", "⁻¹"), ("^-1", "⁻¹")]
_GREEK = {"Lambda": "Λ", "lambda": "λ", "Psi": "Ψ", "psi": "ψ", "Phi": "Φ", "phi": "φ", "Theta": "Θ",
          "theta": "θ", "sigma": "σ", "Sigma": "Σ", "eps": "ε", "epsilon": "ε", "alpha": "α", "beta": "β",
          "gamma": "γ", "delta": "δ", "mu": "μ", "rho": "ρ", "tau": "τ", "omega": "ω", "Omega": "Ω",
          "chi": "χ", "xi": "ξ", "kappa": "κ", "nu": "ν", "eta": "η", "zeta": "ζ", "pi": "π"}
_GREEK_RE = re.compile(r"\b(" + "|".join(sorted(_GREEK, key=len, reverse=True)) + r")(?=\b|_|[0-9+-])")


def claim_text(text: str) -> str:
    """A claim as the pages show it: HTML-escaped, with ASCII math (``>=``, ``Psi^2``, ``eps``)
    as symbols (≥, Ψ², ε).  Identifiers such as ``eq. (6)`` and words are left alone."""
    # Greek names first: "Psi^2" -> "Ψ^2" -> "Ψ²" (after "²", a letter name no longer ends a word)
    out = _GREEK_RE.sub(lambda m: _GREEK[m.group(1)], text)
    for ascii_form, symbol in _SYMBOLS:
        out = out.replace(ascii_form, symbol)
    return html.escape(out)


def _values(c: dict) -> str:
    return (f"<span class='ls-label'>expected</span> {html.escape(_fmt(c['expected']))}<br>"
            f"<span class='ls-label'>computed</span> {html.escape(_fmt(c['computed']))}")


def _verdict_cell(c: dict) -> str:
    shown = shown_verdict(c)
    status = "pass" if c["passed"] else "FAIL"
    return (f"<span class='ls-verdict ls-{html.escape(shown)}'>{html.escape(shown)}</span><br>"
            f"<span class='ls-{'pass' if c['passed'] else 'fail'}'>{status}</span>{_margin(c)}")


def claims_table_html(claims: list[dict], *, anchors: bool = True, link_chapter: bool = False) -> str:
    """The compact claim table (verdict and status first, text wrapped to the page's column).

    Used at the end of every chapter (:meth:`landscape.ledger.Ledger.frame`) with ``anchors`` —
    each row gets the id :func:`claim_anchor` — and on the report, where ``link_chapter`` adds a
    link from each claim to that row in its chapter.
    """
    if not claims:
        return "<p>No claims recorded.</p>"
    rows = []
    for c in claims:
        anchor = claim_anchor(c["chapter"], c["id"])
        row_id = f' id="{anchor}"' if anchors else ""
        where = f"{PAPERS.get(c['paper'], c['paper'])}, {c['where']}"
        link = (" · " + _chapter_link(c["chapter"], anchor, f"check in “{chapter_title(c['chapter'])}”")
                if link_chapter else "")
        rows.append(
            f"<tr{row_id}>"
            f"<td>{_verdict_cell(c)}</td>"
            f"<td>{claim_text(c['claim'])}<br><small><code>{html.escape(c['id'])}</code> · "
            f"{html.escape(where)}{link}</small></td>"
            f"<td>{_values(c)}</td>"
            f"<td><small>{html.escape(c['tolerance'])}<br><em>{html.escape(c['basis'])}</em></small></td>"
            "</tr>")
    return ("<table class='table ls-claims'><colgroup><col class='ls-c-verdict'><col class='ls-c-claim'>"
            "<col class='ls-c-values'><col class='ls-c-tolerance'></colgroup>"
            "<thead><tr><th>verdict</th><th>claim</th><th>values</th><th>tolerance and its basis</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>")


def _all_claims(directory=None) -> list[dict]:
    return [c for book in load_ledgers(directory) for c in book["claims"]]


def summary_html(directory=None) -> str:
    """One short table: per paper, the number of claims with each verdict, and the failures."""
    books = load_ledgers(directory)
    if not books:
        return "<p><strong>No ledger files found.</strong> Execute the book with <code>python -m landscape run</code>.</p>"
    claims = [c for b in books for c in b["claims"]]
    head = "".join(f"<th>{v}</th>" for v in SHOWN_VERDICTS)
    rows = []
    for key, name in PAPERS.items():
        group = [c for c in claims if c["paper"] == key]
        if not group:
            continue
        counts = "".join(f"<td>{sum(shown_verdict(c) == v for c in group) or ''}</td>" for v in SHOWN_VERDICTS)
        failed = sum(not c["passed"] for c in group)
        rows.append(f"<tr><td><a href='#{_paper_anchor(key)}'>{html.escape(name)}</a></td><td>{len(group)}</td>"
                    f"{counts}<td>{'<strong>' + str(failed) + '</strong>' if failed else ''}</td></tr>")
    total = len(claims)
    ok = sum(c["passed"] for c in claims)
    profiles = sorted({b["profile"] for b in books})
    return (f"<p><strong>{ok} of {total} claims pass</strong> (profile {', '.join(profiles)}; "
            f"{len(books)} chapters).</p>"
            f"<table class='table ls-summary'><thead><tr><th>paper</th><th>claims</th>{head}"
            f"<th>failed</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


#: Sources that share one section of the report ("other papers the chapters rely on").
OTHER_SOURCES = ("auffinger2013", "subag2017", "breiding2017", "cartwright2013")


def _paper_anchor(key: str) -> str:
    """The id of the report's section on a source (labels set in ``book/report.md``)."""
    return "claims-other" if key in OTHER_SOURCES else f"claims-{key}"


def findings_html(directory=None) -> str:
    """Every erratum and every *differs* claim, one line each with its evidence and a link to
    the check in its chapter."""
    claims = [c for c in _all_claims(directory) if shown_verdict(c) in ("erratum", "differs")]
    if not claims:
        return "<p>No claim of this build is an erratum or differs from its paper.</p>"
    items = []
    for verdict in ("erratum", "differs"):
        for c in (c for c in claims if shown_verdict(c) == verdict):
            anchor = claim_anchor(c["chapter"], c["id"])
            status = "" if c["passed"] else " <strong>(FAILED)</strong>"
            items.append(
                f"<li><span class='ls-verdict ls-{verdict}'>{verdict}</span>{status} "
                f"{claim_text(c['claim'])} <small>({html.escape(PAPERS.get(c['paper'], c['paper']))}, "
                f"{html.escape(c['where'])}; expected {html.escape(_fmt(c['expected']))}, computed "
                f"{html.escape(_fmt(c['computed']))})</small> — "
                f"{_chapter_link(c['chapter'], anchor, 'check in ' + chapter_title(c['chapter']))}</li>")
    return f"<ul class='ls-findings'>{''.join(items)}</ul>"


def claims_html(directory=None, papers=None) -> str:
    """The claim table of the given papers (a key of :data:`PAPERS` or a list of keys), or, with
    ``papers=None``, of every paper under its own heading; each claim links to its check in the
    chapter."""
    claims = _all_claims(directory)
    if papers is not None:
        keys = [papers] if isinstance(papers, str) else list(papers)
        unknown = [k for k in keys if k not in PAPERS]
        if unknown or not keys:
            raise ValueError(f"`papers` must name keys among {sorted(PAPERS)}; got {papers!r}")
        group = [c for c in claims if c["paper"] in keys]
        if not group:
            return "<p>No claims from this source in this build.</p>"
        return claims_table_html(group, anchors=False, link_chapter=True)
    if not claims:
        return "<p>No claims recorded yet.</p>"
    parts = []
    for key, name in PAPERS.items():
        group = [c for c in claims if c["paper"] == key]
        if group:
            parts.append(f"<h3>{html.escape(name)}</h3>" + claims_table_html(group, anchors=False, link_chapter=True))
    return "\n".join(parts)


def _margin(c: dict) -> str:
    if c.get("margin") is None:
        return ""
    return f"<br><small>margin {c['margin']:.1f} s.e.</small>"


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list):
        shown = ", ".join(_fmt(v) for v in value[:6])
        return f"[{shown}{', …' if len(value) > 6 else ''}]"
    return str(value)


def timings_html(directory=None) -> str:
    """Seconds per chapter and profile, from ``timings.json`` written by the runner."""
    path = (ledger_directory() if directory is None else __import__("pathlib").Path(directory)) / "timings.json"
    if not path.exists():
        return "<p>No timings recorded yet (they are written by <code>python -m landscape run</code>).</p>"
    data = json.loads(path.read_text())
    profiles = sorted(data)
    recorded = {s for p in profiles for s in data[p]}
    try:
        from .runner import chapters

        book_order = [s for s in chapters() if s in recorded]
    except RuntimeError:  # not installed from a checkout: no table of contents to order by
        book_order = []
    stems = book_order + sorted(recorded - set(book_order))
    head = "".join(f"<th>{p} (s)</th>" for p in profiles)
    rows = []
    for s in stems:
        cells = "".join(
            f"<td>{data[p][s]['seconds']:.1f} <small>({data[p][s]['device']}, {data[p][s]['cores']} cores)</small></td>"
            if s in data[p] else "<td>not run</td>" for p in profiles)
        rows.append(f"<tr><td>{_chapter_link(s)}</td>{cells}</tr>")
    totals = "".join(f"<td><strong>{sum(v['seconds'] for v in data[p].values()):.1f}</strong></td>" for p in profiles)
    return (f"<table class='table ls-wrap'><thead><tr><th>chapter</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}<tr><td><strong>total</strong></td>{totals}</tr></tbody></table>")


def benchmark_directory() -> "Path":
    """Where ``benchmarks/*.py`` write their tables: ``benchmarks`` beside the ledger directory."""
    return ledger_directory().parent / "benchmarks"


def write_benchmark(name: str, *, title: str, command: str, columns: list[str], rows: list[list],
                    notes: str = "", directory=None) -> "Path":
    """Save one benchmark table as ``<name>.json`` for :func:`benchmarks_html` (the report page)."""
    import os
    import platform
    from pathlib import Path

    import torch

    out = Path(directory) if directory is not None else benchmark_directory()
    out.mkdir(parents=True, exist_ok=True)
    record = {"title": title, "command": command, "columns": columns, "rows": rows, "notes": notes,
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
                         f"{torch.get_num_threads()} threads"}
    path = out / f"{name}.json"
    path.write_text(json.dumps(record, indent=1))
    return path


def benchmarks_html(directory=None) -> str:
    """One table per benchmark found in :func:`benchmark_directory` (or ``directory``)."""
    from pathlib import Path

    folder = Path(directory) if directory is not None else benchmark_directory()
    files = sorted(folder.glob("*.json")) if folder.exists() else []
    if not files:
        return ("<p>No benchmark was run for this build. <code>make benchmarks</code> runs the "
                "scripts in <code>benchmarks/</code> and the next build of this page shows them.</p>")
    parts = []
    for path in files:
        b = json.loads(path.read_text())
        head = "".join(f"<th>{html.escape(c)}</th>" for c in b["columns"])
        body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>"
                       for row in b["rows"])
        parts.append(f"<h3>{html.escape(b['title'])}</h3>"
                     f"<p><code>{html.escape(b['command'])}</code> on {html.escape(b['machine'])}</p>"
                     f"<table class='table ls-wrap'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                     + (f"<p>{html.escape(b['notes'])}</p>" if b.get("notes") else ""))
    return "\n".join(parts)


def _result_status(claims: list[dict]) -> str:
    if not all(c["passed"] for c in claims):
        return "FAILED"
    verdicts = {shown_verdict(c) for c in claims}
    if "erratum" in verdicts and "differs" in verdicts:
        return "erratum found; differs from the paper"
    if "erratum" in verdicts:
        return "reproduced, erratum found"
    if "differs" in verdicts:
        return "differs from the paper"
    if verdicts <= {"inconclusive", "method"}:
        return "inconclusive at this profile"
    return "reproduced" + (" (some claims inconclusive at this profile)" if "inconclusive" in verdicts else "")


def results_html(directory=None) -> str:
    """Landing-page table: for each paper and chapter, the results checked (every one, wrapped),
    the chapter by its title, the number of claims and the reproduction status."""
    claims = [c for c in _all_claims(directory) if c["paper"] != "book"]
    if not claims:
        return "<p>No results yet: execute the book with <code>python -m landscape run</code>.</p>"
    rows = []
    for key, name in PAPERS.items():
        chapters = []
        for c in claims:
            if c["paper"] == key and c["chapter"] not in chapters:
                chapters.append(c["chapter"])
        for i, stem in enumerate(chapters):
            group = [c for c in claims if c["paper"] == key and c["chapter"] == stem]
            where = "; ".join(sorted({c["where"] for c in group}))
            paper_cell = (f"<td rowspan='{len(chapters)}'>{html.escape(name)}</td>" if i == 0 else "")
            rows.append(f"<tr>{paper_cell}<td>{_chapter_link(stem)}</td><td><small>{html.escape(where)}</small></td>"
                        f"<td>{len(group)}</td><td>{_result_status(group)}</td></tr>")
    return ("<table class='table ls-results'><colgroup><col class='ls-c-paper'><col class='ls-c-chapter'>"
            "<col class='ls-c-where'><col class='ls-c-count'><col class='ls-c-status'></colgroup>"
            "<thead><tr><th>paper</th><th>chapter</th><th>results checked</th>"
            "<th>claims</th><th>status</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
