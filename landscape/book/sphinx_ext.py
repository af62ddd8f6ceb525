"""A small Sphinx extension for the book's site.

* Jupyter Book 1.x loads sphinx-thebe, which registers its inline configuration script twice
  in this setup (``const THEBE_JS_URL`` declared twice is a JavaScript error on every page);
  repeated script entries are dropped from each page's context just before it is rendered.
* The launch buttons (Binder, JupyterHub, Colab, Thebe) are only shown when ``repository.url``
  in ``_config.yml`` names the book's public repository; without it they would point nowhere.
* The download menu keeps the page's source files and drops the theme's ".pdf" item, which is
  only ``window.print()`` of one page, not a PDF of the book.
* Every page's footer carries a build stamp: commit, build date, the run's profile, seed and
  device (read from the claim ledgers the chapters wrote), torch and numpy versions.
* ``landscape.css`` (in this package's ``static`` folder) fits the claim tables to the
  page's column and lets wide display equations scroll inside their own box on narrow screens.
* On the API page, the bars of plain-text docstrings (``|x|``) are escaped so that
  reStructuredText does not read them as substitutions (see :func:`escape_docstring_bars`).
"""
from __future__ import annotations

import datetime
import html
import os
import re
import subprocess
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"

#: The runner points this at the ledgers of the run it builds the site from.
ENV_LEDGER_DIR = "LANDSCAPE_LEDGER_DIR"


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        # an inline script is registered once with filename None and once with ''
        key = (getattr(script, "filename", None) or "",
               tuple(sorted((getattr(script, "attributes", None) or {}).items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    context["script_files"] = kept


def _drop_print_pdf(app, pagename, templatename, context, doctree):
    for button in context.get("header_buttons", []) or []:
        if button.get("label") == "download-buttons":
            button["buttons"] = [b for b in button.get("buttons", []) if b.get("label") != "download-pdf-button"]


def _git(root: Path, *args: str) -> str:
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def _run_parameters(ledger_dir: Path | None) -> dict[str, str]:
    """Profile, seed and device of the executed chapters, from their ledger files; a value that
    differs between chapters is listed with every variant."""
    from .ledger import load_ledgers

    books = [b for b in load_ledgers(ledger_dir) if b.get("claims") is not None]
    out = {}
    for key in ("profile", "seed", "device"):
        values = sorted({str(b.get(key)) for b in books if b.get(key) is not None})
        out[key] = " / ".join(values) if values else "not recorded"
    return out


def build_stamp(root: Path | None = None, ledger_dir: Path | None = None) -> dict[str, str]:
    """What the footer says about this build (see the module docstring)."""
    import numpy
    import torch

    from .runner import repo_root

    root = root or repo_root()
    commit = _git(root, "rev-parse", "--short=10", "HEAD") or "unknown"
    if commit != "unknown" and _git(root, "status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    stamp = {"commit": commit,
             "built": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    stamp.update(_run_parameters(ledger_dir))
    stamp["torch"] = torch.__version__
    stamp["numpy"] = numpy.__version__
    return stamp


def stamp_html(stamp: dict[str, str]) -> str:
    parts = [f"<span class='ls-stamp-{html.escape(k)}'>{html.escape(k)} <code>{html.escape(v)}</code></span>"
             for k, v in stamp.items()]
    return "<p class='ls-build-stamp'>Build: " + " · ".join(parts) + "</p>"


def _configure(app, config):
    options = dict(config.html_theme_options or {})
    if not (options.get("repository_url") or "").strip():
        # no public address: a launch button would open a placeholder repository
        options["launch_buttons"] = {}
    ledger_dir = os.environ.get(ENV_LEDGER_DIR)
    stamp = build_stamp(ledger_dir=Path(ledger_dir) if ledger_dir else None)
    footer = options.get("extra_footer") or ""
    options["extra_footer"] = (f"<p>{footer}</p>" if footer and not footer.lstrip().startswith("<") else footer) \
        + stamp_html(stamp)
    config.html_theme_options = options
    config.html_static_path = list(config.html_static_path or []) + [str(STATIC)]


# --------------------------------------------------------------------------------------------
# API page: docstrings are written to read well in a terminal (help()), where |x| is an absolute
# value or a norm. reStructuredText reads |x| as a substitution reference, so the API page escapes
# those bars; bars inside inline literals, roles (:math:`|x|`) and math blocks are left alone.
_PROTECTED = re.compile(r"``.*?``|:[\w:.-]+:`.*?`|`.*?`_{0,2}")


def _escape_bars(text: str) -> str:
    out, last = [], 0
    for m in _PROTECTED.finditer(text):
        out.append(text[last:m.start()].replace("|", r"\|"))
        out.append(m.group(0))
        last = m.end()
    out.append(text[last:].replace("|", r"\|"))
    return "".join(out)


def escape_docstring_bars(lines: list[str]) -> list[str]:
    """``lines`` of a docstring with the bars of plain text escaped (math blocks untouched)."""
    escaped, math_indent = [], None
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if math_indent is not None and line.strip() and indent <= math_indent:
            math_indent = None
        if line.lstrip().startswith(".. math::"):
            math_indent = indent
            escaped.append(line)
        elif math_indent is not None or line.lstrip().startswith(">>>"):
            escaped.append(line)
        else:
            escaped.append(_escape_bars(line))
    return escaped


def _process_docstring(app, what, name, obj, options, lines):
    lines[:] = escape_docstring_bars(lines)


def setup(app):
    app.connect("config-inited", _configure, priority=900)
    app.add_css_file("landscape.css")
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _drop_print_pdf, priority=900)
    app.connect("autodoc-process-docstring", _process_docstring)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
