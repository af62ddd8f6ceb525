"""A small Sphinx extension for the book's site.

Jupyter Book 1.x loads sphinx-thebe, which registers its inline configuration script twice
in this setup (``const THEBE_JS_URL`` declared twice is a JavaScript error on every page).
This extension drops repeated script entries from each page's context just before the page
is rendered.  On the API page it escapes the bars of plain-text docstrings (see
:func:`escape_docstring_bars`).
"""
from __future__ import annotations

import re


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
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("autodoc-process-docstring", _process_docstring)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
