"""One figure style for the whole book (seaborn based, white background, readable in dark mode).

Sizes are chosen for the page, not for the screen of the author: a figure :data:`WIDTH` inches
wide is rendered at :data:`DPI` dots per inch, i.e. about 700 px, which the site shows at its
natural size in the 784 px text column and scales down to about 360 px on a phone.  With tick
labels of :data:`TICK_POINTS` points, a label is then about 19 px high in the column and 9.5 px
on a phone (:func:`tick_label_pixels`).  Figures with several panels use :func:`panels`, which
keeps that width and stacks the panels in rows instead of squeezing them side by side.
"""
from __future__ import annotations

import math

__all__ = ["use", "panels", "tick_label_pixels", "PALETTE", "WIDTH", "HEIGHT", "DPI", "TICK_POINTS",
           "FONT_SCALE", "PANEL_WIDTH"]

WIDTH, HEIGHT = 6.4, 4.0
PALETTE = "colorblind"
#: dots per inch of the figures embedded in the pages (matplotlib's inline backend uses figure.dpi)
DPI = 110
#: seaborn's "notebook" context scaled by this; tick labels are then 11 × FONT_SCALE points
FONT_SCALE = 1.1
TICK_POINTS = 11 * FONT_SCALE
#: width of multi-panel figures: a little under WIDTH, because titles and labels that reach past
#: the edge widen the saved image (bbox "tight") and it must stay under ~720 px to be shown at
#: ≥ 9 px labels in a phone's 352 px column
PANEL_WIDTH = 6.0


def use() -> None:
    """Apply the book's figure style to matplotlib."""
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font_scale=FONT_SCALE)
    mpl.rcParams.update({
        "figure.figsize": (WIDTH, HEIGHT),
        "figure.dpi": DPI,
        "savefig.dpi": 150,
        # an opaque white background keeps figures legible in the site's dark mode
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "savefig.transparent": False,
        "axes.titlesize": "medium",
        "legend.frameon": True,
        "legend.framealpha": 0.9,
        "legend.fontsize": "small",
        "figure.constrained_layout.use": True,
    })


def panels(n: int, *, columns: int = 2, panel_height: float = 2.9, width: float = PANEL_WIDTH,
           span_last: bool = True, **subplot_kw):
    """A figure of ``n`` panels, at most ``columns`` side by side and the rest in further rows,
    :data:`PANEL_WIDTH` inches wide so that its labels stay readable on the page; returns
    ``(figure, list of n axes)``.  With ``span_last`` the last panel of an incomplete last row
    spans the rest of that row (it then shares no axis with the others); otherwise the unused
    cells are removed.  Further keyword arguments (``sharex``, ``sharey``, ``subplot_kw``...) go
    to :func:`matplotlib.pyplot.subplots`.
    """
    import matplotlib.pyplot as plt

    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"`n` must be a positive integer (the number of panels); got {n!r}")
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise ValueError(f"`columns` must be a positive integer; got {columns!r}")
    if not (panel_height > 0 and width > 0):
        raise ValueError(f"`panel_height` and `width` must be positive inches; got {panel_height}, {width}")
    cols = min(columns, n)
    rows = math.ceil(n / cols)
    fig, grid = plt.subplots(rows, cols, figsize=(width, panel_height * rows), squeeze=False, **subplot_kw)
    axes = list(grid.ravel())
    for ax in axes[n:]:
        ax.remove()
    axes = axes[:n]
    first_free = n % cols
    if span_last and first_free:
        last_col = first_free - 1
        axes[-1].remove()
        axes[-1] = fig.add_subplot(grid[0, 0].get_gridspec()[rows - 1, last_col:])
    return fig, axes


def tick_label_pixels(shown_width: float, natural_width: float) -> float:
    """Height in CSS pixels of a tick label of this style in a figure image ``natural_width``
    pixels wide shown ``shown_width`` pixels wide (the browser scales the whole image)."""
    if not (natural_width > 0 and shown_width >= 0):
        raise ValueError(f"widths must be positive pixels; got shown {shown_width}, natural {natural_width}")
    return TICK_POINTS / 72 * DPI * (shown_width / natural_width)
