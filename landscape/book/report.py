"""HTML tables for the reproduction report page, built from the chapters' ledger files."""
from __future__ import annotations

import html
import json

from .ledger import PAPERS, SHOWN_VERDICTS, ledger_directory, load_ledgers, shown_verdict

__all__ = ["summary_html", "claims_html", "timings_html", "results_html", "stability_html"]


def stability_html(profile: str = "quick") -> str:
    """The last seed sweep's stability table (see :mod:`landscape.book.sweep`)."""
    from .sweep import stability_html as table

    return table(profile)


def _chapter_link(stem: str) -> str:
    return f'<a href="{html.escape(stem)}.html">{html.escape(stem.replace("_", " "))}</a>'


def _all_claims(directory=None) -> list[dict]:
    return [c for book in load_ledgers(directory) for c in book["claims"]]


def summary_html(directory=None) -> str:
    """One table: claims per chapter, with counts of passes and of each verdict."""
    books = load_ledgers(directory)
    if not books:
        return "<p><strong>No ledger files found.</strong> Execute the book with <code>python -m landscape run</code>.</p>"
    head = "".join(f"<th>{v}</th>" for v in SHOWN_VERDICTS)
    rows = []
    for book in books:
        claims = book["claims"]
        counts = "".join(f"<td>{sum(shown_verdict(c) == v for c in claims)}</td>" for v in SHOWN_VERDICTS)
        passed = sum(c["passed"] for c in claims)
        rows.append(f"<tr><td>{_chapter_link(book['chapter'])}</td><td>{book['profile']}</td>"
                    f"<td>{len(claims)}</td><td>{passed}</td>{counts}</tr>")
    total = sum(len(b["claims"]) for b in books)
    ok = sum(c["passed"] for b in books for c in b["claims"])
    return (f"<p>{ok} of {total} claims pass.</p>"
            f"<table class='table'><thead><tr><th>chapter</th><th>profile</th><th>claims</th>"
            f"<th>pass</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def claims_html(directory=None) -> str:
    """Every claim, grouped by the paper it comes from, with a link back to its chapter."""
    claims = _all_claims(directory)
    if not claims:
        return "<p>No claims recorded yet.</p>"
    parts = []
    for key, name in PAPERS.items():
        group = [c for c in claims if c["paper"] == key]
        if not group:
            continue
        rows = "".join(
            "<tr>"
            f"<td>{_chapter_link(c['chapter'])}</td>"
            f"<td>{html.escape(c['claim'])}</td>"
            f"<td>{html.escape(c['where'])}</td>"
            f"<td>{html.escape(_fmt(c['expected']))}</td>"
            f"<td>{html.escape(_fmt(c['computed']))}</td>"
            f"<td>{html.escape(c['tolerance'])}<br><small>{html.escape(c['basis'])}</small></td>"
            f"<td>{shown_verdict(c)}{_margin(c)}</td>"
            f"<td>{'pass' if c['passed'] else '<strong>FAIL</strong>'}</td>"
            "</tr>" for c in group)
        parts.append(
            f"<h3>{html.escape(name)}</h3>"
            "<table class='table'><thead><tr><th>chapter</th><th>claim</th><th>where</th>"
            "<th>expected</th><th>computed</th><th>tolerance</th><th>verdict</th><th>status</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")
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
    stems = sorted({s for p in profiles for s in data[p]})
    head = "".join(f"<th>{p} (s)</th>" for p in profiles)
    rows = []
    for s in stems:
        cells = "".join(
            f"<td>{data[p][s]['seconds']:.1f} <small>({data[p][s]['device']}, {data[p][s]['cores']} cores)</small></td>"
            if s in data[p] else "<td>not run</td>" for p in profiles)
        rows.append(f"<tr><td>{_chapter_link(s)}</td>{cells}</tr>")
    totals = "".join(f"<td><strong>{sum(v['seconds'] for v in data[p].values()):.1f}</strong></td>" for p in profiles)
    return (f"<table class='table'><thead><tr><th>chapter</th>{head}</tr></thead>"
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
                     f"<table class='table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
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
    """Landing-page table: for each paper and chapter, the claims checked and the reproduction status."""
    claims = [c for c in _all_claims(directory) if c["paper"] != "book"]
    if not claims:
        return "<p>No results yet: execute the book with <code>python -m landscape run</code>.</p>"
    rows = []
    for key, name in PAPERS.items():
        chapters = []
        for c in claims:
            if c["paper"] == key and c["chapter"] not in chapters:
                chapters.append(c["chapter"])
        for stem in chapters:
            group = [c for c in claims if c["paper"] == key and c["chapter"] == stem]
            where = sorted({c["where"] for c in group})
            shown = "; ".join(where[:6]) + ("; …" if len(where) > 6 else "")
            rows.append(f"<tr><td>{html.escape(name)}</td><td>{html.escape(shown)}</td>"
                        f"<td>{_chapter_link(stem)}</td><td>{len(group)}</td>"
                        f"<td>{_result_status(group)}</td></tr>")
    return ("<table class='table'><thead><tr><th>paper</th><th>results checked</th><th>chapter</th>"
            "<th>claims</th><th>status</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
