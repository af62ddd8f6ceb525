"""Progress bars that never land in the book's pages.

Every loop of the book and of the package that shows progress goes through :func:`progress_bar`.
Where the bar goes is decided by the environment variable ``$LANDSCAPE_PROGRESS``:

* unset or empty — the terminal's standard error (an interactive session, a script);
* ``off`` — no bar at all;
* a file path — the bar is appended to that file.  ``python -m landscape run`` sets it to
  ``_build/executed/progress/<chapter>.log`` for each chapter it executes, so that papermill
  records no progress frames in the executed notebook (the site would show them as stderr
  blocks) and the runner can echo them to its own console.

The bar is always the plain-text ``tqdm.std`` bar: ``tqdm.auto`` picks the Jupyter widget bar
inside a kernel, which needs ``ipywidgets`` and otherwise warns "IProgress not found" into the
page; a static site cannot show widgets anyway.
"""
from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

__all__ = ["ENV_PROGRESS", "progress_bar", "destination"]

ENV_PROGRESS = "LANDSCAPE_PROGRESS"

_open_files: dict[str, object] = {}


def destination():
    """Where bars go now: ``None`` (no bar), or a writable text stream (see the module docstring)."""
    target = os.environ.get(ENV_PROGRESS, "")
    if target == "off":
        return None
    if not target:
        return sys.stderr
    stream = _open_files.get(target)
    if stream is None or stream.closed:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        stream = open(target, "a", encoding="utf-8", buffering=1)
        _open_files[target] = stream
        atexit.register(stream.close)
    return stream


def progress_bar(iterable=None, *, desc: str | None = None, total: int | None = None,
                 enabled: bool = True, leave: bool = False, unit: str = "it"):
    """A ``tqdm.std`` progress bar over ``iterable`` (or a manual one with ``total``), written to
    :func:`destination`; disabled when ``enabled`` is false or the destination is ``off``.

    Use it like ``tqdm``: ``for x in progress_bar(xs, desc="solving"): ...`` or
    ``bar = progress_bar(total=n); bar.update(1); bar.close()``.
    """
    from tqdm.std import tqdm

    if not isinstance(enabled, (bool, int)):
        raise ValueError(f"`enabled` must be True or False; got {enabled!r}")
    stream = destination() if enabled else None
    return tqdm(iterable, desc=desc, total=total, leave=leave, unit=unit, file=stream,
                disable=stream is None, mininterval=0.5, dynamic_ncols=False, ncols=100)
