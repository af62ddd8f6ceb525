"""A small Sphinx extension for the book's site.

Jupyter Book 1.x loads sphinx-thebe, which registers its inline configuration script twice
in this setup (``const THEBE_JS_URL`` declared twice is a JavaScript error on every page).
This extension drops repeated script entries from each page's context just before the page
is rendered; nothing else is changed.
"""
from __future__ import annotations


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


def setup(app):
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
